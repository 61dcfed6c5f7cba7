/**
 * The leaf checks of the catalog schema: one predicate per kind of value, each with the words
 * an error uses to say what was expected. Kept apart from the walker so the DNS, resolver and
 * URL rules can be read (and reused) on their own.
 */
import { isIP } from 'node:net';
import { parseHostPort } from '../dns/resolve.ts';

/** A value the schema accepts, and how an error names what it expected. */
export interface Leaf {
  expected: string;
  test(value: unknown): boolean;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/**
 * A DNS host name (letters, digits, hyphens; dot-separated labels of 1-63 characters) or an IP
 * literal (IPv6 without brackets). Wildcards, schemes, ports and paths are refused: a catalog
 * names hosts the agent connects to, not patterns.
 */
export function isHostName(text: string): boolean {
  if (isIP(text) !== 0) return true;
  if (text.length === 0 || text.length > 253) return false;
  const labels = text.split('.');
  if (!labels.every((label) => LABEL.test(label))) return false;
  // An all-digit last label is a mistyped IP address (999.1.1.1), never a real top-level domain.
  return !/^\d+$/.test(labels[labels.length - 1]);
}

export function isPort(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;
}

/** `ip`, `ip:port` or `[v6]:port`, the forms the DNS probes accept (probes/dns/resolve.ts). */
export function isResolverAddress(text: string): boolean {
  const { host, port } = parseHostPort(text);
  return isIP(host) !== 0 && isPort(port);
}

/** `a.b.c.d/n` (n 0-32) or an IPv6 literal with `/n` (n 0-128). */
export function isCidr(text: string): boolean {
  const slash = text.lastIndexOf('/');
  if (slash <= 0) return false;
  const family = isIP(text.slice(0, slash));
  const bits = text.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

export function isHttpsUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === '';
}

const isString = (value: unknown): value is string => typeof value === 'string';

export const LEAVES = {
  schema: { expected: '"reconnect.catalog/v1"', test: (v) => v === 'reconnect.catalog/v1' },
  text: { expected: 'a non-empty string', test: (v) => isString(v) && v.trim() !== '' },
  host: {
    expected: 'a DNS name (e.g. login.microsoftonline.com) or an IP literal (e.g. 127.0.0.1, ::1)',
    test: (v) => isString(v) && isHostName(v),
  },
  port: { expected: 'an integer 1-65535', test: isPort },
  boolean: { expected: 'true or false', test: (v) => typeof v === 'boolean' },
  msId: {
    expected: "a positive integer (the endpoint set's ID in Microsoft's published list)",
    test: (v) => Number.isInteger(v) && (v as number) > 0,
  },
  wsPath: {
    expected: 'a path starting with "/" (where the WebSocket upgrade is requested)',
    test: (v) => isString(v) && v.startsWith('/') && !/\s/.test(v),
  },
  resolver: {
    expected: 'an IP address as ip, ip:port or [v6]:port',
    test: (v) => isString(v) && isResolverAddress(v),
  },
  httpsUrl: { expected: 'an https:// URL', test: (v) => isString(v) && isHttpsUrl(v) },
  httpUrl: {
    expected: 'an http:// URL (portal checks are plain HTTP, as operating systems make them)',
    test: (v) =>
      isString(v) && URL.canParse(v) && new URL(v).protocol === 'http:' && new URL(v).hostname !== '',
  },
  cidr: {
    expected: 'an IPv4 or IPv6 range in CIDR form (52.112.0.0/14, 2603:1063::/38)',
    test: (v) => isString(v) && isCidr(v),
  },
  spkiSha256: {
    expected: '64 lowercase hex digits (SHA-256 of the DER SubjectPublicKeyInfo)',
    test: (v) => isString(v) && /^[0-9a-f]{64}$/.test(v),
  },
} satisfies Record<string, Leaf>;

/** How a wrong value reads in an error: strings quoted, containers by kind. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}
