/**
 * Reads an HTTP/1.x response head (and a bounded piece of its body) straight off a socket.
 * Used where a full HTTP client would hide what we need to see: a proxy's answer to CONNECT,
 * and a refused WebSocket upgrade (undici reports a non-101 answer only as "bad upgrade").
 */
import type { Duplex } from 'node:stream';

export interface ResponseHead {
  status: number;
  statusText: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
}

/** Why no head could be read: `code` is the platform's (ECONNRESET…) or ours (EBADRESPONSE). */
export class HeadError extends Error {
  readonly code: string;
  readonly aborted: boolean;
  constructor(code: string, message: string, aborted = false) {
    super(message);
    this.code = code;
    this.aborted = aborted;
  }
}

const MAX_HEAD = 64 * 1024;
const MAX_BODY = 64 * 1024;

/** Parses the text before the blank line. Throws HeadError when it is not an HTTP status line. */
export function parseHead(text: string): ResponseHead {
  const lines = text.split('\r\n');
  const match = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!match)
    throw new HeadError('EBADRESPONSE', `not an HTTP status line: ${JSON.stringify(lines[0]?.slice(0, 80))}`);
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
 * it; rejects with HeadError on close, error or abort. Leaves the socket paused and open.
 */
export function readHead(socket: Duplex, signal: AbortSignal): Promise<{ head: ResponseHead; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const done = (err: HeadError | null, value?: { head: ResponseHead; rest: Buffer }) => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbort);
      socket.pause();
      if (err) reject(err);
      else resolve(value!);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) {
        if (buffered.length > MAX_HEAD)
          done(new HeadError('EBADRESPONSE', `response head over ${MAX_HEAD} bytes`));
        return;
      }
      try {
        const head = parseHead(buffered.subarray(0, end).toString('latin1'));
        done(null, { head, rest: buffered.subarray(end + 4) });
      } catch (err) {
        done(err as HeadError);
      }
    };
    const onEnd = () =>
      done(
        new HeadError(
          'ECONNRESET',
          buffered.length
            ? 'connection closed inside the response head'
            : 'connection closed without a response',
        ),
      );
    const onError = (err: NodeJS.ErrnoException) =>
      done(new HeadError(err.code ?? 'ESOCKET', `reading the response: ${err.message}`));
    const onAbort = () => done(new HeadError('ETIMEDOUT', 'no response before the deadline', true));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onError);
    socket.resume();
  });
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
      socket.off('data', onData);
      socket.off('end', done);
      socket.off('close', done);
      socket.off('error', done);
      signal.removeEventListener('abort', done);
      socket.pause();
      resolve(text(body, chunked, limit));
    };
    const onData = (chunk: Buffer) => {
      body = Buffer.concat([body, chunk]);
      if (complete()) done();
    };
    signal.addEventListener('abort', done, { once: true });
    socket.on('data', onData);
    socket.once('end', done);
    socket.once('close', done);
    socket.once('error', done);
    socket.resume();
  });
}

function text(body: Buffer, chunked: boolean, limit: number): string {
  const raw = body.subarray(0, limit).toString('utf8');
  // Chunk-size lines carry no words a block page would be recognised by; drop them.
  return chunked ? raw.replace(/(^|\r\n)[0-9a-fA-F]+(;[^\r\n]*)?\r\n/g, '$1') : raw;
}
