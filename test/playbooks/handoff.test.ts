/**
 * The admin hand-off from a small catalog: the allow-list rows, a PAC file that really runs
 * (as plain JavaScript and in the PAC engine the agent uses) and the TLS bypass list.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminHandoff, portRanges } from '../../bot/playbooks/handoff.ts';
import { domainSuffixes, pacDirective } from '../../bot/playbooks/pac.ts';
import { createInterlock } from '../../probes/interlock.ts';
import { compilePac } from '../../probes/proxy/pac.ts';
import type { Catalog } from '../../probes/types.ts';
import { LAB_CATALOG } from './lab-handoff.ts';

const catalog = LAB_CATALOG;

const section = (h: ReturnType<typeof adminHandoff>, kind: string) => {
  const found = h.sections.find((s) => s.kind === kind);
  assert.ok(found, `section ${kind} present`);
  return found;
};

/** FindProxyForURL from the PAC lines, with the PAC built-ins it uses, as a browser would. */
function runPac(lines: string[]): (url: string, host: string) => string {
  const dnsDomainIs = (host: string, domain: string) => host.length >= domain.length && host.endsWith(domain);
  return new Function('dnsDomainIs', `${lines.join('\n')}\nreturn FindProxyForURL;`)(dnsDomainIs);
}

test('domain suffixes: parent domains, deduplicated, none covered by another', () => {
  assert.deepEqual(
    domainSuffixes([
      'login.microsoftonline.com',
      'LOGIN.microsoftonline.com.',
      'teams.microsoft.com',
      'go.trouter.teams.microsoft.com',
      'statics.teams.cdn.office.net',
      'example.org',
      '*.lync.com',
    ]),
    ['example.org', 'lync.com', 'microsoft.com', 'microsoftonline.com', 'teams.cdn.office.net'],
  );
});

test('firewall allow-list: every host with port, protocol and purpose; media UDP 3478-3481', () => {
  const h = adminHandoff({
    catalog,
    findings: [
      { id: 'firewall.blocked', severity: 'blocking', facts: { hosts: ['login.microsoftonline.com:443'] } },
    ],
  });
  const fw = section(h, 'firewall');
  assert.match(fw.lines[0], /^HOST\s+PORT\s+PROTOCOL\s+PURPOSE$/);
  const row = (host: string) => fw.lines.find((l) => l.startsWith(`${host} `)) ?? '';
  assert.match(row('login.microsoftonline.com'), /\s443\s+TCP\s+sign-in; BLOCKED NOW$/);
  assert.match(row('teams.microsoft.com'), /\s443\s+TCP\s+Teams service$/);
  assert.match(row('go.trouter.teams.microsoft.com'), /TCP\s+Teams WebSocket/);
  assert.match(row('statics.teams.cdn.office.net'), /optional$/);
  assert.match(row('worldaz.tr.teams.microsoft.com'), /\s3478-3481\s+UDP\s+Teams media/);
  assert.ok(h.text.includes(fw.lines.join('\n')), 'the text file carries the section verbatim');
  assert.ok(
    h.sections.some(
      (s) =>
        s.kind === 'findings' &&
        s.lines[0] ===
          '1. Blocks sign-in: Names resolve, but connections fail to login.microsoftonline.com:443 (TCP).',
    ),
  );
});

test('PAC snippet is valid JavaScript: DIRECT for Microsoft hosts, the proxy for the rest', () => {
  const h = adminHandoff({
    catalog,
    findings: [{ id: 'proxy.auth_required', severity: 'blocking', facts: {} }],
    proxyUrl: 'http://alice:s3cret@proxy.corp.example:3128',
  });
  const pac = section(h, 'pac');
  assert.equal(pac.format, 'code');
  const find = runPac(pac.lines);
  for (const host of [
    'login.microsoftonline.com',
    'go.trouter.teams.microsoft.com',
    'x.teams.cdn.office.net',
  ]) {
    assert.equal(find(`https://${host}/`, host), 'DIRECT', host);
  }
  assert.equal(find('https://LOGIN.MicrosoftOnline.com/', 'LOGIN.MicrosoftOnline.com'), 'DIRECT');
  assert.equal(find('https://www.example.com/', 'www.example.com'), 'PROXY proxy.corp.example:3128');
  // A look-alike domain is not Microsoft's.
  assert.equal(find('https://evilmicrosoft.com/', 'evilmicrosoft.com'), 'PROXY proxy.corp.example:3128');
  const suffixLines = pac.lines.filter((l) => l.includes('dnsDomainIs'));
  assert.equal(suffixLines.length, 4, 'one line per deduplicated domain');
  assert.ok(pac.lines.some((l) => l.includes('dnsDomainIs(host, ".microsoftonline.com")')));
  assert.ok(
    !h.text.includes('s3cret') && !h.text.includes('alice'),
    'proxy credentials never reach the hand-off',
  );
});

test('the PAC file runs in the PAC engine the agent uses', async () => {
  const h = adminHandoff({
    catalog,
    findings: [{ id: 'proxy.unreachable' }],
    proxyUrl: 'https://proxy.lab:8443',
  });
  const script = await compilePac(
    section(h, 'pac').lines.join('\n'),
    {
      ctx: { interlock: createInterlock({ enabled: true }), systemResolver: '127.0.0.1:1' },
      myIpAddress: '127.0.0.1',
    },
    { timeoutMs: 10_000 },
  );
  try {
    assert.equal(await script.findProxy('https://teams.microsoft.com/', { timeoutMs: 10_000 }), 'DIRECT');
    assert.equal(await script.findProxy('https://aadcdn.msftauth.net/x', { timeoutMs: 10_000 }), 'DIRECT');
    assert.equal(
      await script.findProxy('https://intranet.lab/', { timeoutMs: 10_000 }),
      'HTTPS proxy.lab:8443',
    );
  } finally {
    script.dispose();
  }
});

test('without a known proxy the PAC falls back to a marked placeholder', () => {
  const pac = section(adminHandoff({ catalog, findings: [{ id: 'proxy.auth_required' }] }), 'pac');
  assert.equal(runPac(pac.lines)('https://a.example/', 'a.example'), 'PROXY proxy.example.com:8080');
  assert.ok(pac.lines.at(-1)?.startsWith('// Replace "PROXY proxy.example.com:8080"'));
});

test('a hostile catalog host cannot inject code into the PAC file', () => {
  const evil: Catalog = {
    ...catalog,
    endpoints: [{ host: 'a.b");globalThis.pwned=1;("', port: 443, purpose: 'auth', required: true }],
    media: [],
  };
  const find = runPac(
    section(adminHandoff({ catalog: evil, findings: [{ id: 'proxy.unreachable' }] }), 'pac').lines,
  );
  assert.equal(find('https://x/', 'x'), 'PROXY proxy.example.com:8080');
  assert.equal((globalThis as { pwned?: number }).pwned, undefined);
});

test('TLS-inspection bypass list: wildcards of the deduplicated domains', () => {
  const h = adminHandoff({
    catalog,
    findings: [{ id: 'tls.inspection', facts: { issuer: 'Lab Interceptor CA' } }],
  });
  assert.deepEqual(section(h, 'tls').lines, [
    '*.microsoft.com',
    '*.microsoftonline.com',
    '*.msftauth.net',
    '*.teams.cdn.office.net',
  ]);
  assert.ok(h.text.includes('(certificates issued by Lab Interceptor CA)'));
});

test('sections follow the findings; with none that call for one, the full hand-off', () => {
  const kinds = (findings: { id: string }[]) =>
    adminHandoff({ catalog, findings }).sections.map((s) => s.kind);
  assert.deepEqual(kinds([{ id: 'tls.inspection' }]), ['findings', 'pac', 'tls']);
  assert.deepEqual(kinds([{ id: 'media.udp_blocked' }]), ['findings', 'firewall']);
  assert.deepEqual(kinds([{ id: 'dns.hijacked' }]), ['findings', 'dns']);
  assert.deepEqual(kinds([]), ['firewall', 'pac', 'tls']);
  assert.deepEqual(kinds([{ id: 'credentials.cache_present' }]), ['findings', 'firewall', 'pac', 'tls']);
});

test('the text file: a title, underlined section titles, lines verbatim, one final newline', () => {
  const h = adminHandoff({ catalog, findings: [] });
  const lines = h.text.split('\n');
  assert.equal(lines[0], 'Reconnect admin hand-off for Microsoft Teams sign-in (catalog: lab)');
  for (const s of h.sections) {
    const at = lines.indexOf(s.title);
    assert.ok(at > 0, s.title);
    assert.equal(lines[at + 1], '-'.repeat(s.title.length));
    assert.deepEqual(lines.slice(at + 2, at + 2 + s.lines.length), s.lines);
  }
  assert.ok(h.text.endsWith('\n*.teams.cdn.office.net\n') && !h.text.endsWith('\n\n'));
});

test('proxy URLs become PAC directives; unusable ones are refused with the accepted forms', () => {
  assert.equal(pacDirective('http://proxy:3128'), 'PROXY proxy:3128');
  assert.equal(pacDirective('http://proxy'), 'PROXY proxy:80');
  assert.equal(pacDirective('socks5://10.0.0.1:1080'), 'SOCKS5 10.0.0.1:1080');
  assert.throws(() => pacDirective('ftp://proxy:21'), /expected http:, https:, socks:, socks4: or socks5:/);
  assert.throws(() => pacDirective('not a url'), /is not a URL; expected e\.g\. http:/);
});

test('port lists collapse into ranges', () => {
  assert.equal(portRanges([3481, 3478, 3479, 3480]), '3478-3481');
  assert.equal(portRanges([443, 80, 3478, 3479]), '80, 443, 3478-3479');
});

test('a VPN finding brings the split-tunnel exclusions: every Optimize range, what is tunnelled now, the misrouted hosts', () => {
  const withRanges = { ...catalog, optimizeRanges: ['52.112.0.0/14', '2603:1063::/38'] };
  const h = adminHandoff({
    catalog: withRanges,
    findings: [
      {
        id: 'vpn.split_misrouted',
        facts: { hosts: ['login.microsoftonline.com'], route: 'tun0', path: 'tunnel' },
      },
      { id: 'vpn.optimize_tunneled', facts: { ranges: ['52.112.0.0/14'], interface: 'tun0' } },
    ],
  });
  const vpn = section(h, 'vpn');
  assert.ok(vpn.lines.includes('  52.112.0.0/14   (tunnelled now)'));
  assert.ok(vpn.lines.includes('  2603:1063::/38'));
  assert.ok(vpn.lines.some((l) => l.includes('into the tunnel (tun0)')));
  assert.ok(vpn.lines.includes('  login.microsoftonline.com'));
  assert.ok(h.text.includes('VPN: split-tunnel exclusions'));
  // Without a VPN finding there is no VPN section.
  assert.ok(
    !adminHandoff({ catalog: withRanges, findings: [{ id: 'tls.inspection' }] }).sections.some(
      (s) => s.kind === 'vpn',
    ),
  );
});
