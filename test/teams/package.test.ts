/**
 * The Teams app package: the manifest validates offline against the schema bundled with
 * @microsoft/app-manifest, the icons have Teams' sizes, the zip holds exactly the three files at
 * its root, and bad settings or a bad manifest stop the build with a message naming the problem.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { buildTeamsPackage, pngSize, TEAMS_DIR, validateManifest } from '../../deploy/teams/package.ts';
import { ConfigError } from '../../probes/config-error.ts';
import { guardNetwork, type NetGuard } from './net-guard.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP_ID = '0f6cbd00-1111-4222-8333-444455556666';
const ENV = { MicrosoftAppId: APP_ID, PUBLIC_URL: 'https://help.example.com' };

/** The archive's entries in order, read by fflate (which checks every CRC). */
function readZip(zip: Uint8Array): { name: string; data: Buffer }[] {
  return Object.entries(unzipSync(zip)).map(([name, data]) => ({ name, data: Buffer.from(data) }));
}

describe('Teams app package', () => {
  let guard: NetGuard;
  let scratch: string;
  before(() => {
    guard = guardNetwork();
    scratch = mkdtempSync(join(tmpdir(), 'teams-package-'));
  });
  after(() => {
    guard.release();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A copy of deploy/teams with `edit` applied to the manifest template. */
  function variant(name: string, edit: (manifest: Record<string, unknown>) => void): string {
    const dir = join(scratch, name);
    cpSync(TEAMS_DIR, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    edit(manifest);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    return dir;
  }

  test('the package: manifest 1.19+ with the bot id filled in, personal and team scopes, both icons', async () => {
    const { manifest, zip } = await buildTeamsPackage(ENV);
    assert.ok(Number((manifest.manifestVersion as string).split('.')[1]) >= 19);
    const bot = (manifest.bots as Record<string, unknown>[])[0];
    assert.equal(bot.botId, APP_ID);
    assert.equal(manifest.id, APP_ID);
    assert.deepEqual(bot.scopes, ['personal', 'team']);
    assert.ok((bot.commandLists as { commands: unknown[] }[])[0].commands.length > 0);
    assert.deepEqual(manifest.validDomains, ['help.example.com']);
    assert.doesNotMatch(JSON.stringify(manifest), /\$\{\{/);

    const entries = readZip(zip);
    assert.deepEqual(
      entries.map((e) => e.name),
      ['manifest.json', 'color.png', 'outline.png'],
    );
    assert.deepEqual(JSON.parse(entries[0].data.toString('utf8')), manifest);
    assert.deepEqual(await validateManifest(JSON.parse(entries[0].data.toString('utf8'))), []);
    assert.deepEqual(pngSize(entries[1].data), { width: 192, height: 192 });
    assert.deepEqual(pngSize(entries[2].data), { width: 32, height: 32 });
    assert.ok(entries[1].data.equals(readFileSync(join(TEAMS_DIR, 'color.png'))));
    assert.ok(entries[2].data.equals(readFileSync(join(TEAMS_DIR, 'outline.png'))));
  });

  test('the build is reproducible: the same inputs give the same bytes', async () => {
    const [a, b] = [await buildTeamsPackage(ENV), await buildTeamsPackage(ENV)];
    assert.ok(a.zip.equals(b.zip));
  });

  test('the committed icons are read from their headers; anything else is not a PNG', () => {
    assert.deepEqual(pngSize(readFileSync(join(TEAMS_DIR, 'color.png'))), { width: 192, height: 192 });
    assert.equal(pngSize(Buffer.from('GIF89a')), null);
    assert.equal(pngSize(readFileSync(join(TEAMS_DIR, 'manifest.json'))), null);
  });

  test('schema violations are reported with their JSON path', async () => {
    const dir = variant('bad-schema', (m) => {
      (m.name as Record<string, string>).short = 'A name far longer than thirty characters';
      (m.bots as Record<string, unknown>[])[0].scopes = ['personal', 'everywhere'];
    });
    await assert.rejects(buildTeamsPackage(ENV, dir), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.code, 'teams_package_invalid');
      assert.match(error.message, /\/name\/short/);
      assert.match(error.message, /\/bots\/0\/scopes\/1/);
      return true;
    });
  });

  test('a manifest whose $schema does not match its version is refused', async () => {
    const dir = variant('bad-schema-url', (m) => {
      m.$schema = 'https://developer.microsoft.com/json-schemas/teams/v1.19/MicrosoftTeams.schema.json';
    });
    await assert.rejects(buildTeamsPackage(ENV, dir), /\$schema must be/);
  });

  test('an icon of the wrong size is refused', async () => {
    const dir = variant('bad-icon', () => {});
    writeFileSync(join(dir, 'color.png'), readFileSync(join(TEAMS_DIR, 'outline.png')));
    await assert.rejects(
      buildTeamsPackage(ENV, dir),
      /\/icons\/color: color\.png is 32×32, Teams requires 192×192/,
    );
  });

  test('an icon that is not a PNG is refused', async () => {
    const dir = variant('not-png', () => {});
    writeFileSync(join(dir, 'outline.png'), 'GIF89a not a png');
    await assert.rejects(buildTeamsPackage(ENV, dir), /\/icons\/outline: outline\.png is not a PNG file/);
  });

  test('missing or malformed settings name the variable', async () => {
    await assert.rejects(buildTeamsPackage({ PUBLIC_URL: ENV.PUBLIC_URL }), /MicrosoftAppId is not set/);
    await assert.rejects(
      buildTeamsPackage({ ...ENV, MicrosoftAppId: 'my-bot' }),
      /MicrosoftAppId is "my-bot".*GUID/,
    );
    await assert.rejects(buildTeamsPackage({ MicrosoftAppId: APP_ID }), /PUBLIC_URL is not set/);
    await assert.rejects(
      buildTeamsPackage({ ...ENV, PUBLIC_URL: 'http://help.example.com' }),
      /PUBLIC_URL.*https/,
    );
  });

  test('npm run package:teams writes the zip; without an app id it exits 2', () => {
    const out = join(scratch, 'out', 'reconnect-teams.zip');
    const node = process.execPath;
    const ok = spawnSync(node, ['scripts/package-teams.ts', '--out', out], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...ENV },
      encoding: 'utf8',
    });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /manifest 1\.\d+ valid/);
    assert.ok(existsSync(out));
    assert.equal(readZip(readFileSync(out)).length, 3);

    const bad = spawnSync(node, ['scripts/package-teams.ts', '--out', out], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, PUBLIC_URL: ENV.PUBLIC_URL },
      encoding: 'utf8',
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /MicrosoftAppId is not set/);
  });

  test('validation stayed on this machine', () => {
    assert.deepEqual(guard.refused, []);
  });
});
