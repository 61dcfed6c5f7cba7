/**
 * Actions carried out for real on Linux: the Teams caches in a temporary HOME really move into
 * their backup (nothing deleted, nothing overwritten); flush and resync run through an injected
 * runner that records the argument list (this machine's DNS cache and clock are left alone);
 * the dry run and a declined consent change nothing.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { isYes, terminalConsent } from '../../probes/actions/consent.ts';
import { planAction } from '../../probes/actions/plan.ts';
import { executeAction } from '../../probes/actions/run.ts';

const NOW = Date.UTC(2026, 10, 27, 22, 30, 5);
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function home(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'reconnect-actions-'));
  dirs.push(dir);
  const teams = join(dir, '.config', 'Microsoft', 'Microsoft Teams');
  await mkdir(join(teams, 'Cache'), { recursive: true });
  await writeFile(join(teams, 'Cache', 'data_0'), 'cached');
  await mkdir(join(dir, '.local', 'share', 'keyrings'), { recursive: true });
  return dir;
}

function recorder(code = 0, output = '') {
  const calls: string[][] = [];
  return {
    calls,
    run: async (cmd: string, args: string[]) => {
      calls.push([cmd, ...args]);
      return { stdout: output, code };
    },
  };
}

const signal = () => AbortSignal.timeout(30_000);

describe('Linux actions, for real in a temporary HOME', () => {
  test('move_teams_cache moves the cache into a dated backup and says how to restore it', async () => {
    const dir = await home();
    const plan = planAction('move_teams_cache', { platform: 'linux', home: dir, now: NOW });
    const outcome = await executeAction(plan, { signal: signal() });
    assert.equal(outcome.status, 'done');
    const microsoft = await readdir(join(dir, '.config', 'Microsoft'));
    assert.deepEqual(microsoft, ['Microsoft Teams.reconnect-backup-20261127-223005']);
    assert.equal(
      await readFile(join(dir, '.config', 'Microsoft', microsoft[0], 'Cache', 'data_0'), 'utf8'),
      'cached',
    );
    assert.deepEqual(await readdir(join(dir, '.local', 'share')), ['keyrings'], 'the keyring is untouched');
    assert.equal(outcome.steps.filter((s) => s.status === 'ok').length, 1);
    assert.ok(
      outcome.steps.filter((s) => s.status === 'skipped').every((s) => s.detail?.includes('is not there')),
    );
    const teams = join(dir, '.config', 'Microsoft', 'Microsoft Teams');
    assert.deepEqual(outcome.restore, [`mv '${teams}.reconnect-backup-20261127-223005' '${teams}'`]);
  });

  test('a backup already in place is never overwritten', async () => {
    const dir = await home();
    const plan = planAction('move_teams_cache', { platform: 'linux', home: dir, now: NOW });
    const move = plan.steps.find((s) => s.type === 'move' && s.locationId === 'teams-classic');
    assert.ok(move?.type === 'move');
    await mkdir(move.to);
    await writeFile(join(move.to, 'older'), 'keep me');
    const outcome = await executeAction(plan, { signal: signal() });
    assert.equal(outcome.status, 'failed');
    assert.deepEqual(await readdir(move.to), ['older']);
    assert.deepEqual(await readdir(join(move.from, 'Cache')), ['data_0']);
  });

  test('a folder in use is reported with what to do', async () => {
    const dir = await home();
    const plan = planAction('move_teams_cache', { platform: 'linux', home: dir, now: NOW });
    const busy = Object.assign(new Error('resource busy'), { code: 'EBUSY' });
    const outcome = await executeAction(plan, {
      signal: signal(),
      fs: { exists: async () => false, rename: async () => Promise.reject(busy) },
    });
    assert.equal(outcome.status, 'done', 'nothing there to move is not a failure');
    const real = await executeAction(plan, {
      signal: signal(),
      fs: { exists: async (p) => p.endsWith('Microsoft Teams'), rename: async () => Promise.reject(busy) },
    });
    assert.equal(real.status, 'failed');
    assert.match(real.steps[0].detail ?? '', /EBUSY.*quit Teams/);
  });

  test('flush_dns and resync_clock run their argument lists through the runner', async () => {
    const rec = recorder();
    const ctx = { platform: 'linux' as const, home: '/home/x', now: NOW };
    assert.equal(
      (await executeAction(planAction('flush_dns', ctx), { signal: signal(), run: rec.run })).status,
      'done',
    );
    assert.equal(
      (await executeAction(planAction('resync_clock', ctx), { signal: signal(), run: rec.run })).status,
      'done',
    );
    assert.deepEqual(rec.calls, [
      ['resolvectl', 'flush-caches'],
      ['timedatectl', 'set-ntp', 'true'],
    ]);
  });

  test('a refused command is a failed step that says it needs administrator rights', async () => {
    const rec = recorder(1, 'Failed to set ntp: Access denied');
    const outcome = await executeAction(
      planAction('resync_clock', { platform: 'linux', home: '/h', now: NOW }),
      { signal: signal(), run: rec.run },
    );
    assert.equal(outcome.status, 'failed');
    assert.equal(
      outcome.steps[0].detail,
      'exit status 1 (it needs administrator rights): Failed to set ntp: Access denied',
    );
  });

  test('a missing command is reported, not thrown', async () => {
    const outcome = await executeAction(
      {
        action: 'flush_dns',
        os: 'linux',
        summary: '',
        notes: [],
        steps: [{ type: 'exec', label: 'x', file: 'reconnect-no-such-tool', args: [], admin: false }],
      },
      { signal: signal() },
    );
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.steps[0].detail ?? '', /command not found/);
  });

  test('the dry run changes nothing and runs nothing', async () => {
    const dir = await home();
    const rec = recorder();
    const plan = planAction('move_teams_cache', { platform: 'linux', home: dir, now: NOW });
    const outcome = await executeAction(plan, { signal: signal(), dryRun: true, run: rec.run });
    assert.equal(outcome.status, 'dry_run');
    assert.ok(outcome.steps.every((s) => s.status === 'planned'));
    assert.deepEqual(await readdir(join(dir, '.config', 'Microsoft')), ['Microsoft Teams']);
    assert.equal(
      (
        await executeAction(planAction('flush_dns', { platform: 'linux', home: dir, now: NOW }), {
          signal: signal(),
          dryRun: true,
          run: rec.run,
        })
      ).status,
      'dry_run',
    );
    assert.deepEqual(rec.calls, []);
  });
});

describe('consent on the device', () => {
  test('only an explicit yes counts', () => {
    for (const yes of ['y', 'Y', 'yes', ' YES ']) assert.ok(isYes(yes), yes);
    for (const no of ['', 'n', 'no', 'yep', 'y y', 'sure']) assert.ok(!isYes(no), no);
  });

  test('without a terminal the answer is no, whatever is piped in', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: false });
    input.end('y\n');
    let said = '';
    const ask = terminalConsent({
      input,
      output: {
        write: (t: string) => {
          said += t;
        },
      },
    });
    assert.equal(await ask('Allow?', signal()), false);
    assert.match(said, /no terminal to answer on: refused/);
  });

  test('on a terminal, the typed line decides; no answer before the deadline is a no', async () => {
    const tty = () => Object.assign(new PassThrough(), { isTTY: true });
    const out = { write: () => true };
    const yes = tty();
    const pending = terminalConsent({ input: yes, output: out })('Allow?', signal());
    yes.write('y\n');
    assert.equal(await pending, true);
    const no = tty();
    const declined = terminalConsent({ input: no, output: out })('Allow?', signal());
    no.write('n\n');
    assert.equal(await declined, false);
    const silent = tty();
    const controller = new AbortController();
    const waiting = terminalConsent({ input: silent, output: out })('Allow?', controller.signal);
    controller.abort();
    assert.equal(await waiting, false);
  });
});

describe('the consent question lists only what would change', () => {
  test('moves of folders that are not there are left out; commands stay', async () => {
    const { withoutMissing } = await import('../../probes/actions/run.ts');
    const dir = await home();
    const ctx = { platform: 'linux' as const, home: dir, now: NOW };
    const moves = await withoutMissing(planAction('move_teams_cache', ctx));
    assert.deepEqual(
      moves.steps.map((s) => (s.type === 'move' ? s.locationId : '')),
      ['teams-classic'],
    );
    assert.equal((await withoutMissing(planAction('flush_dns', ctx))).steps.length, 1);
    const empty = await mkdtemp(join(tmpdir(), 'reconnect-empty-'));
    dirs.push(empty);
    assert.equal(
      (await withoutMissing(planAction('move_teams_cache', { ...ctx, home: empty }))).steps.length,
      0,
    );
  });
});
