import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CommandError, execFileRunner, runCommand } from '../../probes/device/command.ts';

describe('the default command runner (real processes, no shell)', () => {
  const node = process.execPath;

  test('returns stdout and a non-zero exit status instead of throwing', async () => {
    const out = await runCommand(
      execFileRunner,
      node,
      ['-e', 'process.stdout.write("state"); process.exitCode = 3'],
      new AbortController().signal,
    );
    assert.deepEqual(out, { stdout: 'state', code: 3 });
  });

  test('passes arguments verbatim: shell syntax is not interpreted', async () => {
    const out = await runCommand(
      execFileRunner,
      node,
      ['-e', 'process.stdout.write(process.argv[1])', '$(echo hi); ls | wc'],
      new AbortController().signal,
    );
    assert.equal(out.stdout, '$(echo hi); ls | wc');
  });

  test('a missing executable is CommandError missing', async () => {
    await assert.rejects(
      runCommand(execFileRunner, '/nonexistent/dsregcmd.exe', ['/status'], new AbortController().signal),
      (err: unknown) => err instanceof CommandError && err.kind === 'missing' && err.code === 'ENOENT',
    );
  });

  test('the signal stops a command that would run for a minute', async () => {
    const controller = new AbortController();
    const running = runCommand(
      execFileRunner,
      node,
      ['-e', 'setTimeout(() => {}, 60000)'],
      controller.signal,
    );
    controller.abort();
    await assert.rejects(running, (err: unknown) => err instanceof CommandError && err.kind === 'timeout');
  });
});
