/**
 * The Redis connection behind the Redis store and the cluster bus (ioredis). Why ioredis: one
 * client object gives Lua scripts as methods (defineCommand: EVALSHA with an EVAL fallback, so a
 * restarted Redis that lost its script cache still runs them), automatic pipelining of the
 * commands issued in one event-loop turn (the turn commits of concurrent chats share a round
 * trip), reconnects with a retry strategy, and TypeScript types in the package itself.
 *
 * The offline queue is off: while Redis is unreachable every command fails at once with
 * StoreUnavailableError instead of piling up in memory, so the HTTP layer answers 503 with
 * Retry-After (bot/cluster/unavailable.ts) and the client retries, rather than a request
 * hanging and then timing out as a 500.
 */
import { Redis } from 'ioredis';
import { StoreUnavailableError } from './errors.ts';

export interface RedisConnectOptions {
  /** The REDIS_URL (redis:// or rediss://). */
  url: string;
  /** Shown in CLIENT LIST: which replica and which role (store, bus). */
  name?: string;
  /** How long the first connection may take before the start fails; default 5 s. */
  startTimeoutMs?: number;
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** True when `error` means Redis could not be reached (as opposed to a script or reply error). */
export function isConnectionError(error: unknown, client: Redis): boolean {
  if (client.status !== 'ready') return true;
  const e = error as { name?: string; code?: string; message?: string } | undefined;
  return (
    e?.name === 'MaxRetriesPerRequestError' ||
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(e?.code ?? '') ||
    /Connection is closed|Stream isn't writeable|enableOfflineQueue/.test(e?.message ?? '')
  );
}

/** Runs a store operation, turning a lost connection into StoreUnavailableError. */
export async function guarded<T>(client: Redis, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (error) {
    if (error instanceof StoreUnavailableError || !isConnectionError(error, client)) throw error;
    throw new StoreUnavailableError('Redis is unreachable', { cause: error });
  }
}

/**
 * Connects and waits until Redis answers. Afterwards ioredis reconnects by itself (100 ms,
 * growing to 2 s between tries) for as long as the process runs. Throws StoreUnavailableError
 * naming REDIS_URL, the address and the last error when the first connection does not succeed
 * within startTimeoutMs.
 */
export async function connectRedis(options: RedisConnectOptions): Promise<Redis> {
  const timeoutMs = options.startTimeoutMs ?? 5000;
  const client = new Redis(options.url, {
    lazyConnect: true,
    connectionName: options.name,
    enableOfflineQueue: false,
    // A command in flight when the connection drops fails after the first reconnect attempt
    // rather than waiting for Redis to come back.
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
    connectTimeout: Math.min(timeoutMs, 2000),
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
  let lastError: Error | undefined;
  let attempts = 0;
  const onError = (error: Error) => {
    attempts++;
    lastError = error;
  };
  client.on('error', onError);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
      client.connect().catch(() => undefined);
    });
  } catch {
    client.disconnect();
    const why = lastError ? `${lastError.message}` : 'no answer';
    throw new StoreUnavailableError(
      `cannot reach Redis at REDIS_URL=${redactUrl(options.url)}: ${attempts || 1} connection attempt(s) in ${timeoutMs} ms failed (last: ${why}); start Redis there, fix REDIS_URL, or unset it to keep state in SQLite under DATA_DIR`,
      { cause: lastError },
    );
  }
  return client;
}
