/**
 * The one-file agent: built fresh, copied alone into an empty folder (no node_modules beside
 * it), it runs a check; an old Node gets told which version it needs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { buildAgent } from '../../scripts/build.ts';
import { startScenario } from '../lab/scenario.ts';
import { ids, runAgent } from './agent-run.ts';

let agent: string;

before(async () => {
  const built = await buildAgent();
  const dir = await mkdtemp(join(tmpdir(), 'reconnect-bundle-'));
  agent = join(dir, 'reconnect-agent.js');
  await copyFile(built.path, agent);
});

test('the bundle is one file under 1 MB', async () => {
  assert.ok((await stat(agent)).size < 1_000_000);
});

test('alone in a folder, the bundle runs a check and finds a two-fault scenario', async () => {
  const lab = await startScenario({ agentClock: '+400d' });
  try {
    const run = await runAgent(['check', '--catalog', lab.catalogPath, '--json'], lab.env, { entry: agent });
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(ids(run.report), ['clock.skew', 'tls.untrusted']);
  } finally {
    await lab.close();
  }
});

test('alone in a folder, the bundle says healthy on a healthy lab, through a proxy', async () => {
  const lab = await startScenario({ proxy: 'open' });
  try {
    const run = await runAgent(['check', '--catalog', lab.catalogPath, '--json'], lab.env, { entry: agent });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.report?.verdict, 'healthy');
  } finally {
    await lab.close();
  }
});

/** Debian's system Node is 20 on this machine type: the agent's floor is 22.19. */
const oldNode = (() => {
  try {
    const version = execFileSync('/usr/bin/node', ['--version'], { encoding: 'utf8' }).trim();
    const [major, minor] = version.slice(1).split('.').map(Number);
    return major < 22 || (major === 22 && minor < 19) ? version : null;
  } catch {
    return null;
  }
})();

test('on an older Node it says which version it needs instead of crashing', {
  skip: oldNode ? false : 'no Node older than 22.19 at /usr/bin/node',
}, async () => {
  const run = await runAgent(
    ['check', '--help'],
    { RECONNECT_LAB: '1', PATH: '/usr/bin:/bin' },
    { entry: agent, node: '/usr/bin/node' },
  );
  assert.equal(run.code, 2);
  assert.match(run.stderr, new RegExp(`needs Node\\.js 22\\.19 or later; this computer has ${oldNode}`));
  assert.doesNotMatch(run.stderr, /SyntaxError|at .*:\d+:\d+/);
});
