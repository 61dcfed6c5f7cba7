/**
 * A report's network fingerprint, computed on the server from what the case already holds: the
 * root-cause finding and its key facts (proxy host, inspecting issuer, failing endpoints, resolver
 * answers), the cloud, and the network the bot saw the agent come from. No user or device name
 * goes in, and volatile numbers (latencies, failure rates, clock offsets) stay out, so two
 * computers behind the same broken proxy get the same key and a third behind another proxy does not.
 */
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { Finding } from '../../probes/findings.ts';
import type { Report } from '../../probes/report.ts';

export interface Fingerprint {
  /** What cases must share to be one incident: a hash of everything below but the headline. */
  key: string;
  cause: string;
  headline: string;
  facts: Record<string, string | string[]>;
  cloud: string;
  /** The egress network: an IPv4 /24 or IPv6 /48 ('' when unknown). */
  egress: string;
  evidence: string[];
}

/**
 * Facts that name where the fault sits. Everything else a finding carries (rates, rounds,
 * latencies, offsets, free text) differs between computers hit by the same fault.
 */
const KEY_FACTS = [
  'proxy',
  'issuer',
  'hosts',
  'addresses',
  'names',
  'redirectsTo',
  'mode',
  'reason',
  'status',
  'blockedBy',
  'route',
] as const;

/** The root cause: the first finding that is a problem (findings come root cause first). */
export function rootCause(findings: readonly Finding[]): Finding | undefined {
  return findings.find((f) => f.severity === 'blocking' || f.severity === 'degraded');
}

/** An address reduced to its network, so a NAT pool's neighbours agree and no one host is named. */
export function egressNetwork(address: string | undefined): string {
  if (!address) return '';
  const a = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
  if (isIPv4(a)) return `${a.split('.').slice(0, 3).join('.')}.0/24`;
  if (isIPv6(a)) {
    const head = a.split('::')[0].split(':');
    while (head.length < 3) head.push('0');
    return `${head.slice(0, 3).join(':')}::/48`;
  }
  return '';
}

/** A proxy URL or host:port without credentials, path or scheme. */
function hostOf(value: string): string {
  try {
    const u = new URL(value.includes('://') ? value : `http://${value}`);
    return u.port ? `${u.hostname}:${u.port}` : u.hostname;
  } catch {
    return value;
  }
}

function keyFact(name: string, value: unknown): string | string[] | undefined {
  if (Array.isArray(value)) {
    const items = value.filter((v) => typeof v === 'string' || typeof v === 'number').map(String);
    return items.length > 0 ? [...new Set(items)].sort() : undefined;
  }
  if (typeof value === 'string' && value !== '')
    return name === 'proxy' || name === 'redirectsTo' ? hostOf(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** The fingerprint of a case's latest report, or undefined when it names no problem. */
export function fingerprint(
  input: { report?: Report; findings: readonly Finding[] },
  egressAddress: string | undefined,
): Fingerprint | undefined {
  const cause = rootCause(input.findings);
  if (!cause) return undefined;
  const facts: Record<string, string | string[]> = {};
  for (const name of KEY_FACTS) {
    const value = keyFact(name, cause.facts[name]);
    if (value !== undefined) facts[name] = value;
  }
  // The proxy the computer uses bears on every cause that crosses it, not only proxy.* ones.
  const proxyUrl = input.report?.environment?.proxy?.url;
  if (facts.proxy === undefined && typeof proxyUrl === 'string' && proxyUrl) facts.proxy = hostOf(proxyUrl);
  const cloud = input.report?.cloud ?? 'unknown';
  const egress = egressNetwork(egressAddress);
  const key = createHash('sha256')
    .update(JSON.stringify([cause.id, cloud, egress, Object.entries(facts).sort()]))
    .digest('hex')
    .slice(0, 32);
  return {
    key,
    cause: cause.id,
    headline: cause.summary,
    facts,
    cloud,
    egress,
    evidence: [...cause.evidence],
  };
}
