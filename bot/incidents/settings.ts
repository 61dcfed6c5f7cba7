/**
 * Correlation settings (issue 18), parsed from the raw settings bot/config.ts hands over (the
 * config module stays the only reader of the environment). Defaults: three cases with the same
 * cause and fingerprint within 30 minutes are an incident. Three, because two people behind one
 * broken proxy is already likely chance-free but still cheap to handle as two tickets; thirty
 * minutes, because a proxy or firewall change hits a whole office within minutes of rollout.
 */
import type { IncidentSettings } from './types.ts';

export const INCIDENT_SETTING_NAMES = ['INCIDENT_THRESHOLD', 'INCIDENT_WINDOW_MINUTES'] as const;

const SPECS = {
  INCIDENT_THRESHOLD: { default: 3, min: 2 },
  INCIDENT_WINDOW_MINUTES: { default: 30, min: 1 },
} as const;

export const DEFAULT_INCIDENT_SETTINGS: IncidentSettings = {
  threshold: SPECS.INCIDENT_THRESHOLD.default,
  windowMs: SPECS.INCIDENT_WINDOW_MINUTES.default * 60_000,
};

function whole(
  raw: Partial<Record<string, string>>,
  name: keyof typeof SPECS,
  fail: (message: string) => Error,
): number {
  const spec = SPECS[name];
  const value = raw[name];
  if (value === undefined) return spec.default;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < spec.min || !Number.isSafeInteger(n))
    throw fail(
      `${name} is "${value}": expected a whole number of at least ${spec.min} (default ${spec.default})`,
    );
  return n;
}

/** The settings from `raw`; `fail` makes the config module's error naming the setting. */
export function readIncidentSettings(
  raw: Partial<Record<string, string>>,
  fail: (message: string) => Error,
): IncidentSettings {
  return {
    threshold: whole(raw, 'INCIDENT_THRESHOLD', fail),
    windowMs: whole(raw, 'INCIDENT_WINDOW_MINUTES', fail) * 60_000,
  };
}
