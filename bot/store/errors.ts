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
