/**
 * The built-in catalogs: valid, one per cloud, every host traceable to Microsoft's published
 * list (msId). Data only; nothing here touches the network.
 */
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, test } from 'node:test';
import { builtInCatalog, CLOUDS, type CloudName, isCloudName } from '../../probes/catalog/index.ts';
import { ConfigError } from '../../probes/config-error.ts';

describe('built-in catalogs', () => {
  test('CLOUDS lists the four clouds of --cloud', () => {
    assert.deepEqual(CLOUDS, ['commercial', 'gcch', 'dod', 'china']);
    assert.equal(isCloudName('gcch'), true);
    assert.equal(isCloudName('toString'), false);
  });

  for (const cloud of CLOUDS) {
    describe(cloud, () => {
      const catalog = builtInCatalog(cloud);

      test('validates and names its own cloud', () => {
        assert.equal(catalog.schema, 'reconnect.catalog/v1');
        assert.equal(catalog.cloud, cloud);
      });

      test('every endpoint and media relay carries its msId', () => {
        for (const entry of [...catalog.endpoints, ...catalog.media]) {
          assert.ok(Number.isInteger(entry.msId), `${entry.host} has no msId`);
        }
      });

      test('names real hosts on 443, never addresses or lab names', () => {
        for (const endpoint of catalog.endpoints) {
          assert.equal(isIP(endpoint.host), 0, endpoint.host);
          assert.doesNotMatch(endpoint.host, /\.(test|local|lab)$|localhost/);
          assert.equal(endpoint.port, 443);
        }
      });

      test('has a required sign-in endpoint and a required service endpoint', () => {
        const required = catalog.endpoints.filter((e) => e.required).map((e) => e.purpose);
        assert.ok(required.includes('auth'));
        assert.ok(required.includes('service'));
      });

      test('takes its time from sign-in hosts it already probes', () => {
        const authHosts = catalog.endpoints.filter((e) => e.purpose === 'auth').map((e) => e.host);
        assert.ok(catalog.timeSources.length > 0);
        for (const source of catalog.timeSources)
          assert.ok(authHosts.includes(new URL(source).hostname), source);
      });
    });
  }

  test('the Trouter WebSocket is probed at "/" where its host is confirmed (not for 21Vianet)', () => {
    const trouter = (cloud: CloudName) =>
      builtInCatalog(cloud).endpoints.filter((e) => e.purpose === 'websocket');
    assert.deepEqual(
      trouter('commercial').map((e) => `${e.host}${e.path}`),
      ['go.trouter.teams.microsoft.com/'],
    );
    assert.deepEqual(
      trouter('gcch').map((e) => `${e.host}${e.path}`),
      ['go.trouter.gov.teams.microsoft.us/'],
    );
    assert.deepEqual(
      trouter('dod').map((e) => `${e.host}${e.path}`),
      ['go.trouter.dod.teams.microsoft.us/'],
    );
    assert.deepEqual(trouter('china'), []);
  });

  test('commercial media: the worldwide relay on UDP 3478-3481, endpoint set 11', () => {
    assert.deepEqual(
      builtInCatalog('commercial').media.map(({ host, ports, msId }) => ({ host, ports, msId })),
      [{ host: 'worldaz.tr.teams.microsoft.com', ports: [3478, 3479, 3480, 3481], msId: 11 }],
    );
  });

  test('China compares with resolvers reachable from China', () => {
    assert.deepEqual(builtInCatalog('china').publicResolvers, ['114.114.114.114', '223.5.5.5']);
    assert.deepEqual(builtInCatalog('commercial').publicResolvers, ['1.1.1.1', '8.8.8.8', '9.9.9.9']);
  });

  test('each call returns a fresh copy, so a caller cannot change the built-in data', () => {
    const first = builtInCatalog('commercial');
    first.endpoints.length = 0;
    first.microsoftRoots[0].name = 'changed';
    const second = builtInCatalog('commercial');
    assert.ok(second.endpoints.length > 0);
    assert.equal(second.microsoftRoots[0].name, 'DigiCert Global Root CA');
  });

  test('an unknown cloud names the accepted ones', () => {
    assert.throws(
      () => builtInCatalog('azure' as CloudName),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.code, 'catalog_invalid');
        assert.equal(err.message, '--cloud: expected one of commercial, gcch, dod, china, got "azure"');
        return true;
      },
    );
  });
});
