/**
 * Pasted command output → the agent's probe results → diagnosis. Every fixture in
 * test/fixtures/paste/ is listed here with the results it must yield and the finding
 * diagnose() must then name (none for healthy output); malformed ones must say what is wrong
 * and yield nothing.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { manualReport } from '../../bot/core/manual-report.ts';
import { detectPaste, type PasteTool, parsePaste } from '../../probes/paste/index.ts';
import { probeId } from '../../probes/types.ts';

const DIR = new URL('../fixtures/paste/', import.meta.url);
const NOW = '2026-11-27T10:00:00.000Z';
const HOST = 'login.microsoftonline.com';
const read = (name: string) => readFileSync(new URL(name, DIR), 'utf8');
const parse = (text: string) => parsePaste(text, { now: NOW, defaultHost: HOST });

/** `id=status/code` per result, in the order parsed. */
type Case = { tool: PasteTool; results: string[]; findings: string[]; facts?: Record<string, unknown> };

const SYS = `dns:${HOST}@system`;
const TCP = `tcp:${HOST}:443`;
const TLS = `tls:${HOST}:443`;
const HTTPS = `https:${HOST}:443`;

const CASES: Record<string, Case> = {
  'nslookup-windows-ok.txt': { tool: 'nslookup', results: [`${SYS}=pass`], findings: [] },
  'nslookup-windows-nxdomain.txt': {
    tool: 'nslookup',
    results: [`${SYS}=fail/nxdomain`],
    findings: ['dns.system_failed'],
    facts: { error: 'nxdomain' },
  },
  'nslookup-windows-servfail.txt': {
    tool: 'nslookup',
    results: [`${SYS}=fail/servfail`],
    findings: ['dns.system_failed'],
  },
  'nslookup-windows-timeout.txt': {
    tool: 'nslookup',
    results: [`${SYS}=fail/dns_timeout`],
    findings: ['network.offline'],
  },
  'nslookup-windows-system-and-public.txt': {
    tool: 'nslookup',
    results: [`${SYS}=fail/nxdomain`, `dns:${HOST}@1.1.1.1=pass`],
    findings: ['dns.system_failed'],
    facts: { publicResolverAnswers: true },
  },
  'nslookup-windows-sinkhole-and-public.txt': {
    tool: 'nslookup',
    results: [`${SYS}=pass`, `dns:${HOST}@8.8.8.8=pass`],
    findings: ['dns.hijacked'],
    facts: { addresses: ['0.0.0.0'] },
  },
  'nslookup-macos-ok.txt': { tool: 'nslookup', results: [`${SYS}=pass`], findings: [] },
  'nslookup-linux-nxdomain.txt': {
    tool: 'nslookup',
    results: [`${SYS}=fail/nxdomain`],
    findings: ['dns.system_failed'],
  },
  'nslookup-linux-servfail.txt': {
    tool: 'nslookup',
    results: [`${SYS}=fail/servfail`],
    findings: ['dns.system_failed'],
  },
  'nslookup-linux-timeout.txt': {
    tool: 'nslookup',
    results: [`${SYS}=fail/dns_timeout`],
    findings: ['network.offline'],
  },
  'dig-linux-ok.txt': { tool: 'dig', results: [`${SYS}=pass`], findings: [] },
  'dig-macos-nxdomain.txt': {
    tool: 'dig',
    results: [`${SYS}=fail/nxdomain`],
    findings: ['dns.system_failed'],
  },
  'dig-servfail.txt': { tool: 'dig', results: [`${SYS}=fail/servfail`], findings: ['dns.system_failed'] },
  'dig-timeout.txt': { tool: 'dig', results: [`${SYS}=fail/dns_timeout`], findings: ['network.offline'] },
  'dig-system-nxdomain-public-ok.txt': {
    tool: 'dig',
    results: [`${SYS}=fail/nxdomain`, `dns:${HOST}@1.1.1.1=pass`],
    findings: ['dns.system_failed'],
  },
  'dig-hijacked-cname.txt': {
    tool: 'dig',
    results: [`${SYS}=pass`, `dns:${HOST}@8.8.8.8=pass`],
    findings: ['dns.hijacked'],
    facts: { addresses: ['10.99.0.7'] },
  },
  'curl-I-ok.txt': { tool: 'curl', results: [`${SYS}=pass`, `${TCP}=pass`, `${HTTPS}=pass`], findings: [] },
  'curl-I-proxy-ok.txt': { tool: 'curl', results: [`${HTTPS}=pass`], findings: [] },
  'curl-I-proxy-407.txt': {
    tool: 'curl',
    results: [`${HTTPS}=fail/proxy_auth_required`],
    findings: ['proxy.auth_required'],
  },
  'curl-v-proxy-407.txt': {
    tool: 'curl',
    results: [`${HTTPS}=fail/proxy_auth_required`],
    findings: ['proxy.auth_required'],
    facts: { proxy: 'http://proxy.contoso.com:8080' },
  },
  'curl-v-ok.txt': {
    tool: 'curl',
    results: [`${SYS}=pass`, `${TCP}=pass`, `${TLS}=pass`, `${HTTPS}=pass`],
    findings: [],
  },
  'curl-v-inspection.txt': {
    tool: 'curl',
    results: [`${TLS}=warn/untrusted`, `${HTTPS}=pass`],
    findings: ['tls.inspection'],
    facts: { issuer: 'Zscaler Intermediate Root CA (zscalerthree.net) (t)' },
  },
  'curl-windows-schannel-untrusted.txt': {
    tool: 'curl',
    results: [`${SYS}=pass`, `${TCP}=pass`, `${TLS}=fail/unknown_ca`, `${HTTPS}=fail/unknown_ca`],
    findings: ['tls.untrusted'],
    facts: { reason: 'unknown_ca' },
  },
  'curl-cert-expired.txt': {
    tool: 'curl',
    results: [`${SYS}=pass`, `${TCP}=pass`, `${TLS}=fail/expired`, `${HTTPS}=fail/expired`],
    findings: ['tls.untrusted'],
    facts: { reason: 'expired' },
  },
  'curl-self-signed-in-chain.txt': {
    tool: 'curl',
    results: [`${SYS}=pass`, `${TCP}=pass`, `${TLS}=fail/unknown_ca`, `${HTTPS}=fail/unknown_ca`],
    findings: ['tls.untrusted'],
  },
  'curl-resolve-failed.txt': {
    tool: 'curl',
    results: [`${SYS}=fail/nxdomain`, `${HTTPS}=fail/nxdomain`],
    findings: ['dns.system_failed'],
  },
  'curl-connect-timeout.txt': {
    tool: 'curl',
    results: [`${SYS}=pass`, `${TCP}=fail/timeout`, `${HTTPS}=fail/timeout`],
    findings: ['firewall.blocked'],
    facts: { mode: 'dropped' },
  },
  'curl-connect-refused.txt': {
    tool: 'curl',
    results: [`${SYS}=pass`, `${TCP}=fail/refused`, `${HTTPS}=fail/refused`],
    findings: ['firewall.blocked'],
    facts: { mode: 'refused' },
  },
  'curl-proxy-refused.txt': {
    tool: 'curl',
    results: [`${HTTPS}=fail/proxy_unreachable`],
    findings: ['proxy.unreachable'],
    facts: { proxy: 'http://proxy.contoso.com:3128' },
  },
  'curl-handshake-reset.txt': {
    tool: 'curl',
    results: [`${SYS}=pass`, `${TCP}=pass`, `${TLS}=fail/handshake_reset`, `${HTTPS}=fail/handshake_reset`],
    findings: ['tls.handshake_failed'],
  },
  'curl-5xx.txt': {
    tool: 'curl',
    results: [`${SYS}=pass`, `${TCP}=pass`, `${HTTPS}=fail/http_5xx`],
    findings: ['service.unavailable'],
    facts: { status: 503 },
  },
  'curl-blocked-by-filter.txt': {
    tool: 'curl',
    results: [`${HTTPS}=fail/http_blocked`],
    findings: ['firewall.blocked'],
    facts: { mode: 'proxy_denied' },
  },
  'netsh-winhttp-direct.txt': { tool: 'netsh-winhttp', results: ['proxy:discovery=pass'], findings: [] },
  'netsh-winhttp-proxy.txt': { tool: 'netsh-winhttp', results: ['proxy:discovery=pass'], findings: [] },
  'netsh-winhttp-advproxy-win11.txt': {
    tool: 'netsh-winhttp',
    results: ['proxy:discovery=pass'],
    findings: [],
  },
  'openssl-ok.txt': { tool: 'openssl', results: [`${TLS}=pass`], findings: [] },
  'openssl-inspection-untrusted.txt': {
    tool: 'openssl',
    results: [`${TLS}=fail/unknown_ca`],
    findings: ['tls.untrusted'],
    facts: { issuer: 'FortiGate CA', reason: 'unknown_ca' },
  },
  'openssl-x509-issuer-inspection.txt': {
    tool: 'openssl',
    results: [`${TLS}=warn/untrusted`],
    findings: ['tls.inspection'],
    facts: { issuer: 'Zscaler Intermediate Root CA (zscalerthree.net) (t)' },
  },
  'openssl-x509-issuer-microsoft.txt': { tool: 'openssl', results: [`${TLS}=pass`], findings: [] },
  'openssl-x509-expired.txt': {
    tool: 'openssl',
    results: [`${TLS}=fail/expired`],
    findings: ['tls.untrusted'],
    facts: { reason: 'expired' },
  },
  'openssl-reset.txt': {
    tool: 'openssl',
    results: [`${TLS}=fail/handshake_reset`],
    findings: ['tls.handshake_failed'],
  },
  'certutil-verify-ok.txt': { tool: 'certutil', results: [`${TLS}=pass`], findings: [] },
  'certutil-verify-untrusted-root.txt': {
    tool: 'certutil',
    results: [`${TLS}=fail/unknown_ca`],
    findings: ['tls.untrusted'],
    facts: { issuer: 'Contoso SSL Inspection CA' },
  },
};

/** Unreadable output: the tool is recognised, nothing is made up, and the problem names the tool. */
const MALFORMED: Record<string, { tool: PasteTool; says: RegExp }> = {
  'nslookup-malformed-truncated.txt': { tool: 'nslookup', says: /cut off/ },
  'dig-malformed-truncated.txt': { tool: 'dig', says: /status/ },
  'curl-malformed.txt': { tool: 'curl', says: /HTTP\/… status/ },
  'netsh-winhttp-malformed-not-found.txt': { tool: 'netsh-winhttp', says: /no WinHTTP header/ },
  'certutil-malformed.txt': { tool: 'certutil', says: /ERROR_FILE_NOT_FOUND/ },
};

const NOT_PASTES = ['not-a-paste-sentence.txt', 'not-a-paste-ping.txt'];

test('every fixture in test/fixtures/paste is covered by a case here', () => {
  const listed = new Set([...Object.keys(CASES), ...Object.keys(MALFORMED), ...NOT_PASTES]);
  for (const file of readdirSync(DIR)) assert.ok(listed.has(file), `${file} has no expectation`);
});

for (const [file, expected] of Object.entries(CASES)) {
  test(`${file}: ${expected.tool} → ${expected.findings.join(', ') || 'no problem'}`, () => {
    const text = read(file);
    assert.equal(detectPaste(text), expected.tool);
    const parsed = parse(text);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(
      parsed.probes.map((p) => `${p.id}=${p.status}${p.failure ? `/${p.failure.code}` : ''}`),
      expected.results,
    );
    const report = manualReport({ probes: parsed.probes, startedAt: NOW });
    const problems = report.findings.filter((f) => f.severity !== 'info').map((f) => f.id);
    assert.deepEqual(problems, expected.findings);
    for (const [key, value] of Object.entries(expected.facts ?? {})) {
      assert.deepEqual(report.findings[0].facts[key], value, `${file}: fact ${key}`);
    }
  });
}

test('pasted results have the agent probes’ shape: id from probeId, all five phases, failure and error when not pass', () => {
  for (const file of Object.keys(CASES)) {
    for (const p of parse(read(file)).probes) {
      assert.equal(p.id, probeId(p.kind, p.target), file);
      assert.deepEqual(Object.keys(p.phases).sort(), ['connect', 'dns', 'firstByte', 'proxy', 'tls'], file);
      assert.equal(
        (p.detail as { pasted?: string }).pasted,
        CASES[file].tool === 'netsh-winhttp' ? 'netsh-winhttp' : CASES[file].tool,
      );
      if (p.status === 'pass') assert.equal(p.failure, undefined, file);
      else {
        assert.ok(p.failure && p.failure.detail.length > 0, `${file}: ${p.id} has no failure`);
        assert.ok(p.error && p.error.code.length > 0, `${file}: ${p.id} has no error`);
      }
    }
  }
});

test('DNS details carry what the tool printed: CNAME chain, addresses, server, rcode', () => {
  const [win] = parse(read('nslookup-windows-ok.txt')).probes;
  assert.deepEqual(win.detail.cname, [
    'login.mso.msidentity.com',
    'ak.privatelink.msidentity.com',
    'www.tm.ak.prd.aadg.trafficmanager.net',
  ]);
  assert.deepEqual(win.detail.addresses, [
    '2603:1037:1:c8::8',
    '2603:1037:1:c8::a',
    '20.190.151.68',
    '20.190.151.9',
    '40.126.23.97',
  ]);
  assert.equal(win.detail.server, '192.168.1.1:53');
  const [dig] = parse(read('dig-linux-ok.txt')).probes;
  assert.equal(dig.detail.rcode, 'NOERROR');
  assert.equal(dig.detail.ttl, 19);
  assert.equal(dig.durationMs, 23);
  assert.deepEqual(dig.detail.addresses, ['20.190.151.68', '40.126.23.97', '20.190.151.9']);
  const [mac] = parse(read('nslookup-macos-ok.txt')).probes;
  assert.deepEqual(mac.detail.cname, dig.detail.cname);
  const [nx] = parse(read('dig-macos-nxdomain.txt')).probes;
  assert.equal(nx.detail.rcode, 'NXDOMAIN');
  assert.equal(nx.error?.code, 'ENOTFOUND');
});

test('a netsh WinHTTP proxy plus curl failing to reach it is proxy.unreachable, with WinHTTP as the source', () => {
  const probes = [
    ...parse(read('netsh-winhttp-proxy.txt')).probes,
    ...parse(read('curl-proxy-refused.txt')).probes,
  ];
  assert.deepEqual(probes[0].detail, {
    source: 'winhttp',
    bypass: ['<local>', '*.contoso.com'],
    url: 'http://proxy.contoso.com:3128',
    pasted: 'netsh-winhttp',
  });
  const report = manualReport({ probes, startedAt: NOW });
  assert.equal(report.environment.proxy.source, 'winhttp');
  assert.deepEqual(
    report.findings.map((f) => f.id),
    ['proxy.unreachable'],
  );
});

for (const [file, expected] of Object.entries(MALFORMED)) {
  test(`${file}: recognised as ${expected.tool}, unreadable, says why, yields no result`, () => {
    const text = read(file);
    assert.equal(detectPaste(text), expected.tool);
    const parsed = parse(text);
    assert.deepEqual(parsed.probes, []);
    assert.equal(parsed.problems.length, 1);
    assert.match(parsed.problems[0], new RegExp(`^${expected.tool}: `));
    assert.match(parsed.problems[0], expected.says);
  });
}

test('ordinary words and other tools’ output are not taken for a paste', () => {
  for (const file of NOT_PASTES) assert.equal(detectPaste(read(file)), undefined, file);
  for (const text of [
    'Teams says CAA20004',
    'I ran nslookup and it failed',
    'curl failed to verify',
    'dig deeper',
  ]) {
    assert.equal(detectPaste(text), undefined, text);
    assert.deepEqual(parse(text), { tools: [], probes: [], problems: [] });
  }
});

test('certificate dates are judged against the bot’s clock only when it is given', () => {
  const text = read('openssl-x509-expired.txt');
  assert.equal(parsePaste(text, { defaultHost: HOST }).probes[0].status, 'pass');
  assert.equal(parsePaste(text, { defaultHost: HOST, now: '2026-03-01T00:00:00Z' }).probes[0].status, 'pass');
  assert.equal(parsePaste(text, { defaultHost: HOST, now: NOW }).probes[0].failure?.code, 'expired');
});
