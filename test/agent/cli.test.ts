/**
 * The command line contract: exit 2 with a message naming what was wrong and what is
 * accepted; --out; the readable summary; no animation when stderr is not a terminal.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../probes/agent/cli.ts';
import { type Scenario, startScenario } from '../lab/scenario.ts';
import { runAgent } from './agent-run.ts';

/** main() in-process with captured streams (no lab: these fail before any probe runs). */
async function cli(argv: string[], env: Record<string, string> = { RECONNECT_LAB: '1' }) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env,
  });
  return { code, stdout, stderr };
}

describe('usage and configuration errors exit 2 and say what is accepted', () => {
  test('an unknown flag', async () => {
    const r = await cli(['check', '--colour']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--colour/);
    assert.match(r.stderr, /accepted: --cloud, --catalog, --json, --out/);
  });

  test('an unknown cloud', async () => {
    const r = await cli(['check', '--cloud', 'azure']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--cloud "azure" is not a cloud; accepted: commercial, gcch, dod, china/);
  });

  test('a --pac that is not an http(s) URL', async () => {
    const r = await cli(['check', '--pac', 'file:///etc/proxy.pac']);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /--pac "file:\/\/\/etc\/proxy\.pac" is not a PAC file URL; expected http:\/\/… or https:\/\/…/,
    );
  });

  test('an unknown command', async () => {
    const r = await cli(['chek']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "chek"; accepted: check, pair/);
  });

  test('a catalog file that does not exist names the file', async () => {
    const r = await cli(['check', '--catalog', '/nonexistent/catalog.json']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\/nonexistent\/catalog\.json/);
  });

  test('an invalid catalog names the file, the field and what was expected', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reconnect-cli-'));
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        schema: 'reconnect.catalog/v1',
        cloud: 'lab',
        endpoints: [{ host: 'login.lab.test', port: '443', purpose: 'auth', required: true }],
        media: [],
        publicResolvers: [],
        timeSources: [],
        microsoftRoots: [{ name: 'x', spkiSha256: 'a'.repeat(64) }],
      }),
    );
    const r = await cli(['check', '--catalog', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.json/);
    assert.match(r.stderr, /endpoints\[0\]\.port/);
    assert.match(r.stderr, /expected an integer 1-65535/);
  });

  test('an invalid RECONNECT_LAB value is a configuration error', async () => {
    const r = await cli(['check', '--catalog', '/dev/null'], { RECONNECT_LAB: 'yes' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /RECONNECT_LAB is "yes": accepted values are 1 .* or 0/);
  });

  test('--help and --version exit 0', async () => {
    assert.equal((await cli(['--help'])).code, 0);
    const v = await cli(['--version']);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});

describe('a check on the lab, as a child process', () => {
  let lab: Scenario;
  before(async () => {
    lab = await startScenario({ endpoints: { auth: { dns: 'nxdomain' } } });
  });
  after(() => lab.close());

  test('without --json: a readable summary on stdout, one progress line per area on a non-terminal stderr', async () => {
    const out = join(lab.dir, 'report.json');
    const run = await runAgent(['check', '--catalog', lab.catalogPath, '--out', out], lab.env);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /Problems found\./);
    assert.match(run.stdout, /BLOCKING\s+dns\.system_failed/);
    assert.match(run.stdout, /Evidence: dns:login\.lab\.test@system/);
    assert.match(run.stdout, /First thing to do: Flush the DNS cache/);
    assert.doesNotMatch(run.stderr, /\x1b\[/, 'no cursor movement when stderr is not a terminal');
    assert.match(run.stderr, /^✖ DNS\s+\d+\/\d+, 1 with problems$/m);
    const saved = JSON.parse(await readFile(out, 'utf8'));
    assert.equal(saved.schema, 'reconnect.report/v1');
    assert.deepEqual(
      saved.findings.map((f: { id: string }) => f.id),
      ['dns.system_failed'],
    );
  });

  test('--json prints only the report on stdout', async () => {
    const run = await runAgent(['check', '--catalog', lab.catalogPath, '--json'], lab.env);
    assert.equal(run.code, 1);
    assert.doesNotThrow(() => JSON.parse(run.stdout));
    assert.ok(run.stdout.trimStart().startsWith('{'));
  });
});
