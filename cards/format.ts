/**
 * Wording shared by every channel: labels, status words and the formatting of facts and times.
 * One place, so a Teams card, a Slack message and a text notification say the same thing.
 */
import { type Budget, CONTENT } from './limits.ts';
import { joinWithMore, shortValue } from './truncate.ts';
import type {
  AreaState,
  FactValue,
  OsName,
  Platform,
  Severity,
  StepStatus,
  StepView,
  Verdict,
  WatchFigures,
  Where,
} from './views.ts';

export const OS_LABEL: Readonly<Record<OsName, string>> = {
  windows: 'Windows',
  macos: 'macOS',
  linux: 'Linux',
};
export const PLATFORM_LABEL: Readonly<Record<Platform, string>> = {
  ...OS_LABEL,
  any: 'On any computer',
  phone: 'From your phone',
};
export const WHERE_LABEL: Readonly<Record<Where, string>> = {
  office: 'Office',
  home: 'Home',
  vpn: 'VPN',
  hotspot: 'Phone hotspot',
};

/** Icon and word: the word keeps the meaning for screen readers and text-only clients. */
export const AREA_STATE: Readonly<Record<AreaState, { icon: string; word: string }>> = {
  queued: { icon: '⏳', word: 'waiting' },
  running: { icon: '🔄', word: 'checking' },
  pass: { icon: '✅', word: 'OK' },
  fail: { icon: '❌', word: 'problem' },
  warn: { icon: '⚠️', word: 'warning' },
};

export const STEP_STATUS: Readonly<Record<StepStatus, { icon: string; word: string }>> = {
  pending: { icon: '👉', word: 'To do' },
  checking: { icon: '🔄', word: 'Checking…' },
  verified: { icon: '✅', word: 'Fixed (verified)' },
  failed: { icon: '❌', word: 'Still failing' },
  skipped: { icon: '⏭️', word: 'Skipped' },
};

export const SEVERITY: Readonly<Record<Severity, { icon: string; word: string }>> = {
  blocking: { icon: '🛑', word: 'Blocking' },
  degraded: { icon: '⚠️', word: 'Degraded' },
  info: { icon: 'ℹ️', word: 'Info' },
};

export const VERDICT: Readonly<Record<Verdict, string>> = {
  healthy: 'Your network looks healthy for Teams.',
  problems: 'I found what is getting in the way.',
  inconclusive: 'I could not check enough to be sure.',
};

export const WHO: Readonly<Record<'user' | 'admin', string>> = {
  user: 'You can do this yourself.',
  admin: 'Your IT admin needs to do this.',
};

/** Labels of the playbooks' checklist areas; an area we do not know shows as given. */
const AREA_LABEL: Readonly<Record<string, string>> = {
  meaning: 'The error code',
  network: 'Network connection',
  dns: 'DNS',
  firewall: 'Firewall',
  proxy: 'Proxy',
  credentials: 'Sign-in credentials',
  tls: 'TLS and certificates',
  clock: 'Clock',
  device: 'Device registration',
  broker: 'Sign-in broker',
  service: 'Microsoft service',
  vpn: 'VPN',
};

export function areaLabel(area: string): string {
  return AREA_LABEL[area] ?? shortValue(area, 40);
}

/** Stands in for the bot's address in the agent's commands when the operator did not set PUBLIC_URL. */
export const SERVER_PLACEHOLDER = 'https://HELPDESK-ADDRESS';
export const SERVER_UNKNOWN_TEXT =
  'In the command, replace HELPDESK-ADDRESS with the address of this help desk chat (ask your IT help desk if you do not know it).';

/** The escalated card's heading: "Passed to support" only when a support channel has the case. */
export function escalatedTitle(view: { contact?: string }): string {
  return view.contact ? 'Your case is saved' : 'Passed to support';
}

/** What the escalated card says: no promise of a reply when no support channel can give one. */
export function escalatedText(view: { caseRef: string; supportName?: string; contact?: string }): string {
  if (view.contact)
    return `Nobody from support can answer in this chat yet. ${view.contact} Mention case ${view.caseRef}: it has everything I found.`;
  return `Your case ${view.caseRef} is with ${view.supportName ?? 'support'}, with everything I found. The message below says what happens next; anything you write here is added to the case.`;
}

/** "2 min", "1 min 20 s", "45 s". */
export function spokenDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const min = Math.floor(total / 60);
  const sec = total % 60;
  if (min === 0) return `${sec} s`;
  return sec === 0 ? `${min} min` : `${min} min ${sec} s`;
}

/** The watching card's heading, the same on every channel. */
export function watchTitle(w: WatchFigures): string {
  return w.stopping ? 'Stopping the watch…' : 'Watching your connection…';
}

/** The watching card's lines: what to do, the time left, the rounds so far. */
export function watchLines(w: WatchFigures): string[] {
  const rounds =
    w.rounds === 0
      ? 'First a full check, then a round of quick checks every second.'
      : `${w.rounds} round${w.rounds === 1 ? '' : 's'} of checks so far, ${w.failedRounds === 0 ? 'no drop-outs' : `${w.failedRounds} with drop-outs`}.`;
  if (w.stopping) return [rounds, 'Sending what was seen so far…'];
  return [
    'Try signing in to Teams now: I keep checking the connection meanwhile.',
    `About ${spokenDuration(w.leftMs)} left of ${spokenDuration(w.durationMs)}. ${rounds}`,
  ];
}

/** "Checking…": what replaces the buttons of a step being re-checked. */
export const CHECKING_LINE = 'Checking… this takes a few seconds.';

/** The checking line with its time limit and way out: never "Checking…" alone (issue 14). */
export function checkingLine(view: Pick<StepView, 'checkUntil' | 'checkBy'>): string {
  const until = view.checkUntil ? ` until ${utcText(view.checkUntil)}` : '';
  return view.checkBy === 'paste'
    ? `Waiting for the pasted output${until}. Not now? Skip or Escalate below.`
    : `Checking on the computer${until}. Skip or Escalate below if you cannot wait.`;
}
/** A pairing card whose agent stopped mid-job: its code is used up, and only a new one pairs again. */
export const LOST_TEXT =
  'The agent stopped, so this code is used up. Get a new code to connect the computer again.';

export function stepHeading(view: Pick<StepView, 'index' | 'total'>): string {
  return `Step ${view.index} of ${view.total}`;
}

/** "Step 2 of 5 · DNS": the line above a step's title. */
export function stepKicker(view: Pick<StepView, 'index' | 'total' | 'area'>): string {
  return `${stepHeading(view)} · ${areaLabel(view.area)}`;
}

/** "issuerName" / "issuer_name" → "Issuer name". */
export function factLabel(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .trim()
    .toLowerCase();
  return shortValue(words.charAt(0).toUpperCase() + words.slice(1), 40);
}

/** A fact value on one line: lists as "a, b and 22 more", everything clipped. */
export function factText(value: FactValue, b: Budget = CONTENT): string {
  if (Array.isArray(value)) return joinWithMore(value as string[], b.listItems, b.shortText);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return shortValue(String(value), b.factValue);
}

/** The facts of a finding, labelled and cut to the per-finding budget. */
export function factPairs(
  facts: Readonly<Record<string, FactValue>>,
  b: Budget = CONTENT,
): { title: string; value: string }[] {
  return Object.entries(facts)
    .slice(0, b.factsPerFinding)
    .map(([key, value]) => ({ title: factLabel(key), value: factText(value, b) }));
}

/**
 * Platforms in display order: the user's OS first (or `any` in its place), then the phone, then
 * the other systems.
 */
export function platformOrder(os: OsName | undefined): Platform[] {
  const desktops: OsName[] = ['windows', 'macos', 'linux'];
  if (!os) return [...desktops, 'any', 'phone'];
  return [os, 'any', 'phone', ...desktops.filter((d) => d !== os)];
}

/** The platforms a step has instructions for, in display order. */
export function stepPlatforms(view: Pick<StepView, 'instructions' | 'os'>): Platform[] {
  return platformOrder(view.os).filter((p) => (view.instructions[p] ?? '').trim() !== '');
}

/** An ISO instant without milliseconds, or undefined when `iso` is not a date. */
export function isoSeconds(iso: string): string | undefined {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "10:42 UTC" (or "2026-11-27 10:42 UTC" with `withDate`): for channels that cannot localise. */
export function utcText(iso: string, withDate = false): string {
  const s = isoSeconds(iso);
  if (!s) return shortValue(iso, 40);
  return `${withDate ? `${s.slice(0, 10)} ` : ''}${s.slice(11, 16)} UTC`;
}
