/**
 * curl's exit codes and messages (`curl: (N) …`), read into the failure phase and code the
 * agent's probe would report for the same fault.
 */
import type { FailureCode, Phase } from '../types.ts';
import type { CurlError } from './curl-lines.ts';
import { trustReason } from './tls-result.ts';

export interface Failure {
  phase: Phase;
  code: FailureCode;
}

/** curl's exit codes and messages, read into the failure the agent's probe would report. */
export function classify(
  error: CurlError,
  at: { host: string; proxyHost?: string; proxied: boolean },
): Failure {
  const m = error.message;
  const aboutProxy =
    at.proxyHost !== undefined &&
    new RegExp(`\\b${escapeRe(at.proxyHost)}\\b`, 'i').test(m) &&
    at.proxyHost !== at.host;
  switch (error.code) {
    case 5:
      return { phase: 'proxy', code: 'proxy_unreachable' };
    case 6:
      return { phase: 'dns', code: 'nxdomain' };
    case 7:
      if (aboutProxy || (at.proxied && !new RegExp(`\\b${escapeRe(at.host)}\\b`, 'i').test(m)))
        return { phase: 'proxy', code: 'proxy_unreachable' };
      return { phase: 'connect', code: connectCode(m) };
    case 28:
      if (/resolving/i.test(m)) return { phase: 'dns', code: 'dns_timeout' };
      if (/ssl|handshake/i.test(m)) return { phase: 'tls', code: 'handshake_timeout' };
      if (/with \d+ (out of \d+ )?bytes received/i.test(m)) return { phase: 'firstByte', code: 'timeout' };
      return aboutProxy
        ? { phase: 'proxy', code: 'proxy_unreachable' }
        : { phase: 'connect', code: 'timeout' };
    case 35:
      if (/revocation/i.test(m)) return { phase: 'tls', code: 'untrusted' };
      return {
        phase: 'tls',
        code: /reset|SSL_ERROR_SYSCALL|eof|failed to receive handshake/i.test(m)
          ? 'handshake_reset'
          : 'tls_error',
      };
    case 51:
    case 58:
    case 60:
    case 77:
    case 83: {
      const reason = trustReason(m);
      return { phase: 'tls', code: reason };
    }
    case 56:
      if (/\b407\b/.test(m)) return { phase: 'proxy', code: 'proxy_auth_required' };
      if (/CONNECT|proxy/i.test(m))
        return { phase: 'proxy', code: /\b(403|451)\b/.test(m) ? 'http_blocked' : 'proxy_refused' };
      return { phase: 'firstByte', code: /reset/i.test(m) ? 'reset' : 'bad_response' };
    case 52:
      return { phase: 'response', code: 'bad_response' };
    default:
      return { phase: 'response', code: 'bad_response' };
  }
}

function connectCode(message: string): FailureCode {
  if (/refused/i.test(message)) return 'refused';
  if (/timed? ?out/i.test(message)) return 'timeout';
  if (/no route|unreachable/i.test(message)) return 'unreachable';
  if (/reset/i.test(message)) return 'reset';
  return 'refused';
}

export function isTrustCode(code: FailureCode | undefined): boolean {
  return code === 'expired' || code === 'not_yet_valid' || code === 'hostname_mismatch';
}

export function hostOf(proxy: string): string {
  return (/^(?:\w+:\/\/)?(?:[^@/]*@)?([^/:]+)/.exec(proxy)?.[1] ?? proxy).toLowerCase();
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
