/**
 * Reports for the support tests, built from the pasted-output fixtures (so diagnosis is real)
 * and carrying the planted values of test/fixtures/support/planted.json where an agent's report
 * would carry them: the proxy URL with its credentials, resolver addresses, a MAC and a host
 * name in probe details, a token in an error message, a user's profile path and e-mail.
 */
import { readFileSync } from 'node:fs';
import { manualReport } from '../../bot/core/manual-report.ts';
import { parsePaste } from '../../probes/paste/index.ts';
import type { Report } from '../../probes/report.ts';
import type { ProbeResult } from '../../probes/types.ts';

export const PLANTED = JSON.parse(
  readFileSync(new URL('../fixtures/support/planted.json', import.meta.url), 'utf8'),
) as {
  userName: string;
  login: string;
  hostnames: string[];
  fqdn: string;
  ipv4: string[];
  ipv6: string[];
  mac: string;
  email: string;
  bearer: string;
  proxyPassword: string;
};

/** Every planted value, as it must not appear in anything posted to the support thread. */
export function plantedValues(): string[] {
  const p = PLANTED;
  return [
    p.userName,
    ...p.userName.split(' '),
    p.login,
    ...p.hostnames,
    p.fqdn,
    ...p.ipv4,
    ...p.ipv6,
    p.mac,
    p.email,
    p.bearer,
    p.proxyPassword,
  ];
}

const NOW = '2026-11-27T10:00:00.000Z';
const paste = (name: string): ProbeResult[] =>
  parsePaste(readFileSync(new URL(`../fixtures/paste/${name}`, import.meta.url), 'utf8'), {
    now: NOW,
    defaultHost: 'login.microsoftonline.com',
  }).probes;

const zero = { dns: 0, connect: 0, proxy: 0, tls: 0, firstByte: 0 };

/** What the agent found on the user's computer: TLS inspection, with personal data all over the details. */
export function inspectedReport(): Report {
  const p = PLANTED;
  const base = manualReport({ probes: paste('curl-v-inspection.txt'), startedAt: NOW });
  const extra: ProbeResult[] = [
    {
      id: `proxy:${p.ipv4[0]}:3128`,
      kind: 'proxy',
      target: `${p.ipv4[0]}:3128`,
      status: 'pass',
      durationMs: 3,
      phases: zero,
      detail: { source: 'winhttp', adapterMac: p.mac, clientName: p.fqdn, gateway: p.ipv6[1] },
    },
    {
      id: 'cache:teams-new',
      kind: 'cache',
      target: 'teams-new',
      status: 'warn',
      durationMs: 1,
      phases: zero,
      detail: {
        path: `C:\\Users\\${p.login}\\AppData\\Local\\Packages\\MSTeams_8wekyb3d8bbwe`,
        account: p.email,
      },
      failure: {
        phase: 'dns',
        code: 'access_denied',
        detail: `cached credentials for ${p.email} could not be read`,
      },
      error: { code: 'EAUTH', message: `the broker replied 401 to Authorization: Bearer ${p.bearer}` },
    },
  ];
  const probes = [...base.probes, ...extra];
  return {
    ...base,
    agent: { version: '0.1.0', os: 'windows', osVersion: '10.0.22631', runtime: 'node 24.1.0' },
    environment: {
      proxy: { source: 'winhttp', url: `http://${p.login}:${p.proxyPassword}@${p.ipv4[0]}:3128` },
      resolvers: [p.ipv4[1], p.ipv6[0]],
    },
    probes,
  };
}

/** The same computer after the fix: every sign-in check passes. */
export function healthyReport(): Report {
  const probes = paste('curl-v-ok.txt');
  const base = manualReport({ probes, startedAt: NOW });
  return {
    ...base,
    agent: { version: '0.1.0', os: 'windows', osVersion: '10.0.22631', runtime: 'node 24.1.0' },
    environment: { proxy: { source: 'none' }, resolvers: [] },
    findings: [],
    verdict: 'healthy',
  };
}
