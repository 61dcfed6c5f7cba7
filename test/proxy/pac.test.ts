import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { compilePac, type PacEnvironment, PacError } from '../../probes/proxy/pac.ts';
import { fetchPacFile } from '../../probes/proxy/pac-fetch.ts';
import { parsePacResult } from '../../probes/proxy/pac-result.ts';
import { type LabDnsServer, startDnsServer } from '../lab/dns-server.ts';
import { labContext, type PacServer, startPacServer } from './lab-context.ts';

const CORPORATE_PAC = `
function FindProxyForURL(url, host) {
  if (isPlainHostName(host) || dnsDomainIs(host, ".corp.test")) return "DIRECT";
  if (shExpMatch(host, "*.microsoftonline.com")) return "PROXY auth-proxy.corp.test:8080; DIRECT";
  if (url.substring(0, 6) == "https:") return "PROXY proxy.corp.test:3128";
  return "SOCKS5 socks.corp.test:1080; PROXY proxy.corp.test:3128";
}`;

const noDns: PacEnvironment = { ctx: labContext(), myIpAddress: '10.9.8.7' };
const isPacError = (code: string, message?: RegExp) => (err: unknown) =>
  err instanceof PacError && err.code === code && (!message || message.test(err.message));

describe('PAC evaluation in QuickJS', () => {
  test('decides per host and URL', async () => {
    const pac = await compilePac(CORPORATE_PAC, noDns, { timeoutMs: 5000 });
    try {
      const find = (url: string) => pac.findProxy(url, { timeoutMs: 5000 });
      assert.equal(await find('https://intranet/'), 'DIRECT');
      assert.equal(await find('https://wiki.corp.test/'), 'DIRECT');
      assert.equal(
        await find('https://login.microsoftonline.com/'),
        'PROXY auth-proxy.corp.test:8080; DIRECT',
      );
      assert.equal(await find('https://teams.microsoft.com/'), 'PROXY proxy.corp.test:3128');
      assert.equal(
        await find('http://example.test/'),
        'SOCKS5 socks.corp.test:1080; PROXY proxy.corp.test:3128',
      );
    } finally {
      pac.dispose();
    }
  });

  test('the script sees no Node API, and myIpAddress() opens no socket', async () => {
    const pac = await compilePac(
      `function FindProxyForURL(url, host) {
         return [typeof require, typeof process, typeof fetch, typeof std, typeof os, typeof Buffer, myIpAddress()].join(",");
       }`,
      noDns,
      { timeoutMs: 5000 },
    );
    assert.equal(
      await pac.findProxy('https://a.test/', { timeoutMs: 5000 }),
      'undefined,undefined,undefined,undefined,undefined,undefined,10.9.8.7',
    );
    pac.dispose();
  });

  test('while(true){} in FindProxyForURL is stopped at the time limit, and the next call still works', async () => {
    // A clock that moves 20 ms each time it is read: a spinning script never yields, so only
    // the interrupt handler's own reads move time on, and when it stops the script is exact.
    const STEP = 25;
    let t = 0;
    const pac = await compilePac(
      'function FindProxyForURL(url, host) { if (host == "loop.test") { while (true) {} } return "DIRECT"; }',
      { ...noDns, now: () => (t += STEP) },
      { timeoutMs: 5000 },
    );
    const from = t;
    await assert.rejects(
      pac.findProxy('https://loop.test/', { timeoutMs: 300 }),
      isPacError('timeout', /interrupted/),
    );
    // Stopped at the first check after the limit passed: not before it, and not long after.
    const elapsed = t - from;
    assert.ok(
      elapsed > 300 && elapsed <= 300 + 3 * STEP,
      `stopped ${elapsed} ms (injected clock) into a 300 ms limit`,
    );
    assert.equal(await pac.findProxy('https://ok.test/', { timeoutMs: 5000 }), 'DIRECT');
    pac.dispose();
  });

  test('a loop at the top level of the file is stopped while compiling', async () => {
    await assert.rejects(
      compilePac('while (true) {}\nfunction FindProxyForURL() { return "DIRECT"; }', noDns, {
        timeoutMs: 300,
      }),
      isPacError('timeout', /compiling/),
    );
  });

  test('a loop after an awaited dnsResolve is stopped too, without an unhandled rejection', async () => {
    const dns = await startDnsServer({ records: { 'slow.lab.test': { a: ['127.0.0.1'] } } });
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    try {
      const pac = await compilePac(
        'function FindProxyForURL(url, host) { var ip = dnsResolve(host); while (true) {} }',
        { ctx: labContext({ systemResolver: dns.hostPort }) },
        { timeoutMs: 5000 },
      );
      await assert.rejects(
        pac.findProxy('https://slow.lab.test/', { timeoutMs: 400 }),
        isPacError('timeout'),
      );
      // Let any stray continuation run before checking nothing escaped.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
      pac.dispose();
    } finally {
      process.off('unhandledRejection', onUnhandled);
      process.off('uncaughtException', onUnhandled);
      await dns.close();
    }
  });

  test('dnsResolve goes through the ProbeContext resolver (the lab DNS server)', async () => {
    const dns = await startDnsServer({ records: { 'app.lab.test': { a: ['10.1.2.3'] } } });
    try {
      const pac = await compilePac(
        `function FindProxyForURL(url, host) {
           if (isInNet(host, "10.0.0.0", "255.0.0.0")) return "DIRECT";
           return isResolvable(host) ? "PROXY resolvable.test:1" : "PROXY unresolvable.test:1";
         }`,
        { ctx: labContext({ systemResolver: dns.hostPort }) },
        { timeoutMs: 5000 },
      );
      assert.equal(await pac.findProxy('https://app.lab.test/', { timeoutMs: 5000 }), 'DIRECT');
      assert.equal(
        await pac.findProxy('https://missing.lab.test/', { timeoutMs: 5000 }),
        'PROXY unresolvable.test:1',
      );
      assert.deepEqual(
        dns.queries.map((q) => q.name),
        ['app.lab.test', 'missing.lab.test', 'missing.lab.test'],
      );
      pac.dispose();
    } finally {
      await dns.close();
    }
  });

  test('dnsResolve of a name with no lab resolver is refused by the interlock', async () => {
    const pac = await compilePac(
      'function FindProxyForURL(url, host) { return dnsResolve(host) ? "DIRECT" : "PROXY p.test:1"; }',
      noDns,
      { timeoutMs: 5000 },
    );
    await assert.rejects(
      pac.findProxy('https://login.microsoftonline.com/', { timeoutMs: 5000 }),
      isPacError('interlock', /refused by the lab interlock/),
    );
    pac.dispose();
  });

  test('broken scripts are parse_error: syntax, no FindProxyForURL, a throw, a non-string', async () => {
    await assert.rejects(
      compilePac('function FindProxyForURL( {', noDns, { timeoutMs: 5000 }),
      isPacError('parse_error'),
    );
    await assert.rejects(
      compilePac('function findproxy() { return "DIRECT"; }', noDns, { timeoutMs: 5000 }),
      isPacError('parse_error', /FindProxyForURL/),
    );
    const throwing = await compilePac('function FindProxyForURL() { throw new Error("boom"); }', noDns, {
      timeoutMs: 5000,
    });
    await assert.rejects(
      throwing.findProxy('https://a.test/', { timeoutMs: 5000 }),
      isPacError('parse_error', /boom/),
    );
    const numeric = await compilePac('function FindProxyForURL() { return 42; }', noDns, { timeoutMs: 5000 });
    await assert.rejects(
      numeric.findProxy('https://a.test/', { timeoutMs: 5000 }),
      isPacError('parse_error', /number/),
    );
  });

  test('a memory bomb hits the heap limit, not this process', async () => {
    const pac = await compilePac(
      'function FindProxyForURL() { var a = []; while (true) { a.push(new Array(100000).fill(1)); } }',
      { ...noDns, memoryLimit: 8 << 20 },
      { timeoutMs: 5000 },
    );
    await assert.rejects(
      pac.findProxy('https://a.test/', { timeoutMs: 10_000 }),
      isPacError('parse_error', /out of memory/),
    );
    pac.dispose();
  });
});

describe('PAC answers', () => {
  test('first usable entry wins; SOCKS is named as unsupported', () => {
    assert.deepEqual(parsePacResult('PROXY p.test:8080; DIRECT').proxy, 'http://p.test:8080');
    assert.equal(parsePacResult('DIRECT').proxy, null);
    assert.equal(parsePacResult('HTTPS secure.test:443').proxy, 'https://secure.test:443');
    const mixed = parsePacResult('SOCKS5 s.test:1080; PROXY p.test:3128');
    assert.equal(mixed.proxy, 'http://p.test:3128');
    assert.deepEqual(mixed.unsupported, ['SOCKS5 s.test:1080']);
    const socksOnly = parsePacResult('SOCKS s.test:1080');
    assert.equal(socksOnly.proxy, 'socks4://s.test:1080');
    assert.deepEqual(socksOnly.unsupported, ['SOCKS s.test:1080']);
  });

  test('empty and unknown answers are parse_error', () => {
    assert.throws(() => parsePacResult(''), isPacError('parse_error', /empty/));
    assert.throws(() => parsePacResult('FTP f.test:21'), isPacError('parse_error', /uses "FTP"/));
    assert.throws(() => parsePacResult('PROXY nohostport'), isPacError('parse_error', /not a PAC entry/));
  });
});

describe('fetching the PAC file', () => {
  let server: PacServer;
  let dns: LabDnsServer;
  before(async () => {
    server = await startPacServer({ '/proxy.pac': CORPORATE_PAC, '/gone.pac': 404, '/hang.pac': 'hang' });
    dns = await startDnsServer({ records: { 'pac.lab.test': { a: ['127.0.0.1'] } } });
  });
  after(async () => {
    await server.close();
    await dns.close();
  });
  const fetchWith = (url: string, ms = 5000, systemResolver?: string) =>
    fetchPacFile(url, { ctx: labContext({ systemResolver }), signal: AbortSignal.timeout(ms) });

  test('from a node:http server on 127.0.0.1, by address and by lab name', async () => {
    assert.equal(await fetchWith(server.url('/proxy.pac')), CORPORATE_PAC);
    const byName = server.url('/proxy.pac').replace('127.0.0.1', 'pac.lab.test');
    assert.equal(await fetchWith(byName, 5000, dns.hostPort), CORPORATE_PAC);
  });

  test('HTTP 404 is bad_response; a closed port is refused; silence is timeout', async () => {
    await assert.rejects(fetchWith(server.url('/gone.pac')), isPacError('bad_response', /HTTP 404/));
    await assert.rejects(fetchWith('http://127.0.0.1:1/proxy.pac'), isPacError('refused'));
    await assert.rejects(fetchWith(server.url('/hang.pac'), 400), isPacError('timeout'));
  });

  test('a non-lab host is refused by the interlock before any packet', async () => {
    await assert.rejects(fetchWith('http://192.0.2.80/proxy.pac'), isPacError('interlock'));
    await assert.rejects(fetchWith('http://wpad.contoso.com/wpad.dat'), isPacError('interlock'));
    await assert.rejects(fetchWith('file:///etc/passwd'), isPacError('parse_error', /only http: and https:/));
  });
});
