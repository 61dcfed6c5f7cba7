/**
 * Result codes that explain themselves (issue 14): what to tell a person whose typed result code
 * does not decode. A typo names the group to re-read (found by trying the characters people
 * confuse when copying from a screen); something that is not a result code at all says so, and
 * where the real one comes from.
 */
import { normalizePairingCode } from '../../probes/agent/pairing-code.ts';
import { ALPHABET, decodeResultCode, ResultCodeError } from '../../probes/result-code.ts';

/** Where a result code comes from, said once wherever one is wrong. */
export const WHERE_FROM =
  'The Reconnect agent prints it on the affected computer when that computer cannot reach this chat: four groups like RC1-7K3M-9QXT-2A.';

/** Characters that look alike on a screen (Crockford already reads O as 0 and I, L as 1). */
const LOOK_ALIKE: readonly string[] = [
  '0DQ',
  '17JT',
  '2Z',
  '5S',
  '6G',
  '8B3',
  'VY',
  'MNW',
  'KX',
  'EF',
  'PR',
  'CG',
];
/** The display groups (RC1-XXXX-XXXX-XC) by symbol position. */
const GROUPS: readonly [number, number][] = [
  [0, 3],
  [3, 7],
  [7, 11],
  [11, 13],
];
const GROUP_NAME = ['first', 'second', 'third', 'last'];

function decodes(symbols: string): boolean {
  try {
    decodeResultCode(symbols);
    return true;
  } catch {
    return false;
  }
}

/**
 * The groups in which one look-alike character (or two neighbours swapped) turns `symbols`
 * into a code that decodes: where the typo most likely is. Empty when no such change is found.
 */
export function typoGroups(symbols: string): number[] {
  const found = new Set<number>();
  const groupOf = (i: number) => GROUPS.findIndex(([a, b]) => i >= a && i < b);
  for (let i = 3; i < symbols.length; i++) {
    const alike = LOOK_ALIKE.find((set) => set.includes(symbols[i])) ?? '';
    for (const c of alike) {
      if (c === symbols[i]) continue;
      if (decodes(symbols.slice(0, i) + c + symbols.slice(i + 1))) found.add(groupOf(i));
    }
    if (i + 1 < symbols.length && symbols[i] !== symbols[i + 1]) {
      const swapped = symbols.slice(0, i) + symbols[i + 1] + symbols[i] + symbols.slice(i + 2);
      if (decodes(swapped)) {
        found.add(groupOf(i));
        found.add(groupOf(i + 1));
      }
    }
  }
  return [...found].sort();
}

const compact = (text: string) =>
  text.replace(/[\s-]/g, '').toUpperCase().replace(/[IL]/g, '1').replace(/O/g, '0');

/** The reply to a typed result code that does not decode: what is wrong and what to do. */
export function explainResultCode(typed: string, error: ResultCodeError): string {
  const symbols = compact(typed);
  if (error.code === 'checksum') {
    const groups = typoGroups(symbols);
    const shown = (g: number) => `"${symbols.slice(GROUPS[g][0], GROUPS[g][1])}"`;
    const where =
      groups.length === 1
        ? `, most likely in the ${GROUP_NAME[groups[0]]} group (${shown(groups[0])})`
        : groups.length > 1 && groups.length < 4
          ? `, most likely in the ${groups.map((g) => GROUP_NAME[g]).join(' or the ')} group`
          : '';
    return `This result code has a typo${where}. Compare it with the computer's screen (0 and D, 5 and S, 8 and B look alike) and type it again; nothing has changed yet.`;
  }
  if (error.code === 'version' || error.code === 'unknown_finding')
    return `This result code comes from a newer Reconnect agent than this bot understands. Please ask your IT help desk to update the bot, or choose "Continue manually" on the card above.`;
  return `That is not a whole result code: ${error.message}. ${WHERE_FROM}`;
}

/**
 * A message that looks like an attempt at a result code without being one (`RC1-7K3M`), or a
 * pairing code typed into the chat: the reply, or undefined for anything else.
 */
export function notAResultCode(text: string): string | undefined {
  const t = text.trim();
  const symbols = compact(t);
  if (
    /^RC\s*-?\s*\d[0-9A-Z\s-]{0,30}$/i.test(t) &&
    symbols.length !== 13 &&
    [...symbols].every((c) => ALPHABET.includes(c))
  )
    return `That is not a whole result code: it has ${symbols.length} of its 13 characters. ${WHERE_FROM}`;
  const pairing = /^[0-9A-Z]{5}-[0-9A-Z]{5}$/i.test(t) ? normalizePairingCode(t) : null;
  if (pairing)
    return 'That looks like a pairing code. It goes into the command on the affected computer, not into this chat. If the computer printed a code starting with RC1, type that one here.';
  return undefined;
}

export { ResultCodeError };
