/**
 * The table-driven lab check: each case starts a scenario, runs `reconnect-agent check --json`
 * against it as a user would, and asserts the findings in order, the verdict, the exit status,
 * that every finding cites probes of the report, and that adaptive-expressions itself gives the
 * same findings as the agent's interpreter.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Report } from '../../probes/report.ts';
import { diagnoseWithAdaptiveExpressions } from '../diagnosis/oracle.ts';
import { type ScenarioSpec, startScenario } from '../lab/scenario.ts';
import { ids, runAgent } from './agent-run.ts';

export interface Case {
  name: string;
  spec: ScenarioSpec;
  findings: string[];
  verdict: 'healthy' | 'problems' | 'inconclusive';
  /** More arguments for `check` (e.g. --watch). */
  args?: string[];
  /** Extra checks on the report. */
  check?: (report: Report) => void;
}

/** A finding's fact, for one-line assertions. */
export const fact = (
  report: { findings: Array<{ id: string; facts: Record<string, unknown> }> },
  id: string,
  key: string,
) => report.findings.find((f) => f.id === id)?.facts[key];

/** Runs every case against its own scenario, four at a time. */
export function runScenarioCases(title: string, cases: Case[]): void {
  describe(title, { concurrency: 4 }, () => {
    for (const c of cases) {
      test(c.name, async () => {
        const scenario = await startScenario(c.spec);
        try {
          const args = ['check', '--catalog', scenario.catalogPath, '--json', ...(c.args ?? [])];
          const run = await runAgent(args, scenario.env);
          assert.ok(run.report, `no JSON report; exit ${run.code}; stderr: ${run.stderr.slice(0, 500)}`);
          assertCase(run.report, run.code, c);
        } finally {
          await scenario.close();
        }
      });
    }
  });
}

/** What every case asserts about a report. */
export function assertCase(report: Report, code: number | null, c: Omit<Case, 'spec'>): void {
  assert.equal(report.schema, 'reconnect.report/v1');
  const unexpected = report.findings.filter((f) => f.severity !== 'info').map((f) => f.id);
  assert.deepEqual(ids(report), c.findings, `findings (non-info: ${unexpected.join(', ')})`);
  assert.equal(report.verdict, c.verdict);
  assert.equal(code, c.verdict === 'healthy' ? 0 : 1, 'exit status follows the verdict');
  const probeIds = new Set(report.probes.map((p) => p.id));
  for (const f of report.findings) {
    assert.ok(f.evidence.length > 0, `${f.id} cites evidence`);
    for (const e of f.evidence) assert.ok(probeIds.has(e), `${f.id} evidence ${e} is a probe of the report`);
  }
  // The agent's rule interpreter and adaptive-expressions agree on this report.
  const oracle = diagnoseWithAdaptiveExpressions(report);
  assert.deepEqual(oracle.findings, report.findings, 'adaptive-expressions gives the same findings');
  assert.equal(oracle.verdict, report.verdict);
  c.check?.(report);
}
