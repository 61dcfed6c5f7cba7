/**
 * planFor: root cause first, `when` filtering, each step once, OS-specific instructions, the
 * code's default ladder, and purity.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBuiltinPlaybooks, parsePlaybookSources } from '../../bot/playbooks/load.ts';
import {
  normalizeCode,
  planFor,
  playbookForCode,
  recheckMatches,
  recheckProbes,
} from '../../bot/playbooks/select.ts';
import type { PlanFinding } from '../../bot/playbooks/types.ts';

const builtin = await loadBuiltinPlaybooks();
const ids = (plan: { step: { id: string } }[]) => plan.map((s) => s.step.id);
const f = (id: string, facts: Record<string, unknown> = {}): PlanFinding => ({
  id,
  severity: 'blocking',
  facts,
});

/** A small set whose order and conditions the tests control. */
const small = parsePlaybookSources([
  {
    file: 'lib.yaml',
    text: `schema: reconnect.steps/v1
steps:
  - { id: admin-dns, title: A, why: W., who: admin, area: dns, findings: [dns.hijacked], instructions: { any: fix dns }, recheck: [dns] }
  - { id: flush, title: F, why: W., who: user, area: dns, findings: [dns.hijacked, dns.system_failed], instructions: { windows: ipconfig, macos: dscacheutil, linux: resolvectl }, recheck: [dns] }
  - { id: early, title: E, why: W., who: user, area: dns, findings: [dns.hijacked], instructions: { any: first }, recheck: [dns], order: 1 }
  - { id: port, title: P, why: W., who: user, area: firewall, findings: [firewall.blocked], instructions: { windows: tnc }, recheck: ['tcp:*:443'] }
  - id: retry-later
    title: R
    why: W.
    who: user
    area: service
    findings: [firewall.blocked]
    instructions: { any: wait, phone: wait on phone }
    recheck: [https]
    when: "session.attempts > 1"
  - id: big-skew
    title: S
    why: W.
    who: user
    area: clock
    findings: [clock.skew]
    instructions: { any: sync }
    recheck: [clock]
    when: "report.facts.clock.skew.offsetSeconds > 300"
`,
  },
  {
    file: 'pb.yaml',
    text: `schema: reconnect.playbook/v1
id: pb
title: T
codes: [CAA20004, CAA82F8x]
steps:
  - { id: meaning, title: M, why: W., who: user, area: meaning, findings: [], instructions: { any: means }, recheck: [https] }
include: [port, flush, admin-dns]
`,
  },
]);

test('steps follow the findings order, root cause first', () => {
  assert.deepEqual(
    ids(planFor({ findings: [f('dns.hijacked'), f('firewall.blocked')], os: 'windows' }, small)),
    ['early', 'flush', 'admin-dns', 'port'],
  );
  assert.deepEqual(
    ids(planFor({ findings: [f('firewall.blocked'), f('dns.hijacked')], os: 'windows' }, small)),
    ['port', 'early', 'flush', 'admin-dns'],
  );
});

test('within a finding: explicit order, then user steps before admin steps, then declaration order', () => {
  // admin-dns is declared first, but an admin step ranks 200 by default; early has order 1.
  assert.deepEqual(ids(planFor({ findings: [f('dns.hijacked')], os: 'unknown' }, small)), [
    'early',
    'flush',
    'admin-dns',
  ]);
});

test('a step called for by two findings comes once, at the first, naming both', () => {
  const plan = planFor({ findings: [f('dns.system_failed'), f('dns.hijacked')], os: 'linux' }, small);
  assert.deepEqual(ids(plan), ['flush', 'early', 'admin-dns']);
  assert.deepEqual(plan[0].because, ['dns.system_failed', 'dns.hijacked']);
  assert.deepEqual(
    plan.map((s) => s.n),
    [1, 2, 3],
  );
});

test('when: session and report facts select steps; a false or failing condition drops them', () => {
  const blocked = [f('firewall.blocked')];
  assert.deepEqual(ids(planFor({ findings: blocked, os: 'windows' }, small)), ['port']);
  assert.deepEqual(ids(planFor({ findings: blocked, os: 'windows', session: { attempts: 1 } }, small)), [
    'port',
  ]);
  assert.deepEqual(ids(planFor({ findings: blocked, os: 'windows', session: { attempts: 2 } }, small)), [
    'port',
    'retry-later',
  ]);
  assert.deepEqual(
    ids(planFor({ findings: [f('clock.skew', { offsetSeconds: 900 })], os: 'macos' }, small)),
    ['big-skew'],
  );
  assert.deepEqual(
    ids(planFor({ findings: [f('clock.skew', { offsetSeconds: 90 })], os: 'macos' }, small)),
    [],
  );
});

test('a user step without instructions for the device OS is left out; unknown OS keeps it', () => {
  assert.deepEqual(ids(planFor({ findings: [f('firewall.blocked')], os: 'macos' }, small)), []);
  assert.deepEqual(ids(planFor({ findings: [f('firewall.blocked')], os: 'unknown' }, small)), ['port']);
});

test('instructions: the device OS then phone for user steps; every platform otherwise', () => {
  const [flush] = planFor({ findings: [f('dns.system_failed')], os: 'macos' }, small);
  assert.deepEqual(flush.instructions, [{ platform: 'macos', label: 'macOS', markdown: 'dscacheutil' }]);
  const unknown = planFor({ findings: [f('dns.system_failed')], os: 'unknown' }, small)[0];
  assert.deepEqual(
    unknown.instructions.map((b) => b.platform),
    ['windows', 'macos', 'linux'],
  );
  const retry = planFor(
    { findings: [f('firewall.blocked')], os: 'linux', session: { attempts: 3 } },
    small,
  )[0];
  assert.deepEqual(
    retry.instructions.map((b) => [b.platform, b.markdown]),
    [
      ['any', 'wait'],
      ['phone', 'wait on phone'],
    ],
  );
  const admin = planFor({ findings: [f('dns.hijacked')], os: 'windows' }, small)[2];
  assert.deepEqual(
    admin.instructions.map((b) => b.label),
    ['On any computer'],
  );
});

test('with no findings yet, the code gives its default ladder: own steps, then includes', () => {
  assert.deepEqual(ids(planFor({ code: '0xcaa20004', findings: [], os: 'windows' }, small)), [
    'meaning',
    'port',
    'flush',
    'admin-dns',
  ]);
  assert.deepEqual(ids(planFor({ code: 'CAA82F85', findings: [], os: 'linux' }, small)), [
    'meaning',
    'flush',
    'admin-dns',
  ]);
  assert.deepEqual(planFor({ code: 'CAA99999', findings: [], os: 'windows' }, small), []);
  assert.deepEqual(planFor({ findings: [], os: 'windows' }, small), []);
  // Findings this build does not know (a newer agent) do not hide the ladder.
  assert.equal(planFor({ code: 'CAA20004', findings: [f('future.thing')], os: 'windows' }, small).length, 4);
});

test('codes: 0x prefix and case are accepted; exact codes win over x families', () => {
  assert.equal(normalizeCode(' 0xCaa20004 '), 'CAA20004');
  assert.equal(normalizeCode('AADSTS50097'), null);
  assert.equal(playbookForCode('caa82f8f', builtin)?.id, 'caa-certificate');
  assert.equal(playbookForCode('CAA82F90', builtin), undefined);
  assert.equal(playbookForCode('CAA30197', builtin)?.id, 'caa-proxy');
});

test('planFor is pure: frozen input, same answer twice', () => {
  const freeze = <T>(o: T): T => {
    if (o && typeof o === 'object') {
      for (const v of Object.values(o)) freeze(v);
      Object.freeze(o);
    }
    return o;
  };
  const input = freeze({
    code: 'CAA20004',
    findings: [f('clock.skew', { offsetSeconds: 900 }), f('tls.untrusted', { reason: 'expired' })],
    os: 'windows' as const,
    session: { attempts: 2 },
  });
  const a = planFor(input, builtin);
  const b = planFor(input, builtin);
  assert.deepEqual(a, b);
  assert.ok(a.length > 0);
  // Plans go into stored sessions: they must survive JSON.
  assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
});

test('built-in: a wrong clock comes before the certificate errors it causes', () => {
  const plan = planFor(
    {
      findings: [f('clock.skew', { offsetSeconds: -900 }), f('tls.untrusted', { reason: 'expired' })],
      os: 'windows',
    },
    builtin,
  );
  assert.equal(plan[0].step.id, 'sync-clock');
  assert.deepEqual(plan[0].because, ['clock.skew', 'tls.untrusted']);
  assert.ok(plan[0].instructions[0].markdown.includes('w32tm /resync'));
  assert.equal(plan[0].step.action, 'resync_clock');
});

test('built-in: an unknown issuer does not send the user to the clock; an expired one does', () => {
  const inspected = ids(
    planFor({ findings: [f('tls.untrusted', { reason: 'unknown_ca' })], os: 'macos' }, builtin),
  );
  assert.ok(!inspected.includes('sync-clock'));
  assert.ok(inspected.includes('admin-deploy-inspection-root'));
  const expired = ids(
    planFor({ findings: [f('tls.untrusted', { reason: 'expired' })], os: 'macos' }, builtin),
  );
  assert.equal(expired[0], 'sync-clock');
  assert.ok(!expired.includes('admin-deploy-inspection-root'));
});

test('built-in: DNS first when it sends names astray, then the firewall steps', () => {
  const plan = ids(planFor({ findings: [f('dns.hijacked'), f('firewall.blocked')], os: 'linux' }, builtin));
  assert.ok(plan.indexOf('flush-dns-cache') < plan.indexOf('check-local-firewall'));
  assert.ok(plan.indexOf('admin-fix-dns-resolution') < plan.indexOf('check-local-firewall'));
});

test('built-in: OS-specific instructions for the broker and the caches', () => {
  const broker = planFor({ findings: [f('broker.unhealthy')], os: 'windows' }, builtin);
  assert.equal(broker[0].instructions[0].platform, 'windows');
  assert.ok(broker[0].instructions[0].markdown.includes('Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy'));
  assert.deepEqual(planFor({ findings: [f('broker.unhealthy')], os: 'linux' }, builtin), []);
  const mac = planFor({ findings: [f('credentials.cache_present')], os: 'macos' }, builtin);
  assert.deepEqual(ids(mac), ['clear-teams-cache', 'remove-stored-credentials']);
  assert.ok(mac[1].instructions[0].markdown.includes('Microsoft Teams Identities Cache'));
  const linux = planFor({ findings: [f('credentials.cache_present')], os: 'linux' }, builtin);
  assert.deepEqual(ids(linux), ['clear-teams-cache']);
});

test('recheck entries match probe ids by kind or by kind:target pattern', () => {
  assert.ok(recheckMatches('dns', 'dns:login.microsoftonline.com'));
  assert.ok(!recheckMatches('dns', 'dnssec:x'));
  assert.ok(!recheckMatches('tls', 'https:login.microsoftonline.com:443'));
  assert.ok(recheckMatches('tcp:*:443', 'tcp:login.microsoftonline.com:443'));
  assert.ok(!recheckMatches('tcp:*:443', 'tcp:login.microsoftonline.com:4430'));
  assert.ok(!recheckMatches('tcp:login.microsoftonline.com:443', 'tcp:loginxmicrosoftonline.com:443'));
  const step = builtin.steps.get('sync-clock');
  assert.ok(step);
  assert.deepEqual(recheckProbes(step, ['clock:https://t/', 'dns:a', 'tls:a:443']), [
    'clock:https://t/',
    'tls:a:443',
  ]);
});
