/**
 * The sign-in error code catalog: what a Teams / Microsoft 365 code means, where that meaning
 * comes from, and which checks it calls for (DESIGN.md: "decode the code first"). The data
 * lives in catalog.json so a helpdesk can add a code without touching TypeScript; this module
 * validates it once at load, so a bad edit fails loudly instead of misleading a user later.
 */
import { ConfigError } from '../config-error.ts';
import { PROBE_KINDS } from '../kinds.ts';
import type { ProbeKind } from '../types.ts';
import raw from './catalog.json' with { type: 'json' };

export type CodeCategory =
  | 'network'
  | 'proxy'
  | 'dns'
  | 'tls'
  | 'timeout'
  | 'conditional_access'
  | 'device'
  | 'broker'
  | 'credentials'
  | 'account'
  | 'install'
  // An HTTP 5xx from the service (or a proxy answering for it): not a local fault.
  | 'service';

/** documented: a named source states it. derived: read from the number. uncertain: see meaning. */
export type Certainty = 'documented' | 'derived' | 'uncertain';

export interface CodeEntry {
  /** Normalised: 'CAA20004', '80080300' (8 hex digits, upper case, no 0x). */
  code: string;
  /** As Windows prints it: '0xCAA20004'. */
  hex: string;
  /** The signed 32-bit decimal some logs print instead: -895352828. */
  decimal: number;
  /** HRESULT facility in hex ('AA2' for the ADAL protocol facility) and what it covers. */
  facility: string;
  facilityName: string;
  /** Windows' symbolic name, or null where no source names it. */
  name: string | null;
  /** Plain words for the user and the support engineer. */
  meaning: string;
  /** What Microsoft's Teams sign-in page says about it, where it lists the code. */
  teams?: string;
  category: CodeCategory;
  /** The probe kinds that can confirm or rule out this code's causes, most telling first. */
  checks: ProbeKind[];
  /** The documents the meaning comes from, named in full (and how a number was read). */
  source: string;
  certainty: Certainty;
}

const CATEGORIES: ReadonlySet<string> = new Set<CodeCategory>([
  'network',
  'proxy',
  'dns',
  'tls',
  'timeout',
  'conditional_access',
  'device',
  'broker',
  'credentials',
  'account',
  'install',
  'service',
]);
const KINDS: ReadonlySet<string> = new Set(Object.keys(PROBE_KINDS));
const CERTAINTIES: ReadonlySet<string> = new Set<Certainty>(['documented', 'derived', 'uncertain']);

/**
 * Facilities of the CAA (ADAL/WAM) family, named after the sections of Windows'
 * WebProviderError table; other HRESULT facilities by winerror.h.
 */
const FACILITIES: Record<string, string> = {
  AA1: 'ADAL developer (invalid arguments and state)',
  AA2: 'ADAL OAuth protocol (the sign-in server answered with an OAuth error)',
  AA3: 'ADAL HTTP (the low bits are the HTTP status code)',
  AA4: 'ADAL serialization',
  AA5: 'ADAL system',
  AA6: 'ADAL JSON',
  AA7: 'ADAL INET / URL moniker API',
  AA8: 'ADAL Internet API (the low bits are the WinINet/WinHTTP 12000-series error)',
  AA9: 'ADAL server flows (realm discovery, WS-Trust, PKeyAuth)',
  AAA: 'ADAL unexpected',
  AAB: 'ADAL token broker',
  AAD: 'ADAL background task cancelled',
  '008': 'FACILITY_WINDOWS',
  '007': 'FACILITY_WIN32',
};

/** Checks the raw catalog and builds the lookup table. Exported for tests of bad catalogs. */
export function loadCatalog(input: unknown): Map<string, CodeEntry> {
  const root = asRecord(input, 'catalog');
  const sources = asRecord(root['sources'], 'sources');
  const codes = root['codes'];
  if (!Array.isArray(codes)) fail('codes', 'an array of code entries');
  const table = new Map<string, CodeEntry>();
  codes.forEach((item, index) => {
    const where = `codes[${index}]`;
    const e = asRecord(item, where);
    const code = e['code'];
    if (typeof code !== 'string' || !/^[0-9A-F]{8}$/.test(code)) {
      fail(`${where}.code`, "8 upper-case hex digits without 0x, e.g. 'CAA20004'");
    }
    if (table.has(code)) fail(`${where}.code`, `a code listed once (${code} repeats)`);
    const at = `codes[${index}] (${code})`;
    const name = e['name'];
    if (name !== null && (typeof name !== 'string' || name === '')) fail(`${at}.name`, 'a string or null');
    const category = e['category'];
    if (typeof category !== 'string' || !CATEGORIES.has(category)) {
      fail(`${at}.category`, `one of ${[...CATEGORIES].join(', ')}`);
    }
    const checks = e['checks'];
    if (!Array.isArray(checks) || checks.some((c) => typeof c !== 'string' || !KINDS.has(c))) {
      fail(`${at}.checks`, `an array of probe kinds (${[...KINDS].join(', ')})`);
    }
    const certainty = e['certainty'];
    if (typeof certainty !== 'string' || !CERTAINTIES.has(certainty)) {
      fail(`${at}.certainty`, 'documented, derived or uncertain');
    }
    if (certainty === 'uncertain' && !/uncertain/i.test(String(e['meaning']))) {
      fail(`${at}.meaning`, "a meaning that says 'uncertain' when certainty is uncertain");
    }
    const refs = e['sources'];
    if (!Array.isArray(refs) || refs.length === 0) fail(`${at}.sources`, 'a non-empty array of source keys');
    const named = refs.map((ref, i) => {
      const title = typeof ref === 'string' ? sources[ref] : undefined;
      if (typeof title !== 'string')
        fail(`${at}.sources[${i}]`, `a key of "sources" (got ${JSON.stringify(ref)})`);
      return title;
    });
    const derivation = optionalText(e['derivation'], `${at}.derivation`);
    const value = Number.parseInt(code, 16);
    const facility = code.startsWith('CAA') ? `AA${code[3]}` : code.slice(1, 4);
    table.set(code, {
      code,
      hex: `0x${code}`,
      decimal: value | 0,
      facility,
      facilityName: FACILITIES[facility] ?? 'unknown facility',
      name: name as string | null,
      meaning: requiredText(e['meaning'], `${at}.meaning`),
      teams: optionalText(e['teams'], `${at}.teams`),
      category: category as CodeCategory,
      checks: checks as ProbeKind[],
      source: [...named, ...(derivation ? [`derived from the number: ${derivation}`] : [])].join('; '),
      certainty: certainty as Certainty,
    });
  });
  return table;
}

const CATALOG = loadCatalog(raw);

/** Every catalogued code, in catalog order. */
export function allCodes(): CodeEntry[] {
  return [...CATALOG.values()];
}

/**
 * The entry for a code in any form people type ('caa20004', '0xCAA20004', 'CAA-20004',
 * '80080300'), or undefined when the catalog does not know it.
 */
export function lookupCode(code: string): CodeEntry | undefined {
  return CATALOG.get(normaliseCode(code) ?? '');
}

/** 'CAA 2000b' → 'CAA2000B'; undefined when it is not an 8-hex-digit code. */
export function normaliseCode(text: string): string | undefined {
  const compact = text.trim().replace(/^0x/i, '').replace(/[\s-]/g, '').toUpperCase();
  return /^[0-9A-F]{8}$/.test(compact) ? compact : undefined;
}

/** The entry whose signed 32-bit decimal form is `value` (as event logs print it). */
export function lookupDecimal(value: number): CodeEntry | undefined {
  for (const entry of CATALOG.values()) if (entry.decimal === value) return entry;
  return undefined;
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'an object');
  return value as Record<string, unknown>;
}

function requiredText(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(where, 'a non-empty string');
  return value;
}

function optionalText(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  return requiredText(value, where);
}

function fail(where: string, expected: string): never {
  throw new ConfigError(`${where} must be ${expected}`, { code: 'code_catalog_invalid' });
}
