/**
 * Issue 15's deeper causes, end to end: `reconnect-agent check --json` against lab scenarios
 * for captive portals, name-based filtering, IPv6, VPN routes and faults that come and go, and
 * two-fault scenarios among them, each reported root cause first.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLabNetns } from '../lab/netns.ts';
import { startScenario } from '../lab/scenario.ts';
import { ids, runAgent } from './agent-run.ts';
import { assertCase, type Case, fact, runScenarioCases } from './cases.ts';

const CASES: Case[] = [
  {
    name: 'a captive portal redirects the portal check to its sign-in page',
    spec: { portal: 'redirect' },
    findings: ['network.captive_portal'],
    verdict: 'problems',
    check: (r) => {
      assert.equal(
        fact(r, 'network.captive_portal', 'redirectsTo'),
        'http://wifi.lab.test/login?orig=connecttest',
      );
      assert.deepEqual(r.findings[0].evidence, [r.probes.find((p) => p.kind === 'portal')?.id]);
    },
  },
  {
    name: 'a walled garden answers with its own page instead of the known text',
    spec: { portal: 'page' },
    findings: ['network.captive_portal'],
    verdict: 'problems',
    check: (r) => assert.equal(fact(r, 'network.captive_portal', 'page'), 'Lab Guest Wi-Fi sign-in'),
  },
  {
    name: 'a portal that also intercepts HTTPS: the certificate errors it causes are explained by it',
    spec: { portal: 'redirect', all: { cert: 'wrong-host' } },
    findings: ['network.captive_portal'],
    verdict: 'problems',
  },
  {
    name: 'two faults: a captive portal and a clock 10 minutes off, portal first',
    spec: { portal: 'redirect', serverClockOffsetMs: 10 * 60_000 },
    findings: ['network.captive_portal', 'clock.skew'],
    verdict: 'problems',
  },
];

runScenarioCases('reconnect-agent check: deeper causes', CASES);

describe('reconnect-agent check where the kernel filters by name (inside a lab namespace)', () => {
  test('handshakes naming the sign-in host are reset while the same address accepts another name', async () => {
    const ns = await createLabNetns();
    const lab = await startScenario({ netns: ns });
    try {
      // What an SNI-filtering firewall does: match the server name in the ClientHello, answer RST.
      await ns.iptables(
        '-A',
        'OUTPUT',
        '-p',
        'tcp',
        '-m',
        'string',
        '--string',
        'login.lab.test',
        '--algo',
        'bm',
        '-j',
        'REJECT',
        '--reject-with',
        'tcp-reset',
      );
      const run = await runAgent(['check', '--catalog', lab.catalogPath, '--json'], lab.env, { netns: ns });
      assert.ok(run.report, run.stderr);
      assertCase(run.report, run.code, {
        name: 'sni',
        findings: ['firewall.sni_filtered'],
        verdict: 'problems',
      });
      assert.deepEqual(fact(run.report, 'firewall.sni_filtered', 'names'), ['login.lab.test']);
      assert.equal(fact(run.report, 'firewall.sni_filtered', 'acceptedName'), 'www.example.com');
    } finally {
      await lab.close();
      await ns.close();
    }
  });

  test('an address that resets every handshake is not name filtering: tls.handshake_failed', async () => {
    const lab = await startScenario({ endpoints: { auth: { server: 'reset' } } });
    try {
      const run = await runAgent(['check', '--catalog', lab.catalogPath, '--json'], lab.env);
      assert.ok(run.report, run.stderr);
      assert.deepEqual(ids(run.report), ['tls.handshake_failed']);
      const tls = run.report.probes.find((p) => p.id.startsWith('tls:login.lab.test'));
      assert.deepEqual((tls?.detail as { sniCheck?: unknown }).sniCheck, {
        name: 'www.example.com',
        outcome: 'reset',
      });
    } finally {
      await lab.close();
    }
  });
});
