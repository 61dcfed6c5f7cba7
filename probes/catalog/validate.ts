/**
 * Validation of an endpoint catalog (CONTRACTS.md "Catalog"). A small schema table and a walker
 * rather than a JSON-schema engine: the table reads like the contract, and every error names
 * the file, the field path (`endpoints[2].port`) and what was expected, so `check --catalog`
 * can tell an operator exactly what to fix (exit 2).
 */
import { ConfigError } from '../config-error.ts';
import type { Catalog, CatalogEndpoint } from '../types.ts';
import { describe, LEAVES, type Leaf } from './fields.ts';
import { isPurpose, PURPOSE_NAMES, PURPOSES } from './purposes.ts';

/** A catalog that cannot be used: the one ConfigError, code catalog_invalid; `field` '' for the file as a whole. */
export function catalogError(source: string, field: string, problem: string): ConfigError {
  return new ConfigError(problem, { code: 'catalog_invalid', source, field });
}

type Shape =
  | { kind: 'leaf'; leaf: Leaf }
  | { kind: 'array'; expected: string; nonEmpty: boolean; item: Shape }
  | { kind: 'object'; expected: string; fields: Record<string, Field> };

interface Field {
  shape: Shape;
  optional?: boolean;
}

const leaf = (l: Leaf): Shape => ({ kind: 'leaf', leaf: l });
const arrayOf = (expected: string, item: Shape, nonEmpty = false): Shape => ({
  kind: 'array',
  expected,
  nonEmpty,
  item,
});
const objectOf = (expected: string, fields: Record<string, Field>): Shape => ({
  kind: 'object',
  expected,
  fields,
});
const req = (shape: Shape): Field => ({ shape });
const opt = (shape: Shape): Field => ({ shape, optional: true });

const PURPOSE_LEAF: Leaf = { expected: `one of ${PURPOSE_NAMES.join(', ')}`, test: isPurpose };

const ENDPOINT = objectOf('an endpoint object', {
  host: req(leaf(LEAVES.host)),
  port: req(leaf(LEAVES.port)),
  purpose: req(leaf(PURPOSE_LEAF)),
  path: opt(leaf(LEAVES.wsPath)),
  required: req(leaf(LEAVES.boolean)),
  msId: opt(leaf(LEAVES.msId)),
  note: opt(leaf(LEAVES.text)),
});

const MEDIA = objectOf('a media relay object', {
  host: req(leaf(LEAVES.host)),
  ports: req(arrayOf('a non-empty array of ports', leaf(LEAVES.port), true)),
  msId: opt(leaf(LEAVES.msId)),
  note: opt(leaf(LEAVES.text)),
});

const ROOT = objectOf('a root object', {
  name: req(leaf(LEAVES.text)),
  spkiSha256: req(leaf(LEAVES.spkiSha256)),
});

const PORTAL_CHECK = objectOf('a portal check object', {
  url: req(leaf(LEAVES.httpUrl)),
  expect: req(leaf(LEAVES.text)),
});

const CATALOG = objectOf('a JSON object', {
  schema: req(leaf(LEAVES.schema)),
  cloud: req(leaf(LEAVES.text)),
  endpoints: req(arrayOf('a non-empty array of endpoints', ENDPOINT, true)),
  media: req(arrayOf('an array of media relays', MEDIA)),
  publicResolvers: req(arrayOf('an array of resolver addresses', leaf(LEAVES.resolver))),
  timeSources: req(arrayOf('an array of https:// URLs', leaf(LEAVES.httpsUrl))),
  microsoftRoots: req(arrayOf('a non-empty array of roots', ROOT, true)),
  optimizeRanges: opt(arrayOf('an array of CIDR ranges', leaf(LEAVES.cidr))),
  portalChecks: opt(arrayOf('an array of portal checks', PORTAL_CHECK)),
  note: opt(leaf(LEAVES.text)),
});

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks `value` against `shape`; throws at the first problem, naming its path. */
function walk(value: unknown, shape: Shape, path: string, source: string): void {
  const fail = (expected: string) => {
    throw catalogError(source, path, `expected ${expected}, got ${describe(value)}`);
  };
  if (shape.kind === 'leaf') {
    if (!shape.leaf.test(value)) fail(shape.leaf.expected);
    return;
  }
  if (shape.kind === 'array') {
    if (!Array.isArray(value) || (shape.nonEmpty && value.length === 0)) fail(shape.expected);
    for (const [i, item] of (value as unknown[]).entries()) walk(item, shape.item, `${path}[${i}]`, source);
    return;
  }
  if (!isPlainObject(value)) fail(shape.expected);
  const record = value as Record<string, unknown>;
  const known = Object.keys(shape.fields);
  // Unknown fields first: a typo ("endpiont") explains the "missing field" that would follow.
  for (const key of Object.keys(record)) {
    if (!Object.hasOwn(shape.fields, key)) {
      throw catalogError(source, join(path, key), `unknown field; the known fields are ${known.join(', ')}`);
    }
  }
  for (const [key, field] of Object.entries(shape.fields)) {
    if (record[key] === undefined && field.optional) continue;
    walk(record[key], field.shape, join(path, key), source);
  }
}

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

/** The rules that span fields: the websocket path and one entry per host:port. */
function checkEndpoints(endpoints: CatalogEndpoint[], source: string): void {
  const seen = new Map<string, number>();
  endpoints.forEach((endpoint, i) => {
    const rule = PURPOSES[endpoint.purpose];
    if (rule.path === 'required' && endpoint.path === undefined) {
      throw catalogError(source, `endpoints[${i}].path`, `expected ${LEAVES.wsPath.expected}, got nothing`);
    }
    if (rule.path === 'forbidden' && endpoint.path !== undefined) {
      throw catalogError(
        source,
        `endpoints[${i}].path`,
        `expected no path (only websocket endpoints take one), got ${describe(endpoint.path)} on an endpoint of purpose ${endpoint.purpose}`,
      );
    }
    const key = `${endpoint.host.toLowerCase()}:${endpoint.port}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw catalogError(
        source,
        `endpoints[${i}]`,
        `duplicate of endpoints[${first}] (${key}); each host:port may appear once`,
      );
    }
    seen.set(key, i);
  });
}

/**
 * Checks that `value` is a catalog and returns it typed. `source` names where it came from
 * (a file path, or `built-in catalog "gcch"`) and starts every error message.
 * Throws ConfigError (code catalog_invalid).
 */
export function validateCatalog(value: unknown, source: string): Catalog {
  walk(value, CATALOG, '', source);
  const catalog = value as Catalog;
  checkEndpoints(catalog.endpoints, source);
  return catalog;
}
