/** What intake reads from a user's own words. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describe, understand, understoodAnything } from '../../bot/core/intake.ts';
import { encodeResultCode } from '../../probes/result-code.ts';

test('error codes as people type them, through the code catalog', () => {
  assert.deepEqual(
    understand('Teams says CAA20004').codes.map((c) => c.code),
    ['CAA20004'],
  );
  assert.deepEqual(
    understand('got 0xcaa70004 then caa 82ee7').codes.map((c) => c.code),
    ['CAA70004', 'CAA82EE7'],
  );
  assert.deepEqual(understand('call me on +49 30 80080300').codes, []);
});

test('OS, place and area words', () => {
  const u = understand("I can't sign in on my Windows 11 laptop, working from home, maybe the proxy or DNS?");
  assert.equal(u.os, 'windows');
  assert.equal(u.where, 'home');
  assert.deepEqual(u.hints, ['sign_in', 'proxy', 'dns']);
  assert.equal(understand('MacBook on the VPN').where, 'vpn');
  assert.equal(understand('MacBook on the VPN').os, 'macos');
  assert.equal(understand('tethered to my phone').where, 'hotspot');
  assert.equal(understand('in the office').where, 'office');
  assert.ok(understand('certificate error, clock looks wrong').hints.includes('certificate'));
  assert.ok(understand('certificate error, clock looks wrong').hints.includes('clock'));
  assert.deepEqual(describe(understand('CAA20004 on ubuntu at home, proxy')), [
    'error CAA20004',
    'Linux',
    'at home',
    'proxy',
  ]);
});

test('a result code is picked out (checked later), and plain words understand nothing', () => {
  const code = encodeResultCode({
    verdict: 'problems',
    findings: [{ id: 'clock.skew', facts: { offsetSeconds: 900 } }],
  });
  assert.equal(understand(`here: ${code.toLowerCase()}`).resultCode, code.toLowerCase());
  assert.equal(understand(`here: ${code.replace(/-/g, ' ')}`).resultCode, code.replace(/-/g, ' '));
  assert.equal(understoodAnything(understand('banana')), false);
  assert.equal(understoodAnything(understand('hello there')), false);
});
