/**
 * The device registration probe (`device:registration`): is this computer registered with
 * Entra ID where Conditional Access needs it? dsregcmd on Windows, Platform SSO on macOS. It
 * reads local commands, sends no packets, and exists because CAA20004 is first of all a
 * Conditional Access / device-state code (DESIGN.md). Linux has no Entra registration, so it
 * reports skipped / not_applicable there. The sign-in broker has its own probe (broker.ts).
 */
import { assessDsreg, assessMacDevice } from './device/assess.ts';
import { execFileRunner, runCommand } from './device/command.ts';
import { parseDsregcmd } from './device/dsregcmd.ts';
import {
  type DeviceProbeOptions,
  type DeviceTarget,
  finisher,
  type LocalResult,
  parseOutput,
} from './device/finish.ts';
import { companyPortal, readPlatformSso } from './device/macos.ts';

export type { DeviceProbeOptions, DeviceTarget } from './device/finish.ts';

export const DSREGCMD = { cmd: 'dsregcmd.exe', args: ['/status'] };

/** `device:registration`: dsregcmd on Windows, Platform SSO on macOS. */
export async function probeDevice(target: DeviceTarget, options: DeviceProbeOptions): Promise<LocalResult> {
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
