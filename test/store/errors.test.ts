/**
 * Store outages as errors: StoreUnavailableError is recognised through causes, and work that
 * nobody else will retry (a web chat turn already acknowledged) runs again while the store is
 * unreachable, and only then. The waits are a fake that records the backoff.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStoreUnavailable, retryWhileUnavailable, StoreUnavailableError } from '../../bot/store/errors.ts';

const down = () => new StoreUnavailableError('Redis is unreachable');

test('an unavailable store is recognised directly and as a cause; other errors are not', () => {
  assert.equal(isStoreUnavailable(down()), true);
  assert.equal(isStoreUnavailable(new Error('turn failed', { cause: down() })), true);
  assert.equal(isStoreUnavailable(new Error('boom')), false);
  assert.equal(isStoreUnavailable(undefined), false);
});

test('a task is retried with growing waits while the store is down, then its result returns', async () => {
  const waits: number[] = [];
  let calls = 0;
  const result = await retryWhileUnavailable(
    async () => {
      calls++;
      if (calls <= 4) throw down();
      return 'answered';
    },
    { wait: async (ms) => void waits.push(ms) },
  );
  assert.equal(result, 'answered');
  assert.equal(calls, 5);
  assert.deepEqual(waits, [250, 500, 1000, 2000]);
});

test('another error is thrown at once; an outage longer than the budget is thrown at the end', async () => {
  let calls = 0;
  await assert.rejects(
    retryWhileUnavailable(
      async () => {
        calls++;
        throw new Error('a bug, not an outage');
      },
      { wait: async () => undefined },
    ),
    /a bug/,
  );
  assert.equal(calls, 1);
  const waits: number[] = [];
  await assert.rejects(
    retryWhileUnavailable(
      async () => {
        throw down();
      },
      { forMs: 3000, wait: async (ms) => void waits.push(ms) },
    ),
    StoreUnavailableError,
  );
  assert.deepEqual(waits, [250, 500, 1000, 2000], 'stops once 3 s of waiting are spent');
});
