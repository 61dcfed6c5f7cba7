/**
 * Issue 16: the Slack Web API (the local fake, at the wire) failing while Slack turns run through
 * signed deliveries, the real Bolt and the real engine. A 5xx or a 429 on a reply or a card
 * update: tried again within bounds (a 429 after exactly its Retry-After, refused past the cap)
 * and delivered once (a 5xx after the post landed: found by its key, not posted again); while one conversation waits, others are answered. A reply that hangs is
 * cut at its deadline and recorded as `delivery_failed`, as the Teams path records it.
 *
 * No clocks run: the port's waits are an injected sleep (recorded, and held when a test says so)
 * and its deadlines are signals the test aborts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createEngine, type Engine } from '../../bot/core/engine.ts';
import type { Session } from '../../bot/core/types.ts';
import { onLimitHit } from '../../bot/limit-hits.ts';
import { loadBuiltinPlaybooks } from '../../bot/playbooks/load.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { until } from '../agents/harness.ts';
import { blockAction, directMessage, type Harness, postSigned, startHarness } from '../slack/harness.ts';

const store = createMemoryStore<Session>();
let engine: Engine;
let h: Harness;

/** Every wait the port asked for, in ms; while `holding`, each waits until the test lets it go. */
const waited: number[] = [];
const held: Array<() => void> = [];
let holding = false;
/** One deadline per try; the test aborts them to cut whatever try is still hanging. */
const deadlines: AbortController[] = [];

before(async () => {
  const playbooks = await loadBuiltinPlaybooks();
  h = await startHarness({
    handle: (event) => engine.handle(event),
    store,
    replies: {
      sleep: (ms) => {
        waited.push(ms);
        return holding ? new Promise<void>((go) => held.push(go)) : Promise.resolve();
      },
      deadline: () => {
        const controller = new AbortController();
        deadlines.push(controller);
        return controller.signal;
      },
    },
  });
  engine = createEngine({ store, port: h.channel.port, playbooks, clock: Date.now });
});
after(async () => {
  await h.close();
  await store.close();
});

const OPENING = 'Teams says CAA20004';
/** Each conversation is its own user's DM. */
const dm = (name: string) => ({ channel: `D0${name}`, user: `U0${name}` });

async function say(name: string): Promise<void> {
  const answer = await postSigned(h.endpoint, directMessage(OPENING, dm(name)));
  assert.equal(answer.status, 200);
}
const posts = (name: string) =>
  h.api.calls.filter((c) => c.method === 'chat.postMessage' && c.params.channel === dm(name).channel);
const landed = (name: string) => h.api.posted(dm(name).channel).length;
const session = (name: string) => store.sessions.findByConversation(`slack:${dm(name).channel}`);
async function failures(name: string) {
  const s = await session(name);
  assert.ok(s, `${name} has a session`);
  return (await store.audit.list(s.id)).filter((a) => a.kind === 'delivery_failed');
}

let expected = 0;

test('a clean conversation: the replies every fault below is held to', async () => {
  await say('CLEAN');
  await h.channel.idle();
  expected = landed('CLEAN');
  assert.ok(expected > 0);
  assert.deepEqual(waited, [], 'nothing failed, nothing waited');
  assert.deepEqual(await failures('CLEAN'), []);
});

test('a 502 and a 503 on the first reply: retried with backoff, and the replies arrive once', async () => {
  h.api.failNext('chat.postMessage', { status: 502 }, { status: 503 });
  await say('BAD5XX');
  await h.channel.idle();
  assert.deepEqual(
    posts('BAD5XX')
      .slice(0, 3)
      .map((c) => c.status),
    [502, 503, 200],
  );
  assert.equal(landed('BAD5XX'), expected, 'as many replies as without the fault: none lost, none twice');
  assert.equal(waited.length, 2, 'one wait per failed try');
  // REPLY_RETRY's backoff with equal jitter: 250..500 ms, then 500..1000 ms.
  assert.ok(waited[0] >= 250 && waited[0] <= 500, `first backoff ${waited[0]}`);
  assert.ok(waited[1] >= 500 && waited[1] <= 1000, `second backoff ${waited[1]}`);
  assert.deepEqual(await failures('BAD5XX'), []);
  waited.length = 0;
});

test('a 502 after Slack did post: the reply is found by its key, not posted twice', async () => {
  h.api.failNext('chat.postMessage', { status: 502, land: true });
  await say('LANDED');
  await h.channel.idle();
  assert.equal(landed('LANDED'), expected, 'each reply once, the ambiguous one included');
  assert.deepEqual(
    posts('LANDED').map((c) => c.status),
    [502, ...Array(expected - 1).fill(200)],
    'the landed reply was not sent again',
  );
  const lookups = h.api.calls.filter(
    (c) => c.method === 'conversations.history' && c.params.channel === dm('LANDED').channel,
  );
  assert.equal(lookups.length, 1, 'looked up once, after the ambiguous failure');
  assert.equal(waited.length, 1);
  assert.deepEqual(await failures('LANDED'), []);
  waited.length = 0;
});

test('a 429 waits exactly its Retry-After, and other conversations are answered meanwhile', async () => {
  holding = true;
  h.api.failNext('chat.postMessage', { status: 429, retryAfterSec: 7 });
  await say('RATED');
  await until(() => held.length === 1, 10_000, 'the rate-limited reply waiting');
  assert.deepEqual(waited, [7000]);
  holding = false;
  // One conversation is waiting out its Retry-After; another is served in full.
  await say('OTHER');
  await until(() => landed('OTHER') === expected, 10_000, 'the other conversation answered');
  assert.equal(landed('RATED'), 0, 'the rate-limited reply has not gone out');
  held.shift()?.();
  await h.channel.idle();
  assert.deepEqual(
    posts('RATED').map((c) => c.status),
    [429, ...Array(expected).fill(200)],
  );
  assert.equal(landed('RATED'), expected, 'delivered once');
  waited.length = 0;
});

test('a Retry-After past the cap is not waited: the reply fails and the turn records it', async () => {
  h.api.failNext('chat.postMessage', { status: 429, retryAfterSec: 3600 });
  await say('CAPPED');
  await h.channel.idle();
  assert.deepEqual(waited, [], 'an hour is not waited in a turn');
  assert.equal(landed('CAPPED'), expected - 1, 'the refused reply is not posted; the rest are');
  const failed = await failures('CAPPED');
  assert.equal(failed.length, 1);
  assert.match(String(failed[0].data?.error), /rate-limit/i);
  assert.equal((await session('CAPPED'))?.state, 'intake', 'the turn itself is saved');
});

test('a 503 on a card update (a click): retried, and the card is updated once', async () => {
  const s = (await session('CLEAN'))!;
  const ts = s.cardActivityId!;
  const card = h.api.messages.get(`${dm('CLEAN').channel}/${ts}`)!;
  const el = (card.blocks ?? [])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements as { action_id: string; value?: string }[])
    .find((b) => JSON.parse(b.value ?? '{}').verb === 'intake.os');
  assert.ok(el, 'the intake card has an OS button');
  h.api.failNext('chat.update', { status: 503 });
  const click = blockAction({ channel: dm('CLEAN').channel, ts }, el, { user: dm('CLEAN').user });
  assert.equal((await postSigned(h.endpoint, click)).status, 200);
  await h.channel.idle();
  const tries = h.api.calls.filter((c) => c.method === 'chat.update' && c.params.ts === ts);
  assert.deepEqual(
    tries.map((c) => c.status),
    [503, 200],
  );
  assert.equal(card.updates, 1, 'replaced once');
  assert.equal(waited.length, 1);
  assert.deepEqual(await failures('CLEAN'), []);
  waited.length = 0;
});

test('a reply that hangs is cut at its deadline, recorded, and blocks no one else', {
  timeout: 30_000,
}, async () => {
  let cuts = 0;
  const stop = onLimitHit((limit) => {
    if (limit === 'replyTimeoutMs') cuts++;
  });
  try {
    h.api.hangNext('chat.postMessage', dm('HUNG').channel);
    await say('HUNG');
    await h.api.waitForCall((c) => c.params.channel === dm('HUNG').channel && c.status === 0);
    await say('ASIDE');
    await until(() => landed('ASIDE') === expected, 10_000, 'another conversation answered');
    assert.equal(landed('HUNG'), 0);
    // The deadline passes: every try still open is cut (the others have finished).
    for (const d of deadlines.splice(0)) d.abort();
    await h.channel.idle();
    assert.equal(cuts, 1, 'one try was cut, counted as the reply timeout limit');
    const failed = await failures('HUNG');
    assert.equal(failed.length, 1);
    assert.match(String(failed[0].data?.error), /reply deadline/);
    assert.equal(landed('HUNG'), expected - 1, 'the cut reply is not tried again; the rest go out');
    assert.deepEqual(waited, [], 'a cut try is not retried');
    assert.equal((await session('HUNG'))?.state, 'intake', 'the turn itself is saved');
  } finally {
    stop();
  }
});
