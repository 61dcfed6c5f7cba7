/**
 * Pairing codes: CODE_SYMBOLS Crockford base32 symbols drawn from node:crypto, shown in
 * groups (`7K3M9-QXT4H`). The text rules (normalising what the user typed, grouping) are the
 * agent's, in probes/agent/pairing-code.ts, so both ends read a code the same way.
 */
import { randomInt } from 'node:crypto';
import { CODE_ALPHABET, formatPairingCode, normalizePairingCode } from '../../probes/agent/pairing-code.ts';

/** Symbols per code; each carries 5 bits. */
export const CODE_SYMBOLS = 10;
/** Entropy of a code: 50 bits (DESIGN.md asks for at least 40). */
export const CODE_BITS = CODE_SYMBOLS * Math.log2(CODE_ALPHABET.length);

export interface MintedCode {
  /** Canonical form, the store's key. */
  code: string;
  /** What the chat shows. */
  display: string;
}

/** A fresh code; `pick` is crypto.randomInt (a CSPRNG, uniform without modulo bias). */
export function mintCode(pick: (max: number) => number = randomInt): MintedCode {
  let code = '';
  for (let i = 0; i < CODE_SYMBOLS; i++) code += CODE_ALPHABET[pick(CODE_ALPHABET.length)];
  return { code, display: formatPairingCode(code) };
}

/** The canonical form of what an agent sent, or null when it cannot be one of our codes. */
export function readCode(input: string): string | null {
  const code = normalizePairingCode(input);
  return code !== null && code.length === CODE_SYMBOLS ? code : null;
}

export { formatPairingCode };
