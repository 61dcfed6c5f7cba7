/**
 * Faults that need the kernel, from inside a lab network namespace (no default route): a
 * resolver whose UDP is dropped by iptables, and the OS path itself (getaddrinfo reading the
 * namespace's resolv.conf, which names a lab server). Needs root; fails, never skips, when
 * the namespace cannot be made.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DnsDetail, DnsTarget } from '../../probes/dns.ts';
import type { ProbeResult } from '../../probes/types.ts';
import { type LabDnsServer, startDnsServer } from '../lab/dns-server.ts';
import { createLabNetns, type LabNetns } from '../lab/netns.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const RECORDS = {
  'login.lab.test': { a: ['10.213.0.7', '127.0.0.7'] },
  'alias.lab.test': { cname: 'edge.lab.test' },
  'edge.lab.test': { a: ['127.0.0.8'] },
  'quiet.lab.test': { mode: 'silence' as const },
};

let ns: LabNetns;
/** On hostAddress:53, the port resolv.conf implies. */
let osDns: LabDnsServer;

before(async () => {
  ns = await createLabNetns();
  osDns = await startDnsServer({ address: ns.hostAddress, port: 53, records: RECORDS });
});
after(async () => {
  await osDns?.close();
  await ns?.close();
});

/** Runs probeDns inside the namespace with the interlock on, through test/lab/run-probe.ts. */
async function probeInside(
  target: DnsTarget,
  context: { labNets?: string[]; deadlineMs: number },
): Promise<ProbeResult<DnsDetail>> {
  const args = [
    `${repo}test/lab/run-probe.ts`,
    `${repo}probes/dns.ts`,
    'probeDns',
    JSON.stringify(target),
    JSON.stringify({ labNets: context.labNets ?? [ns.labNets], deadlineMs: context.deadlineMs }),
  ];
  const run = await ns.run(process.execPath, args, { timeoutMs: 30_000 });
  assert.equal(run.code, 0, `run-probe exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as ProbeResult<DnsDetail>;
}

test('a resolver whose answers are dropped on the way back is dns_timeout at the deadline', async () => {
  const dns = await startDnsServer({ address: ns.hostAddress, records: RECORDS });
  try {
    const target = { host: 'login.lab.test', resolver: dns.hostPort };
    // Control: the same probe passes before the rule, so the rule is what breaks it.
    const reachable = await probeInside(target, { deadlineMs: 5000 });
    assert.equal(reachable.status, 'pass', JSON.stringify(reachable.failure));
    assert.deepEqual(reachable.detail.addresses, ['10.213.0.7', '127.0.0.7']);

    await ns.iptables('-A', 'INPUT', '-p', 'udp', '--sport', String(dns.port), '-j', 'DROP');
    const asked = dns.queries.length;
    const dropped = await probeInside(target, { deadlineMs: 800 });
    assert.equal(dropped.status, 'fail');
    assert.equal(dropped.failure?.code, 'dns_timeout');
    assert.equal(dropped.error?.code, 'ETIMEOUT');
    assert.equal(dropped.detail.rcode, 'NONE');
    assert.ok(dropped.phases.dns >= 700, `dns phase ${dropped.phases.dns} ms: it waited for the deadline`);
    // The questions arrived (retransmitted); only the answers were lost.
    assert.ok(dns.queries.length - asked >= 4, `${dns.queries.length - asked} questions reached the server`);
  } finally {
    await dns.close();
  }
});

test('a resolver port dropped by the local firewall (OUTPUT) is reported as the EPERM the kernel gives', async () => {
  const dns = await startDnsServer({ address: ns.hostAddress, records: RECORDS });
  try {
    // Linux refuses locally dropped datagrams at send time (EPERM) instead of losing them silently.
    await ns.iptables('-A', 'OUTPUT', '-p', 'udp', '--dport', String(dns.port), '-j', 'DROP');
    const blocked = await probeInside(
      { host: 'login.lab.test', resolver: dns.hostPort },
      { deadlineMs: 5000 },
    );
    assert.equal(blocked.status, 'fail');
    assert.equal(blocked.failure?.code, 'dns_error');
    assert.equal(blocked.error?.code, 'EPERM');
    assert.match(blocked.failure?.detail ?? '', /firewall on this computer/);
    assert.equal(dns.queries.length, 0, 'no question got past the DROP rule');
  } finally {
    await dns.close();
  }
});

test("'system' without an override takes getaddrinfo, which reads the namespace's resolv.conf", async () => {
  await ns.setResolvConf(`nameserver ${ns.hostAddress}\n`);
  const resolved = await probeInside({ host: 'login.lab.test', resolver: 'system' }, { deadlineMs: 5000 });
  assert.equal(resolved.id, 'dns:login.lab.test@system');
  assert.equal(resolved.status, 'pass', JSON.stringify(resolved.failure));
  assert.equal(resolved.detail.via, 'getaddrinfo');
  assert.equal(resolved.detail.server, `${ns.hostAddress}:53`);
  assert.deepEqual([...resolved.detail.addresses].sort(), ['10.213.0.7', '127.0.0.7']);
  // The side query to the same server brings what getaddrinfo hides.
  assert.equal(resolved.detail.rcode, 'NOERROR');

  const aliased = await probeInside({ host: 'alias.lab.test', resolver: 'system' }, { deadlineMs: 5000 });
  assert.equal(aliased.status, 'pass');
  assert.deepEqual(aliased.detail.addresses, ['127.0.0.8']);
  assert.deepEqual(aliased.detail.cname, ['edge.lab.test']);

  const missing = await probeInside({ host: 'missing.lab.test', resolver: 'system' }, { deadlineMs: 5000 });
  assert.equal(missing.status, 'fail');
  assert.equal(missing.failure?.code, 'nxdomain');
  assert.equal(missing.error?.code, 'ENOTFOUND');
  assert.ok(osDns.queries.some((q) => q.name === 'missing.lab.test'));

  // getaddrinfo cannot be cancelled; the probe still ends at its deadline. (Short glibc
  // timeouts only so the child process, whose getaddrinfo thread outlives the probe, exits soon.)
  await ns.setResolvConf(`nameserver ${ns.hostAddress}\noptions timeout:1 attempts:1\n`);
  const silent = await probeInside({ host: 'quiet.lab.test', resolver: 'system' }, { deadlineMs: 800 });
  assert.equal(silent.status, 'fail');
  assert.equal(silent.failure?.code, 'dns_timeout');
  assert.equal(silent.detail.rcode, 'NONE');
  assert.ok(silent.phases.dns >= 700, `dns phase ${silent.phases.dns} ms`);
});

test('under the interlock getaddrinfo is refused when the OS resolver is not a lab address', async () => {
  await ns.setResolvConf(`nameserver ${ns.hostAddress}\n`);
  const asked = osDns.queries.length;
  // Interlock on but no lab nets: the namespace's resolver counts as beyond the machine.
  const noLabNets = await probeInside(
    { host: 'login.lab.test', resolver: 'system' },
    { labNets: [], deadlineMs: 5000 },
  );
  assert.equal(noLabNets.status, 'error');
  assert.equal(noLabNets.failure?.code, 'interlock');
  assert.equal(noLabNets.phases.dns, 0);
  assert.equal(osDns.queries.length, asked, 'nothing was asked of the resolver');

  // A loopback resolver is typically a forwarding stub: refused even though loopback is lab.
  await ns.setResolvConf('nameserver 127.0.0.53\n');
  const stub = await probeInside({ host: 'login.lab.test', resolver: 'system' }, { deadlineMs: 5000 });
  assert.equal(stub.status, 'error');
  assert.equal(stub.failure?.code, 'interlock');
  assert.match(stub.failure?.detail ?? '', /127\.0\.0\.53:53 is loopback/);
});
