/**
 * From device-state probe results to findings: the device and broker probes run on E's recorded
 * command output (test/fixtures/device) through an injected runner, beside one healthy
 * endpoint, and diagnose() must name `device.not_registered` and/or `broker.unhealthy` in rank
 * order, citing the probe ids; a healthy device gives no finding. adaptive-expressions, the
 * reference evaluator, agrees on every report.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { probeBroker } from '../../probes/broker.ts';
import { probeDevice } from '../../probes/device.ts';
import { diagnose } from '../../probes/diagnosis/index.ts';
import { type ProbeResult, zeroPhases } from '../../probes/types.ts';
import { fakeRunner, fixture, options } from '../device/context.ts';
import { diagnoseWithAdaptiveExpressions } from './oracle.ts';

const HOST = 'login.example.test';
const ok = (name: string) => ({ stdout: fixture(name), code: 0 });

function pass(id: string, detail: object): ProbeResult {
  return {
    id,
    kind: id.split(':')[0] as ProbeResult['kind'],
    target: id.slice(id.indexOf(':') + 1),
    status: 'pass',
    durationMs: 1,
    phases: zeroPhases(),
    detail: detail as Record<string, unknown>,
  };
}

/** The device probes' results beside a required endpoint that works on every layer. */
function reportWith(device: ProbeResult[]) {
  return {
    endpoints: [{ host: HOST, port: 443, purpose: 'auth' as const, required: true }],
    environment: { proxy: { source: 'none' as const }, resolvers: [] },
    publicResolvers: [],
    probes: [
      pass(`dns:${HOST}@system`, { addresses: ['20.190.128.1'], cname: [] }),
      pass(`tcp:${HOST}:443`, {}),
      pass(`tls:${HOST}:443`, {}),
      pass(`https:${HOST}:443`, { status: 200 }),
      ...device,
    ],
  };
}

/** Diagnoses with both engines, asserts they agree, and returns [id, evidence] pairs and the verdict. */
function findings(device: ProbeResult[]) {
  const report = reportWith(device);
  const d = diagnose(report);
  assert.deepEqual(diagnoseWithAdaptiveExpressions(report), d, 'adaptive-expressions agrees');
  for (const f of d.findings) assert.equal(f.severity, 'blocking', f.id);
  return { ids: d.findings.map((f) => [f.id, f.evidence]), verdict: d.verdict };
}

describe('Windows (dsregcmd /status, Get-AppxPackage)', () => {
  async function windows(dsregcmd: string, appx: string): Promise<ProbeResult[]> {
    const run = fakeRunner({ 'dsregcmd.exe': ok(dsregcmd), 'powershell.exe': ok(appx) });
    const win = { platform: 'win32' } as const;
    return [await probeDevice(win, options({ run })), await probeBroker(win, options({ run }))];
  }

  test('not joined to anything: device.not_registered citing device:registration', async () => {
    const probes = await windows('dsregcmd-not-joined.txt', 'appx-broker-ok.txt');
    assert.equal(probes[0].failure?.code, 'not_registered');
    assert.deepEqual(findings(probes), {
      ids: [['device.not_registered', ['device:registration']]],
      verdict: 'problems',
    });
  });

  test('joined but without a PRT: device.not_registered', async () => {
    const probes = await windows('dsregcmd-prt-missing.txt', 'appx-broker-ok.txt');
    assert.equal(probes[0].failure?.code, 'sso_token_missing');
    assert.deepEqual(findings(probes).ids, [['device.not_registered', ['device:registration']]]);
  });

  test('the broker package missing: broker.unhealthy citing broker:wam', async () => {
    const probes = await windows('dsregcmd-entra-joined.txt', 'appx-broker-missing.txt');
    assert.equal(probes[1].failure?.code, 'broker_missing');
    assert.deepEqual(findings(probes), {
      ids: [['broker.unhealthy', ['broker:wam']]],
      verdict: 'problems',
    });
  });

  test('both at once: device.not_registered before broker.unhealthy (rank order)', async () => {
    const probes = await windows('dsregcmd-not-joined.txt', 'appx-broker-missing.txt');
    assert.deepEqual(findings(probes).ids, [
      ['device.not_registered', ['device:registration']],
      ['broker.unhealthy', ['broker:wam']],
    ]);
  });

  test('an Entra-joined device with a fresh PRT and a healthy broker: no finding, healthy', async () => {
    const probes = await windows('dsregcmd-entra-joined.txt', 'appx-broker-ok.txt');
    assert.deepEqual(
      probes.map((p) => p.status),
      ['pass', 'pass'],
    );
    assert.deepEqual(findings(probes), { ids: [], verdict: 'healthy' });
  });
});

describe('macOS (app-sso platform -s, Company Portal)', () => {
  async function mac(appSso: string, companyPortal: boolean): Promise<ProbeResult[]> {
    const run = fakeRunner({
      '/usr/bin/app-sso': ok(appSso),
      '/usr/bin/defaults': { stdout: '5.2410.1\n', code: 0 },
    });
    const exists = async (path: string) => companyPortal && path === '/Applications/Company Portal.app';
    const darwin = { platform: 'darwin' } as const;
    return [
      await probeDevice(darwin, options({ run, exists })),
      await probeBroker(darwin, options({ run, exists })),
    ];
  }

  test('Platform SSO: the user has not registered: device.not_registered', async () => {
    const probes = await mac('app-sso-user-not-registered.txt', true);
    assert.deepEqual(findings(probes), {
      ids: [['device.not_registered', ['device:registration']]],
      verdict: 'problems',
    });
  });

  test('no Platform SSO and no Company Portal: both findings, in rank order', async () => {
    const probes = await mac('app-sso-not-configured.txt', false);
    assert.deepEqual(findings(probes).ids, [
      ['device.not_registered', ['device:registration']],
      ['broker.unhealthy', ['broker:platform-sso']],
    ]);
  });

  test('a registered Mac with Company Portal: no finding, healthy', async () => {
    const probes = await mac('app-sso-registered.txt', true);
    assert.deepEqual(findings(probes), { ids: [], verdict: 'healthy' });
  });
});
