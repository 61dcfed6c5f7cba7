/**
 * From the playbooks' output (a planned step, the admin hand-off) to view models. The input
 * types below are the few fields the cards read, written structurally, so the cards depend on
 * the shape of bot/playbooks' PlanStep and AdminHandoff and not on anything behind them.
 */
import type { HandoffView, OsName, Platform, StepEvidence, StepStatus, StepView, ViewBase } from './views.ts';

/** What the cards read from a planned step (bot/playbooks PlanStep). */
export interface PlannedStepLike {
  /** 1-based position in the plan. */
  n: number;
  step: {
    id: string;
    title: string;
    why: string;
    who: 'user' | 'admin';
    area: string;
    findings: readonly string[];
  };
  /** The findings at hand that called for the step. */
  because?: readonly string[];
  /** Already chosen for the device's OS, each with its markdown. */
  instructions: readonly { platform: string; markdown: string }[];
}

/** What the cards read from the admin hand-off (bot/playbooks AdminHandoff). */
export interface HandoffLike {
  sections: readonly { title: string; lines: readonly string[]; format?: 'text' | 'code' }[];
}

const PLATFORMS: ReadonlySet<string> = new Set<Platform>(['windows', 'macos', 'linux', 'any', 'phone']);
const OSES: ReadonlySet<string> = new Set<OsName>(['windows', 'macos', 'linux']);

export interface StepContext extends ViewBase {
  /** Steps in the plan. */
  total: number;
  /** The device's OS as the report names it; `unknown` or absent shows every platform. */
  os?: string;
  status?: StepStatus;
  evidence?: StepEvidence;
  detailsUrl?: string;
}

/** A planned step as a step card in `status` (pending unless given). */
export function stepViewFrom(planned: PlannedStepLike, ctx: StepContext): StepView {
  const instructions: Partial<Record<Platform, string>> = {};
  for (const block of planned.instructions)
    if (PLATFORMS.has(block.platform)) instructions[block.platform as Platform] = block.markdown;
  const because = planned.because ?? [];
  return {
    screen: 'step',
    sessionId: ctx.sessionId,
    version: ctx.version,
    stepId: planned.step.id,
    index: planned.n,
    total: ctx.total,
    title: planned.step.title,
    why: planned.step.why,
    who: planned.step.who,
    area: planned.step.area,
    findings: because.length > 0 ? [...because] : [...planned.step.findings],
    instructions,
    ...(ctx.os && OSES.has(ctx.os) ? { os: ctx.os as OsName } : {}),
    status: ctx.status ?? 'pending',
    ...(ctx.evidence ? { evidence: ctx.evidence } : {}),
    ...(ctx.detailsUrl ? { detailsUrl: ctx.detailsUrl } : {}),
  };
}

export interface HandoffContext extends ViewBase {
  title?: string;
  intro?: string;
  /** Where the bot serves the hand-off's `text` as a file. */
  downloadUrl?: string;
}

/** The admin hand-off as a card. */
export function handoffViewFrom(handoff: HandoffLike, ctx: HandoffContext): HandoffView {
  return {
    screen: 'handoff',
    sessionId: ctx.sessionId,
    version: ctx.version,
    title: ctx.title ?? 'For your IT admin',
    ...(ctx.intro ? { intro: ctx.intro } : {}),
    sections: handoff.sections.map((s) => ({
      title: s.title,
      lines: [...s.lines],
      format: s.format ?? 'text',
    })),
    ...(ctx.downloadUrl ? { downloadUrl: ctx.downloadUrl } : {}),
  };
}
