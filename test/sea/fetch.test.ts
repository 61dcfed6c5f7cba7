/**
 * Fetching a platform's Node: `npm pack` against a registry on loopback (a stand-in for
 * registry.npmjs.org, at the wire: npm itself talks to it), the pinned integrity checked, the
 * binary unpacked once and then served from the cache; and the build config's rejections.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { loadBuildConfig, type NodePackage } from '../../scripts/agents/config.ts';
import { nodeBinary } from '../../scripts/agents/fetch.ts';

const NAME = 'reconnect-lab-node';
const VERSION = '1.2.3';

describe('nodeBinary from a registry', () => {
  let dir: string;
  let server: Server;
  let tgz: Buffer;
  let integrity: string;
  let requests: string[];
  let npmEnv: NodeJS.ProcessEnv;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reconnect-fetch-'));
    await mkdir(join(dir, 'src', 'package', 'bin'), { recursive: true });
    await writeFile(
      join(dir, 'src', 'package', 'package.json'),
      JSON.stringify({ name: NAME, version: VERSION }),
    );
    await writeFile(join(dir, 'src', 'package', 'bin', 'node'), '#!/bin/sh\necho lab node\n');
    await promisify(execFile)('tar', ['-czf', join(dir, 'pkg.tgz'), '-C', join(dir, 'src'), 'package']);
    tgz = await readFile(join(dir, 'pkg.tgz'));
    integrity = `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
    requests = [];
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (req.url === `/${NAME}`) {
        res.setHeader('Content-Type', 'application/json');
        const dist = { tarball: `${base}/${NAME}-${VERSION}.tgz`, integrity };
        res.end(
          JSON.stringify({
            name: NAME,
            'dist-tags': { latest: VERSION },
            versions: { [VERSION]: { name: NAME, version: VERSION, dist } },
          }),
        );
      } else if (req.url === `/${NAME}-${VERSION}.tgz`) res.end(tgz);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    // npm's own cache in the test folder: nothing from an earlier run answers for the registry.
    npmEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      npm_config_registry: registry,
      npm_config_cache: join(dir, 'npm'),
    };
  });

  after(async () => {
    server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const spec = (integrity: string): NodePackage => ({
    name: NAME,
    version: VERSION,
    integrity,
    binary: 'package/bin/node',
  });

  test('a tarball whose integrity is not the pinned one is refused and leaves nothing behind', async () => {
    const cache = join(dir, 'cache-bad');
    const pinned = `sha512-${createHash('sha512').update('another tarball').digest('base64')}`;
    await assert.rejects(nodeBinary(spec(pinned), cache, { npmEnv }), /integrity .* is not the pinned/);
    assert.deepEqual(await readdir(join(cache, 'npm')), [], 'no tarball kept');
    assert.equal(existsSync(join(cache, 'node', `${NAME}-${VERSION}`, 'node')), false);
  });

  test('with the right pin the binary is unpacked, and a second call asks the registry nothing', async () => {
    const cache = join(dir, 'cache-good');
    const first = await nodeBinary(spec(integrity), cache, { npmEnv });
    assert.equal(await readFile(first, 'utf8'), '#!/bin/sh\necho lab node\n');
    const asked = requests.length;
    assert.ok(asked > 0);
    const again = await nodeBinary(spec(integrity), cache, { npmEnv });
    assert.equal(again, first);
    assert.equal(requests.length, asked, 'served from the cache');
  });
});

describe('loadBuildConfig', () => {
  test('all six targets by default; AGENT_TARGETS limits them; an unknown one is named', () => {
    assert.equal(loadBuildConfig({}, '/r').targets.length, 6);
    const some = loadBuildConfig({ AGENT_TARGETS: 'linux-x64, macos-arm64' }, '/r');
    assert.deepEqual(some.targets.map((t) => t.target).sort(), ['linux-x64', 'macos-arm64']);
    assert.equal(some.cacheDir, join('/r', '.cache', 'agents'));
    assert.equal(some.outDir, join('/r', 'dist', 'agents'));
    assert.throws(
      () => loadBuildConfig({ AGENT_TARGETS: 'linux-riscv' }, '/r'),
      /"linux-riscv".*windows-x64/,
    );
  });

  test('a PFX without a password variable is a config error; with one, signing is on', () => {
    assert.throws(() => loadBuildConfig({ AGENT_SIGN_PFX: '/k.pfx' }, '/r'), /AGENT_SIGN_PASSWORD/);
    assert.equal(loadBuildConfig({}, '/r').sign, null);
    assert.deepEqual(loadBuildConfig({ AGENT_SIGN_PFX: '/k.pfx', AGENT_SIGN_PASSWORD: '' }, '/r').sign, {
      pfx: '/k.pfx',
      password: '',
      timestampUrl: null,
    });
  });

  test('file names are the ones the download routes serve', () => {
    for (const t of loadBuildConfig({}, '/r').targets)
      assert.equal(t.file, `reconnect-agent-${t.target}${t.os === 'windows' ? '.exe' : ''}`);
  });
});
