/**
 * How far one connection probe (tcp, tls, https, websocket) got, in the terms the rules
 * speak: classified from its status and its failure's phase and code, never from its id.
 */
import type { ProbeResult } from '../types.ts';

/** How far one connection probe got, in the terms rules speak. */
export type ConnState =
  | 'pass'
  | 'missing'
  | 'error'
  | 'skipped'
  | 'dns'
  | 'proxy_unreachable'
  | 'proxy_auth'
  | 'blocked'
  | 'timeout'
  | 'refused'
  | 'unreachable'
  | 'reset'
  | 'inspected'
  | 'untrusted'
  | 'handshake'
  | 'http_5xx'
  | 'upgrade_refused'
  | 'other';

export interface ConnFacts {
  id: string;
  state: ConnState;
  code: string | null;
  detail: Record<string, unknown>;
}

export function connFacts(p: ProbeResult): ConnFacts {
  const detail = (p.detail ?? {}) as Record<string, unknown>;
  const code = p.failure?.code ?? null;
  const make = (state: ConnState): ConnFacts => ({ id: p.id, state, code, detail });
  if (p.status === 'pass') return make('pass');
  if (p.status === 'skipped') return make('skipped');
  if (p.status === 'error') return make('error');
  if (p.kind === 'tls' && p.status === 'warn' && detail.inspected) return make('inspected');
  if (p.failure?.phase === 'dns') return make('dns');
  switch (code) {
    case 'proxy_unreachable':
      return make('proxy_unreachable');
    case 'proxy_auth_required':
      return make('proxy_auth');
    case 'proxy_refused':
    case 'http_blocked':
      return make('blocked');
    case 'timeout':
      return make(p.failure?.phase === 'connect' ? 'timeout' : 'other');
    case 'refused':
      return make('refused');
    case 'unreachable':
      return make('unreachable');
    case 'reset':
      return make(p.failure?.phase === 'tls' ? 'handshake' : 'reset');
    case 'handshake_reset':
    case 'handshake_timeout':
    case 'tls_error':
      return make('handshake');
    case 'expired':
    case 'not_yet_valid':
    case 'hostname_mismatch':
    case 'unknown_ca':
    case 'untrusted':
      return make('untrusted');
    case 'http_5xx':
      return make('http_5xx');
    case 'upgrade_refused':
      return make('upgrade_refused');
    default:
      return make('other');
  }
}

/** A direct TCP failure, or a proxy that answered "denied" for the host. */
export function blockedMode(tcp: ConnFacts, others: ConnFacts[], proxied: boolean): string | null {
  if (others.some((c) => c.state === 'blocked')) return 'proxy_denied';
  if (proxied) return null;
  if (tcp.state === 'timeout') return 'dropped';
  if (tcp.state === 'refused' || tcp.state === 'reset') return 'refused';
  if (tcp.state === 'unreachable') return 'unreachable';
  return null;
}

/** The subject of the chain's last certificate (its root when the chain is complete). */
export function chainTop(chain: unknown): string | null {
  if (!Array.isArray(chain) || chain.length === 0) return null;
  const top = chain[chain.length - 1] as { subject?: unknown; issuer?: unknown; selfSigned?: boolean };
  // A complete chain ends at a self-signed root, whose subject is the name; otherwise name its issuer.
  const name = top.selfSigned === true ? top.subject : (top.issuer ?? top.subject);
  return commonName(name);
}

function commonName(name: unknown): string | null {
  if (!name) return null;
  if (typeof name === 'object') {
    const n = name as Record<string, unknown>;
    return String(n.CN ?? n.O ?? JSON.stringify(n));
  }
  const text = String(name);
  return /CN=([^,/\n]+)/.exec(text)?.[1]?.trim() ?? text;
}
