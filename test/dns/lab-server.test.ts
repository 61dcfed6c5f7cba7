/**
 * The lab DNS server itself, asked with the bare exchange (one question, no probe logic), so
 * the other tests can trust what it plays.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ExchangeOptions, exchange } from '../../probes/dns/exchange.ts';
import { TYPE } from '../../probes/dns/wire.ts';
import { startDnsServer } from '../lab/dns-server.ts';

function within(ms: number): ExchangeOptions {
  return { signal: AbortSignal.timeout(ms), deadline: Date.now() + ms, now: () => Date.now() };
}

test('records are case-insensitive, replaceable with set(), and every question is logged', async () => {
  const dns = await startDnsServer({ records: { 'Login.Lab.Test': { a: ['127.0.0.1'] } } });
  try {
    const server = { host: dns.address, port: dns.port };
    const first = await exchange(server, { name: 'login.LAB.test', type: 'A' }, within(5000));
    assert.deepEqual(
      first.message.answers.map((r) => r.data),
      ['127.0.0.1'],
    );
    assert.equal(first.message.flags.aa, true);
    dns.set('LOGIN.lab.test', { a: ['127.0.0.2'], aaaa: ['::1'] });
    const second = await exchange(server, { name: 'login.lab.test', type: 'AAAA' }, within(5000));
    assert.deepEqual(
      second.message.answers.map((r) => [r.type, r.data]),
      [[TYPE.AAAA, '::1']],
    );
    assert.deepEqual(dns.queries, [
      { name: 'login.lab.test', type: 'A', transport: 'udp' },
      { name: 'login.lab.test', type: 'AAAA', transport: 'udp' },
    ]);
  } finally {
    await dns.close();
  }
});

test('a CNAME question gets the alias alone; the chain stops where the zone ends', async () => {
  const dns = await startDnsServer({
    records: { 'a.lab.test': { cname: 'b.lab.test' }, 'b.lab.test': { cname: 'c.outside.test' } },
  });
  try {
    const server = { host: dns.address, port: dns.port };
    const alias = await exchange(server, { name: 'a.lab.test', type: 'CNAME' }, within(5000));
    assert.deepEqual(
      alias.message.answers.map((r) => r.data),
      ['b.lab.test'],
    );
    const chain = await exchange(server, { name: 'a.lab.test', type: 'A' }, within(5000));
    assert.equal(chain.message.rcode, 0);
    assert.deepEqual(
      chain.message.answers.map((r) => [r.name, r.data]),
      [
        ['a.lab.test', 'b.lab.test'],
        ['b.lab.test', 'c.outside.test'],
      ],
    );
  } finally {
    await dns.close();
  }
});

test('defaultMode decides unknown names: NXDOMAIN by default, or what the test asks', async () => {
  for (const [defaultMode, rcode] of [
    [undefined, 3],
    ['answer', 0],
    ['servfail', 2],
    ['refused', 5],
  ] as const) {
    const dns = await startDnsServer({ defaultMode });
    try {
      const reply = await exchange(
        { host: dns.address, port: dns.port },
        { name: 'unknown.lab.test', type: 'A' },
        within(5000),
      );
      assert.equal(reply.message.rcode, rcode, String(defaultMode));
      assert.deepEqual(reply.message.answers, []);
    } finally {
      await dns.close();
    }
  }
});

test('a fixed port serves UDP and TCP on it, and close() frees it', async () => {
  const probe = await startDnsServer();
  const port = probe.port;
  await probe.close();
  const dns = await startDnsServer({
    port,
    records: { 'big.lab.test': { mode: 'truncate', a: ['127.0.0.9'] } },
  });
  try {
    assert.equal(dns.port, port);
    const reply = await exchange(
      { host: dns.address, port },
      { name: 'big.lab.test', type: 'A' },
      within(5000),
    );
    assert.equal(reply.transport, 'tcp');
    assert.deepEqual(
      dns.queries.map((q) => q.transport),
      ['udp', 'tcp'],
    );
  } finally {
    await dns.close();
  }
});
