/**
 * Connection-level limits on the bot's HTTP server (issue 16): header size and count, the time a
 * client may take to send its headers and its whole request, and open connections per address.
 * Node enforces the first three itself once told (431, 408); this module sets them and adds the
 * header count and the per-address count, which Node has no answer for.
 *
 * Node checks the header and request timeouts on an interval (30 s by default, so a client
 * trickling headers was cut off only after up to a minute); the interval is set from the
 * timeouts so a small injected timeout is enforced promptly too.
 */
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { Request, Response } from 'restify';
import { LimitError, type Limits } from '../limits.ts';
import { sendLimitError } from './body.ts';

/** Per-address counts, shared by connection and stream limits. */
export interface AddressCounter {
  /** Counts one more for `address`; false (and nothing counted) when it already has `max`. */
  open(address: string, max: number): boolean;
  close(address: string): void;
  count(address: string): number;
}

export function createAddressCounter(): AddressCounter {
  const counts = new Map<string, number>();
  return {
    open(address, max) {
      const n = counts.get(address) ?? 0;
      if (n >= max) return false;
      counts.set(address, n + 1);
      return true;
    },
    close(address) {
      const n = (counts.get(address) ?? 1) - 1;
      if (n <= 0) counts.delete(address);
      else counts.set(address, n);
    },
    count: (address) => counts.get(address) ?? 0,
  };
}

/** What a refused connection or upgrade hears: a 429 the client can retry after. */
export function tooManyResponse(what: string, retryAfterSec = 1): string {
  const body = JSON.stringify({
    error: { code: 'too_many_connections', message: `too many ${what} from this address` },
  });
  return (
    'HTTP/1.1 429 Too Many Requests\r\n' +
    `Retry-After: ${retryAfterSec}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** Sets the limits on the Node server under restify; call before it listens. */
export function guardHttpServer(server: HttpServer, limits: Limits): void {
  server.requestTimeout = limits.requestTimeoutMs;
  // Node refuses a headers timeout longer than the request timeout.
  server.headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  const shortest = Math.min(server.headersTimeout, server.requestTimeout);
  // Read by Node when the server starts listening (not a typed property in @types/node).
  (server as HttpServer & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    5,
    Math.min(1000, Math.floor(shortest / 4)),
  );
  // Read by Node for every new connection's parser.
  (server as HttpServer & { maxHeaderSize: number }).maxHeaderSize = limits.headerBytes;
  // One more than allowed, so a request over the count can be told from one at it.
  server.maxHeadersCount = limits.headerCount + 1;

  const perAddress = createAddressCounter();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    if (!perAddress.open(address, limits.connectionsPerAddress)) {
      socket.end(tooManyResponse('connections'));
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    socket.once('close', () => perAddress.close(address));
  });
}

/** A restify pre-handler: a request with more header fields than allowed is answered 431. */
export function headerCountGuard(limits: Limits) {
  return (req: Request, res: Response, next: (err?: false) => void): void => {
    if (req.rawHeaders.length / 2 > limits.headerCount) {
      sendLimitError(
        req as never,
        res,
        new LimitError(431, 'too_many_headers', `more than ${limits.headerCount} header fields`),
      );
      next(false);
      return;
    }
    next();
  };
}
