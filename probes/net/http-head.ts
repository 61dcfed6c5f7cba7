/**
 * Reads an HTTP/1.x response head (and a bounded piece of its body) straight off a socket.
 * Used where a full HTTP client would hide what we need to see: a proxy's answer to CONNECT,
 * and a refused WebSocket upgrade (undici reports a non-101 answer only as "bad upgrade").
 */
import type { Duplex } from 'node:stream';
import { SocketError } from './socket-error.ts';

export interface ResponseHead {
  status: number;
  statusText: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
}

const MAX_HEAD = 64 * 1024;
const MAX_BODY = 64 * 1024;

/** Parses the text before the blank line. Throws SocketError when it is not an HTTP status line. */
export function parseHead(text: string): ResponseHead {
  const lines = text.split('\r\n');
  const match = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!match)
    throw new SocketError(
      'EBADRESPONSE',
      `not an HTTP status line: ${JSON.stringify(lines[0]?.slice(0, 80))}`,
    );
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(match[1]), statusText: match[2] ?? '', headers };
}

/**
 * Waits for a response head on `socket`. Resolves with the head and any bytes that came after
 * it; rejects with SocketError on close, error or abort. Leaves the socket paused and open.
 */
export function readHead(socket: Duplex, signal: AbortSignal): Promise<{ head: ResponseHead; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const done = (err: SocketError | null, value?: { head: ResponseHead; rest: Buffer }) => {
      stop();
      if (err) reject(err);
      else resolve(value!);
    };
    if (signal.aborted) {
      socket.pause();
      reject(deadlineError());
      return;
    }
    const stop = listen(socket, signal, {
      data(chunk) {
        buffered = Buffer.concat([buffered, chunk]);
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) {
          if (buffered.length > MAX_HEAD)
            done(new SocketError('EBADRESPONSE', `response head over ${MAX_HEAD} bytes`));
          return;
        }
        try {
          const head = parseHead(buffered.subarray(0, end).toString('latin1'));
          done(null, { head, rest: buffered.subarray(end + 4) });
        } catch (err) {
          done(err as SocketError);
        }
      },
      end: () =>
        done(
          new SocketError(
            'ECONNRESET',
            buffered.length
              ? 'connection closed inside the response head'
              : 'connection closed without a response',
          ),
        ),
      error: (err) => done(new SocketError(err.code ?? 'ESOCKET', `reading the response: ${err.message}`)),
      abort: () => done(deadlineError()),
    });
  });
}

function deadlineError(): SocketError {
  return new SocketError('ETIMEDOUT', 'no response before the deadline', true);
}

/**
 * Best effort: up to 64 KB of the body that follows `head` (to recognise a block page).
 * Stops at Content-Length, the end of a chunked body, close, error or abort; never rejects.
 */
export function readBodyPrefix(
  socket: Duplex,
  head: ResponseHead,
  rest: Buffer,
  signal: AbortSignal,
): Promise<string> {
  const length = head.headers['content-length'] ? Number(head.headers['content-length']) : null;
  const chunked = /chunked/i.test(head.headers['transfer-encoding'] ?? '');
  const limit = Math.min(length ?? MAX_BODY, MAX_BODY);
  let body = rest;
  const complete = () =>
    body.length >= limit ||
    (chunked && body.includes('\r\n0\r\n\r\n')) ||
    (chunked && body.indexOf('0\r\n\r\n') === 0);
  if (complete() || signal.aborted || socket.destroyed) return Promise.resolve(text(body, chunked, limit));
  return new Promise((resolve) => {
    const done = () => {
      stop();
      resolve(text(body, chunked, limit));
    };
    const stop = listen(socket, signal, {
      data(chunk) {
        body = Buffer.concat([body, chunk]);
        if (complete()) done();
      },
      end: done,
      error: done,
      abort: done,
    });
  });
}

interface Listeners {
  data(chunk: Buffer): void;
  /** The peer ended or the socket closed. */
  end(): void;
  error(err: NodeJS.ErrnoException): void;
  abort(): void;
}

/**
 * Starts the socket flowing into `on` until the returned stop, which removes every listener
 * and pauses the socket again, leaving it open for whoever reads next (the tunnel, the TLS
 * layer). Stopping twice is harmless; no listener fires before listen returns.
 */
function listen(socket: Duplex, signal: AbortSignal, on: Listeners): () => void {
  socket.on('data', on.data);
  socket.once('end', on.end);
  socket.once('close', on.end);
  socket.once('error', on.error);
  signal.addEventListener('abort', on.abort, { once: true });
  socket.resume();
  return () => {
    socket.off('data', on.data);
    socket.off('end', on.end);
    socket.off('close', on.end);
    socket.off('error', on.error);
    signal.removeEventListener('abort', on.abort);
    socket.pause();
  };
}

function text(body: Buffer, chunked: boolean, limit: number): string {
  const raw = body.subarray(0, limit).toString('utf8');
  // Chunk-size lines carry no words a block page would be recognised by; drop them.
  return chunked ? raw.replace(/(^|\r\n)[0-9a-fA-F]+(;[^\r\n]*)?\r\n/g, '$1') : raw;
}
