/**
 * macOS proxy settings from `scutil --proxy`: the merged system configuration that Teams and
 * Safari's network stack (CFNetwork) follow. The output is scutil's dictionary dump:
 *
 *   <dictionary> {
 *     ExceptionsList : <array> {
 *       0 : *.local
 *     }
 *     HTTPSEnable : 1
 *     HTTPSProxy : proxy.example.com
 *   }
 */
import { parseWildcardList } from './bypass.ts';
import { ProxyConfigError, type ProxyServers, type StaticProxy } from './servers.ts';

export type ScutilValue = string | ScutilValue[] | { [key: string]: ScutilValue };

export interface ScutilSettings {
  /** Present when HTTPEnable, HTTPSEnable or SOCKSEnable is 1. */
  proxy?: StaticProxy;
  /** ProxyAutoConfigURLString, when ProxyAutoConfigEnable is 1. */
  pacUrl?: string;
  /** ProxyAutoDiscoveryEnable (WPAD). */
  autoDiscovery: boolean;
  exceptions: string[];
  excludeSimpleHostnames: boolean;
}

const WHERE = 'scutil --proxy';

/** Parses the dump and reads the proxy settings; throws ProxyConfigError saying what is wrong. */
export function parseScutil(output: string): ScutilSettings {
  const dict = parseScutilDictionary(output);
  const text = (key: string) => (typeof dict[key] === 'string' ? (dict[key] as string) : undefined);
  const on = (key: string) => text(key) === '1';
  const exceptions = Array.isArray(dict.ExceptionsList)
    ? dict.ExceptionsList.filter((e) => typeof e === 'string')
    : [];
  const excludeSimpleHostnames = on('ExcludeSimpleHostnames');

  const server = (prefix: 'HTTP' | 'HTTPS' | 'SOCKS', scheme: string): string | undefined => {
    if (!on(`${prefix}Enable`)) return undefined;
    const host = text(`${prefix}Proxy`);
    const port = text(`${prefix}Port`);
    if (!host)
      throw new ProxyConfigError(
        `${WHERE}: ${prefix}Proxy`,
        `${prefix}Enable is 1 but no ${prefix}Proxy is set`,
      );
    if (port !== undefined && !/^\d{1,5}$/.test(port)) {
      throw new ProxyConfigError(`${WHERE}: ${prefix}Port`, `"${port}" is not a port number`);
    }
    const hostPart = host.includes(':') ? `[${host}]` : host;
    return `${scheme}://${hostPart}${port ? `:${port}` : ''}`;
  };
  const socks = server('SOCKS', 'socks5');
  const servers: ProxyServers = {
    http: server('HTTP', 'http') ?? socks,
    https: server('HTTPS', 'http') ?? socks,
  };
  const settings: ScutilSettings = {
    autoDiscovery: on('ProxyAutoDiscoveryEnable'),
    exceptions,
    excludeSimpleHostnames,
  };
  if (servers.http || servers.https) {
    const bypass = excludeSimpleHostnames ? [...exceptions, '<local>'] : exceptions;
    settings.proxy = { servers, bypass, rules: parseWildcardList(bypass) };
  }
  const pacUrl = text('ProxyAutoConfigURLString');
  if (on('ProxyAutoConfigEnable') && pacUrl) settings.pacUrl = pacUrl;
  return settings;
}

/** The dump as nested values (arrays for `<array>`, objects for `<dictionary>`). */
export function parseScutilDictionary(output: string): { [key: string]: ScutilValue } {
  const lines = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines[0] !== '<dictionary> {') {
    throw new ProxyConfigError(
      WHERE,
      `expected output starting "<dictionary> {", got "${lines[0] ?? '(empty output)'}"`,
    );
  }
  let at = 1;
  const readBlock = (kind: 'dictionary' | 'array', openedAt: number): ScutilValue => {
    const entries: Array<[string, ScutilValue]> = [];
    while (at < lines.length) {
      const line = lines[at++];
      if (line === '}') {
        return kind === 'array' ? entries.map(([, v]) => v) : Object.fromEntries(entries);
      }
      const m = /^(\S+) : (.*)$/.exec(line);
      if (!m) throw new ProxyConfigError(WHERE, `line ${at}: expected "key : value", got "${line}"`);
      const nested = /^<(dictionary|array)> \{$/.exec(m[2]);
      entries.push([m[1], nested ? readBlock(nested[1] as 'dictionary' | 'array', at) : m[2]]);
    }
    throw new ProxyConfigError(
      WHERE,
      `the <${kind}> opened on line ${openedAt} is never closed: truncated output?`,
    );
  };
  const dict = readBlock('dictionary', 1);
  if (at < lines.length)
    throw new ProxyConfigError(WHERE, `line ${at + 1}: unexpected text after the closing "}"`);
  return dict as { [key: string]: ScutilValue };
}
