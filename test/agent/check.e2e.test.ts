/**
 * `reconnect-agent check --catalog <lab> --json` against lab scenarios: for every finding id a
 * lab can produce, the ids, their order and the verdict; a healthy lab; and several
 * scenarios with two faults at once. Scenarios describe what the network does; the agent
 * has to work out the cause from what it measures.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import type { Catalog } from '../../probes/types.ts';
import { diagnoseWithAdaptiveExpressions } from '../diagnosis/oracle.ts';
import { createLabNetns } from '../lab/netns.ts';
import { startScenario } from '../lab/scenario.ts';
import { AGENT_BUNDLE, ids, runAgent } from './agent-run.ts';
import { type Case, fact, runScenarioCases } from './cases.ts';

const CASES: Case[] = [
  {
    name: 'healthy lab: no blocking or degraded finding',
    spec: {},
    findings: [],
    verdict: 'healthy',
    check: (r) =>
      assert.ok(
        r.probes
          .filter((p) => p.kind !== 'device' && p.kind !== 'broker')
          // No AAAA answers in this lab: the IPv6 checks are skipped, never passed.
          .every((p) => p.status === 'pass' || (p.kind === 'ipv6' && p.status === 'skipped')),
      ),
  },
  {
    name: 'cached Teams data is reported as info and keeps the verdict healthy',
    spec: { caches: true },
    findings: ['credentials.cache_present'],
    verdict: 'healthy',
  },
  {
    name: 'the system resolver says NXDOMAIN while the public one answers',
    spec: { endpoints: { auth: { dns: 'nxdomain' }, service: { dns: 'nxdomain' } } },
    findings: ['dns.system_failed'],
    verdict: 'problems',
    check: (r) =>
      assert.deepEqual(fact(r, 'dns.system_failed', 'hosts'), ['login.lab.test', 'teams.lab.test']),
  },
  {
    name: 'every resolver fails (SERVFAIL) while the network itself works',
    spec: { all: { dns: 'servfail', publicDns: 'servfail' } },
    findings: ['dns.all_failed'],
    verdict: 'problems',
  },
  {
    name: 'no resolver answers and nothing connects: offline',
    spec: { dnsDown: true },
    findings: ['network.offline'],
    verdict: 'problems',
  },
  {
    name: 'the system resolver sinkholes a name to 0.0.0.0',
    spec: { endpoints: { auth: { dns: 'sinkhole' } } },
    findings: ['dns.hijacked'],
    verdict: 'problems',
    check: (r) => assert.deepEqual(fact(r, 'dns.hijacked', 'addresses'), ['0.0.0.0']),
  },
  {
    name: 'connections to two required hosts are refused',
    spec: { endpoints: { auth: { server: 'closed' }, service: { server: 'closed' } } },
    findings: ['firewall.blocked'],
    verdict: 'problems',
    check: (r) => assert.equal(fact(r, 'firewall.blocked', 'mode'), 'refused'),
  },
  {
    name: 'the configured proxy does not answer',
    spec: { proxy: 'unreachable' },
    findings: ['proxy.unreachable'],
    verdict: 'problems',
  },
  {
    name: 'the proxy wants credentials (407)',
    spec: { proxy: 'auth' },
    findings: ['proxy.auth_required'],
    verdict: 'problems',
  },
  {
    name: 'the proxy with credentials works',
    spec: { proxy: 'auth-with-credentials' },
    findings: [],
    verdict: 'healthy',
    check: (r) => assert.equal(r.environment.proxy.source, 'env'),
  },
  {
    name: 'something in the path refuses the WebSocket upgrade while HTTPS works',
    spec: { endpoints: { websocket: { websocket: 'refuse' } } },
    findings: ['proxy.websocket_blocked'],
    verdict: 'problems',
  },
  {
    name: 'a TLS inspector the system trusts re-signs Microsoft hosts',
    spec: { all: { cert: 'inspection' }, trustInspection: true },
    findings: ['tls.inspection'],
    verdict: 'problems',
    check: (r) => assert.equal(fact(r, 'tls.inspection', 'issuer'), 'Lab Zscaler Root CA'),
  },
  {
    name: 'an inspector the system does not trust: untrusted, unknown CA',
    spec: { endpoints: { auth: { cert: 'inspection' } } },
    findings: ['tls.untrusted'],
    verdict: 'problems',
    check: (r) => assert.equal(fact(r, 'tls.untrusted', 'reason'), 'unknown_ca'),
  },
  {
    name: 'an expired certificate with a correct clock',
    spec: { endpoints: { service: { cert: 'expired' } } },
    findings: ['tls.untrusted'],
    verdict: 'problems',
    check: (r) => {
      assert.equal(fact(r, 'tls.untrusted', 'reason'), 'expired');
      assert.equal(fact(r, 'tls.untrusted', 'likelyCause'), undefined);
    },
  },
  {
    name: 'a certificate for another name',
    spec: { endpoints: { auth: { cert: 'wrong-host' } } },
    findings: ['tls.untrusted'],
    verdict: 'problems',
    check: (r) => assert.equal(fact(r, 'tls.untrusted', 'reason'), 'hostname_mismatch'),
  },
  {
    name: 'the handshake is reset in the path',
    spec: { endpoints: { auth: { server: 'reset' } } },
    findings: ['tls.handshake_failed'],
    verdict: 'problems',
  },
  {
    name: 'time sources are 10 minutes ahead: blocking clock skew',
    spec: { serverClockOffsetMs: 10 * 60_000 },
    findings: ['clock.skew'],
    verdict: 'problems',
    check: (r) => {
      assert.equal(r.findings[0].severity, 'blocking');
      assert.ok(Math.abs(Number(fact(r, 'clock.skew', 'offsetSeconds')) - 600) < 5);
    },
  },
  {
    name: 'a 3-minute skew is degraded, not blocking',
    spec: { serverClockOffsetMs: 3 * 60_000 },
    findings: ['clock.skew'],
    verdict: 'problems',
    check: (r) => assert.equal(r.findings[0].severity, 'degraded'),
  },
  {
    name: "Microsoft's endpoint answers 503",
    spec: { endpoints: { auth: { status: 503 } } },
    findings: ['service.unavailable'],
    verdict: 'problems',
  },
  {
    name: 'STUN relays never answer: calls degraded',
    spec: { stun: 'silence' },
    findings: ['media.udp_blocked'],
    verdict: 'problems',
    check: (r) => assert.equal(r.findings[0].severity, 'degraded'),
  },
  // Two faults at once: the root cause must come first.
  {
    name: "two faults: this computer's clock is 400 days ahead, so certificates look expired",
    spec: { agentClock: '+400d' },
    findings: ['clock.skew', 'tls.untrusted'],
    verdict: 'problems',
    check: (r) => {
      assert.equal(fact(r, 'clock.skew', 'direction'), 'ahead');
      assert.equal(fact(r, 'tls.untrusted', 'reason'), 'expired');
      assert.equal(fact(r, 'tls.untrusted', 'likelyCause'), 'clock.skew');
    },
  },
  {
    name: 'two faults: a filtering resolver redirects sign-in to its block page',
    spec: { endpoints: { auth: { dns: 'redirect' } } },
    findings: ['dns.hijacked', 'tls.untrusted'],
    verdict: 'problems',
  },
  {
    name: 'two faults: an inspecting proxy that also refuses WebSockets',
    spec: { proxy: 'inspect-refuse-ws', trustInspection: true },
    findings: ['tls.inspection', 'proxy.websocket_blocked'],
    verdict: 'problems',
  },
  {
    name: 'two faults: proxy wants credentials and UDP media is blocked',
    spec: { proxy: 'auth', stun: 'silence' },
    findings: ['proxy.auth_required', 'media.udp_blocked'],
    verdict: 'problems',
  },
];

runScenarioCases('reconnect-agent check against lab scenarios', CASES);

describe('reconnect-agent check where the kernel drops packets (inside a lab namespace)', () => {
  test('SYN-ACKs from two required hosts never come back: firewall.blocked, dropped', async () => {
    const ns = await createLabNetns();
    const lab = await startScenario({ netns: ns });
    try {
      const catalog = JSON.parse(await readFile(lab.catalogPath, 'utf8')) as Catalog;
      for (const e of catalog.endpoints.filter((x) => x.purpose !== 'websocket')) {
        // Drop what comes back: a network that swallows packets leaves the sender waiting.
        await ns.iptables(
          '-A',
          'INPUT',
          '-p',
          'tcp',
          '-s',
          ns.hostAddress,
          '--sport',
          String(e.port),
          '-j',
          'DROP',
        );
      }
      const run = await runAgent(['check', '--catalog', lab.catalogPath, '--json'], lab.env, { netns: ns });
      assert.ok(run.report, run.stderr);
      assert.deepEqual(ids(run.report), ['firewall.blocked']);
      assert.equal(run.report.findings[0].facts.mode, 'dropped');
      assert.deepEqual(diagnoseWithAdaptiveExpressions(run.report).findings, run.report.findings);
    } finally {
      await lab.close();
      await ns.close();
    }
  });

  test('nothing comes back from anywhere: network.offline, within the 10 s budget', async () => {
    const ns = await createLabNetns();
    const lab = await startScenario({ netns: ns });
    try {
      await ns.iptables('-A', 'INPUT', '-s', ns.hostAddress, '-j', 'DROP');
      const run = await runAgent(['check', '--catalog', lab.catalogPath, '--json'], lab.env, { netns: ns });
      assert.ok(run.report, run.stderr);
      assert.deepEqual(ids(run.report), ['network.offline']);
      assert.ok(run.report.durationMs < 10_000, `took ${run.report.durationMs} ms`);
    } finally {
      await lab.close();
      await ns.close();
    }
  });
});

describe('reconnect-agent check --pac', () => {
  for (const entry of ['sources', 'bundle'] as const) {
    test(`a PAC file sends lab hosts through a proxy that wants credentials (${entry})`, async () => {
      const lab = await startScenario({ proxy: 'auth', pac: true });
      try {
        const args = ['check', '--catalog', lab.catalogPath, '--json', '--pac', lab.pacUrl ?? ''];
        const run = await runAgent(args, lab.env, entry === 'bundle' ? { entry: AGENT_BUNDLE } : {});
        assert.ok(run.report, run.stderr);
        assert.equal(run.report.environment.proxy.source, 'pac');
        assert.deepEqual(ids(run.report), ['proxy.auth_required']);
      } finally {
        await lab.close();
      }
    });
  }
});

describe('reconnect-agent check on a computer whose default route goes through a VPN', () => {
  test('vpn.active is reported, and the interlock refuses lab addresses once a default route exists', async () => {
    const ns = await createLabNetns();
    const lab = await startScenario({ netns: ns });
    try {
      // A tunnel interface (one end of a veth pair that stays in the namespace: what is sent
      // to it goes nowhere) carrying the default route, as a full-tunnel VPN client sets up.
      for (const args of [
        ['link', 'add', 'tun0', 'type', 'veth', 'peer', 'name', 'peer-tun0'],
        ['link', 'set', 'peer-tun0', 'up'],
        ['link', 'set', 'tun0', 'up'],
        ['addr', 'add', '10.99.0.2/24', 'dev', 'tun0'],
        ['route', 'add', 'default', 'dev', 'tun0'],
      ]) {
        const r = await ns.run('ip', args);
        assert.equal(r.code, 0, r.stderr);
      }
      const run = await runAgent(['check', '--catalog', lab.catalogPath, '--json'], lab.env, { netns: ns });
      assert.ok(run.report, run.stderr);
      assert.deepEqual(ids(run.report), ['vpn.active']);
      assert.deepEqual(run.report.findings[0].evidence, ['vpn:routes']);
      // With a default route the namespace is no longer closed: lab nets are not honoured, so
      // every lab target is refused before a packet is sent, and the verdict says so.
      const refused = run.report.probes.filter((p) => p.failure?.code === 'interlock');
      assert.ok(
        refused.some((p) => p.kind === 'tls'),
        'connection probes were refused by the interlock',
      );
      assert.equal(run.report.verdict, 'inconclusive');
    } finally {
      await lab.close();
      await ns.close();
    }
  });
});
