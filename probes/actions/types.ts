/**
 * The agent's own action allow-list and the shapes of an action's plan and outcome. The list
 * lives here, in the agent, on purpose: a job naming anything else is refused on the device
 * even if the server sent it (DESIGN.md, Security model). The playbooks keep their copy
 * (bot/playbooks/types.ts AGENT_ACTIONS); test/actions/plan.test.ts checks the two agree.
 */

export const ACTIONS = ['flush_dns', 'move_teams_cache', 'resync_clock'] as const;
export type ActionId = (typeof ACTIONS)[number];

export function isActionId(value: unknown): value is ActionId {
  return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}

/** The operating systems an action has a plan for. */
export type ActionOs = 'windows' | 'macos' | 'linux';

/**
 * One thing an action does. `exec` runs an executable with an argument list (execFile, never
 * a shell string); `move` renames a folder to its backup (never deletes).
 */
export type ActionStep =
  | {
      type: 'exec';
      /** What the step is for, in plain words (printed before consent and in the dry run). */
      label: string;
      file: string;
      args: string[];
      /** The OS refuses it without administrator rights (the outcome then says so). */
      admin: boolean;
    }
  | {
      type: 'move';
      label: string;
      from: string;
      to: string;
      /** The location id (probes/cache.ts), so the chat can name what moved. */
      locationId: string;
    };

export interface ActionPlan {
  action: ActionId;
  os: ActionOs;
  /** One sentence for the consent question: what will change on this computer. */
  summary: string;
  steps: ActionStep[];
  /** Printed before consent: what the user should know first (quit Teams, admin rights). */
  notes: string[];
}

export type StepStatus = 'ok' | 'failed' | 'skipped' | 'planned';

export interface StepOutcome {
  label: string;
  status: StepStatus;
  /** Why it failed or was skipped, or what it printed. */
  detail?: string;
}

/**
 * What an action did. `declined`: the person at the computer said no, nothing ran. `dry_run`:
 * the plan was printed, nothing ran. `partial`: some steps failed after others succeeded.
 */
export type ActionStatus = 'done' | 'declined' | 'failed' | 'partial' | 'dry_run';

export interface ActionOutcome {
  action: ActionId;
  status: ActionStatus;
  steps: StepOutcome[];
  /** How to undo it (the cache move's restore commands); empty when nothing can be undone. */
  restore: string[];
}
