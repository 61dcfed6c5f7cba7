/**
 * The agent's one config module (STYLE.md, after probot's createProbot): defaults, then the
 * environment, which is a parameter. Nothing else in probes/ reads process.env.
 */

import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { getCACertificates } from 'node:tls';
import { ConfigError } from '../config-error.ts';
import { parseHostPort } from '../dns/resolve.ts';

export type Env = Record<string, string | undefined>;

export interface AgentConfig {
  /** RECONNECT_LAB=1: the interlock refuses every target that is not loopback or a lab namespace. */
  lab: boolean;
  /** RECONNECT_LAB_NETS: IPv4 CIDRs of test-made namespaces (honoured only inside one). */
  labNets: string[];
  /** RECONNECT_SYSTEM_RESOLVER: `ip:port` standing in for the OS resolver. */
  systemResolver: string | null;
  platform: NodeJS.Platform;
  home: string;
  /** RECONNECT_CATALOG: a catalog file for `pair` (the lab's; `pair` has no --catalog flag). */
  catalogPath: string | null;
  /** RECONNECT_SERVER: the bot's address when `pair` is run without --server. */
  server: string | null;
  /** Passed on to proxy discovery and cache locations, which read their own variables from it. */
  env: Env;
}

/** The agent's configuration errors are the one ConfigError (code config_invalid). */
export { ConfigError };

export function loadAgentConfig(env: Env, platform: NodeJS.Platform = process.platform): AgentConfig {
  const labText = env.RECONNECT_LAB ?? '';
  if (!['', '0', '1'].includes(labText)) {
    throw new ConfigError(`RECONNECT_LAB is "${labText}": accepted values are 1 (lab interlock on) or 0`);
  }
  const labNets = (env.RECONNECT_LAB_NETS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const systemResolver = env.RECONNECT_SYSTEM_RESOLVER?.trim() || null;
  if (systemResolver) {
    const { host, port } = parseHostPort(systemResolver);
    if (!isIP(host) || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConfigError(
        `RECONNECT_SYSTEM_RESOLVER is "${systemResolver}": expected an IP address with an optional port, e.g. 127.0.0.1:5353`,
      );
    }
  }
  return {
    lab: labText === '1',
    labNets,
    systemResolver,
    platform,
    home: env.HOME || env.USERPROFILE || homedir(),
    catalogPath: env.RECONNECT_CATALOG?.trim() || null,
    server: env.RECONNECT_SERVER?.trim() || null,
    env,
  };
}

/**
 * The certificates the operating system trusts, as Teams sees them, plus NODE_EXTRA_CA_CERTS.
 * Falls back to Node's bundled Mozilla store where the OS store cannot be read.
 */
export function trustedCertificates(): string[] {
  let system: string[] = [];
  try {
    system = [...getCACertificates('system')];
  } catch {
    system = [];
  }
  const base = system.length > 0 ? system : [...getCACertificates('bundled')];
  // Debian's store lists most roots several times over (576 entries, 144 certificates).
  return [...new Set([...base, ...getCACertificates('extra')])];
}
