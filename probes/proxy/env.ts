/**
 * Proxy settings from environment variables, used the way curl uses them: HTTPS_PROXY for
 * https URLs, HTTP_PROXY for http, ALL_PROXY for whatever has no variable of its own, and
 * NO_PROXY to bypass. agent/config.ts reads the variables (the agent's one reader of the
 * environment), lowercase first, then uppercase, as curl does; this module makes settings of them.
 */
import { parseNoProxy } from './bypass.ts';
import { normalizeProxyUrl, type StaticProxy } from './servers.ts';

export interface EnvProxy {
  proxy: StaticProxy;
  /** The variables that were read, by the name actually found (`https_proxy` or `HTTPS_PROXY`). */
  variables: string[];
}

/** The four settings, in the order they are reported: https_proxy, http_proxy, all_proxy, no_proxy. */
export const PROXY_SETTINGS = ['https', 'http', 'all', 'noProxy'] as const;
export type ProxySetting = (typeof PROXY_SETTINGS)[number];

/** What agent/config.ts found in the environment: per setting, the variable set and its value. */
export type ProxyVariables = Partial<Record<ProxySetting, { variable: string; value: string }>>;

/**
 * The environment's proxy settings, or null when no proxy variable is set (NO_PROXY alone
 * changes nothing). Throws ProxyConfigError naming the variable when a value is not a proxy URL.
 */
export function readEnvProxy(found: ProxyVariables): EnvProxy | null {
  const url = (name: ProxySetting) => {
    const entry = found[name];
    return entry ? normalizeProxyUrl(entry.value, entry.variable) : undefined;
  };
  const all = url('all');
  const https = url('https') ?? all;
  const http = url('http') ?? all;
  if (!https && !http) return null;
  const noProxy = found.noProxy?.value ?? '';
  return {
    proxy: {
      servers: { https, http },
      bypass: noProxy
        .split(/[,\s]+/)
        .map((e) => e.trim())
        .filter(Boolean),
      rules: parseNoProxy(noProxy),
    },
    variables: PROXY_SETTINGS.flatMap((name) => found[name]?.variable ?? []),
  };
}
