/**
 * The route lookups per OS, on recorded outputs: which interface and next hop carry an
 * address, and whether that interface is a VPN tunnel. Malformed output is a ParseError.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParseError } from '../../probes/device/lines.ts';
import {
  parseFindNetRoute,
  parseIpRouteGet,
  parseRouteGet,
  rangeOf,
  routeCommand,
} from '../../probes/route/parse.ts';

test('Linux ip -j route get: via a gateway on the LAN, and into a WireGuard tunnel', () => {
  const lan =
    '[{"dst":"52.112.0.5","gateway":"192.168.1.1","dev":"wlp2s0","prefsrc":"192.168.1.23","flags":[],"uid":1000,"cache":[]}]';
  assert.deepEqual(parseIpRouteGet(lan, '52.112.0.5'), {
    address: '52.112.0.5',
    interface: 'wlp2s0',
    gateway: '192.168.1.1',
    tunnel: false,
  });
  const wg = '[{"dst":"20.190.128.10","dev":"wg0","prefsrc":"10.6.0.2","flags":[],"uid":0,"cache":[]}]\n';
  assert.deepEqual(parseIpRouteGet(wg, '20.190.128.10'), {
    address: '20.190.128.10',
    interface: 'wg0',
    gateway: null,
    tunnel: true,
  });
});

test('macOS route -n get: utun carrying a Microsoft address is a tunnel, en0 is not', () => {
  const utun = `   route to: 52.112.0.5
destination: 52.112.0.0
       mask: 255.252.0.0
  interface: utun4
      flags: <UP,DONE,CLONING,STATIC>
 recvpipe  sendpipe  ssthresh  rtt,msec    rttvar  hopcount      mtu     expire
       0         0         0         0         0         0      1380         0
`;
  assert.deepEqual(parseRouteGet(utun, '52.112.0.5'), {
    address: '52.112.0.5',
    interface: 'utun4',
    gateway: null,
    tunnel: true,
  });
  const en0 = `   route to: 20.190.128.10
destination: default
       mask: default
    gateway: 192.168.0.1
  interface: en0
      flags: <UP,GATEWAY,DONE,STATIC,PRCLONING,GLOBAL>
`;
  assert.deepEqual(parseRouteGet(en0, '20.190.128.10'), {
    address: '20.190.128.10',
    interface: 'en0',
    gateway: '192.168.0.1',
    tunnel: false,
  });
});

test('Windows Find-NetRoute with the adapter description: AnyConnect is a tunnel by description', () => {
  const vpn =
    '{"InterfaceAlias":"Ethernet 3","NextHop":"10.10.0.1","InterfaceDescription":"Cisco AnyConnect Secure Mobility Client Virtual Miniport Adapter for Windows x64"}';
  assert.deepEqual(parseFindNetRoute(vpn, '52.113.1.1'), {
    address: '52.113.1.1',
    interface: 'Ethernet 3',
    gateway: '10.10.0.1',
    tunnel: true,
  });
  const wifi =
    '{"InterfaceAlias":"Wi-Fi","NextHop":"0.0.0.0","InterfaceDescription":"Intel(R) Wi-Fi 6 AX201 160MHz"}';
  assert.deepEqual(parseFindNetRoute(wifi, '52.113.1.1'), {
    address: '52.113.1.1',
    interface: 'Wi-Fi',
    gateway: null,
    tunnel: false,
  });
});

test('malformed outputs are parse errors naming the command', () => {
  assert.throws(() => parseIpRouteGet('RTNETLINK answers: Network is unreachable', '1.2.3.4'), ParseError);
  assert.throws(() => parseIpRouteGet('[{"dst":"1.2.3.4"}]', '1.2.3.4'), /ip route get: named no interface/);
  assert.throws(
    () => parseRouteGet('route: writing to routing socket: not in table', '1.2.3.4'),
    /route -n get/,
  );
  assert.throws(
    () => parseFindNetRoute('Find-NetRoute : The term is not recognized', '1.2.3.4'),
    /Find-NetRoute/,
  );
});

test('the commands are argument lists, and only an IP address gets into one', () => {
  assert.deepEqual(routeCommand('linux', '52.112.0.5'), {
    cmd: 'ip',
    args: ['-j', 'route', 'get', '52.112.0.5'],
  });
  assert.deepEqual(routeCommand('darwin', '2603:1063::1'), {
    cmd: '/sbin/route',
    args: ['-n', 'get', '2603:1063::1'],
  });
  assert.match(routeCommand('win32', '52.112.0.5')?.args.at(-1) ?? '', /-RemoteIPAddress '52\.112\.0\.5'/);
  assert.throws(
    () => routeCommand('win32', "1.2.3.4'; Remove-Item C:\\ -Recurse; '"),
    /is not an IP address/,
  );
  assert.equal(routeCommand('freebsd', '1.2.3.4'), null);
});

test('rangeOf finds the Optimize range of an address, IPv4 and IPv6, and nothing outside them', () => {
  const ranges = ['13.107.64.0/18', '52.112.0.0/14', '2603:1063::/38'];
  assert.equal(rangeOf('52.115.255.255', ranges), '52.112.0.0/14');
  assert.equal(rangeOf('52.116.0.0', ranges), null);
  assert.equal(rangeOf('13.107.127.1', ranges), '13.107.64.0/18');
  assert.equal(rangeOf('2603:1063:3ff::9', ranges), '2603:1063::/38');
  assert.equal(rangeOf('2603:1063:400::9', ranges), null);
  assert.equal(rangeOf('not-an-ip', ranges), null);
});
