import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Env, readProxyVariables } from '../../probes/agent/config.ts';
import { bypasses, parseNoProxy } from '../../probes/proxy/bypass.ts';
import { readEnvProxy } from '../../probes/proxy/env.ts';
import { ProxyConfigError, redactProxyUrl, staticProxyFor } from '../../probes/proxy/servers.ts';

/** The environment as the agent reads it: agent/config.ts picks the variables, env.ts makes the settings. */
const fromEnv = (env: Env) => readEnvProxy(readProxyVariables(env));

describe('proxy variables', () => {
  test('nothing set, or only NO_PROXY, or empty values: no proxy', () => {
    assert.equal(fromEnv({}), null);
    assert.equal(fromEnv({ NO_PROXY: '*' }), null);
    assert.equal(fromEnv({ HTTPS_PROXY: '', https_proxy: '  ' }), null);
  });

  test('either case is read; lowercase wins when both are set, as in curl', () => {
    assert.equal(fromEnv({ HTTPS_PROXY: 'http://upper:3128' })?.proxy.servers.https, 'http://upper:3128');
    const both = fromEnv({ HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128' });
    assert.equal(both?.proxy.servers.https, 'http://lower:3128');
    assert.deepEqual(both?.variables, ['https_proxy']);
    const noProxy = fromEnv({ https_proxy: 'p:1', NO_PROXY: 'upper.test', no_proxy: 'lower.test' });
    assert.deepEqual(noProxy?.proxy.bypass, ['lower.test']);
  });

  test('each scheme takes its own variable, then ALL_PROXY', () => {
    const env = fromEnv({ HTTP_PROXY: 'http://plain:80', ALL_PROXY: 'socks5://fallback:1080' })!;
    assert.equal(staticProxyFor(env.proxy, 'http://a.test/'), 'http://plain:80');
    assert.equal(staticProxyFor(env.proxy, 'https://a.test/'), 'socks5://fallback:1080');
    assert.equal(staticProxyFor(env.proxy, 'wss://a.test/'), 'socks5://fallback:1080');
    const httpsOnly = fromEnv({ HTTPS_PROXY: 'proxy.corp:8080' })!;
    assert.equal(
      staticProxyFor(httpsOnly.proxy, 'https://a.test/'),
      'http://proxy.corp:8080',
      'bare host:port is http',
    );
    assert.equal(staticProxyFor(httpsOnly.proxy, 'http://a.test/'), null);
  });

  test('credentials are kept for use and hidden for display', () => {
    const env = fromEnv({ HTTPS_PROXY: 'http://alice:s3cret@proxy.corp:3128' })!;
    assert.equal(env.proxy.servers.https, 'http://alice:s3cret@proxy.corp:3128');
    assert.equal(redactProxyUrl(env.proxy.servers.https!), 'http://alice:***@proxy.corp:3128');
  });

  test('an invalid proxy URL is an error naming the variable and what is accepted', () => {
    assert.throws(
      () => fromEnv({ https_proxy: 'http://' }),
      (err: unknown) =>
        err instanceof ProxyConfigError && err.where === 'https_proxy' && /not a proxy URL/.test(err.message),
    );
    assert.throws(
      () => fromEnv({ HTTP_PROXY: 'ftp://proxy:21' }),
      (err: unknown) =>
        err instanceof ProxyConfigError &&
        /^HTTP_PROXY: "ftp:\/\/proxy:21" uses ftp:\/\/; accepted are http:\/\//.test(err.message),
    );
    assert.throws(
      () => fromEnv({ ALL_PROXY: 'http://[::1' }),
      /ALL_PROXY: "http:\/\/\[::1" is not a proxy URL/,
    );
  });
});

describe('NO_PROXY matching', () => {
  const rules = parseNoProxy(
    'localhost, .corp.example, example.org,*.wild.test,intranet:8443, 10.0.0.0/8, 192.168.1.7, [::1], 2001:db8::5',
  );
  const cases: Array<[string, boolean, string]> = [
    ['https://localhost/', true, 'exact host'],
    ['https://corp.example/', true, 'leading dot also matches the domain itself'],
    ['https://a.b.corp.example/', true, 'leading dot: subdomains'],
    ['https://example.org/', true, 'no dot: the domain'],
    ['https://www.example.org/', true, 'no dot: subdomains too'],
    ['https://notexample.org/', false, 'suffix must fall on a label boundary'],
    ['https://x.wild.test/', true, '*. prefix'],
    ['https://intranet:8443/', true, 'host:port entry, same port'],
    ['https://intranet/', false, 'host:port entry, other port'],
    ['https://10.20.30.40/', true, 'IPv4 CIDR'],
    ['https://11.0.0.1/', false, 'outside the CIDR'],
    ['https://192.168.1.7/', true, 'IP literal'],
    ['https://192.168.1.8/', false, 'another IP'],
    ['https://[::1]/', true, 'bracketed IPv6 literal'],
    ['https://[2001:db8::5]:443/', true, 'bare IPv6 literal'],
    ['https://teams.microsoft.com/', false, 'unlisted'],
    ['https://LOCALHOST/', true, 'case-insensitive'],
  ];
  for (const [url, expected, why] of cases) {
    test(`${url} → ${expected ? 'bypass' : 'proxy'} (${why})`, () => {
      assert.equal(bypasses(url, rules), expected);
    });
  }

  test('"*" bypasses everything; an environment proxy then answers DIRECT', () => {
    assert.equal(bypasses('https://anything.test/', parseNoProxy('*')), true);
    const env = fromEnv({ HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' })!;
    assert.equal(staticProxyFor(env.proxy, 'https://login.microsoftonline.com/'), null);
  });

  test('NO_PROXY applies to the environment proxy', () => {
    const env = fromEnv({ https_proxy: 'http://p:3128', no_proxy: 'lab.test' })!;
    assert.equal(staticProxyFor(env.proxy, 'https://login.lab.test/'), null);
    assert.equal(staticProxyFor(env.proxy, 'https://login.microsoftonline.com/'), 'http://p:3128');
  });
});
