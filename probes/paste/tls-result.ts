/**
 * The tls probe's result from certificate names a tool printed (curl -v, openssl s_client,
 * certutil -verify). Pasted text has names, not keys, so "is this Microsoft's chain" is judged
 * by name: a chain whose top issuer is not one of the CAs Microsoft's endpoints chain through
 * is TLS inspection (DESIGN.md), the same verdict the agent reaches by SPKI hash.
 */
import type { ChainCert, TrustReason } from '../net/tls-handshake.ts';
import type { TlsDetail } from '../tls.ts';
import type { FailureCode, ProbeResult } from '../types.ts';
import { pastedResult } from './result.ts';
import type { PasteTool } from './types.ts';

/**
 * Issuers of Microsoft's endpoint certificates: the roots of the built-in catalogs and the
 * intermediates under them (Azure TLS issuing CAs, Microsoft's own TLS CAs).
 */
const MICROSOFT_ISSUERS: RegExp[] = [
  /^Microsoft (Azure (RSA |ECC )?TLS Issuing CA|(RSA|ECC) TLS (Issuing )?(AOC )?CA|IT TLS CA|TLS (RSA|ECC) Root G2|Update Secure Server CA)/i,
  /^Microsoft (RSA|ECC) Root Certificate Authority 20\d\d$/i,
  /^DigiCert (Global Root (CA|G2|G3)|SHA2 Secure Server CA|Cloud Services CA-1|Basic RSA CN CA G2|TLS RSA SHA256 2020 CA1)$/i,
  /^Baltimore CyberTrust Root$/i,
];

/** The catalog root or Microsoft CA `name` is, or null when it is someone else's. */
export function microsoftIssuer(name: string | null | undefined): string | null {
  if (!name) return null;
  return MICROSOFT_ISSUERS.some((re) => re.test(name.trim())) ? name.trim() : null;
}

/**
 * The common name of a distinguished name as tools print it: `C=US; O=X; CN=Y` (curl),
 * `C = US, O = X, CN = Y` (openssl), `CN=Y, O=X` (certutil). Falls back to O, then the text.
 */
export function commonName(dn: string): string {
  const field = (key: string) =>
    new RegExp(`(?:^|[,;/]\\s*)${key}\\s*=\\s*([^,;/]+)`, 'i').exec(dn)?.[1]?.trim();
  return field('CN') ?? field('O') ?? dn.trim();
}

export interface PastedChain {
  host: string;
  port: number;
  /** Leaf first; subject and issuer as common names. */
  chain: Array<{ subject: string; issuer: string; notBefore?: string; notAfter?: string }>;
  /** The tool said the chain verified (curl "verify ok", openssl "Verify return code: 0"). */
  trusted: boolean | null;
  /** The tool's own words for a verification failure, and our reading of them. */
  verifyError?: string;
  reason?: TrustReason | 'untrusted';
  proxy?: string | null;
  address?: string | null;
  protocol?: string | null;
  cipher?: string | null;
}

const TRUST_REASONS: ReadonlySet<string> = new Set([
  'unknown_ca',
  'expired',
  'not_yet_valid',
  'hostname_mismatch',
]);

/**
 * Judges a pasted chain as probes/tls.ts does: untrusted → fail with the reason; trusted (or
 * not judged by the tool) but ending outside Microsoft's CAs → warn, inspected; else pass.
 * `now` (ISO) lets printed dates reveal an expired or not-yet-valid leaf the tool did not judge.
 */
export function tlsResult(input: PastedChain, tool: PasteTool, now?: string): ProbeResult {
  const target = `${input.host}:${input.port}`;
  const chain: ChainCert[] = input.chain.map((c) => ({
    subject: c.subject,
    issuer: c.issuer,
    spkiSha256: '',
    notBefore: c.notBefore ?? '',
    notAfter: c.notAfter ?? '',
    selfSigned: c.subject === c.issuer,
  }));
  const top = chain.at(-1);
  const issuer = top ? (top.selfSigned ? top.subject : top.issuer) : undefined;
  const microsoft =
    chain.map((c) => microsoftIssuer(c.issuer) ?? microsoftIssuer(c.subject)).find(Boolean) ?? null;
  let reason = input.reason;
  if (!reason && input.trusted !== false && now && chain[0]) reason = dateReason(chain[0], now);
  const trusted = reason ? false : input.trusted !== false;
  const detail: TlsDetail = {
    chain,
    trusted,
    microsoftRoot: microsoft,
    protocol: input.protocol ?? null,
    cipher: input.cipher ?? null,
    address: input.address ?? null,
    proxy: input.proxy ?? null,
    ...(issuer ? { issuer } : {}),
    ...(input.verifyError ? { verifyError: input.verifyError } : {}),
  };
  // Inspection is judged only on a chain we saw; a failure without names says nothing of it.
  if (chain.length > 0) detail.inspected = microsoft === null;
  const base = { kind: 'tls' as const, target, detail, tool };
  if (!trusted) {
    const code: FailureCode = reason && TRUST_REASONS.has(reason) ? (reason as TrustReason) : 'untrusted';
    if (reason && TRUST_REASONS.has(reason)) detail.reason = reason as TrustReason;
    const words = `the certificate of ${target} is not trusted (${input.verifyError ?? reason ?? 'untrusted'})`;
    return pastedResult({
      ...base,
      status: 'fail',
      failure: { phase: 'tls', code, detail: issuer ? `${words}; its chain ends at "${issuer}"` : words },
      errorCode: input.verifyError ?? code,
    });
  }
  if (detail.inspected) {
    return pastedResult({
      ...base,
      status: 'warn',
      failure: {
        phase: 'tls',
        code: 'untrusted',
        detail: `the chain of ${target} ends at "${issuer}", not a Microsoft CA: TLS inspection in the path`,
      },
    });
  }
  return pastedResult({ ...base, status: 'pass' });
}

function dateReason(leaf: ChainCert, now: string): TrustReason | undefined {
  const at = Date.parse(now);
  const after = Date.parse(leaf.notAfter);
  const before = Date.parse(leaf.notBefore);
  if (Number.isFinite(after) && after < at) return 'expired';
  if (Number.isFinite(before) && before > at) return 'not_yet_valid';
  return undefined;
}

/** OpenSSL's and Schannel's words for a failed verification, read into a trust reason. */
export function trustReason(text: string): TrustReason | 'untrusted' {
  if (/expired|CERT_E_EXPIRED|SEC_E_CERT_EXPIRED|NOT_TIME_VALID/i.test(text)) return 'expired';
  if (/not yet valid/i.test(text)) return 'not_yet_valid';
  if (
    /hostname mismatch|subject name .*match|alternative certificate subject name|WRONG_PRINCIPAL|CN_NO_MATCH/i.test(
      text,
    )
  )
    return 'hostname_mismatch';
  if (
    /local issuer|self[- ]?signed|untrusted[_ ]root|not trusted|unknown ca|UNTRUSTEDROOT|unable to get/i.test(
      text,
    )
  )
    return 'unknown_ca';
  return 'untrusted';
}
