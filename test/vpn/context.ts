/**
 * Shared set-up for the VPN probe tests: recorded routing tables from test/fixtures/vpn, a
 * stand-in for os.networkInterfaces(), and probe options with the lab interlock on (the probe
 * sends nothing; the interlock is on all the same, as for every probe test).
 */
import { readFileSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import type { UpInterfaces } from '../../probes/vpn/assess.ts';
import type { VpnProbeOptions } from '../../probes/vpn.ts';
import { labContext } from '../lab/context.ts';

export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/vpn/${name}`, import.meta.url), 'utf8');
}

/**
 * Interfaces that are up, as os.networkInterfaces() lists them: name → [address, MAC?] pairs.
 * The MAC defaults to all zeros, as Node reports for tunnels.
 */
export function upInterfaces(spec: Record<string, Array<[string, string?]>>): () => UpInterfaces {
  const list = Object.fromEntries(
    Object.entries(spec).map(([name, addresses]) => [
      name,
      addresses.map(([address, mac]): NetworkInterfaceInfo => {
        const v6 = address.includes(':');
        const common = {
          address,
          mac: mac ?? '00:00:00:00:00:00',
          internal: name.startsWith('lo'),
          cidr: null,
        };
        return v6
          ? { ...common, family: 'IPv6', netmask: 'ffff:ffff:ffff:ffff::', scopeid: 0 }
          : { ...common, family: 'IPv4', netmask: '255.255.255.0' };
      }),
    ]),
  );
  return () => list;
}

export function vpnOptions(
  extra: Partial<VpnProbeOptions> = {},
  signal: AbortSignal = new AbortController().signal,
): VpnProbeOptions {
  return { signal, deadline: Date.now() + 3000, ctx: labContext(), ...extra };
}
