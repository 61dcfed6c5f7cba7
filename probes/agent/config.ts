/**
 * The agent's one config module (STYLE.md, after probot's createProbot): defaults, then the
 * environment, which is a parameter (process.env when none is given). Every variable the agent
 * heeds is read here and handed on resolved: nothing else in probes/ reads the environment
 * (test/config/env-readers.test.ts keeps it so).
 */

import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { getCACertificates } from 'node:tls';
import type { UserFolders } from '../cache.ts';
import { ConfigError } from '../config-error.ts';
import { parseHostPort } from '../dns/resolve.ts';
import type { ProxySetting, ProxyVariables } from '../proxy/env.ts';

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
  /** HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY (lowercase first, as curl): for proxy discovery. */
  proxyVariables: ProxyVariables;
  /** APPDATA, LOCALAPPDATA (Windows), XDG_CONFIG_HOME, XDG_DATA_HOME (Linux): where caches are. */
  folders: UserFolders;
  /** SystemRoot (or windir): where Windows' own tools are, run by full path. */
  systemRoot?: string;
}

/** The agent's configuration errors are the one ConfigError (code config_invalid). */
export { ConfigError };

/** Reads and checks the agent's environment; throws ConfigError naming the variable. */
export function loadAgentConfig(
  env: Env = process.env,
  platform: NodeJS.Platform = process.platform,
): AgentConfig {
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
    proxyVariables: readProxyVariables(env),
    folders: defined({
      appData: env.APPDATA,
      localAppData: env.LOCALAPPDATA,
      configHome: env.XDG_CONFIG_HOME,
      dataHome: env.XDG_DATA_HOME,
    }),
    ...defined({ systemRoot: env.SystemRoot || env.windir }),
  };
}

/** Each proxy setting's variable, by its lowercase name (the uppercase one is read too). */
const PROXY_VARIABLES: Record<ProxySetting, string> = {
  https: 'https_proxy',
  http: 'http_proxy',
  all: 'all_proxy',
  noProxy: 'no_proxy',
};

/**
 * The proxy variables as curl reads them: each name in lowercase first, then uppercase (the
 * lowercase one wins when both are set); an empty value counts as unset. (curl itself ignores
 * uppercase HTTP_PROXY, a CGI safety rule; Go, Python, undici and most other tools honour it,
 * and so do we.)
 */
export function readProxyVariables(env: Env): ProxyVariables {
  const found: ProxyVariables = {};
  for (const [setting, name] of Object.entries(PROXY_VARIABLES) as [ProxySetting, string][]) {
    for (const variable of [name, name.toUpperCase()]) {
      const value = env[variable]?.trim();
      if (value) {
        found[setting] = { variable, value };
        break;
      }
    }
  }
  return found;
}

/** `values` without its unset or empty entries (an empty variable counts as unset). */
function defined<T extends Record<string, string | undefined>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v)) as Partial<T>;
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
