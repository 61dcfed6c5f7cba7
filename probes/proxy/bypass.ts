/**
 * Proxy bypass lists, read the way each family of tools reads its own:
 * - NO_PROXY (curl, Go, Python, undici): comma-separated domain suffixes, `*`, IP literals,
 *   IPv4 CIDRs, optional `:port`;
 * - Windows (WinINet ProxyOverride, WinHTTP Bypass List) and macOS (ExceptionsList): `;`- or
 *   list-separated wildcard patterns matched against the whole host, `<local>` for names
 *   without a dot, and on macOS CIDR shorthand such as `169.254/16`.
 * Both become the same rules, so one matcher decides for every source.
 */
import { isIP } from 'node:net';

export type BypassRule =
  | { kind: 'all' }
  /** `<local>` / ExcludeSimpleHostnames: a host name without a dot. */
  | { kind: 'simple' }
  | { kind: 'suffix'; domain: string; port?: number }
  | { kind: 'glob'; pattern: RegExp; port?: number }
  | { kind: 'ip'; address: string; port?: number }
  | { kind: 'cidr'; base: number; mask: number; port?: number };

/** NO_PROXY, as curl reads it (curl 7.86+: CIDR; host:port as Go and Python read it). */
export function parseNoProxy(text: string): BypassRule[] {
  return parseEntries(text.split(/[,\s]+/), {}, (host, port) =>
    isIP(host)
      ? { kind: 'ip', address: host, port }
      : { kind: 'suffix', domain: host.replace(/^\*?\./, ''), port },
  );
}

/** Windows' markers: `<local>` is a rule, `<-loopback>` (never bypass loopback) is none for us. */
const WINDOWS_MARKERS: Record<string, BypassRule | null> = {
  '<local>': { kind: 'simple' },
  '<-loopback>': null,
};

/** A Windows or macOS exception list (entries already split, or one `;`-separated string). */
export function parseWildcardList(entries: string[] | string): BypassRule[] {
  const list = typeof entries === 'string' ? entries.split(/[;,\s]+/) : entries;
  const withoutScheme = list.map((raw) => raw.trim().replace(/^[a-z]+:\/\//i, ''));
  return parseEntries(withoutScheme, WINDOWS_MARKERS, (host, port) => {
    const pattern = host
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    return { kind: 'glob', pattern: new RegExp(`^${pattern}$`), port };
  });
}

/**
 * What both families read alike: blanks skipped, `*` for everything, IPv4 CIDRs. `markers`
 * are the family's own literal entries (null: skip it); `hostRule` reads every other entry.
 */
function parseEntries(
  list: string[],
  markers: Record<string, BypassRule | null>,
  hostRule: (host: string, port: number | undefined) => BypassRule,
): BypassRule[] {
  const rules: BypassRule[] = [];
  for (const raw of list) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (Object.hasOwn(markers, entry)) {
      const marker = markers[entry];
      if (marker) rules.push(marker);
      continue;
    }
    const shared: BypassRule | null = entry === '*' ? { kind: 'all' } : parseCidr(entry);
    const { host, port } = splitPort(entry);
    rules.push(shared ?? hostRule(host, port));
  }
  return rules;
}

/** Whether a request to `url` skips the proxy. */
export function bypasses(url: string, rules: BypassRule[]): boolean {
  const parsed = new URL(url);
  const host = parsed.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = Number(parsed.port) || defaultPort(parsed.protocol);
  return rules.some((rule) => ruleMatches(rule, host, port));
}

function ruleMatches(rule: BypassRule, host: string, port: number): boolean {
  if ('port' in rule && rule.port !== undefined && rule.port !== port) return false;
  switch (rule.kind) {
    case 'all':
      return true;
    case 'simple':
      return !host.includes('.') && !host.includes(':');
    case 'suffix':
      return host === rule.domain || host.endsWith(`.${rule.domain}`);
    case 'glob':
      return rule.pattern.test(host);
    case 'ip':
      return host === rule.address;
    case 'cidr': {
      const v4 = ipv4ToInt(host);
      return v4 !== null && (v4 & rule.mask) >>> 0 === rule.base;
    }
  }
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' || protocol === 'wss:' ? 443 : 80;
}

/** `host:port`, `[v6]:port`, or a bare host / IPv6 literal. */
function splitPort(entry: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1], port: bracketed[2] ? Number(bracketed[2]) : undefined };
  if (isIP(entry) === 6) return { host: entry };
  const m = /^(.*):(\d+)$/.exec(entry);
  return m ? { host: m[1], port: Number(m[2]) } : { host: entry };
}

/** IPv4 CIDR, including macOS's shorthand with missing octets (`169.254/16`, `10/8`). */
function parseCidr(entry: string): BypassRule | null {
  const m = /^(\d{1,3}(?:\.\d{1,3}){0,3})\/(\d{1,2})$/.exec(entry);
  if (!m) return null;
  const octets = m[1].split('.');
  while (octets.length < 4) octets.push('0');
  const base = ipv4ToInt(octets.join('.'));
  const bits = Number(m[2]);
  if (base === null || bits > 32) return null;
  const mask = bits === 0 ? 0 : bits === 32 ? 0xffffffff : ~(0xffffffff >>> bits) >>> 0;
  return { kind: 'cidr', base: (base & mask) >>> 0, mask };
}

function ipv4ToInt(address: string): number | null {
  if (isIP(address) !== 4) return null;
  return address.split('.').reduce((acc, octet) => ((acc << 8) | Number(octet)) >>> 0, 0);
}
