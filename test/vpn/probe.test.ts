/**
 * probeVpn end to end with injected commands and files: what it reads on each platform (and
 * nothing else), the Windows fallback from PowerShell to `route print`, and how unreadable
 * output, missing files and the deadline show in the result.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  NET_ROUTE_QUERY,
  NETSTAT,
  PROC_ROUTE,
  PROC_ROUTE6,
  probeVpn,
  ROUTE_PRINT,
} from '../../probes/vpn.ts';
import { fixture, upInterfaces, vpnOptions } from './context.ts';

type Answer = string | Error;

/** A runner answering by executable, recording each call. */
function commands(answers: Record<string, Answer>, calls: string[] = []) {
  return async (cmd: string, args: string[]) => {
    calls.push([cmd, ...args].join(' '));
    const answer = answers[cmd];
    if (answer === undefined) throw Object.assign(new Error(`unexpected command ${cmd}`), { code: 'ENOENT' });
    if (answer instanceof Error) throw answer;
    return answer;
  };
}

/** A readFile answering by path, recording each read. */
function files(answers: Record<string, Answer>, reads: string[] = []) {
  return async (path: string) => {
    reads.push(path);
    const answer = answers[path];
    if (answer === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    if (answer instanceof Error) throw answer;
    return answer;
  };
}

const enoent = (what: string) => Object.assign(new Error(`spawn ${what} ENOENT`), { code: 'ENOENT' });
const never = () => new Promise<string>(() => {});

/** A read or command that never returns, and `started`, which resolves once it has been called. */
function stuck() {
  let called = () => {};
  const started = new Promise<void>((resolve) => {
    called = resolve;
  });
  return {
    started,
    fn: () => {
      called();
      return never();
    },
  };
}

const STILL_RUNNING = Symbol('still running');

/**
 * The probe's result, which must be ready as soon as the abort has run: no timer and no I/O
 * stand between the deadline and the result, so it settles before the event loop's next turn.
 */
async function endedByAbort<T>(pending: Promise<T>): Promise<T> {
  const nextTurn = new Promise<typeof STILL_RUNNING>((resolve) => setImmediate(() => resolve(STILL_RUNNING)));
  const first = await Promise.race([pending, nextTurn]);
  if (first === STILL_RUNNING) assert.fail('the probe was still waiting on its stuck call after the abort');
  return first;
}

describe('Linux', () => {
  test('reads /proc/net/route and /proc/net/ipv6_route, runs nothing, and passes with the facts', async () => {
    const reads: string[] = [];
    const calls: string[] = [];
    const r = await probeVpn(
      { platform: 'linux' },
      vpnOptions({
        readFile: files(
          {
            [PROC_ROUTE]: fixture('linux-route-tun0-default.txt'),
            [PROC_ROUTE6]: fixture('linux-ipv6-route-plain.txt'),
          },
          reads,
        ),
        run: commands({}, calls),
        interfaces: upInterfaces({ eth0: [['192.168.1.23']], tun0: [['10.99.0.2']] }),
        endianness: 'LE',
      }),
    );
    assert.deepEqual(reads, [PROC_ROUTE, PROC_ROUTE6]);
    assert.deepEqual(calls, []);
    assert.equal(r.id, 'vpn:routes');
    assert.equal(r.kind, 'vpn');
    assert.equal(r.status, 'pass');
    assert.deepEqual(r.phases, { dns: 0, connect: 0, proxy: 0, tls: 0, firstByte: 0 });
    assert.equal(r.failure, undefined);
    assert.equal(r.detail.active, true);
    assert.deepEqual(r.detail.defaultRoute, { interface: 'tun0' });
    assert.deepEqual(r.detail.interfaces, ['tun0']);
  });

  test('a kernel without IPv6 (no ipv6_route file) still passes', async () => {
    const r = await probeVpn(
      { platform: 'linux' },
      vpnOptions({
        readFile: files({ [PROC_ROUTE]: fixture('linux-route-plain.txt') }),
        interfaces: upInterfaces({}),
      }),
    );
    assert.equal(r.status, 'pass');
    assert.equal(r.detail.active, false);
    assert.equal(r.detail.defaultRoute6, null);
  });

  test('an unreadable table is an error: parse_error for nonsense, internal with the errno otherwise', async () => {
    const bad = await probeVpn(
      { platform: 'linux' },
      vpnOptions({
        readFile: files({ [PROC_ROUTE]: fixture('linux-route-bad-hex.txt'), [PROC_ROUTE6]: '' }),
      }),
    );
    assert.equal(bad.status, 'error');
    assert.equal(bad.failure?.code, 'parse_error');
    assert.match(bad.failure?.detail ?? '', /^\/proc\/net\/route: line 3: Destination/);
    assert.equal(bad.error?.code, 'parse_error');
    assert.deepEqual(bad.detail, {});
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const noAccess = await probeVpn(
      { platform: 'linux' },
      vpnOptions({ readFile: files({ [PROC_ROUTE]: denied }) }),
    );
    assert.equal(noAccess.status, 'error');
    assert.equal(noAccess.failure?.code, 'internal');
    assert.equal(noAccess.error?.code, 'EACCES');
  });

  test('a read that never returns ends at the deadline as a timeout', async () => {
    const controller = new AbortController();
    const read = stuck();
    const pending = probeVpn({ platform: 'linux' }, vpnOptions({ readFile: read.fn }, controller.signal));
    await read.started; // the read is in flight…
    controller.abort(); // …when the runner's deadline fires
    const r = await endedByAbort(pending);
    assert.equal(r.status, 'fail');
    assert.equal(r.failure?.code, 'timeout');
    assert.match(r.failure?.detail ?? '', /reading \/proc\/net\/route did not finish before the deadline/);
    assert.equal(r.error?.code, 'ABORT_ERR');
  });
});

describe('Windows', () => {
  test('PowerShell answers: one command, argument list, no route print', async () => {
    const calls: string[] = [];
    const r = await probeVpn(
      { platform: 'win32' },
      vpnOptions({
        run: commands({ 'powershell.exe': fixture('windows-netroute-globalprotect.json') }, calls),
        interfaces: upInterfaces({}),
      }),
    );
    assert.deepEqual(calls, [[NET_ROUTE_QUERY.cmd, ...NET_ROUTE_QUERY.args].join(' ')]);
    assert.equal(r.status, 'pass');
    assert.equal(r.detail.source, 'netroute');
    assert.equal(r.detail.active, true);
  });

  for (const [why, answer] of [
    ['missing', enoent('powershell.exe')],
    ['prints an error instead of JSON', fixture('windows-netroute-not-recognized.txt')],
  ] as const) {
    test(`PowerShell ${why}: route print -4 decides`, async () => {
      const calls: string[] = [];
      const r = await probeVpn(
        { platform: 'win32' },
        vpnOptions({
          run: commands(
            { 'powershell.exe': answer, 'route.exe': fixture('windows-route-print-anyconnect.txt') },
            calls,
          ),
          interfaces: upInterfaces({ 'Ethernet 2': [['10.201.0.57', '00:05:9a:3c:7a:00']] }),
        }),
      );
      assert.equal(calls.length, 2);
      assert.equal(calls[1], [ROUTE_PRINT.cmd, ...ROUTE_PRINT.args].join(' '));
      assert.equal(r.status, 'pass');
      assert.equal(r.detail.source, 'route-print');
      assert.deepEqual(r.detail.interfaces, ['Ethernet 2']);
    });
  }

  test('both unreadable: parse_error naming both sources', async () => {
    const r = await probeVpn(
      { platform: 'win32' },
      vpnOptions({
        run: commands({
          'powershell.exe': fixture('windows-netroute-not-recognized.txt'),
          'route.exe': fixture('windows-route-print-elevation.txt'),
        }),
      }),
    );
    assert.equal(r.status, 'error');
    assert.equal(r.failure?.code, 'parse_error');
    assert.match(
      r.failure?.detail ?? '',
      /^route print -4: no route rows.*\(Get-NetRoute before it: .*not JSON/,
    );
  });

  test('PowerShell hanging past the deadline is a timeout, without a late route print', async () => {
    const controller = new AbortController();
    const calls: string[] = [];
    const powershell = stuck();
    const run = async (cmd: string, args: string[]) => {
      calls.push(cmd);
      return cmd === 'powershell.exe' ? powershell.fn() : commands({ 'route.exe': '' })(cmd, args);
    };
    const pending = probeVpn({ platform: 'win32' }, vpnOptions({ run }, controller.signal));
    await powershell.started;
    controller.abort();
    const r = await endedByAbort(pending);
    assert.equal(r.status, 'fail');
    assert.equal(r.failure?.code, 'timeout');
    // A fallback started after the deadline would show up here a turn later.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, ['powershell.exe']);
  });
});

describe('macOS and others', () => {
  test('macOS runs netstat -rn -f inet', async () => {
    const calls: string[] = [];
    const r = await probeVpn(
      { platform: 'darwin' },
      vpnOptions({
        run: commands({ '/usr/sbin/netstat': fixture('macos-netstat-utun-default.txt') }, calls),
        interfaces: upInterfaces({ en0: [['192.168.1.23']], utun4: [['10.201.0.57']] }),
      }),
    );
    assert.deepEqual(calls, [[NETSTAT.cmd, ...NETSTAT.args].join(' ')]);
    assert.equal(r.status, 'pass');
    assert.deepEqual(r.detail.defaultRoute, { interface: 'utun4', gateway: '10.201.0.1' });
  });

  test('macOS: netstat failing to start is an error, not a verdict', async () => {
    const r = await probeVpn({ platform: 'darwin' }, vpnOptions({ run: commands({}) }));
    assert.equal(r.status, 'error');
    assert.equal(r.failure?.code, 'internal');
    assert.equal(r.error?.code, 'ENOENT');
  });

  test('elsewhere the probe is skipped as not applicable', async () => {
    const r = await probeVpn({ platform: 'freebsd' }, vpnOptions());
    assert.equal(r.status, 'skipped');
    assert.equal(r.failure?.code, 'not_applicable');
  });
});
