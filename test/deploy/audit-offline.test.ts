/**
 * `npm run audit:offline` lists what the container ships: production entries of the lockfile,
 * never dev ones, with every version of a package that is pinned more than once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { productionPackages } from '../../scripts/audit-offline.ts';

test('dev, link and root entries are left out; nested copies are merged by name', () => {
  const list = productionPackages({
    '': { version: '0.1.0' },
    'node_modules/ws': { version: '8.23.0' },
    'node_modules/botframework-streaming/node_modules/ws': { version: '7.5.14' },
    'node_modules/a/node_modules/ws': { version: '8.23.0' },
    'node_modules/@scope/pkg': { version: '1.0.0' },
    'node_modules/typescript': { version: '7.0.2', dev: true },
    'node_modules/local': { link: true },
  });
  assert.deepEqual(
    [...list],
    [
      ['@scope/pkg', { versions: ['1.0.0'], copies: 1 }],
      ['ws', { versions: ['8.23.0', '7.5.14'], copies: 3 }],
    ],
  );
});

test('the committed lockfile: uuid only at the patched 11.1.1 (the override), no dev tool listed', () => {
  const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8'));
  const list = productionPackages(lock.packages);
  assert.deepEqual(list.get('uuid')?.versions, ['11.1.1']);
  assert.equal(list.has('typescript'), false);
  assert.equal(list.has('restify'), true);
});
