import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProxyConfigError, staticProxyFor } from '../../probes/proxy/servers.ts';
import { parseWinHttp } from '../../probes/proxy/winhttp.ts';
import { fixture } from './lab-context.ts';

test('direct access, English (CRLF) and German', async () => {
  for (const name of ['winhttp-direct.txt', 'winhttp-direct-de.txt']) {
    const parsed = parseWinHttp(await fixture(name));
    assert.deepEqual(parsed, { layout: 'classic', direct: true }, name);
  }
});

test('one proxy for every scheme, with a bypass list', async () => {
  const parsed = parseWinHttp(await fixture('winhttp-proxy.txt'));
  assert.equal(parsed.direct, false);
  assert.equal(parsed.proxyServer, 'proxy.contoso.com:8080');
  assert.equal(parsed.bypassList, '<local>;*.contoso.com');
  assert.deepEqual(parsed.proxy?.servers, {
    http: 'http://proxy.contoso.com:8080',
    https: 'http://proxy.contoso.com:8080',
  });
  const proxy = parsed.proxy!;
  assert.equal(staticProxyFor(proxy, 'https://teams.microsoft.com/'), 'http://proxy.contoso.com:8080');
  assert.equal(staticProxyFor(proxy, 'https://intranet/'), null, '<local> bypasses dotless names');
  assert.equal(staticProxyFor(proxy, 'https://hr.contoso.com/'), null);
  assert.equal(
    staticProxyFor(proxy, 'https://contoso.com/'),
    'http://proxy.contoso.com:8080',
    '*.contoso.com needs a label',
  );
});

test('per-scheme servers and a "(none)" bypass list', async () => {
  const parsed = parseWinHttp(await fixture('winhttp-per-scheme.txt'));
  assert.deepEqual(parsed.proxy?.servers, {
    http: 'http://proxy.contoso.com:80',
    https: 'http://secure-proxy.contoso.com:443',
  });
  assert.equal(parsed.bypassList, undefined);
  assert.deepEqual(parsed.proxy?.bypass, []);
});

test('a server written as a URL, labels without padding', async () => {
  const parsed = parseWinHttp(await fixture('winhttp-url-no-padding.txt'));
  assert.equal(parsed.proxy?.servers.https, 'http://192.168.0.117:8080');
  assert.deepEqual(parsed.proxy?.bypass, ['<local>']);
});

test('Windows 11 advproxy JSON: proxy, PAC, and empty', async () => {
  const proxied = parseWinHttp(await fixture('winhttp-advproxy-win11.txt'));
  assert.equal(proxied.layout, 'advanced');
  assert.equal(proxied.proxy?.servers.https, 'http://proxy.contoso.com:8080');
  assert.equal(staticProxyFor(proxied.proxy!, 'https://10.4.5.6/'), null, '10.* bypasses');
  assert.equal(proxied.autoDetect, false);

  const pac = parseWinHttp(await fixture('winhttp-advproxy-pac-win11.txt'));
  assert.equal(pac.direct, true);
  assert.equal(pac.autoConfigUrl, 'http://wpad.contoso.com/proxy.pac');
  assert.equal(pac.autoDetect, true);

  assert.deepEqual(parseWinHttp(await fixture('winhttp-advproxy-empty-win11.txt')), {
    layout: 'advanced',
    direct: true,
  });
});

test('malformed outputs are clear errors', async () => {
  const cases: Array<[string, RegExp]> = [
    ['winhttp-malformed-not-found.txt', /no WinHTTP header.*The following command was not found/],
    ['winhttp-malformed-empty-server.txt', /"Proxy Server\(s\)" has no value; expected host:port/],
    ['winhttp-malformed-advproxy-truncated.txt', /not valid JSON/],
  ];
  for (const [name, message] of cases) {
    const text = await fixture(name);
    assert.throws(
      () => parseWinHttp(text),
      (err: unknown) => err instanceof ProxyConfigError && message.test(err.message),
      name,
    );
  }
  assert.throws(
    () => parseWinHttp('Current WinHTTP proxy settings:\n\n    Proxy Server(s) :  mail=p:25\n'),
    /"mail=p:25" names scheme "mail"/,
  );
  assert.throws(
    () =>
      parseWinHttp(
        'Current WinHTTP proxy settings:\n\n    Bypass List : <local>\n    Proxy Server(s) : p:1\n',
      ),
    /before "Bypass List"/,
  );
});
