import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProxyConfigError, staticProxyFor } from '../../probes/proxy/servers.ts';
import { parseWinInet } from '../../probes/proxy/wininet.ts';
import { fixture } from './lab-context.ts';

test('ProxyEnable 0x0 keeps the leftover server but uses no proxy', async () => {
  const parsed = parseWinInet(await fixture('wininet-disabled.txt'));
  assert.equal(parsed.proxyEnable, false);
  assert.equal(parsed.proxyServer, 'oldproxy.contoso.com:3128');
  assert.equal(parsed.proxy, undefined);
  assert.equal(parsed.autoDetect, true);
});

test('ProxyEnable 0x1 with ProxyServer and ProxyOverride', async () => {
  const parsed = parseWinInet(await fixture('wininet-enabled.txt'));
  assert.equal(parsed.proxyEnable, true);
  assert.deepEqual(parsed.proxy?.bypass, ['*.contoso.com', '10.*', '<local>']);
  const proxy = parsed.proxy!;
  assert.equal(staticProxyFor(proxy, 'https://login.microsoftonline.com/'), 'http://proxy.contoso.com:8080');
  assert.equal(staticProxyFor(proxy, 'https://10.0.0.8/'), null);
  assert.equal(staticProxyFor(proxy, 'http://printer/'), null);
  assert.equal(staticProxyFor(proxy, 'https://sharepoint.contoso.com/'), null);
});

test('per-scheme list with a socks entry', async () => {
  const parsed = parseWinInet(await fixture('wininet-per-scheme.txt'));
  assert.deepEqual(parsed.proxy?.servers, {
    http: 'http://proxy.contoso.com:80',
    https: 'http://proxy.contoso.com:8443',
  });
  const socksOnly = parseWinInet(
    'HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\r\n' +
      '    ProxyEnable    REG_DWORD    0x1\r\n    ProxyServer    REG_SZ    http=p:80;socks=s:1080\r\n',
  );
  assert.equal(socksOnly.proxy?.servers.https, 'socks4://s:1080', 'https falls to the socks entry');
});

test('AutoConfigURL is read, with the manual proxy off', async () => {
  const parsed = parseWinInet(await fixture('wininet-pac.txt'));
  assert.equal(parsed.autoConfigUrl, 'http://pac.contoso.com/proxy.pac');
  assert.equal(parsed.proxyEnable, false);
  assert.equal(parsed.autoDetect, false);
});

test('malformed outputs are clear errors', async () => {
  await assert.rejects(
    async () => parseWinInet(await fixture('wininet-malformed-missing-key.txt')),
    (err: unknown) =>
      err instanceof ProxyConfigError &&
      /expected the key .*Internet Settings.*unable to find/.test(err.message),
  );
  await assert.rejects(
    async () => parseWinInet(await fixture('wininet-malformed-bad-dword.txt')),
    /ProxyEnable: expected REG_DWORD 0x0 or 0x1, got REG_DWORD "yes"/,
  );
  assert.throws(
    () =>
      parseWinInet(
        'HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\n' +
          '    ProxyEnable    REG_DWORD    0x1\n    ProxyServer    REG_SZ    gopher://x:70\n',
      ),
    /ProxyServer: "gopher:\/\/x:70" uses gopher:\/\//,
  );
});
