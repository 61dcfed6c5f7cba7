import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ProbeContext } from '../../probes/context.ts';
import { NO_PROXY } from '../../probes/context.ts';
import { parseHostPort, ResolveError, resolveHost } from '../../probes/dns/resolve.ts';
import { createInterlock, InterlockError } from '../../probes/interlock.ts';
import { emptyLabCatalog } from '../lab/context.ts';
import { type LabDnsServer, startDnsServer } from '../lab/dns-server.ts';

let lab: LabDnsServer;

before(async () => {
  lab = await startDnsServer({
    records: {
      'login.lab.test': { a: ['127.0.0.10', '127.0.0.11'] },
      'alias.lab.test': { cname: 'login.lab.test' },
      'broken.lab.test': { mode: 'servfail' },
      'quiet.lab.test': { mode: 'silence' },
    },
  });
});
after(() => lab.close());

function context(systemResolver: string): ProbeContext {
  return {
    interlock: createInterlock({ enabled: true }),
    systemResolver,
    proxy: NO_PROXY,
    trustedCa: [],
    catalog: emptyLabCatalog(),
    now: () => Date.now(),
  };
}

const ASSURED = AbortSignal.timeout(30_000);

test('resolveHost asks ctx.systemResolver and returns its addresses, CNAMEs followed', async () => {
  const direct = await resolveHost('login.lab.test', context(lab.hostPort), ASSURED);
  assert.deepEqual(direct.addresses, ['127.0.0.10', '127.0.0.11']);
  assert.ok(direct.ms > 0);
  const aliased = await resolveHost('alias.lab.test', context(lab.hostPort), ASSURED);
  assert.deepEqual(aliased.addresses, ['127.0.0.10', '127.0.0.11']);
  assert.ok(lab.queries.some((q) => q.name === 'login.lab.test' && q.type === 'A'));
});

test('resolveHost turns NXDOMAIN into ENOTFOUND and SERVFAIL into ESERVFAIL', async () => {
  await assert.rejects(
    resolveHost('missing.lab.test', context(lab.hostPort), ASSURED),
    (err: unknown) =>
      err instanceof ResolveError && err.code === 'ENOTFOUND' && /missing\.lab\.test/.test(err.message),
  );
  await assert.rejects(
    resolveHost('broken.lab.test', context(lab.hostPort), ASSURED),
    (err: unknown) => err instanceof ResolveError && err.code === 'ESERVFAIL',
  );
});

test('resolveHost gives ETIMEOUT when the signal aborts before a silent resolver answers', async () => {
  await assert.rejects(
    resolveHost('quiet.lab.test', context(lab.hostPort), AbortSignal.timeout(400)),
    (err: unknown) => err instanceof ResolveError && err.code === 'ETIMEOUT',
  );
});

test('resolveHost passes addresses through and refuses a non-loopback resolver with InterlockError', async () => {
  assert.deepEqual(await resolveHost('127.0.0.5', context('192.0.2.1:53'), ASSURED), {
    addresses: ['127.0.0.5'],
    ms: 0,
  });
  await assert.rejects(
    resolveHost('login.lab.test', context('192.0.2.1:53'), ASSURED),
    (err: unknown) => err instanceof InterlockError && err.address === '192.0.2.1',
  );
});

test('parseHostPort reads ip, ip:port, [v6]:port and bare v6', () => {
  assert.deepEqual(parseHostPort('10.0.0.1'), { host: '10.0.0.1', port: 53 });
  assert.deepEqual(parseHostPort('10.0.0.1:5353'), { host: '10.0.0.1', port: 5353 });
  assert.deepEqual(parseHostPort('[::1]:5353'), { host: '::1', port: 5353 });
  assert.deepEqual(parseHostPort('[2001:db8::1]'), { host: '2001:db8::1', port: 53 });
  assert.deepEqual(parseHostPort('2001:db8::1'), { host: '2001:db8::1', port: 53 });
});
