/**
 * The answer of FindProxyForURL: `"PROXY p:8080; PROXY q:8080; DIRECT"`. Clients try the
 * entries in order; we take the first one our probes can use, and name the SOCKS entries we
 * cannot (the probes tunnel with HTTP CONNECT only).
 */
import { PacError } from './pac.ts';

export type PacEntry =
  | { type: 'DIRECT' }
  | { type: 'PROXY' | 'HTTP' | 'HTTPS'; server: string; url: string }
  | { type: 'SOCKS' | 'SOCKS4' | 'SOCKS5'; server: string; url: string };

export interface PacDecision {
  /** The script's answer as it returned it. */
  result: string;
  entries: PacEntry[];
  /** The first usable entry: a proxy URL, or null for DIRECT. */
  proxy: string | null;
  /** Entries we cannot use, e.g. "SOCKS5 s:1080". */
  unsupported: string[];
}

/** Reads a PAC answer; throws PacError parse_error when it is empty or has an unknown entry. */
export function parsePacResult(result: string): PacDecision {
  const parts = result
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) {
    throw new PacError(
      'parse_error',
      'response',
      'FindProxyForURL returned an empty string; expected e.g. "PROXY host:port; DIRECT"',
    );
  }
  const entries = parts.map(readEntry);
  const unsupported = entries.filter((e) => e.type.startsWith('SOCKS')).map((e) => describe(e));
  const usable = entries.find((e) => !e.type.startsWith('SOCKS'));
  const first = usable ?? entries[0];
  return {
    result,
    entries,
    proxy: first.type === 'DIRECT' ? null : first.url,
    unsupported,
  };
}

function readEntry(part: string): PacEntry {
  const [word, server, ...rest] = part.split(/\s+/);
  const type = word.toUpperCase();
  if (type === 'DIRECT' && server === undefined) return { type: 'DIRECT' };
  if (!server || rest.length > 0 || !/^(\[[0-9a-f:.]+\]|[^\s:[\]]+):\d{1,5}$/i.test(server)) {
    throw new PacError(
      'parse_error',
      'response',
      `"${part}" is not a PAC entry; expected DIRECT or PROXY host:port`,
    );
  }
  switch (type) {
    case 'PROXY':
    case 'HTTP':
      return { type, server, url: `http://${server}` };
    case 'HTTPS':
      return { type, server, url: `https://${server}` };
    case 'SOCKS':
    case 'SOCKS4':
      return { type, server, url: `socks4://${server}` };
    case 'SOCKS5':
      return { type, server, url: `socks5://${server}` };
    default:
      throw new PacError(
        'parse_error',
        'response',
        `"${part}" uses "${word}"; expected DIRECT, PROXY, HTTPS or SOCKS`,
      );
  }
}

function describe(entry: PacEntry): string {
  return entry.type === 'DIRECT' ? 'DIRECT' : `${entry.type} ${entry.server}`;
}
