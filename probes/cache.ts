/**
 * Where Teams keeps its caches and where the sign-in tokens live, per OS, and one probe per
 * location that reports whether it exists, how big it is and when it last changed. Stale
 * caches and tokens are the article's fourth area; the "move the cache aside" action and the
 * `credentials.cache_present` finding start from these facts. The probe reads directory
 * entries and their metadata only: it never opens a file, so no token is ever read.
 */
import type { Dirent } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import path from 'node:path';
import type { ProbeOptions } from './context.ts';
import type { FailureCode, ProbeResult } from './types.ts';
import { probeId, zeroPhases } from './types.ts';

export type CacheClient =
  | 'classic'
  | 'new'
  | 'broker'
  | 'oneauth'
  | 'keychain'
  | 'keyring'
  | 'teams-for-linux';

export interface CacheLocation {
  /** Stable id, used in the probe id `cache:<id>` and by the cache actions. */
  id: string;
  client: CacheClient;
  /** Absolute path in the target OS's own syntax. */
  path: string;
  kind: 'cache' | 'tokens';
}

/** Entries walked before the size is reported as partial. */
export const MAX_ENTRIES = 100_000;

/**
 * The user's folders the OS names in the environment: APPDATA and LOCALAPPDATA on Windows, the
 * XDG base directories on Linux. agent/config.ts reads them (the one reader of the environment);
 * a missing one takes the OS default under the home folder.
 */
export interface UserFolders {
  appData?: string;
  localAppData?: string;
  configHome?: string;
  dataHome?: string;
}

/**
 * The locations for `platform`. Paths are joined with that OS's rules (path.win32 on Windows),
 * whatever OS this runs on.
 */
export function cacheLocations(
  platform: NodeJS.Platform,
  home: string,
  folders: UserFolders = {},
): CacheLocation[] {
  if (platform === 'win32') {
    const p = path.win32;
    const roaming = folders.appData || p.join(home, 'AppData', 'Roaming');
    const local = folders.localAppData || p.join(home, 'AppData', 'Local');
    return [
      { id: 'teams-classic', client: 'classic', kind: 'cache', path: p.join(roaming, 'Microsoft', 'Teams') },
      {
        id: 'teams-new',
        client: 'new',
        kind: 'cache',
        path: p.join(local, 'Packages', 'MSTeams_8wekyb3d8bbwe', 'LocalCache', 'Microsoft', 'MSTeams'),
      },
      {
        id: 'wam-tokenbroker',
        client: 'broker',
        kind: 'tokens',
        path: p.join(local, 'Microsoft', 'TokenBroker'),
      },
      {
        id: 'aad-brokerplugin',
        client: 'broker',
        kind: 'tokens',
        path: p.join(local, 'Packages', 'Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy'),
      },
      { id: 'oneauth', client: 'oneauth', kind: 'tokens', path: p.join(local, 'Microsoft', 'OneAuth') },
      {
        id: 'identitycache',
        client: 'oneauth',
        kind: 'tokens',
        path: p.join(local, 'Microsoft', 'IdentityCache'),
      },
    ];
  }
  const p = path.posix;
  if (platform === 'darwin') {
    const library = p.join(home, 'Library');
    return [
      {
        id: 'teams-classic',
        client: 'classic',
        kind: 'cache',
        path: p.join(library, 'Application Support', 'Microsoft', 'Teams'),
      },
      {
        id: 'teams-classic-caches',
        client: 'classic',
        kind: 'cache',
        path: p.join(library, 'Caches', 'com.microsoft.teams'),
      },
      {
        id: 'teams-new',
        client: 'new',
        kind: 'cache',
        path: p.join(library, 'Containers', 'com.microsoft.teams2'),
      },
      {
        id: 'teams-new-group',
        client: 'new',
        kind: 'cache',
        path: p.join(library, 'Group Containers', 'UBF8T346G9.com.microsoft.teams'),
      },
      {
        id: 'oneauth',
        client: 'oneauth',
        kind: 'tokens',
        path: p.join(library, 'Group Containers', 'UBF8T346G9.com.microsoft.oneauth'),
      },
      {
        id: 'keychain-login',
        client: 'keychain',
        kind: 'tokens',
        path: p.join(library, 'Keychains', 'login.keychain-db'),
      },
    ];
  }
  const config = folders.configHome || p.join(home, '.config');
  const data = folders.dataHome || p.join(home, '.local', 'share');
  return [
    {
      id: 'teams-classic',
      client: 'classic',
      kind: 'cache',
      path: p.join(config, 'Microsoft', 'Microsoft Teams'),
    },
    {
      id: 'teams-for-linux',
      client: 'teams-for-linux',
      kind: 'cache',
      path: p.join(config, 'teams-for-linux'),
    },
    {
      id: 'teams-for-linux-flatpak',
      client: 'teams-for-linux',
      kind: 'cache',
      path: p.join(
        home,
        '.var',
        'app',
        'com.github.IsmaelMartinez.teams_for_linux',
        'config',
        'teams-for-linux',
      ),
    },
    {
      id: 'teams-for-linux-snap',
      client: 'teams-for-linux',
      kind: 'cache',
      path: p.join(home, 'snap', 'teams-for-linux', 'current', '.config', 'teams-for-linux'),
    },
    { id: 'keyring', client: 'keyring', kind: 'tokens', path: p.join(data, 'keyrings') },
  ];
}

export interface CacheTarget {
  location: CacheLocation;
  /** Entries walked before giving up on an exact size (default MAX_ENTRIES). */
  maxEntries?: number;
}

export interface CacheDetail {
  path: string;
  client: CacheClient;
  kind: CacheLocation['kind'];
  exists: boolean;
  type?: 'directory' | 'file';
  /** Sum of file sizes seen (symbolic links are not followed). */
  sizeBytes?: number;
  /** Entries walked. */
  entries?: number;
  /** The walk stopped early; sizeBytes and entries are lower bounds. */
  partial?: 'deadline' | 'entries';
  /** Subfolders that could not be listed (the size leaves them out). */
  unreadable?: number;
  /** Latest modification time seen, ISO 8601. */
  lastModified?: string;
}

/** Reports one location. Missing is a pass (a fact); a location it may not read is an error. */
export async function probeCache(
  target: CacheTarget,
  options: ProbeOptions,
): Promise<ProbeResult<CacheDetail>> {
  const started = performance.now();
  const { location } = target;
  const detail: CacheDetail = {
    path: location.path,
    client: location.client,
    kind: location.kind,
    exists: false,
  };
  const result = (
    status: 'pass' | 'error',
    failure?: { code: FailureCode; error: string; message: string },
  ): ProbeResult<CacheDetail> => ({
    id: probeId('cache', location.id),
    kind: 'cache',
    target: location.id,
    status,
    durationMs: performance.now() - started,
    phases: zeroPhases(),
    detail,
    ...(failure && {
      failure: { phase: 'setup', code: failure.code, detail: failure.message },
      error: { code: failure.error, message: failure.message },
    }),
  });

  try {
    const root = await lstat(location.path);
    detail.exists = true;
    detail.lastModified = root.mtime.toISOString();
    if (!root.isDirectory()) {
      detail.type = 'file';
      detail.sizeBytes = root.size;
      return result('pass');
    }
    detail.type = 'directory';
    await walk(location.path, root.mtimeMs, detail, options, target.maxEntries ?? MAX_ENTRIES);
    return result('pass');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    if (code === 'ENOENT' || code === 'ENOTDIR') return result('pass');
    if (code === 'EACCES' || code === 'EPERM') {
      const message = `${location.path}: access denied (${code}); run the check as the signed-in user`;
      return result('error', { code: 'access_denied', error: code, message });
    }
    return result('error', {
      code: 'internal',
      error: code,
      message: `${location.path}: ${(err as Error).message}`,
    });
  }
}

/** Depth-first, bounded by the deadline and maxEntries. The root must be listable. */
async function walk(
  root: string,
  rootMtime: number,
  detail: CacheDetail,
  options: ProbeOptions,
  maxEntries: number,
): Promise<void> {
  let size = 0;
  let entries = 0;
  let unreadable = 0;
  let latest = rootMtime;
  const pending = [root];
  const stop = (): CacheDetail['partial'] => {
    if (entries >= maxEntries) return 'entries';
    if (options.signal.aborted || options.ctx.now() >= options.deadline) return 'deadline';
    return undefined;
  };
  try {
    while (pending.length > 0) {
      const dir = pending.pop() as string;
      let handle: AsyncIterable<Dirent>;
      try {
        handle = await opendir(dir);
      } catch (err) {
        // The root itself must be readable; below it, an unreadable folder is counted and skipped.
        if (dir === root) throw err;
        unreadable += 1;
        continue;
      }
      for await (const entry of handle) {
        const reason = stop();
        if (reason) {
          detail.partial = reason;
          return;
        }
        entries += 1;
        const full = path.join(dir, entry.name);
        try {
          const stat = await lstat(full);
          latest = Math.max(latest, stat.mtimeMs);
          if (entry.isDirectory()) pending.push(full);
          else size += stat.size;
        } catch {
          unreadable += 1;
        }
      }
    }
  } finally {
    detail.sizeBytes = size;
    detail.entries = entries;
    if (unreadable > 0) detail.unreadable = unreadable;
    detail.lastModified = new Date(latest).toISOString();
  }
}
