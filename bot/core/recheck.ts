/**
 * Re-checking a step: which probe results bear on it (the step's `recheck` patterns), what they
 * say (verified only when every relevant result passed), and, on the manual path, which
 * commands the user can run and paste so the bot can check instead of taking their word.
 */
import type { ProbeKind, ProbeResult } from '../../probes/types.ts';
import { instructionsFor, recheckMatches } from '../playbooks/select.ts';
import type { LoadedStep } from '../playbooks/types.ts';
import type { OsName, StepEvidence } from './types.ts';

/** The host the manual path asks about: the sign-in service every CAA code goes through. */
export const MANUAL_HOST = 'login.microsoftonline.com';

type Commands = Record<OsName, string>;

const DNS: Commands = {
  windows: `nslookup ${MANUAL_HOST}`,
  macos: `dig ${MANUAL_HOST}`,
  linux: `dig ${MANUAL_HOST}`,
};
const HTTPS: Commands = {
  windows: `curl.exe -v -I https://${MANUAL_HOST}`,
  macos: `curl -v -I https://${MANUAL_HOST}`,
  linux: `curl -v -I https://${MANUAL_HOST}`,
};
const TLS: Commands = {
  windows: HTTPS.windows,
  macos: `openssl s_client -connect ${MANUAL_HOST}:443 -servername ${MANUAL_HOST} </dev/null`,
  linux: `openssl s_client -connect ${MANUAL_HOST}:443 -servername ${MANUAL_HOST} </dev/null`,
};
const PROXY: Commands = { windows: 'netsh winhttp show proxy', macos: HTTPS.macos, linux: HTTPS.linux };

/** The probe kinds pasted output can stand for, and the command that produces it per OS. */
const PASTEABLE: Partial<Record<ProbeKind, Commands>> = {
  dns: DNS,
  tcp: HTTPS,
  https: HTTPS,
  tls: TLS,
  proxy: PROXY,
};

/** The kinds a recheck entry (`dns`, `https:login.microsoftonline.com:*`) covers. */
function kindOf(entry: string): ProbeKind {
  return entry.split(':')[0] as ProbeKind;
}

/** Commands the paste parsers read, and the probe kinds their output stands for. */
const READABLE: Array<[RegExp, ProbeKind[]]> = [
  [/^(nslookup|dig)\s/, ['dns']],
  [/^curl(\.exe)?\s/, ['https', 'tcp', 'tls', 'proxy']],
  [/^openssl s_client\s/, ['tls']],
  [/^netsh winhttp show proxy\b/, ['proxy']],
];

/**
 * The commands the step's own instructions for `os` show (code blocks and inline code) whose
 * output the bot reads and that bear on the step's re-check: what the check prompt asks for, so
 * it matches the instruction (issue 14). A pipe's tail (`| head -n 1`) is left off: the bot
 * needs the whole output.
 */
function instructedCommands(step: LoadedStep, os: OsName, kinds: Set<ProbeKind>): string[] {
  const markdown = instructionsFor(step, os)
    .filter((b) => b.platform !== 'phone')
    .map((b) => b.markdown)
    .join('\n');
  const fenced = [...markdown.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n'));
  const inline = [...markdown.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  return [...fenced, ...inline]
    .map((line) => line.split(' | ')[0].trim())
    .filter((cmd) => READABLE.some(([re, covers]) => re.test(cmd) && covers.some((k) => kinds.has(k))));
}

/**
 * Commands whose pasted output re-checks `step` on `os` (each once), or an empty list when
 * only the agent can check it (cache, device, broker, clock, media). The ones the step's
 * instructions show come first; the bot's standard commands only stand in when they show none.
 */
export function pasteCommands(step: LoadedStep, os: OsName | undefined): string[] {
  const kinds = step.recheck.map(kindOf);
  const instructed = instructedCommands(step, os ?? 'windows', new Set(kinds));
  if (instructed.length > 0) return [...new Set(instructed)];
  const commands = kinds.flatMap((kind) => {
    const byOs = PASTEABLE[kind];
    return byOs ? [byOs[os ?? 'windows']] : [];
  });
  return [...new Set(commands)];
}

/** The results among `probes` that re-check `step`. */
export function relevantProbes(step: LoadedStep, probes: ProbeResult[]): ProbeResult[] {
  return probes.filter((p) => step.recheck.some((entry) => recheckMatches(entry, p.id)));
}

export interface RecheckOutcome {
  status: 'verified' | 'failed';
  evidence: StepEvidence;
}

/**
 * The verdict of fresh results on a step, or null when none of them bears on it. Skipped
 * results (a direct TCP check behind a proxy) neither verify nor fail; a warning (an inspected
 * chain) is not a pass.
 */
export function recheckOutcome(step: LoadedStep, probes: ProbeResult[], at: string): RecheckOutcome | null {
  const relevant = relevantProbes(step, probes).filter((p) => p.status !== 'skipped');
  if (relevant.length === 0) return null;
  const bad = relevant.filter((p) => p.status !== 'pass');
  const listed = relevant.map((p) => ({
    id: p.id,
    status: p.status,
    ...(p.failure ? { detail: p.failure.detail } : {}),
  }));
  const names = [...new Set(relevant.map((p) => p.target.split('@')[0]))].join(', ');
  const summary =
    bad.length === 0
      ? `${relevant.length === 1 ? 'The check' : `All ${relevant.length} checks`} for ${names} passed just now.`
      : `Still failing: ${bad[0].failure?.detail ?? `${bad[0].id} is ${bad[0].status}`}${bad.length > 1 ? ` (and ${bad.length - 1} more)` : ''}.`;
  return {
    status: bad.length === 0 ? 'verified' : 'failed',
    evidence: { summary, checkedAt: at, probes: listed },
  };
}
