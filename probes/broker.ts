/**
 * The sign-in broker probe: `broker:wam` on Windows (the AAD broker plug-in package, whose
 * absence or damage breaks every Microsoft sign-in), `broker:platform-sso` on macOS. It reads
 * local commands and sends no packets; Linux has no broker, so it reports skipped there.
 */
import { parseBrokerPackage } from './device/appx.ts';
import { assessMacBroker, assessWam } from './device/assess.ts';
import { CommandError, execFileRunner, runCommand } from './device/command.ts';
import {
  type DeviceProbeOptions,
  type DeviceTarget,
  finisher,
  type LocalResult,
  parseOutput,
} from './device/finish.ts';
import { companyPortal, readPlatformSso } from './device/macos.ts';

export const BROKER_QUERY = {
  cmd: 'powershell.exe',
  args: [
    '-NoProfile',
    '-NonInteractive',
    '-Command',
    'Get-AppxPackage -Name Microsoft.AAD.BrokerPlugin | Format-List Name,Version,Status,PackageFullName,InstallLocation',
  ],
};

/** The broker probe's target on a platform, so a plan can name `broker:${target}` before it runs. */
export function brokerTarget(platform: NodeJS.Platform): 'wam' | 'platform-sso' {
  return platform === 'darwin' ? 'platform-sso' : 'wam';
}

/** `broker:wam` on Windows (the AAD broker plug-in package), `broker:platform-sso` on macOS. */
export async function probeBroker(target: DeviceTarget, options: DeviceProbeOptions): Promise<LocalResult> {
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
