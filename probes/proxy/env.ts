/**
 * Proxy settings from environment variables, read the way curl reads them: HTTPS_PROXY for
 * https URLs, HTTP_PROXY for http, ALL_PROXY for whatever has no variable of its own, and
 * NO_PROXY to bypass. Each name is read in lowercase first, then uppercase: when both are set
 * the lowercase one wins, as in curl. (curl itself ignores uppercase HTTP_PROXY, a CGI
 * safety rule; Go, Python, undici and most other tools honour it, and so do we.)
 */
import { parseNoProxy } from './bypass.ts';
import { normalizeProxyUrl, type StaticProxy } from './servers.ts';

export interface EnvProxy {
  proxy: StaticProxy;
  /** The variables that were read, by the name actually found (`https_proxy` or `HTTPS_PROXY`). */
  variables: string[];
}

const NAMES = ['https_proxy', 'http_proxy', 'all_proxy', 'no_proxy'] as const;
type Name = (typeof NAMES)[number];

/**
 * The environment's proxy settings, or null when no proxy variable is set (NO_PROXY alone
 * changes nothing). Throws ProxyConfigError naming the variable when a value is not a proxy URL.
 */
export function readEnvProxy(env: Record<string, string | undefined>): EnvProxy | null {
  const found = new Map<Name, { variable: string; value: string }>();
  for (const name of NAMES) {
    for (const variable of [name, name.toUpperCase()]) {
      const value = env[variable]?.trim();
      // An empty value counts as unset, as curl treats it.
      if (value) {
        found.set(name, { variable, value });
        break;
      }
    }
  }
  const url = (name: Name) => {
    const entry = found.get(name);
    return entry ? normalizeProxyUrl(entry.value, entry.variable) : undefined;
  };
  const all = url('all_proxy');
  const https = url('https_proxy') ?? all;
  const http = url('http_proxy') ?? all;
  if (!https && !http) return null;
  const noProxy = found.get('no_proxy')?.value ?? '';
  return {
    proxy: {
      servers: { https, http },
      bypass: noProxy
        .split(/[,\s]+/)
        .map((e) => e.trim())
        .filter(Boolean),
      rules: parseNoProxy(noProxy),
    },
    variables: [...found.values()].map((f) => f.variable),
  };
}
