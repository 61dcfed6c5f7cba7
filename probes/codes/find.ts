/**
 * Finds sign-in error codes in chat text, the way people type them: "caa20004",
 * "0xCAA70004", "error 80080300", "CAA 20004", "CAA-20004", or the signed decimal an event log
 * prints (-894947614). Only two shapes count, so phone numbers, dates and long digit runs
 * never do: the CAA family pattern (CAA + 5 hex digits), and 8-hex-digit or decimal numbers
 * that the catalog knows.
 */
import { type CodeEntry, lookupCode, lookupDecimal } from './catalog.ts';

export interface FoundCode {
  /** Normalised: 'CAA20004', '80080300'. */
  code: string;
  /** The catalog's entry; absent for a CAA-family code the catalog does not list. */
  entry?: CodeEntry;
  /** The text as the user typed it. */
  raw: string;
}

// One pass, alternatives in priority order; the look-arounds keep a code from being a slice
// of a longer word or number.
const PATTERN = new RegExp(
  [
    '(?<![0-9A-Za-z])(?<caa>(?:0x)?CAA[ -]?[0-9A-F]{5})(?![0-9A-Za-z])',
    // Not a GUID's first group either ("80080300-1a2b-…").
    '(?<![0-9A-Za-z+])(?<hex>(?:0x)?[0-9A-F]{8})(?![0-9A-Za-z]|-[0-9A-F])',
    '(?<![0-9A-Za-z.+-])(?<dec>-[0-9]{9,10})(?![0-9.])',
  ].join('|'),
  'gi',
);

/** Every distinct code in `text`, in order of first appearance. */
export function findErrorCodes(text: string): FoundCode[] {
  const found: FoundCode[] = [];
  const seen = new Set<string>();
  for (const match of text.matchAll(PATTERN)) {
    const groups = match.groups ?? {};
    const hit = groups['caa']
      ? fromCaa(groups['caa'])
      : groups['hex']
        ? fromHex(groups['hex'], text, match.index)
        : fromDecimal(groups['dec'] ?? '');
    if (!hit || seen.has(hit.code)) continue;
    seen.add(hit.code);
    found.push(hit);
  }
  return found;
}

function fromCaa(raw: string): FoundCode {
  const code = raw.replace(/^0x/i, '').replace(/[ -]/, '').toUpperCase();
  const entry = lookupCode(code);
  return entry ? { code, entry, raw } : { code, raw };
}

/** A bare 8-digit number counts only when the catalog knows it and it is not part of a phone number. */
function fromHex(raw: string, text: string, at: number): FoundCode | undefined {
  const entry = lookupCode(raw);
  if (!entry) return undefined;
  if (!/^0x/i.test(raw) && looksLikePhoneGroup(text, at, at + raw.length)) return undefined;
  return { code: entry.code, entry, raw };
}

function fromDecimal(raw: string): FoundCode | undefined {
  const entry = lookupDecimal(Number(raw));
  return entry ? { code: entry.code, entry, raw } : undefined;
}

/** "+49 30 80080300", "0800 80080300 12": digit groups on either side make it a phone number. */
function looksLikePhoneGroup(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - 2), start);
  const after = text.slice(end, end + 4);
  return /\d[\s./-]?$/.test(before) || /^[\s./-]\d{2,}/.test(after);
}
