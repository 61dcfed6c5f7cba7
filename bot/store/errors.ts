/**
 * The one store error the HTTP layer treats specially: the store cannot be reached right now
 * (Redis restarting, a network blip). Requests that hit it answer 503 with Retry-After, never
 * 500, so channels and browsers retry instead of giving up (bot/cluster/unavailable.ts).
 */
export class StoreUnavailableError extends Error {
  readonly code = 'store_unavailable';
  override name = 'StoreUnavailableError';
}

/** True for StoreUnavailableError, also when wrapped as another error's cause. */
export function isStoreUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++)
    if (e instanceof StoreUnavailableError) return true;
  return false;
}

/**
 * Runs `task`, and again while it fails because the store is unreachable (backoff from 250 ms
 * to 2 s, for up to `forMs`, default a minute). For work no client will retry for us: a web chat
 * message was stored and acknowledged before the store went away, so its turn must still run
 * once the store is back (the turn is idempotent by the activity's id). Other errors pass at once.
 */
export async function retryWhileUnavailable<T>(
  task: () => Promise<T>,
  options: { forMs?: number; wait?: (ms: number) => Promise<void> } = {},
): Promise<T> {
  const wait = options.wait ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const budget = options.forMs ?? 60_000;
  let waited = 0;
  for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await task();
    } catch (error) {
      if (!isStoreUnavailable(error) || waited >= budget) throw error;
      await wait(delay);
      waited += delay;
    }
  }
}
