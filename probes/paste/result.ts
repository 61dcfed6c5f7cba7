/**
 * Building ProbeResults from pasted text, so ids, phases and the `pasted` mark are made in one
 * place. A pasted result has no timing of ours: durationMs is what the tool printed (dig's query
 * time, curl's "after N ms") or 0, and every phase is present, 0 when unknown.
 */

import { WELL_KNOWN_PUBLIC_RESOLVERS } from '../catalog/public-resolvers.ts';
import type { DnsDetail } from '../dns.ts';
import type { FailureCode, Phase, ProbeKind, ProbeResult, ProbeStatus } from '../types.ts';
import { probeId, zeroPhases } from '../types.ts';
import type { PasteTool } from './types.ts';

/** Every pasted detail says where it came from. */
export interface Pasted {
  pasted: PasteTool;
}

export interface ResultInput<D extends object> {
  kind: ProbeKind;
  target: string;
  status: ProbeStatus;
  detail: D;
  tool: PasteTool;
  /** Milliseconds the tool reported, charged to `phase` (default: none). */
  ms?: number;
  msPhase?: 'dns' | 'connect' | 'proxy' | 'tls' | 'firstByte';
  failure?: { phase: Phase; code: FailureCode; detail: string };
  /** The platform's or tool's own code (ENOTFOUND, CURLE_…, the OpenSSL verify text). */
  errorCode?: string;
}

/** Typed on the way in (the detail shape of the probe it stands for), plain ProbeResult out. */
export function pastedResult<D extends object>(input: ResultInput<D>): ProbeResult {
  const phases = zeroPhases();
  if (input.ms !== undefined && input.msPhase) phases[input.msPhase] = input.ms;
  const detail: D & Pasted = { ...input.detail, pasted: input.tool };
  const result: ProbeResult = {
    id: probeId(input.kind, input.target),
    kind: input.kind,
    target: input.target,
    status: input.status,
    durationMs: input.ms ?? 0,
    phases,
    detail: detail as unknown as Record<string, unknown>,
  };
  if (input.failure) {
    result.failure = input.failure;
    result.error = { code: input.errorCode ?? input.failure.code, message: input.failure.detail };
  }
  return result;
}

export const PUBLIC_RESOLVERS = WELL_KNOWN_PUBLIC_RESOLVERS;

const RCODE_FAILURE: Record<string, FailureCode> = {
  NXDOMAIN: 'nxdomain',
  SERVFAIL: 'servfail',
  REFUSED: 'dns_refused',
  NOERROR: 'no_answer',
  TIMEOUT: 'dns_timeout',
};
/** What the dns probe puts in `error.code` for each (c-ares' names). */
const RCODE_ERROR: Record<string, string> = {
  NXDOMAIN: 'ENOTFOUND',
  SERVFAIL: 'ESERVFAIL',
  REFUSED: 'EREFUSED',
  NOERROR: 'ENODATA',
  TIMEOUT: 'ETIMEOUT',
};

export interface DnsAnswer {
  host: string;
  /** The resolver's address as printed (no port), or undefined when the tool did not say. */
  server?: string;
  /** The command line named the server explicitly (`nslookup host 1.1.1.1`, `dig @1.1.1.1`). */
  explicitServer?: boolean;
  /** NOERROR, NXDOMAIN, SERVFAIL, REFUSED, or TIMEOUT when no answer came. */
  rcode: string;
  addresses: string[];
  cname: string[];
  ttl?: number;
  ms?: number;
}

/**
 * The dns probe's result for one pasted answer. The resolver is `system` unless the user named a
 * public one (or the tool shows it asked a well-known public resolver): that is the comparison
 * diagnosis needs to tell a broken local resolver from a broken name.
 */
export function dnsResult(answer: DnsAnswer, tool: PasteTool): ProbeResult {
  const host = answer.host.toLowerCase().replace(/\.$/, '');
  const isPublic = answer.server !== undefined && PUBLIC_RESOLVERS.has(answer.server);
  const resolver = isPublic ? answer.server! : 'system';
  const detail: DnsDetail = {
    resolver,
    via: 'query',
    rcode: answer.rcode === 'TIMEOUT' ? 'NONE' : answer.rcode,
    addresses: answer.addresses,
    cname: answer.cname.map((n) => n.toLowerCase().replace(/\.$/, '')),
  };
  if (answer.server)
    detail.server = answer.server.includes(':') ? `[${answer.server}]:53` : `${answer.server}:53`;
  if (answer.ttl !== undefined) detail.ttl = answer.ttl;
  const base = {
    kind: 'dns' as const,
    target: `${host}@${resolver}`,
    detail,
    tool,
    ms: answer.ms,
    msPhase: 'dns' as const,
  };
  if (answer.addresses.length > 0) return pastedResult({ ...base, status: 'pass' });
  const code = RCODE_FAILURE[answer.rcode] ?? 'dns_error';
  const what =
    answer.rcode === 'TIMEOUT'
      ? 'no answer (timed out)'
      : answer.rcode === 'NOERROR'
        ? 'NOERROR with no A or AAAA record'
        : answer.rcode;
  return pastedResult({
    ...base,
    status: 'fail',
    failure: {
      phase: 'dns',
      code,
      detail: `${host}: ${what} from ${answer.server ?? 'the resolver'} (${tool} output)`,
    },
    errorCode: RCODE_ERROR[answer.rcode] ?? 'EDNS',
  });
}

/** Lines of pasted text without the carriage returns Windows consoles add. */
export function linesOf(text: string): string[] {
  return text.replace(/\r/g, '').split('\n');
}
