/**
 * One question to one resolver, the way a stub resolver asks it: over UDP, retransmitted
 * within the deadline (a lost datagram is normal, a resolver that never answers is the
 * finding), and again over TCP when the answer comes back truncated, as glibc and c-ares do.
 * The caller checks the server address with the interlock before calling.
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIP, connect as tcpConnect } from 'node:net';
import { type DnsMessage, decodeMessage, encodeQuery, type QueryType, TYPE } from './wire.ts';

export interface ExchangeOptions {
  signal: AbortSignal;
  /** Epoch ms (by `now`) after which no answer counts. */
  deadline: number;
  now(): number;
}

export interface Exchanged {
  message: DnsMessage;
  transport: 'udp' | 'tcp';
}

/** Why no usable answer came. `code` follows c-ares: ETIMEOUT, ECONNREFUSED, EBADRESP… */
export class ExchangeError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** UDP sends per question: the first and up to two retransmits, spread over the deadline. */
const UDP_SENDS = 3;
const RETRANSMIT_MIN_MS = 100;
const RETRANSMIT_MAX_MS = 2000;

/** Asks `server` for `name`/`type`. Resolves with the first matching answer; rejects with ExchangeError. */
export async function exchange(
  server: { host: string; port: number },
  question: { name: string; type: QueryType },
  options: ExchangeOptions,
): Promise<Exchanged> {
  const id = randomInt(0, 0x10000);
  const ask: Ask = {
    server,
    where: `${question.type} ${question.name} via ${formatServer(server)}`,
    query: encodeQuery({ id, name: question.name, type: question.type }),
    matches: (m) =>
      m.id === id &&
      m.flags.qr &&
      m.questions.length === 1 &&
      m.questions[0].type === TYPE[question.type] &&
      sameName(m.questions[0].name, question.name),
  };
  const udp = await withDeadline<DnsMessage>(options, ask.where, (done) => udpAsk(ask, options, done));
  if (!udp.flags.tc) return { message: udp, transport: 'udp' };
  const overTcp = { ...ask, where: `${ask.where} over TCP (the UDP answer was truncated)` };
  const tcp = await withDeadline<DnsMessage>(options, overTcp.where, (done) => tcpAsk(overTcp, done));
  return { message: tcp, transport: 'tcp' };
}

/** One question in flight: where it goes, its bytes, and which answers belong to it. */
interface Ask {
  server: { host: string; port: number };
  /** `A name via ip:port`, the start of every message about this question. */
  where: string;
  query: Buffer;
  /** Same id, a response, the same question: anything else is someone else's packet. */
  matches(message: DnsMessage): boolean;
}

type Done<T> = (error: Error | null, value?: T) => void;

/** Runs `start` until it calls done, the signal aborts, or the deadline passes; then cleans up. */
function withDeadline<T>(
  options: ExchangeOptions,
  where: string,
  start: (done: Done<T>) => { cleanup(): void; lastError(): Error | null },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let running: { cleanup(): void; lastError(): Error | null } | undefined;
    const done: Done<T> = (error, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onTimeout);
      running?.cleanup();
      if (error) reject(error);
      else resolve(value as T);
    };
    // A malformed answer followed by silence is reported as the malformed answer: it says more.
    const onTimeout = () =>
      done(running?.lastError() ?? new ExchangeError('ETIMEOUT', `${where}: no answer before the deadline`));
    const remaining = options.deadline - options.now();
    const timer = Number.isFinite(remaining) ? setTimeout(onTimeout, Math.max(0, remaining)) : undefined;
    if (options.signal.aborted || remaining <= 0) return onTimeout();
    options.signal.addEventListener('abort', onTimeout, { once: true });
    running = start(done);
    if (settled) running.cleanup();
  });
}

function udpAsk(ask: Ask, options: ExchangeOptions, done: Done<DnsMessage>) {
  const socket = createSocket(isIP(ask.server.host) === 6 ? 'udp6' : 'udp4');
  let bad: Error | null = null;
  let sends = 0;
  let timer: NodeJS.Timeout | undefined;
  const interval = Math.min(
    RETRANSMIT_MAX_MS,
    Math.max(RETRANSMIT_MIN_MS, (options.deadline - options.now()) / UDP_SENDS),
  );
  let closed = false;
  const send = () => {
    if (closed) return; // connect completed after an abort
    sends++;
    socket.send(ask.query, (err) => {
      if (err) done(transportError(err, ask));
    });
    if (sends < UDP_SENDS) timer = setTimeout(send, interval);
  };
  socket.on('message', (packet) => {
    bad = accept(packet, ask, done) ?? bad;
  });
  // A connected UDP socket hears ICMP port-unreachable as ECONNREFUSED: nothing listens there.
  socket.on('error', (err) => done(transportError(err, ask)));
  socket.connect(ask.server.port, ask.server.host, send);
  return {
    cleanup() {
      closed = true;
      clearTimeout(timer);
      try {
        socket.close();
      } catch {
        // already closed after an error: nothing left to release
      }
    },
    lastError: () => bad,
  };
}

/** RFC 1035 4.2.2: over TCP each message is preceded by its two-byte length. */
function tcpAsk(ask: Ask, done: Done<DnsMessage>) {
  const socket = tcpConnect({ host: ask.server.host, port: ask.server.port });
  let bad: Error | null = null;
  let received = Buffer.alloc(0);
  socket.on('connect', () => {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(ask.query.length);
    socket.write(Buffer.concat([length, ask.query]));
  });
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    while (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
      const packet = received.subarray(2, 2 + received.readUInt16BE(0));
      received = received.subarray(2 + packet.length);
      bad = accept(packet, ask, done) ?? bad;
    }
  });
  socket.on('error', (err) => done(transportError(err, ask)));
  socket.on('end', () =>
    done(
      bad ??
        new ExchangeError('ECONNRESET', `${ask.where}: the server closed the connection without an answer`),
    ),
  );
  return { cleanup: () => socket.destroy(), lastError: () => bad };
}

/** Hands a matching answer to done; returns the decode error of a malformed one. */
function accept(packet: Buffer, ask: Ask, done: Done<DnsMessage>): ExchangeError | null {
  try {
    const message = decodeMessage(packet);
    if (ask.matches(message)) done(null, message);
    return null;
  } catch (err) {
    return new ExchangeError('EBADRESP', `${ask.where}: malformed answer: ${(err as Error).message}`);
  }
}

function transportError(err: NodeJS.ErrnoException, ask: Ask): ExchangeError {
  const code = err.code ?? 'EDNS';
  const why =
    code === 'ECONNREFUSED'
      ? ' (port unreachable: no DNS server listens there)'
      : code === 'EPERM' || code === 'EACCES'
        ? ' (a firewall on this computer refused to send the packet)'
        : '';
  return new ExchangeError(code, `${ask.where}: ${err.message}${why}`);
}

/** `ip:port`, IPv6 bracketed. */
export function formatServer(server: { host: string; port: number }): string {
  return isIP(server.host) === 6 ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

/** DNS names compare case-insensitively and without the root dot. */
export function sameName(a: string, b: string): boolean {
  return a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
}
