/**
 * Domain suffixes and the PAC snippet for the admin hand-off. Derived from the catalog's
 * hosts, so the hand-off always matches what the agent probed for the chosen cloud.
 */

/**
 * The domains to bypass for a set of hosts: each host's parent domain (never shorter than two
 * labels), deduplicated, with any domain already covered by a shorter one dropped.
 * `login.microsoftonline.com` → `microsoftonline.com`; `go.trouter.teams.microsoft.com` and
 * `teams.microsoft.com` → `microsoft.com`. A leading `*.` is read as the domain itself.
 */
export function domainSuffixes(hosts: string[]): string[] {
  const candidates = new Set<string>();
  for (const raw of hosts) {
    const host = normalizeHost(raw);
    if (host.startsWith('*.')) {
      candidates.add(host.slice(2));
      continue;
    }
    const labels = host.split('.');
    candidates.add(labels.length <= 2 ? host : labels.slice(1).join('.'));
  }
  const all = [...candidates];
  return all.filter((d) => !all.some((other) => other !== d && d.endsWith(`.${other}`))).sort();
}

/** Lower case, no surrounding blanks, no final dot. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

/** Whether a host falls under a domain (the domain itself or any name below it). */
export function inDomain(host: string, domain: string): boolean {
  const h = host.toLowerCase();
  return h === domain || h.endsWith(`.${domain}`);
}

/** The placeholder fallback when the proxy is not known; an admin replaces it. */
export const PROXY_PLACEHOLDER = 'PROXY proxy.example.com:8080';

/**
 * The PAC return value for a proxy URL: `http://user:pw@proxy:3128` → `PROXY proxy:3128`.
 * Credentials are dropped: a hand-off is pasted into tickets and chats.
 */
export function pacDirective(proxyUrl: string): string {
  let url: URL;
  try {
    url = new URL(proxyUrl);
  } catch {
    throw new Error(`proxyUrl '${proxyUrl}' is not a URL; expected e.g. http://proxy.example.com:8080`);
  }
  const kinds: Record<string, [string, string]> = {
    'http:': ['PROXY', '80'],
    'https:': ['HTTPS', '443'],
    'socks:': ['SOCKS5', '1080'],
    'socks5:': ['SOCKS5', '1080'],
    'socks4:': ['SOCKS', '1080'],
  };
  const kind = kinds[url.protocol];
  if (!kind) {
    throw new Error(
      `proxyUrl '${url.protocol}' proxies cannot go into a PAC file; expected http:, https:, socks:, socks4: or socks5:`,
    );
  }
  return `${kind[0]} ${url.hostname}:${url.port || kind[1]}`;
}

/**
 * A complete FindProxyForURL that sends the hosts' domains (domainSuffixes) DIRECT and
 * everything else to `fallback`. Strings are JSON-quoted, so a hostile catalog cannot inject
 * code.
 */
export function pacFile(options: { hosts: string[]; fallback: string; comment: string }): string[] {
  const domains = domainSuffixes(options.hosts);
  const tests = domains.map((d) => `dnsDomainIs(host, ${JSON.stringify(`.${d}`)})`);
  // dnsDomainIs(host, ".x.com") does not match "x.com": a two-label host needs its own test.
  const bare = domains.filter((d) => options.hosts.some((h) => normalizeHost(h) === d));
  tests.push(...bare.map((d) => `host == ${JSON.stringify(d)}`));
  const condition = tests.map(
    (t, i) => `${i === 0 ? '  if (' : '      '}${t}${i === tests.length - 1 ? ') {' : ' ||'}`,
  );
  return [
    'function FindProxyForURL(url, host) {',
    `  // ${options.comment.replace(/[\r\n]+/g, ' ')}`,
    '  host = host.toLowerCase();',
    ...(tests.length ? [...condition, '    return "DIRECT";', '  }'] : []),
    `  return ${JSON.stringify(options.fallback)};`,
    '}',
  ];
}
