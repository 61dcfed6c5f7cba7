/**
 * The download's file name carries the pairing code and the bot's address, so a double-clicked
 * agent pairs by itself: `Reconnect-7K3M9-QXT4H@reconnect.example.com.exe`. The executable's
 * bytes are never changed per download (that would break its code signature); only its name is.
 * A port other than the scheme's default follows the host as `_8443` (a colon is not allowed in
 * Windows file names); the scheme is http for loopback hosts and https for every other one.
 *
 * The name is read forgivingly: browsers and file managers add " (1)", "(2)", "-1" or " copy",
 * people rename in any case, and the code is read with Crockford's confusables (I, L → 1, O → 0).
 */
import { isIP } from 'node:net';
import { formatPairingCode, normalizePairingCode } from './pairing-code.ts';

/** What a launch name says: the code (canonical, no dashes) and the bot's base URL. */
export interface LaunchTarget {
  code: string;
  server: string;
}

const PREFIX = 'Reconnect';
/** Host names as DNS spells them (letters, digits, dots, hyphens), or an IPv4 literal. */
const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Loopback names get http (a bot on this very computer, as in the lab); all others https. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || (isIP(h) === 4 && h.startsWith('127.'));
}

/**
 * The file name stem (no extension) for `code` and the bot at `server`. Throws TypeError when
 * the server's address cannot be carried in a name (an IPv6 literal, a path, a non-http scheme).
 */
export function launchStem(code: string, server: string): string {
  const normalized = normalizePairingCode(code);
  if (normalized === null) throw new TypeError(`launch name: "${code}" is not a pairing code`);
  const url = new URL(server);
  const host = url.hostname.toLowerCase();
  if (!HOST.test(host))
    throw new TypeError(`launch name: the host "${url.hostname}" cannot be carried in a file name`);
  if (url.pathname !== '/' && url.pathname !== '')
    throw new TypeError(`launch name: "${server}" has a path, which a file name cannot carry`);
  const expected = isLoopbackHost(host) ? 'http:' : 'https:';
  if (url.protocol !== expected)
    throw new TypeError(`launch name: a bot at ${host} must be reached over ${expected.slice(0, -1)}`);
  const port = url.port ? `_${url.port}` : '';
  return `${PREFIX}-${formatPairingCode(normalized)}@${host}${port}`;
}

/** Extensions the agent may be started under: the executables, the JS file, a ZIP's name. */
const EXTENSION = /\.(?:exe|js|cjs|mjs|zip|app|bin)$/i;
/** Copy marks that browsers and file managers append; removed one at a time from the end. */
const COPY_MARKS = [/\s*\(\d+\)$/, /\s+-\s+copy(?:\s*\(\d+\))?$/i, /\s+copy(?:\s+\d+)?$/i];
const NAME = /^reconnect[-_ ]?([0-9a-z]{5}[-_ ]?[0-9a-z]{5})@([a-z0-9.-]+?)(?:_(\d{1,5}))?$/i;

/** The code and server a file name carries, or null when it carries none (e.g. reconnect-agent.exe). */
export function parseLaunchName(fileName: string): LaunchTarget | null {
  // The last path segment, whichever separator the OS uses.
  let name = fileName.split(/[\\/]/).pop() ?? '';
  for (let i = 0; i < 4; i++) {
    const before = name;
    name = name.trim().replace(EXTENSION, '');
    for (const mark of COPY_MARKS) name = name.replace(mark, '');
    // "-1" after the host or port: only where no host name can end like that (a TLD or port).
    name = name.replace(/(\.[a-z]{2,63}|_\d{1,5}|\.\d{1,3})-\d{1,3}$/i, '$1');
    if (name === before) break;
  }
  const m = NAME.exec(name);
  if (!m) return null;
  const code = normalizePairingCode(m[1].replace(/_/g, ''));
  const host = m[2].toLowerCase();
  if (code === null || !HOST.test(host)) return null;
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return null;
  const scheme = isLoopbackHost(host) ? 'http' : 'https';
  return { code, server: `${scheme}://${host}${port === undefined ? '' : `:${port}`}` };
}
