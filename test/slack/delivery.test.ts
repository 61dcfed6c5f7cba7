/**
 * Delivery semantics of the Slack channel over real HTTP: retries deduplicated on event_id,
 * acks that do not wait for the work behind them, the slash command's DM hand-off, and the
 * Web API's 429 Retry-After honoured. The core is a recording handler here (wire.test.ts runs
 * the real engine); the "slow step" is a gate the test opens.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, test } from 'node:test';
import type { InboundEvent, Session } from '../../bot/core/types.ts';
import {
  appMention,
  blockAction,
  DM,
  directMessage,
  gate,
  type Harness,
  post,
  postSigned,
  slashCommand,
  startHarness,
  USER,
} from './harness.ts';

const handled: InboundEvent[] = [];
let slow: ReturnType<typeof gate> | undefined;
let started: ReturnType<typeof gate> | undefined;
let failNext = false;
let h: Harness;
/** The port's waits between tries (bot/ports/bounded-port.ts), held until the test lets them go. */
const waits: { ms: number; go(): void }[] = [];

before(async () => {
  h = await startHarness({
    handle: async (event) => {
      started?.open();
      if (slow) await slow.promise;
      if (failNext) {
        failNext = false;
        throw new Error('core exploded');
      }
      handled.push(event);
    },
    replies: { sleep: (ms) => new Promise<void>((go) => waits.push({ ms, go })) },
  });
});
after(() => h.close());

/** Lets the event loop run `n` times (I/O included), without any timer. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Runs the loop until `done()` holds; a deadline of 30 s (never reached unless broken) says what did not happen. */
async function eventually(done: () => boolean, what: string): Promise<void> {
  const giveUp = performance.now() + 30_000;
  while (!done()) {
    if (performance.now() > giveUp) assert.fail(`${what}: not within 30 s`);
    await turns(1);
  }
}

const VALUE = JSON.stringify({ verb: 'intake.os', sessionId: 'sess-1', version: 2, value: 'windows' });

test('four deliveries of one event_id (first try and three retries) reach the core once', async () => {
  const request = directMessage('Teams says CAA20004', { eventId: 'EvRETRY0001' });
  const before = handled.length;
  const answers = await Promise.all(
    [undefined, '1', '2', '3'].map((retry) =>
      postSigned(
        h.endpoint,
        request,
        retry ? { headers: { 'x-slack-retry-num': retry, 'x-slack-retry-reason': 'http_timeout' } } : {},
      ),
    ),
  );
  assert.deepEqual(
    answers.map((a) => a.status),
    [200, 200, 200, 200],
  );
  await h.channel.idle();
  assert.equal(handled.length - before, 1);
  assert.equal(handled.at(-1)?.id, 'slack:EvRETRY0001');
  // A different event_id is a different delivery: the dedupe is by id, not by content.
  await postSigned(h.endpoint, directMessage('Teams says CAA20004', { eventId: 'EvRETRY0002' }));
  await h.channel.idle();
  assert.equal(handled.length - before, 2);
});

test('an interaction is acknowledged while the work behind it is still running', async () => {
  slow = gate();
  started = gate();
  const before = handled.length;
  // The work is held until the test opens the gate, so an answer at all means the ack did not
  // wait for it; and it was the listener's own ack, not the receiver's safety net (which acks
  // at its deadline, 2.5 s, and logs that it had to).
  const answer = await postSigned(
    h.endpoint,
    blockAction({ channel: DM, ts: '1700000000.000001' }, { action_id: 'intake.os', value: VALUE }),
  );
  assert.equal(answer.status, 200);
  assert.ok(
    !h.logs.some((l) => /no ack within the deadline/.test(l.message)),
    'the listener acked, not the safety net',
  );
  await started.promise; // the core has the event…
  assert.equal(handled.length, before, '…and has not finished it: the ack did not wait');
  slow.open();
  slow = undefined;
  await h.channel.idle();
  assert.equal(handled.length, before + 1);
  const event = handled.at(-1)!;
  assert.equal(event.kind, 'action');
  assert.deepEqual(event.kind === 'action' && event.data, {
    sessionId: 'sess-1',
    version: 2,
    value: 'windows',
  });
});

test('a repeated interaction payload (same trigger_id) moves nothing twice', async () => {
  const before = handled.length;
  const click = blockAction(
    { channel: DM, ts: '1700000000.000001' },
    { action_id: 'intake.os', value: VALUE },
    { triggerId: 'trig.same' },
  );
  await postSigned(h.endpoint, click);
  await postSigned(h.endpoint, click);
  await h.channel.idle();
  assert.equal(handled.length - before, 1);
});

test('a link button or a foreign value is acknowledged and moves nothing', async () => {
  const before = handled.length;
  const link = await postSigned(h.endpoint, blockAction({ channel: DM, ts: '1.1' }, { action_id: 'link.0' }));
  const foreign = await postSigned(
    h.endpoint,
    blockAction({ channel: DM, ts: '1.1' }, { action_id: 'x', value: '{"verb":"rm -rf"}' }),
  );
  assert.equal(link.status, 200);
  assert.equal(foreign.status, 200);
  await h.channel.idle();
  assert.equal(handled.length, before);
  assert.ok(h.logs.some((l) => l.level === 'warn' && /not ours/.test(l.message)));
});

test('a failure after the ack tells the clicker through response_url', async () => {
  failNext = true;
  const responseUrl = h.api.responseUrl();
  const answer = await postSigned(
    h.endpoint,
    blockAction({ channel: DM, ts: '1.1' }, { action_id: 'intake.os', value: VALUE }, { responseUrl }),
  );
  assert.equal(answer.status, 200);
  await h.channel.idle();
  const sorry = h.api.responses.find((r) => r.path === new URL(responseUrl).pathname);
  assert.equal(sorry?.body.response_type, 'ephemeral');
  assert.match(String(sorry?.body.text), /did not go through/);
});

test('/reconnect in a channel: acked at once, the case opens in the DM, response_url says where', async () => {
  const before = handled.length;
  const responseUrl = h.api.responseUrl();
  const answer = await postSigned(
    h.endpoint,
    slashCommand('CAA20004', { channel: 'C0LABCHAN1', responseUrl }),
  );
  assert.equal(answer.status, 200);
  assert.equal(answer.text, '', 'the ack carries no message; the case is not for the channel');
  await h.channel.idle();
  const open = h.api.calls.find((c) => c.method === 'conversations.open');
  assert.equal(open?.params.users, USER);
  const event = handled.at(-1)!;
  assert.equal(handled.length, before + 1);
  assert.equal(event.conversationKey, `slack:${DM}`);
  assert.equal(event.kind === 'message' && event.text, 'CAA20004');
  const note = h.api.responses.find((r) => r.path === new URL(responseUrl).pathname);
  assert.match(String(note?.body.text), new RegExp(`<#${DM}>`));
});

test('/reconnect typed in the DM itself needs no pointer to the DM', async () => {
  const responseUrl = h.api.responseUrl();
  await postSigned(h.endpoint, slashCommand('', { channel: DM, responseUrl }));
  await h.channel.idle();
  assert.equal(handled.at(-1)?.conversationKey, `slack:${DM}`);
  assert.equal(h.api.responses.filter((r) => r.path === new URL(responseUrl).pathname).length, 0);
});

test('an app mention starts a threaded conversation', async () => {
  await postSigned(h.endpoint, appMention('Teams says CAA20004', { channel: 'C0LABCHAN2' }));
  await h.channel.idle();
  const event = handled.at(-1)!;
  assert.match(event.conversationKey, /^slack:C0LABCHAN2:\d+\.\d+$/);
  assert.equal(event.kind === 'message' && event.text, 'Teams says CAA20004');
});

test("Slack's ssl_check is answered without a signature and runs nothing", async () => {
  const before = handled.length;
  const answer = await post(h.endpoint, {
    contentType: 'application/x-www-form-urlencoded',
    body: 'ssl_check=1&token=x',
  });
  assert.equal(answer.status, 200);
  assert.equal(handled.length, before);
});

test('the port posts Block Kit and, on a 429, waits Retry-After before trying again', async () => {
  const session = {
    id: 's-429',
    version: 1,
    conversation: { id: DM, ref: { channel: DM } },
  } as unknown as Session;
  const view = {
    screen: 'resolved',
    sessionId: 's-429',
    version: 1,
    summary: 'All good.',
    verifiedSteps: [],
  } as const;
  const tries = () =>
    h.api.calls
      .filter(
        (c) =>
          c.method === 'chat.postMessage' &&
          c.params.blocks &&
          JSON.stringify(c.params.blocks).includes('All good'),
      )
      .map((c) => c.status);
  h.api.rateLimit('chat.postMessage', 1);
  const sending = h.channel.port.send(session, view);
  // The wait is injected: the test sees how long the port asks to wait, and when it may go on.
  await eventually(() => waits.length === 1, 'the port waiting out the 429');
  assert.equal(waits[0].ms, 1000, 'exactly Retry-After: 1');
  assert.deepEqual(tries(), [429], 'no second try before the wait is over');
  waits.shift()?.go();
  const ts = await sending;
  assert.deepEqual(tries(), [429, 200]);
  const stored = h.api.messages.get(`${DM}/${ts}`);
  assert.equal(stored?.blocks?.[0]?.type, 'header');
  // And chat.update replaces that message in place.
  await h.channel.port.update(session, ts, { ...view, version: 2, summary: 'Still good.' });
  assert.equal(h.api.messages.get(`${DM}/${ts}`)?.updates, 1);
  assert.match(JSON.stringify(h.api.messages.get(`${DM}/${ts}`)?.blocks), /Still good/);
});

test('when Bolt cannot even authorize in time (auth.test rate-limited), the receiver acks for it', async () => {
  const events: InboundEvent[] = [];
  const cold = await startHarness({
    handle: async (e) => void events.push(e),
    noStart: true,
    ackDeadlineMs: 300,
  });
  try {
    cold.api.rateLimit('auth.test', 1);
    const answer = await postSigned(cold.endpoint, directMessage('hello'));
    assert.equal(answer.status, 200);
    assert.equal(events.length, 0, 'answered before the work could start');
    await cold.channel.idle();
    assert.equal(events.length, 1, 'and the work still happened');
    const auth = cold.api.calls.filter((c) => c.method === 'auth.test');
    assert.deepEqual(
      auth.map((c) => c.status),
      [429, 200],
    );
    assert.ok(auth[1].at - auth[0].at >= 990);
  } finally {
    await cold.close();
  }
});
