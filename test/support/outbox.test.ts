/**
 * The outbox worker against a scripted deliverer, on fake timers: Retry-After is waited out to
 * the millisecond, 412/502/504 back off with jitter inside the policy's bounds, a few tries
 * park the message, a restart resumes it, a permanent refusal is given up at once, a thread's
 * messages go in order, and a deliverer is told when an earlier attempt may have landed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../bot/log.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import type { ClaimedOutboxMessage, Store } from '../../bot/store/types.ts';
import { createOutbox, type Deliverer, mayHaveArrived } from '../../bot/support/outbox.ts';
import {
  DEFAULT_RETRY,
  type DeliveryError,
  decide,
  httpFailure,
  parseRetryAfter,
} from '../../bot/support/retry.ts';
import { type FakeTimers, fakeTimers } from '../agents/fakes.ts';

/** A deliverer that answers from a script (a DeliveryError or 'ok' per call) and records each call. */
function scripted(script: (DeliveryError | 'ok')[]) {
  const calls: { key: string; at: number; mayHaveArrived: boolean }[] = [];
  let timers: FakeTimers;
  const deliver: Deliverer = async (m: ClaimedOutboxMessage) => {
    calls.push({ key: m.key, at: timers.now(), mayHaveArrived: mayHaveArrived(m) });
    const next = script.shift() ?? 'ok';
    if (next !== 'ok') throw next;
    return { id: `posted-${calls.length}` };
  };
  return { calls, deliver, bind: (t: FakeTimers) => (timers = t) };
}

function setup(script: (DeliveryError | 'ok')[], store?: Store, timers = fakeTimers()) {
  const s = store ?? createMemoryStore({ now: timers.now });
  const d = scripted(script);
  d.bind(timers);
  const outbox = createOutbox({
    store: s.outbox,
    deliverers: { post: d.deliver },
    timers,
    log: silentLogger,
    random: () => 0.5,
  });
  return { store: s, timers, outbox, ...d };
}

const rateLimited = (seconds: number) => httpFailure('post', 429, String(seconds), 0);
const http = (status: number) => httpFailure('post', status, null, 0);

test('429 Retry-After is waited out exactly, then 502 backs off, then the message is delivered once', async () => {
  const { store, timers, outbox, calls } = setup([rateLimited(7), http(502), 'ok']);
  await outbox.start();
  await outbox.add({ key: 'm1', topic: 'post', payload: {} });
  await outbox.idle();
  assert.equal(calls.length, 1);
  await timers.advance(6999);
  await outbox.idle();
  assert.equal(calls.length, 1, 'not a millisecond before Retry-After');
  await timers.advance(1);
  await outbox.idle();
  assert.equal(calls.length, 2);
  assert.equal(calls[1].at - calls[0].at, 7000);
  assert.equal(calls[1].mayHaveArrived, false, 'a 429 was refused before anything happened');
  // 502 after try 2: backoff 2 s, half fixed, half jittered (random 0.5 → 1.5 s).
  await timers.advance(1499);
  await outbox.idle();
  assert.equal(calls.length, 2);
  await timers.advance(1);
  await outbox.idle();
  assert.equal(calls.length, 3);
  assert.equal(calls[2].mayHaveArrived, true, 'after a 502 the deliverer must look before posting again');
  const m = await store.outbox.get('m1');
  assert.deepEqual([m?.status, m?.attempts, m?.result], ['delivered', 3, { id: 'posted-3' }]);
  await timers.advance(60_000);
  await outbox.idle();
  assert.equal(calls.length, 3, 'a delivered message is never sent again');
  await outbox.add({ key: 'm1', topic: 'post', payload: {} });
  await outbox.idle();
  assert.equal(calls.length, 3, 'adding a delivered key again sends nothing');
  await outbox.stop();
});

test('412, 502 and 504 back off with jitter inside the policy, growing per try', () => {
  const policy = { ...DEFAULT_RETRY, maxTries: 10 };
  for (const status of [412, 502, 504, 0]) {
    for (let tries = 1; tries <= 6; tries++) {
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (tries - 1));
      const low = decide(http(status), tries, policy, () => 0);
      const high = decide(http(status), tries, policy, () => 0.999999);
      assert.deepEqual(low, { retry: true, delayMs: backoff / 2 }, `${status} try ${tries}`);
      assert.ok(
        high.retry && high.delayMs <= backoff && high.delayMs > backoff * 0.99,
        `${status} try ${tries}`,
      );
    }
  }
  assert.deepEqual(decide(http(404), 1, policy, Math.random), { retry: false, park: false });
  assert.deepEqual(decide(http(403), 1, policy, Math.random), { retry: false, park: false });
  assert.deepEqual(decide(rateLimited(30), 1, policy, Math.random), { retry: true, delayMs: 30_000 });
  assert.deepEqual(decide(rateLimited(3600), 1, policy, Math.random), { retry: false, park: true });
  assert.equal(parseRetryAfter('Fri, 27 Nov 2026 10:00:30 GMT', Date.parse('2026-11-27T10:00:00Z')), 30_000);
  assert.equal(parseRetryAfter('soon', 0), undefined);
});

test('after a few tries the message is parked in the store, and the next start delivers it once', async () => {
  const timers = fakeTimers();
  const store = createMemoryStore({ now: timers.now });
  const first = setup([http(504), http(504), http(504), http(504)], store, timers);
  await first.outbox.start();
  await first.outbox.add({ key: 'm1', topic: 'post', payload: { text: 'hello' } });
  await timers.settle(first.outbox.idle(), 1000);
  for (let i = 0; i < 5; i++) {
    await timers.advance(60_000);
    await first.outbox.idle();
  }
  assert.equal(first.calls.length, DEFAULT_RETRY.maxTries);
  assert.equal((await store.outbox.get('m1'))?.status, 'parked');
  await timers.advance(3_600_000);
  await first.outbox.idle();
  assert.equal(first.calls.length, DEFAULT_RETRY.maxTries, 'a parked message waits for the next start');
  await first.outbox.stop();

  // A restart: a new worker over the same store.
  const second = setup(['ok'], store, timers);
  await second.outbox.start();
  await second.outbox.idle();
  assert.equal(second.calls.length, 1);
  const m = await store.outbox.get('m1');
  assert.deepEqual([m?.status, m?.attempts], ['delivered', DEFAULT_RETRY.maxTries + 1]);
  await second.outbox.stop();
});

test('a permanent refusal is given up at once and reported; other messages go on', async () => {
  const timers = fakeTimers();
  const store = createMemoryStore({ now: timers.now });
  const givenUp: string[] = [];
  const d = scripted([http(404), 'ok']);
  d.bind(timers);
  const outbox = createOutbox({
    store: store.outbox,
    deliverers: { post: d.deliver },
    timers,
    log: silentLogger,
    onGiveUp: async (m, outcome) => void givenUp.push(`${m.key}:${outcome}`),
  });
  await outbox.start();
  await outbox.add({ key: 'bad', topic: 'post', payload: {} });
  await outbox.add({ key: 'good', topic: 'post', payload: {} });
  await outbox.add({ key: 'lost', topic: 'no-such-topic', payload: {} });
  await outbox.idle();
  assert.deepEqual(givenUp, ['bad:dead']);
  assert.equal((await store.outbox.get('bad'))?.status, 'dead');
  assert.equal((await store.outbox.get('good'))?.status, 'delivered');
  assert.match(
    String((await store.outbox.get('lost'))?.lastError?.message),
    /no deliverer for outbox topic "no-such-topic"/,
  );
  await outbox.stop();
});

test("a thread's messages arrive in order: a reply waits for its root, even across a retry", async () => {
  const { timers, outbox, calls } = setup([http(502), 'ok', 'ok', 'ok']);
  await outbox.start();
  await outbox.add({ key: 'root', topic: 'post', payload: {} });
  await outbox.add({ key: 'reply-1', topic: 'post', payload: {}, after: 'root' });
  await outbox.add({ key: 'reply-2', topic: 'post', payload: {}, after: 'reply-1' });
  await outbox.idle();
  assert.deepEqual(
    calls.map((c) => c.key),
    ['root'],
  );
  await timers.advance(1000);
  await outbox.idle();
  assert.deepEqual(
    calls.map((c) => c.key),
    ['root', 'root', 'reply-1', 'reply-2'],
  );
  await outbox.stop();
});

test('a worker that died mid-send leaves a lease; the next one is told the message may have arrived', async () => {
  const timers = fakeTimers();
  const store = createMemoryStore({ now: timers.now });
  await store.outbox.add({ key: 'm1', topic: 'post', payload: {} });
  await store.outbox.claim({ limit: 1, leaseMs: 120_000 });
  const { outbox, calls } = setup(['ok'], store, timers);
  await outbox.start();
  await outbox.idle();
  assert.equal(calls.length, 0, 'leased by the dead worker');
  await timers.advance(120_000);
  await outbox.idle();
  assert.deepEqual(
    calls.map((c) => [c.key, c.mayHaveArrived]),
    [['m1', true]],
  );
  await outbox.stop();
});

test('errors from other ports are classified by their status', async () => {
  const { asDeliveryError } = await import('../../bot/support/retry.ts');
  assert.equal(asDeliveryError(Object.assign(new Error('x'), { statusCode: 412 })).permanent, false);
  assert.equal(asDeliveryError(Object.assign(new Error('x'), { statusCode: 400 })).permanent, true);
  const limited = asDeliveryError(Object.assign(new Error('x'), { statusCode: 429, retryAfter: 3 }));
  assert.equal(limited.retryAfterMs, 3000);
  const network = asDeliveryError(new Error('ECONNRESET'));
  assert.deepEqual([network.status, network.ambiguous, network.permanent], [0, true, false]);
});
