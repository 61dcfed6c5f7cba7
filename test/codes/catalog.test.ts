import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import raw from '../../probes/codes/catalog.json' with { type: 'json' };
import { allCodes, loadCatalog, lookupCode, lookupDecimal } from '../../probes/codes/index.ts';
import { ConfigError } from '../../probes/config-error.ts';

const REQUIRED = [
  'CAA20002',
  'CAA20003',
  'CAA20004',
  'CAA2000B',
  'CAA2000C',
  'CAA5004B',
  'CAA50021',
  'CAA70004',
  'CAA70007',
  'CAA7000A',
  'CAA70010',
  'CAA301F7',
  'CAA30197',
  'CAA82EE2',
  'CAA82EE7',
  'CAA82F86',
  'CAA82F87',
  'CAA82F94',
  'CAA82F8F',
  'CAA82F17',
  'CAA90018',
  '80080300',
];

describe('code catalog', () => {
  test('lists every code the bot must explain, each with meaning, source, category and checks', () => {
    for (const code of REQUIRED) {
      const entry = lookupCode(code);
      assert.ok(entry, `${code} is missing from the catalog`);
      assert.equal(entry.code, code);
      assert.equal(entry.hex, `0x${code}`);
      assert.ok(entry.meaning.length > 20, `${code} needs a meaning in plain words`);
      assert.match(
        entry.source,
        /Microsoft|winerror|wiki/,
        `${code} must name the document its meaning comes from`,
      );
      assert.ok(entry.checks.length > 0, `${code} must say which checks apply`);
    }
  });

  test('CAA20004 is access denied: Conditional Access and device state as well as the network ladder', () => {
    const entry = lookupCode('CAA20004');
    assert.equal(entry?.name, 'ERROR_ADAL_SERVER_ERROR_ACCESS_DENIED');
    assert.equal(entry?.category, 'conditional_access');
    assert.match(entry?.meaning ?? '', /needs approval from your organisation's sign-in rules/);
    for (const kind of ['device', 'broker', 'dns', 'tcp', 'tls', 'https', 'proxy', 'clock'] as const) {
      assert.ok(entry?.checks.includes(kind), `CAA20004 must check ${kind}`);
    }
    assert.equal(entry?.facility, 'AA2');
  });

  test('network codes of facilities AA7 and AA8 point at the network checks, not at the device', () => {
    assert.equal(lookupCode('CAA82EE7')?.category, 'dns');
    assert.equal(lookupCode('CAA82EE2')?.category, 'timeout');
    assert.equal(lookupCode('CAA7000A')?.category, 'timeout');
    assert.equal(lookupCode('CAA70004')?.category, 'proxy');
    assert.equal(lookupCode('CAA30197')?.category, 'proxy');
    assert.equal(lookupCode('CAA82F8F')?.category, 'tls');
    assert.ok(lookupCode('CAA82F8F')?.checks.includes('clock'));
    assert.deepEqual(lookupCode('80080300')?.checks, ['broker']);
  });

  test('AA8 codes carry the WinINet/WinHTTP number in their low bits, and the source says which', () => {
    const aa8 = allCodes().filter((e) => e.facility === 'AA8');
    assert.ok(aa8.length >= 10);
    for (const entry of aa8) {
      const low = Number.parseInt(entry.code.slice(4), 16);
      assert.ok(
        low >= 12000 && low < 12200,
        `${entry.code}: 0x${entry.code.slice(4)} is not a 12000-series error`,
      );
      assert.ok(
        entry.source.includes(`= ${low} `),
        `${entry.code}: the source must state the derived number ${low}`,
      );
      assert.match(entry.name ?? '', /^ERROR_ADAL_INTERNET_/);
    }
  });

  test('AA3 codes carry the HTTP status in their low bits', () => {
    assert.match(lookupCode('CAA30197')?.source ?? '', /0x197 = 407/);
    assert.match(lookupCode('CAA301F7')?.source ?? '', /0x1F7 = 503/);
  });

  test('each entry knows its signed decimal form, and decimal lookups find it', () => {
    assert.equal(lookupCode('CAA82EE2')?.decimal, -894947614);
    assert.equal(lookupDecimal(-894947614)?.code, 'CAA82EE2');
    assert.equal(lookupDecimal(-2146958592)?.code, '80080300');
    assert.equal(lookupDecimal(-1), undefined);
  });

  test('an entry whose meaning is not documented says so', () => {
    const uncertain = allCodes().filter((e) => e.certainty === 'uncertain');
    assert.ok(uncertain.some((e) => e.code === 'CAA50021'));
    for (const entry of uncertain) assert.match(entry.meaning, /uncertain/i);
    assert.equal(lookupCode('CAA50021')?.name, null);
  });

  test('lookupCode accepts the forms people type and rejects everything else', () => {
    for (const form of ['caa20004', '0xCAA20004', '0xcaa20004', 'CAA 20004', 'CAA-20004', ' CAA20004 ']) {
      assert.equal(lookupCode(form)?.code, 'CAA20004', form);
    }
    assert.equal(lookupCode('0x80080300')?.code, '80080300');
    assert.equal(lookupCode('CAA2000'), undefined);
    assert.equal(lookupCode('CAA99999'), undefined);
    assert.equal(lookupCode('hello'), undefined);
  });
});

describe('loadCatalog rejects a broken catalog, naming the entry and what is accepted', () => {
  const good = raw as { sources: Record<string, string>; codes: Record<string, unknown>[] };
  const withEntry = (patch: Record<string, unknown>) => ({
    ...good,
    codes: [{ ...good.codes[0], ...patch }],
  });

  test('the shipped catalog loads', () => {
    assert.equal(loadCatalog(raw).size, good.codes.length);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    [
      'unknown category',
      withEntry({ category: 'weather' }),
      /codes\[0\] \(CAA20002\)\.category must be one of network/,
    ],
    ['unknown check', withEntry({ checks: ['dns', 'ping'] }), /\.checks must be an array of probe kinds/],
    ['code with 0x', withEntry({ code: '0xCAA20002' }), /codes\[0\]\.code must be 8 upper-case hex digits/],
    ['unknown source key', withEntry({ sources: ['nowhere'] }), /\.sources\[0\] must be a key of "sources"/],
    ['empty meaning', withEntry({ meaning: ' ' }), /\.meaning must be a non-empty string/],
    [
      'uncertain but says nothing',
      withEntry({ certainty: 'uncertain' }),
      /'uncertain' when certainty is uncertain/,
    ],
    [
      'bad certainty',
      withEntry({ certainty: 'sure' }),
      /\.certainty must be documented, derived or uncertain/,
    ],
    [
      'duplicate code',
      { ...good, codes: [good.codes[0], good.codes[0]] },
      /codes\[1\]\.code must be a code listed once/,
    ],
    ['no codes array', { sources: {} }, /codes must be an array/],
  ];
  for (const [name, input, message] of cases) {
    test(name, () => {
      assert.throws(
        () => loadCatalog(input),
        (err: unknown) =>
          err instanceof ConfigError &&
          err.code === 'code_catalog_invalid' &&
          /^code catalog \(probes\/codes\/catalog\.json\): /.test(err.message) &&
          message.test(err.message),
      );
    });
  }
});
