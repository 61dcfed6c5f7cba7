/**
 * The one place store outages meet HTTP: while the store cannot be reached (Redis restarting),
 * every request but /healthz answers 503 with Retry-After before any route runs, and a request
 * that was already running when the store went away has its 5xx answer turned into the same
 * 503. Channels (Bot Connector, Slack) and the web chat retry a 503; a 500 would read as a bug
 * and a turn given up. /healthz stays 200: the process is alive, only not ready (/readyz).
 */
import type { Request, Response } from 'restify';
import type { Store, VersionedDoc } from '../store/types.ts';

/** Seconds clients should wait; Redis restarts in well under that. */
export const RETRY_AFTER_S = 2;

const BODY = JSON.stringify({
  error: {
    code: 'ServiceUnavailable',
    message: 'the bot cannot reach its state store right now; retry shortly',
  },
});

/** A restify `pre` handler for `store`; a no-op for stores that are never unavailable. */
export function storeUnavailableGate(store: Pick<Store<VersionedDoc>, 'available'>) {
  const down = () => store.available?.() === false;
  return (req: Request, res: Response, next: (err?: false) => void): void => {
    if (store.available === undefined) {
      next();
      return;
    }
    if (down() && req.path() !== '/healthz') {
      res.writeHead(503, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(BODY),
        'Retry-After': String(RETRY_AFTER_S),
      });
      res.end(BODY);
      next(false);
      return;
    }
    const writeHead = res.writeHead;
    res.writeHead = function (this: Response, status: number, ...rest: unknown[]) {
      if (status >= 500 && down()) {
        this.setHeader('Retry-After', String(RETRY_AFTER_S));
        if (typeof rest[0] === 'string') rest[0] = 'Service Unavailable';
        return (writeHead as (...a: unknown[]) => Response).call(this, 503, ...rest);
      }
      return (writeHead as (...a: unknown[]) => Response).call(this, status, ...rest);
    } as Response['writeHead'];
    next();
  };
}

/**
 * WebSocket upgrades (web chat streams, agents) bypass the restify chain: while the store is
 * unreachable they get the same 503 with Retry-After on the raw socket. True when it refused.
 */
export function refuseUpgradeWhileDown(
  store: Pick<Store<VersionedDoc>, 'available'>,
  socket: { end(text: string): void },
): boolean {
  if (store.available?.() !== false) return false;
  socket.end(
    `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: ${RETRY_AFTER_S}\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\nConnection: close\r\n\r\n${BODY}`,
  );
  return true;
}
