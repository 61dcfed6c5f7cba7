/**
 * Issue 16: the support outbox's size (LIMIT_OUTBOX_MESSAGES). While Slack or Teams takes nothing
 * (the worker is stopped here, so nothing leaves), messages queue up to the limit; the one past it
 * is refused with OutboxFullError and counted as a limit hit, a message already queued under the
 * same key is still accepted (kept as is), and once the queue drains below the limit new
 * messages are taken again. Nothing queued is ever dropped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onLimitHit } from '../../bot/limit-hits.ts';
import { LIMIT_SPECS } from '../../bot/limits.ts';
import { silentLogger } from '../../bot/log.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { createOutbox, OutboxFullError } from '../../bot/support/outbox.ts';
import { fakeTimers } from '../agents/fakes.ts';

test('at the outbox limit a new message is refused and counted; a known key and a drained queue are fine', async () => {
  const timers = fakeTimers();
  const store = createMemoryStore({ now: timers.now });
  const outbox = createOutbox({
    store: store.outbox,
    deliverers: { post: async () => ({}) },
    timers,
    log: silentLogger,
    maxMessages: 10,
  });
  const hits: string[] = [];
  const stop = onLimitHit((limit) => hits.push(limit));
  try {
    const message = (n: number) => ({ key: `m${n}`, topic: 'post', payload: { n } });
    for (let n = 1; n <= 10; n++) assert.equal(await outbox.add(message(n)), true, `message ${n} fits`);
    await assert.rejects(outbox.add(message(11)), OutboxFullError);
    assert.deepEqual(hits, ['outboxMessages']);
    assert.equal(await outbox.add(message(3)), false, 'a key already queued is kept, not refused');
    assert.equal((await store.outbox.list('pending')).length, 10, 'nothing queued was dropped');

    await store.outbox.settle('m1', { status: 'delivered' });
    assert.equal(await outbox.add(message(11)), true, 'below the limit again: taken');
    assert.deepEqual(hits, ['outboxMessages']);
  } finally {
    stop();
  }
});

test('the outbox limit has a setting, a default and a minimum like every limit', () => {
  assert.deepEqual(LIMIT_SPECS.outboxMessages, {
    setting: 'LIMIT_OUTBOX_MESSAGES',
    default: 10_000,
    min: 10,
  });
});
