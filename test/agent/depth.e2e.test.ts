/**
 * Issue 15's deeper causes, end to end: `reconnect-agent check --json` against lab scenarios
 * for captive portals, name-based filtering, IPv6, VPN routes and faults that come and go, and
 * two-fault scenarios among them, each reported root cause first.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import type { Catalog } from '../../probes/types.ts';
import { createLabNetns, type LabNetns, runProcess } from '../lab/netns.ts';
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

CASES.push(
  {
    name: "certificate rotation: a genuine chain to Microsoft's new root is healthy",
    spec: { all: { cert: 'rotated' } },
    findings: [],
    verdict: 'healthy',
    check: (r) => {
      const tls = r.probes.find((p) => p.kind === 'tls');
      assert.equal(
        ((tls?.detail ?? {}) as { microsoftRoot?: string }).microsoftRoot,
        'Lab Microsoft TLS RSA Root G2',
      );
    },
  },
  {
    name: "an inspector whose intermediate copies Microsoft's old issuing CA name is still inspection",
    spec: { all: { cert: 'inspection-pinned-name' }, trustInspection: true },
    findings: ['tls.inspection'],
    verdict: 'problems',
    check: (r) => assert.equal(fact(r, 'tls.inspection', 'issuer'), 'Lab Zscaler Root CA'),
  },
  {
    name: 'old and new hierarchies side by side (mid-rotation): healthy',
    spec: { endpoints: { auth: { cert: 'rotated' } } },
    findings: [],
    verdict: 'healthy',
  },
);

runScenarioCases('reconnect-agent check: deeper causes', CASES);

describe('reconnect-agent check where the kernel filters by name (inside a lab namespace)', () => {
  test('handshakes naming the sign-in host are reset while the same address accepts another name', async () => {
    const ns = await createLabNetns();
    const lab = await startScenario({ netns: ns });
    try {
      // What an SNI-filtering firewall does: match the server name in the ClientHello, answer RST.
      await resetHandshakesNaming(ns, 'login.lab.test');
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
      assert.deepEqual(((tls?.detail ?? {}) as { sniCheck?: unknown }).sniCheck, {
        name: 'www.example.com',
        outcome: 'reset',
      });
    } finally {
      await lab.close();
    }
  });
});

describe('reconnect-agent check --watch', () => {
  test('a healthy lab stays healthy over the rounds, and the watch ends on time', async () => {
    const lab = await startScenario({});
    try {
      const args = ['check', '--catalog', lab.catalogPath, '--json', '--watch', '3s'];
      const run = await runAgent(args, lab.env);
      assert.ok(run.report?.watch, run.stderr);
      assertCase(run.report, run.code, { name: 'watch', findings: [], verdict: 'healthy' });
      assert.ok(run.report.watch.rounds >= 2, `${run.report.watch.rounds} rounds`);
      for (const w of run.report.watch.endpoints) {
        assert.equal(w.failed, 0);
        assert.equal(w.rounds, run.report.watch.rounds);
        assert.ok(w.latencyMs && w.latencyMs.p50 <= w.latencyMs.p90 && w.latencyMs.p90 <= w.latencyMs.max);
      }
      // The watch's window opens after the full check and no round runs past its end.
      // The window opens after the full check and is used whole (test/probes/watch.test.ts checks,
      // on an injected clock, that no round starts past its end or runs past it).
      const { firstCheckMs } = run.report.watch;
      assert.ok(run.report.durationMs >= firstCheckMs + 3000, `${run.report.durationMs} ms`);
    } finally {
      await lab.close();
    }
  });

  for (const [name, every, findings] of [
    [
      'two faults: every third connection to sign-in is refused (intermittent) and the clock is off',
      3,
      ['network.intermittent'],
    ],
    ['every connection to sign-in is refused: the steady finding, not intermittent', 1, ['firewall.blocked']],
  ] as const) {
    test(name, async () => {
      const ns = await createLabNetns();
      const lab = await startScenario({
        netns: ns,
        ...(every === 3 ? { serverClockOffsetMs: 10 * 60_000 } : {}),
      });
      try {
        const catalog = JSON.parse(await readFile(lab.catalogPath, 'utf8')) as Catalog;
        const auth = catalog.endpoints.find((e) => e.purpose === 'auth');
        assert.ok(auth);
        // The kernel refuses a share of new connections: every Nth SYN to the sign-in port is answered with RST.
        const nth =
          every === 1 ? [] : ['-m', 'statistic', '--mode', 'nth', '--every', String(every), '--packet', '0'];
        await ns.iptables(
          '-A',
          'OUTPUT',
          '-p',
          'tcp',
          '--syn',
          '-d',
          ns.hostAddress,
          '--dport',
          String(auth.port),
          ...nth,
          '-j',
          'REJECT',
          '--reject-with',
          'tcp-reset',
        );
        const args = ['check', '--catalog', lab.catalogPath, '--json', '--watch', '4s'];
        const run = await runAgent(args, lab.env, { netns: ns });
        assert.ok(run.report?.watch, run.stderr);
        const expected = every === 3 ? ['clock.skew', ...findings] : [...findings];
        assertCase(run.report, run.code, { name, findings: expected, verdict: 'problems' });
        const w = run.report.watch.endpoints.find((e) => e.port === auth.port);
        // Round one opens 4 connections to sign-in (tcp, tls, https, the clock), each later round 2
        // (tcp, https): with every third SYN refused, round one fails and round two passes.
        assert.ok(w && w.rounds >= 2, JSON.stringify(w));
        if (every === 3) {
          const rate = Number(fact(run.report, 'network.intermittent', 'failureRate'));
          assert.ok(rate > 0.2 && rate < 1, `failure rate ${rate}`);
          assert.equal(run.report.findings[1].severity, 'blocking');
          assert.ok(w.flaps.length > 0);
          assert.deepEqual(fact(run.report, 'network.intermittent', 'hosts'), [
            `login.lab.test:${auth.port}`,
          ]);
        } else {
          assert.equal(w.failed, w.rounds);
        }
      } finally {
        await lab.close();
        await ns.close();
      }
    });
  }
});

describe('reconnect-agent check on a computer with IPv6 (inside a lab namespace)', () => {
  test('IPv6 connections to sign-in are dropped while IPv4 ones work: ipv6.broken, degraded', async () => {
    const ns = await createLabNetns();
    const lab = await startScenario({ netns: ns, ipv6: true });
    try {
      await ns.run('ip6tables', ['-A', 'OUTPUT', '-p', 'tcp', '-d', ns.hostAddress6, '-j', 'DROP']);
      const run = await runAgent(['check', '--catalog', lab.catalogPath, '--json'], lab.env, { netns: ns });
      assert.ok(run.report, run.stderr);
      assertCase(run.report, run.code, { name: 'ipv6', findings: ['ipv6.broken'], verdict: 'problems' });
      assert.equal(run.report.findings[0].severity, 'degraded');
      assert.equal(fact(run.report, 'ipv6.broken', 'error'), 'timeout');
      assert.equal((fact(run.report, 'ipv6.broken', 'hosts') as string[]).length, 3);
    } finally {
      await lab.close();
      await ns.close();
    }
  });

  test('a working IPv6 path is a pass, not a finding', async () => {
    const ns = await createLabNetns();
    const lab = await startScenario({ netns: ns, ipv6: true });
    try {
      const catalog = JSON.parse(await readFile(lab.catalogPath, 'utf8')) as Catalog;
      const { createServer } = await import('node:net');
      const servers = catalog.endpoints.map((e) =>
        createServer((s) => s.destroy()).listen(e.port, ns.hostAddress6),
      );
      await Promise.all(servers.map((s) => new Promise((resolve) => s.once('listening', resolve))));
      try {
        const run = await runAgent(['check', '--catalog', lab.catalogPath, '--json'], lab.env, { netns: ns });
        assert.ok(run.report, run.stderr);
        assert.deepEqual(ids(run.report), []);
        const v6 = run.report.probes.filter((p) => p.kind === 'ipv6');
        assert.equal(v6.length, 3);
        assert.ok(
          v6.every((p) => p.status === 'pass'),
          JSON.stringify(v6.map((p) => p.status)),
        );
      } finally {
        for (const s of servers) s.close();
      }
    } finally {
      await lab.close();
      await ns.close();
    }
  });
});

describe('two new faults at once (inside a lab namespace)', () => {
  test('a name filter on sign-in and a broken IPv6 path: both, the blocking one first', async () => {
    const ns = await createLabNetns();
    const lab = await startScenario({ netns: ns, ipv6: true });
    try {
      await resetHandshakesNaming(ns, 'login.lab.test');
      await ns.run('ip6tables', ['-A', 'OUTPUT', '-p', 'tcp', '-d', ns.hostAddress6, '-j', 'DROP']);
      const run = await runAgent(['check', '--catalog', lab.catalogPath, '--json'], lab.env, { netns: ns });
      assert.ok(run.report, run.stderr);
      assertCase(run.report, run.code, {
        name: 'sni+ipv6',
        findings: ['firewall.sni_filtered', 'ipv6.broken'],
        verdict: 'problems',
      });
    } finally {
      await lab.close();
      await ns.close();
    }
  });
});

/** What an SNI-filtering firewall does: match the server name in the ClientHello, answer RST. */
async function resetHandshakesNaming(ns: LabNetns, name: string): Promise<void> {
  await ns.iptables(
    '-A',
    'OUTPUT',
    '-p',
    'tcp',
    '-m',
    'string',
    '--string',
    name,
    '--algo',
    'bm',
    '-j',
    'REJECT',
    '--reject-with',
    'tcp-reset',
  );
}

/** Runs `ip` inside the namespace and fails the test with its message when it fails. */
async function inNs(ns: LabNetns, ...argLists: string[][]): Promise<void> {
  for (const args of argLists) {
    const r = await ns.run('ip', args);
    assert.equal(r.code, 0, `ip ${args.join(' ')}: ${r.stderr}`);
  }
}

describe('reconnect-agent check with a VPN split tunnel (routes inside a lab namespace)', () => {
  test('sign-in is routed into a tunnel that goes nowhere while the local path works: vpn.split_misrouted', async () => {
    const ns = await createLabNetns();
    const signIn = ns.hostAddress.replace(/\.1$/, '.3');
    const added = await runProcess('ip', ['addr', 'add', `${signIn}/24`, 'dev', ns.outer]);
    assert.equal(added.code, 0, added.stderr);
    const lab = await startScenario({ netns: ns, endpointAddress: { auth: signIn } });
    try {
      // A tunnel interface whose other end answers nothing, carrying only the sign-in address.
      await inNs(
        ns,
        ['link', 'add', 'tun0', 'type', 'veth', 'peer', 'name', 'peer-tun0'],
        ['link', 'set', 'peer-tun0', 'up'],
        ['link', 'set', 'tun0', 'up'],
        ['addr', 'add', '10.99.0.2/24', 'dev', 'tun0'],
        ['route', 'add', `${signIn}/32`, 'dev', 'tun0'],
      );
      const run = await runAgent(['check', '--catalog', lab.catalogPath, '--json'], lab.env, { netns: ns });
      assert.ok(run.report, run.stderr);
      assertCase(run.report, run.code, {
        name: 'split',
        findings: ['vpn.split_misrouted'],
        verdict: 'problems',
      });
      assert.deepEqual(fact(run.report, 'vpn.split_misrouted', 'hosts'), ['login.lab.test']);
      assert.equal(fact(run.report, 'vpn.split_misrouted', 'route'), 'tun0');
      assert.equal(fact(run.report, 'vpn.split_misrouted', 'path'), 'tunnel');
    } finally {
      await lab.close();
      await ns.close();
    }
  });

  for (const withSni of [false, true]) {
    test(`Optimize traffic goes through a working tunnel: vpn.optimize_tunneled, degraded${withSni ? ' (two faults: and a name filter on the service host)' : ''}`, async () => {
      const ns = await createLabNetns();
      const signIn = ns.hostAddress.replace(/\.1$/, '.3');
      const n = ns.hostAddress.split('.')[2];
      const added = await runProcess('ip', ['addr', 'add', `${signIn}/24`, 'dev', ns.outer]);
      assert.equal(added.code, 0, added.stderr);
      const lab = await startScenario({
        netns: ns,
        endpointAddress: { auth: signIn },
        optimizeRanges: [`${signIn}/32`],
      });
      try {
        // A "VPN" that works: a second link to our side, named like a tunnel, carrying the sign-in address.
        const link = await runProcess('ip', [
          'link',
          'add',
          `rcv${n}`,
          'type',
          'veth',
          'peer',
          'name',
          'tun7',
          'netns',
          ns.name,
        ]);
        assert.equal(link.code, 0, link.stderr);
        for (const args of [
          ['addr', 'add', `10.214.${n}.1/24`, 'dev', `rcv${n}`],
          ['link', 'set', `rcv${n}`, 'up'],
        ]) {
          const r = await runProcess('ip', args);
          assert.equal(r.code, 0, r.stderr);
        }
        await inNs(
          ns,
          ['addr', 'add', `10.214.${n}.2/24`, 'dev', 'tun7'],
          ['link', 'set', 'tun7', 'up'],
          ['route', 'add', `${signIn}/32`, 'via', `10.214.${n}.1`, 'dev', 'tun7'],
        );
        if (withSni) {
          await resetHandshakesNaming(ns, 'teams.lab.test');
        }
        const run = await runAgent(['check', '--catalog', lab.catalogPath, '--json'], lab.env, { netns: ns });
        assert.ok(run.report, run.stderr);
        const findings = withSni
          ? ['firewall.sni_filtered', 'vpn.optimize_tunneled']
          : ['vpn.optimize_tunneled'];
        assertCase(run.report, run.code, { name: 'optimize', findings, verdict: 'problems' });
        assert.equal(run.report.findings.at(-1)?.severity, 'degraded');
        assert.deepEqual(fact(run.report, 'vpn.optimize_tunneled', 'ranges'), [`${signIn}/32`]);
        assert.equal(fact(run.report, 'vpn.optimize_tunneled', 'interface'), 'tun7');
      } finally {
        await lab.close();
        await ns.close();
      }
    });
  }
});
