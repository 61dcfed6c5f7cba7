/**
 * The enumeration test: every finding id (probes/findings.ts, the typed copy of CONTRACTS.md's
 * table) leads to at least one step, and every step is reachable from some finding or code.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadBuiltinPlaybooks } from '../../bot/playbooks/load.ts';
import { planFor } from '../../bot/playbooks/select.ts';
import type { Os } from '../../bot/playbooks/types.ts';
import { FINDING_IDS, FINDINGS } from '../../probes/findings.ts';

const set = await loadBuiltinPlaybooks();
const OSES: Os[] = ['windows', 'macos', 'linux', 'unknown'];
const CODES = [
  'CAA20004',
  'CAA70004',
  'CAA30197',
  'CAA82EE7',
  'CAA7000A',
  'CAA82EE2',
  'CAA82F80',
  'CAA82F8F',
  'CAA70007',
  'CAA70010',
  'CAA301F7',
  'CAA20003',
  '80080300',
];

test('every finding id leads to at least one step on Windows, macOS and an unknown OS', () => {
  for (const id of FINDING_IDS) {
    const finding = { id, severity: FINDINGS[id].severity, facts: {} };
    for (const os of ['windows', 'macos', 'unknown'] as const) {
      const steps = planFor({ findings: [finding], os }, set);
      assert.ok(steps.length > 0, `${id} leads to no step on ${os}`);
      for (const s of steps) assert.deepEqual(s.because, [id]);
    }
  }
});

test('every step is reachable from some finding or error code', () => {
  const reached = new Set<string>();
  for (const os of OSES) {
    for (const id of FINDING_IDS) {
      const finding = { id, severity: FINDINGS[id].severity, facts: {} };
      for (const s of planFor({ findings: [finding], os }, set)) reached.add(s.step.id);
    }
    for (const code of CODES) {
      for (const s of planFor({ code, findings: [], os }, set)) reached.add(s.step.id);
    }
  }
  const unreachable = [...set.steps.keys()].filter((id) => !reached.has(id));
  assert.deepEqual(unreachable, []);
});

test('every code of the network families has a non-empty default ladder', () => {
  for (const code of CODES) {
    assert.ok(planFor({ code, findings: [], os: 'windows' }, set).length >= 5, code);
  }
});

test('every step names only known finding ids (the loader checks it; this pins the table)', () => {
  for (const s of set.steps.values()) {
    for (const id of s.findings) assert.ok(FINDING_IDS.includes(id), `${s.id}: ${id}`);
  }
});

// CONTRACTS.md lives next to the repository, not in it: compare when it is there, so the typed
// table cannot drift from the public contract on a developer machine.
const contracts = fileURLToPath(new URL('../../../shared/CONTRACTS.md', import.meta.url));
test('FINDING_IDS holds every id of CONTRACTS.md with its severity', { skip: !existsSync(contracts) }, () => {
  const rows = readFileSync(contracts, 'utf8')
    .split('\n')
    .map((line) => /^\| `([a-z_]+\.[a-z_]+)` \| ([a-z]+)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null);
  assert.ok(rows.length >= 18);
  for (const [, id, severity] of rows) {
    assert.ok(Object.hasOwn(FINDINGS, id), `CONTRACTS.md id ${id} is missing from probes/findings.ts`);
    assert.equal(FINDINGS[id as keyof typeof FINDINGS].severity, severity, id);
  }
});
