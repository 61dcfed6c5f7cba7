/**
 * The kinds table is light: what validates jobs, protocol messages, playbooks and the code
 * catalog names every probe kind without loading a single probe (the bot never runs one).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PROBE_KINDS } from '../../probes/kinds.ts';

const ROOT = new URL('../../', import.meta.url);

/** Every module URL under the repository that importing `entries` loads, in a fresh process. */
function loadedBy(entries: string[]): string[] {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = new Set();
    registerHooks({
      load(url, context, next) {
        seen.add(url);
        return next(url, context);
      },
    });
    for (const entry of ${JSON.stringify(entries.map((e) => new URL(e, ROOT).href))}) await import(entry);
    process.stdout.write(JSON.stringify([...seen]));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(ROOT),
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  const root = ROOT.href;
  return (JSON.parse(run.stdout) as string[])
    .filter((url) => url.startsWith(root) && !url.includes('/node_modules/'))
    .map((url) => url.slice(root.length));
}

/** The modules a probe runner lives in, and what pulls them all in. */
const RUNNER_MODULES = [
  ...Object.keys(PROBE_KINDS).map((kind) => `probes/${kind}.ts`),
  'probes/runners.ts',
  'probes/plan.ts',
];

test('validating jobs, protocol messages, playbooks and code checks loads no probe', () => {
  const loaded = loadedBy([
    'probes/kinds.ts',
    'probes/agent/protocol.ts',
    'bot/agents/job-message.ts',
    'bot/playbooks/validate.ts',
    'probes/codes/catalog.ts',
  ]);
  // The entries did load (a wrong path would make the check below vacuous).
  assert.ok(loaded.includes('bot/agents/job-message.ts'), loaded.join('\n'));
  assert.ok(loaded.includes('probes/kinds.ts'), loaded.join('\n'));
  assert.deepEqual(
    loaded.filter((m) => RUNNER_MODULES.includes(m)),
    [],
  );
});

test('the plan does load every probe (the check above can see one)', () => {
  const loaded = loadedBy(['probes/plan.ts']);
  assert.deepEqual(
    RUNNER_MODULES.filter((m) => !loaded.includes(m)),
    [],
  );
});
