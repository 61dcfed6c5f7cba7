/**
 * The browser check's report (issue 17), checked on the way in: what the /go page may probe (the
 * plan, derived from the case's catalog and nothing else), and a posted report rebuilt field by
 * field from what the plan allows. Nothing of the page's own is kept beyond those fields: the
 * findings and verdict are the bot's, from diagnose() over the rebuilt probes, so a page cannot
 * post a finding, a host outside the catalog, or a pass for a probe that failed.
 */
import { diagnose } from '../../probes/diagnosis/index.ts';
import type { BrowserEnvironment, Report } from '../../probes/report.ts';
import type {
  BrowserProbeKind,
  Catalog,
  FailureCode,
  Phase,
  Phases,
  ProbeResult,
  ProbeStatus,
} from '../../probes/types.ts';

/** A report bigger than this (as JSON) is refused with 413: a whole check is about 3 KB. */
export const BROWSER_REPORT_MAX_BYTES = 16 * 1024;
/** How long one probe of the page may take (the page's deadline; the whole check stays under 10 s). */
export const BROWSER_PROBE_DEADLINE_MS = 4000;

/** What the page probes: the catalog's required endpoints and its media hosts, nothing else. */
export interface BrowserPlan {
  cloud: string;
  endpoints: Array<{ host: string; port: number; purpose: string; path?: string }>;
  media: Array<{ host: string; ports: number[] }>;
  deadlineMs: number;
}

export function browserPlan(catalog: Catalog): BrowserPlan {
  return {
    cloud: catalog.cloud,
    endpoints: catalog.endpoints
      .filter((e) => e.required)
      .map(({ host, port, purpose, path }) => ({ host, port, purpose, ...(path ? { path } : {}) })),
    media: catalog.media.map(({ host, ports }) => ({ host, ports: [...ports] })),
    deadlineMs: BROWSER_PROBE_DEADLINE_MS,
  };
}

/** Origins the page connects to for `catalog` (its CSP's connect-src): https for every endpoint, wss for WebSockets. */
export function browserOrigins(catalog: Catalog): string[] {
  return catalog.endpoints.flatMap((e) => {
    const at = e.port === 443 ? e.host : `${e.host}:${e.port}`;
    return e.purpose === 'websocket' ? [`https://${at}`, `wss://${at}`] : [`https://${at}`];
  });
}

/** Every target the plan lets the page report, per kind. */
function allowedTargets(plan: BrowserPlan): Record<BrowserProbeKind, Set<string>> {
  return {
    'browser-fetch': new Set(plan.endpoints.map((e) => `${e.host}:${e.port}`)),
    'browser-websocket': new Set(
      plan.endpoints.filter((e) => e.purpose === 'websocket').map((e) => `${e.host}:${e.port}`),
    ),
    'browser-ice': new Set(plan.media.map((m) => `${m.host}:${m.ports.join(',')}`)),
    'browser-clock': new Set(['bot']),
    'browser-env': new Set(['page']),
  };
}

const STATUSES: readonly ProbeStatus[] = ['pass', 'fail', 'warn', 'skipped', 'error'];
const PHASES: readonly Phase[] = ['dns', 'connect', 'proxy', 'tls', 'firstByte', 'setup', 'response'];
/** The causes a page can honestly name. */
const CODES: readonly FailureCode[] = [
  'fetch_failed',
  'timeout',
  'upgrade_refused',
  'no_answer_udp',
  'skew',
  'not_run',
  'internal',
];
/** Per kind, the detail fields kept and their type. */
const DETAIL: Record<BrowserProbeKind, Record<string, 'number' | 'boolean'>> = {
  'browser-fetch': { resourceTiming: 'boolean' },
  'browser-websocket': { closeCode: 'number', inferred: 'boolean' },
  'browser-ice': { candidates: 'number', srflx: 'number' },
  'browser-clock': { offsetSeconds: 'number', rttMs: 'number' },
  'browser-env': { online: 'boolean' },
};
const MAX_MS = 120_000;

export type Checked = { ok: true; report: Report } | { ok: false; reason: string };

class Refused extends Error {}
const refuse = (reason: string): never => {
  throw new Refused(reason);
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown, max: number, what: string): string =>
  typeof v === 'string' && v.length <= max
    ? v
    : refuse(`${what}: expected text of at most ${max} characters`);
const ms = (v: unknown, what: string): number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_MS
    ? Math.round(v)
    : refuse(`${what}: expected milliseconds from 0 to ${MAX_MS}`);

/** Rebuilds `input` as a browser report for `plan`, diagnosed; or says what is wrong with it. */
export function checkBrowserReport(input: unknown, plan: BrowserPlan): Checked {
  try {
    return { ok: true, report: rebuild(input, plan) };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.message };
    throw error;
  }
}

function rebuild(input: unknown, plan: BrowserPlan): Report {
  if (!isObject(input)) return refuse('report: expected an object');
  if (input.schema !== 'reconnect.report/v1') refuse('schema: expected "reconnect.report/v1"');
  if (input.source !== 'browser') refuse('source: expected "browser"');
  if (input.cloud !== plan.cloud) refuse(`cloud: expected "${plan.cloud}", the case's`);
  const agent = isObject(input.agent) ? input.agent : refuse('agent: expected an object');
  const startedAt = text(input.startedAt, 40, 'startedAt');
  if (Number.isNaN(Date.parse(startedAt))) refuse('startedAt: expected an ISO 8601 time');
  if (!Array.isArray(input.probes) || input.probes.length > 40) refuse('probes: expected at most 40');
  const allowed = allowedTargets(plan);
  const seen = new Set<string>();
  const probes = (input.probes as unknown[]).map((p, i) => probe(p, i, allowed, seen));
  const environment = isObject(input.environment)
    ? input.environment
    : refuse('environment: expected an object');
  const base = {
    schema: 'reconnect.report/v1' as const,
    source: 'browser' as const,
    agent: {
      version: 'browser-check/1',
      os: text(agent.os ?? 'unknown', 20, 'agent.os'),
      osVersion: '',
      runtime: text(agent.runtime ?? '', 120, 'agent.runtime'),
    },
    cloud: plan.cloud,
    startedAt,
    durationMs: ms(input.durationMs, 'durationMs'),
    // The page cannot see proxy settings or resolvers: none are claimed.
    environment: {
      proxy: { source: 'none' as const },
      resolvers: [],
      browser: browserEnv(environment.browser),
    },
    endpoints: plan.endpoints.map(({ host, port, purpose }) => ({
      host,
      port,
      purpose: purpose as Report['endpoints'][number]['purpose'],
      required: true,
    })),
    publicResolvers: [],
    probes,
  };
  const { findings, verdict } = diagnose(base);
  return { ...base, findings, verdict };
}

function probe(
  input: unknown,
  i: number,
  allowed: Record<BrowserProbeKind, Set<string>>,
  seen: Set<string>,
): ProbeResult {
  const at = `probes[${i}]`;
  if (!isObject(input)) return refuse(`${at}: expected an object`);
  const kind = input.kind as BrowserProbeKind;
  if (typeof kind !== 'string' || !Object.hasOwn(allowed, kind))
    refuse(`${at}.kind: expected one of ${Object.keys(allowed).join(', ')}`);
  const target = text(input.target, 300, `${at}.target`);
  if (!allowed[kind].has(target)) refuse(`${at}.target: "${target}" is not in the case's catalog`);
  const id = `${kind}:${target}`;
  if (input.id !== id) refuse(`${at}.id: expected "${id}"`);
  if (seen.has(id)) refuse(`${at}: "${id}" twice`);
  seen.add(id);
  const status = input.status as ProbeStatus;
  if (!STATUSES.includes(status)) refuse(`${at}.status: expected one of ${STATUSES.join(', ')}`);
  const phasesIn = isObject(input.phases) ? input.phases : {};
  const phases: Phases = { dns: 0, connect: 0, proxy: 0, tls: 0, firstByte: 0 };
  for (const name of Object.keys(phases) as Array<keyof Phases>)
    if (phasesIn[name] !== undefined) phases[name] = ms(phasesIn[name], `${at}.phases.${name}`);
  const detailIn = isObject(input.detail) ? input.detail : {};
  const detail: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(DETAIL[kind])) {
    const v = detailIn[name];
    if (v === undefined || v === null) continue;
    if (typeof v !== type || (type === 'number' && !Number.isFinite(v)))
      refuse(`${at}.detail.${name}: expected a ${type}`);
    detail[name] = v;
  }
  const result: ProbeResult = {
    id,
    kind,
    target,
    status,
    durationMs: ms(input.durationMs, `${at}.durationMs`),
    phases,
    detail,
  };
  // A probe that did not pass says why, in a code of the closed list; a pass carries no failure.
  if (status === 'pass') {
    if (input.failure !== undefined) refuse(`${at}.failure: a passing probe has none`);
    return result;
  }
  const failure = isObject(input.failure)
    ? input.failure
    : refuse(`${at}.failure: required unless status is pass`);
  const phase = failure.phase as Phase;
  const code = failure.code as FailureCode;
  if (!PHASES.includes(phase)) refuse(`${at}.failure.phase: expected one of ${PHASES.join(', ')}`);
  if (!CODES.includes(code)) refuse(`${at}.failure.code: expected one of ${CODES.join(', ')}`);
  return {
    ...result,
    failure: { phase, code, detail: text(failure.detail ?? '', 300, `${at}.failure.detail`) },
  };
}

function browserEnv(input: unknown): BrowserEnvironment {
  if (!isObject(input)) return refuse('environment.browser: expected an object');
  if (typeof input.online !== 'boolean') refuse('environment.browser.online: expected true or false');
  const out: BrowserEnvironment = { online: input.online as boolean };
  if (isObject(input.connection)) {
    const c = input.connection;
    const word = (v: unknown, what: string) => (v === undefined ? undefined : text(v, 20, what));
    const num = (v: unknown, what: string) =>
      v === undefined
        ? undefined
        : typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1e6
          ? v
          : refuse(what);
    const connection = {
      type: word(c.type, 'connection.type'),
      effectiveType: word(c.effectiveType, 'connection.effectiveType'),
      rttMs: num(c.rttMs, 'connection.rttMs: expected a number'),
      downlinkMbps: num(c.downlinkMbps, 'connection.downlinkMbps: expected a number'),
    };
    out.connection = Object.fromEntries(Object.entries(connection).filter(([, v]) => v !== undefined));
  }
  if (input.userAgent !== undefined)
    out.userAgent = text(input.userAgent, 300, 'environment.browser.userAgent');
  return out;
}
