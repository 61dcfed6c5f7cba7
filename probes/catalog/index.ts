/**
 * Endpoint catalogs: the built-in one per cloud (data files next to this module, traceable to
 * Microsoft's published endpoint lists through `msId`) and `--catalog FILE`, which replaces the
 * built-in one entirely (CONTRACTS.md). Both pass the same validation.
 */
import { readFileSync } from 'node:fs';
import type { Catalog } from '../types.ts';
import china from './china.json' with { type: 'json' };
import commercial from './commercial.json' with { type: 'json' };
import dod from './dod.json' with { type: 'json' };
import gcch from './gcch.json' with { type: 'json' };
import { catalogError, validateCatalog } from './validate.ts';

export { catalogError, validateCatalog } from './validate.ts';

/** The built-in catalogs by `--cloud` name; CLOUDS and the flag's validation derive from it. */
const BUILT_IN = { commercial, gcch, dod, china };

export type CloudName = keyof typeof BUILT_IN;

/** The accepted `--cloud` values, in the order help text lists them. */
export const CLOUDS = Object.keys(BUILT_IN) as CloudName[];

export function isCloudName(name: string): name is CloudName {
  return Object.hasOwn(BUILT_IN, name);
}

/**
 * The built-in catalog of `cloud`, validated, as a fresh copy the caller may change. Throws
 * ConfigError (catalog_invalid) for a name that is not in CLOUDS (callers pass user input through here).
 */
export function builtInCatalog(cloud: CloudName): Catalog {
  const source = `built-in catalog "${cloud}"`;
  if (!isCloudName(cloud)) {
    throw catalogError('--cloud', '', `expected one of ${CLOUDS.join(', ')}, got ${JSON.stringify(cloud)}`);
  }
  return validateCatalog(structuredClone(BUILT_IN[cloud]), source);
}

/**
 * Reads and validates a catalog file (`--catalog FILE`). Every error names `path`; a JSON
 * syntax error also names the line and column.
 */
export function loadCatalogFile(path: string): Catalog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw catalogError(path, '', `cannot read the file (${(err as Error).message})`);
  }
  // Windows editors may save a byte-order mark, which JSON.parse refuses.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw catalogError(path, '', `not valid JSON: ${withPosition((err as Error).message, text)}`);
  }
  return validateCatalog(value, path);
}

/** V8 names line and column for most syntax errors, but not for a file that ends too early. */
function withPosition(message: string, text: string): string {
  if (/\bline \d+/.test(message)) return message;
  const lines = text.split('\n');
  const line = lines.length;
  const column = lines[lines.length - 1].length + 1;
  return `${message} (at line ${line} column ${column}, the end of the file)`;
}
