/**
 * Pairing codes through the Store: minted from a CSPRNG, living PAIRING_TTL_MS, redeemed once
 * and atomically (store.pairing.redeem), with failed redeems rate-limited per source address
 * and overall. The constants below are the ones the security test multiplies out: the chance
 * that an attacker guesses any live code within a code's lifetime stays under 1e-6.
 */
import type { PairingCode, RedeemResult, Store } from '../store/types.ts';
import { CODE_BITS, mintCode, readCode } from './code.ts';
import { createLimiter, type Limiter, type LimiterSpec, maxLimiterAttempts } from './rate-limit.ts';

/** A code lives 10 minutes at most (DESIGN.md, Security model). */
export const PAIRING_TTL_MS = 10 * 60_000;

/**
 * Codes minted per TTL-long window, across replicas (a store counter). Windows are fixed, so
 * codes of the previous window may still live: at most twice this many are live at once.
 */
export const MAX_CODES_PER_WINDOW = 5000;
export const MAX_LIVE_CODES = 2 * MAX_CODES_PER_WINDOW;

/**
 * Failed redeems: 5 quick tries per address, then one a minute; 30 at once overall, then 2 a
 * second; and when a flood has emptied that, the fresh lane (rate-limit.ts) for addresses without
 * recent failures: 300 at once, then 2 a second. A flood from A addresses takes at most A fresh
 * tries at once and A / 300 a second after that (each address is fresh once per 5-minute
 * refill), so a live code still pairs while A stays under about 300 at once and 600 over time.
 */
export const REDEEM_LIMITS: LimiterSpec = {
  perSource: { capacity: 5, refillPerSec: 1 / 60 },
  overall: { capacity: 30, refillPerSec: 2 },
  fresh: { capacity: 300, refillPerSec: 2 },
};

/**
 * Upper bound (union bound) of the chance that `attempts` guesses hit any of `liveCodes`
 * uniformly drawn codes of `codeBits` bits.
 */
export function guessChance(input: { codeBits: number; liveCodes: number; attempts: number }): number {
  return (input.attempts * input.liveCodes) / 2 ** input.codeBits;
}

/**
 * The bound for this module's own constants. Replicas sharing Redis share one limiter (replicas 1);
 * only replicas with in-process limiters multiply the attempts.
 */
export function pairingGuessChance(replicas = 1): number {
  return guessChance({
    codeBits: CODE_BITS,
    liveCodes: MAX_LIVE_CODES,
    attempts: replicas * maxLimiterAttempts(REDEEM_LIMITS, PAIRING_TTL_MS),
  });
}

export type RedeemFailure = 'invalid_code' | 'expired' | 'redeemed' | 'rate_limited';

export type Redeemed = { ok: true; pairing: PairingCode } | { ok: false; reason: RedeemFailure };

export class PairingError extends Error {
  readonly code: 'pairing_busy' | 'pairing_collision';
  constructor(code: PairingError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

export interface PairingOptions {
  store: Pick<Store, 'pairing' | 'counters'>;
  now?: () => number;
  ttlMs?: number;
  limits?: LimiterSpec;
  maxCodesPerWindow?: number;
  /**
   * The redeem limiter; default in-process buckets of `limits`. Replicas pass one that keeps the
   * buckets in Redis (bot/cluster/redis-limiter.ts), so the bound holds for all of them together.
   */
  limiter?: Limiter;
  /** Injected CSPRNG pick (tests); crypto.randomInt by default. */
  pick?: (max: number) => number;
}

export interface Pairing {
  /** Mints and stores a code for the session. */
  issue(
    sessionId: string,
    data?: Record<string, unknown>,
  ): Promise<{ code: string; display: string; expiresAt: number }>;
  /** Redeems what an agent sent from `source` (its address). */
  redeem(input: string, source: string): Promise<Redeemed>;
  /**
   * What redeem would answer now, without using the code up (the /go page). It takes from the
   * same limiter as redeem: a peek is a guess too, so the guess bound covers both.
   */
  peek(input: string, source: string): Promise<Redeemed>;
  /** The limiter, shared with agent logins so secret guessing is bounded the same way. */
  readonly limiter: Limiter;
}

export function createPairing(options: PairingOptions): Pairing {
  const now = options.now ?? Date.now;
  const ttlMs = Math.min(options.ttlMs ?? PAIRING_TTL_MS, PAIRING_TTL_MS);
  const limiter = options.limiter ?? createLimiter(options.limits ?? REDEEM_LIMITS, now);
  const { store } = options;
  /** One rate-limited attempt at a code: redeem and peek differ only in what the store does. */
  const attempt = async (
    input: string,
    source: string,
    lookup: (code: string) => Promise<RedeemResult>,
  ): Promise<Redeemed> => {
    // The token is taken before the lookup, so concurrent guesses cannot overrun the bound.
    if (!(await limiter.take(source))) return { ok: false, reason: 'rate_limited' };
    const code = readCode(input);
    if (code === null) return { ok: false, reason: 'invalid_code' };
    const result = await lookup(code);
    if (!result.ok)
      return { ok: false, reason: result.reason === 'unknown' ? 'invalid_code' : result.reason };
    await limiter.refund(source);
    return { ok: true, pairing: result.pairing };
  };
  return {
    limiter,
    async issue(sessionId, data) {
      const minted = await store.counters.hit('pairing:minted', ttlMs);
      if (minted > (options.maxCodesPerWindow ?? MAX_CODES_PER_WINDOW)) {
        throw new PairingError(
          'pairing_busy',
          'too many pairing codes were asked for in the last minutes; try again shortly',
        );
      }
      // Collisions are astronomically rare at 50 bits; the store refuses a duplicate, so retry.
      for (let attempt = 0; attempt < 3; attempt++) {
        const { code, display } = mintCode(options.pick);
        try {
          const stored = await store.pairing.put({ code, sessionId, ttlMs, data });
          return { code, display, expiresAt: stored.expiresAt };
        } catch (err) {
          if (attempt === 2)
            throw new PairingError(
              'pairing_collision',
              `could not store a fresh pairing code: ${(err as Error).message}`,
            );
        }
      }
      throw new PairingError('pairing_collision', 'could not store a fresh pairing code');
    },
    redeem: (input, source) => attempt(input, source, (code) => store.pairing.redeem(code)),
    peek: (input, source) => attempt(input, source, (code) => store.pairing.peek(code)),
  };
}
