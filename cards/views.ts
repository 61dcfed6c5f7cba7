/**
 * View models: one per screen, the only input of every channel renderer (Teams, web chat,
 * Slack, plain text). The core builds these from a session; renderers turn them into payloads
 * and never look at the session, the playbooks or the probe report directly.
 *
 * A view carries state, not buttons: which buttons a screen shows follows from its state in one
 * place (actions.ts), so every channel offers the same choices.
 */

/** Desktop operating systems the agent and the playbooks know. */
export type OsName = 'windows' | 'macos' | 'linux';
/**
 * Where instructions apply: a desktop OS, `any` (the same on every computer, e.g. an admin's
 * firewall change) or `phone` (what a user with only a phone can do).
 */
export type Platform = OsName | 'any' | 'phone';
/** Where the affected computer is connected. */
export type Where = 'office' | 'home' | 'vpn' | 'hotspot';

/**
 * Every verb a card button can send. Closed list: the core routes on these, and parseActionData
 * refuses anything else.
 */
export const VERBS = [
  'intake.os',
  'intake.where',
  'intake.code',
  'pairing.manual',
  'pairing.renew',
  'pairing.confirm',
  'pairing.reject',
  'plan.start',
  'step.recheck',
  'step.failed',
  'step.skip',
  'step.next',
  'handoff.show',
  /** The hand-off as copyable text: the web chat page copies it, other channels get it as one message. */
  'handoff.copy',
  'case.escalate',
  'case.reopen',
  'case.take',
  'case.rerun',
  'case.resolve',
  /** "Keep checking while I try to sign in": the paired agent watches the connection (issue 15). */
  'watch.start',
  /** Ends that watch early; its result still comes. */
  'watch.stop',
  /** Teams Universal Actions refresh: the client asks for the current card. */
  'card.refresh',
] as const;
export type Verb = (typeof VERBS)[number];

/**
 * What a button sends back, identical on every channel: Action.Execute/Action.Submit `data`,
 * and Slack's button `value` (as JSON). `version` is the session version the card was rendered
 * at, so the core can tell a stale click (an old card) from a current one.
 */
export interface ActionData {
  verb: Verb;
  sessionId: string;
  version: number;
  stepId?: string;
  /** The choice a button stands for (intake OS, place, error code). */
  value?: string;
}

/** Fields every view has: the session it belongs to and the version it shows. */
export interface ViewBase {
  sessionId: string;
  version: number;
}

export type Severity = 'blocking' | 'degraded' | 'info';
export type Verdict = 'healthy' | 'problems' | 'inconclusive';
/** A fact value as findings carry them (CONTRACTS.md `facts`). */
export type FactValue = string | number | boolean | readonly string[];

export interface IntakeView extends ViewBase {
  screen: 'intake';
  /** The user's first name for the greeting, when the channel tells us. */
  userName?: string;
  /** Already known from the user's message, if any. */
  errorCode?: string;
  symptom?: string;
  os?: OsName;
  where?: Where;
  /** Quick-pick error codes, so a phone user can tap instead of typing. */
  suggestedCodes?: readonly string[];
  /**
   * With no code: the one symptom question (issue 14), each answer a button whose `value` is
   * `symptom:<key>`. `symptom`: the answer already given.
   */
  symptoms?: readonly { key: string; label: string }[];
  symptomKey?: string;
}

/**
 * The command that starts the agent on one OS, for people with Node 22 or later (everyone else
 * uses the /go page's executable). No `npx` line: the package is not on the npm registry, and a
 * name there that we do not own must never be what a card tells people to run.
 */
export interface AgentCommand {
  os: OsName;
  /** Download the one-file agent the bot serves, check its SHA-256, and run it. */
  download: string;
}

export interface PairingView extends ViewBase {
  screen: 'pairing';
  code: string;
  /** ISO 8601 instant the code stops working. */
  expiresAt: string;
  expired?: boolean;
  /**
   * The paired agent stopped mid-job and cannot come back (its secret died with it): the code is
   * used up, and the card offers a new code or the manual path instead of the device question.
   */
  agentLost?: boolean;
  /** The user's OS: its command is shown first. */
  os?: OsName;
  /**
   * The bot's /go page as the person types it on the computer (`help.example.com/go`, no
   * scheme): the first way the card offers, before the terminal commands.
   */
  goAddress?: string;
  /**
   * The web chat page may be open on the affected computer itself: the /go page with the code in
   * its fragment (never sent to a server), where "Check from this browser" runs (issue 17).
   */
  checkHereUrl?: string;
  commands: readonly AgentCommand[];
  /** Set once an agent redeemed the code: the user must confirm it is their computer. */
  pairedDevice?: { hostname: string; os: string; user?: string };
  /**
   * The bot has no public address (PUBLIC_URL unset, or a loopback one): the commands carry
   * SERVER_PLACEHOLDER, never localhost, and the card says what to put there (issue 14).
   */
  serverUnknown?: boolean;
}

export type AreaState = 'queued' | 'running' | 'pass' | 'fail' | 'warn';

export interface ProgressView extends ViewBase {
  screen: 'progress';
  /** The paired device, e.g. "LAPTOP-42 (Windows 11)". */
  device?: string;
  areas: readonly { id: string; label: string; state: AreaState; done?: number; total?: number }[];
  /** Probes finished, planned, and how many of the finished did not pass. */
  counts: { done: number; total: number; failed: number };
  /** Set while the agent watches the connection: the card says so and offers Stop. */
  watch?: WatchFigures;
}

/** A running watch as the live card shows it. */
export interface WatchFigures {
  durationMs: number;
  /** Time left in the watch, as the agent last reported it. */
  leftMs: number;
  /** Rounds of checks so far (the first full check is round 1), and those in which something failed. */
  rounds: number;
  failedRounds: number;
  /** Stop was pressed: the agent is sending what it saw so far. */
  stopping?: boolean;
}

export interface FindingItem {
  id: string;
  /**
   * The finding in the user's words (cards/plain.ts), shown in place of the id on the user's
   * screens; absent in the support thread's summary, which shows the id.
   */
  headline?: string;
  severity: Severity;
  /** One sentence. */
  summary: string;
  /** Probe ids that support the finding. */
  evidence: readonly string[];
  facts: Readonly<Record<string, FactValue>>;
}

export interface FindingsView extends ViewBase {
  screen: 'findings';
  verdict: Verdict;
  /** Root cause first, as diagnosis orders them. */
  findings: readonly FindingItem[];
  /** Steps in the remediation plan; 0 when there is nothing to walk through. */
  stepCount: number;
  /** A paired agent can watch the connection while the user tries to sign in (offers the button). */
  canWatch?: boolean;
  /** After a watch: what it saw, in plain words ("no drop-outs in 118 rounds", or the figures). */
  watchResult?: string;
}

export type StepStatus = 'pending' | 'checking' | 'verified' | 'failed' | 'skipped';

/** The latest re-check of a step: what was measured, not what the user believes. */
export interface StepEvidence {
  /** One sentence, e.g. "login.microsoftonline.com:443 now answers through the proxy". */
  summary: string;
  /** ISO 8601 instant of the check. */
  checkedAt?: string;
  probes?: readonly { id: string; status: 'pass' | 'fail' | 'warn' | 'skipped' | 'error'; detail?: string }[];
}

export interface StepView extends ViewBase {
  screen: 'step';
  stepId: string;
  /** 1-based position in the plan, and the plan's length. */
  index: number;
  total: number;
  title: string;
  why: string;
  who: 'user' | 'admin';
  area: string;
  /** Finding ids this step addresses. */
  findings: readonly string[];
  /** Markdown per platform; the user's OS comes first when rendered. */
  instructions: Readonly<Partial<Record<Platform, string>>>;
  os?: OsName;
  status: StepStatus;
  evidence?: StepEvidence;
  /** Where the full, untruncated instructions can be read (a page the bot serves). */
  detailsUrl?: string;
  /**
   * While checking: the instant the check gives up (ISO 8601), and whether it waits for pasted
   * output (`paste`) or the agent (`agent`). The card shows both, and a way out (issue 14).
   */
  checkUntil?: string;
  checkBy?: 'paste' | 'agent';
  /**
   * A ladder question (bot/core/ladder.ts): its answers are the step's buttons (verb step.next,
   * `value` the answer), in place of "Done — check again" and "Still failing".
   */
  answers?: readonly { label: string; value: string }[];
  /** The step still fails and a paired agent can watch the connection (offers the button). */
  canWatch?: boolean;
}

export interface ResolvedView extends ViewBase {
  screen: 'resolved';
  /** One or two sentences: what was wrong and what fixed it. */
  summary: string;
  /** Steps whose fix a re-check confirmed. */
  verifiedSteps: readonly string[];
  /** ISO 8601 instant of the final, passing check. */
  verifiedAt?: string;
}

export interface HandoffView extends ViewBase {
  screen: 'handoff';
  title: string;
  intro?: string;
  /**
   * Copy-paste ready: each line goes to the admin verbatim. `code` sections (a PAC file) show in
   * a monospace block; `text` (the default) as plain lines.
   */
  sections: readonly { title: string; lines: readonly string[]; format?: 'text' | 'code' }[];
  /** The whole hand-off as one text file. */
  downloadUrl?: string;
  /**
   * The copy button: `clipboard` (the web chat page writes `text` to the clipboard itself) or
   * `message` (Teams and Slack: the bot posts the text as one message with a code block, which
   * those apps let a person select or long-press to copy; a card's text cannot be copied there).
   */
  copy?: { how: 'clipboard' | 'message'; text: string };
}

/** What the user sees after their case went to support. */
export interface EscalatedView extends ViewBase {
  screen: 'escalated';
  caseRef: string;
  /** e.g. "the IT support channel". */
  supportName?: string;
  /**
   * Set when no support channel can reach the user from this chat: how to reach IT instead
   * (the operator's SUPPORT_CONTACT_TEXT). The card then promises no reply here.
   */
  contact?: string;
}

export interface EscalationStep {
  title: string;
  status: StepStatus;
  who: 'user' | 'admin';
  evidence?: string;
}

/** The support thread's summary of a case: everything at a glance. */
export interface EscalationView extends ViewBase {
  screen: 'escalation';
  caseRef: string;
  state: 'open' | 'taken' | 'resolved';
  takenBy?: string;
  user: string;
  symptom: string;
  errorCode?: string;
  device: { os: string; osVersion?: string; hostname?: string };
  where?: Where;
  verdict?: Verdict;
  findings: readonly FindingItem[];
  steps: readonly EscalationStep[];
  /** Oldest first. */
  timeline: readonly { at: string; text: string }[];
  /**
   * Set when the summary is an incident's (issue 18: many cases, one cause): the card is titled
   * "Incident", and these rows (users since, first and latest case, affected, verified) replace
   * the user, code and device rows.
   */
  incident?: { rows: readonly { title: string; value: string }[] };
}

export type View =
  | IntakeView
  | PairingView
  | ProgressView
  | FindingsView
  | StepView
  | ResolvedView
  | HandoffView
  | EscalatedView
  | EscalationView;

export type Screen = View['screen'];

export const SCREENS: readonly Screen[] = [
  'intake',
  'pairing',
  'progress',
  'findings',
  'step',
  'resolved',
  'handoff',
  'escalated',
  'escalation',
];
