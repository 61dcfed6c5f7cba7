/**
 * The README's configuration table is the operator's reference: every setting bot/config.ts
 * accepts (SETTING_NAMES, which is also what a RECONNECT_CONFIG file may hold) has a row there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SETTING_NAMES } from '../../bot/config.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The first cells of the table's rows, after the `Run the bot` heading. */
function tableNames(): Set<string> {
  const section = README.slice(README.indexOf('## Run the bot'), README.indexOf('## The agent'));
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return new Set(rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1])));
}

test("every setting bot/config.ts accepts has a row in the README's configuration table", () => {
  const names = tableNames();
  assert.ok(names.size >= SETTING_NAMES.length, `${names.size} names in the table`);
  assert.deepEqual(
    SETTING_NAMES.filter((name) => !names.has(name)),
    [],
  );
  assert.ok(names.has('RECONNECT_CONFIG'));
});
