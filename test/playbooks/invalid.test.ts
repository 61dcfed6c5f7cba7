/**
 * Every rejection has a fixture (STYLE.md, after blackbox_exporter's invalid-*.yml): each
 * file in test/fixtures/playbooks/invalid-*.yaml is refused with its file name, the exact path
 * inside it, and what was expected.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadPlaybookDirs, PlaybookError, parsePlaybookSources } from '../../bot/playbooks/load.ts';

const DIR = fileURLToPath(new URL('../fixtures/playbooks/', import.meta.url));

/** fixture → [path in the file, text the message must contain, line the message must name]. */
const EXPECTED: Record<string, [string, string, number]> = {
  'invalid-missing-field.yaml': ['steps[0].why', 'expected one plain sentence on one line, got nothing', 7],
  'invalid-wrong-who.yaml': ['steps[0].who', "expected one of 'user', 'admin', got \"manager\"", 10],
  'invalid-unknown-finding.yaml': ['steps[0].findings[1]', 'got "dns.broken"', 12],
  'invalid-unknown-action.yaml': [
    'steps[0].action',
    "'flush_dns', 'move_teams_cache', 'resync_clock', got",
    17,
  ],
  'invalid-bad-when.yaml': ['steps[0].when', "condition in step 'flush-dns' (syntax error", 17],
  'invalid-when-unknown-function.yaml': ['steps[0].when', 'frobnicate does not have an evaluator', 17],
  'invalid-duplicate-step-id.yaml': [
    'steps[1].id',
    'a step id not used before (already in invalid-duplicate-step-id.yaml)',
    17,
  ],
  'invalid-include-missing.yaml': [
    'include[0]',
    'the id of a step declared in a loaded file, got "no-such-step"',
    17,
  ],
  'invalid-include-twice.yaml': ['include[0]', 'a step not already in this playbook, got "flush-dns"', 17],
  'invalid-no-instructions.yaml': [
    'steps[0].instructions',
    'at least one of windows, macos, linux or any',
    13,
  ],
  'invalid-instructions-not-text.yaml': [
    'steps[1].instructions.windows',
    'expected markdown text, got 42',
    24,
  ],
  'invalid-unknown-field.yaml': ['steps[0].instruction', 'expected a known field (id, title, why', 13],
  'invalid-recheck-kind.yaml': ['steps[0].recheck[1]', 'kind one of proxy, dns, tcp, tls', 16],
  'invalid-empty-recheck.yaml': ['steps[0].recheck', 'non-empty list of probe kinds', 16],
  'invalid-id-not-kebab.yaml': ['steps[0].id', 'a kebab-case step id, got "Flush_DNS"', 7],
  'invalid-area.yaml': ['steps[0].area', 'got "wifi"', 11],
  'invalid-order.yaml': ['steps[0].order', 'expected a number, got "first"', 17],
  'invalid-code.yaml': ['codes[1]', 'an error code like CAA20004', 5],
  'invalid-no-steps.yaml': ['steps', 'at least one step in `steps` or `include`', 2],
  'invalid-schema.yaml': [
    'schema',
    "'reconnect.playbook/v1' or 'reconnect.steps/v1', got \"reconnect.playbook/v2\"",
    2,
  ],
  'invalid-library-empty.yaml': ['steps', 'a non-empty list of steps, got an empty list', 3],
  'invalid-yaml-syntax.yaml': ['', 'expected valid YAML, got Missing closing', 7],
};

const fixtures = (await readdir(DIR)).filter((n) => n.startsWith('invalid-')).sort();

test('every fixture has an expectation and there are at least ten', () => {
  assert.ok(fixtures.length >= 10);
  assert.deepEqual(fixtures, Object.keys(EXPECTED).sort());
});

for (const name of fixtures) {
  test(`${name} is refused at ${EXPECTED[name]?.[0] || '(document)'}`, async () => {
    const [path, text, line] = EXPECTED[name];
    const source = { file: name, text: await readFile(DIR + name, 'utf8') };
    assert.throws(
      () => parsePlaybookSources([source]),
      (err: unknown) => {
        assert.ok(err instanceof PlaybookError, `a PlaybookError, not ${String(err)}`);
        assert.equal(err.path, path);
        assert.equal(err.file, name);
        assert.equal(err.line, line);
        assert.ok(err.message.startsWith(`${name}:${line}: ${path || '(document)'}: expected `), err.message);
        assert.ok(
          err.message.includes(text),
          `message ${JSON.stringify(err.message)} lacks ${JSON.stringify(text)}`,
        );
        return true;
      },
    );
  });
}

test('the fixtures differ from a valid file only in their defect', () => {
  const valid = `schema: reconnect.playbook/v1
id: test-playbook
title: Test playbook
codes: [CAA20004]
steps:
  - id: flush-dns
    title: Flush the DNS cache
    why: A remembered wrong answer keeps failing until the cache is cleared.
    who: user
    area: dns
    findings: [dns.system_failed]
    instructions:
      windows: |
        Run \`ipconfig /flushdns\`.
    recheck: [dns]
`;
  const set = parsePlaybookSources([{ file: 'valid.yaml', text: valid }]);
  assert.deepEqual(set.playbooks[0].ladder, ['flush-dns']);
});

test('a step id used in two files is refused in the second, naming the first', () => {
  const lib = (file: string) => ({
    file,
    text: `schema: reconnect.steps/v1
steps:
  - id: same-step
    title: T
    why: W.
    who: admin
    area: firewall
    findings: []
    instructions: { any: text }
    recheck: [tcp]
`,
  });
  assert.throws(
    () => parsePlaybookSources([lib('a.yaml'), lib('b.yaml')]),
    (err: unknown) =>
      err instanceof PlaybookError &&
      err.file === 'b.yaml' &&
      err.path === 'steps[0].id' &&
      err.message.includes('already in a.yaml'),
  );
});

test('a code served by two playbooks is refused', () => {
  const playbook = (id: string) => ({
    file: `${id}.yaml`,
    text: `schema: reconnect.playbook/v1
id: ${id}
title: T
codes: [CAA20004]
steps:
  - { id: ${id}-step, title: T, why: W., who: user, area: meaning, findings: [], instructions: { any: x }, recheck: [https] }
`,
  });
  assert.throws(
    () => parsePlaybookSources([playbook('one'), playbook('two')]),
    (err: unknown) =>
      err instanceof PlaybookError && err.path === 'codes[0]' && err.message.includes('one.yaml does'),
  );
});

test('loading a directory refuses the whole set for one bad file', async () => {
  await assert.rejects(loadPlaybookDirs([DIR]), (err: unknown) => err instanceof PlaybookError);
});
