/**
 * The VPN probe against a real kernel routing table, inside a lab network namespace: an
 * interface named tun0 with and without the default route, and a "LAN" interface holding an
 * ordinary default route. Each is one end of a veth pair whose other end (peer-…) stays in
 * the namespace (this kernel has no dummy devices, and a TUN device without its VPN client has no
 * carrier, so it would not count as up); what is sent to them goes nowhere. The 10.98 and
 * 10.99 addresses exist only inside the namespace, and the probe reads /proc and sends nothing.
 * Needs root; fails, never skips, when the namespace cannot be made.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ProbeResult } from '../../probes/types.ts';
import type { VpnDetail } from '../../probes/vpn.ts';
import { createLabNetns, type LabNetns } from '../lab/netns.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
let ns: LabNetns;

async function ip(...args: string[]): Promise<void> {
  const r = await ns.run('ip', args);
  assert.equal(r.code, 0, `ip ${args.join(' ')}: ${r.stderr}`);
}

/** Runs probeVpn inside the namespace through test/lab/run-probe.ts, with the interlock on. */
async function probeInside(): Promise<ProbeResult<VpnDetail>> {
  const args = [
    `${repo}test/lab/run-probe.ts`,
    `${repo}probes/vpn.ts`,
    'probeVpn',
    JSON.stringify({ platform: 'linux' }),
    JSON.stringify({ labNets: [ns.labNets], deadlineMs: 3000 }),
  ];
  const run = await ns.run(process.execPath, args, { timeoutMs: 30_000 });
  assert.equal(run.code, 0, `run-probe exited ${run.code}: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as ProbeResult<VpnDetail>;
  assert.equal(result.status, 'pass', JSON.stringify(result.failure));
  return result;
}

before(async () => {
  ns = await createLabNetns();
  for (const [name, address] of [
    ['lan0', '10.98.0.2/24'],
    ['tun0', '10.99.0.2/24'],
  ]) {
    await ip('link', 'add', name, 'type', 'veth', 'peer', 'name', `peer-${name}`);
    await ip('link', 'set', `peer-${name}`, 'up');
    await ip('link', 'set', name, 'up');
    await ip('addr', 'add', address, 'dev', name);
  }
});
after(async () => {
  await ns?.close();
});

test('tun0 up, the default route on the LAN: not active, a split tunnel', async () => {
  await ip('route', 'add', 'default', 'via', '10.98.0.1', 'dev', 'lan0', 'metric', '100');
  const r = await probeInside();
  assert.equal(r.id, 'vpn:routes');
  assert.equal(r.detail.source, 'proc');
  assert.equal(r.detail.active, false);
  assert.deepEqual(r.detail.defaultRoute, { interface: 'lan0', gateway: '10.98.0.1' });
  assert.deepEqual(r.detail.interfaces, ['tun0']);
  assert.equal(r.detail.splitTunnel, true);
});

test('a default route through tun0 with the lower metric: active, interface tun0', async () => {
  await ip('route', 'add', 'default', 'dev', 'tun0', 'metric', '10');
  const r = await probeInside();
  assert.equal(r.detail.active, true);
  assert.deepEqual(r.detail.defaultRoute, { interface: 'tun0' });
  assert.deepEqual(r.detail.interfaces, ['tun0']);
  assert.equal(r.detail.splitTunnel, false);
});

test('no default route at all: not active, no default route', async () => {
  await ip('route', 'del', 'default', 'dev', 'tun0');
  await ip('route', 'del', 'default', 'dev', 'lan0');
  const r = await probeInside();
  assert.equal(r.detail.active, false);
  assert.equal(r.detail.defaultRoute, null);
  assert.deepEqual(r.detail.interfaces, ['tun0']);
});
