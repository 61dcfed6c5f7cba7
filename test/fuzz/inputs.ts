/**
 * Generated inputs for the fuzz suite, from the valid shapes outwards: a valid activity or
 * payload with one field replaced by a wrong type, a huge or nasty string, deep nesting or
 * nothing at all, plus extra fields (`__proto__`, `constructor`), and raw bodies of invalid
 * UTF-8 or fake gzip under wrong content types.
 */
import fc from 'fast-check';
import type { FuzzRequest } from './harness.ts';

const DELETE = Symbol('delete');

/** Strings that have broken parsers before: NUL, lone surrogates, control and bidi characters, paths. */
const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', '\ud800', '\u202e\u0007', '__proto__', 'constructor', '../../etc/passwd', '%00'),
  fc.integer({ min: 1, max: 5 }).map((n) => 'x'.repeat(n * 30_000)),
);

/** Any JSON value, a nasty string, or nesting deeper than any limit. */
export const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: nastyString },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 60, max: 3000 }).map((n) => JSON.parse(`${'['.repeat(n)}${']'.repeat(n)}`)),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, true, -1, 0, 1e308, [], {}) },
);

/** Every key path of `value` down to `depth`. */
function paths(value: unknown, depth = 3, prefix: string[] = []): string[][] {
  if (depth === 0 || typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...paths(v, depth - 1, [...prefix, k])]);
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) return target;
    node = next as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === DELETE) delete node[last];
  else node[last] = value;
  return target;
}

/** JSON text of `valid` with a few fields replaced, removed or added (`__proto__` among them). */
export function mutatedJson(valid: Record<string, unknown>): fc.Arbitrary<string> {
  const keys = paths(valid);
  const change = fc.tuple(fc.constantFrom(...keys), fc.oneof(fc.constant(DELETE), jsonish));
  const extra = fc.tuple(fc.constantFrom(['__proto__'], ['constructor'], ['prototype'], ['extra']), jsonish);
  return fc
    .tuple(fc.array(change, { minLength: 0, maxLength: 3 }), fc.option(extra, { nil: undefined }))
    .map(([changes, added]) => {
      const copy = structuredClone(valid);
      for (const [path, value] of changes) setPath(copy, path, value);
      let text = JSON.stringify(copy);
      // A literal "__proto__" key only survives as text (JSON.parse keeps it as an own key).
      if (added)
        text = `{${JSON.stringify(added[0][0])}:${JSON.stringify(added[1]) ?? 'null'},${text.slice(1)}`;
      return text;
    });
}

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
  'application/vnd.api+json',
  '',
);

/** A request of random bytes, method, content type and encoding to one of the bot's routes. */
export function rawRequest(paths: string[]): fc.Arbitrary<FuzzRequest> {
  return fc.record({
    method: fc.constantFrom('POST', 'PUT', 'GET', 'DELETE', 'PATCH'),
    path: fc.oneof(
      fc.constantFrom(...paths),
      fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
      fc.constantFrom('/%2e%2e/%2e%2e/etc/passwd', '/%00', '/v3/directline/conversations/%ff/activities'),
    ),
    headers: fc.record({
      'content-type': contentType,
      'content-encoding': fc.constantFrom('identity', 'gzip', 'br', 'deflate, gzip', 'x-gzip'),
    }),
    bytes: fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b).toString('base64')),
  });
}
