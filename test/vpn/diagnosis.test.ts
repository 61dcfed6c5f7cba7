/**
 * From the VPN probe's result to the `vpn.active` finding: info only, so a healthy network with
 * a VPN stays healthy; a split tunnel or no VPN gives no finding. The agent's rule interpreter
 * and adaptive-expressions (the reference) agree on each report.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnose } from '../../probes/diagnosis/index.ts';
import { type ProbeResult, zeroPhases } from '../../probes/types.ts';
import { PROC_ROUTE, PROC_ROUTE6, probeVpn } from '../../probes/vpn.ts';
import { diagnoseWithAdaptiveExpressions } from '../diagnosis/oracle.ts';
import { fixture, upInterfaces, vpnOptions } from './context.ts';

const HOST = 'login.example.test';

/** A required sign-in endpoint that resolves to a public address and answers on every layer. */
function healthyEndpoint(): ProbeResult[] {
  const pass = (id: string, detail: object): ProbeResult => ({
    id,
    kind: id.split(':')[0] as ProbeResult['kind'],
    target: id.slice(id.indexOf(':') + 1),
    status: 'pass',
    durationMs: 1,
    phases: zeroPhases(),
    detail: detail as Record<string, unknown>,
  });
  return [
    pass(`dns:${HOST}@system`, { addresses: ['20.190.128.1'], cname: [] }),
    pass(`tcp:${HOST}:443`, {}),
    pass(`tls:${HOST}:443`, {}),
    pass(`https:${HOST}:443`, { status: 200 }),
  ];
}

async function report(route: string, up: Record<string, Array<[string, string?]>>) {
  const vpn = await probeVpn(
    { platform: 'linux' },
    vpnOptions({
      readFile: async (path) =>
        path === PROC_ROUTE
          ? fixture(route)
          : path === PROC_ROUTE6
            ? fixture('linux-ipv6-route-plain.txt')
            : '',
      interfaces: upInterfaces(up),
      endianness: 'LE',
    }),
  );
  assert.equal(vpn.status, 'pass');
  return {
    endpoints: [{ host: HOST, port: 443, purpose: 'auth' as const, required: true }],
    environment: { proxy: { source: 'none' as const }, resolvers: [] },
    publicResolvers: [],
    probes: [...healthyEndpoint(), vpn as ProbeResult],
  };
}

test('a VPN carrying the default route: vpn.active (info), citing vpn:routes; the verdict stays healthy', async () => {
  const r = await report('linux-route-tun0-default.txt', { eth0: [['192.168.1.23']], tun0: [['10.99.0.2']] });
  const d = diagnose(r);
  assert.deepEqual(
    d.findings.map((f) => [f.id, f.severity, f.evidence]),
    [['vpn.active', 'info', ['vpn:routes']]],
  );
  assert.deepEqual(d.findings[0].facts, { interfaces: ['tun0'] });
  assert.equal(d.verdict, 'healthy');
  assert.deepEqual(diagnoseWithAdaptiveExpressions(r), d);
});

test('a split tunnel or no VPN at all: no finding', async () => {
  const cases: Array<[string, Record<string, Array<[string]>>]> = [
    ['linux-route-wg0-split.txt', { eth0: [['192.168.1.23']], wg0: [['10.8.0.3']] }],
    ['linux-route-plain.txt', { eth0: [['192.168.1.23']] }],
  ];
  for (const [route, up] of cases) {
    const r = await report(route, up);
    const d = diagnose(r);
    assert.deepEqual(d.findings, [], route);
    assert.equal(d.verdict, 'healthy');
    assert.deepEqual(diagnoseWithAdaptiveExpressions(r), d);
  }
});
