/**
 * Picks the steps for a case. Pure: the same findings, OS, code and session give the same
 * plan, so the core can recompute it on any replica and a replayed event changes nothing.
 */
import { type FindingId, isFindingId } from '../../probes/findings.ts';
import type {
  InstructionBlock,
  LoadedPlaybook,
  LoadedStep,
  Os,
  PlanInput,
  PlanStep,
  Platform,
  PlaybookSet,
  WhenScope,
} from './types.ts';
import { PLATFORMS } from './types.ts';

/** Default ranks (Step.order): the user's own steps before the admin's. */
const DEFAULT_ORDER = { user: 100, admin: 200 } as const;

const LABELS: Record<Platform, string> = {
  windows: 'Windows',
  macos: 'macOS',
  linux: 'Linux',
  any: 'On any computer',
  phone: 'From your phone',
};

/**
 * The ordered steps for the findings at hand: each finding in turn (diagnosis puts the root
 * cause first) brings the steps that name it, by `order` then declaration order; a step
 * comes once, at its first finding (Step.order: the user's steps before the admin's). With no known finding yet, the code's default ladder.
 * Steps whose `when` is not true are dropped, and so are user steps without instructions for
 * the device's OS (they cannot be done there).
 */
export function planFor(input: PlanInput, set: PlaybookSet): PlanStep[] {
  const scope = whenScope(input);
  const known = input.findings.map((f) => f.id).filter(isFindingId);
  const all = [...set.steps.values()];
  const chosen: LoadedStep[] = [];
  const seen = new Set<string>();
  const take = (step: LoadedStep) => {
    if (seen.has(step.id)) return;
    seen.add(step.id);
    if (applies(step, input.os, scope, set)) chosen.push(step);
  };

  if (known.length > 0) {
    for (const id of known) {
      all
        .filter((s) => s.findings.includes(id))
        .sort((a, b) => rank(a) - rank(b) || a.index - b.index)
        .forEach(take);
    }
  } else {
    const playbook = input.code === undefined ? undefined : playbookForCode(input.code, set);
    for (const id of playbook?.ladder ?? []) take(set.steps.get(id) as LoadedStep);
  }

  return chosen.map((step, i) => ({
    n: i + 1,
    step,
    because: unique(known.filter((id) => step.findings.includes(id))),
    instructions: instructionsFor(step, input.os),
  }));
}

/** `0xCAA20004`, `caa20004`, ` CAA20004 ` → `CAA20004`, `0x80080300` → `80080300`; null for anything else. */
export function normalizeCode(code: string): string | null {
  const m = /^\s*(?:0x)?(caa[0-9a-f]{5}|8008[0-9a-f]{4})\s*$/i.exec(code);
  return m ? m[1].toUpperCase() : null;
}

/** The playbook serving a code, exact codes before `x` families. */
export function playbookForCode(code: string, set: PlaybookSet): LoadedPlaybook | undefined {
  const wanted = normalizeCode(code);
  if (wanted === null) return undefined;
  return (
    set.playbooks.find((p) => p.codes.includes(wanted)) ??
    set.playbooks.find((p) => p.codes.some((c) => codeMatches(c, wanted)))
  );
}

function codeMatches(pattern: string, code: string): boolean {
  return pattern.length === code.length && [...pattern].every((ch, i) => ch === 'x' || ch === code[i]);
}

/**
 * The blocks a step card shows: for a user step on a known OS, that OS's text (or `any`)
 * and then `phone`; for admin steps and unknown OSes, every platform the step has.
 */
export function instructionsFor(step: LoadedStep, os: Os): InstructionBlock[] {
  let platforms: readonly Platform[] = PLATFORMS;
  if (step.who === 'user' && os !== 'unknown') {
    platforms = [step.instructions[os] !== undefined ? os : 'any', 'phone'];
  }
  const blocks: InstructionBlock[] = [];
  for (const platform of platforms) {
    const markdown = step.instructions[platform];
    if (markdown !== undefined) blocks.push({ platform, label: LABELS[platform], markdown });
  }
  return blocks;
}

/**
 * Whether a probe id is re-checked by a step's recheck entry: a bare kind (`dns`) takes every
 * probe of that kind; `kind:target` takes ids matching it, `*` standing for any characters.
 */
export function recheckMatches(entry: string, probeId: string): boolean {
  if (!entry.includes(':')) return probeId.startsWith(`${entry}:`);
  const pattern = entry
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(probeId);
}

/** The probe ids of a run that re-check a step. */
export function recheckProbes(step: LoadedStep, probeIds: string[]): string[] {
  return probeIds.filter((id) => step.recheck.some((entry) => recheckMatches(entry, id)));
}

function rank(step: LoadedStep): number {
  return step.order ?? DEFAULT_ORDER[step.who];
}

function applies(step: LoadedStep, os: Os, scope: WhenScope, set: PlaybookSet): boolean {
  if (step.who === 'user' && os !== 'unknown') {
    if (step.instructions[os] === undefined && step.instructions.any === undefined) return false;
  }
  const condition = set.conditions.get(step.id);
  if (!condition) return true;
  const { value, error } = condition.tryEvaluate(scope);
  return !error && value === true;
}

function whenScope(input: PlanInput): WhenScope {
  const facts: WhenScope['report']['facts'] = {};
  for (const f of input.findings) {
    const dot = f.id.indexOf('.');
    const [group, name] = dot < 0 ? [f.id, ''] : [f.id.slice(0, dot), f.id.slice(dot + 1)];
    facts[group] ??= {};
    facts[group][name] = f.facts;
  }
  return {
    report: {
      code: input.code === undefined ? null : (normalizeCode(input.code) ?? input.code),
      os: input.os,
      findings: input.findings,
      ids: input.findings.map((f) => f.id),
      facts,
    },
    session: input.session ?? {},
  };
}

function unique(ids: FindingId[]): FindingId[] {
  return [...new Set(ids)];
}
