/**
 * The fingerprint: computers behind the same broken proxy agree whatever their names, timings
 * or credentials; another proxy, another cause, another network or another cloud does not. And
 * the settings: defaults, overrides, and a refusal that names the setting.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBotConfig } from '../../bot/config.ts';
import { egressNetwork, fingerprint } from '../../bot/incidents/fingerprint.ts';
import type { Finding } from '../../probes/findings.ts';
import type { Report } from '../../probes/report.ts';

const finding = (
  id: Finding['id'],
  facts: Record<string, unknown>,
  severity: Finding['severity'] = 'blocking',
): Finding => ({
  id,
  severity,
  summary: `${id} summary`,
  evidence: ['https:login.microsoftonline.com:443'],
  facts,
});
const report = (proxyUrl: string, cloud: Report['cloud'] = 'commercial') =>
  ({ cloud, environment: { proxy: { source: 'env', url: proxyUrl }, resolvers: [] } }) as unknown as Report;

const proxy407 = (url: string, extra: Record<string, unknown> = {}) => ({
  report: report(url),
  findings: [finding('proxy.auth_required', { proxy: url, source: 'env', ...extra })],
});

test('same proxy, same network: one key, whatever the credentials or the volatile facts', () => {
  const a = fingerprint(proxy407('http://alice:pw@proxy.corp.example:3128'), '203.0.113.17');
  const b = fingerprint(
    proxy407('http://bob:other@proxy.corp.example:3128', { latencyMs: 812 }),
    '203.0.113.201',
  );
  assert.ok(a && b);
  assert.equal(a.key, b.key);
  assert.equal(a.cause, 'proxy.auth_required');
  assert.deepEqual(a.facts, { proxy: 'proxy.corp.example:3128' }, 'no credentials in the fingerprint');
  assert.equal(a.egress, '203.0.113.0/24');
});

test('another proxy, cause, network or cloud: another key', () => {
  const base = fingerprint(proxy407('http://proxy.corp.example:3128'), '203.0.113.17')!;
  const keys = [
    fingerprint(proxy407('http://proxy2.corp.example:3128'), '203.0.113.17'),
    fingerprint(
      {
        report: report('http://proxy.corp.example:3128'),
        findings: [finding('proxy.unreachable', { proxy: 'http://proxy.corp.example:3128' })],
      },
      '203.0.113.17',
    ),
    fingerprint(proxy407('http://proxy.corp.example:3128'), '198.51.100.17'),
    fingerprint(
      {
        ...proxy407('http://proxy.corp.example:3128'),
        report: report('http://proxy.corp.example:3128', 'gcch'),
      },
      '203.0.113.17',
    ),
  ].map((f) => f!.key);
  for (const key of keys) assert.notEqual(key, base.key);
  assert.equal(new Set(keys).size, keys.length);
});

test('the root cause is the first problem; info findings and healthy reports give none', () => {
  const f = fingerprint(
    {
      report: report(''),
      findings: [
        finding('credentials.cache_present', { locations: ['x'] }, 'info'),
        finding('tls.inspection', { issuer: 'Zscaler Root CA', hosts: ['b.example', 'a.example'] }),
        finding('media.udp_blocked', { portsTried: [3478] }, 'degraded'),
      ],
    },
    undefined,
  );
  assert.equal(f?.cause, 'tls.inspection');
  assert.deepEqual(f?.facts, { issuer: 'Zscaler Root CA', hosts: ['a.example', 'b.example'] });
  assert.equal(f?.egress, '');
  assert.equal(
    fingerprint({ report: report(''), findings: [finding('vpn.active', {}, 'info')] }, '10.0.0.1'),
    undefined,
  );
});

test('egress networks: IPv4 /24, IPv4-mapped IPv6, IPv6 /48, nothing else', () => {
  assert.equal(egressNetwork('::ffff:192.0.2.44'), '192.0.2.0/24');
  assert.equal(egressNetwork('2001:db8:abcd:12::1'), '2001:db8:abcd::/48');
  assert.equal(egressNetwork('2001:db8::1'), '2001:db8:0::/48');
  assert.equal(egressNetwork('unknown'), '');
  assert.equal(egressNetwork(undefined), '');
});

test('INCIDENT_THRESHOLD and INCIDENT_WINDOW_MINUTES: defaults, overrides, refusals that name them', () => {
  const base = { NODE_ENV: 'test', DIRECTLINE_SECRET: 'x'.repeat(40) };
  assert.deepEqual(loadBotConfig(base).incidents, { threshold: 3, windowMs: 30 * 60_000 });
  assert.deepEqual(
    loadBotConfig({ ...base, INCIDENT_THRESHOLD: '12', INCIDENT_WINDOW_MINUTES: '5' }).incidents,
    {
      threshold: 12,
      windowMs: 5 * 60_000,
    },
  );
  assert.throws(
    () => loadBotConfig({ ...base, INCIDENT_THRESHOLD: '1' }),
    /INCIDENT_THRESHOLD is "1": expected a whole number of at least 2/,
  );
  assert.throws(
    () => loadBotConfig({ ...base, INCIDENT_WINDOW_MINUTES: 'soon' }),
    /INCIDENT_WINDOW_MINUTES is "soon"/,
  );
});
