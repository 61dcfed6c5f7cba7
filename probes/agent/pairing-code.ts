/**
 * The pairing code's text form, shared by the bot (which mints codes, bot/agents/code.ts) and
 * the agent (which reads what the user typed): Crockford base32, read forgivingly (any case,
 * spaces and dashes ignored, I and L read as 1, O as 0) and shown in groups.
 */

/** Crockford's base32 alphabet: digits and letters without I, L, O, U. */
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Symbols per display group, e.g. `7K3M9-QXT4H`. */
export const GROUP = 5;
/** The lengths the agent accepts before asking the server (the bot decides the real length). */
export const MIN_SYMBOLS = 8;
export const MAX_SYMBOLS = 16;

/** The canonical form (upper case, no separators), or null when a character is not Crockford. */
export function normalizePairingCode(input: string): string | null {
  const symbols = input
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  if (symbols.length < MIN_SYMBOLS || symbols.length > MAX_SYMBOLS) return null;
  for (const c of symbols) if (!CODE_ALPHABET.includes(c)) return null;
  return symbols;
}

/** The display form: groups of GROUP symbols joined by dashes. */
export function formatPairingCode(normalized: string): string {
  return normalized.match(new RegExp(`.{1,${GROUP}}`, 'g'))?.join('-') ?? normalized;
}
