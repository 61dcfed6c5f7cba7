/**
 * The linux-x64 single executable, built fresh, on a PATH with no Node anywhere: `check` against
 * lab scenarios finds what the one-file JavaScript agent finds in the same lab, with the Node
 * that is inside the executable (not one from the computer).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Report } from '../../probes/report.ts';
import { TARGETS } from '../../scripts/agents/config.ts';
import { AGENT_BUNDLE, ids, runAgent } from '../agent/agent-run.ts';
import { type ScenarioSpec, startScenario } from '../lab/scenario.ts';
import { BUILD_TIMEOUT_MS, buildForTest, pathWithoutNode, type TestBuild } from './build.ts';
import { readSections, SHT_DYNSYM, SHT_SYMTAB } from './elf-read.ts';

/** What the two agents must agree on: each finding's id, severity, evidence and non-numeric facts. */
function findings(report: Report | undefined) {
  return (report?.findings ?? []).map((f) => ({
    id: f.id,
    severity: f.severity,
    evidence: f.evidence,
    facts: Object.fromEntries(Object.entries(f.facts).filter(([, v]) => typeof v !== 'number')),
  }));
}

const CASES: Array<{ name: string; spec: ScenarioSpec; pac?: boolean; findings: string[] }> = [
  { name: 'a healthy lab', spec: {}, findings: [] },
  {
    name: "this computer's clock is 400 days ahead",
    spec: { agentClock: '+400d' },
    findings: ['clock.skew', 'tls.untrusted'],
  },
  {
    name: 'a filtering resolver redirects sign-in',
    spec: { endpoints: { auth: { dns: 'redirect' } } },
    findings: ['dns.hijacked', 'tls.untrusted'],
  },
  {
    name: 'an inspecting proxy that refuses WebSockets',
    spec: { proxy: 'inspect-refuse-ws', trustInspection: true },
    findings: ['tls.inspection', 'proxy.websocket_blocked'],
  },
  {
    name: "Microsoft's endpoint answers 503",
    spec: { endpoints: { auth: { status: 503 } } },
    findings: ['service.unavailable'],
  },
  // The PAC file runs in the QuickJS WebAssembly sandbox: the wasm must load inside the executable.
  {
    name: 'a PAC file picks a proxy that wants credentials',
    spec: { proxy: 'auth', pac: true },
    pac: true,
    findings: ['proxy.auth_required'],
  },
];

describe('the linux-x64 executable, with no Node on PATH', () => {
  let build: TestBuild;
  let exe: string;
  let path: { dir: string; close: () => Promise<void> };

  before(
    async () => {
      build = await buildForTest(['linux-x64']);
      exe = build.path('linux-x64');
      path = await pathWithoutNode();
    },
    { timeout: BUILD_TIMEOUT_MS },
  );

  after(async () => {
    await build?.close();
    await path?.close();
  });

  test('the PATH really has no Node on it, and the executable needs none', async () => {
    const probe = await promisify(execFile)('/bin/sh', ['-c', 'command -v node nodejs npm || echo none'], {
      env: { PATH: path.dir },
    });
    assert.equal(probe.stdout.trim(), 'none');
    const help = await runAgent(
      ['check', '--help'],
      { RECONNECT_LAB: '1', PATH: path.dir },
      { executable: exe },
    );
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /reconnect-agent check/);
    assert.equal(help.stderr, '', 'no experimental-feature warning or other noise');
  });

  test('it is built from the stripped Node: no symbol table, no debug info', async () => {
    const sections = readSections(await readFile(exe));
    assert.deepEqual(
      sections.filter((s) => s.type === SHT_SYMTAB || s.name.startsWith('.debug_')).map((s) => s.name),
      [],
    );
    assert.ok(sections.some((s) => s.type === SHT_DYNSYM));
  });

  for (const c of CASES) {
    test(`${c.name}: the same findings as the JavaScript agent`, async () => {
      const lab = await startScenario(c.spec);
      try {
        const env = { ...lab.env, PATH: path.dir };
        const args = [
          'check',
          '--catalog',
          lab.catalogPath,
          '--json',
          ...(c.pac ? ['--pac', lab.pacUrl ?? ''] : []),
        ];
        const sea = await runAgent(args, env, { executable: exe });
        const js = await runAgent(args, env, { entry: AGENT_BUNDLE });
        assert.ok(
          sea.report,
          `no JSON report from the executable; exit ${sea.code}; stderr: ${sea.stderr.slice(0, 500)}`,
        );
        assert.ok(js.report, `no JSON report from the JavaScript agent; stderr: ${js.stderr.slice(0, 500)}`);
        assert.deepEqual(ids(sea.report), c.findings);
        assert.deepEqual(findings(sea.report), findings(js.report));
        assert.equal(sea.report.verdict, js.report.verdict);
        assert.equal(sea.code, js.code, 'the same exit status');
        // The Node inside the executable ran the probes, not the one running this test.
        const linux = TARGETS.find((t) => t.target === 'linux-x64');
        assert.equal(sea.report.agent.runtime, `node ${linux?.node.version}`);
        assert.notEqual(js.report.agent.runtime, sea.report.agent.runtime);
      } finally {
        await lab.close();
      }
    });
  }
});
