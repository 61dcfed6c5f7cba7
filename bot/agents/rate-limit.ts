/**
 * Token buckets for failed pairing redeems and failed agent logins: one per source address and
 * one for everything, so neither one busy attacker nor many slow ones can try more than the
 * bound that the guess-chance test computes. The clock is injected.
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
  /** Sources tracked at once; beyond it, new sources share the overall bucket only after a prune. */
  maxSources?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export interface Limiter {
  /** Takes one token from the source's bucket and the overall one; false when either is empty. */
  take(source: string): boolean | Promise<boolean>;
  /** Gives the token back (the attempt succeeded, so it does not count as a failure). */
  refund(source: string): void | Promise<void>;
}

/** The most attempts `spec` lets through in `windowMs`: a full burst, then the refill rate. */
export function maxAttempts(spec: BucketSpec, windowMs: number): number {
  return spec.capacity + Math.floor((spec.refillPerSec * windowMs) / 1000);
}

/** The in-process limiter (one replica); bot/cluster/redis-limiter.ts shares the buckets across replicas. */
export function createLimiter(
  spec: LimiterSpec,
  now: () => number = Date.now,
): { take(source: string): boolean; refund(source: string): void } {
  const maxSources = spec.maxSources ?? 10_000;
  const sources = new Map<string, Bucket>();
  const overall: Bucket = { tokens: spec.overall.capacity, at: now() };

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
      if (b.tokens < 1 || overall.tokens < 1) return false;
      b.tokens -= 1;
      overall.tokens -= 1;
      return true;
    },
    refund(source) {
      const b = sources.get(source);
      if (b) b.tokens = Math.min(spec.perSource.capacity, b.tokens + 1);
      overall.tokens = Math.min(spec.overall.capacity, overall.tokens + 1);
    },
  };
}
