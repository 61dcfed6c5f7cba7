/**
 * Request signatures: every rejection answers 401, runs no handler and calls no Slack API;
 * the positive control shows the same request, correctly signed, does run the handler (so the
 * rejections fail if verification were removed).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkSlackSignature, SIGNATURE_WINDOW_SECONDS } from '../../bot/channels/slack/signature.ts';
import type { InboundEvent } from '../../bot/core/types.ts';
import { signSlackRequest } from '../lab/slack-api.ts';
import {
  blockAction,
  DM,
  directMessage,
  type Harness,
  nowSeconds,
  post,
  postSigned,
  SIGNING_SECRET,
  slashCommand,
  startHarness,
} from './harness.ts';

const handled: InboundEvent[] = [];
let h: Harness;

before(async () => {
  h = await startHarness({ handle: async (event) => void handled.push(event) });
});
after(() => h.close());

/** Slack API calls other than the start-up auth.test: a handler that ran would make some. */
const apiCallsAfterStart = () => h.api.calls.filter((c) => c.method !== 'auth.test');

test('a correctly signed message reaches the core (positive control)', async () => {
  const before = handled.length;
  const answer = await postSigned(h.endpoint, directMessage('hello'));
  assert.equal(answer.status, 200);
  await h.channel.idle();
  assert.equal(handled.length, before + 1);
  assert.equal(handled.at(-1)?.kind, 'message');
});

for (const [name, send] of [
  ['missing signature headers', (r: ReturnType<typeof directMessage>) => post(h.endpoint, r)],
  [
    'a signature made with another secret',
    (r: ReturnType<typeof directMessage>) => postSigned(h.endpoint, r, { secret: 'not-the-signing-secret' }),
  ],
  [
    'a timestamp older than 5 minutes (correctly signed for it)',
    (r: ReturnType<typeof directMessage>) =>
      postSigned(h.endpoint, r, { timestampSec: nowSeconds() - SIGNATURE_WINDOW_SECONDS - 60 }),
  ],
  [
    'a timestamp more than 5 minutes in the future',
    (r: ReturnType<typeof directMessage>) =>
      postSigned(h.endpoint, r, { timestampSec: nowSeconds() + SIGNATURE_WINDOW_SECONDS + 60 }),
  ],
  [
    'a body changed after signing',
    (r: ReturnType<typeof directMessage>) => {
      const headers = signSlackRequest(SIGNING_SECRET, r.body, nowSeconds());
      return post(h.endpoint, { ...r, body: r.body.replace('hello', 'HELLO') }, headers);
    },
  ],
  [
    'a signature without its timestamp header',
    (r: ReturnType<typeof directMessage>) => {
      const headers = signSlackRequest(SIGNING_SECRET, r.body, nowSeconds());
      return post(h.endpoint, r, { 'x-slack-signature': headers['x-slack-signature'] });
    },
  ],
] as const) {
  test(`${name}: 401, no handler ran, no Slack call`, async () => {
    const handledBefore = handled.length;
    const callsBefore = apiCallsAfterStart().length;
    const answer = await send(directMessage('hello'));
    assert.equal(answer.status, 401);
    await h.channel.idle();
    assert.equal(handled.length, handledBefore, 'a handler ran for a refused request');
    assert.equal(apiCallsAfterStart().length, callsBefore);
  });
}

test('unsigned interactions and slash commands are refused too', async () => {
  const handledBefore = handled.length;
  const click = blockAction(
    { channel: DM, ts: '1700000000.000001' },
    { action_id: 'plan.start', value: '{}' },
  );
  assert.equal((await post(h.endpoint, click)).status, 401);
  const command = slashCommand('CAA20004', { responseUrl: h.api.responseUrl() });
  assert.equal((await postSigned(h.endpoint, command, { secret: 'wrong' })).status, 401);
  await h.channel.idle();
  assert.equal(handled.length, handledBefore);
  assert.equal(h.api.responses.length, 0);
});

test('checkSlackSignature names each failure', () => {
  const body = '{"type":"event_callback"}';
  const now = 1_800_000_000;
  const good = signSlackRequest(SIGNING_SECRET, body, now);
  const check = (headers: Record<string, string>, nowSec = now) =>
    checkSlackSignature({ signingSecret: SIGNING_SECRET, rawBody: body, headers, nowMs: nowSec * 1000 });
  assert.deepEqual(check(good), { ok: true });
  assert.equal(check(good, now + SIGNATURE_WINDOW_SECONDS).ok, true, 'the window edge is inside');
  const reason = (r: ReturnType<typeof check>) => (r.ok ? 'ok' : r.reason);
  assert.equal(reason(check({})), 'missing_signature');
  assert.equal(reason(check({ 'x-slack-signature': good['x-slack-signature'] })), 'missing_timestamp');
  assert.equal(reason(check({ ...good, 'x-slack-request-timestamp': 'soon' })), 'missing_timestamp');
  assert.equal(reason(check(good, now + SIGNATURE_WINDOW_SECONDS + 1)), 'stale_timestamp');
  assert.equal(reason(check(good, now - SIGNATURE_WINDOW_SECONDS - 1)), 'stale_timestamp');
  assert.equal(reason(check({ ...good, 'x-slack-signature': `v0=${'0'.repeat(64)}` })), 'bad_signature');
  assert.equal(
    reason(check({ ...good, 'x-slack-signature': good['x-slack-signature'].replace('v0=', 'v1=') })),
    'bad_signature',
  );
});

test('url_verification answers the challenge only when signed', async () => {
  const request = {
    contentType: 'application/json',
    body: JSON.stringify({ type: 'url_verification', challenge: 'c-123' }),
  };
  const signed = await postSigned(h.endpoint, request);
  assert.equal(signed.status, 200);
  assert.deepEqual(JSON.parse(signed.text), { challenge: 'c-123' });
  const unsigned = await post(h.endpoint, request);
  assert.equal(unsigned.status, 401);
  assert.doesNotMatch(unsigned.text, /c-123/);
});
