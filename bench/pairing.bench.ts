/**
 * npm run bench:pairing (issue 16, "pairing under attack, measured"): the guess rate a flood of
 * wrong pairing codes actually achieves, per source and overall, from many sources at once,
 * against the bound the guess-chance test computes; and whether a person with a live code can
 * still pair during the flood. Side by side: the limits before issue 16 (no fresh lane: the
 * baseline) and now.
 *
 * Each run covers one code lifetime (10 minutes) on an injected clock: every second each of N
 * attacking addresses sends a wrong code (all N at once, concurrently), and every 15 s a person
 * at a new address redeems a live code. The store is the real memory store; redeem is the real
 * bot/agents/pairing.ts. Nothing leaves the process.
 */

import { CODE_BITS } from '../bot/agents/code.ts';
import {
  createPairing,
  guessChance,
  MAX_LIVE_CODES,
  PAIRING_TTL_MS,
  REDEEM_LIMITS,
} from '../bot/agents/pairing.ts';
import { type LimiterSpec, maxAttempts, maxLimiterAttempts } from '../bot/agents/rate-limit.ts';
import { createMemoryStore } from '../bot/store/memory.ts';

const BASELINE: LimiterSpec = { perSource: REDEEM_LIMITS.perSource, overall: REDEEM_LIMITS.overall };

interface Figures {
  guesses: number;
  maxPerSource: number;
  paired: number;
  tried: number;
}

async function flood(limits: LimiterSpec, sources: number): Promise<Figures> {
  let t = 1_800_000_000_000;
  const now = () => t;
  const store = createMemoryStore({ now });
  const pairing = createPairing({ store, now, limits, maxCodesPerWindow: 1_000_000 });
  const perSource = new Map<string, number>();
  let guesses = 0;
  let paired = 0;
  let tried = 0;
  for (let second = 0; second < PAIRING_TTL_MS / 1000; second++) {
    const results = await Promise.all(
      Array.from({ length: sources }, (_, a) => pairing.redeem('00000-00000', `198.18.${a >> 8}.${a & 255}`)),
    );
    results.forEach((r, a) => {
      if (!r.ok && r.reason === 'rate_limited') return;
      guesses++;
      perSource.set(String(a), (perSource.get(String(a)) ?? 0) + 1);
    });
    if (second % 15 === 14) {
      tried++;
      const { display } = await pairing.issue(`s${second}`);
      if ((await pairing.redeem(display, `192.0.${second >> 8}.${second & 255}`)).ok) paired++;
    }
    t += 1000;
  }
  await store.close();
  return { guesses, maxPerSource: Math.max(0, ...perSource.values()), paired, tried };
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
console.log('pairing under attack: one code lifetime (600 s), N addresses each guessing every second');
console.log(
  `${pad('N', 5)} | ${pad('guesses base', 12)} ${pad('now', 6)} | ${pad('max/src base', 12)} ${pad('now', 4)} | ${pad('live codes paired base', 22)} ${pad('now', 7)}`,
);
for (const n of [10, 100, 300, 1000]) {
  const [base, now] = [await flood(BASELINE, n), await flood(REDEEM_LIMITS, n)];
  console.log(
    `${pad(n, 5)} | ${pad(base.guesses, 12)} ${pad(now.guesses, 6)} | ${pad(base.maxPerSource, 12)} ${pad(now.maxPerSource, 4)} | ${pad(`${base.paired}/${base.tried}`, 22)} ${pad(`${now.paired}/${now.tried}`, 7)}`,
  );
}
const bound = maxLimiterAttempts(REDEEM_LIMITS, PAIRING_TTL_MS);
const baseBound = maxLimiterAttempts(BASELINE, PAIRING_TTL_MS);
console.log(
  `bounds per lifetime: overall ${baseBound} (base) ${bound} (now), per source ${maxAttempts(REDEEM_LIMITS.perSource, PAIRING_TTL_MS)}; ` +
    `guess chance at the bound with ${MAX_LIVE_CODES} live ${CODE_BITS}-bit codes: ` +
    `${guessChance({ codeBits: CODE_BITS, liveCodes: MAX_LIVE_CODES, attempts: baseBound }).toExponential(2)} (base) ` +
    `${guessChance({ codeBits: CODE_BITS, liveCodes: MAX_LIVE_CODES, attempts: bound }).toExponential(2)} (now)`,
);
