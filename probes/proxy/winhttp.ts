/**
 * The machine's WinHTTP proxy, from `netsh winhttp show proxy` (Windows 7 to 11) or from
 * `netsh winhttp show advproxy` (Windows 11, which prints the settings as JSON). WinHTTP is
 * what services and the sign-in broker use when they do not follow the user's WinINet
 * settings. netsh localises its labels, so the classic layout is read by position (server
 * line, then bypass line) and the English labels are only a cross-check.
 */
import { parseWildcardList } from './bypass.ts';
import { ProxyConfigError, parseWindowsProxyList, type StaticProxy } from './servers.ts';

export interface WinHttpSettings {
  layout: 'classic' | 'advanced';
  /** No proxy server: WinHTTP goes DIRECT (unless a PAC URL is set, advanced layout only). */
  direct: boolean;
  /** "Proxy Server(s)" / "Proxy" as printed. */
  proxyServer?: string;
  /** "Bypass List" / "ProxyBypass" as printed; absent for "(none)". */
  bypassList?: string;
  autoConfigUrl?: string;
  autoDetect?: boolean;
  proxy?: StaticProxy;
}

const WHERE = 'netsh winhttp show proxy';

/** Parses netsh's output; throws ProxyConfigError saying what did not fit. */
export function parseWinHttp(output: string): WinHttpSettings {
  const lines = output.split(/\r?\n/);
  // "WinHTTP" stays in the header in every language; netsh's own errors spell it lowercase.
  const headerAt = lines.findIndex((l) => /WinHTTP.*:\s*$/.test(l));
  if (headerAt < 0) {
    const first = lines.find((l) => l.trim())?.trim() ?? '(empty output)';
    throw new ProxyConfigError(
      WHERE,
      `not the output of netsh winhttp show proxy (no WinHTTP header): "${first}"`,
    );
  }
  const body = lines.slice(headerAt + 1).filter((l) => l.trim());
  if (body[0]?.trim().startsWith('{')) return parseAdvanced(body.join('\n'));
  return parseClassic(body);
}

function parseClassic(body: string[]): WinHttpSettings {
  const pairs = body
    .map((l) => /^\s*([^:]+?)\s*:\s*(.*?)\s*$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null);
  if (pairs.length === 0) {
    // "Direct access (no proxy server)." in English; one sentence without a value elsewhere.
    if (body.length === 1) return { layout: 'classic', direct: true };
    throw new ProxyConfigError(
      WHERE,
      `expected "Direct access" or "Proxy Server(s) : host:port", got "${body.join(' ')}"`,
    );
  }
  const [server, bypass] = pairs;
  if (/bypass/i.test(server[1]) || (bypass && /server/i.test(bypass[1]))) {
    throw new ProxyConfigError(
      WHERE,
      `expected the "Proxy Server(s)" line before "Bypass List", got "${server[0].trim()}"`,
    );
  }
  if (!server[2]) throw new ProxyConfigError(WHERE, `"${server[1]}" has no value; expected host:port`);
  const bypassList = bypass?.[2] && !/^\(.*\)$/.test(bypass[2]) ? bypass[2] : undefined;
  return settings('classic', server[2], bypassList);
}

function parseAdvanced(text: string): WinHttpSettings {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text.slice(0, text.lastIndexOf('}') + 1));
  } catch (err) {
    throw new ProxyConfigError(
      'netsh winhttp show advproxy',
      `the settings are not valid JSON (${(err as Error).message}); expected { "Proxy": …, "ProxyBypass": … }`,
    );
  }
  // Windows' own examples spell the keys AutoconfigUrl and AutoConfigUrl: match case-insensitively.
  const get = (key: string) => Object.entries(json).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  const proxy = typeof get('Proxy') === 'string' ? (get('Proxy') as string).trim() : '';
  const enabled = get('ProxyIsEnabled') !== false && proxy !== '';
  const pacUrl = typeof get('AutoConfigUrl') === 'string' ? (get('AutoConfigUrl') as string).trim() : '';
  const result: WinHttpSettings = enabled
    ? settings('advanced', proxy, (get('ProxyBypass') as string | undefined)?.trim() || undefined)
    : { layout: 'advanced', direct: true };
  if (pacUrl && get('AutoConfigIsEnabled') !== false) result.autoConfigUrl = pacUrl;
  if (typeof get('AutoDetect') === 'boolean') result.autoDetect = get('AutoDetect') as boolean;
  return result;
}

function settings(
  layout: WinHttpSettings['layout'],
  proxyServer: string,
  bypassList?: string,
): WinHttpSettings {
  const bypass = bypassList ? bypassList.split(/[;\s]+/).filter(Boolean) : [];
  return {
    layout,
    direct: false,
    proxyServer,
    bypassList,
    proxy: {
      servers: parseWindowsProxyList(proxyServer, `${WHERE}: Proxy Server(s)`),
      bypass,
      rules: parseWildcardList(bypass),
    },
  };
}
