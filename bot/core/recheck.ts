/**
 * Re-checking a step: which probe results bear on it (the step's `recheck` patterns), what they
 * say (verified only when every relevant result passed), and, on the manual path, which
 * commands the user can run and paste so the bot can check instead of taking their word.
 */
import type { ProbeKind, ProbeResult } from '../../probes/types.ts';
import { recheckMatches } from '../playbooks/select.ts';
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

/**
 * Commands whose pasted output re-checks `step` on `os` (each once), or an empty list when
 * only the agent can check it (cache, device, broker, clock, media).
 */
export function pasteCommands(step: LoadedStep, os: OsName | undefined): string[] {
  const commands = step.recheck.map(kindOf).flatMap((kind) => {
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
