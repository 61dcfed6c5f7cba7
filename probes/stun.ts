/**
 * The media check: one STUN Binding exchange over UDP, as Teams does against its relays on
 * 3478-3481 before a call. Silence means UDP is dropped somewhere on the path (calls fall back
 * to TCP/TLS and suffer); sign-in does not depend on it.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { ProbeOptions } from './context.ts';
import { ResolveError, resolveHost } from './dns/resolve.ts';
import { InterlockError } from './interlock.ts';
import { BINDING_ERROR, BINDING_SUCCESS, bindingRequest, parseStun, StunParseError } from './stun/message.ts';
import type { FailureCode, Phase, ProbeResult } from './types.ts';
import { probeId, zeroPhases } from './types.ts';

export interface StunTarget {
  host: string;
  port: number;
}

export interface StunDetail {
  /** The numeric address the request went to. */
  address?: string;
  /** How the server saw us (`ip:port`), from XOR-MAPPED-ADDRESS or MAPPED-ADDRESS. */
  mappedAddress?: string;
  /** From the last transmission before the answer to the answer. */
  rttMs?: number;
  /** Requests sent, retransmissions included. */
  attempts: number;
}

/** First retransmission timeout; it doubles after each send (RFC 5389 section 7.2.1, shortened). */
export const INITIAL_RTO_MS = 250;

/** Sends a Binding Request to `target` and waits for the matching success response. */
export async function probeStun(target: StunTarget, options: ProbeOptions): Promise<ProbeResult<StunDetail>> {
  const started = performance.now();
  const phases = zeroPhases();
  const detail: StunDetail = { attempts: 0 };
  const targetText = `${target.host}:${target.port}`;
  const result = (
    status: ProbeResult['status'],
    failure?: { phase: Phase; code: FailureCode; detail: string; error?: { code: string; message: string } },
  ): ProbeResult<StunDetail> => ({
    id: probeId('stun', targetText),
    kind: 'stun',
    target: targetText,
    status,
    durationMs: performance.now() - started,
    phases,
    detail,
    ...(failure && {
      failure: { phase: failure.phase, code: failure.code, detail: failure.detail },
      error: failure.error ?? { code: failure.code, message: failure.detail },
    }),
  });

  let address: string;
  try {
    const resolved = await resolveHost(target.host, options.ctx, options.signal);
    phases.dns = resolved.ms;
    address = resolved.addresses[0];
    if (!address) throw new ResolveError('ENODATA', `resolving ${target.host}: no addresses`);
    options.ctx.interlock.check(address);
  } catch (err) {
    if (err instanceof InterlockError)
      return result('error', { phase: 'setup', code: 'interlock', detail: err.message });
    const code = err instanceof ResolveError ? err.code : 'EDNS';
    const message = (err as Error).message;
    const failure = code === 'ENOTFOUND' ? 'nxdomain' : code === 'ETIMEOUT' ? 'dns_timeout' : 'dns_error';
    return result('fail', { phase: 'dns', code: failure, detail: message, error: { code, message } });
  }
  detail.address = address;

  const exchange = await bindingExchange(address, target.port, options.signal, detail);
  phases.connect = exchange.ms;
  switch (exchange.outcome) {
    case 'answer':
      return result('pass');
    case 'silence':
      return result('fail', {
        phase: 'connect',
        code: 'no_answer_udp',
        detail: `no STUN answer from ${address}:${target.port} over UDP after ${detail.attempts} requests`,
        error: {
          code: 'ETIMEDOUT',
          message: `no UDP answer from ${address}:${target.port} before the deadline`,
        },
      });
    case 'bad':
      return result('fail', {
        phase: 'response',
        code: 'bad_response',
        detail: `${address}:${target.port} answered, but not with a STUN Binding success: ${exchange.why}`,
      });
    case 'socket':
      // A local firewall may refuse the send (EPERM/EACCES), a route may be missing
      // (ENETUNREACH). To the user each means the same as silence: no STUN answer.
      return result('fail', {
        phase: 'connect',
        code: 'no_answer_udp',
        detail: `sending UDP to ${address}:${target.port} failed with ${exchange.code}: no STUN answer possible`,
        error: { code: exchange.code, message: exchange.why },
      });
  }
}

type Exchange =
  | { outcome: 'answer'; ms: number }
  | { outcome: 'silence'; ms: number }
  | { outcome: 'bad'; ms: number; why: string }
  | { outcome: 'socket'; ms: number; code: string; why: string };

/**
 * Retransmits one request (same transaction id, as RFC 5389 wants) with a doubling timeout until
 * an answer or the abort. Datagrams from other addresses, or STUN messages for another
 * transaction, are ignored; anything else from the target ends the exchange as a bad answer.
 */
function bindingExchange(
  address: string,
  port: number,
  signal: AbortSignal,
  detail: StunDetail,
): Promise<Exchange> {
  const { packet, transactionId } = bindingRequest();
  const started = performance.now();
  let lastSent = started;
  return new Promise((resolve) => {
    const socket: Socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    let timer: NodeJS.Timeout | undefined;
    let rto = INITIAL_RTO_MS;
    const finish = (exchange: Exchange) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('message');
      socket.on('error', () => {});
      socket.close();
      resolve(exchange);
    };
    const elapsed = () => performance.now() - started;
    const onAbort = () => finish({ outcome: 'silence', ms: elapsed() });
    const send = () => {
      detail.attempts += 1;
      lastSent = performance.now();
      socket.send(packet, port, address);
      timer = setTimeout(send, rto);
      rto *= 2;
    };
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'EUDP';
      finish({ outcome: 'socket', ms: elapsed(), code, why: err.message });
    });
    socket.on('message', (msg, rinfo) => {
      if (rinfo.port !== port || stripMapped(rinfo.address) !== stripMapped(address)) return;
      let parsed: ReturnType<typeof parseStun>;
      try {
        parsed = parseStun(msg);
      } catch (err) {
        if (err instanceof StunParseError) finish({ outcome: 'bad', ms: elapsed(), why: err.message });
        else throw err;
        return;
      }
      if (!parsed.transactionId.equals(transactionId)) return;
      if (parsed.type === BINDING_ERROR) {
        finish({ outcome: 'bad', ms: elapsed(), why: `error response ${parsed.error ?? '(no ERROR-CODE)'}` });
      } else if (parsed.type !== BINDING_SUCCESS) {
        finish({ outcome: 'bad', ms: elapsed(), why: `message type 0x${parsed.type.toString(16)}` });
      } else if (!parsed.mapped) {
        finish({ outcome: 'bad', ms: elapsed(), why: 'the success response has no (XOR-)MAPPED-ADDRESS' });
      } else {
        detail.rttMs = performance.now() - lastSent;
        detail.mappedAddress = `${parsed.mapped.address}:${parsed.mapped.port}`;
        finish({ outcome: 'answer', ms: elapsed() });
      }
    });
    if (signal.aborted) {
      finish({ outcome: 'silence', ms: 0 });
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    send();
  });
}

function stripMapped(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
}
