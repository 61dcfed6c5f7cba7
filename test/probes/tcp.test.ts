import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { probeTcp, type TcpDetail } from '../../probes/tcp.ts';
import type { ProbeResult } from '../../probes/types.ts';
import { createLabNetns, type LabNetns } from '../lab/netns.ts';
import { type ConnectionLab, LOGIN, startConnectionLab, withoutLeaks } from './connection-lab.ts';

const held = new WeakMap<Server, Set<Socket>>();

/** A server that accepts and holds each connection open: only the client can close it. */
async function listenOn(address: string): Promise<{ server: Server; port: number }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket.on('error', () => {}));
    socket.once('close', () => sockets.delete(socket));
  });
  held.set(server, sockets);
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  return { server, port: (server.address() as { port: number }).port };
}

function close(server: Server): Promise<void> {
  for (const socket of held.get(server) ?? []) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('probeTcp on loopback', () => {
  let lab: ConnectionLab;
  before(async () => {
    lab = await startConnectionLab();
  });
  after(() => lab.close());

  test('passes when the port accepts, resolving the name with the system resolver', async () => {
    const { server, port } = await listenOn('127.0.0.1');
    try {
      const result = await withoutLeaks(() => probeTcp({ host: LOGIN, port }, lab.options(5000)));
      assert.equal(result.status, 'pass');
      assert.equal(result.id, `tcp:${LOGIN}:${port}`);
      assert.deepEqual(result.detail, { address: '127.0.0.1', proxy: null });
      assert.ok(result.phases.dns > 0 && result.phases.connect > 0);
      assert.equal(result.phases.tls, 0);
      assert.ok(lab.dns.queries.some((q) => q.name === LOGIN));
    } finally {
      await close(server);
    }
  });

  test('a closed port is refused with ECONNREFUSED', async () => {
    const { server, port } = await listenOn('127.0.0.1');
    await close(server);
    const result = await withoutLeaks(() => probeTcp({ host: '127.0.0.1', port }, lab.options(5000)));
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'refused');
    assert.equal(result.failure?.phase, 'connect');
    assert.equal(result.error?.code, 'ECONNREFUSED');
    assert.equal(result.detail.address, '127.0.0.1');
  });

  test('a name the system resolver does not know fails in the dns phase', async () => {
    const result = await probeTcp({ host: 'missing.lab.test', port: 443 }, lab.options(5000));
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.phase, 'dns');
    assert.equal(result.failure?.code, 'nxdomain');
    assert.equal(result.phases.connect, 0);
  });

  test('is skipped when a proxy carries the traffic, naming the proxy', async () => {
    const { server, port } = await listenOn('127.0.0.1');
    try {
      const options = lab.options(5000, { proxy: 'http://alice:s3cret@127.0.0.1:3128' });
      const result = await probeTcp({ host: LOGIN, port }, options);
      assert.equal(result.status, 'skipped');
      assert.equal(result.failure?.code, 'not_applicable');
      // The password never reaches a report.
      assert.equal(result.detail.proxy, 'http://alice@127.0.0.1:3128');
      assert.equal(result.phases.connect, 0);
    } finally {
      await close(server);
    }
  });

  test('the interlock refuses a non-loopback literal without connecting', async () => {
    const result = await probeTcp({ host: '192.0.2.10', port: 443 }, lab.options(5000));
    assert.equal(result.status, 'error');
    assert.equal(result.failure?.code, 'interlock');
    assert.equal(result.phases.connect, 0);
  });
});

describe('probeTcp in a lab network namespace', () => {
  let ns: LabNetns;
  let server: Server;
  let port: number;
  const runProbe = fileURLToPath(new URL('../lab/run-probe.ts', import.meta.url));
  const tcpModule = fileURLToPath(new URL('../../probes/tcp.ts', import.meta.url));

  before(async () => {
    ns = await createLabNetns();
    ({ server, port } = await listenOn(ns.hostAddress));
  });
  after(async () => {
    await close(server);
    await ns.close();
  });

  async function probeInside(
    target: { host: string; port: number },
    labNets: string[],
    deadlineMs: number,
  ): Promise<ProbeResult<TcpDetail>> {
    const run = await ns.run(
      process.execPath,
      [runProbe, tcpModule, 'probeTcp', JSON.stringify(target), JSON.stringify({ labNets, deadlineMs })],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeoutMs: 30_000 },
    );
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as ProbeResult<TcpDetail>;
  }

  test('reaches the lab server on the host side of the veth', async () => {
    const result = await probeInside({ host: ns.hostAddress, port }, [ns.labNets], 5000);
    assert.equal(result.status, 'pass', JSON.stringify(result.failure));
    assert.equal(result.detail.address, ns.hostAddress);
  });

  // The rule that drops SYNs to the lab port, added then removed.
  const dropSyn = () => [
    'OUTPUT',
    '-p',
    'tcp',
    '-d',
    ns.hostAddress,
    '--dport',
    String(port),
    '--syn',
    '-j',
    'DROP',
  ];
  test('a dropped SYN is a timeout at the deadline', async () => {
    await ns.iptables('-A', ...dropSyn());
    try {
      const result = await probeInside({ host: ns.hostAddress, port }, [ns.labNets], 800);
      assert.equal(result.status, 'fail');
      assert.equal(result.failure?.code, 'timeout');
      assert.equal(result.failure?.phase, 'connect');
      assert.ok(result.phases.connect >= 700, `connect phase ${result.phases.connect} ms`);
    } finally {
      await ns.iptables('-D', ...dropSyn());
    }
  });

  test('a network with no route is unreachable', async () => {
    const run = await ns.run('ip', ['route', 'add', 'unreachable', '10.213.250.0/24']);
    assert.equal(run.code, 0, run.stderr);
    const result = await probeInside(
      { host: '10.213.250.1', port: 443 },
      [ns.labNets, '10.213.250.0/24'],
      5000,
    );
    assert.equal(result.status, 'fail');
    assert.equal(result.failure?.code, 'unreachable');
    assert.match(result.error?.code ?? '', /^E(HOST|NET)UNREACH$/);
  });
});
