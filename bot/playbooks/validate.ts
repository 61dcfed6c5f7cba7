/**
 * Shape checks for one parsed playbook or step-library file. Everything a helpdesk can get
 * wrong in YAML is refused here with the file, the path inside it (`steps[3].instructions`)
 * and what was expected, so a bad playbook never reaches a user as a half-rendered card.
 * Cross-file rules (unique ids, includes, `when` parsing) live in load.ts.
 */
import { FINDING_IDS, isFindingId } from '../../probes/findings.ts';
import { PROBE_KINDS } from '../../probes/kinds.ts';
import {
  AGENT_ACTIONS,
  AREAS,
  type Instructions,
  PLAYBOOK_SCHEMA,
  type PlaybookDoc,
  STEPS_SCHEMA,
  type Step,
  type StepLibraryDoc,
  WHO,
} from './types.ts';

export type PathSegment = string | number;

/** Turns a path into the line it sits on, when the source is known (1-based). */
export type Locate = (path: PathSegment[]) => number | undefined;

export interface PlaybookErrorInit {
  file: string;
  path: PathSegment[];
  expected: string;
  got?: string;
  line?: number;
}

/** A playbook file that cannot be used; the message names file, line, path and expectation. */
export class PlaybookError extends Error {
  readonly file: string;
  /** `steps[3].instructions.windows`; empty for the whole document. */
  readonly path: string;
  readonly expected: string;
  readonly line: number | undefined;

  constructor(init: PlaybookErrorInit) {
    const path = formatPath(init.path);
    const where = init.line === undefined ? init.file : `${init.file}:${init.line}`;
    const got = init.got === undefined ? '' : `, got ${init.got}`;
    super(`${where}: ${path || '(document)'}: expected ${init.expected}${got}`);
    this.name = 'PlaybookError';
    this.file = init.file;
    this.path = path;
    this.expected = init.expected;
    this.line = init.line;
  }
}

export function formatPath(path: PathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** CAA and five hex digits, or the broker's 8008 and four; `x` stands for any digit of a code family. */
const CODE = /^(?:CAA[0-9A-Fx]{5}|8008[0-9A-Fx]{4})$/;
const PLAYBOOK_KEYS = ['schema', 'id', 'title', 'codes', 'steps', 'include'];
const LIBRARY_KEYS = ['schema', 'steps'];
const STEP_KEYS = [
  'id',
  'title',
  'why',
  'who',
  'area',
  'findings',
  'instructions',
  'recheck',
  'action',
  'when',
  'order',
];
const INSTRUCTION_KEYS = ['windows', 'macos', 'linux', 'any', 'phone'];

/** Checks one file's parsed content; returns it typed, or throws PlaybookError. */
export function validateDocument(value: unknown, file: string, locate: Locate): PlaybookDoc | StepLibraryDoc {
  // `got` is a rest parameter so that a missing value (undefined) still reads "got nothing".
  const fail = (path: PathSegment[], expected: string, ...got: unknown[]): never => {
    throw new PlaybookError({
      file,
      path,
      expected,
      got: got.length ? describe(got[0]) : undefined,
      line: locate(path),
    });
  };
  const v = new Checker(fail);

  const doc = v.object(value, [], 'a mapping with `schema`');
  if (doc.schema === PLAYBOOK_SCHEMA) {
    v.keys(doc, [], PLAYBOOK_KEYS);
    v.string(doc.id, ['id'], 'a kebab-case playbook id', KEBAB);
    v.string(doc.title, ['title'], 'a title (non-empty text)');
    v.list(doc.codes, ['codes'], 'a non-empty list of error codes', { min: 1 }).forEach((code, i) => {
      v.string(
        code,
        ['codes', i],
        'an error code like CAA20004 or 80080300 (x for any hex digit: CAA82F8x)',
        CODE,
      );
    });
    if (doc.steps !== undefined) validateSteps(v, doc.steps, 0);
    if (doc.include !== undefined) {
      v.list(doc.include, ['include'], 'a list of step ids').forEach((id, i) => {
        v.string(id, ['include', i], 'a kebab-case step id', KEBAB);
      });
    }
    const own = Array.isArray(doc.steps) ? doc.steps.length : 0;
    const included = Array.isArray(doc.include) ? doc.include.length : 0;
    if (own + included === 0) fail(['steps'], 'at least one step in `steps` or `include`');
    return doc as unknown as PlaybookDoc;
  }
  if (doc.schema === STEPS_SCHEMA) {
    v.keys(doc, [], LIBRARY_KEYS);
    validateSteps(v, doc.steps, 1);
    return doc as unknown as StepLibraryDoc;
  }
  return fail(['schema'], `'${PLAYBOOK_SCHEMA}' or '${STEPS_SCHEMA}'`, doc.schema);
}

function validateSteps(v: Checker, value: unknown, min: number): void {
  v.list(value, ['steps'], min ? 'a non-empty list of steps' : 'a list of steps', { min }).forEach(
    (step, i) => {
      validateStep(v, step, ['steps', i]);
    },
  );
}

function validateStep(v: Checker, value: unknown, at: PathSegment[]): Step {
  const step = v.object(value, at, 'a step (a mapping)');
  v.keys(step, at, STEP_KEYS);
  v.string(step.id, [...at, 'id'], 'a kebab-case step id', KEBAB);
  v.string(step.title, [...at, 'title'], 'a title (non-empty text)');
  v.string(step.why, [...at, 'why'], 'one plain sentence on one line', /^[^\n]+$/);
  v.oneOf(step.who, [...at, 'who'], WHO);
  v.oneOf(step.area, [...at, 'area'], AREAS);
  v.list(step.findings, [...at, 'findings'], 'a list of finding ids (may be empty)').forEach((id, i) => {
    if (!isFindingId(id))
      v.fail([...at, 'findings', i], `a finding id (one of ${FINDING_IDS.join(', ')})`, id);
  });

  const where = [...at, 'instructions'];
  const instructions = v.object(step.instructions, where, 'a mapping of platform to markdown');
  v.keys(instructions, where, INSTRUCTION_KEYS);
  for (const key of INSTRUCTION_KEYS) {
    if (instructions[key] !== undefined) v.string(instructions[key], [...where, key], 'markdown text');
  }
  const computer: Array<keyof Instructions> = ['windows', 'macos', 'linux', 'any'];
  if (!computer.some((k) => instructions[k] !== undefined)) {
    v.fail(where, 'instructions for at least one of windows, macos, linux or any');
  }

  v.list(step.recheck, [...at, 'recheck'], 'a non-empty list of probe kinds or kind:target patterns', {
    min: 1,
  }).forEach((entry, i) => {
    const kind = typeof entry === 'string' ? entry.split(':')[0] : undefined;
    if (kind === undefined || !Object.hasOwn(PROBE_KINDS, kind)) {
      v.fail(
        [...at, 'recheck', i],
        `a probe kind or kind:target pattern, kind one of ${Object.keys(PROBE_KINDS).join(', ')}`,
        entry,
      );
    }
  });
  if (step.action !== undefined) v.oneOf(step.action, [...at, 'action'], AGENT_ACTIONS);
  if (step.when !== undefined) v.string(step.when, [...at, 'when'], 'an adaptive-expressions condition');
  if (step.order !== undefined && (typeof step.order !== 'number' || !Number.isFinite(step.order))) {
    v.fail([...at, 'order'], 'a number', step.order);
  }
  return step as unknown as Step;
}

/** Small typed checks that report through one `fail`. */
class Checker {
  readonly fail: (path: PathSegment[], expected: string, ...got: unknown[]) => never;

  constructor(fail: (path: PathSegment[], expected: string, ...got: unknown[]) => never) {
    this.fail = fail;
  }

  object(value: unknown, path: PathSegment[], expected: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, expected, value);
    return value as Record<string, unknown>;
  }

  keys(obj: Record<string, unknown>, path: PathSegment[], allowed: string[]): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.fail([...path, key], `a known field (${allowed.join(', ')})`, key);
    }
  }

  string(value: unknown, path: PathSegment[], expected: string, pattern?: RegExp): string {
    if (typeof value !== 'string' || value.trim() === '' || (pattern && !pattern.test(value))) {
      this.fail(path, expected, value);
    }
    return value as string;
  }

  list(value: unknown, path: PathSegment[], expected: string, opts: { min?: number } = {}): unknown[] {
    if (!Array.isArray(value) || value.length < (opts.min ?? 0)) this.fail(path, expected, value);
    return value as unknown[];
  }

  oneOf(value: unknown, path: PathSegment[], allowed: readonly string[]): void {
    if (typeof value !== 'string' || !allowed.includes(value)) {
      this.fail(path, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
    }
  }
}

/** What was found instead, short enough for one line of an error. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length ? `a list of ${value.length}` : 'an empty list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
