/**
 * A support re-run's result as a difference from the run before: which checks changed status,
 * which are new, how many stayed the same, and which findings went away or appeared. Support
 * reads what moved instead of comparing two long reports by eye.
 */
import type { Finding } from '../../probes/findings.ts';
import type { ProbeResult, ProbeStatus } from '../../probes/types.ts';
import type { Session } from '../core/types.ts';
import type { PendingRerun } from './types.ts';

export interface ProbeChange {
  id: string;
  /** Undefined for a check that did not run before. */
  before?: ProbeStatus;
  after: ProbeStatus;
  detail?: string;
}

export interface RunDiff {
  changed: ProbeChange[];
  added: ProbeChange[];
  unchanged: number;
  fixed: string[];
  appeared: string[];
  stillOpen: string[];
}

/** What the checks say now: the baseline a re-run is compared with. */
export function baselineOf(session: Session): Pick<PendingRerun, 'baseline' | 'findings'> {
  return {
    baseline: Object.fromEntries(session.probes.map((p) => [p.id, p.status])),
    findings: problems(session.findings),
  };
}

/** Finding ids that are problems (info findings are context, not something to fix). */
function problems(findings: readonly Finding[]): string[] {
  return findings.filter((f) => f.severity !== 'info').map((f) => f.id);
}

/** Compares the re-run's fresh results (and the findings after them) with the baseline. */
export function runDiff(
  before: Pick<PendingRerun, 'baseline' | 'findings'>,
  fresh: readonly ProbeResult[],
  findingsAfter: readonly Finding[],
): RunDiff {
  const changed: ProbeChange[] = [];
  const added: ProbeChange[] = [];
  let unchanged = 0;
  for (const p of fresh) {
    const was = before.baseline[p.id];
    const change: ProbeChange = {
      id: p.id,
      ...(was ? { before: was } : {}),
      after: p.status,
      ...(p.failure?.detail ? { detail: p.failure.detail } : {}),
    };
    if (was === undefined) added.push(change);
    else if (was !== p.status) changed.push(change);
    else unchanged += 1;
  }
  const after = problems(findingsAfter);
  return {
    changed,
    added,
    unchanged,
    fixed: before.findings.filter((id) => !after.includes(id)),
    appeared: after.filter((id) => !before.findings.includes(id)),
    stillOpen: after.filter((id) => before.findings.includes(id)),
  };
}

const ICON: Record<ProbeStatus, string> = { pass: '✅', fail: '❌', warn: '⚠️', skipped: '⏭️', error: '❗' };

/** The thread message: a headline, one line per changed or new check, then the findings. */
export function diffText(d: RunDiff, who: string): string {
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const headline =
    d.changed.length === 0 && d.added.length === 0
      ? `Re-run asked by ${who}: no check changed status (${n(d.unchanged, 'check')} the same).`
      : `Re-run asked by ${who}: ${n(d.changed.length, 'check')} changed status, ${d.unchanged} unchanged${
          d.added.length > 0 ? `, ${d.added.length} new` : ''
        }.`;
  const line = (c: ProbeChange) =>
    `${c.before ? `${ICON[c.before]} ${c.before} → ` : 'new: '}${ICON[c.after]} ${c.after}  ${c.id}${
      c.detail && c.after !== 'pass' ? ` (${c.detail})` : ''
    }`;
  const findings = [
    ...(d.fixed.length > 0 ? [`Gone: ${d.fixed.join(', ')}`] : []),
    ...(d.appeared.length > 0 ? [`New: ${d.appeared.join(', ')}`] : []),
    ...(d.stillOpen.length > 0 ? [`Still open: ${d.stillOpen.join(', ')}`] : []),
  ];
  return [
    headline,
    ...d.changed.map(line),
    ...d.added.map(line),
    ...(findings.length > 0
      ? ['', `Findings: ${findings.join('; ')}`]
      : ['', 'Findings: no problem remains.']),
  ].join('\n');
}
