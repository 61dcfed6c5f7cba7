/**
 * Playbooks are data (DESIGN.md): YAML files that map findings and error codes to remediation
 * steps. These are the shapes of those files as written, of the set the loader builds from
 * them, and of the plan `planFor` hands to the cards. A helpdesk adds a playbook for another
 * error code without touching TypeScript, so every field here is checked at load time
 * (validate.ts) and refused with the file, the path inside it and what was expected.
 */
import type { Expression } from 'adaptive-expressions';
import type { FindingId, Severity } from '../../probes/findings.ts';

export const PLAYBOOK_SCHEMA = 'reconnect.playbook/v1';
/** A step library: a file of shared steps that playbooks `include` by id. */
export const STEPS_SCHEMA = 'reconnect.steps/v1';

/** Who carries the step out: the person at the computer, or their IT admin. */
export const WHO = ['user', 'admin'] as const;
export type Who = (typeof WHO)[number];

/**
 * The checklist area a step belongs to: the seed article's five (meaning, dns,
 * firewall/proxy, credentials, tls/clock) and what we add (device, broker, service, vpn).
 * `network` is the link itself (Wi-Fi, cable, captive portal), which none of the others is.
 */
export const AREAS = [
  'meaning',
  'network',
  'dns',
  'firewall',
  'proxy',
  'credentials',
  'tls',
  'clock',
  'device',
  'broker',
  'service',
  'vpn',
] as const;
export type Area = (typeof AREAS)[number];

/**
 * The companion agent's action allow-list. A step may offer one; the agent runs it only after
 * a yes on the device, and refuses anything not on its own copy of this list.
 */
export const AGENT_ACTIONS = ['flush_dns', 'move_teams_cache', 'resync_clock'] as const;
export type AgentAction = (typeof AGENT_ACTIONS)[number];

/** The operating system of the affected computer as the report names it. */
export type Os = 'windows' | 'macos' | 'linux' | 'unknown';

/** Where a block of instructions applies. `any`: every computer; `phone`: a user with only a phone. */
export const PLATFORMS = ['windows', 'macos', 'linux', 'any', 'phone'] as const;
export type Platform = (typeof PLATFORMS)[number];

/**
 * Markdown per platform; commands go in fenced or inline code. At least one of windows,
 * macos, linux or any. `any` is text that is the same on every computer (an admin's firewall
 * change, a check in a browser) and is used where the OS's own key is absent, so no text is
 * written three times. `phone` belongs wherever a user with only a phone can act or wait.
 */
export interface Instructions {
  windows?: string;
  macos?: string;
  linux?: string;
  any?: string;
  phone?: string;
}

/** One remediation step as written in a playbook or step library. */
export interface Step {
  /** kebab-case, unique across all loaded files; `include` and the cards refer to it. */
  id: string;
  /** Imperative, short: "Flush the DNS cache". */
  title: string;
  /** One plain sentence: why this step, for this problem. */
  why: string;
  who: Who;
  area: Area;
  /** Finding ids that call for this step. May be empty for steps only a code's ladder lists. */
  findings: FindingId[];
  instructions: Instructions;
  /**
   * What "Done" re-checks: probe kinds (`dns`, `tls`) or probe-id patterns `kind:target`
   * where `*` matches any run of characters (`https:login.microsoftonline.com:*`).
   * Never empty: a step card shows a verified result, not the user's belief.
   */
  recheck: string[];
  /** An action the agent can run for the user, from AGENT_ACTIONS. */
  action?: AgentAction;
  /**
   * An adaptive-expressions condition over WhenScope; the step is selected only when it is
   * true (an evaluation error counts as false). Parsed once at load (PlaybookSet.conditions).
   */
  when?: string;
  /**
   * Rank among the steps that answer the same finding, lower first. Default 100 for user
   * steps and 200 for admin steps: what the user can do now comes before a hand-off.
   */
  order?: number;
}

/** A playbook file (`schema: reconnect.playbook/v1`). */
export interface PlaybookDoc {
  schema: typeof PLAYBOOK_SCHEMA;
  id: string;
  title: string;
  /**
   * Error codes served, as shown to users without `0x` (CAA20004). Each `x` stands for any
   * hex digit, so `CAA82F8x` serves CAA82F80 to CAA82F8F.
   */
  codes: string[];
  /** This playbook's own steps; they come first in its ladder. */
  steps?: Step[];
  /** Ids of steps declared elsewhere (usually a step library), appended to the ladder in this order. */
  include?: string[];
}

/** A step library file (`schema: reconnect.steps/v1`): shared steps, no codes of its own. */
export interface StepLibraryDoc {
  schema: typeof STEPS_SCHEMA;
  steps: Step[];
}

/** A step after loading: plain data (JSON-safe, so plans can be stored), with its origin. */
export interface LoadedStep extends Step {
  /** The file the step was declared in. */
  source: string;
  /** Declaration order across all files (files sorted by name); breaks ties in plans. */
  index: number;
}

export interface LoadedPlaybook {
  id: string;
  title: string;
  codes: string[];
  /** The default ladder for the playbook's codes: own steps, then includes. Step ids. */
  ladder: string[];
  source: string;
}

/** What the loader returns and planFor reads. Immutable once built. */
export interface PlaybookSet {
  playbooks: readonly LoadedPlaybook[];
  steps: ReadonlyMap<string, LoadedStep>;
  /**
   * Each step's `when`, parsed once by Expression.parse at load, by step id. Kept apart from
   * the steps because parsed expressions are cyclic objects that cannot go into JSON.
   */
  conditions: ReadonlyMap<string, Expression>;
}

/** A finding as planFor needs it (a subset of the report's finding). */
export interface PlanFinding {
  id: string;
  severity: Severity;
  facts: Record<string, unknown>;
}

export interface PlanInput {
  /** The error code the user reported (CAA20004, 0xCAA20004, caa20004), if any. */
  code?: string;
  /** Root cause first, as diagnosis orders them. */
  findings: PlanFinding[];
  os: Os;
  /** The chat session, visible to `when` as `session`. */
  session?: object;
}

/**
 * What a step's `when` sees. `report.ids` lists the finding ids at hand; `report.facts` nests
 * each finding's facts under its dotted id (adaptive-expressions reads `a['b.c'].d` wrongly,
 * `a.b.c.d` right), so conditions read like `contains(report.ids, 'clock.skew')` or
 * `report.facts.tls.untrusted.reason == 'expired'`.
 */
export interface WhenScope {
  report: {
    code: string | null;
    os: Os;
    findings: PlanFinding[];
    ids: string[];
    facts: Record<string, Record<string, Record<string, unknown>>>;
  };
  session: object;
}

/** One block of instructions ready to render. */
export interface InstructionBlock {
  platform: Platform;
  /** "Windows", "macOS", "Linux", "On any computer", "From your phone". */
  label: string;
  markdown: string;
}

/** One step of a plan, as the step card renders it. */
export interface PlanStep {
  /** 1-based position in the plan. */
  n: number;
  step: LoadedStep;
  /** Finding ids at hand that called for the step; empty when it comes from the code's ladder. */
  because: FindingId[];
  /**
   * What to show: for a user step on a known OS, that OS's text (or `any`) then `phone`;
   * otherwise every platform the step has, in PLATFORMS order.
   */
  instructions: InstructionBlock[];
}
