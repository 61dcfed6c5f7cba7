import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FINDING_IDS, type FindingId } from '../../probes/findings.ts';
import {
  ALPHABET,
  checkSymbol,
  decodeResultCode,
  type EncodeInput,
  encodeResultCode,
  FINDING_BITS,
  ResultCodeError,
  type Verdict,
} from '../../probes/result-code.ts';

const DISPLAY = /^RC1-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$/;
const VERDICTS: Verdict[] = ['healthy', 'problems', 'inconclusive'];

function rejects(code: string, expected: ResultCodeError['code'], message?: RegExp) {
  assert.throws(
    () => decodeResultCode(code),
    (err: unknown) =>
      err instanceof ResultCodeError &&
      err.code === expected &&
      (message === undefined || message.test(err.message)),
    `${code} should be rejected with ${expected}`,
  );
}

/** A code body with chosen payload bits, built independently of the encoder (the layout in the file's header). */
function craft(payload: bigint, prefix = 'RC1'): string {
  let data = '';
  for (let i = 8; i >= 0; i--) data += ALPHABET[Number((payload >> BigInt(5 * i)) & 31n)];
  const body = prefix + data;
  return body + checkSymbol(body);
}

describe('result code round trips', () => {
  test('every finding id alone, under every verdict, in at most 16 characters', () => {
    for (const verdict of VERDICTS) {
      for (const id of FINDING_IDS) {
        const code = encodeResultCode({ verdict, findings: [{ id }] });
        assert.match(code, DISPLAY);
        assert.ok(code.length <= 16);
        assert.deepEqual(decodeResultCode(code), { verdict, findings: [{ id }] });
      }
    }
  });

  test('no findings, and all findings at once', () => {
    assert.deepEqual(decodeResultCode(encodeResultCode({ verdict: 'healthy', findings: [] })), {
      verdict: 'healthy',
      findings: [],
    });
    const all = FINDING_IDS.map((id) => ({ id }));
    assert.deepEqual(
      decodeResultCode(encodeResultCode({ verdict: 'problems', findings: all })).findings,
      all,
    );
  });

  const factCases: Array<[FindingId, Record<string, unknown>, string]> = [
    ['tls.untrusted', { reason: 'unknown_ca', issuer: 'Contoso CA' }, 'unknown_ca'],
    ['tls.untrusted', { reason: 'expired' }, 'expired'],
    ['tls.untrusted', { reason: 'not_yet_valid' }, 'not_yet_valid'],
    ['tls.untrusted', { reason: 'hostname_mismatch' }, 'hostname_mismatch'],
    ['firewall.blocked', { mode: 'dropped', hosts: ['a'] }, 'dropped'],
    ['firewall.blocked', { mode: 'refused' }, 'refused'],
    ['firewall.blocked', { mode: 'mixed' }, 'mixed'],
    ['dns.system_failed', { reason: 'nxdomain' }, 'nxdomain'],
    ['dns.system_failed', { reason: 'servfail' }, 'servfail'],
    ['dns.system_failed', { code: 'dns_timeout' }, 'timeout'],
    ['dns.system_failed', { reason: 'ETIMEOUT' }, 'timeout'],
    ['dns.system_failed', { reason: 'dns_refused' }, 'refused'],
    ['dns.system_failed', { reason: ['ENOTFOUND'] }, 'nxdomain'],
    ['clock.skew', { offsetSeconds: 90 }, 'behind_lt_5m'],
    ['clock.skew', { offsetSeconds: 299 }, 'behind_lt_5m'],
    ['clock.skew', { offsetSeconds: 300 }, 'behind_5m_1h'],
    ['clock.skew', { offsetSeconds: 3599 }, 'behind_5m_1h'],
    ['clock.skew', { offsetSeconds: 7200 }, 'behind_1h_1d'],
    ['clock.skew', { offsetSeconds: 5 * 86_400 }, 'behind_1d_30d'],
    ['clock.skew', { offsetSeconds: 400 * 86_400 }, 'behind_gt_30d'],
    ['clock.skew', { offsetSeconds: -120 }, 'ahead_lt_5m'],
    ['clock.skew', { offset: -900 }, 'ahead_5m_1h'],
    ['clock.skew', { offsetSeconds: -86_399 }, 'ahead_1h_1d'],
    ['clock.skew', { offsetSeconds: -86_400 }, 'ahead_1d_30d'],
    ['clock.skew', { offsetSeconds: -3e9 }, 'ahead_gt_30d'],
  ];
  for (const [id, facts, factClass] of factCases) {
    test(`${id} ${JSON.stringify(facts)} → ${factClass}`, () => {
      const decoded = decodeResultCode(encodeResultCode({ verdict: 'problems', findings: [{ id, facts }] }));
      assert.deepEqual(decoded.findings, [{ id, factClass }]);
    });
  }

  test('facts that fit no class leave the class out rather than guessing', () => {
    const findings = [
      { id: 'tls.untrusted', facts: { reason: 'self_signed' } },
      { id: 'clock.skew', facts: { offsetSeconds: 'a lot' } },
      { id: 'dns.system_failed', facts: {} },
      { id: 'firewall.blocked' },
    ];
    assert.deepEqual(decodeResultCode(encodeResultCode({ verdict: 'problems', findings })).findings, [
      { id: 'dns.system_failed' },
      { id: 'firewall.blocked' },
      { id: 'tls.untrusted' },
      { id: 'clock.skew' },
    ]);
  });

  test('all fact classes together with every other finding', () => {
    const input: EncodeInput = {
      verdict: 'problems',
      findings: FINDING_IDS.map((id) => ({
        id,
        facts: {
          reason: id === 'tls.untrusted' ? 'hostname_mismatch' : 'servfail',
          mode: 'refused',
          offsetSeconds: -4000,
        },
      })),
    };
    const byId = new Map(decodeResultCode(encodeResultCode(input)).findings.map((f) => [f.id, f.factClass]));
    assert.equal(byId.size, FINDING_IDS.length);
    assert.equal(byId.get('tls.untrusted'), 'hostname_mismatch');
    assert.equal(byId.get('dns.system_failed'), 'servfail');
    assert.equal(byId.get('firewall.blocked'), 'refused');
    assert.equal(byId.get('clock.skew'), 'ahead_1h_1d');
    assert.equal(byId.get('vpn.active'), undefined);
  });

  test('decoding tolerates case, spaces, missing dashes and Crockford look-alikes', () => {
    const code = encodeResultCode({ verdict: 'healthy', findings: [] });
    assert.equal(code, 'RC1-0000-0000-0M');
    for (const typed of [
      'rc1-0000-0000-0m',
      'RC1 0000 0000 0M',
      'RC100000000 0M',
      'rcl-oooo-OOOO-om',
      ' Rc1-0O0o-0000-0m ',
    ]) {
      assert.deepEqual(decodeResultCode(typed), { verdict: 'healthy', findings: [] }, typed);
    }
  });
});

describe('the check character', () => {
  // A spread of codes: each finding alone, pairs, facts, all verdicts.
  const sample: string[] = [];
  VERDICTS.forEach((verdict, v) => {
    FINDING_IDS.forEach((id, i) => {
      const next = FINDING_IDS[(i + v + 1) % FINDING_IDS.length];
      sample.push(encodeResultCode({ verdict, findings: [{ id }, { id: next }] }));
    });
  });
  sample.push(encodeResultCode({ verdict: 'problems', findings: FINDING_IDS.map((id) => ({ id })) }));

  test('catches every single-character substitution at every position (exhaustive over the sample)', () => {
    let tried = 0;
    for (const code of sample) {
      const symbols = code.replaceAll('-', '');
      for (let pos = 0; pos < symbols.length; pos++) {
        for (const replacement of ALPHABET) {
          if (replacement === symbols[pos]) continue;
          const typo = symbols.slice(0, pos) + replacement + symbols.slice(pos + 1);
          rejects(typo, 'checksum');
          tried++;
        }
      }
    }
    assert.equal(tried, sample.length * 13 * 31);
  });

  test('catches every swap of two adjacent different characters (exhaustive over the sample)', () => {
    let tried = 0;
    for (const code of sample) {
      const symbols = code.replaceAll('-', '');
      for (let pos = 0; pos + 1 < symbols.length; pos++) {
        if (symbols[pos] === symbols[pos + 1]) continue;
        rejects(symbols.slice(0, pos) + symbols[pos + 1] + symbols[pos] + symbols.slice(pos + 2), 'checksum');
        tried++;
      }
    }
    assert.ok(tried > sample.length * 5, `only ${tried} swaps tried`);
  });

  test('holds for any 12 symbols, not only encoder output: every substitution and adjacent swap of random bodies', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % 32;
    };
    for (let n = 0; n < 200; n++) {
      const body = Array.from({ length: 12 }, () => ALPHABET[random()]).join('');
      const full = body + checkSymbol(body);
      for (let pos = 0; pos < 13; pos++) {
        for (const c of ALPHABET) {
          if (c === full[pos]) continue;
          const typo = full.slice(0, pos) + c + full.slice(pos + 1);
          assert.notEqual(checkSymbol(typo.slice(0, 12)), typo[12], `substitution at ${pos} of ${full}`);
        }
        if (pos < 12 && full[pos] !== full[pos + 1]) {
          const swapped = full.slice(0, pos) + full[pos + 1] + full[pos] + full.slice(pos + 2);
          assert.notEqual(checkSymbol(swapped.slice(0, 12)), swapped[12], `swap at ${pos} of ${full}`);
        }
      }
    }
  });
});

describe('malformed result codes are rejected with what is accepted', () => {
  test('wrong length', () => {
    rejects('RC1-0000-0000', 'format', /13 characters plus dashes \(RC1-XXXX-XXXX-XX\); this one has 11/);
    rejects('', 'format', /this one has 0/);
  });

  test('a character outside the alphabet', () => {
    rejects(
      'RC1-0000-00U0-0M',
      'format',
      /"U" \(character 10\) is not used in result codes; they use 0-9 and A-Z without I, L, O, U/,
    );
    rejects('RC1-0000-0000-0*', 'format', /"\*"/);
  });

  test('a different marker with a valid check character', () => {
    rejects(craft(0n, 'XC1'), 'format', /starts with "RC"/);
  });

  test('a newer version', () => {
    rejects(craft(0n, 'RC2'), 'version', /version 2 is not understood here \(this bot reads version 1\)/);
  });

  test('a finding bit beyond the table', () => {
    rejects(craft(1n << BigInt(FINDING_BITS.length)), 'unknown_finding', /does not know yet/);
    rejects(craft(1n << 30n), 'unknown_finding');
  });

  test('an unused verdict value', () => {
    rejects(craft(3n << 43n), 'format', /verdict/);
  });

  test('a fact class without its finding, or outside its classes', () => {
    rejects(craft(2n << 40n), 'format', /tls\.untrusted detail/); // tls reason set, finding bit clear
    const tlsBit = 1n << BigInt(FINDING_BITS.indexOf('tls.untrusted'));
    rejects(craft((5n << 40n) | tlsBit), 'format'); // reason 5 does not exist
    const clockBit = 1n << BigInt(FINDING_BITS.indexOf('clock.skew'));
    rejects(craft((8n << 34n) | clockBit), 'format'); // "behind" with an unknown magnitude
    assert.equal(decodeResultCode(craft((2n << 40n) | tlsBit)).findings[0].factClass, 'expired');
  });

  test('encoding refuses an unknown finding id or verdict', () => {
    assert.throws(
      () => encodeResultCode({ verdict: 'problems', findings: [{ id: 'printer.jammed' }] }),
      (err: unknown) =>
        err instanceof ResultCodeError &&
        err.code === 'unknown_finding' &&
        /printer\.jammed/.test(err.message),
    );
    assert.throws(
      () => encodeResultCode({ verdict: 'fine' as Verdict, findings: [] }),
      (err: unknown) => err instanceof ResultCodeError && err.code === 'format',
    );
  });
});

describe('the finding bit table', () => {
  test('gives every finding id of CONTRACTS.md a bit, each once', () => {
    for (const id of FINDING_IDS)
      assert.ok(FINDING_BITS.includes(id), `${id} has no bit: append it to FINDING_BITS`);
    assert.equal(new Set(FINDING_BITS).size, FINDING_BITS.length);
  });

  test('keeps the positions codes already in users’ hands depend on (append only)', () => {
    assert.deepEqual(FINDING_BITS.slice(0, 18), [
      'network.offline',
      'dns.system_failed',
      'dns.all_failed',
      'dns.hijacked',
      'firewall.blocked',
      'proxy.unreachable',
      'proxy.auth_required',
      'proxy.websocket_blocked',
      'tls.inspection',
      'tls.untrusted',
      'tls.handshake_failed',
      'clock.skew',
      'service.unavailable',
      'media.udp_blocked',
      'credentials.cache_present',
      'device.not_registered',
      'broker.unhealthy',
      'vpn.active',
    ]);
    assert.ok(FINDING_BITS.length <= 31, 'v1 has 31 finding bits');
  });
});
