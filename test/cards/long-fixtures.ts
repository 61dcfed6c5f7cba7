/**
 * Views past every budget: the values the brief names (a 200-character issuer, 30 blocked
 * hosts, 5,000 characters of instructions) and worse.
 */
import type { FindingItem, View } from '../../cards/views.ts';
import { FIREWALL_FINDING, stepView, TLS_FINDING } from './fixtures.ts';

const base = { sessionId: 'sess-7f3a', version: 12 };

export const LONG_ISSUER =
  `Contoso Enterprise Secure Web Gateway Intermediate Certification Authority ${'X'.repeat(200)}`.slice(
    0,
    200,
  );
export const MANY_HOSTS = Array.from(
  { length: 30 },
  (_, i) => `host-${String(i + 1).padStart(2, '0')}.teams.microsoft.com`,
);
const LONG_MARKDOWN = Array.from(
  { length: 60 },
  (_, i) => `Paragraph ${i + 1}: open the settings and check the value named in step ${i + 1} carefully.`,
)
  .join('\n\n')
  .padEnd(5000, ' more text')
  .slice(0, 5000);

const longFinding = (i: number): FindingItem => ({
  id: `tls.inspection.${i}`,
  severity: 'blocking',
  summary: `Finding ${i}: ${'a very long sentence that goes on '.repeat(30)}`,
  evidence: MANY_HOSTS.map((h) => `tls:${h}:443`),
  facts: Object.fromEntries(
    Array.from({ length: 12 }, (_, k) => [`fact${k}`, k === 0 ? LONG_ISSUER : MANY_HOSTS]),
  ),
});

/** Values at and past every budget. */
export const LONG_VIEWS: { name: string; view: View }[] = [
  {
    name: 'findings with a 200-character issuer and 30 hosts',
    view: {
      ...base,
      screen: 'findings',
      verdict: 'problems',
      stepCount: 2,
      findings: [
        { ...TLS_FINDING, facts: { issuer: LONG_ISSUER } },
        { ...FIREWALL_FINDING, facts: { hosts: MANY_HOSTS, mode: 'drop' } },
      ],
    },
  },
  {
    name: 'step with 5,000 characters of instructions',
    view: stepView('pending', {
      instructions: {
        windows: LONG_MARKDOWN,
        macos: LONG_MARKDOWN,
        linux: LONG_MARKDOWN,
        phone: LONG_MARKDOWN,
      },
      title: 'T'.repeat(400),
      why: 'W'.repeat(2000),
      detailsUrl: 'https://reconnect.example.test/s/sess-7f3a/steps/flush-dns',
    }),
  },
  {
    name: 'handoff with 30 sections of 200 lines',
    view: {
      ...base,
      screen: 'handoff',
      title: 'H'.repeat(300),
      sections: Array.from({ length: 30 }, (_, i) => ({
        title: `Section ${i} ${'s'.repeat(200)}`,
        format: i % 2 === 0 ? ('code' as const) : ('text' as const),
        lines: Array.from(
          { length: 200 },
          (_, k) => `${MANY_HOSTS[k % 30]} ${'x'.repeat(k % 7 === 0 ? 500 : 10)}`,
        ),
      })),
      downloadUrl: 'https://reconnect.example.test/s/sess-7f3a/handoff.txt',
    },
  },
  {
    name: 'escalation with 20 findings, 30 steps, 60 events',
    view: {
      ...base,
      screen: 'escalation',
      caseRef: 'R-'.padEnd(300, '9'),
      state: 'taken',
      takenBy: 'N'.repeat(300),
      user: 'U'.repeat(300),
      symptom: 'S'.repeat(3000),
      errorCode: 'C'.repeat(300),
      device: { os: 'O'.repeat(300), hostname: 'H'.repeat(300) },
      verdict: 'problems',
      findings: Array.from({ length: 20 }, (_, i) => longFinding(i)),
      steps: Array.from({ length: 30 }, (_, i) => ({
        title: `Step ${i} ${'t'.repeat(300)}`,
        status: 'failed' as const,
        who: 'admin' as const,
        evidence: 'e'.repeat(1000),
      })),
      timeline: Array.from({ length: 60 }, (_, i) => ({
        at: `2026-11-27T10:${String(i).padStart(2, '0')}:00Z`,
        text: `Event ${i} ${'x'.repeat(600)}`,
      })),
    },
  },
  {
    name: 'progress with 40 areas and a 200-character device',
    view: {
      ...base,
      screen: 'progress',
      device: LONG_ISSUER,
      areas: Array.from({ length: 40 }, (_, i) => ({
        id: `a${i}`,
        label: `Area ${i} ${'l'.repeat(200)}`,
        state: 'fail' as const,
      })),
      counts: { done: 40, total: 40, failed: 40 },
    },
  },
  {
    name: 'intake with a 2,000-character symptom and name',
    view: {
      ...base,
      screen: 'intake',
      userName: 'N'.repeat(2000),
      symptom: 'S'.repeat(2000),
      errorCode: 'E'.repeat(500),
    },
  },
];
