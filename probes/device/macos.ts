/**
 * The macOS reads both local probes make: the Platform SSO state (`app-sso platform -s`) and
 * whether Company Portal, which carries the Enterprise SSO extension, is installed.
 */

import type { CompanyPortal } from './assess.ts';
import { CommandError, type CommandRunner, pathExists, runCommand } from './command.ts';
import type { DeviceProbeOptions } from './finish.ts';
import { parseOutput } from './finish.ts';
import { type PlatformSsoState, parsePlatformSso } from './platform-sso.ts';

export const APP_SSO = { cmd: '/usr/bin/app-sso', args: ['platform', '-s'] };
export const COMPANY_PORTAL = '/Applications/Company Portal.app';
const PORTAL_VERSION = {
  cmd: '/usr/bin/defaults',
  args: ['read', `${COMPANY_PORTAL}/Contents/Info`, 'CFBundleShortVersionString'],
};

/** The Platform SSO state, or null where app-sso does not exist (before macOS 13). */
export async function readPlatformSso(
  run: CommandRunner,
  signal: AbortSignal,
): Promise<PlatformSsoState | null> {
  try {
    const out = await runCommand(run, APP_SSO.cmd, APP_SSO.args, signal);
    return parseOutput(() => parsePlatformSso(out.stdout), out.code);
  } catch (err) {
    if (err instanceof CommandError && err.kind === 'missing') return null;
    throw err;
  }
}

/** Whether Company Portal is installed, and its version when it says. */
export async function companyPortal(run: CommandRunner, options: DeviceProbeOptions): Promise<CompanyPortal> {
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
