import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, test } from 'node:test';
import type { ProbeContext, ProbeOptions } from '../../probes/context.ts';
import { NO_PROXY } from '../../probes/context.ts';
import { probeDns } from '../../probes/dns.ts';
import { createInterlock, type Interlock } from '../../probes/interlock.ts';
import { emptyLabCatalog } from '../lab/context.ts';
import { type LabDnsServer, startDnsServer } from '../lab/dns-server.ts';

let lab: LabDnsServer;

before(async () => {
  lab = await startDnsServer({
    records: {
      'login.lab.test': { a: ['127.0.0.10', '127.0.0.11'], aaaa: ['::1'], ttl: 120 },
      'alias.lab.test': { cname: 'middle.lab.test', ttl: 600 },
      'middle.lab.test': { cname: 'edge.lab.test', ttl: 45 },
      'edge.lab.test': { a: ['127.0.0.20'], ttl: 300 },
      'gone.lab.test': { cname: 'away.elsewhere.test' },
      'sinkhole.lab.test': { a: ['0.0.0.0'] },
      'private.lab.test': { a: ['10.20.30.40'] },
      'v6only.lab.test': { aaaa: ['2001:db8::5'] },
      'empty.lab.test': {},
      'broken.lab.test': { mode: 'servfail' },
      'closed.lab.test': { mode: 'refused' },
      'quiet.lab.test': { mode: 'silence' },
      'big.lab.test': { mode: 'truncate', a: ['127.0.0.30'] },
      'garbled.lab.test': { mode: 'malformed' },
    },
  });
});
after(() => lab.close());

function context(overrides: Partial<ProbeContext> = {}): ProbeContext {
  return {
    interlock: createInterlock({ enabled: true }),
    systemResolver: lab.hostPort,
    proxy: NO_PROXY,
    trustedCa: [],
    catalog: emptyLabCatalog(),
    now: () => Date.now(),
    ...overrides,
  };
}

/** The runner's deadline: the signal aborts after `ms`. */
function options(ms: number, ctx = context()): ProbeOptions {
  return { signal: AbortSignal.timeout(ms), deadline: Date.now() + ms, ctx };
}

const ASSURED = 5000;

test('a name that resolves passes with its addresses, rcode, TTL and only the dns phase', async () => {
  const result = await probeDns({ host: 'login.lab.test', resolver: lab.hostPort }, options(ASSURED));
  assert.equal(result.id, `dns:login.lab.test@${lab.hostPort}`);
  assert.equal(result.kind, 'dns');
  assert.equal(result.target, `login.lab.test@${lab.hostPort}`);
  assert.equal(result.status, 'pass');
  assert.equal(result.failure, undefined);
  assert.deepEqual(result.detail.addresses, ['127.0.0.10', '127.0.0.11', '::1']);
  assert.equal(result.detail.rcode, 'NOERROR');
  assert.equal(result.detail.via, 'query');
  assert.equal(result.detail.server, lab.hostPort);
  assert.equal(result.detail.ttl, 120);
  assert.equal(result.detail.transport, 'udp');
  assert.ok(result.phases.dns > 0);
  assert.deepEqual({ ...result.phases, dns: 0 }, { dns: 0, connect: 0, proxy: 0, tls: 0, firstByte: 0 });
});

test("'system' uses ctx.systemResolver in place of the OS resolver, case-insensitively", async () => {
  const result = await probeDns({ host: 'LOGIN.Lab.Test', resolver: 'system' }, options(ASSURED));
  assert.equal(result.id, 'dns:LOGIN.Lab.Test@system');
  assert.equal(result.status, 'pass');
  assert.equal(result.detail.resolver, 'system');
  assert.equal(result.detail.via, 'query');
  assert.equal(result.detail.server, lab.hostPort);
  assert.deepEqual(result.detail.addresses, ['127.0.0.10', '127.0.0.11', '::1']);
});

test('the CNAME chain is reported in order, with the smallest TTL on it', async () => {
  const result = await probeDns({ host: 'alias.lab.test', resolver: lab.hostPort }, options(ASSURED));
  assert.equal(result.status, 'pass');
  assert.deepEqual(result.detail.cname, ['middle.lab.test', 'edge.lab.test']);
  assert.deepEqual(result.detail.addresses, ['127.0.0.20']);
  assert.equal(result.detail.ttl, 45);
});

test('a chain that leaves the zone with no address is no_answer, and the chain is still reported', async () => {
  const result = await probeDns({ host: 'gone.lab.test', resolver: lab.hostPort }, options(ASSURED));
  assert.equal(result.status, 'fail');
  assert.equal(result.failure?.code, 'no_answer');
  assert.deepEqual(result.detail.cname, ['away.elsewhere.test']);
});

test('sinkhole and private answers are reported faithfully as a pass: judging them is diagnosis', async () => {
  const sinkhole = await probeDns({ host: 'sinkhole.lab.test', resolver: lab.hostPort }, options(ASSURED));
  assert.equal(sinkhole.status, 'pass');
  assert.deepEqual(sinkhole.detail.addresses, ['0.0.0.0']);
  const internal = await probeDns({ host: 'private.lab.test', resolver: lab.hostPort }, options(ASSURED));
  assert.equal(internal.status, 'pass');
  assert.deepEqual(internal.detail.addresses, ['10.20.30.40']);
});

test('AAAA-only names pass; a name with no address at all is no_answer (NOERROR, empty)', async () => {
  const v6 = await probeDns({ host: 'v6only.lab.test', resolver: lab.hostPort }, options(ASSURED));
  assert.equal(v6.status, 'pass');
  assert.deepEqual(v6.detail.addresses, ['2001:db8::5']);
  const empty = await probeDns({ host: 'empty.lab.test', resolver: lab.hostPort }, options(ASSURED));
  assert.equal(empty.status, 'fail');
  assert.equal(empty.detail.rcode, 'NOERROR');
  assert.equal(empty.failure?.code, 'no_answer');
  assert.equal(empty.error?.code, 'ENODATA');
});

test('NXDOMAIN, SERVFAIL and REFUSED fail with their own codes', async () => {
  const cases = [
    ['missing.lab.test', 'NXDOMAIN', 'nxdomain', 'ENOTFOUND'],
    ['broken.lab.test', 'SERVFAIL', 'servfail', 'ESERVFAIL'],
    ['closed.lab.test', 'REFUSED', 'dns_refused', 'EREFUSED'],
  ] as const;
  for (const [host, rcode, code, errorCode] of cases) {
    const result = await probeDns({ host, resolver: lab.hostPort }, options(ASSURED));
    assert.equal(result.status, 'fail', host);
    assert.equal(result.detail.rcode, rcode, host);
    assert.equal(result.failure?.code, code, host);
    assert.equal(result.failure?.phase, 'dns', host);
    assert.match(
      result.failure?.detail ?? '',
      new RegExp(`${host}: ${rcode} from ${lab.hostPort.replace(/\./g, '\\.')}`),
    );
    assert.equal(result.error?.code, errorCode, host);
    assert.deepEqual(result.detail.addresses, [], host);
  }
});

test('a silent resolver is dns_timeout at the deadline, after retransmitting within it', async () => {
  const before = lab.queries.filter((q) => q.name === 'quiet.lab.test' && q.type === 'A').length;
  const result = await probeDns({ host: 'quiet.lab.test', resolver: lab.hostPort }, options(600));
  assert.equal(result.status, 'fail');
  assert.equal(result.failure?.code, 'dns_timeout');
  assert.equal(result.error?.code, 'ETIMEOUT');
  assert.equal(result.detail.rcode, 'NONE');
  // It waited for the deadline rather than giving up early.
  assert.ok(result.phases.dns >= 550, `dns phase ${result.phases.dns} ms`);
  const asked = lab.queries.filter((q) => q.name === 'quiet.lab.test' && q.type === 'A').length - before;
  assert.ok(asked >= 2, `the A question was sent ${asked} time(s); a lost datagram deserves a retransmit`);
});

test('a truncated UDP answer is asked again over TCP', async () => {
  const result = await probeDns({ host: 'big.lab.test', resolver: lab.hostPort }, options(ASSURED));
  assert.equal(result.status, 'pass');
  assert.equal(result.detail.transport, 'tcp');
  assert.deepEqual(result.detail.addresses, ['127.0.0.30']);
  assert.ok(lab.queries.some((q) => q.name === 'big.lab.test' && q.transport === 'tcp'));
});

test('a malformed answer is dns_error EBADRESP, naming what was wrong', async () => {
  const result = await probeDns({ host: 'garbled.lab.test', resolver: lab.hostPort }, options(600));
  assert.equal(result.status, 'fail');
  assert.equal(result.failure?.code, 'dns_error');
  assert.equal(result.error?.code, 'EBADRESP');
  assert.match(result.failure?.detail ?? '', /malformed answer: truncated packet/);
});

test('a resolver port where nothing listens is dns_error ECONNREFUSED, not a wait for the deadline', async () => {
  const probe = createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
  const port = probe.address().port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const result = await probeDns({ host: 'login.lab.test', resolver: `127.0.0.1:${port}` }, options(ASSURED));
  assert.equal(result.status, 'fail');
  assert.equal(result.failure?.code, 'dns_error');
  assert.equal(result.error?.code, 'ECONNREFUSED');
});

test('an IPv6 resolver given as [v6]:port is queried', async () => {
  const v6 = await startDnsServer({ address: '::1', records: { 'login.lab.test': { a: ['127.0.0.1'] } } });
  try {
    assert.equal(v6.hostPort, `[::1]:${v6.port}`);
    const result = await probeDns({ host: 'login.lab.test', resolver: v6.hostPort }, options(ASSURED));
    assert.equal(result.status, 'pass');
    assert.equal(result.detail.server, v6.hostPort);
    assert.deepEqual(result.detail.addresses, ['127.0.0.1']);
  } finally {
    await v6.close();
  }
});

test('a non-loopback resolver is refused by the interlock before any packet: status error, phase 0', async () => {
  const checked: string[] = [];
  const real = createInterlock({ enabled: true });
  const interlock: Interlock = {
    enabled: true,
    check(address) {
      checked.push(address);
      real.check(address);
    },
  };
  const result = await probeDns(
    { host: 'login.lab.test', resolver: '192.0.2.1:53' },
    options(ASSURED, context({ interlock })),
  );
  assert.equal(result.id, 'dns:login.lab.test@192.0.2.1:53');
  assert.equal(result.status, 'error');
  assert.equal(result.failure?.code, 'interlock');
  assert.equal(result.error?.code, 'interlock');
  assert.match(result.failure?.detail ?? '', /192\.0\.2\.1 is not loopback/);
  assert.deepEqual(checked, ['192.0.2.1']);
  assert.equal(result.phases.dns, 0);
  assert.equal(result.detail.server, undefined);
});

test('a resolver or host that cannot be parsed is an error (the probe could not run), not a fail', async () => {
  const badResolver = await probeDns(
    { host: 'login.lab.test', resolver: 'dns.example:53' },
    options(ASSURED),
  );
  assert.equal(badResolver.status, 'error');
  assert.equal(badResolver.failure?.code, 'parse_error');
  assert.match(badResolver.failure?.detail ?? '', /not ip, ip:port or \[ipv6\]:port/);
  const badHost = await probeDns(
    { host: `${'x'.repeat(70)}.lab.test`, resolver: lab.hostPort },
    options(ASSURED),
  );
  assert.equal(badHost.status, 'error');
  assert.equal(badHost.failure?.code, 'parse_error');
  const address = await probeDns({ host: '127.0.0.1', resolver: lab.hostPort }, options(ASSURED));
  assert.equal(address.status, 'skipped');
  assert.equal(address.failure?.code, 'not_applicable');
});

test('an already-aborted signal is dns_timeout without waiting', async () => {
  const controller = new AbortController();
  controller.abort();
  const result = await probeDns(
    { host: 'login.lab.test', resolver: lab.hostPort },
    { signal: controller.signal, deadline: Date.now() + ASSURED, ctx: context() },
  );
  assert.equal(result.status, 'fail');
  assert.equal(result.failure?.code, 'dns_timeout');
});
