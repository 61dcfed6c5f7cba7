/**
 * `route:<host>`: which interface and gateway carry each address of one Microsoft host, and
 * whether that is a VPN tunnel, from the operating system's own route lookup (Linux
 * `ip route get`, Windows `Find-NetRoute`, macOS `route -n get`). It sends nothing beyond the
 * name lookup; the routes themselves are read, not tested. Diagnosis joins them with the
 * connection probes: Optimize traffic through a tunnel, or a split tunnel that sends Microsoft
 * down the path that fails.
 */
import type { ProbeOptions } from './context.ts';
import { CommandError, execStdout, runCommand } from './device/command.ts';
import { ParseError } from './device/lines.ts';
import { resolveHost } from './dns/resolve.ts';
import { InterlockError } from './interlock.ts';
import { finish, internalError, startRun } from './net/result.ts';
import {
  parseFindNetRoute,
  parseIpRouteGet,
  parseRouteGet,
  type RouteHop,
  rangeOf,
  routeCommand,
} from './route/parse.ts';
import type { ProbeResult } from './types.ts';
import { zeroPhases } from './types.ts';

export type { RouteHop } from './route/parse.ts';

export interface RouteTarget {
  host: string;
  platform: NodeJS.Platform;
  /** The catalog's Optimize ranges: each hop says which one holds its address. */
  optimizeRanges: readonly string[];
}

export interface RouteDetail {
  routes: Array<RouteHop & { optimize: string | null }>;
}

export interface RouteProbeOptions extends ProbeOptions {
  /** Defaults to execFile; tests inject recorded output. */
  run?: (cmd: string, args: string[], options?: { signal: AbortSignal }) => Promise<string>;
}

/** At most this many addresses of one host are looked up: the first ones are what clients try. */
const MAX_ADDRESSES = 2;

export async function probeRoute(
  target: RouteTarget,
  options: RouteProbeOptions,
): Promise<ProbeResult<RouteDetail>> {
  const run = startRun('route', target.host);
  const phases = zeroPhases();
  const detail: RouteDetail = { routes: [] };
  const fail = (
    status: 'fail' | 'error' | 'skipped',
    code: 'dns_error' | 'parse_error' | 'timeout' | 'not_applicable' | 'interlock' | 'internal',
    message: string,
  ) =>
    finish(run, {
      status,
      phases,
      detail,
      failure: { phase: 'setup', code, detail: message },
      error: { code, message },
    });
  try {
    if (routeCommand(target.platform, '127.0.0.1') === null)
      return fail('skipped', 'not_applicable', `route lookups are not supported on ${target.platform}`);
    let addresses: string[];
    try {
      addresses = (await resolveHost(target.host, options.ctx, options.signal)).addresses;
    } catch (err) {
      if (err instanceof InterlockError) return fail('error', 'interlock', err.message);
      // The dns probes say why the name fails; without an address there is no route to read.
      return fail('skipped', 'not_applicable', `${target.host} did not resolve: ${(err as Error).message}`);
    }
    const exec = options.run ?? execStdout;
    for (const address of addresses.slice(0, MAX_ADDRESSES)) {
      const command = routeCommand(target.platform, address)!;
      const out = await runCommand(
        async (c, a, o) => ({ stdout: await exec(c, a, o), code: 0 }),
        command.cmd,
        command.args,
        options.signal,
      );
      const parse =
        target.platform === 'linux'
          ? parseIpRouteGet
          : target.platform === 'darwin'
            ? parseRouteGet
            : parseFindNetRoute;
      const hop = parse(out.stdout, address);
      detail.routes.push({ ...hop, optimize: rangeOf(address, target.optimizeRanges) });
    }
    return finish(run, { status: 'pass', phases, detail });
  } catch (err) {
    if (err instanceof ParseError) return fail('error', 'parse_error', err.message);
    if (err instanceof CommandError && err.kind === 'timeout') return fail('fail', 'timeout', err.message);
    return internalError(run, phases, detail, err);
  }
}
