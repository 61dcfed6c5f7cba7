/**
 * The hand-off reads as prose for the IT admin (issue 14 item 6): every finding of the table,
 * with the facts diagnosis gives it in the lab, becomes a sentence that names what was measured
 * and carries no bracketed list, no `key=value`, no finding id and no undefined/NaN; a case's
 * earlier finding stays in the hand-off when a later one replaces it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { adminHandoff } from '../../bot/playbooks/handoff.ts';
import { FINDING_IDS, FINDINGS, type FindingId } from '../../probes/findings.ts';
import type { ProbeResult } from '../../probes/types.ts';
import { chat } from '../core/fake-channel.ts';
import { LAB_CATALOG, probe } from './lab-handoff.ts';

const catalog = LAB_CATALOG;

const HOSTS = [
  'login.microsoftonline.com',
  'teams.microsoft.com',
  'aadcdn.msftauth.net',
  'go.trouter.teams.microsoft.com',
];

/**
 * Facts as the rules of probes/diagnosis/rules.json give each finding in the lab, and a value
 * the sentence must carry. Typed by the finding table: a new id without lab facts fails tsc.
 */
const LAB: Record<FindingId, { facts: Record<string, unknown>; shows: string[] }> = {
  'network.offline': {
    facts: { resolversTried: 4, connectionsTried: 8 },
    shows: ['no working network path'],
  },
  'network.captive_portal': {
    facts: { redirectsTo: 'http://127.0.0.1:8080/login', page: 'Guest Wi-Fi' },
    shows: ['http://127.0.0.1:8080/login'],
  },
  'clock.skew': { facts: { offsetSeconds: 7260, direction: 'behind' }, shows: ['2 hours behind'] },
  'proxy.unreachable': {
    facts: { proxy: 'http://127.0.0.1:3128', source: 'env' },
    shows: ['http://127.0.0.1:3128'],
  },
  'proxy.auth_required': {
    facts: { proxy: 'http://127.0.0.1:3129', source: 'env' },
    shows: ['http://127.0.0.1:3129', '407'],
  },
  'dns.all_failed': {
    facts: { hosts: HOSTS, systemError: 'timeout' },
    shows: ['10.20.0.53', 'and 3 other hosts'],
  },
  'dns.system_failed': {
    facts: { hosts: HOSTS, error: 'nxdomain', publicResolverAnswers: true },
    shows: ['10.20.0.53 answered NXDOMAIN', 'login.microsoftonline.com and 3 other hosts'],
  },
  'dns.hijacked': {
    facts: {
      hosts: ['login.microsoftonline.com'],
      addresses: ['10.9.9.9'],
      how: 'answers with private addresses (10.9.9.9)',
    },
    shows: ['10.9.9.9'],
  },
  'network.intermittent': {
    facts: {
      hosts: ['teams.microsoft.com:443'],
      failureRate: 0.3,
      rounds: 10,
      failed: 3,
      latencyMs: { p50: 20, p90: 80, max: 300 },
      flaps: 2,
    },
    shows: ['3 of 10 rounds'],
  },
  'vpn.split_misrouted': {
    facts: { hosts: ['teams.microsoft.com'], route: 'tun0', gateway: '10.8.0.1', path: 'tunnel' },
    shows: ['into the VPN tunnel (tun0)'],
  },
  'firewall.blocked': {
    facts: { hosts: ['login.microsoftonline.com:443', 'teams.microsoft.com:443'], mode: 'dropped' },
    shows: ['silently dropped', 'login.microsoftonline.com:443 and teams.microsoft.com:443'],
  },
  'firewall.sni_filtered': {
    facts: { names: ['login.microsoftonline.com'], addresses: ['127.0.0.5'], acceptedName: 'example.test' },
    shows: ['example.test'],
  },
  'tls.handshake_failed': {
    facts: { hosts: ['teams.microsoft.com'], error: 'reset' },
    shows: ['teams.microsoft.com'],
  },
  'tls.inspection': {
    facts: { issuer: 'Lab Interceptor CA', hosts: ['login.microsoftonline.com'] },
    shows: ['Lab Interceptor CA'],
  },
  'tls.untrusted': {
    facts: {
      reason: 'expired',
      issuer: 'Lab Microsoft CA',
      hosts: ['login.microsoftonline.com'],
      likelyCause: null,
    },
    shows: ['has expired', 'Lab Microsoft CA'],
  },
  'proxy.websocket_blocked': {
    facts: { hosts: ['go.trouter.teams.microsoft.com'], status: 403, blockedBy: 'proxy' },
    shows: ['HTTP 403'],
  },
  'service.unavailable': { facts: { hosts: ['teams.microsoft.com'], status: 503 }, shows: ['HTTP 503'] },
  'device.not_registered': {
    facts: { state: { joined: false, registered: false } },
    shows: ['neither Entra-joined'],
  },
  'broker.unhealthy': { facts: { state: { package: null } }, shows: ['BrokerPlugin'] },
  'media.udp_blocked': { facts: { portsTried: 4 }, shows: ['UDP 3478-3481'] },
  'ipv6.broken': {
    facts: { hosts: ['teams.microsoft.com'], addresses: ['::1'], error: 'timeout' },
    shows: ['teams.microsoft.com'],
  },
  'vpn.optimize_tunneled': {
    facts: { ranges: ['52.112.0.0/14', '2603:1063::/38'], interface: 'tun0', hosts: [] },
    shows: ['52.112.0.0/14 and 2603:1063::/38', 'tun0'],
  },
  'vpn.active': { facts: { interfaces: ['tun0'] }, shows: ['tun0'] },
  'credentials.cache_present': {
    facts: { locations: ['/home/amira/.config/teams'] },
    shows: ['stored sign-in tokens'],
  },
  'endpoint.failed': {
    facts: { hosts: ['teams.microsoft.com'], states: ['error'] },
    shows: ['teams.microsoft.com cannot be reached'],
  },
};

/** The probes a lab run leaves behind: the system resolver's failed lookup, the device check's sentence. */
const PROBES: ProbeResult[] = [
  probe(
    'dns:login.microsoftonline.com@system',
    'fail',
    { server: '10.20.0.53:53' },
    { phase: 'dns', code: 'nxdomain', detail: 'NXDOMAIN' },
  ),
  probe(
    'device:registration',
    'fail',
    {},
    {
      phase: 'setup',
      code: 'not_registered',
      detail:
        'This device is not joined to any directory: it is neither Entra-joined, hybrid-joined nor Entra-registered.',
    },
  ),
  probe(
    'broker:wam',
    'fail',
    {},
    { phase: 'setup', code: 'broker_missing', detail: 'Microsoft.AAD.BrokerPlugin is not installed.' },
  ),
];
const EVIDENCE: Partial<Record<FindingId, string[]>> = {
  'dns.system_failed': ['dns:login.microsoftonline.com@system'],
  'dns.all_failed': ['dns:login.microsoftonline.com@system'],
  'device.not_registered': ['device:registration'],
  'broker.unhealthy': ['broker:wam'],
};

const ID = new RegExp(`(?<![\\w.])(${FINDING_IDS.map((id) => id.replace('.', '\\.')).join('|')})(?![\\w])`);
/** What the hand-off must never show a person: raw facts, ids, holes. */
function rawProblems(line: string): string[] {
  const out: string[] = [];
  if (/\[[^\]]*\]/.test(line)) out.push('a bracketed list');
  if (/\b[A-Za-z_]+=\S/.test(line)) out.push('key=value');
  if (ID.test(line)) out.push('a finding id');
  if (/\bundefined\b|\bNaN\b|\bnull\b|\[object Object\]|\{|\}/.test(line))
    out.push('a hole (undefined, NaN, null, an object)');
  if (
    /\b(resolversTried|systemError|publicResolverAnswers|offsetSeconds|acceptedName|redirectsTo)\b/.test(line)
  )
    out.push('a fact key');
  return out;
}

const findingsLines = (h: ReturnType<typeof adminHandoff>) =>
  h.sections.find((s) => s.kind === 'findings')?.lines ?? [];

for (const id of FINDING_IDS) {
  test(`hand-off prose for ${id}: what was measured, no raw facts`, () => {
    const lab = LAB[id];
    const h = adminHandoff({
      catalog,
      findings: [{ id, severity: FINDINGS[id].severity, facts: lab.facts, evidence: EVIDENCE[id] ?? [] }],
      probes: PROBES,
    });
    const [line] = findingsLines(h);
    assert.ok(line, 'a findings line');
    assert.deepEqual(rawProblems(line), [], line);
    for (const shown of lab.shows) assert.ok(line.includes(shown), `"${line}" names ${shown}`);
    // The same finding without any facts (a result code, a thin paste) still reads as a sentence.
    const [bare] = findingsLines(adminHandoff({ catalog, findings: [{ id }] }));
    assert.deepEqual(rawProblems(bare), [], bare);
    assert.match(bare, /^1\. (Blocks sign-in|Degrades Teams|Note): [A-Z].+\.$/);
  });
}

test("the issue's example: the resolver and the failing hosts, in one sentence", () => {
  const [line] = findingsLines(
    adminHandoff({
      catalog,
      findings: [
        {
          id: 'dns.system_failed',
          severity: 'blocking',
          facts: LAB['dns.system_failed'].facts,
          evidence: EVIDENCE['dns.system_failed'],
        },
      ],
      probes: PROBES,
    }),
  );
  assert.equal(
    line,
    "1. Blocks sign-in: This computer's DNS resolver 10.20.0.53 answered NXDOMAIN (no such name) for login.microsoftonline.com and 3 other hosts, while a public resolver finds them.",
  );
});

test("result codes' fact classes read as words, never as their class names", () => {
  const lines = findingsLines(
    adminHandoff({
      catalog,
      findings: [
        { id: 'clock.skew', facts: { offset: 'behind_1h_1d' } },
        { id: 'tls.untrusted', facts: { reason: 'unknown_ca' } },
        { id: 'firewall.blocked', facts: { mode: 'refused' } },
        { id: 'dns.system_failed', facts: { error: 'servfail' } },
      ],
    }),
  );
  for (const line of lines) {
    assert.deepEqual(rawProblems(line), [], line);
    assert.doesNotMatch(line, /behind_|unknown_ca|_1d/);
  }
  assert.match(lines[0], /behind of the right time by an hour to a day/);
  assert.match(lines[3], /answered SERVFAIL/);
});

test('an earlier finding no longer seen stays in the hand-off, after the current ones', () => {
  const lines = findingsLines(
    adminHandoff({
      catalog,
      findings: [{ id: 'tls.inspection', severity: 'blocking', facts: { issuer: 'Zscaler' } }],
      earlier: [
        {
          id: 'dns.system_failed',
          severity: 'blocking',
          facts: { hosts: ['login.microsoftonline.com'], error: 'nxdomain' },
        },
        // Present now as well: listed once.
        { id: 'tls.inspection', severity: 'blocking', facts: {} },
      ],
    }),
  );
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^1\. Blocks sign-in: A TLS-inspecting product \(certificates issued by Zscaler\)/);
  assert.match(
    lines[1],
    /^2\. Blocks sign-in \(found earlier in this case, not seen in the latest check\): .*NXDOMAIN/,
  );
});

const paste = (name: string) => readFileSync(new URL(`../fixtures/paste/${name}`, import.meta.url), 'utf8');

test('a two-finding case through the core: a later paste does not drop the first finding from the hand-off', async () => {
  const c = chat();
  await c.say('CAA20004 windows at home');
  await c.say(paste('nslookup-windows-nxdomain.txt'));
  const first = await c.session();
  assert.ok(
    first.findings.some((f) => f.id === 'dns.system_failed'),
    'the nslookup paste finds the DNS failure',
  );
  // curl through the inspecting proxy: the proxy resolves the name, so the DNS finding goes away
  // from the latest diagnosis; the case must still remember it.
  await c.say(paste('curl-v-inspection.txt'));
  const s = await c.session();
  assert.ok(
    s.findings.some((f) => f.id === 'tls.inspection'),
    'the curl paste finds the inspection',
  );
  const { verb, ...data } = { verb: 'handoff.show' as const, sessionId: s.id, version: s.viewVersion };
  await c.engine.handle({
    id: 'handoff-click',
    kind: 'action',
    verb,
    data,
    conversationKey: s.conversationKey,
    channel: 'webchat',
    conversation: { id: 'conv-1' },
    actor: { id: s.user.id, role: 'user' },
    at: '2026-11-27T10:10:00.000Z',
  });
  const view = c.channel.card('handoff').view;
  assert.ok(view.screen === 'handoff');
  const lines = view.sections.find((x) => x.title === 'What the device measured')?.lines ?? [];
  assert.ok(
    lines.some((l) => /TLS-inspecting product/.test(l)),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((l) => /DNS resolver 192\.168\.1\.1 answered NXDOMAIN .*login\.microsoftonline\.com/.test(l)),
    lines.join('\n'),
  );
  for (const l of lines) assert.deepEqual(rawProblems(l), [], l);
});
