/**
 * Certificate chains as `openssl s_client` (and `openssl x509 -noout -issuer -dates`) and
 * Windows' `certutil -verify [-urlfetch]` print them, read into the tls probe's result.
 */
import type { FailureCode, ProbeResult } from '../types.ts';
import { isoDate } from './curl-lines.ts';
import { linesOf, pastedResult } from './result.ts';
import { commonName, type PastedChain, tlsResult, trustReason } from './tls-result.ts';
import { PasteError } from './types.ts';

interface Context {
  command?: string;
  defaultHost?: string;
  now?: string;
}

type Cert = PastedChain['chain'][number];

export function parseOpenssl(text: string, context: Context = {}): ProbeResult {
  const lines = linesOf(text);
  const connect = /-connect\s+\[?([^\s\]:]+)\]?(?::(\d+))?/i.exec(context.command ?? text);
  const sni = /-servername\s+(\S+)/i.exec(context.command ?? text);
  const host = (sni?.[1] ?? connect?.[1] ?? context.defaultHost ?? '').toLowerCase();
  const port = Number(connect?.[2] ?? 443);
  if (!host)
    throw new PasteError(
      'openssl',
      'could not tell which server openssl connected to; paste the command line too',
    );

  const broken = connectionFailure(text);
  if (broken) {
    return pastedResult({
      kind: 'tls',
      target: `${host}:${port}`,
      status: 'fail',
      detail: { address: null, proxy: null },
      tool: 'openssl',
      failure: { phase: broken.phase, code: broken.code, detail: `openssl: ${broken.words}` },
    });
  }
  const chain = chainBlock(lines) ?? depthLines(lines) ?? x509Lines(lines);
  if (!chain) {
    throw new PasteError(
      'openssl',
      'openssl output has a "Certificate chain", "depth=" or "issuer=" line; none was found (was it cut off?)',
    );
  }
  const verify = /Verify return code:\s*(\d+)\s*\(([^)]*)\)/i.exec(text);
  const verifyError = verify && verify[1] !== '0' ? verify[2] : undefined;
  const protocol = /(?:Protocol\s*:\s*|New, )(TLSv[\d.]+|SSLv\d)/.exec(text)?.[1] ?? null;
  const cipher = /Cipher (?:is |\s*:\s*)(\S+)/.exec(text)?.[1] ?? null;
  return tlsResult(
    {
      host,
      port,
      chain,
      trusted: verifyError ? false : verify ? true : null,
      ...(verifyError ? { verifyError, reason: trustReason(verifyError) } : {}),
      protocol,
      cipher,
    },
    'openssl',
    context.now,
  );
}

/** " 0 s:DN / i:DN / v:NotBefore: …; NotAfter: …" under "Certificate chain". */
function chainBlock(lines: string[]): Cert[] | null {
  const start = lines.findIndex((l) => /^Certificate chain/i.test(l.trim()));
  if (start < 0) return null;
  const chain: Cert[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^---/.test(line.trim())) break;
    const s = /^\s*\d+\s+s:\s*(.+)$/.exec(line);
    const i = /^\s*i:\s*(.+)$/.exec(line);
    const v = /^\s*v:\s*NotBefore:\s*(.+?);\s*NotAfter:\s*(.+)$/i.exec(line);
    if (s) chain.push({ subject: commonName(s[1]), issuer: '' });
    else if (i && chain.length > 0) chain[chain.length - 1].issuer = commonName(i[1]);
    else if (v && chain.length > 0)
      Object.assign(chain[chain.length - 1], { notBefore: isoDate(v[1]), notAfter: isoDate(v[2]) });
  }
  return chain.length > 0 ? chain : null;
}

/** "depth=N DN" lines of the verify callback: leaf is depth 0, each issued by the next. */
function depthLines(lines: string[]): Cert[] | null {
  const byDepth = new Map<number, string>();
  for (const line of lines) {
    const m = /^depth=(\d+)\s+(.+)$/.exec(line.trim());
    if (m) byDepth.set(Number(m[1]), commonName(m[2]));
  }
  if (byDepth.size === 0) return null;
  const depths = [...byDepth.keys()].sort((a, b) => a - b);
  return depths.map((d) => ({ subject: byDepth.get(d)!, issuer: byDepth.get(d + 1) ?? byDepth.get(d)! }));
}

/** `openssl x509 -noout -subject -issuer -dates`: one certificate, the leaf. */
function x509Lines(lines: string[]): Cert[] | null {
  const field = (key: string) =>
    lines.map((l) => new RegExp(`^${key}\\s*=\\s*(.+)$`, 'i').exec(l.trim())?.[1]).find(Boolean);
  const issuer = field('issuer');
  if (!issuer) return null;
  const subject = field('subject');
  const notBefore = field('notBefore');
  const notAfter = field('notAfter');
  return [
    {
      subject: subject ? commonName(subject) : '(leaf)',
      issuer: commonName(issuer),
      ...(notBefore ? { notBefore: isoDate(notBefore) } : {}),
      ...(notAfter ? { notAfter: isoDate(notAfter) } : {}),
    },
  ];
}

type Broken = { phase: 'dns' | 'connect' | 'tls'; code: FailureCode };

/** What openssl prints when no handshake happened, in the order they are tried. */
const BROKEN: Array<[RegExp, Broken]> = [
  [
    /Name or service not known|nodename nor servname provided|BIO_lookup_ex[^\n]*/i,
    { phase: 'dns', code: 'nxdomain' },
  ],
  [/connect:errno=111|Connection refused/i, { phase: 'connect', code: 'refused' }],
  [/connect:errno=110|Connection timed out|Operation timed out/i, { phase: 'connect', code: 'timeout' }],
  [
    /connect:errno=(101|113)|No route to host|Network is unreachable/i,
    { phase: 'connect', code: 'unreachable' },
  ],
];
const CUT = /errno=104|Connection reset by peer|unexpected eof while reading|SSL_ERROR_SYSCALL/i;

function connectionFailure(text: string): (Broken & { words: string }) | null {
  for (const [re, broken] of BROKEN) {
    const words = re.exec(text)?.[0];
    if (words) return { ...broken, words };
  }
  if (!/no peer certificate available/i.test(text)) return null;
  return {
    phase: 'tls',
    code: 'handshake_reset',
    words: CUT.exec(text)?.[0] ?? 'no peer certificate available',
  };
}

/**
 * `certutil -verify [-urlfetch] FILE`: "CertContext[0][n]" entries hold the built chain, leaf
 * first, with Issuer, Subject, NotBefore and NotAfter; the last line says whether it verified.
 */
export function parseCertutil(text: string, context: Context = {}): ProbeResult {
  const lines = linesOf(text);
  const chain: Cert[] = [];
  let current: Cert | null = null;
  for (const line of lines) {
    if (/^CertContext\[\d+\]\[\d+\]/i.test(line.trim())) {
      current = { subject: '', issuer: '' };
      chain.push(current);
      continue;
    }
    if (!current) continue;
    const m = /^\s+(Issuer|Subject|NotBefore|NotAfter):\s*(.+)$/i.exec(line);
    if (!m) {
      if (/^\S/.test(line)) current = null;
      continue;
    }
    const key = m[1].toLowerCase();
    if (key === 'issuer') current.issuer = commonName(m[2]);
    else if (key === 'subject') current.subject = commonName(m[2]);
    else if (key === 'notbefore') current.notBefore = isoDate(m[2]);
    else current.notAfter = isoDate(m[2]);
  }
  const verdict = /CertUtil:\s*-verify command (completed successfully|FAILED:\s*(.+))/i.exec(text);
  if (chain.length === 0) {
    throw new PasteError(
      'certutil',
      verdict?.[2]
        ? `certutil could not check a certificate (${verdict[2].trim()}); save the certificate to a file and run certutil -verify on it`
        : 'certutil -verify output lists the chain as "CertContext[0][0]" entries; none was found',
    );
  }
  const leafCn = chain[0]?.subject;
  const host = (
    context.defaultHost ?? (leafCn && /^[\w.-]+\.[a-z]{2,}$/i.test(leafCn) ? leafCn : '')
  ).toLowerCase();
  if (!host) throw new PasteError('certutil', 'could not tell which server the certificate is for');
  const failed = verdict?.[2];
  const errorStatus = lines.some((l) => /dwErrorStatus=(?!0\b)[0-9a-f]+/i.test(l));
  const verifyError = failed ?? (errorStatus ? 'dwErrorStatus set on the chain' : undefined);
  return tlsResult(
    {
      host,
      port: 443,
      chain: chain.filter((c, i) => i === 0 || c.subject !== chain[i - 1].subject),
      trusted: verifyError ? false : verdict ? true : null,
      ...(verifyError ? { verifyError, reason: trustReason(verifyError) } : {}),
    },
    'certutil',
    context.now,
  );
}
