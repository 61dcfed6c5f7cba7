/**
 * Checks of the two payloads a result carries: a report (CONTRACTS.md) and an action outcome.
 * The outcome is ours alone and checked strictly. The report is a public contract that grows
 * new fields, so it is checked for what the bot reads (every field diagnosis and the cards
 * use, with its type) while fields it does not know pass through as data, never as commands.
 */
import { isActionId } from '../actions/types.ts';
import { PROBE_KINDS } from '../kinds.ts';
import { fail, strictObject } from './protocol-check.ts';

type Check = (v: unknown, where: string) => void;

const str =
  (max: number): Check =>
  (v, where) => {
    if (typeof v !== 'string' || v.length > max)
      fail('bad_value', `${where} must be a string of at most ${max} characters`);
  };

const num: Check = (v, where) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    fail('bad_value', `${where} must be a number of 0 or more`);
};

const obj: Check = (v, where) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    fail('bad_value', `${where} must be an object`);
};

const among =
  (values: readonly string[]): Check =>
  (v, where) => {
    if (typeof v !== 'string' || !values.includes(v))
      fail('bad_value', `${where} must be one of ${values.join(', ')}`);
  };

function array(v: unknown, where: string, max: number, item: Check): void {
  if (!Array.isArray(v) || v.length > max)
    fail('bad_value', `${where} must be a list of at most ${max} items`);
  (v as unknown[]).forEach((x, i) => {
    item(x, `${where}[${i}]`);
  });
}

/** Checks the named fields of an object and lets others through. */
function fields(v: unknown, where: string, checks: Record<string, Check>): void {
  obj(v, where);
  const o = v as Record<string, unknown>;
  for (const [key, check] of Object.entries(checks)) {
    if (o[key] === undefined) fail('missing_field', `${where}.${key} is required`);
    check(o[key], `${where}.${key}`);
  }
}

const STATUSES = ['pass', 'fail', 'warn', 'skipped', 'error'];

const probe: Check = (v, where) =>
  fields(v, where, {
    id: str(300),
    kind: among(Object.keys(PROBE_KINDS)),
    target: str(300),
    status: among(STATUSES),
    durationMs: num,
    phases: obj,
    detail: obj,
  });

const finding: Check = (v, where) =>
  fields(v, where, {
    id: str(100),
    severity: among(['blocking', 'degraded', 'info']),
    summary: str(2000),
    evidence: (e, w) => array(e, w, 500, str(300)),
    facts: obj,
  });

export const checkReport: Check = (v, where) =>
  fields(v, where, {
    schema: among(['reconnect.report/v1']),
    agent: (a, w) => fields(a, w, { version: str(40), os: str(40), osVersion: str(200), runtime: str(80) }),
    cloud: str(40),
    startedAt: str(40),
    durationMs: num,
    environment: obj,
    endpoints: (e, w) => array(e, w, 500, obj),
    publicResolvers: (e, w) => array(e, w, 50, str(100)),
    probes: (p, w) => array(p, w, 2000, probe),
    findings: (f, w) => array(f, w, 200, finding),
    verdict: among(['healthy', 'problems', 'inconclusive']),
  });

const line =
  (max: number): Check =>
  (v, where) => {
    str(max)(v, where);
    if (/[\u0000-\u001f\u007f-\u009f]/.test(v as string))
      fail('bad_value', `${where} must not contain control characters`);
  };

export const checkActionOutcome: Check = (v, where) =>
  strictObject(v, where, {
    action: {
      required: true,
      check: (a, w) => {
        if (!isActionId(a)) fail('action_not_allowed', `${w} "${String(a)}" is not an allowed action`);
      },
    },
    status: { required: true, check: among(['done', 'declined', 'failed', 'partial', 'dry_run']) },
    steps: {
      required: true,
      check: (s, w) =>
        array(s, w, 50, (step, sw) =>
          strictObject(step, sw, {
            label: { required: true, check: line(200) },
            status: { required: true, check: among(['ok', 'failed', 'skipped', 'planned']) },
            detail: { check: line(1000) },
          }),
        ),
    },
    restore: { required: true, check: (r, w) => array(r, w, 50, line(2000)) },
  });
