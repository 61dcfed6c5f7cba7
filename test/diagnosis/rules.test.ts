/**
 * The rules file: a bad rule fails loading with the file, the rule and the parser's message;
 * the built-in rules cover every finding id; and facts follow from measurements (address
 * categories), not from probe ids.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressCategory } from '../../probes/diagnosis/addresses.ts';
import { builtInRules, diagnose } from '../../probes/diagnosis/index.ts';
import { parseExpression } from '../../probes/diagnosis/parse.ts';
import rulesJson from '../../probes/diagnosis/rules.json' with { type: 'json' };
import { loadRules as loadWith, RulesError } from '../../probes/diagnosis/rules.ts';

const loadRules = (value: unknown, source: string, ids: readonly string[]) =>
  loadWith(value, source, ids, parseExpression);

import { FINDING_IDS } from '../../probes/findings.ts';
import { probe } from '../playbooks/lab-handoff.ts';

const withRule = (patch: Record<string, unknown>) => ({
  ...rulesJson,
  rules: [{ ...rulesJson.rules.find((r: { id: string }) => r.id === 'clock.skew'), ...patch }],
});

test('a rule whose condition does not parse fails loading with file, rule and parser message', () => {
  assert.throws(
    () => loadRules(withRule({ when: 'clock.offsetSeconds >> (' }), 'rules.json', FINDING_IDS),
    (err: Error) =>
      err instanceof RulesError &&
      /^rules\.json: rule clock\.skew\.when: does not parse: .*syntax error/.test(err.message),
  );
});

test('a rule for an unknown finding id is refused with the accepted ids', () => {
  assert.throws(
    () => loadRules(withRule({ id: 'clock.wrong' }), 'rules.json', FINDING_IDS),
    /rules\.json: rule clock\.wrong: unknown finding id; known ids: network\.offline, /,
  );
});

test('a summary template that does not parse is refused', () => {
  assert.throws(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a rule template, evaluated by the rules engine
    () => loadRules(withRule({ summary: 'offset ${1 +} s' }), 'r.json', FINDING_IDS),
    /rule clock\.skew\.summary: does not parse/,
  );
});

test('a bad schema or supersedes list is refused', () => {
  assert.throws(
    () => loadRules({ ...rulesJson, schema: 'v0' }, 'r.json', FINDING_IDS),
    /r\.json: schema: expected "reconnect\.rules\/v1"/,
  );
  assert.throws(
    () => loadRules(withRule({ supersedes: ['nope'] }), 'r.json', FINDING_IDS),
    /rule clock\.skew\.supersedes: expected an array of known finding ids/,
  );
});

test('every finding id has a rule, and rules run in root-cause order', () => {
  const rules = builtInRules().rules;
  assert.deepEqual(new Set(rules.map((r) => r.id)), new Set(FINDING_IDS));
  const ranks = rules.map((r) => r.rank);
  assert.deepEqual(
    ranks,
    [...ranks].sort((a, b) => a - b),
  );
});

test('address categories: sinkholes, private, fake-ip and public', () => {
  assert.equal(addressCategory('0.0.0.0'), 'unspecified');
  assert.equal(addressCategory('10.1.2.3'), 'private');
  assert.equal(addressCategory('198.18.0.7'), 'benchmark');
  assert.equal(addressCategory('::ffff:127.0.0.1'), 'loopback');
  assert.equal(addressCategory('fd00::1'), 'private');
  assert.equal(addressCategory('20.190.128.1'), 'public');
});

const base = {
  endpoints: [{ host: 'login.example.test', port: 443, purpose: 'auth' as const, required: true }],
  environment: { proxy: { source: 'none' as const }, resolvers: [] },
  publicResolvers: ['192.0.2.53'],
};

test('a private answer where the public resolver gives a public address is a hijack; a different public address is not', () => {
  const report = (system: string) => ({
    ...base,
    probes: [
      probe('dns:login.example.test@system', 'pass', { addresses: [system], cname: [] }),
      probe('dns:login.example.test@192.0.2.53', 'pass', { addresses: ['20.190.128.1'], cname: [] }),
      probe('https:login.example.test:443', 'pass', {}),
    ],
  });
  assert.deepEqual(
    diagnose(report('10.9.9.9')).findings.map((f) => f.id),
    ['dns.hijacked'],
  );
  // CDNs answer differently per resolver: another public address is normal.
  assert.deepEqual(diagnose(report('40.126.1.1')).findings, []);
});

test('with a proxy in the path, a failing local resolver is not blamed', () => {
  const report = {
    ...base,
    environment: { proxy: { source: 'env' as const, url: 'http://proxy.example.test:3128' }, resolvers: [] },
    probes: [
      probe(
        'dns:login.example.test@system',
        'fail',
        { addresses: [] },
        { phase: 'dns', code: 'nxdomain', detail: '' },
      ),
      probe('dns:login.example.test@192.0.2.53', 'pass', { addresses: ['20.190.128.1'] }),
      probe(
        'tcp:login.example.test:443',
        'skipped',
        { proxy: 'http://proxy.example.test:3128' },
        { phase: 'setup', code: 'not_applicable', detail: '' },
      ),
      probe('https:login.example.test:443', 'pass', { proxy: 'http://proxy.example.test:3128' }),
    ],
  };
  const d = diagnose(report);
  assert.deepEqual(d.findings, []);
  assert.equal(d.verdict, 'healthy');
});

test('when most probes could not run, the verdict is inconclusive, never healthy', () => {
  const refused = { phase: 'setup' as const, code: 'interlock' as const, detail: 'refused' };
  const d = diagnose({
    ...base,
    probes: [
      probe('dns:login.example.test@system', 'error', {}, refused),
      probe('tcp:login.example.test:443', 'error', {}, refused),
      probe('https:login.example.test:443', 'error', {}, refused),
    ],
  });
  assert.deepEqual(d.findings, []);
  assert.equal(d.verdict, 'inconclusive');
});
