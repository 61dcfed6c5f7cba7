/**
 * `vpn:routes`: does a VPN carry this computer's default route? Teams' traffic then leaves
 * through the VPN's gateway, with its DNS, proxy and inspection. A fact, not a failure: the
 * probe passes whenever it could read the routes, and diagnosis reports `vpn.active` as info.
 * It reads the routing table and interface names only (Linux /proc/net/route and
 * /proc/net/ipv6_route, Windows Get-NetRoute or `route print`, macOS netstat) and sends nothing.
 */
import { readFile as fsReadFile } from 'node:fs/promises';
import os from 'node:os';
import type { ProbeOptions } from './context.ts';
import { CommandError, execStdout, runCommand } from './device/command.ts';
import { ParseError } from './device/lines.ts';
import { finish, startRun } from './net/result.ts';
import type { ProbeFailure, ProbeResult } from './types.ts';
import { zeroPhases } from './types.ts';
import { assessByName, assessWindows, type UpInterfaces, type VpnDetail } from './vpn/assess.ts';
import { parseProcIpv6Route, parseProcRoute } from './vpn/linux.ts';
import { NETSTAT, parseNetstat } from './vpn/macos.ts';
import {
  NET_ROUTE_QUERY,
  parseNetRouteJson,
  parseRoutePrint,
  ROUTE_PRINT,
  type WindowsTable,
} from './vpn/windows.ts';

export type { VpnDetail, VpnRoute } from './vpn/assess.ts';
export { NET_ROUTE_QUERY, NETSTAT, ROUTE_PRINT };

export interface VpnTarget {
  platform: NodeJS.Platform;
}

/** Runs a command from an argument list and returns its standard output; rejects on a non-zero exit. */
export type StdoutRunner = (
  cmd: string,
  args: string[],
  options?: { signal: AbortSignal },
) => Promise<string>;

export interface VpnProbeOptions extends ProbeOptions {
  /** Defaults to execFile. Tests inject recorded output here. */
  run?: StdoutRunner;
  /** Defaults to fs.readFile (UTF-8). */
  readFile?: (path: string, options?: { signal: AbortSignal }) => Promise<string>;
  /** Defaults to os.networkInterfaces(), which lists interfaces that are up and have an address. */
  interfaces?: () => UpInterfaces;
  /** Byte order of /proc/net/route's hex words; defaults to os.endianness(). */
  endianness?: 'LE' | 'BE';
}

export const PROC_ROUTE = '/proc/net/route';
export const PROC_ROUTE6 = '/proc/net/ipv6_route';

type Result = ProbeResult<Partial<VpnDetail>>;

/** Both Windows sources failed: the detail names both. */
class BothFailed extends Error {
  readonly last: unknown;
  constructor(first: unknown, last: unknown) {
    super(`${messageOf(last)} (Get-NetRoute before it: ${messageOf(first)})`);
    this.last = last;
  }
}

/**
 * `vpn:routes`. pass with the facts whenever the routes could be read; error (parse_error)
 * when the output makes no sense; fail (timeout) at the deadline; skipped off Linux, Windows
 * and macOS.
 */
export async function probeVpn(target: VpnTarget, options: VpnProbeOptions): Promise<Result> {
  const run = startRun('vpn', 'routes');
  const done = (
    status: Result['status'],
    detail: Partial<VpnDetail>,
    failure?: ProbeFailure,
    err?: unknown,
  ) =>
    finish(run, {
      status,
      phases: zeroPhases(),
      detail,
      ...(failure ? { failure } : {}),
      ...(failure && err !== undefined
        ? { error: { code: String((err as { code?: unknown }).code ?? 'internal'), message: failure.detail } }
        : {}),
    });
  try {
    const detail = await readRoutes(target.platform, options);
    if (detail) return done('pass', detail);
    return done(
      'skipped',
      {},
      {
        phase: 'setup',
        code: 'not_applicable',
        detail: `Reading the routing table is not supported on ${target.platform}.`,
      },
    );
  } catch (caught) {
    const err = caught instanceof BothFailed ? caught.last : caught;
    const detail = messageOf(caught);
    if (err instanceof ParseError)
      return done('error', {}, { phase: 'response', code: 'parse_error', detail }, err);
    // A command or read cut off by the deadline timed out (a fail); one that could not run is an error.
    if (err instanceof CommandError && err.kind === 'timeout')
      return done('fail', {}, { phase: 'setup', code: 'timeout', detail }, err);
    return done('error', {}, { phase: 'setup', code: 'internal', detail }, err ?? {});
  }
}

/** The detail for a platform, or null where the probe has no way to read routes. */
async function readRoutes(platform: NodeJS.Platform, options: VpnProbeOptions): Promise<VpnDetail | null> {
  const up = () => (options.interfaces ?? os.networkInterfaces)();
  const exec = (command: { cmd: string; args: string[] }) => stdout(options, command);
  if (platform === 'linux') {
    const read = (path: string) => bounded(options, path);
    const v4 = parseProcRoute(await read(PROC_ROUTE), options.endianness ?? os.endianness());
    // Without IPv6 in the kernel the file does not exist: no IPv6 routes, not an error.
    const v6 = await read(PROC_ROUTE6).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    return assessByName('proc', up(), v4, parseProcIpv6Route(v6));
  }
  if (platform === 'darwin') return assessByName('netstat', up(), parseNetstat(await exec(NETSTAT)));
  if (platform === 'win32') return assessWindows(await windowsTable(exec), up());
  return null;
}

/** Get-NetRoute first (adapters joined by index, with status); `route print` where PowerShell fails. */
async function windowsTable(
  exec: (command: { cmd: string; args: string[] }) => Promise<string>,
): Promise<WindowsTable> {
  try {
    return parseNetRouteJson(await exec(NET_ROUTE_QUERY));
  } catch (first) {
    // Out of time is out of time; anything else (PowerShell blocked, missing, odd output) falls back.
    if (first instanceof CommandError && first.kind === 'timeout') throw first;
    try {
      return parseRoutePrint(await exec(ROUTE_PRINT));
    } catch (last) {
      throw new BothFailed(first, last);
    }
  }
}

/** A command's output, ended by options.signal even when an injected runner ignores it. */
async function stdout(options: VpnProbeOptions, command: { cmd: string; args: string[] }): Promise<string> {
  const run = options.run ?? execStdout;
  const out = await runCommand(
    async (cmd, args, o) => ({ stdout: await run(cmd, args, o), code: 0 }),
    command.cmd,
    command.args,
    options.signal,
  );
  return out.stdout;
}

/** A file's text, ended by options.signal as commands are. Filesystem errors pass through unchanged. */
async function bounded(options: VpnProbeOptions, path: string): Promise<string> {
  const { signal } = options;
  const read =
    options.readFile ??
    ((p: string, o?: { signal: AbortSignal }) => fsReadFile(p, { encoding: 'utf8', ...o }));
  const timeout = () =>
    new CommandError('timeout', 'ABORT_ERR', `reading ${path} did not finish before the deadline`);
  if (signal.aborted) throw timeout();
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(timeout());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const pending = read(path, { signal });
  pending.catch(() => {});
  try {
    return await Promise.race([pending, aborted]);
  } catch (err) {
    throw signal.aborted ? timeout() : err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
