/**
 * Device state probes: is this computer registered with Entra ID where Conditional Access needs
 * it (`device:registration`), and is the sign-in broker healthy (`broker:wam` on Windows,
 * `broker:platform-sso` on macOS)? They read local commands, send no packets, and exist
 * because CAA20004 is first of all a Conditional Access / device-state code (DESIGN.md).
 * Linux has neither, so both report skipped / not_applicable there.
 */
import type { ProbeOptions } from './context.ts';
import { parseBrokerPackage } from './device/appx.ts';
import {
  type Assessment,
  assessDsreg,
  assessMacBroker,
  assessMacDevice,
  assessWam,
  type CompanyPortal,
} from './device/assess.ts';
import {
  CommandError,
  type CommandRunner,
  execFileRunner,
  type PathExists,
  pathExists,
  runCommand,
} from './device/command.ts';
import { parseDsregcmd } from './device/dsregcmd.ts';
import { ParseError } from './device/lines.ts';
import { type PlatformSsoState, parsePlatformSso } from './device/platform-sso.ts';
import { type ProbeKind, type ProbeResult, probeId, zeroPhases } from './types.ts';

export interface DeviceTarget {
  platform: NodeJS.Platform;
}

export interface DeviceProbeOptions extends ProbeOptions {
  /** Runs a command from an argument list; defaults to execFile. Tests inject fixtures here. */
  run?: CommandRunner;
  /** Defaults to a filesystem check. */
  exists?: PathExists;
}

export const DSREGCMD = { cmd: 'dsregcmd.exe', args: ['/status'] };
export const BROKER_QUERY = {
  cmd: 'powershell.exe',
  args: [
    '-NoProfile',
    '-NonInteractive',
    '-Command',
    'Get-AppxPackage -Name Microsoft.AAD.BrokerPlugin | Format-List Name,Version,Status,PackageFullName,InstallLocation',
  ],
};
export const APP_SSO = { cmd: '/usr/bin/app-sso', args: ['platform', '-s'] };
export const COMPANY_PORTAL = '/Applications/Company Portal.app';
const PORTAL_VERSION = {
  cmd: '/usr/bin/defaults',
  args: ['read', `${COMPANY_PORTAL}/Contents/Info`, 'CFBundleShortVersionString'],
};

type Result = ProbeResult<Record<string, unknown>>;

/** The broker probe's target on a platform, so a plan can name `broker:${target}` before it runs. */
export function brokerTarget(platform: NodeJS.Platform): 'wam' | 'platform-sso' {
  return platform === 'darwin' ? 'platform-sso' : 'wam';
}

/** `device:registration`: dsregcmd on Windows, Platform SSO on macOS. */
export async function probeDevice(target: DeviceTarget, options: DeviceProbeOptions): Promise<Result> {
  const started = performance.now();
  const done = finisher('device', 'registration', started);
  const run = options.run ?? execFileRunner;
  try {
    if (target.platform === 'win32') {
      const out = await runCommand(run, DSREGCMD.cmd, DSREGCMD.args, options.signal);
      return done(
        assessDsreg(
          parseOutput(() => parseDsregcmd(out.stdout), out.code),
          options.ctx.now(),
        ),
      );
    }
    if (target.platform === 'darwin') {
      const state = await readPlatformSso(run, options.signal);
      if (!state) return done.skipped('app-sso is not available: Platform SSO needs macOS 13 or later.');
      return done(assessMacDevice(state, await companyPortal(run, options)));
    }
    return done.skipped(`Entra device registration does not apply on ${target.platform}.`);
  } catch (err) {
    return done.error(err);
  }
}

/** `broker:wam` on Windows (the AAD broker plug-in package), `broker:platform-sso` on macOS. */
export async function probeBroker(target: DeviceTarget, options: DeviceProbeOptions): Promise<Result> {
  const started = performance.now();
  const run = options.run ?? execFileRunner;
  const done = finisher('broker', brokerTarget(target.platform), started);
  if (target.platform === 'darwin') {
    try {
      const portal = await companyPortal(run, options);
      return done(assessMacBroker(await readPlatformSso(run, options.signal), portal));
    } catch (err) {
      return done.error(err);
    }
  }
  if (target.platform !== 'win32')
    return done.skipped(`The WAM sign-in broker does not exist on ${target.platform}.`);
  try {
    const out = await runCommand(run, BROKER_QUERY.cmd, BROKER_QUERY.args, options.signal);
    if (out.code !== 0 && out.stdout.trim() === '') {
      throw new CommandError(
        'failed',
        `EXIT_${out.code}`,
        `powershell.exe exited with code ${out.code} and printed nothing`,
      );
    }
    return done(assessWam(parseOutput(() => parseBrokerPackage(out.stdout), out.code)));
  } catch (err) {
    return done.error(err);
  }
}

/** The Platform SSO state, or null where app-sso does not exist (before macOS 13). */
async function readPlatformSso(run: CommandRunner, signal: AbortSignal): Promise<PlatformSsoState | null> {
  try {
    const out = await runCommand(run, APP_SSO.cmd, APP_SSO.args, signal);
    return parseOutput(() => parsePlatformSso(out.stdout), out.code);
  } catch (err) {
    if (err instanceof CommandError && err.kind === 'missing') return null;
    throw err;
  }
}

async function companyPortal(run: CommandRunner, options: DeviceProbeOptions): Promise<CompanyPortal> {
  const present = await (options.exists ?? pathExists)(COMPANY_PORTAL);
  if (!present) return { present, version: null };
  try {
    const out = await runCommand(run, PORTAL_VERSION.cmd, PORTAL_VERSION.args, options.signal);
    const version = out.stdout.trim();
    return { present, version: out.code === 0 && /^[\w.-]{1,40}$/.test(version) ? version : null };
  } catch (err) {
    // The version is a nicety; only running out of time matters here.
    if (err instanceof CommandError && err.kind === 'timeout') throw err;
    return { present, version: null };
  }
}

/** Parses, adding the exit status to the message when a command both failed and printed nonsense. */
function parseOutput<T>(parse: () => T, exitCode: number): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ParseError && exitCode !== 0)
      throw new ParseError(err.source, `${err.message} (exit status ${exitCode})`);
    throw err;
  }
}

/** Builds the ProbeResult for one probe: from an assessment, a skip, or an error. */
function finisher(kind: ProbeKind, target: string, started: number) {
  const base = () => ({
    id: probeId(kind, target),
    kind,
    target,
    durationMs: performance.now() - started,
    phases: zeroPhases(),
  });
  const done = <D extends object>(a: Assessment<D>): Result => ({
    ...base(),
    status: a.status,
    detail: a.detail as Record<string, unknown>,
    ...(a.failure ? { failure: { phase: 'response' as const, ...a.failure } } : {}),
  });
  done.skipped = (why: string): Result => ({
    ...base(),
    status: 'skipped',
    detail: {},
    failure: { phase: 'setup', code: 'not_applicable', detail: why },
  });
  done.error = (err: unknown): Result => {
    if (err instanceof ParseError) {
      return {
        ...base(),
        status: 'error',
        detail: {},
        failure: { phase: 'response', code: 'parse_error', detail: err.message },
        error: { code: 'parse_error', message: err.message },
      };
    }
    if (err instanceof CommandError) {
      // A command cut off by the deadline timed out (a fail); one that could not run is an error.
      return {
        ...base(),
        status: err.kind === 'timeout' ? 'fail' : 'error',
        detail: {},
        failure: {
          phase: 'setup',
          code: err.kind === 'timeout' ? 'timeout' : 'internal',
          detail: err.message,
        },
        error: { code: err.code, message: err.message },
      };
    }
    const message = err instanceof Error ? err.message : String(err);
    return {
      ...base(),
      status: 'error',
      detail: {},
      failure: { phase: 'setup', code: 'internal', detail: message },
      error: { code: 'internal', message },
    };
  };
  return done;
}
