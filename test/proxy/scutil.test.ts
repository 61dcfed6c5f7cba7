import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScutil, parseScutilDictionary } from '../../probes/proxy/scutil.ts';
import { ProxyConfigError, staticProxyFor } from '../../probes/proxy/servers.ts';
import { fixture } from './lab-context.ts';

test('no proxy: the default exceptions only', async () => {
  const parsed = parseScutil(await fixture('scutil-none.txt'));
  assert.equal(parsed.proxy, undefined);
  assert.equal(parsed.pacUrl, undefined);
  assert.deepEqual(parsed.exceptions, ['*.local', '169.254/16']);
});

test('HTTP and HTTPS proxies with exceptions, CIDR shorthand and simple host names', async () => {
  const parsed = parseScutil(await fixture('scutil-http-https.txt'));
  assert.deepEqual(parsed.proxy?.servers, {
    http: 'http://proxy.contoso.com:3128',
    https: 'http://secure-proxy.contoso.com:3129',
  });
  const proxy = parsed.proxy!;
  assert.equal(staticProxyFor(proxy, 'https://teams.microsoft.com/'), 'http://secure-proxy.contoso.com:3129');
  assert.equal(staticProxyFor(proxy, 'http://example.net/'), 'http://proxy.contoso.com:3128');
  assert.equal(staticProxyFor(proxy, 'https://printer.local/'), null);
  assert.equal(staticProxyFor(proxy, 'https://169.254.10.1/'), null);
  assert.equal(staticProxyFor(proxy, 'https://10.20.30.40/'), null, '10/8');
  assert.equal(staticProxyFor(proxy, 'https://11.0.0.1/'), 'http://secure-proxy.contoso.com:3129');
  assert.equal(staticProxyFor(proxy, 'https://fileserver/'), null, 'ExcludeSimpleHostnames');
});

test('PAC enabled, and leftovers of disabled settings ignored', async () => {
  const pac = parseScutil(await fixture('scutil-pac.txt'));
  assert.equal(pac.pacUrl, 'http://pac.contoso.com/proxy.pac');
  assert.equal(pac.proxy, undefined);

  const leftover = parseScutil(await fixture('scutil-disabled-leftover.txt'));
  assert.equal(leftover.proxy, undefined);
  assert.equal(leftover.pacUrl, undefined);
  assert.equal(leftover.autoDiscovery, true);
});

test('the dump is read as nested dictionaries and arrays', async () => {
  const dict = parseScutilDictionary(await fixture('scutil-http-https.txt'));
  const scoped = dict.__SCOPED__ as Record<string, Record<string, unknown>>;
  assert.equal(scoped.en0.HTTPProxy, 'proxy.contoso.com');
  assert.deepEqual(scoped.en0.ExceptionsList, ['*.local', '169.254/16', '*.contoso.com', '10/8']);
});

test('malformed outputs are clear errors', async () => {
  const cases: Array<[string, RegExp]> = [
    ['scutil-malformed-truncated.txt', /never closed: truncated output/],
    [
      'scutil-malformed-not-scutil.txt',
      /expected output starting "<dictionary> \{", got "scutil: command not found"/,
    ],
    ['scutil-malformed-bad-port.txt', /HTTPSPort: "eighty" is not a port number/],
  ];
  for (const [name, message] of cases) {
    const text = await fixture(name);
    assert.throws(
      () => parseScutil(text),
      (err: unknown) => err instanceof ProxyConfigError && message.test(err.message),
      name,
    );
  }
  assert.throws(
    () => parseScutil('<dictionary> {\n  HTTPSEnable : 1\n}\n'),
    /HTTPSEnable is 1 but no HTTPSProxy/,
  );
});
