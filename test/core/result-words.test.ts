/**
 * Issue 14, "Result codes that explain themselves": a typo names the group to re-read, a
 * string that is not a result code says so and where the real one comes from, a pairing code
 * typed into the chat is recognised as one; through the core, none of them moves the session.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainResultCode, notAResultCode, typoGroups } from '../../bot/core/result-words.ts';
import {
  decodeResultCode,
  encodeResultCode,
  FINDING_BITS,
  ResultCodeError,
} from '../../probes/result-code.ts';
import { Walk } from './walk.ts';

const LOOK_ALIKE = ['0DQ', '17JT', '2Z', '5S', '6G', '8B3', 'VY', 'MNW', 'KX', 'EF', 'PR', 'CG'];
const GROUPS = [
  [0, 3],
  [3, 7],
  [7, 11],
  [11, 13],
];
const NAMES = ['first', 'second', 'third', 'last'];

function errorOf(code: string): ResultCodeError {
  try {
    decodeResultCode(code);
  } catch (e) {
    if (e instanceof ResultCodeError) return e;
  }
  throw new Error(`${code} decodes`);
}

test('a look-alike typo names the group it is in (every finding, every position)', () => {
  let cases = 0;
  let exact = 0;
  for (const id of FINDING_BITS) {
    const symbols = encodeResultCode({ verdict: 'problems', findings: [{ id }] }).replace(/-/g, '');
    for (let i = 3; i < 13; i++) {
      for (const c of LOOK_ALIKE.find((s) => s.includes(symbols[i])) ?? '') {
        const typo = symbols.slice(0, i) + c + symbols.slice(i + 1);
        if (c === symbols[i]) continue;
        let decodesAnyway = true;
        try {
          decodeResultCode(typo);
        } catch {
          decodesAnyway = false;
        }
        if (decodesAnyway) continue;
        cases++;
        const group = GROUPS.findIndex(([a, b]) => i >= a && i < b);
        const named = typoGroups(typo);
        assert.ok(named.includes(group), `${typo} (typo at ${i}) names ${named}, not ${group}`);
        const text = explainResultCode(typo, errorOf(typo));
        assert.match(text, new RegExp(`${NAMES[group]}`), text);
        if (named.length === 1) exact++;
      }
    }
  }
  assert.ok(cases > 100, `${cases} typos tried`);
  // Measured: the group named alone for most typos (the rest name two groups, one of them right).
  assert.ok(exact / cases > 0.8, `${exact} of ${cases} named one group`);
});

test('a typo no look-alike explains still says it is a typo, without naming a wrong group', () => {
  const symbols = encodeResultCode({ verdict: 'problems', findings: [{ id: 'dns.hijacked' }] }).replace(
    /-/g,
    '',
  );
  const typo = `${symbols.slice(0, 12)}${symbols[12] === 'A' ? 'H' : 'A'}`;
  const text = explainResultCode(typo, errorOf(typo));
  assert.match(text, /^This result code has a typo/);
  assert.match(text, /nothing has changed yet/);
});

test('not a result code: says so, and where the real one comes from; a pairing code is named as one', () => {
  assert.match(notAResultCode('RC1-7K3M') ?? '', /not a whole result code: it has 7 of its 13 characters/);
  assert.match(notAResultCode('RC1-7K3M') ?? '', /agent prints it on the affected computer/);
  assert.match(
    notAResultCode('7K3M9-QXT4H') ?? '',
    /pairing code\. It goes into the command on the affected computer/,
  );
  assert.equal(notAResultCode('my RC car broke'), undefined);
  assert.equal(notAResultCode('Teams says CAA20004'), undefined);
  const bad = errorOf('RC1-7K3M-9QXT-2U');
  assert.match(explainResultCode('RC1-7K3M-9QXT-2U', bad), /not a whole result code: .*agent prints it/);
});

test('through the core: a typo, half a code or a pairing code gets its reply at the bottom, and nothing moves', () => {
  const code = encodeResultCode({ verdict: 'problems', findings: [{ id: 'proxy.auth_required' }] });
  const symbols = code.replace(/-/g, '');
  const i = 4;
  const swap = LOOK_ALIKE.find((s) => s.includes(symbols[i])) ?? '';
  const typoChar = [...swap].find((c) => c !== symbols[i]);
  for (const typed of [
    ...(typoChar ? [`${code.slice(0, 5)}${typoChar}${code.slice(6)}`] : []),
    code.slice(0, 8),
    '7K3M9-QXT4H',
  ]) {
    const w = new Walk().say('Teams says CAA20004 on windows at home');
    const before = w.session.version;
    w.say(typed);
    assert.equal(w.session.version, before, `${typed}: nothing moved`);
    const last = w.views.at(-1);
    assert.ok(last?.screen === 'notice' && last.tone === 'warning', typed);
    assert.match(last.text, /typo|not a whole result code|pairing code/, typed);
  }
  const w = new Walk().say('Teams says CAA20004 on windows at home').say(code);
  assert.equal(w.session.state, 'plan', 'the right code still continues');
});
