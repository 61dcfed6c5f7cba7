/**
 * The fuzz suite (issue 16): generated requests against every HTTP surface of the assembled bot
 * (Direct Line and the page's token route, Teams without an app id, Slack signed and unsigned,
 * any path with raw bytes), from the valid shapes outwards. Properties: never a 5xx, never a
 * stack trace or an internal path in an answer, no error escaping the request (unhandled
 * rejection, uncaught exception), a refused Direct Line post leaves the conversation unchanged,
 * and /healthz answers after every run. A counterexample is shrunk by fast-check and kept under
 * test/fixtures/fuzz/, where later runs replay it first.
 *
 * Budget: about 600 generated requests, under 30 s on the shared 2-core CI machine. The canary
 * test plants a route that answers 500 for one input shape and checks the suite finds it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { Request, Response, Server } from 'restify';
import {
  checkAnswer,
  FUZZ_SEED,
  type FuzzBot,
  type FuzzRequest,
  fixtures,
  keepFixture,
  startFuzzBot,
} from './harness.ts';
import { mutatedJson, rawRequest } from './inputs.ts';

let f: FuzzBot;
before(async () => {
  f = await startFuzzBot([canary]);
});
after(async () => f?.close());

/** A deliberately broken route: 500 for any JSON object with a numeric "n" over 1000. */
function canary(server: Server): void {
  server.post('/api/fuzz-canary', (req: Request, res: Response, next: () => void) => {
    const n = (req.body as { n?: unknown } | undefined)?.n;
    res.send(typeof n === 'number' && n > 1000 ? 500 : 200, { ok: true });
    next();
  });
}

/**
 * Runs `property` over `arbitrary` (fixtures named `name` first); on failure keeps the shrunk
 * counterexample (unless `keep` is false) and throws fast-check's report.
 */
async function fuzz(
  name: string,
  arbitrary: fc.Arbitrary<FuzzRequest>,
  numRuns: number,
  keep = true,
  extra: (request: FuzzRequest, status: number) => Promise<void> = async () => undefined,
): Promise<void> {
  const property = fc.asyncProperty(arbitrary, async (request) => {
    const answer = await f.send(request);
    checkAnswer(request, answer);
    await extra(request, answer.status);
  });
  const examples = fixtures<FuzzRequest>(name).map((r) => [rebase(r)] as [FuzzRequest]);
  const result = await fc.check(property, { numRuns, examples, endOnFailure: false, seed: FUZZ_SEED });
  if (result.failed && keep && result.counterexample) keepFixture(name, result.counterexample[0]);
  if (result.failed) throw new Error(fc.defaultReportMessage(result) ?? `${name} failed`);
  await f.bot.directLine.idle();
  assert.deepEqual(f.escaped, [], 'errors escaped a request');
  assert.equal((await f.send({ method: 'GET', path: '/healthz' })).status, 200);
}

const json = { 'content-type': 'application/json' };

/** A kept fixture pointed at this run's connector and conversation (their ports and ids change). */
function rebase(request: FuzzRequest): FuzzRequest {
  const conversation = `/v3/directline/conversations/${f.conversation.id}`;
  return {
    ...request,
    path: request.path.replace(/^\/v3\/directline\/conversations\/[^/?]+/, conversation),
    ...(request.body === undefined
      ? {}
      : { body: request.body.replace(/http:\/\/127\.0\.0\.1:\d+\//g, f.connector.url) }),
    ...(request.headers?.authorization === undefined
      ? {}
      : { headers: { ...request.headers, authorization: `Bearer ${f.conversation.token}` } }),
  };
}

test('Direct Line: mutated activities, watermarks and credentials', async () => {
  const { id, token } = f.conversation;
  const auth = { authorization: `Bearer ${token}` };
  const path = `/v3/directline/conversations/${id}/activities`;
  const valid = {
    type: 'message',
    from: { id: 'dl_user', name: 'U' },
    text: 'hello',
    locale: 'en-US',
    channelData: { a: 1 },
    value: { verb: 'x' },
  };
  const count = async () => (await f.bot.store.directline.list(id)).activities.length;
  const post = mutatedJson(valid).map(
    (body): FuzzRequest => ({ method: 'POST', path, headers: { ...json, ...auth }, body }),
  );
  const read = fc.string().map(
    (w): FuzzRequest => ({
      method: 'GET',
      path: `${path}?watermark=${encodeURIComponent(w)}`,
      headers: auth,
    }),
  );
  const creds = fc
    .tuple(
      fc.constantFrom(
        '/v3/directline/tokens/refresh',
        '/v3/directline/tokens/generate',
        '/v3/directline/conversations',
        `/v3/directline/conversations/${id}`,
      ),
      fc.string(),
    )
    .map(
      ([p, t]): FuzzRequest => ({
        method: p.endsWith(id) ? 'GET' : 'POST',
        path: p,
        headers: { ...json, authorization: `Bearer ${t}` },
        body: '{}',
      }),
    );
  let before = await count();
  await fuzz('directline', fc.oneof(post, read, creds), 200, true, async (request, status) => {
    await f.bot.directLine.idle();
    const now = await count();
    // Anything refused leaves the conversation as it was.
    if (request.method === 'POST' && request.path === path && status >= 400)
      assert.equal(now, before, request.body?.slice(0, 200));
    before = now;
  });
});

test('Teams without an app id: mutated activities', async () => {
  const valid = {
    type: 'message',
    id: '1700000000000',
    channelId: 'msteams',
    serviceUrl: f.connector.url,
    timestamp: new Date().toISOString(),
    from: { id: '29:fuzz-user', name: 'Fuzz', aadObjectId: '00000000-0000-0000-0000-00000000000f' },
    recipient: { id: '28:lab-bot', name: 'Reconnect' },
    conversation: { id: 'a:fuzz', conversationType: 'personal', tenantId: 't' },
    channelData: { tenant: { id: 't' } },
    entities: [{ type: 'mention', mentioned: { id: '28:lab-bot' }, text: '<at>Reconnect</at>' }],
    text: 'Teams says CAA20004',
    value: { verb: 'done', sessionId: 's', version: 1 },
  };
  const activity = mutatedJson(valid).map(
    (body): FuzzRequest => ({ method: 'POST', path: '/api/messages', headers: json, body }),
  );
  await fuzz('teams', activity, 150);
});

test('Slack: signed and unsigned, events, interactions and commands', async () => {
  const event = {
    type: 'event_callback',
    event_id: 'Ev1',
    team_id: 'T1',
    event: {
      type: 'message',
      channel: 'D0FUZZ',
      channel_type: 'im',
      user: 'U0FUZZ',
      text: 'CAA20004',
      ts: '1700000000.000100',
    },
  };
  const action = {
    type: 'block_actions',
    user: { id: 'U0FUZZ', name: 'fuzz' },
    trigger_id: 't.1',
    container: { type: 'message', channel_id: 'D0FUZZ', message_ts: '1.2' },
    actions: [{ type: 'button', action_id: 'reconnect', value: '{"verb":"done"}', action_ts: '1.3' }],
  };
  const slack = fc.oneof(
    mutatedJson(event).map(
      (body): FuzzRequest => ({
        method: 'POST',
        path: '/api/slack/events',
        headers: json,
        body,
        slackSigned: true,
      }),
    ),
    mutatedJson(action).map(
      (payload): FuzzRequest => ({
        method: 'POST',
        path: '/api/slack/events',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ payload }).toString(),
        slackSigned: true,
      }),
    ),
    fc
      .dictionary(
        fc.constantFrom(
          'command',
          'text',
          'user_id',
          'channel_id',
          'trigger_id',
          'response_url',
          'ssl_check',
          'payload',
        ),
        fc.string(),
      )
      .map(
        (fields): FuzzRequest => ({
          method: 'POST',
          path: '/api/slack/events',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
          slackSigned: true,
        }),
      ),
    mutatedJson(event).map(
      (body): FuzzRequest => ({ method: 'POST', path: '/api/slack/events', headers: json, body }),
    ),
  );
  await fuzz('slack', slack, 150);
  await f.bot.slack?.idle();
});

test('any route: raw bytes, wrong content types and encodings', async () => {
  const routes = [
    '/api/webchat/token',
    '/api/messages',
    '/api/slack/events',
    `/v3/directline/conversations/${f.conversation.id}/activities`,
    '/v3/directline/conversations',
    '/',
  ];
  await fuzz('raw', rawRequest(routes), 150);
});

test('the suite finds a planted 500: a broken handler fails the property', async () => {
  const canaryInput = fc.jsonValue().map(
    (v): FuzzRequest => ({
      method: 'POST',
      path: '/api/fuzz-canary',
      headers: json,
      body: JSON.stringify({ n: v }),
    }),
  );
  const numbers = fc.integer().map(
    (n): FuzzRequest => ({
      method: 'POST',
      path: '/api/fuzz-canary',
      headers: json,
      body: JSON.stringify({ n }),
    }),
  );
  await assert.rejects(
    fuzz('canary', fc.oneof(canaryInput, numbers), 300, false),
    /Counterexample.*fuzz-canary.*n\\":\d{4}/,
  );
});
