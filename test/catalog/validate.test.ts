/**
 * Catalog files: every rejection has a fixture (test/fixtures/catalog/invalid-*.json) and each
 * test pins the whole message, so the file, the field path and the expectation all stay named.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadCatalogFile, validateCatalog } from '../../probes/catalog/index.ts';
import { ConfigError } from '../../probes/config-error.ts';

const FIXTURES = new URL('../fixtures/catalog/', import.meta.url).pathname;
const fixture = (name: string) => join(FIXTURES, name);

const HOST = 'expected a DNS name (e.g. login.microsoftonline.com) or an IP literal (e.g. 127.0.0.1, ::1)';
const WS_PATH = 'expected a path starting with "/" (where the WebSocket upgrade is requested)';
const RESOLVER = 'expected an IP address as ip, ip:port or [v6]:port';
const SPKI = 'expected 64 lowercase hex digits (SHA-256 of the DER SubjectPublicKeyInfo)';

/** fixture file → the message after "<path>: " */
const REJECTIONS: Record<string, string> = {
  'invalid-json-syntax.json':
    'not valid JSON: Expected double-quoted property name in JSON at position 58 (line 4 column 3)',
  'invalid-json-truncated.json':
    'not valid JSON: Unexpected end of JSON input (at line 3 column 11, the end of the file)',
  'invalid-json-empty.json':
    'not valid JSON: Unexpected end of JSON input (at line 1 column 1, the end of the file)',
  'invalid-not-object.json': 'expected a JSON object, got an array',
  'invalid-schema-version.json': 'schema: expected "reconnect.catalog/v1", got "reconnect.catalog/v2"',
  'invalid-missing-schema.json': 'schema: expected "reconnect.catalog/v1", got nothing',
  'invalid-cloud-empty.json': 'cloud: expected a non-empty string, got ""',
  'invalid-unknown-top-field.json':
    'endpoint: unknown field; the known fields are schema, cloud, endpoints, media, publicResolvers, timeSources, microsoftRoots, optimizeRanges, portalChecks, note',
  'invalid-optimize-range.json':
    'optimizeRanges[1]: expected an IPv4 or IPv6 range in CIDR form (52.112.0.0/14, 2603:1063::/38), got "52.112.0.0"',
  'invalid-portal-https.json':
    'portalChecks[0].url: expected an http:// URL (portal checks are plain HTTP, as operating systems make them), got "https://www.msftconnecttest.com/connecttest.txt"',
  'invalid-portal-no-expect.json': 'portalChecks[0].expect: expected a non-empty string, got nothing',
  'invalid-endpoints-empty.json': 'endpoints: expected a non-empty array of endpoints, got an empty array',
  'invalid-endpoint-not-object.json': 'endpoints[1]: expected an endpoint object, got "teams.lab.test:4432"',
  'invalid-endpoint-unknown-field.json':
    'endpoints[0].msid: unknown field; the known fields are host, port, purpose, path, required, msId, note',
  'invalid-missing-host.json': `endpoints[1].host: ${HOST}, got nothing`,
  'invalid-host-wildcard.json': `endpoints[0].host: ${HOST}, got "*.teams.microsoft.com"`,
  'invalid-host-url.json': `endpoints[1].host: ${HOST}, got "https://teams.lab.test"`,
  'invalid-host-numeric.json': `endpoints[0].host: ${HOST}, got "999.1.1.1"`,
  'invalid-port-string.json': 'endpoints[2].port: expected an integer 1-65535, got "443"',
  'invalid-port-range.json': 'endpoints[1].port: expected an integer 1-65535, got 70000',
  'invalid-port-fraction.json': 'endpoints[0].port: expected an integer 1-65535, got 443.5',
  'invalid-purpose.json': 'endpoints[1].purpose: expected one of auth, service, websocket, got "media"',
  'invalid-websocket-no-path.json': `endpoints[2].path: ${WS_PATH}, got nothing`,
  'invalid-websocket-relative-path.json': `endpoints[2].path: ${WS_PATH}, got "socket.io"`,
  'invalid-path-on-auth.json':
    'endpoints[0].path: expected no path (only websocket endpoints take one), got "/" on an endpoint of purpose auth',
  'invalid-required-string.json': 'endpoints[0].required: expected true or false, got "yes"',
  'invalid-missing-required.json': 'endpoints[1].required: expected true or false, got nothing',
  'invalid-msid-string.json':
    'endpoints[0].msId: expected a positive integer (the endpoint set\'s ID in Microsoft\'s published list), got "56"',
  'invalid-duplicate-endpoint.json':
    'endpoints[3]: duplicate of endpoints[0] (login.lab.test:4431); each host:port may appear once',
  'invalid-missing-media.json': 'media: expected an array of media relays, got nothing',
  'invalid-media-ports-empty.json': 'media[0].ports: expected a non-empty array of ports, got an empty array',
  'invalid-media-port.json': 'media[0].ports[1]: expected an integer 1-65535, got 0',
  'invalid-note-empty.json': 'media[0].note: expected a non-empty string, got ""',
  'invalid-resolver-port.json': `publicResolvers[1]: ${RESOLVER}, got "1.1.1.1:99999"`,
  'invalid-resolver-hostname.json': `publicResolvers[0]: ${RESOLVER}, got "dns.lab.test"`,
  'invalid-time-source-http.json':
    'timeSources[0]: expected an https:// URL, got "http://login.lab.test:4431/"',
  'invalid-roots-empty.json': 'microsoftRoots: expected a non-empty array of roots, got an empty array',
  'invalid-root-hash-uppercase.json': `microsoftRoots[0].spkiSha256: ${SPKI}, got "8BB593A93BE1D0E8A822BB887C547890C3E706AAD2DAB76254F97FB36B82FC26"`,
  'invalid-root-hash-short.json': `microsoftRoots[0].spkiSha256: ${SPKI}, got "i7WTqTvh0OioIruIfFR4kMPnBqrS2rdiVPl/s2uC/CY="`,
};

describe('catalog file rejections', () => {
  test('every invalid-*.json fixture has an expected message, and every expectation a fixture', () => {
    const files = readdirSync(FIXTURES).filter((name) => name.startsWith('invalid-'));
    assert.deepEqual(files.sort(), Object.keys(REJECTIONS).sort());
    assert.ok(files.length >= 15);
  });

  for (const [name, message] of Object.entries(REJECTIONS)) {
    test(name, () => {
      const path = fixture(name);
      assert.throws(
        () => loadCatalogFile(path),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.equal(err.code, 'catalog_invalid');
          assert.equal(err.message, `${path}: ${message}`);
          assert.equal(err.source, path);
          return true;
        },
      );
    });
  }
});

describe('catalog loading', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'reconnect-catalog-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('a lab catalog with optional extras, IPv6 forms and lab ports loads as written', () => {
    const path = fixture('valid-lab.json');
    const catalog = loadCatalogFile(path);
    assert.deepEqual(catalog, JSON.parse(readFileSync(path, 'utf8')));
    assert.equal(catalog.endpoints[0].host, 'login.lab.test');
    assert.equal(catalog.endpoints[0].port, 4431);
    assert.deepEqual(catalog.publicResolvers, ['127.0.0.1:5353', '[::1]:5353', '127.0.0.2', '::1']);
  });

  test('a missing file names the path and the system error', () => {
    const path = join(scratch, 'absent.json');
    assert.throws(() => loadCatalogFile(path), {
      code: 'catalog_invalid',
      message: `${path}: cannot read the file (ENOENT: no such file or directory, open '${path}')`,
    });
  });

  test('a directory instead of a file is refused the same way', () => {
    assert.throws(() => loadCatalogFile(scratch), {
      code: 'catalog_invalid',
      message: new RegExp(`^${scratch}: cannot read the file \\(EISDIR: `),
    });
  });

  test('a byte-order mark from a Windows editor is tolerated', () => {
    const path = join(scratch, 'bom.json');
    writeFileSync(path, `\ufeff${readFileSync(fixture('valid-lab.json'), 'utf8')}`);
    assert.equal(loadCatalogFile(path).cloud, 'lab');
  });
});

describe('validateCatalog on values', () => {
  const lab = () => JSON.parse(readFileSync(fixture('valid-lab.json'), 'utf8'));

  test('null and strings at the top level name the source only', () => {
    assert.throws(() => validateCatalog(null, 'inline'), {
      message: 'inline: expected a JSON object, got null',
    });
    assert.throws(() => validateCatalog('{}', 'inline'), {
      message: 'inline: expected a JSON object, got "{}"',
    });
  });

  test('hosts: names and IP literals pass, patterns and malformed names do not', () => {
    for (const host of ['localhost', 'login.lab.test', 'a-b.example', '127.0.0.1', '::1', 'fe80::1']) {
      const catalog = lab();
      catalog.endpoints[0].host = host;
      assert.equal(validateCatalog(catalog, 'inline').endpoints[0].host, host);
    }
    for (const host of [
      '',
      '-a.test',
      'a-.test',
      'a..test',
      'a_b.test',
      'login.lab.test.',
      'x'.repeat(64),
      '[::1]',
    ]) {
      const catalog = lab();
      catalog.endpoints[0].host = host;
      assert.throws(() => validateCatalog(catalog, 'inline'), {
        message: `inline: endpoints[0].host: ${HOST}, got ${JSON.stringify(host)}`,
      });
    }
  });

  test('a websocket path may carry a query, but never whitespace', () => {
    const catalog = lab();
    catalog.endpoints[2].path = '/v4/a?epid=1';
    assert.equal(validateCatalog(catalog, 'inline').endpoints[2].path, '/v4/a?epid=1');
    catalog.endpoints[2].path = '/ a';
    assert.throws(() => validateCatalog(catalog, 'inline'), {
      message: `inline: endpoints[2].path: ${WS_PATH}, got "/ a"`,
    });
  });

  test('time sources refuse credentials in the URL', () => {
    const catalog = lab();
    catalog.timeSources = ['https://user:secret@login.lab.test/'];
    assert.throws(() => validateCatalog(catalog, 'inline'), {
      message: 'inline: timeSources[0]: expected an https:// URL, got "https://user:secret@login.lab.test/"',
    });
  });

  test('empty media, resolver and time-source lists are allowed (those probes just do not run)', () => {
    const catalog = lab();
    catalog.media = [];
    catalog.publicResolvers = [];
    catalog.timeSources = [];
    assert.deepEqual(validateCatalog(catalog, 'inline').media, []);
  });
});
