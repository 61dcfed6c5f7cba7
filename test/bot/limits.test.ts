/**
 * The limits table (bot/limits.ts): read through the config module from the operators'
 * settings, each refused by name when out of range; and the message-length clamp Teams and
 * Slack turns get (Direct Line answers 413 instead: limits-webchat.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadBotConfig, SETTING_NAMES } from '../../bot/config.ts';
import { clampTurnText, DEFAULT_LIMITS, LIMIT_SETTING_NAMES, LIMIT_SPECS } from '../../bot/limits.ts';

const base = { DATA_DIR: '/tmp/reconnect-limits-test', DIRECTLINE_SECRET: 'x'.repeat(40) };

test('every limit has a setting, a default and a minimum, and the config module accepts its name', () => {
  assert.deepEqual(
    Object.values(LIMIT_SPECS).map((s) => s.setting),
    [...LIMIT_SETTING_NAMES],
  );
  for (const name of LIMIT_SETTING_NAMES)
    assert.ok((SETTING_NAMES as readonly string[]).includes(name), name);
  assert.deepEqual(loadBotConfig(base).limits, DEFAULT_LIMITS);
  for (const spec of Object.values(LIMIT_SPECS)) assert.ok(spec.default >= spec.min, spec.setting);
});

test('a limit is read from its setting; at its minimum accepted, below it refused by name', () => {
  const config = loadBotConfig({ ...base, LIMIT_BODY_BYTES: '2048', LIMIT_JSON_DEPTH: '8' });
  assert.equal(config.limits.bodyBytes, 2048);
  assert.equal(config.limits.jsonDepth, 8);
  assert.throws(
    () => loadBotConfig({ ...base, LIMIT_JSON_DEPTH: '7' }),
    (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(
        error.message,
        /LIMIT_JSON_DEPTH is "7": expected a whole number of at least 8 \(default 64\)/,
      );
      return true;
    },
  );
  for (const bad of ['-1', '1.5', 'lots', '1e6'])
    assert.throws(() => loadBotConfig({ ...base, LIMIT_BODY_BYTES: bad }), /LIMIT_BODY_BYTES is/);
});

test('message length per turn for Teams and Slack: at the limit unchanged, past it cut to the limit', () => {
  const event = (text: string) => ({ kind: 'message' as const, text, id: 'e1' });
  const at = event('x'.repeat(500));
  assert.equal(clampTurnText(at, 500), at);
  const past = clampTurnText(event('y'.repeat(501)), 500);
  assert.deepEqual([past.text.length, past.id], [500, 'e1']);
  const action = { kind: 'action', verb: 'done' };
  assert.equal(clampTurnText(action, 1), action);
});
