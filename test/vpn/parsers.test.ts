/**
 * The routing-table parsers and the verdict on recorded output from each platform: which
 * interface carries the default route, whether it is a VPN's, which VPN interfaces are up.
 * Malformed output is a ParseError naming the source, the line and what was expected.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ParseError } from '../../probes/device/lines.ts';
import { assessByName, assessWindows } from '../../probes/vpn/assess.ts';
import { parseProcIpv6Route, parseProcRoute } from '../../probes/vpn/linux.ts';
import { parseNetstat } from '../../probes/vpn/macos.ts';
import { pickDefault } from '../../probes/vpn/routes.ts';
import { parseNetRouteJson, parseRoutePrint } from '../../probes/vpn/windows.ts';
import { fixture, upInterfaces } from './context.ts';

const parseError = (pattern: RegExp) => (err: unknown) =>
  err instanceof ParseError && pattern.test(err.message);

describe('Linux: /proc/net/route and /proc/net/ipv6_route', () => {
  const linux = (
    route: string,
    up: Record<string, Array<[string, string?]>>,
    route6 = 'linux-ipv6-route-plain.txt',
  ) =>
    assessByName(
      'proc',
      upInterfaces(up)(),
      parseProcRoute(fixture(route), 'LE'),
      parseProcIpv6Route(fixture(route6)),
    );

  test('no VPN: the default route is eth0 via its gateway, IPv4 and IPv6', () => {
    assert.deepEqual(parseProcRoute(fixture('linux-route-plain.txt')), [
      { covers: 'all', interface: 'eth0', gateway: '192.168.1.1', metric: 100 },
    ]);
    assert.deepEqual(linux('linux-route-plain.txt', { lo: [['127.0.0.1']], eth0: [['192.168.1.23']] }), {
      source: 'proc',
      active: false,
      defaultRoute: { interface: 'eth0', gateway: '192.168.1.1' },
      // The ::/0 reject route the kernel keeps on lo is not a default route.
      defaultRoute6: { interface: 'eth0', gateway: 'fd00::1' },
      interfaces: [],
      splitTunnel: false,
    });
  });

  test('tun0 carries the default route (lower metric than eth0): active', () => {
    const d = linux('linux-route-tun0-default.txt', { eth0: [['192.168.1.23']], tun0: [['10.99.0.2']] });
    assert.equal(d.active, true);
    assert.deepEqual(d.defaultRoute, { interface: 'tun0' });
    assert.deepEqual(d.interfaces, ['tun0']);
    assert.equal(d.splitTunnel, false);
  });

  test("OpenVPN's def1 halves through tun0 beat eth0's /0", () => {
    const d = linux('linux-route-openvpn-def1.txt', { eth0: [['192.168.1.23']], tun0: [['10.8.8.6']] });
    assert.equal(d.active, true);
    assert.deepEqual(d.defaultRoute, { interface: 'tun0', gateway: '10.8.8.1' });
  });

  test('a WireGuard split tunnel: wg0 is up, eth0 keeps the default route', () => {
    const d = linux('linux-route-wg0-split.txt', { eth0: [['192.168.1.23']], wg0: [['10.8.0.3']] });
    assert.equal(d.active, false);
    assert.equal(d.splitTunnel, true);
    assert.deepEqual(d.interfaces, ['wg0']);
    assert.deepEqual(d.defaultRoute, { interface: 'eth0', gateway: '192.168.1.1' });
  });

  test('a VPN carrying only the IPv6 default route is active too', () => {
    const d = linux('linux-route-wg0-split.txt', { wg0: [['10.8.0.3']] }, 'linux-ipv6-route-wg0-default.txt');
    assert.equal(d.active, true);
    assert.deepEqual(d.defaultRoute6, { interface: 'wg0' });
    assert.equal(d.defaultRoute?.interface, 'eth0');
  });

  test('an unreachable default on tun0 carries nothing; a big-endian machine decodes its words in order', () => {
    assert.equal(linux('linux-route-tun0-unreachable.txt', {}).defaultRoute?.interface, 'eth0');
    const be =
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n' +
      'eth0\t00000000\tC0A80101\t0003\t0\t0\t0\t00000000\n';
    assert.equal(parseProcRoute(be, 'BE')[0].gateway, '192.168.1.1');
    assert.equal(parseProcRoute(be, 'LE')[0].gateway, '1.1.168.192');
  });

  test('malformed tables are ParseErrors naming the file, line and field', () => {
    assert.throws(
      () => parseProcRoute(fixture('linux-route-bad-hex.txt')),
      parseError(/^\/proc\/net\/route: line 3: Destination "0001A8G0" is not 8 hex digits$/),
    );
    assert.throws(
      () => parseProcRoute(fixture('linux-route-truncated.txt')),
      parseError(/^\/proc\/net\/route: line 3: 3 fields, expected at least 8$/),
    );
    assert.throws(() => parseProcRoute(''), parseError(/the file is empty/));
    assert.throws(
      () => parseProcRoute('Name Dest Via\neth0 0 0\n'),
      parseError(/line 1: the header lacks Iface, Destination, Gateway, Flags, Metric, Mask/),
    );
    assert.throws(
      () => parseProcIpv6Route(fixture('linux-ipv6-route-garbage.txt')),
      parseError(/^\/proc\/net\/ipv6_route: line 1: expected 9 hex fields/),
    );
    assert.deepEqual(parseProcIpv6Route(''), []);
  });
});

describe('Windows: Get-NetRoute/Get-NetAdapter JSON and route print -4', () => {
  const laptop = upInterfaces({
    'Ethernet 2': [['10.201.0.57', '00:05:9a:3c:7a:00']],
    'Wi-Fi': [['192.168.1.23', 'f4:8c:50:21:aa:07']],
    'Loopback Pseudo-Interface 1': [['127.0.0.1']],
  });

  test('route print: Cisco AnyConnect carries the default route, named through its MAC', () => {
    const table = parseRoutePrint(fixture('windows-route-print-anyconnect.txt'));
    assert.equal(table.routes.length, 2);
    assert.deepEqual(table.adapters[0], {
      index: 23,
      mac: '00:05:9a:3c:7a:00',
      description: 'Cisco AnyConnect Secure Mobility Client Virtual Miniport Adapter for Windows x64',
    });
    assert.deepEqual(table.adapters.at(-1), { index: 1, description: 'Software Loopback Interface 1' });
    assert.deepEqual(assessWindows(table, laptop()), {
      source: 'route-print',
      active: true,
      defaultRoute: {
        interface: 'Ethernet 2',
        gateway: '10.201.0.1',
        description: 'Cisco AnyConnect Secure Mobility Client Virtual Miniport Adapter for Windows x64',
      },
      interfaces: ['Ethernet 2'],
      splitTunnel: false,
    });
  });

  test('route print: no VPN route; persistent routes are not active ones; a TAP adapter counts only when up', () => {
    const table = parseRoutePrint(fixture('windows-route-print-plain.txt'));
    assert.deepEqual(table.routes, [
      { covers: 'all', interface: '192.168.1.23', gateway: '192.168.1.1', metric: 35 },
    ]);
    const down = assessWindows(table, laptop());
    assert.equal(down.active, false);
    assert.deepEqual(down.interfaces, []);
    assert.deepEqual(down.defaultRoute, {
      interface: 'Wi-Fi',
      gateway: '192.168.1.1',
      description: 'Intel(R) Wi-Fi 6 AX201 160MHz',
    });
    const tapUp = upInterfaces({
      'Wi-Fi': [['192.168.1.23', 'f4:8c:50:21:aa:07']],
      'OpenVPN TAP': [['10.8.0.6', '00:ff:4d:21:9c:0a']],
    });
    const split = assessWindows(table, tapUp());
    assert.equal(split.splitTunnel, true);
    assert.deepEqual(split.interfaces, ['OpenVPN TAP']);
  });

  test('route print on a German Windows: OpenVPN def1 halves, "Auf Verbindung" gateways', () => {
    const table = parseRoutePrint(fixture('windows-route-print-de-openvpn-def1.txt'));
    const d = assessWindows(
      table,
      upInterfaces({
        Ethernet: [['192.168.1.23', '3c:52:82:4a:9e:11']],
        'Ethernet 3': [['10.8.0.6', '00:ff:4d:21:9c:0a']],
      })(),
    );
    assert.equal(d.active, true);
    assert.deepEqual(d.defaultRoute, {
      interface: 'Ethernet 3',
      gateway: '10.8.0.1',
      description: 'TAP-Windows Adapter V9',
    });
  });

  test('PowerShell: GlobalProtect carries the default route (lowest route + interface metric)', () => {
    const d = assessWindows(parseNetRouteJson(fixture('windows-netroute-globalprotect.json')), {});
    assert.deepEqual(d, {
      source: 'netroute',
      active: true,
      defaultRoute: { interface: 'Ethernet 3', description: 'PANGP Virtual Ethernet Adapter Secure' },
      interfaces: ['Ethernet 3'],
      splitTunnel: false,
    });
  });

  test('PowerShell: a WireGuard tunnel is up beside the Wi-Fi default (split); a disconnected Fortinet adapter is not counted', () => {
    const d = assessWindows(parseNetRouteJson(fixture('windows-netroute-wireguard-split.json')), {});
    assert.equal(d.active, false);
    assert.equal(d.splitTunnel, true);
    assert.deepEqual(d.interfaces, ['office']);
    assert.deepEqual(d.defaultRoute, {
      interface: 'Wi-Fi',
      gateway: '192.168.1.1',
      description: 'Intel(R) Wi-Fi 6 AX201 160MHz',
    });
  });

  test('malformed output is a ParseError', () => {
    assert.throws(
      () => parseRoutePrint(fixture('windows-route-print-elevation.txt')),
      parseError(
        /^route print -4: no route rows; expected "destination netmask gateway interface metric" lines$/,
      ),
    );
    assert.throws(
      () => parseNetRouteJson(fixture('windows-netroute-not-recognized.txt')),
      parseError(/^Get-NetRoute\/Get-NetAdapter: the output is not JSON/),
    );
    assert.throws(
      () => parseNetRouteJson(fixture('windows-netroute-wrong-shape.json')),
      parseError(/routes\[0\]\.ifIndex: expected a number$/),
    );
    assert.throws(
      () => parseNetRouteJson('[]'),
      parseError(/expected a JSON object with arrays "routes" and "adapters"/),
    );
  });
});

describe('macOS: netstat -rn -f inet', () => {
  // utun0-3 exist on every Mac (iCloud Private Relay and others), with IPv6 link-local addresses.
  const mac = (extra: Record<string, Array<[string, string?]>> = {}) =>
    upInterfaces({
      lo0: [['127.0.0.1']],
      en0: [['192.168.1.23', 'a4:83:e7:11:22:33']],
      utun0: [['fe80::1%utun0']],
      utun1: [['fe80::2%utun1']],
      ...extra,
    })();

  test('a utun carries the default route (the en0 default is scoped): active', () => {
    const d = assessByName(
      'netstat',
      mac({ utun4: [['10.201.0.57']] }),
      parseNetstat(fixture('macos-netstat-utun-default.txt')),
    );
    assert.deepEqual(d, {
      source: 'netstat',
      active: true,
      defaultRoute: { interface: 'utun4', gateway: '10.201.0.1' },
      interfaces: ['utun4'],
      splitTunnel: false,
    });
  });

  test('no VPN: system utuns that do not carry the default route are not counted', () => {
    const d = assessByName('netstat', mac(), parseNetstat(fixture('macos-netstat-plain.txt')));
    assert.equal(d.active, false);
    assert.deepEqual(d.defaultRoute, { interface: 'en0', gateway: '192.168.1.1' });
    assert.deepEqual(d.interfaces, []);
    assert.equal(d.splitTunnel, false);
  });

  test('Tunnelblick def1 halves on an older netstat with Refs and Use columns', () => {
    const d = assessByName('netstat', mac(), parseNetstat(fixture('macos-netstat-tunnelblick-def1.txt')));
    assert.equal(d.active, true);
    assert.deepEqual(d.defaultRoute, { interface: 'utun2', gateway: '10.8.0.1' });
  });

  test('malformed output is a ParseError', () => {
    assert.throws(
      () => parseNetstat(fixture('macos-netstat-no-header.txt')),
      parseError(/^netstat -rn -f inet: no routing table header/),
    );
    assert.throws(
      () => parseNetstat(fixture('macos-netstat-truncated.txt')),
      parseError(/^netstat -rn -f inet: line 5: 2 fields, expected at least 4$/),
    );
  });
});

test('pickDefault: a lone /1 half or a scoped route does not take the default over an ordinary /0', () => {
  const eth = { covers: 'all' as const, interface: 'eth0', metric: 100 };
  assert.equal(pickDefault([eth, { covers: 'low', interface: 'tun0', metric: 0 }])?.interface, 'eth0');
  assert.equal(
    pickDefault([{ ...eth, interface: 'utun3', metric: 0, scoped: true }, eth])?.interface,
    'eth0',
  );
  assert.equal(pickDefault([]), null);
});
