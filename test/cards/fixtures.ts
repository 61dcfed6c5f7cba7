/**
 * Views for every screen and state, shared by the card tests (the extreme ones are in
 * long-fixtures.ts).
 */
import { agentCommands } from '../../cards/pairing.ts';
import type { FindingItem, StepStatus, StepView, View } from '../../cards/views.ts';

const base = { sessionId: 'sess-7f3a', version: 12 };

export const TLS_FINDING: FindingItem = {
  id: 'tls.inspection',
  severity: 'blocking',
  summary: 'The connection to login.microsoftonline.com is decrypted by Zscaler before it reaches Microsoft.',
  evidence: ['tls:login.microsoftonline.com:443', 'tls:teams.microsoft.com:443'],
  facts: { issuer: 'Zscaler Root CA', host: 'login.microsoftonline.com' },
};

export const FIREWALL_FINDING: FindingItem = {
  id: 'firewall.blocked',
  severity: 'blocking',
  summary: 'Names resolve but TCP 443 to 3 required hosts times out.',
  evidence: ['tcp:teams.microsoft.com:443'],
  facts: {
    hosts: ['teams.microsoft.com', '*.teams.microsoft.com', 'go.trouter.teams.microsoft.com'],
    mode: 'drop',
  },
};

export const MEDIA_FINDING: FindingItem = {
  id: 'media.udp_blocked',
  severity: 'degraded',
  summary: 'No STUN answer on UDP 3478-3481; calls will suffer, sign-in will not.',
  evidence: ['stun:worldaz.tr.teams.microsoft.com:3478'],
  facts: { ports: ['3478', '3479', '3480', '3481'] },
};

export const INTERMITTENT_FINDING: FindingItem = {
  id: 'network.intermittent',
  severity: 'blocking',
  summary:
    'The connection to login.microsoftonline.com comes and goes: it failed in 37 of 118 rounds of checks, which is enough to break sign-in now and then.',
  evidence: ['https:login.microsoftonline.com:443'],
  facts: { hosts: ['login.microsoftonline.com:443'], failureRate: 0.314, rounds: 118, failed: 37 },
};

const INSTRUCTIONS = {
  windows:
    'Open **PowerShell** and run:\n\n```powershell\nipconfig /flushdns\nGet-ChildItem *.log\n```\n\nThen sign in to Teams again.',
  macos: 'Open **Terminal** and run `sudo dscacheutil -flushcache; sudo killall -HUP mDNSResponder`.',
  linux: 'Run `resolvectl flush-caches`.',
  phone: 'Nothing to do on the phone; this step needs the computer.',
};

export function stepView(status: StepStatus, extra: Partial<StepView> = {}): StepView {
  return {
    ...base,
    screen: 'step',
    stepId: 'flush-dns',
    index: 2,
    total: 4,
    title: 'Flush the DNS cache',
    why: 'Your computer remembers an old, wrong answer for the Teams sign-in address.',
    who: 'user',
    area: 'dns',
    findings: ['dns.hijacked'],
    instructions: INSTRUCTIONS,
    os: 'windows',
    status,
    ...(status === 'verified' || status === 'failed'
      ? {
          evidence: {
            summary:
              status === 'verified'
                ? 'login.microsoftonline.com now resolves to Microsoft addresses.'
                : 'login.microsoftonline.com still resolves to 10.0.0.1.',
            checkedAt: '2026-11-27T10:45:02.250Z',
            probes: [
              {
                id: 'dns:login.microsoftonline.com',
                status: status === 'verified' ? 'pass' : 'fail',
                detail: status === 'verified' ? '20.190.151.7' : '10.0.0.1',
              },
            ],
          },
        }
      : {}),
    ...extra,
  };
}

const commands = agentCommands({ code: 'K7Q2-M9XD', serverUrl: 'https://reconnect.example.test' });

/** One view per screen and per state that changes what a screen shows. */
export const VIEWS: { name: string; view: View }[] = [
  { name: 'intake, empty', view: { ...base, screen: 'intake', suggestedCodes: ['CAA20004', 'CAA70004'] } },
  {
    name: 'intake, answered',
    view: { ...base, screen: 'intake', userName: 'Sam', errorCode: 'CAA20004', os: 'macos', where: 'vpn' },
  },
  {
    name: 'pairing, waiting',
    view: {
      ...base,
      screen: 'pairing',
      code: 'K7Q2-M9XD',
      expiresAt: '2026-11-27T10:52:00.000Z',
      os: 'linux',
      commands,
    },
  },
  {
    name: 'pairing, OS unknown',
    view: { ...base, screen: 'pairing', code: 'K7Q2-M9XD', expiresAt: '2026-11-27T10:52:00.000Z', commands },
  },
  {
    name: 'pairing, expired',
    view: {
      ...base,
      screen: 'pairing',
      code: 'K7Q2-M9XD',
      expiresAt: '2026-11-27T10:52:00.000Z',
      expired: true,
      commands,
    },
  },
  {
    name: 'pairing, device to confirm',
    view: {
      ...base,
      screen: 'pairing',
      code: 'K7Q2-M9XD',
      expiresAt: '2026-11-27T10:52:00.000Z',
      commands,
      pairedDevice: { hostname: 'LAPTOP-42', os: 'Windows 11 23H2', user: 'sam' },
    },
  },
  {
    name: 'progress',
    view: {
      ...base,
      screen: 'progress',
      device: 'LAPTOP-42 (Windows 11)',
      areas: [
        { id: 'dns', label: 'DNS', state: 'pass', done: 4, total: 4 },
        { id: 'firewall', label: 'Firewall and proxy', state: 'running', done: 2, total: 6 },
        { id: 'tls', label: 'TLS and certificates', state: 'fail' },
        { id: 'clock', label: 'Clock', state: 'warn' },
        { id: 'media', label: 'Calls (UDP)', state: 'queued' },
      ],
      counts: { done: 8, total: 14, failed: 1 },
    },
  },
  {
    name: 'findings, problems',
    view: {
      ...base,
      screen: 'findings',
      verdict: 'problems',
      findings: [TLS_FINDING, FIREWALL_FINDING, MEDIA_FINDING],
      stepCount: 3,
    },
  },
  {
    name: 'progress, watching',
    view: {
      ...base,
      screen: 'progress',
      device: 'LAPTOP-42 (Windows 11)',
      areas: [],
      counts: { done: 29, total: 29, failed: 1 },
      watch: { durationMs: 120_000, leftMs: 80_000, rounds: 12, failedRounds: 4 },
    },
  },
  {
    name: 'progress, watch stopping',
    view: {
      ...base,
      screen: 'progress',
      areas: [],
      counts: { done: 29, total: 29, failed: 0 },
      watch: { durationMs: 120_000, leftMs: 95_000, rounds: 7, failedRounds: 0, stopping: true },
    },
  },
  {
    name: 'findings, after a watch',
    view: {
      ...base,
      screen: 'findings',
      verdict: 'problems',
      findings: [INTERMITTENT_FINDING],
      stepCount: 2,
      canWatch: true,
      watchResult:
        'Watched the connection for 2 min: login.microsoftonline.com:443 dropped out in 37 of 118 rounds (31%), flipping 24 times; when it answered it took 45 ms typically and 120 ms at worst for 9 in 10.',
    },
  },
  {
    name: 'findings, healthy, watch offered',
    view: { ...base, screen: 'findings', verdict: 'healthy', findings: [], stepCount: 0, canWatch: true },
  },
  {
    name: 'step, failed, watch offered',
    view: { ...stepView('failed'), canWatch: true },
  },
  {
    name: 'findings, healthy',
    view: { ...base, screen: 'findings', verdict: 'healthy', findings: [], stepCount: 0 },
  },
  {
    name: 'findings, inconclusive',
    view: { ...base, screen: 'findings', verdict: 'inconclusive', findings: [], stepCount: 0 },
  },
  ...(['pending', 'checking', 'verified', 'failed', 'skipped'] as const).map((status) => ({
    name: `step, ${status}`,
    view: stepView(status),
  })),
  {
    name: 'step, admin, OS unknown, last',
    view: stepView('pending', {
      who: 'admin',
      os: undefined,
      index: 4,
      detailsUrl: 'https://reconnect.example.test/s/sess-7f3a/steps/flush-dns',
    }),
  },
  {
    name: 'resolved',
    view: {
      ...base,
      screen: 'resolved',
      summary: 'The DNS cache held a wrong answer; flushing it fixed sign-in.',
      verifiedSteps: ['Flush the DNS cache'],
      verifiedAt: '2026-11-27T10:45:02Z',
    },
  },
  {
    name: 'handoff',
    view: {
      ...base,
      screen: 'handoff',
      title: 'For your IT admin',
      intro: 'Teams sign-in is blocked by TLS inspection. Please add these bypass entries.',
      sections: [
        { title: 'Firewall: allow TCP 443', lines: ['login.microsoftonline.com', '*.teams.microsoft.com'] },
        {
          title: 'PAC file',
          format: 'code',
          lines: [
            'function FindProxyForURL(url, host) {',
            '  if (dnsDomainIs(host, ".teams.microsoft.com")) return "DIRECT";',
            '  return "PROXY proxy:3128";',
            '}',
          ],
        },
      ],
      downloadUrl: 'https://reconnect.example.test/s/sess-7f3a/handoff.txt',
    },
  },
  { name: 'escalated', view: { ...base, screen: 'escalated', caseRef: 'R-1042', supportName: 'IT support' } },
  ...(['open', 'taken', 'resolved'] as const).map((state) => ({
    name: `escalation, ${state}`,
    view: {
      ...base,
      screen: 'escalation' as const,
      caseRef: 'R-1042',
      state,
      ...(state === 'taken' ? { takenBy: 'Alex (support)' } : {}),
      user: 'Sam Example',
      symptom: 'Teams says "We weren\'t able to connect" at sign-in.',
      errorCode: 'CAA20004',
      device: { os: 'Windows', osVersion: '11 23H2', hostname: 'LAPTOP-42' },
      where: 'office' as const,
      verdict: 'problems' as const,
      findings: [TLS_FINDING, FIREWALL_FINDING],
      steps: [
        {
          title: 'Flush the DNS cache',
          status: 'verified' as const,
          who: 'user' as const,
          evidence: 'resolves to Microsoft',
        },
        { title: 'Add a TLS inspection bypass', status: 'failed' as const, who: 'admin' as const },
      ],
      timeline: [
        { at: '2026-11-27T10:40:00Z', text: 'Case opened from Teams mobile' },
        { at: '2026-11-27T10:41:30Z', text: 'Agent paired: LAPTOP-42' },
        { at: '2026-11-27T10:44:00Z', text: 'Escalated by the user' },
      ],
    },
  })),
];
