import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readProxyVariables } from '../../probes/agent/config.ts';
import { type DiscoverOptions, discoverProxy } from '../../probes/proxy/discover.ts';
import { probeProxy } from '../../probes/proxy.ts';
import { fixture, labContext, labOptions, type PacServer, startPacServer } from './lab-context.ts';

const discover = (over: Partial<DiscoverOptions>) =>
  discoverProxy({ platform: 'linux', proxyVariables: {}, ctx: labContext(), ...over });

/** macOS settings pointing at a PAC URL, so discovery makes the source pac. */
async function withPac(pacUrl: string, over: Partial<DiscoverOptions> = {}) {
  const scutil = (await fixture('scutil-pac.txt')).replaceAll('http://pac.contoso.com/proxy.pac', pacUrl);
  return discover({ platform: 'darwin', run: async () => scutil, ...over });
}

const SAMPLES = ['https://teams.lab.test/', 'https://login.lab.test/'];

describe('probeProxy', () => {
  let server: PacServer;
  before(async () => {
    server = await startPacServer({
      '/good.pac':
        'function FindProxyForURL(u, host) { return host == "teams.lab.test" ? "PROXY p.test:3128; DIRECT" : "DIRECT"; }',
      '/loop.pac': 'function FindProxyForURL() { while (true) {} }',
      '/syntax.pac': 'function FindProxyForURL( {',
      '/dns.pac':
        'function FindProxyForURL(u, host) { return dnsResolve(host) ? "DIRECT" : "PROXY p.test:1"; }',
      '/socks.pac': 'function FindProxyForURL() { return "SOCKS5 s.test:1080"; }',
      '/missing.pac': 404,
    });
  });
  after(() => server.close());

  test('no proxy is a pass with source none', async () => {
    const result = await probeProxy({ settings: await discover({}) }, labOptions(2000));
    assert.equal(result.id, 'proxy:discovery');
    assert.equal(result.kind, 'proxy');
    assert.equal(result.status, 'pass');
    assert.deepEqual(result.detail, { source: 'none', bypass: [] });
  });

  test('an environment proxy is a pass with its (redacted) url and bypass list', async () => {
    const settings = await discover({
      proxyVariables: readProxyVariables({
        HTTPS_PROXY: 'http://u:pw@p.test:3128',
        NO_PROXY: 'lab.test,.corp',
      }),
    });
    const result = await probeProxy({ settings }, labOptions(2000));
    assert.equal(result.status, 'pass');
    assert.deepEqual(result.detail, {
      source: 'env',
      url: 'http://u:***@p.test:3128',
      bypass: ['lab.test', '.corp'],
    });
  });

  test('a PAC file that evaluates is a pass with its decisions', async () => {
    const settings = await withPac(server.url('/good.pac'));
    const result = await probeProxy({ settings, sampleUrls: SAMPLES }, labOptions(5000));
    assert.equal(result.status, 'pass', JSON.stringify(result.failure));
    assert.equal(result.detail.source, 'pac');
    assert.equal(result.detail.pacUrl, server.url('/good.pac'));
    assert.deepEqual(result.detail.decisions, [
      { url: 'https://teams.lab.test/', result: 'PROXY p.test:3128; DIRECT', proxy: 'http://p.test:3128' },
      { url: 'https://login.lab.test/', result: 'DIRECT', proxy: null },
    ]);
    settings.pac?.dispose();
  });

  test('the catalog endpoints are the default samples', async () => {
    const ctx = labContext({
      endpoints: [{ host: 'teams.lab.test', port: 443, purpose: 'service', required: true }],
    });
    const settings = await withPac(server.url('/good.pac'), { ctx });
    const result = await probeProxy({ settings }, labOptions(5000, ctx));
    assert.deepEqual(
      result.detail.decisions?.map((d) => d.url),
      ['https://teams.lab.test/'],
    );
  });

  test('a PAC file that cannot be fetched is a warn with the cause', async () => {
    const result = await probeProxy(
      { settings: await withPac(server.url('/missing.pac')), sampleUrls: SAMPLES },
      labOptions(5000),
    );
    assert.equal(result.status, 'warn');
    assert.equal(result.failure?.code, 'bad_response');
    assert.match(result.failure?.detail ?? '', /HTTP 404/);
  });

  test('a PAC file that loops is a warn timeout, given exactly the time left to the deadline', async () => {
    // The probe's clock stands still: 600 ms remain to its deadline whenever it asks.
    const ctx = labContext({ now: () => 1_800_000_000_000 });
    const result = await probeProxy(
      { settings: await withPac(server.url('/loop.pac')), sampleUrls: SAMPLES },
      labOptions(600, ctx),
    );
    assert.equal(result.status, 'warn');
    assert.equal(result.failure?.code, 'timeout');
    assert.match(
      result.failure?.detail ?? '',
      /stopped at its 600 ms time limit \(InternalError: interrupted\)/,
    );
  });

  test('a PAC file that does not parse is a warn parse_error', async () => {
    const result = await probeProxy(
      { settings: await withPac(server.url('/syntax.pac')), sampleUrls: SAMPLES },
      labOptions(5000),
    );
    assert.equal(result.status, 'warn');
    assert.equal(result.failure?.code, 'parse_error');
  });

  test('a PAC file whose dnsResolve would leave the lab is an error interlock', async () => {
    const result = await probeProxy(
      { settings: await withPac(server.url('/dns.pac')), sampleUrls: SAMPLES },
      labOptions(5000),
    );
    assert.equal(result.status, 'error');
    assert.equal(result.failure?.code, 'interlock');
  });

  test('a SOCKS proxy, from a PAC file or the environment, is a warn not_applicable', async () => {
    const fromPac = await probeProxy(
      { settings: await withPac(server.url('/socks.pac')), sampleUrls: SAMPLES },
      labOptions(5000),
    );
    assert.equal(fromPac.status, 'warn');
    assert.equal(fromPac.failure?.code, 'not_applicable');
    assert.deepEqual(fromPac.detail.decisions?.[0].unsupported, ['SOCKS5 s.test:1080']);
    const fromEnv = await probeProxy(
      {
        settings: await discover({
          proxyVariables: readProxyVariables({ ALL_PROXY: 'socks5://s.test:1080' }),
        }),
      },
      labOptions(2000),
    );
    assert.equal(fromEnv.status, 'warn');
    assert.match(fromEnv.failure?.detail ?? '', /socks5:\/\/s\.test:1080/);
  });

  test('system settings that could not be read are a warn parse_error naming them', async () => {
    const settings = await discover({ platform: 'darwin', run: async () => 'scutil: command not found' });
    const result = await probeProxy({ settings }, labOptions(2000));
    assert.equal(result.status, 'warn');
    assert.equal(result.failure?.code, 'parse_error');
    assert.match(result.failure?.detail ?? '', /scutil --proxy/);
  });
});
