import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import type { ProbeOptions } from '../../probes/context.ts';
import {
  BINDING_REQUEST,
  bindingSuccess,
  MAGIC_COOKIE,
  parseStun,
  StunParseError,
} from '../../probes/stun/message.ts';
import { probeStun } from '../../probes/stun.ts';
import { labContext } from '../lab/context.ts';
import { createLabNetns, type LabNetns } from '../lab/netns.ts';
import { startStunServer } from '../lab/stun-server.ts';

function options(ms: number): ProbeOptions {
  return { signal: AbortSignal.timeout(ms), deadline: Date.now() + ms, ctx: labContext() };
}

describe('probeStun on loopback', () => {
  test('passes on a Binding success and reports how the server saw us', async () => {
    const server = await startStunServer();
    try {
      const result = await probeStun({ host: '127.0.0.1', port: server.port }, options(5000));
      assert.equal(result.status, 'pass');
      assert.equal(result.id, `stun:127.0.0.1:${server.port}`);
      assert.equal(result.kind, 'stun');
      assert.equal(result.detail.address, '127.0.0.1');
      assert.match(result.detail.mappedAddress ?? '', /^127\.0\.0\.1:\d+$/);
      assert.notEqual(result.detail.mappedAddress, `127.0.0.1:${server.port}`);
      assert.ok(result.detail.attempts >= 1);
      assert.equal(typeof result.detail.rttMs, 'number');
      assert.ok(server.requests >= 1);
      assert.equal(result.failure, undefined);
    } finally {
      await server.close();
    }
  });

  test('silence is no_answer_udp in the connect phase, after retransmissions', async () => {
    const server = await startStunServer({ mode: 'silence' });
    try {
      const result = await probeStun({ host: '127.0.0.1', port: server.port }, options(800));
      assert.equal(result.status, 'fail');
      assert.equal(result.failure?.code, 'no_answer_udp');
      assert.equal(result.failure?.phase, 'connect');
      assert.ok(result.detail.attempts >= 2, `attempts ${result.detail.attempts}`);
      assert.equal(server.requests, result.detail.attempts);
    } finally {
      await server.close();
    }
  });

  test('an answer that is not STUN is bad_response', async () => {
    const server = await startStunServer({ mode: 'garbage' });
    try {
      const result = await probeStun({ host: '127.0.0.1', port: server.port }, options(5000));
      assert.equal(result.status, 'fail');
      assert.equal(result.failure?.code, 'bad_response');
      assert.match(result.failure?.detail ?? '', /magic cookie|not a STUN/);
    } finally {
      await server.close();
    }
  });

  test('answers for another transaction are ignored, not taken as success', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    socket.on('message', (_msg, rinfo) => {
      const stranger = Buffer.alloc(12, 7);
      socket.send(
        bindingSuccess(stranger, { address: rinfo.address, port: rinfo.port }),
        rinfo.port,
        rinfo.address,
      );
    });
    try {
      const result = await probeStun({ host: '127.0.0.1', port: socket.address().port }, options(600));
      assert.equal(result.failure?.code, 'no_answer_udp');
    } finally {
      socket.close();
    }
  });

  test('a non-lab address is refused by the interlock before any packet', async () => {
    const result = await probeStun({ host: '192.0.2.10', port: 3478 }, options(2000));
    assert.equal(result.status, 'error');
    assert.equal(result.failure?.code, 'interlock');
    assert.equal(result.detail.attempts, 0);
  });

  test('a name is not handed to the OS resolver under the interlock', async () => {
    const result = await probeStun({ host: 'relay.example.test', port: 3478 }, options(2000));
    assert.equal(result.status, 'error');
    assert.equal(result.failure?.code, 'interlock');
  });
});

describe('STUN message codec', () => {
  test('XOR-MAPPED-ADDRESS round-trips for IPv4 and IPv6', () => {
    const id = Buffer.from('0123456789ab');
    for (const sender of [
      { address: '10.1.2.3', port: 54321 },
      { address: '2001:db8:0:0:0:0:0:1', port: 3478 },
    ]) {
      const parsed = parseStun(bindingSuccess(id, sender));
      assert.equal(parsed.mapped?.attribute, 'XOR-MAPPED-ADDRESS');
      assert.equal(parsed.mapped?.port, sender.port);
      assert.equal(parsed.mapped?.address, sender.address);
    }
  });

  test('an RFC 3489 MAPPED-ADDRESS is read when XOR-MAPPED-ADDRESS is absent', () => {
    const packet = Buffer.alloc(32);
    packet.writeUInt16BE(0x0101, 0);
    packet.writeUInt16BE(12, 2);
    packet.writeUInt32BE(MAGIC_COOKIE, 4);
    packet.writeUInt16BE(0x0001, 20);
    packet.writeUInt16BE(8, 22);
    packet[25] = 0x01;
    packet.writeUInt16BE(4000, 26);
    Buffer.from([192, 0, 2, 7]).copy(packet, 28);
    const parsed = parseStun(packet);
    assert.deepEqual(parsed.mapped, { address: '192.0.2.7', port: 4000, attribute: 'MAPPED-ADDRESS' });
  });

  test('malformed messages are rejected with the reason', () => {
    assert.throws(() => parseStun(Buffer.alloc(10)), StunParseError);
    const request = Buffer.alloc(20);
    request.writeUInt16BE(BINDING_REQUEST, 0);
    assert.throws(() => parseStun(request), /magic cookie/);
    request.writeUInt32BE(MAGIC_COOKIE, 4);
    request.writeUInt16BE(8, 2);
    assert.throws(() => parseStun(request), /says 8 attribute bytes but 0 came/);
  });
});

describe('probeStun inside a network namespace (kernel-level UDP drop)', () => {
  let ns: LabNetns;
  before(async () => {
    ns = await createLabNetns();
  });
  after(async () => {
    await ns?.close();
  });

  const runInNs = async (port: number) => {
    const out = await ns.run(
      process.execPath,
      [
        'test/lab/run-probe.ts',
        'probes/stun.ts',
        'probeStun',
        JSON.stringify({ host: ns.hostAddress, port }),
        JSON.stringify({ labNets: ns.labNets, deadlineMs: 800 }),
      ],
      { timeoutMs: 30_000 },
    );
    assert.equal(out.code, 0, out.stderr);
    return JSON.parse(out.stdout);
  };

  test('passes across the veth, then fails with no_answer_udp once UDP to the port is dropped', async () => {
    const server = await startStunServer({ address: ns.hostAddress });
    try {
      const before = await runInNs(server.port);
      assert.equal(before.status, 'pass', JSON.stringify(before));
      assert.match(before.detail.mappedAddress, new RegExp(`^${ns.nsAddress.replaceAll('.', '\\.')}:\\d+$`));

      await ns.iptables('-A', 'OUTPUT', '-p', 'udp', '--dport', String(server.port), '-j', 'DROP');
      const requestsBefore = server.requests;
      const dropped = await runInNs(server.port);
      assert.equal(dropped.status, 'fail', JSON.stringify(dropped));
      assert.equal(dropped.failure.code, 'no_answer_udp');
      assert.equal(dropped.failure.phase, 'connect');
      assert.equal(server.requests, requestsBefore, 'no datagram may get through the DROP rule');
    } finally {
      await server.close();
    }
  });
});
