/**
 * The IT admin's hand-off: what to change on the firewall, the proxy (a PAC snippet) and the
 * TLS-inspection product, generated from the catalog the agent probed, so the lists match the
 * cloud the user is in and never drift from a copy in a wiki. Copy-paste ready: every line
 * of a section can go straight into a ticket, a rule import or a PAC file.
 */
import { FINDINGS, type FindingId, isFindingId } from '../../probes/findings.ts';
import type { Catalog, ProbeResult, Purpose } from '../../probes/types.ts';
import { findingSentence, type Measured } from './handoff-words.ts';
import { domainSuffixes, inDomain, normalizeHost, PROXY_PLACEHOLDER, pacDirective, pacFile } from './pac.ts';

/** What the hand-off needs from a finding: the report's finding, or any subset with an id. */
export interface HandoffFinding {
  id: string;
  severity?: string;
  summary?: string;
  facts?: Record<string, unknown>;
  /** Probe ids that support it: where the hand-off finds the resolver that answered. */
  evidence?: string[];
}

export interface HandoffInput {
  catalog: Catalog;
  /** Root cause first, as diagnosis orders them. */
  findings: HandoffFinding[];
  /**
   * Findings the case had earlier that the latest check no longer shows (fixed since, or a
   * result code's, replaced by a full report): listed after the current ones, so a later finding
   * never drops an earlier one from what IT reads.
   */
  earlier?: HandoffFinding[];
  /** The probe results measured or pasted in the case: the addresses the sentences name. */
  probes?: ProbeResult[];
  /** The proxy the device uses today: the PAC snippet's fallback. Credentials are dropped. */
  proxyUrl?: string;
}

export type SectionKind = 'findings' | 'firewall' | 'pac' | 'tls' | 'dns' | 'vpn';

export interface HandoffSection {
  kind: SectionKind;
  title: string;
  /** Plain text lines; `code` sections (the PAC file) are shown in a monospace block. */
  lines: string[];
  format: 'text' | 'code';
}

export interface AdminHandoff {
  /** The downloadable text file. */
  text: string;
  sections: HandoffSection[];
}

/** Which findings call for which section. With none of them at hand, every section is given. */
const CALLED_BY: Record<Exclude<SectionKind, 'findings'>, FindingId[]> = {
  firewall: ['firewall.blocked', 'endpoint.failed', 'network.offline', 'media.udp_blocked', 'vpn.active'],
  pac: ['proxy.unreachable', 'proxy.auth_required', 'proxy.websocket_blocked', 'tls.inspection'],
  tls: ['tls.inspection', 'tls.untrusted', 'tls.handshake_failed', 'proxy.websocket_blocked'],
  dns: ['dns.system_failed', 'dns.all_failed', 'dns.hijacked'],
  vpn: ['vpn.active', 'vpn.optimize_tunneled', 'vpn.split_misrouted'],
};
const DEFAULT_SECTIONS: SectionKind[] = ['firewall', 'pac', 'tls'];

const PURPOSE: Record<Purpose, string> = {
  auth: 'sign-in',
  service: 'Teams service',
  websocket: 'Teams WebSocket (needs Upgrade: websocket)',
};

/** Builds the hand-off for the findings at hand. Pure. */
export function adminHandoff(input: HandoffInput): AdminHandoff {
  const { catalog, findings } = input;
  const ids = new Set<string>(findings.map((f) => f.id));
  let kinds = (Object.keys(CALLED_BY) as Array<keyof typeof CALLED_BY>).filter((k) =>
    CALLED_BY[k].some((id) => ids.has(id)),
  ) as SectionKind[];
  if (kinds.length === 0) kinds = DEFAULT_SECTIONS;

  const hosts = [...new Set([...catalog.endpoints.map((e) => e.host), ...catalog.media.map((m) => m.host)])];
  const sections: HandoffSection[] = [];
  const earlier = (input.earlier ?? []).filter((e) => !ids.has(e.id));
  if (findings.length + earlier.length > 0)
    sections.push(findingsSection(findings, earlier, input.probes ?? []));
  for (const kind of kinds) {
    if (kind === 'firewall') sections.push(firewallSection(catalog, blockedHosts(findings)));
    if (kind === 'pac') sections.push(pacSection(catalog, hosts, input.proxyUrl));
    if (kind === 'tls') sections.push(tlsSection(hosts));
    if (kind === 'dns') sections.push(dnsSection(hosts));
    if (kind === 'vpn') sections.push(vpnSection(catalog, findings));
  }

  const header = [`Reconnect admin hand-off for Microsoft Teams sign-in (catalog: ${catalog.cloud})`, ''];
  const body = sections.flatMap((s) => [s.title, '-'.repeat(s.title.length), ...s.lines, '']);
  return { text: `${[...header, ...body].join('\n').trimEnd()}\n`, sections };
}

function findingsSection(
  findings: HandoffFinding[],
  earlier: HandoffFinding[],
  probes: ProbeResult[],
): HandoffSection {
  // Prose for a person (issue 14): a sentence per finding from its facts and what was measured,
  // no finding id and no raw facts (the support thread's summary has the ids).
  const line = (f: HandoffFinding, n: number, note = '') => {
    const known = isFindingId(f.id) ? FINDINGS[f.id] : undefined;
    const severity = f.severity ?? known?.severity;
    const impact =
      severity === 'blocking' ? 'Blocks sign-in' : severity === 'degraded' ? 'Degrades Teams' : 'Note';
    return `${n}. ${impact}${note}: ${findingSentence(f, measured(f, probes))}`;
  };
  const lines = [
    ...findings.map((f, i) => line(f, i + 1)),
    ...earlier.map((f, i) =>
      line(f, findings.length + i + 1, ' (found earlier in this case, not seen in the latest check)'),
    ),
  ];
  return { kind: 'findings', title: 'What the device measured', lines, format: 'text' };
}

/** The resolver and the probe's own sentence behind a finding, from its evidence probes. */
function measured(f: HandoffFinding, probes: ProbeResult[]): Measured {
  const cited = probes.filter((p) => f.evidence?.includes(p.id));
  const dns = [...cited, ...probes].find(
    (p) => p.kind === 'dns' && p.status !== 'pass' && p.target.endsWith('@system'),
  );
  const server = (dns?.detail as { server?: unknown } | undefined)?.server;
  const failing = cited.find((p) => p.status === 'fail' && p.failure?.detail);
  return {
    ...(typeof server === 'string' && server !== '' ? { resolver: resolverText(server) } : {}),
    ...((f.id === 'device.not_registered' || f.id === 'broker.unhealthy') && failing?.failure
      ? { detail: failing.failure.detail }
      : {}),
  };
}

/** `10.20.0.53:53` → `10.20.0.53`, `[fd00::53]:53` → `fd00::53`, another port in words. */
function resolverText(server: string): string {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(server);
  if (!m || (!server.startsWith('[') && m[1].includes(':'))) return server;
  return m[2] === '53' ? m[1] : `${m[1]} (port ${m[2]})`;
}

/** Hosts the firewall finding names (facts.hosts: strings or `host:port`). */
function blockedHosts(findings: HandoffFinding[]): Set<string> {
  const hosts = findings.find((f) => f.id === 'firewall.blocked')?.facts?.hosts;
  const list = Array.isArray(hosts) ? hosts.filter((h): h is string => typeof h === 'string') : [];
  return new Set(list.map((h) => normalizeHost(h.replace(/:\d+$/, ''))));
}

function firewallSection(catalog: Catalog, blocked: Set<string>): HandoffSection {
  const rows: string[][] = [['HOST', 'PORT', 'PROTOCOL', 'PURPOSE']];
  for (const e of catalog.endpoints) {
    const notes = [
      PURPOSE[e.purpose],
      e.required ? '' : 'optional',
      blocked.has(normalizeHost(e.host)) ? 'BLOCKED NOW' : '',
    ]
      .filter(Boolean)
      .join('; ');
    rows.push([e.host, String(e.port), 'TCP', notes]);
  }
  for (const m of catalog.media)
    rows.push([m.host, portRanges(m.ports), 'UDP', 'Teams media (calls, meetings)']);
  const lines = table(rows);
  if (catalog.media.length > 0) {
    lines.push('', 'Media UDP 3478-3481 goes out directly: no proxy, no VPN tunnel, no packet inspection.');
  }
  return { kind: 'firewall', title: 'Firewall allow-list (outbound)', lines, format: 'text' };
}

function pacSection(catalog: Catalog, hosts: string[], proxyUrl: string | undefined): HandoffSection {
  const fallback = proxyUrl === undefined ? PROXY_PLACEHOLDER : pacDirective(proxyUrl);
  const lines = pacFile({
    hosts,
    fallback,
    comment: `Microsoft 365 and Teams (${catalog.cloud}) go direct, around the proxy; merge into your PAC file.`,
  });
  if (proxyUrl === undefined) lines.push(`// Replace "${PROXY_PLACEHOLDER}" with your proxy.`);
  return { kind: 'pac', title: 'Proxy: send Microsoft 365 direct (PAC)', lines, format: 'code' };
}

function tlsSection(hosts: string[]): HandoffSection {
  const domains = domainSuffixes(hosts);
  const lines = domains.map((d) => `*.${d}`);
  // Hosts that equal a domain are not matched by its wildcard.
  for (const h of hosts.map(normalizeHost)) {
    if (domains.includes(h)) lines.push(h);
  }
  return { kind: 'tls', title: 'TLS inspection: do not decrypt', lines, format: 'text' };
}

function dnsSection(hosts: string[]): HandoffSection {
  const domains = domainSuffixes(hosts);
  const lines = hosts.map((h) => {
    const domain = domains.find((d) => inDomain(h, d));
    return domain ? `${h} (under ${domain}: allow the whole domain in DNS filters)` : h;
  });
  return { kind: 'dns', title: 'DNS: these names must resolve to Microsoft', lines, format: 'text' };
}

/**
 * The split-tunnel exclusions: the catalog's Optimize ranges (what Microsoft says a VPN should
 * send straight to the internet), the ranges a tunnel was seen carrying, the hosts a misrouted
 * tunnel broke, and the media relays, so the VPN profile can be changed line by line.
 */
function vpnSection(catalog: Catalog, findings: HandoffFinding[]): HandoffSection {
  const facts = (id: string) => findings.find((f) => f.id === id)?.facts ?? {};
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const ranges = catalog.optimizeRanges ?? [];
  const seen = new Set(list(facts('vpn.optimize_tunneled').ranges));
  const lines = ['Exclude from the VPN tunnel (send direct to the internet):'];
  for (const r of ranges) lines.push(`  ${r}${seen.has(r) ? '   (tunnelled now)' : ''}`);
  if (ranges.length === 0)
    lines.push("  (this cloud's catalog names no Optimize ranges: use Microsoft's published list)");
  for (const m of catalog.media) lines.push(`  ${m.host} UDP ${portRanges(m.ports)}`);
  const misrouted = facts('vpn.split_misrouted');
  const hosts = list(misrouted.hosts);
  if (hosts.length > 0) {
    const route = typeof misrouted.route === 'string' ? misrouted.route : 'the VPN';
    const where = misrouted.path === 'local' ? `outside the tunnel (${route})` : `into the tunnel (${route})`;
    lines.push('', `These hosts are routed ${where}, where they fail; fix their route in the VPN profile:`);
    for (const h of hosts) lines.push(`  ${h}`);
  }
  return { kind: 'vpn', title: 'VPN: split-tunnel exclusions', lines, format: 'text' };
}

/** `[3478, 3479, 3480, 3481, 3490]` → `3478-3481, 3490`. */
export function portRanges(ports: number[]): string {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j;
  }
  return parts.join(', ');
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd(),
  );
}
