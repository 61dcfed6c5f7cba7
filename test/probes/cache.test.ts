import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CacheLocation, cacheLocations, probeCache } from '../../probes/cache.ts';
import { runProcess } from '../lab/netns.ts';
import { labContext, labOptions } from '../proxy/lab-context.ts';

const byId = (list: CacheLocation[]) => Object.fromEntries(list.map((l) => [l.id, l]));

describe('cacheLocations as data', () => {
  test('Windows: classic and new Teams, WAM TokenBroker and the AAD BrokerPlugin, in Windows syntax', () => {
    const list = byId(
      cacheLocations('win32', 'C:\\Users\\alice', {
        appData: 'C:\\Users\\alice\\AppData\\Roaming',
        localAppData: 'D:\\Local',
      }),
    );
    assert.deepEqual(list['teams-classic'], {
      id: 'teams-classic',
      client: 'classic',
      kind: 'cache',
      path: 'C:\\Users\\alice\\AppData\\Roaming\\Microsoft\\Teams',
    });
    assert.equal(
      list['teams-new'].path,
      'D:\\Local\\Packages\\MSTeams_8wekyb3d8bbwe\\LocalCache\\Microsoft\\MSTeams',
    );
    assert.equal(list['teams-new'].client, 'new');
    assert.deepEqual(
      [list['wam-tokenbroker'].path, list['wam-tokenbroker'].kind, list['wam-tokenbroker'].client],
      ['D:\\Local\\Microsoft\\TokenBroker', 'tokens', 'broker'],
    );
    assert.equal(
      list['aad-brokerplugin'].path,
      'D:\\Local\\Packages\\Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy',
    );
    assert.equal(list['aad-brokerplugin'].kind, 'tokens');
  });

  test('Windows without APPDATA/LOCALAPPDATA falls back to the profile folders', () => {
    const list = byId(cacheLocations('win32', 'C:\\Users\\bob', {}));
    assert.equal(list['teams-classic'].path, 'C:\\Users\\bob\\AppData\\Roaming\\Microsoft\\Teams');
    assert.equal(list['wam-tokenbroker'].path, 'C:\\Users\\bob\\AppData\\Local\\Microsoft\\TokenBroker');
  });

  test('macOS: Application Support, the new Teams containers and the login keychain', () => {
    const list = byId(cacheLocations('darwin', '/Users/alice', {}));
    assert.equal(list['teams-classic'].path, '/Users/alice/Library/Application Support/Microsoft/Teams');
    assert.equal(list['teams-new'].path, '/Users/alice/Library/Containers/com.microsoft.teams2');
    assert.equal(
      list['teams-new-group'].path,
      '/Users/alice/Library/Group Containers/UBF8T346G9.com.microsoft.teams',
    );
    assert.deepEqual(list['keychain-login'], {
      id: 'keychain-login',
      client: 'keychain',
      kind: 'tokens',
      path: '/Users/alice/Library/Keychains/login.keychain-db',
    });
  });

  test('Linux: classic Teams, teams-for-linux (native, flatpak, snap), the keyring; XDG honoured', () => {
    const plain = byId(cacheLocations('linux', '/home/alice', {}));
    assert.equal(plain['teams-classic'].path, '/home/alice/.config/Microsoft/Microsoft Teams');
    assert.equal(plain['teams-for-linux'].path, '/home/alice/.config/teams-for-linux');
    assert.equal(plain.keyring.path, '/home/alice/.local/share/keyrings');
    assert.match(
      plain['teams-for-linux-flatpak'].path,
      /\.var\/app\/com\.github\.IsmaelMartinez\.teams_for_linux\//,
    );
    const xdg = byId(cacheLocations('linux', '/home/alice', { configHome: '/cfg', dataHome: '/data' }));
    assert.equal(xdg['teams-for-linux'].path, '/cfg/teams-for-linux');
    assert.equal(xdg.keyring.path, '/data/keyrings');
  });

  test('ids are unique on every platform', () => {
    for (const platform of ['win32', 'darwin', 'linux'] as const) {
      const ids = cacheLocations(platform, '/h', {}).map((l) => l.id);
      assert.equal(new Set(ids).size, ids.length, platform);
    }
  });
});

describe('probeCache on a temporary home', () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'reconnect-cache-'));
  });
  after(async () => {
    await chmod(home, 0o700).catch(() => {});
    await rm(home, { recursive: true, force: true });
  });
  const linux = () => byId(cacheLocations('linux', home, {}));

  test('a missing location is a pass with exists false', async () => {
    const result = await probeCache({ location: linux()['teams-classic'] }, labOptions(5000));
    assert.equal(result.id, 'cache:teams-classic');
    assert.equal(result.status, 'pass');
    assert.equal(result.detail.exists, false);
    assert.equal(result.detail.sizeBytes, undefined);
  });

  test('a populated cache: size, entries and the newest change, found by walking', async () => {
    const location = linux()['teams-for-linux'];
    await mkdir(path.join(location.path, 'Partitions', 'teams-4-linux', 'Cache', 'Cache_Data'), {
      recursive: true,
    });
    await writeFile(path.join(location.path, 'config.json'), '{"a":1}');
    const blob = path.join(location.path, 'Partitions', 'teams-4-linux', 'Cache', 'Cache_Data', 'data_1');
    await writeFile(blob, Buffer.alloc(4096, 1));
    const newest = new Date('2026-03-04T05:06:07.000Z');
    await utimes(blob, newest, newest);
    const result = await probeCache({ location }, labOptions(5000));
    assert.equal(result.status, 'pass');
    assert.equal(result.detail.exists, true);
    assert.equal(result.detail.type, 'directory');
    assert.equal(result.detail.sizeBytes, 4096 + 7);
    assert.equal(result.detail.entries, 6);
    assert.equal(result.detail.partial, undefined);
    assert.ok(new Date(result.detail.lastModified!).getTime() >= newest.getTime());
  });

  test('a single file (a keychain) is reported by its own size', async () => {
    const location = byId(cacheLocations('darwin', home, {}))['keychain-login'];
    await mkdir(path.dirname(location.path), { recursive: true });
    await writeFile(location.path, Buffer.alloc(1234));
    const result = await probeCache({ location }, labOptions(5000));
    assert.deepEqual(
      [result.detail.type, result.detail.sizeBytes, result.detail.kind],
      ['file', 1234, 'tokens'],
    );
  });

  test('the walk stops at the entry limit and at the deadline, and says the size is partial', async () => {
    const location = linux().keyring;
    await mkdir(location.path, { recursive: true });
    for (let i = 0; i < 20; i++) await writeFile(path.join(location.path, `k${i}`), 'x');
    const capped = await probeCache({ location, maxEntries: 5 }, labOptions(5000));
    assert.equal(capped.detail.partial, 'entries');
    assert.equal(capped.detail.entries, 5);
    assert.equal(capped.detail.sizeBytes, 5);

    let now = 1_000_000;
    const ctx = labContext({ now: () => now });
    const options = labOptions(5000, ctx);
    now = options.deadline;
    const late = await probeCache({ location }, options);
    assert.equal(late.status, 'pass');
    assert.equal(late.detail.partial, 'deadline');
    assert.equal(late.detail.entries, 0);
  });

  test('a location the user may not read is an error access_denied', async () => {
    const location = linux()['teams-classic'];
    await mkdir(location.path, { recursive: true });
    await writeFile(path.join(location.path, 'secret'), 'token');
    await chmod(location.path, 0o000);
    await chmod(home, 0o755);
    for (const dir of [path.join(home, '.config'), path.join(home, '.config', 'Microsoft')])
      await chmod(dir, 0o755);
    try {
      const result = await runAsUnprivileged(location);
      assert.equal(result.status, 'error');
      assert.equal(result.failure.code, 'access_denied');
      assert.equal(result.error.code, 'EACCES');
      assert.equal(result.detail.exists, true);
    } finally {
      await chmod(location.path, 0o700);
    }
  });
});

/**
 * Runs the probe where permissions apply: as root they do not, so (as CI does) the probe runs
 * in a child process as `nobody` through test/lab/run-probe.ts.
 */
async function runAsUnprivileged(location: CacheLocation) {
  const args = [
    'test/lab/run-probe.ts',
    'probes/cache.ts',
    'probeCache',
    JSON.stringify({ location }),
    '{"deadlineMs":5000}',
  ];
  const asRoot = process.getuid?.() === 0;
  const { code, stdout, stderr } = await runProcess(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    ...(asRoot && { uid: 65534, gid: 65534 }),
  });
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout);
}
