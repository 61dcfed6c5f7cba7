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
import { type Server as HttpServer, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Request, Response } from 'restify';
import { limitHit } from '../limit-hits.ts';
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

/** Header lines in the packet a parser error came with (Node's `rawPacket`), the request line left out. */
function fieldsIn(error: Error): number {
  const packet = (error as { rawPacket?: unknown }).rawPacket;
  if (!Buffer.isBuffer(packet)) return 0;
  const head = packet.toString('latin1').split('\r\n\r\n')[0];
  return head.split('\r\n').length - 1;
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

  // Node answers an oversized header block (431) and a timed-out request (408) itself only while
  // nobody listens for clientError; listening, this answers them the same way and counts them.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex & { bytesWritten?: number }) => {
    const status =
      error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    // Node says HPE_HEADER_OVERFLOW for too many header fields as for too many bytes; the packet tells.
    if (status === 431) limitHit(fieldsIn(error) > limits.headerCount ? 'headerCount' : 'headerBytes');
    // Node reports the headers timeout and the request timeout alike.
    if (status === 408) limitHit('requestTimeoutMs');
    if (socket.writable && (socket.bytesWritten ?? 0) === 0)
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
    socket.destroy(error);
  });

  const perAddress = createAddressCounter();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    if (!perAddress.open(address, limits.connectionsPerAddress)) {
      limitHit('connectionsPerAddress');
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
      limitHit('headerCount');
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
