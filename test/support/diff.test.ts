/**
 * The re-run difference: changed statuses, new checks, unchanged ones counted, findings gone,
 * new and still open; and the sentence when nothing moved.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffText, runDiff } from '../../bot/support/diff.ts';
import type { Finding } from '../../probes/findings.ts';
import type { ProbeResult } from '../../probes/types.ts';

const zero = { dns: 0, connect: 0, proxy: 0, tls: 0, firstByte: 0 };
const probe = (id: string, status: ProbeResult['status'], detail?: string): ProbeResult => ({
  id,
  kind: id.split(':')[0] as ProbeResult['kind'],
  target: id.split(':').slice(1).join(':'),
  status,
  durationMs: 1,
  phases: zero,
  detail: {},
  ...(detail ? { failure: { phase: 'connect', code: 'timeout', detail } } : {}),
});
const finding = (id: Finding['id'], severity: Finding['severity'] = 'blocking'): Finding => ({
  id,
  severity,
  summary: id,
  evidence: [],
  facts: {},
});

test('what changed, what is new, what stayed; findings gone, new and still open', () => {
  const before = {
    baseline: {
      'tcp:a:443': 'fail',
      'tls:a:443': 'warn',
      'dns:a@system': 'pass',
      'https:a:443': 'pass',
    } as const,
    findings: ['firewall.blocked', 'tls.inspection'],
  };
  const d = runDiff(
    { baseline: { ...before.baseline }, findings: before.findings },
    [
      probe('tcp:a:443', 'pass'),
      probe('tls:a:443', 'warn'),
      probe('dns:a@system', 'fail', 'SERVFAIL'),
      probe('stun:m:3478', 'pass'),
    ],
    [finding('tls.inspection'), finding('dns.system_failed'), finding('credentials.cache_present', 'info')],
  );
  assert.deepEqual(
    d.changed.map((c) => [c.id, c.before, c.after]),
    [
      ['tcp:a:443', 'fail', 'pass'],
      ['dns:a@system', 'pass', 'fail'],
    ],
  );
  assert.deepEqual(
    d.added.map((c) => c.id),
    ['stun:m:3478'],
  );
  assert.equal(d.unchanged, 1, 'https was not re-run, so it is neither changed nor unchanged');
  assert.deepEqual(
    [d.fixed, d.appeared, d.stillOpen],
    [['firewall.blocked'], ['dns.system_failed'], ['tls.inspection']],
  );
  const text = diffText(d, 'Sam');
  assert.match(text, /^Re-run asked by Sam: 2 checks changed status, 1 unchanged, 1 new\./);
  assert.match(text, /❌ fail → ✅ pass {2}tcp:a:443/);
  assert.match(text, /✅ pass → ❌ fail {2}dns:a@system \(SERVFAIL\)/);
  assert.match(
    text,
    /Findings: Gone: firewall\.blocked; New: dns\.system_failed; Still open: tls\.inspection/,
  );
});

test('nothing moved', () => {
  const d = runDiff({ baseline: { 'tcp:a:443': 'pass' }, findings: [] }, [probe('tcp:a:443', 'pass')], []);
  assert.equal(
    diffText(d, 'Sam'),
    'Re-run asked by Sam: no check changed status (1 check the same).\n\nFindings: no problem remains.',
  );
});
