/**
 * Parsed diagnosis rules as plain data, and the interpreter the agent evaluates them with.
 *
 * The rules are adaptive-expressions: its parser turns them into these trees (parse.ts), at
 * build time for the one-file agent and at load time elsewhere. Evaluating the trees here,
 * instead of with adaptive-expressions itself, keeps its ANTLR runtime (~45 MB of memory)
 * out of the agent. Semantics follow adaptive-expressions for the functions below (truthiness,
 * integer division, null handling); test/diagnosis/engines.test.ts and every end-to-end
 * scenario check that both engines give the same findings.
 */

export interface Node {
  /** adaptive-expressions' expression type: 'Accessor', 'Constant', 'where', '&&', … */
  t: string;
  v?: unknown;
  c?: Node[];
}

type Scope = Record<string, unknown>;
type Fn = (args: Node[], scope: Scope) => unknown;

/** adaptive-expressions' isLogicTrue: only false, null and undefined are false. */
function truthy(value: unknown): boolean {
  return typeof value === 'boolean' ? value : value !== null && value !== undefined;
}

function equal(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  throw new Error(`expected a list, got ${value === null ? 'null' : typeof value}`);
}

function num(value: unknown): number {
  if (typeof value === 'number') return value;
  throw new Error(`expected a number, got ${JSON.stringify(value)}`);
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** `where(list, name, condition)` and `select(list, name, expression)` bind `name` per item. */
function iterate(args: Node[], scope: Scope, each: (item: unknown, result: unknown) => void): void {
  const name = args[1]?.t === 'Accessor' && args[1].c?.length === 1 ? String(args[1].c[0].v) : null;
  if (!name) throw new Error('the second argument must be a plain name');
  for (const item of list(run(args[0], scope))) each(item, run(args[2], { ...scope, [name]: item }));
}

const binary =
  (op: (a: unknown, b: unknown) => unknown): Fn =>
  (args, scope) =>
    op(run(args[0], scope), run(args[1], scope));

const FUNCTIONS: Record<string, Fn> = {
  Constant: () => {
    throw new Error('unreachable');
  },
  Accessor: (args, scope) => {
    const name = String(args[0].v);
    const target = args.length > 1 ? run(args[1], scope) : scope;
    return target !== null && typeof target === 'object' ? (target as Scope)[name] : undefined;
  },
  Element: (args, scope) => {
    const target = run(args[0], scope);
    const index = run(args[1], scope);
    if (Array.isArray(target)) return target[num(index)];
    return target !== null && typeof target === 'object' ? (target as Scope)[String(index)] : undefined;
  },
  '&&': (args, scope) => args.every((a) => truthy(run(a, scope))),
  '||': (args, scope) => args.some((a) => truthy(run(a, scope))),
  '!': (args, scope) => !truthy(run(args[0], scope)),
  '==': binary(equal),
  '!=': binary((a, b) => !equal(a, b)),
  '<': binary((a, b) => num(a) < num(b)),
  '<=': binary((a, b) => num(a) <= num(b)),
  '>': binary((a, b) => num(a) > num(b)),
  '>=': binary((a, b) => num(a) >= num(b)),
  '+': binary((a, b) => (typeof a === 'number' && typeof b === 'number' ? a + b : text(a) + text(b))),
  '-': binary((a, b) => num(a) - num(b)),
  '*': binary((a, b) => num(a) * num(b)),
  // adaptive-expressions divides integers as integers.
  '/': binary((a, b) => {
    const q = num(a) / num(b);
    return Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(q) : q;
  }),
  if: (args, scope) => (truthy(run(args[0], scope)) ? run(args[1], scope) : run(args[2], scope)),
  abs: (args, scope) => Math.abs(num(run(args[0], scope))),
  round: (args, scope) => {
    const digits = args[1] ? num(run(args[1], scope)) : 0;
    return Number.parseFloat(num(run(args[0], scope)).toFixed(digits));
  },
  // No `string()`: adaptive-expressions formats numbers for a locale there ("8,443"). Rules
  // use concat or a template, which print numbers plainly; a rule using string() is refused.
  concat: (args, scope) => {
    const values = args.map((a) => run(a, scope));
    if (values.every((v) => Array.isArray(v))) return (values as unknown[][]).flat(1);
    return values.map(text).join('');
  },
  count: (args, scope) => {
    const value = run(args[0], scope);
    return typeof value === 'string' ? value.length : list(value).length;
  },
  first: (args, scope) => {
    const value = run(args[0], scope);
    return typeof value === 'string' ? value[0] : Array.isArray(value) ? value[0] : undefined;
  },
  join: (args, scope) =>
    list(run(args[0], scope))
      .map(text)
      .join(text(run(args[1], scope))),
  createArray: (args, scope) => args.map((a) => run(a, scope)),
  flatten: (args, scope) => list(run(args[0], scope)).flat(args[1] ? num(run(args[1], scope)) : 100),
  union: (args, scope) => {
    const out: unknown[] = [];
    for (const value of args.flatMap((a) => list(run(a, scope)))) {
      if (!out.some((o) => equal(o, value))) out.push(value);
    }
    return out;
  },
  contains: (args, scope) => {
    const collection = run(args[0], scope);
    const value = run(args[1], scope);
    if (typeof collection === 'string') return collection.includes(text(value));
    if (Array.isArray(collection)) return collection.some((item) => equal(item, value));
    return collection !== null && typeof collection === 'object' && Object.hasOwn(collection, text(value));
  },
  where: (args, scope) => {
    const out: unknown[] = [];
    iterate(args, scope, (item, keep) => {
      if (truthy(keep)) out.push(item);
    });
    return out;
  },
  select: (args, scope) => {
    const out: unknown[] = [];
    iterate(args, scope, (_, value) => out.push(value));
    return out;
  },
};

/** Expression types the interpreter knows; a rule using another is refused when loaded. */
export const SUPPORTED = new Set(Object.keys(FUNCTIONS));

/** Names the first unsupported type in a tree, or returns null. */
export function unsupportedIn(node: Node): string | null {
  if (!SUPPORTED.has(node.t)) return node.t;
  for (const child of node.c ?? []) {
    const found = unsupportedIn(child);
    if (found) return found;
  }
  return null;
}

function run(node: Node, scope: Scope): unknown {
  if (node.t === 'Constant') return node.v;
  return FUNCTIONS[node.t](node.c ?? [], scope);
}

/** Evaluates a parsed expression against a scope; errors say which function failed. */
export function evaluate(node: Node, scope: Scope): { value: unknown; error?: string } {
  try {
    return { value: run(node, scope) };
  } catch (err) {
    return { value: undefined, error: (err as Error).message };
  }
}
