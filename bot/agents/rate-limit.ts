/**
 * Token buckets for failed pairing redeems and failed agent logins: one per source address and
 * one for everything, so neither one busy attacker nor many slow ones can try more than the
 * bound that the guess-chance test computes. The clock is injected.
 *
 * The fresh lane (issue 16, defect 8): when guessers from many addresses have emptied the
 * overall bucket, a source that has not failed lately (its own bucket is full) still gets a try
 * from a second overall bucket, so a person with a live code can pair during a flood. Using it
 * empties the source's own bucket until the try is refunded (it succeeded): a guesser's address
 * is fresh again only after a full refill (5 minutes at the pairing defaults). Both overall
 * buckets bound the guesses: at most maxAttempts(overall) + maxAttempts(fresh) per window.
 */

export interface BucketSpec {
  /** Tokens a full bucket holds: the burst. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSec: number;
}

export interface LimiterSpec {
  perSource: BucketSpec;
  overall: BucketSpec;
  /** The fresh lane: tries for sources without recent failures once `overall` is empty. */
  fresh?: BucketSpec;
  /** Sources tracked at once; beyond it, new sources share the overall bucket only after a prune. */
  maxSources?: number;
}

interface Bucket {
  tokens: number;
  at: number;
  /** Set while this source's last try came from the fresh lane: what a refund gives back. */
  freshFrom?: number;
}

export interface Limiter {
  /**
   * Takes one token from the source's bucket and the overall one (or, for a source without
   * recent failures, the fresh lane); false when they are empty. A promise from the shared
   * (Redis) limiter of several replicas.
   */
  take(source: string): boolean | Promise<boolean>;
  /** Gives the token back (the attempt succeeded, so it does not count as a failure). */
  refund(source: string): void | Promise<void>;
}

/** The most attempts `spec` lets through in `windowMs`: a full burst, then the refill rate. */
export function maxAttempts(spec: BucketSpec, windowMs: number): number {
  return spec.capacity + Math.floor((spec.refillPerSec * windowMs) / 1000);
}

/** The most attempts a limiter lets through in `windowMs`, from any number of sources. */
export function maxLimiterAttempts(spec: LimiterSpec, windowMs: number): number {
  return maxAttempts(spec.overall, windowMs) + (spec.fresh ? maxAttempts(spec.fresh, windowMs) : 0);
}

/** The in-process limiter (one replica); bot/cluster/redis-limiter.ts shares the buckets across replicas. */
export function createLimiter(
  spec: LimiterSpec,
  now: () => number = Date.now,
): { take(source: string): boolean; refund(source: string): void } {
  const maxSources = spec.maxSources ?? 10_000;
  const sources = new Map<string, Bucket>();
  const overall: Bucket = { tokens: spec.overall.capacity, at: now() };
  const fresh: Bucket = { tokens: spec.fresh?.capacity ?? 0, at: now() };

  const refill = (b: Bucket, s: BucketSpec, t: number) => {
    b.tokens = Math.min(s.capacity, b.tokens + ((t - b.at) / 1000) * s.refillPerSec);
    b.at = t;
  };

  const prune = (t: number) => {
    // A bucket that has refilled to capacity is the same as no bucket.
    for (const [key, b] of sources) {
      refill(b, spec.perSource, t);
      if (b.tokens >= spec.perSource.capacity) sources.delete(key);
    }
  };

  return {
    take(source) {
      const t = now();
      refill(overall, spec.overall, t);
      let b = sources.get(source);
      if (b === undefined) {
        if (sources.size >= maxSources) prune(t);
        if (sources.size >= maxSources) return false;
        b = { tokens: spec.perSource.capacity, at: t };
        sources.set(source, b);
      } else refill(b, spec.perSource, t);
      if (b.tokens < 1) return false;
      if (overall.tokens >= 1) {
        b.tokens -= 1;
        overall.tokens -= 1;
        delete b.freshFrom;
        return true;
      }
      if (spec.fresh === undefined || b.tokens < spec.perSource.capacity) return false;
      refill(fresh, spec.fresh, t);
      if (fresh.tokens < 1) return false;
      fresh.tokens -= 1;
      b.freshFrom = b.tokens;
      b.tokens = 0;
      return true;
    },
    refund(source) {
      const b = sources.get(source);
      if (b?.freshFrom !== undefined) {
        b.tokens = b.freshFrom;
        delete b.freshFrom;
        fresh.tokens = Math.min(spec.fresh?.capacity ?? 0, fresh.tokens + 1);
        return;
      }
      if (b) b.tokens = Math.min(spec.perSource.capacity, b.tokens + 1);
      overall.tokens = Math.min(spec.overall.capacity, overall.tokens + 1);
    },
  };
}

/**
 * One connection's message budget (issue 16): a burst of twice `perSec`, then `perSec`. Returns
 * the function that takes one message from it; false when it is spent.
 */
export function messageBudget(perSec: number, now: () => number): () => boolean {
  let tokens = 2 * perSec;
  let at = now();
  return () => {
    const t = now();
    tokens = Math.min(2 * perSec, tokens + ((t - at) / 1000) * perSec);
    at = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}
