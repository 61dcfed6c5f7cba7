/**
 * Pairing codes: format and entropy, a TTL of at most ten minutes, one redeem only (also under
 * concurrency), failed redeems limited per address and overall (injected clock), and the
 * chance of guessing a live code computed from the module's real constants.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CODE_BITS, CODE_SYMBOLS, mintCode, readCode } from '../../bot/agents/code.ts';
import {
  createPairing,
  guessChance,
  MAX_CODES_PER_WINDOW,
  MAX_LIVE_CODES,
  PAIRING_TTL_MS,
  pairingGuessChance,
  REDEEM_LIMITS,
} from '../../bot/agents/pairing.ts';
import { createLimiter, maxAttempts, maxLimiterAttempts } from '../../bot/agents/rate-limit.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { CODE_ALPHABET, formatPairingCode, normalizePairingCode } from '../../probes/agent/pairing-code.ts';

function clock(start = 1_800_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

function setup(options: Partial<Parameters<typeof createPairing>[0]> = {}) {
  const c = clock();
  const store = createMemoryStore({ now: c.now });
  const pairing = createPairing({ store, now: c.now, ...options });
  return { c, store, pairing };
}

describe('code format and entropy', () => {
  test('codes carry at least 40 bits, in Crockford base32, shown in groups', () => {
    assert.ok(CODE_BITS >= 40, `${CODE_BITS} bits`);
    const { code, display } = mintCode();
    assert.match(code, new RegExp(`^[${CODE_ALPHABET}]{${CODE_SYMBOLS}}$`));
    assert.match(display, /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    assert.equal(display.replace('-', ''), code);
  });

  test('symbols are uniform: a chi-square test over 20,000 codes', () => {
    const counts = new Array(32).fill(0);
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const { code } = mintCode();
      seen.add(code);
      for (const c of code) counts[CODE_ALPHABET.indexOf(c)]++;
    }
    assert.equal(seen.size, 20_000, 'no repeats among 20,000 codes of 50 bits');
    const expected = (20_000 * CODE_SYMBOLS) / 32;
    const chi2 = counts.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    // 31 degrees of freedom: the 99.99th percentile is about 67.
    assert.ok(chi2 < 67, `chi-square ${chi2.toFixed(1)} says the symbols are not uniform`);
  });

  test('what users type is read forgivingly, and only our length is accepted', () => {
    assert.equal(normalizePairingCode(' 7k3m9-qxt4h '), '7K3M9QXT4H');
    assert.equal(normalizePairingCode('ILO00-11111'), '1100011111');
    assert.equal(normalizePairingCode('7K3M9-QXT4U'), null, 'U is not Crockford');
    assert.equal(readCode('7K3M-9QXT'), null, 'eight symbols is not a code of ours');
    assert.equal(readCode('7K3M9-QXT4H'), '7K3M9QXT4H');
    assert.equal(formatPairingCode('7K3M9QXT4H'), '7K3M9-QXT4H');
  });
});

describe('issue and redeem through the store', () => {
  test('a code redeems once, for its session', async () => {
    const { pairing } = setup();
    const issued = await pairing.issue('session-1');
    const first = await pairing.redeem(issued.display.toLowerCase(), '10.0.0.1');
    assert.ok(first.ok);
    assert.equal(first.pairing.sessionId, 'session-1');
    assert.deepEqual(await pairing.redeem(issued.display, '10.0.0.1'), { ok: false, reason: 'redeemed' });
  });

  test('two concurrent redeems: exactly one wins', async () => {
    const { pairing } = setup();
    const { display } = await pairing.issue('session-1');
    const results = await Promise.all([pairing.redeem(display, 'a'), pairing.redeem(display, 'b')]);
    assert.equal(results.filter((r) => r.ok).length, 1);
    assert.deepEqual(
      results.find((r) => !r.ok),
      { ok: false, reason: 'redeemed' },
    );
  });

  test('a code lives at most ten minutes', async () => {
    assert.ok(PAIRING_TTL_MS <= 10 * 60_000);
    const { pairing, c } = setup({ ttlMs: 60 * 60_000 });
    const issued = await pairing.issue('s');
    assert.equal(issued.expiresAt - c.now(), PAIRING_TTL_MS, 'a longer TTL asked for is cut to ten minutes');
    c.advance(PAIRING_TTL_MS);
    assert.deepEqual(await pairing.redeem(issued.display, 'x'), { ok: false, reason: 'expired' });
  });

  test('unknown and malformed codes fail without naming a session', async () => {
    const { pairing } = setup();
    await pairing.issue('s');
    assert.deepEqual(await pairing.redeem('00000-00000', 'x'), { ok: false, reason: 'invalid_code' });
    assert.deepEqual(await pairing.redeem('not a code', 'x'), { ok: false, reason: 'invalid_code' });
  });

  test('minting stops at the live-code bound', async () => {
    const { pairing } = setup({ maxCodesPerWindow: 3 });
    for (let i = 0; i < 3; i++) await pairing.issue(`s${i}`);
    await assert.rejects(pairing.issue('s4'), { code: 'pairing_busy' });
  });
});

describe('rate limits on failed redeems', () => {
  test('one address gets its burst, then waits for the refill', async () => {
    const { pairing, c } = setup();
    const burst = REDEEM_LIMITS.perSource.capacity;
    for (let i = 0; i < burst; i++)
      assert.equal((await pairing.redeem('00000-00000', '203.0.113.9')).ok, false);
    assert.deepEqual(await pairing.redeem('00000-00000', '203.0.113.9'), {
      ok: false,
      reason: 'rate_limited',
    });
    // Even the right code is refused while the address is limited.
    const { display } = await pairing.issue('s');
    assert.deepEqual(await pairing.redeem(display, '203.0.113.9'), { ok: false, reason: 'rate_limited' });
    assert.ok((await pairing.redeem(display, '198.51.100.1')).ok, 'another address is not limited');
    c.advance(1000 / REDEEM_LIMITS.perSource.refillPerSec);
    assert.deepEqual(await pairing.redeem('00000-00000', '203.0.113.9'), {
      ok: false,
      reason: 'invalid_code',
    });
  });

  test('many addresses together empty the overall bucket; then only fresh addresses try, from the fresh lane', async () => {
    const { pairing } = setup();
    const overall = REDEEM_LIMITS.overall.capacity;
    for (let i = 0; i < overall; i++) await pairing.redeem('00000-00000', `198.51.100.${i}`);
    // An address that failed already waits; a fresh one still gets its try (defect 8).
    assert.deepEqual(await pairing.redeem('00000-00000', '198.51.100.0'), {
      ok: false,
      reason: 'rate_limited',
    });
    assert.deepEqual(await pairing.redeem('00000-00000', '192.0.2.1'), { ok: false, reason: 'invalid_code' });
    // Its failure used up its own bucket: no second try from the fresh lane.
    assert.deepEqual(await pairing.redeem('00000-00000', '192.0.2.1'), { ok: false, reason: 'rate_limited' });
    const fresh = REDEEM_LIMITS.fresh!.capacity;
    for (let i = 1; i < fresh; i++)
      await pairing.redeem('00000-00000', `192.0.${Math.floor(i / 250) + 3}.${i % 250}`);
    // Both overall buckets empty: the guess bound holds, even for fresh addresses.
    assert.deepEqual(await pairing.redeem('00000-00000', '203.0.113.77'), {
      ok: false,
      reason: 'rate_limited',
    });
  });

  test('defect 8: during a flood of wrong codes from 100 addresses a live code still pairs, and the bound holds', async () => {
    const { pairing, c } = setup();
    let lookups = 0;
    let paired = 0;
    const perSource = new Map<string, number>();
    // Every second of a code's lifetime, each of 100 addresses sends a wrong code; every 15 s a
    // person at a new address types a live one.
    for (let second = 0; second < PAIRING_TTL_MS / 1000; second++) {
      for (let a = 0; a < 100; a++) {
        const source = `198.18.0.${a}`;
        const result = await pairing.redeem('00000-00000', source);
        if (result.ok || result.reason !== 'rate_limited') {
          lookups++;
          perSource.set(source, (perSource.get(source) ?? 0) + 1);
        }
      }
      if (second % 15 === 14) {
        const { display } = await pairing.issue(`s${second}`);
        const result = await pairing.redeem(display, `192.0.2.${second % 250}`);
        assert.ok(result.ok, `the live code at ${second} s was refused: ${JSON.stringify(result)}`);
        paired++;
      }
      c.advance(1000);
    }
    assert.equal(paired, 40);
    // What the flood achieved, against the bound the guess chance is computed from.
    const bound = maxLimiterAttempts(REDEEM_LIMITS, PAIRING_TTL_MS);
    const perSourceBound = maxAttempts(REDEEM_LIMITS.perSource, PAIRING_TTL_MS);
    assert.ok(lookups <= bound, `${lookups} guesses in a TTL, bound ${bound}`);

    assert.ok(Math.max(...perSource.values()) <= perSourceBound);
  });

  test('a successful redeem does not use up the budget', async () => {
    const { pairing } = setup();
    for (let i = 0; i < REDEEM_LIMITS.perSource.capacity + 2; i++) {
      const { display } = await pairing.issue(`s${i}`);
      assert.ok((await pairing.redeem(display, '10.1.1.1')).ok);
    }
  });

  test('the limiter lets through exactly the computed maximum over a window', () => {
    const c = clock();
    const spec = {
      perSource: { capacity: 1000, refillPerSec: 1000 },
      overall: { capacity: 7, refillPerSec: 0.5 },
    };
    const limiter = createLimiter(spec, c.now);
    let allowed = 0;
    for (let second = 0; second < 60; second++) {
      for (let i = 0; i < 10; i++) if (limiter.take(`ip${i}`)) allowed++;
      c.advance(1000);
    }
    // 60 s: the burst at t=0, then refills at t=1..59 s (30 of them, 0.5 a second)
    assert.equal(allowed, 7 + Math.floor(0.5 * 59));
    assert.equal(maxAttempts(spec.overall, 60_000), 7 + 30);
  });
});

describe('the chance of guessing a live code', () => {
  test('from the real constants, it stays below one in a million over a code lifetime', () => {
    const attempts = maxLimiterAttempts(REDEEM_LIMITS, PAIRING_TTL_MS);
    assert.equal(MAX_LIVE_CODES, 2 * MAX_CODES_PER_WINDOW);
    const p = guessChance({ codeBits: CODE_BITS, liveCodes: MAX_LIVE_CODES, attempts });
    // Spelled out, so a change of any constant shows here: the overall bucket and the fresh lane,
    // (30 + 1200) + (300 + 1200) = 2730 guesses × 10,000 live codes / 2^50.
    const lane = (spec: { capacity: number; refillPerSec: number }) =>
      spec.capacity + (spec.refillPerSec * PAIRING_TTL_MS) / 1000;
    assert.equal(attempts, lane(REDEEM_LIMITS.overall) + lane(REDEEM_LIMITS.fresh!));
    assert.equal(attempts, 2730);
    assert.ok(p < 1e-6, `chance ${p}`);
    assert.equal(pairingGuessChance(), p);
    assert.ok(pairingGuessChance(10) < 1e-6, 'still below with ten replicas, each limiting on its own');
  });

  test('the bound is tight enough to matter: 40-bit codes would not pass', () => {
    const attempts = maxLimiterAttempts(REDEEM_LIMITS, PAIRING_TTL_MS);
    assert.ok(guessChance({ codeBits: 40, liveCodes: MAX_LIVE_CODES, attempts }) > 1e-6);
  });
});

describe('peek (the /go page)', () => {
  test('answers like redeem without using the code up, and counts against the same limit', async () => {
    const { pairing } = setup();
    const { display, code } = await pairing.issue('s');
    for (let i = 0; i < 10; i++) {
      const peeked = await pairing.peek(display.toLowerCase(), '203.0.113.7');
      assert.equal(peeked.ok && peeked.pairing.code, code, 'a live code peeks, again and again');
    }
    assert.deepEqual(await pairing.peek('not a code!', '203.0.113.7'), { ok: false, reason: 'invalid_code' });
    const burst = REDEEM_LIMITS.perSource.capacity;
    for (let i = 1; i < burst; i++) await pairing.peek('00000-00000', '203.0.113.7');
    // Wrong peeks and wrong redeems share the bucket: the guess bound covers both.
    assert.deepEqual(await pairing.redeem('00000-00000', '203.0.113.7'), {
      ok: false,
      reason: 'rate_limited',
    });
    assert.deepEqual(await pairing.peek(display, '203.0.113.7'), { ok: false, reason: 'rate_limited' });
    assert.ok((await pairing.redeem(display, '198.51.100.2')).ok, 'the peeks left the code to redeem');
    assert.deepEqual(await pairing.peek(display, '198.51.100.2'), { ok: false, reason: 'redeemed' });
  });
});
