import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readProxyVariables } from '../../probes/agent/config.ts';
import { type DiscoverOptions, discoverProxy } from '../../probes/proxy/discover.ts';
import { ProxyConfigError } from '../../probes/proxy/servers.ts';
import { INTERNET_SETTINGS_KEY } from '../../probes/proxy/wininet.ts';
import { fixture, labContext, type PacServer, startPacServer } from './lab-context.ts';

type Call = { cmd: string; args: string[] };

/** A `run` that answers from recorded outputs, by command, and records what it was asked. */
function recorded(outputs: Record<string, string | Error>): {
  run: NonNullable<DiscoverOptions['run']>;
  calls: Call[];
} {
  const calls: Call[] = [];
  return {
    calls,
    run: async (cmd, args) => {
      calls.push({ cmd, args });
      const out = outputs[cmd];
      if (out === undefined) throw new Error(`unexpected command ${cmd}`);
      if (out instanceof Error) throw out;
      return out;
    },
  };
}

const base = (over: Partial<DiscoverOptions>): DiscoverOptions => ({
  platform: 'linux',
  proxyVariables: {},
  ctx: labContext(),
  ...over,
});

function regWithPac(url: string, proxyEnable: boolean): string {
  return (
    'HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\r\n' +
    `    ProxyEnable    REG_DWORD    ${proxyEnable ? '0x1' : '0x0'}\r\n` +
    '    ProxyServer    REG_SZ    manual-proxy.corp.test:8080\r\n' +
    `    AutoConfigURL    REG_SZ    ${url}\r\n`
  );
}

describe('linux', () => {
  test('environment only; no command is run', async () => {
    const { run, calls } = recorded({});
    const found = await discoverProxy(
      base({
        proxyVariables: readProxyVariables({ https_proxy: 'http://p.test:3128', no_proxy: 'lab.test' }),
        run,
      }),
    );
    assert.equal(found.source, 'env');
    assert.equal(found.url, 'http://p.test:3128');
    assert.deepEqual(found.bypass, ['lab.test']);
    assert.equal(await found.forUrl('https://login.lab.test/'), null);
    assert.equal(await found.forUrl('https://teams.microsoft.com/'), 'http://p.test:3128');
    assert.deepEqual(calls, []);
  });

  test('nothing configured is source none', async () => {
    const found = await discoverProxy(base({}));
    assert.equal(found.source, 'none');
    assert.equal(await found.forUrl('https://teams.microsoft.com/'), null);
  });

  test('a malformed environment proxy is a configuration error naming the variable', async () => {
    await assert.rejects(
      discoverProxy(base({ proxyVariables: readProxyVariables({ HTTPS_PROXY: 'gopher://x:70' }) })),
      (err: unknown) => err instanceof ProxyConfigError && err.where === 'HTTPS_PROXY',
    );
  });

  test('the reported url hides the password; forUrl keeps it', async () => {
    const found = await discoverProxy(
      base({ proxyVariables: readProxyVariables({ HTTPS_PROXY: 'http://u:pw@p.test:3128' }) }),
    );
    assert.equal(found.url, 'http://u:***@p.test:3128');
    assert.equal(await found.forUrl('https://a.test/'), 'http://u:pw@p.test:3128');
  });
});

describe('win32', () => {
  test('runs reg and netsh with argument lists and prefers the user WinINet proxy', async () => {
    const { run, calls } = recorded({
      reg: await fixture('wininet-enabled.txt'),
      netsh: await fixture('winhttp-per-scheme.txt'),
    });
    const found = await discoverProxy(base({ platform: 'win32', run }));
    assert.deepEqual(calls, [
      { cmd: 'reg', args: ['query', INTERNET_SETTINGS_KEY] },
      { cmd: 'netsh', args: ['winhttp', 'show', 'proxy'] },
    ]);
    assert.equal(
      INTERNET_SETTINGS_KEY,
      'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings',
    );
    assert.equal(found.source, 'wininet');
    assert.equal(await found.forUrl('https://teams.microsoft.com/'), 'http://proxy.contoso.com:8080');
    assert.equal(
      found.details.winhttp?.proxy?.servers.https,
      'http://secure-proxy.contoso.com:443',
      'WinHTTP kept',
    );
  });

  test('WinINet off: the WinHTTP proxy', async () => {
    const { run } = recorded({
      reg: await fixture('wininet-disabled.txt'),
      netsh: await fixture('winhttp-proxy.txt'),
    });
    const found = await discoverProxy(base({ platform: 'win32', run }));
    assert.equal(found.source, 'winhttp');
    assert.deepEqual(found.bypass, ['<local>', '*.contoso.com']);
    assert.equal(found.details.autoDetect, true);
  });

  test('the environment comes first, and the system settings are still recorded', async () => {
    const { run } = recorded({
      reg: await fixture('wininet-enabled.txt'),
      netsh: await fixture('winhttp-direct.txt'),
    });
    const found = await discoverProxy(
      base({
        platform: 'win32',
        proxyVariables: readProxyVariables({ HTTPS_PROXY: 'http://envproxy:1' }),
        run,
      }),
    );
    assert.equal(found.source, 'env');
    assert.equal(found.details.wininet?.proxyEnable, true);
  });

  test('unreadable settings are recorded as problems, not thrown', async () => {
    const { run } = recorded({
      reg: new Error('ERROR: Access is denied.'),
      netsh: await fixture('winhttp-malformed-not-found.txt'),
    });
    const found = await discoverProxy(base({ platform: 'win32', run }));
    assert.equal(found.source, 'none');
    assert.deepEqual(
      found.details.problems.map((p) => p.source),
      ['wininet', 'winhttp'],
    );
    assert.match(found.details.problems[0].message, /reg query .* failed: ERROR: Access is denied/);
    assert.match(found.details.problems[1].message, /no WinHTTP header/);
  });

  describe('with a PAC file on 127.0.0.1', () => {
    let server: PacServer;
    before(async () => {
      server = await startPacServer({
        '/proxy.pac':
          'function FindProxyForURL(url, host) { return dnsDomainIs(host, ".lab.test") ? "DIRECT" : "PROXY pac-proxy.corp.test:3128; DIRECT"; }',
      });
    });
    after(() => server.close());

    test('AutoConfigURL makes the source pac; forUrl asks the PAC file, which is fetched once', async () => {
      const { run } = recorded({
        reg: regWithPac(server.url('/proxy.pac'), false),
        netsh: await fixture('winhttp-direct.txt'),
      });
      const found = await discoverProxy(base({ platform: 'win32', run }));
      assert.equal(found.source, 'pac');
      assert.equal(found.url, server.url('/proxy.pac'));
      assert.equal(found.pacUrl, server.url('/proxy.pac'));
      assert.equal(await found.forUrl('https://teams.microsoft.com/'), 'http://pac-proxy.corp.test:3128');
      assert.equal(await found.forUrl('https://login.lab.test/'), null);
      assert.deepEqual(server.hits, ['/proxy.pac']);
      found.pac?.dispose();
    });

    test('a PAC file that cannot be fetched falls back to the manual proxy, as WinINet does', async () => {
      const { run } = recorded({
        reg: regWithPac(server.url('/missing.pac'), true),
        netsh: await fixture('winhttp-direct.txt'),
      });
      const found = await discoverProxy(base({ platform: 'win32', run }));
      assert.equal(found.source, 'pac');
      assert.equal(await found.forUrl('https://teams.microsoft.com/'), 'http://manual-proxy.corp.test:8080');
      assert.equal(found.pac?.lastError()?.code, 'bad_response');
    });
  });
});

describe('darwin', () => {
  test('scutil --proxy, run as an argument list', async () => {
    const { run, calls } = recorded({ scutil: await fixture('scutil-http-https.txt') });
    const found = await discoverProxy(base({ platform: 'darwin', run }));
    assert.deepEqual(calls, [{ cmd: 'scutil', args: ['--proxy'] }]);
    assert.equal(found.source, 'scutil');
    assert.equal(found.url, 'http://secure-proxy.contoso.com:3129');
    assert.equal(await found.forUrl('https://printer.local/'), null);
  });

  test('a PAC URL, fetched with the injected fetchPac; its credentials are not reported', async () => {
    const scutil = (await fixture('scutil-pac.txt')).replaceAll('http://pac.', 'http://svc:secret@pac.');
    const { run } = recorded({ scutil });
    const asked: string[] = [];
    const found = await discoverProxy(
      base({
        platform: 'darwin',
        run,
        fetchPac: async (url) => {
          asked.push(url);
          return 'function FindProxyForURL() { return "PROXY mac-pac.test:8080"; }';
        },
      }),
    );
    assert.equal(found.source, 'pac');
    assert.equal(await found.forUrl('https://teams.microsoft.com/'), 'http://mac-pac.test:8080');
    assert.deepEqual(asked, ['http://svc:secret@pac.contoso.com/proxy.pac']);
    assert.equal(found.url, 'http://svc:***@pac.contoso.com/proxy.pac');
    assert.equal(found.pacUrl, found.url);
    found.pac?.dispose();
  });

  test('malformed scutil output is a problem, and the source none', async () => {
    const { run } = recorded({ scutil: await fixture('scutil-malformed-truncated.txt') });
    const found = await discoverProxy(base({ platform: 'darwin', run }));
    assert.equal(found.source, 'none');
    assert.match(found.details.problems[0].message, /truncated/);
  });
});
