/**
 * The agent's interpreter against adaptive-expressions on the expression forms the rules use,
 * including the edge cases where a naive evaluator would differ.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Expression } from 'adaptive-expressions';
import { evaluate } from '../../probes/diagnosis/ast.ts';
import { parseExpression } from '../../probes/diagnosis/parse.ts';
import rulesJson from '../../probes/diagnosis/rules.json' with { type: 'json' };
import { loadRules } from '../../probes/diagnosis/rules.ts';
import { FINDING_IDS } from '../../probes/findings.ts';

const scope = {
  hosts: [
    { host: 'a', port: 443, required: true, dns: { state: 'ok', ids: ['x', 'y'] }, n: 0, s: '' },
    { host: 'b', port: 8443, required: false, dns: { state: 'nxdomain', ids: ['y', 'z'] }, n: 7, s: 'q' },
  ],
  clock: { offsetSeconds: 630, id: 'clock:local' },
  none: null,
  empty: [],
};

const CASES = [
  "count(where(hosts, h, h.required && h.dns.state != 'ok'))",
  'select(hosts, h, h.host)',
  "join(select(hosts, h, concat(h.host, ':', h.port)), ', ')",
  'flatten(select(hosts, h, h.dns.ids))',
  'union(first(hosts).dns.ids, hosts[1].dns.ids)',
  "contains(createArray('a', 'b'), first(hosts).host)",
  'round(abs(clock.offsetSeconds) / 60)',
  '630 / 60',
  '7 / 2.0',
  "if(clock.offsetSeconds > 0, 'behind', 'ahead')",
  // adaptive-expressions: only false, null and undefined are false; 0 and '' are true.
  'where(hosts, h, h.n)',
  'where(hosts, h, h.s)',
  '!none',
  'none == null',
  'missing.deep.path == null',
  'first(empty)',
  'count(empty) == 0',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an adaptive-expressions template, not ours
  '`offset ${clock.offsetSeconds} s, ${count(hosts)} hosts`',
  '-clock.offsetSeconds + 1',
  "first(hosts).dns.state != 'ok' || hosts[1].required",
];

test('the interpreter matches adaptive-expressions on every form the rules use', () => {
  for (const text of CASES) {
    const reference = Expression.parse(text).tryEvaluate(scope);
    const ours = evaluate(parseExpression(text), scope);
    assert.equal(ours.error, undefined, `${text}: ${ours.error}`);
    assert.deepEqual(ours.value, reference.value ?? undefined, text);
  }
});

test('string() is refused: adaptive-expressions formats numbers for a locale there', () => {
  const rules = {
    ...rulesJson,
    rules: [{ ...rulesJson.rules[1], facts: { s: 'string(clock.offsetSeconds)' } }],
  };
  assert.throws(() => loadRules(rules, 'rules.json', FINDING_IDS, parseExpression), /facts\.s: uses string/);
});

test('a rule using a function the interpreter does not know is refused at load', () => {
  const rules = {
    ...rulesJson,
    rules: [
      { ...rulesJson.rules.find((r: { id: string }) => r.id === 'clock.skew'), when: "xml('<a/>') != null" },
    ],
  };
  assert.throws(
    () => loadRules(rules, 'rules.json', FINDING_IDS, parseExpression),
    /rule clock\.skew\.when: uses xml, which the agent's rule engine does not evaluate/,
  );
});
