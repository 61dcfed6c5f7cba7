/**
 * Issue 15's deeper causes, end to end: `reconnect-agent check --json` against lab scenarios
 * for captive portals, name-based filtering, IPv6, VPN routes and faults that come and go, and
 * two-fault scenarios among them, each reported root cause first.
 */
import assert from 'node:assert/strict';
import { type Case, fact, runScenarioCases } from './cases.ts';

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
