/**
 * Proxy server strings as the different sources write them, turned into one form: a URL per
 * request scheme. Environment variables hold URLs (`http://proxy:3128`); Windows holds
 * `host:port` or per-scheme lists (`http=p:80;https=p:443;socks=s:1080`); macOS holds host and
 * port separately. Everything below the parsers works with StaticProxy only.
 */
import { ConfigError } from '../config-error.ts';
import { type BypassRule, bypasses } from './bypass.ts';

/** The proxy URL for each request scheme; absent means DIRECT for that scheme. */
export interface ProxyServers {
  http?: string;
  https?: string;
}

/** A fixed proxy configuration from one source: servers per scheme and what bypasses them. */
export interface StaticProxy {
  servers: ProxyServers;
  /** Bypass entries as configured, for the report and the admin hand-off text. */
  bypass: string[];
  rules: BypassRule[];
}

/** The proxy for one request URL (null: DIRECT), bypass list applied. */
export function staticProxyFor(proxy: StaticProxy, url: string): string | null {
  return bypasses(url, proxy.rules) ? null : serverFor(proxy.servers, url);
}

/**
 * A proxy setting that cannot be used: the one ConfigError, code proxy_invalid, with `source`
 * naming where the value was read (an environment variable, a registry value, a command).
 */
export class ProxyConfigError extends ConfigError {
  constructor(where: string, message: string) {
    super(message, { code: 'proxy_invalid', source: where });
  }

  /** Where the value was read (the same as `source`). */
  get where(): string {
    return this.source;
  }
}

const DEFAULT_PORTS: Record<string, string> = {
  'http:': '80',
  'https:': '443',
  'socks:': '1080',
  'socks4:': '1080',
  'socks4a:': '1080',
  'socks5:': '1080',
  'socks5h:': '1080',
};
const SUPPORTED_SCHEMES = Object.keys(DEFAULT_PORTS);

/**
 * `http://host:port` (or https, socks*) from what a user or a registry wrote. A bare
 * `host:port` means http, as curl and WinINet read it. Credentials are kept (the probes need
 * them to authenticate); use redactProxyUrl before showing the value.
 */
export function normalizeProxyUrl(text: string, where: string): string {
  const trimmed = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ProxyConfigError(where, `"${text}" is not a proxy URL; expected host:port or http://host:port`);
  }
  if (!SUPPORTED_SCHEMES.includes(url.protocol)) {
    throw new ProxyConfigError(
      where,
      `"${text}" uses ${url.protocol.slice(0, -1)}://; accepted are http://, https://, socks4:// and socks5://`,
    );
  }
  if (!url.hostname) throw new ProxyConfigError(where, `"${text}" names no proxy host`);
  const auth = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  // The port is always written out: URL drops a default one, and curl's default (1080) differs.
  const port = url.port || DEFAULT_PORTS[url.protocol];
  return `${url.protocol}//${auth}${url.hostname}:${port}`;
}

/** The URL with its password replaced, fit for reports and chat. */
export function redactProxyUrl(url: string): string {
  return url.replace(/^([a-z0-9+.-]+:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}

/**
 * Reads a Windows proxy list (WinINet ProxyServer, WinHTTP "Proxy Server(s)"): either one
 * `host:port` for every scheme, or `scheme=host:port` pairs split by `;` (or spaces). A
 * `socks=` entry serves the schemes that have no entry of their own, as WinINet does.
 */
export function parseWindowsProxyList(text: string, where: string): ProxyServers {
  const entries = text
    .split(/[;\s]+/)
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new ProxyConfigError(where, 'the proxy list is empty');
  const perScheme = new Map<string, string>();
  let all: string | undefined;
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq < 0) {
      all = normalizeProxyUrl(entry, where);
      continue;
    }
    const scheme = entry.slice(0, eq).toLowerCase();
    const server = entry.slice(eq + 1);
    if (!/^(http|https|ftp|socks|gopher)$/.test(scheme)) {
      throw new ProxyConfigError(
        where,
        `"${entry}" names scheme "${scheme}"; accepted are http=, https=, ftp=, socks=`,
      );
    }
    const url = scheme === 'socks' && !server.includes('://') ? `socks4://${server}` : server;
    perScheme.set(scheme, normalizeProxyUrl(url, where));
  }
  const socks = perScheme.get('socks');
  return {
    http: perScheme.get('http') ?? all ?? socks,
    https: perScheme.get('https') ?? all ?? socks,
  };
}

/** The proxy for one request URL from the per-scheme servers (null: DIRECT). */
export function serverFor(servers: ProxyServers, url: string): string | null {
  const protocol = new URL(url).protocol;
  // WebSocket upgrades go the way of their HTTP twins, as browsers and Teams send them.
  if (protocol === 'https:' || protocol === 'wss:') return servers.https ?? null;
  if (protocol === 'http:' || protocol === 'ws:') return servers.http ?? null;
  return null;
}
