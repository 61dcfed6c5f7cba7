/**
 * What each allow-listed action does on each OS, as data: executables with argument lists
 * (execFile, never a shell string) and folder moves. Planning reads nothing from the disk, so
 * the Windows and macOS plans are tested as data on any machine, and the dry run prints
 * exactly what a real run would do.
 */
import path from 'node:path';
import { cacheLocations, type UserFolders } from '../cache.ts';
import type { ActionId, ActionOs, ActionPlan, ActionStep } from './types.ts';

export interface PlanContext {
  platform: NodeJS.Platform;
  home: string;
  /** Where the caches are (agent/config.ts reads them from the environment). */
  folders?: UserFolders;
  /** Windows' own folder (SystemRoot), where its tools are; default C:\\Windows. */
  systemRoot?: string;
  /** Epoch ms; names the backup folders. */
  now: number;
}

export class UnsupportedPlatformError extends Error {
  readonly code = 'unsupported_platform';
}

export function actionOs(platform: NodeJS.Platform): ActionOs {
  if (platform === 'win32') return 'windows';
  if (platform === 'darwin') return 'macos';
  if (platform === 'linux') return 'linux';
  throw new UnsupportedPlatformError(
    `actions have plans for Windows, macOS and Linux; this computer runs "${platform}"`,
  );
}

/** `20261127-223000`: sorts by time, and is valid in a file name on every OS. */
export function backupStamp(now: number): string {
  const iso = new Date(now).toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

/** The backup folder beside `from` (same volume, so the move is a rename, never a copy). */
export function backupPath(os: ActionOs, from: string, now: number): string {
  return `${trim(os, from)}.reconnect-backup-${backupStamp(now)}`;
}

function trim(os: ActionOs, p: string): string {
  const sep = os === 'windows' ? /[\\/]+$/ : /\/+$/;
  return p.replace(sep, '');
}

function windowsTool(systemRoot: string | undefined, exe: string): string {
  // The full path: a planted ipconfig.exe in the current folder or on PATH is not run.
  return path.win32.join(systemRoot || 'C:\\Windows', 'System32', exe);
}

function exec(label: string, file: string, args: string[], admin: boolean): ActionStep {
  return { type: 'exec', label, file, args, admin };
}

function flushDns(os: ActionOs, systemRoot: string | undefined): ActionStep[] {
  switch (os) {
    case 'windows':
      return [
        exec('Flush the DNS client cache', windowsTool(systemRoot, 'ipconfig.exe'), ['/flushdns'], false),
      ];
    case 'macos':
      return [
        exec('Flush the directory services cache', '/usr/bin/dscacheutil', ['-flushcache'], true),
        exec('Make mDNSResponder drop its DNS cache', '/usr/bin/killall', ['-HUP', 'mDNSResponder'], true),
      ];
    case 'linux':
      return [exec('Flush the systemd-resolved caches', 'resolvectl', ['flush-caches'], true)];
  }
}

function resyncClock(os: ActionOs, systemRoot: string | undefined): ActionStep[] {
  switch (os) {
    case 'windows':
      return [
        exec(
          'Resynchronise the clock with its time server',
          windowsTool(systemRoot, 'w32tm.exe'),
          ['/resync'],
          true,
        ),
      ];
    case 'macos':
      return [exec('Set the clock from time.apple.com', '/usr/bin/sntp', ['-sS', 'time.apple.com'], true)];
    case 'linux':
      return [exec('Turn on network time synchronisation', 'timedatectl', ['set-ntp', 'true'], true)];
  }
}

function moveCaches(os: ActionOs, ctx: PlanContext): ActionStep[] {
  // Only caches: token stores (WAM, keychain, keyring) hold more than Teams' sign-in and are
  // never moved by the agent.
  return cacheLocations(ctx.platform, ctx.home, ctx.folders)
    .filter((l) => l.kind === 'cache')
    .map((l) => ({
      type: 'move' as const,
      label: `Move the ${l.id} cache aside`,
      from: l.path,
      to: backupPath(os, l.path, ctx.now),
      locationId: l.id,
    }));
}

const SUMMARY: Record<ActionId, string> = {
  flush_dns: "Clear this computer's DNS cache, so names are looked up afresh.",
  move_teams_cache:
    "Move Teams' cache folders aside into a dated backup (nothing is deleted); Teams rebuilds them at the next start.",
  resync_clock: "Set this computer's clock from its network time server.",
};

/** The plan for `action` on `ctx.platform`. Throws UnsupportedPlatformError elsewhere. */
export function planAction(action: ActionId, ctx: PlanContext): ActionPlan {
  const os = actionOs(ctx.platform);
  const steps =
    action === 'flush_dns'
      ? flushDns(os, ctx.systemRoot)
      : action === 'resync_clock'
        ? resyncClock(os, ctx.systemRoot)
        : moveCaches(os, ctx);
  const notes: string[] = [];
  if (action === 'move_teams_cache')
    notes.push('Quit Teams completely first: folders in use cannot be moved.');
  if (steps.some((s) => s.type === 'exec' && s.admin)) {
    notes.push(
      os === 'windows'
        ? 'This needs administrator rights: run the agent from a terminal opened with "Run as administrator".'
        : 'This needs administrator rights: run the agent with sudo, or enter your password when asked.',
    );
  }
  return { action, os, summary: SUMMARY[action], steps, notes };
}

/** Quotes for display in the user's own shell (PowerShell on Windows, sh elsewhere). */
export function quoteForShell(os: ActionOs, text: string): string {
  return os === 'windows' ? `'${text.replaceAll("'", "''")}'` : `'${text.replaceAll("'", "'\\''")}'`;
}

/** The command that puts a moved folder back, for the restore instructions. */
export function restoreCommand(os: ActionOs, from: string, to: string): string {
  return os === 'windows'
    ? `Move-Item -LiteralPath ${quoteForShell(os, to)} -Destination ${quoteForShell(os, from)}`
    : `mv ${quoteForShell(os, to)} ${quoteForShell(os, from)}`;
}

/** A step as one line, for the consent prompt and the dry run. */
export function describeStep(os: ActionOs, step: ActionStep): string {
  if (step.type === 'move') return `${step.label}: ${step.from} -> ${step.to}`;
  const argv = [step.file, ...step.args]
    .map((a) => (/^[\w./:=-]+$/.test(a) ? a : quoteForShell(os, a)))
    .join(' ');
  return `${step.label}: ${argv}${step.admin ? ' (administrator)' : ''}`;
}
