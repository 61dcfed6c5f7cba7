/**
 * Redaction of what goes to a support thread (DESIGN.md security model): user and device
 * names, internal and personal addresses (IPv4, IPv6, MAC), e-mail addresses, tokens and
 * secrets become pseudonyms ("user-1", "host-2", "10.x-1", "secret-1"). The same input gets
 * the same pseudonym for the whole case, so the thread stays readable ("host-1 cannot reach
 * login.microsoftonline.com"); Microsoft's hosts and addresses stay as they are, since they are
 * the evidence.
 *
 * The mapping is the case's (persisted with the escalation, never posted): `restore` turns
 * support's words back into the user's own names before they reach the user. Secrets are
 * remembered by hash only: nobody ever needs one back.
 */
import { createHash } from 'node:crypto';
import {
  classifyV4,
  expandV6,
  isIp6,
  KEPT_DOMAINS,
  keepV6,
  NOT_DOMAINS,
  NOT_USERS,
  PATTERNS,
  TLDS,
  underDomain,
} from './redact-patterns.ts';

/** The case's mapping, as stored with the escalation. */
export interface RedactionState {
  enabled: boolean;
  /** `${kind}:${normalised original}` (secrets: a hash) → pseudonym. */
  map: Record<string, string>;
  /** Pseudonym → the original as first seen (never for secrets). */
  originals: Record<string, string>;
  counters: Record<string, number>;
}

/** What the session tells us about the person and the computer. */
export interface KnownNames {
  /** The user's display name, ids and account names: all become the same pseudonym. */
  users: string[];
  /** The computer's names. */
  hosts: string[];
}

export interface RedactorOptions {
  known?: KnownNames;
  /** More host names that stay readable (the probed endpoints of the case's report). */
  keepHosts?: string[];
}

export interface Redactor {
  text(value: string): string;
  /** Every string inside a JSON value, redacted; object keys stay. */
  deep<T>(value: T): T;
  /** Pseudonyms in `value` back to the originals (support's replies, on their way to the user). */
  restore(value: string): string;
  /** The mapping as it stands now, to persist with the case. */
  state(): RedactionState;
}

export function newRedactionState(enabled: boolean): RedactionState {
  return { enabled, map: {}, originals: {}, counters: {} };
}

const PSEUDONYM = /^(?:(?:user|host|ip|ipv6|mac|email|secret)-\d+|(?:10|172|100|192\.168|169\.254)\.x-\d+)$/;
const BOUNDARY_BEFORE = '(?<![\\p{L}\\p{N}_-])';
const BOUNDARY_AFTER = '(?![\\p{L}\\p{N}_-])';
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One user pseudonym for every name of the person: full name, its longer parts, ids. */
function userVariants(names: string[]): string[] {
  const out = new Set<string>();
  for (const name of names.map((n) => n.trim()).filter((n) => n.length >= 2)) {
    out.add(name);
    for (const part of name.split(/[\s,]+/)) if (part.length >= 3) out.add(part);
  }
  return [...out];
}

/** A redactor over `state` (mutated as new things are seen: persist `state()` afterwards). */
export function createRedactor(initial: RedactionState, options: RedactorOptions = {}): Redactor {
  const state = structuredClone(initial);
  const keepHosts = new Set([...(options.keepHosts ?? [])].map((h) => h.toLowerCase()));

  const mint = (kind: string, prefix: string): string => {
    state.counters[kind] = (state.counters[kind] ?? 0) + 1;
    return `${prefix}${state.counters[kind]}`;
  };
  /** The pseudonym of `original` (minted on first sight); pseudonyms themselves pass through. */
  const pseudonym = (kind: string, key: string, original: string, prefix: string, secret = false): string => {
    if (PSEUDONYM.test(original)) return original;
    const mapKey = `${kind}:${secret ? createHash('sha256').update(key).digest('hex').slice(0, 24) : key}`;
    let p = state.map[mapKey];
    if (p === undefined) {
      p = mint(kind === 'ip4' ? 'ip' : kind, prefix);
      state.map[mapKey] = p;
      if (!secret) state.originals[p] = original;
    }
    return p;
  };
  const secret = (value: string) => pseudonym('secret', value, value, 'secret-', true);
  const user = (name: string) => pseudonym('user', name.toLowerCase(), name, 'user-');
  const host = (name: string) => pseudonym('host', name.toLowerCase().replace(/\.$/, ''), name, 'host-');

  // Known people and computers, registered up front so every variant shares one pseudonym.
  const users = userVariants(options.known?.users ?? []);
  const hosts = (options.known?.hosts ?? []).filter((h) => h.trim().length >= 2);
  if (users.length > 0) {
    const p = user(users[0]);
    for (const u of users) state.map[`user:${u.toLowerCase()}`] ??= p;
  }
  for (const h of hosts) host(h);
  const knownHosts = new Map(hosts.map((h) => [h.toLowerCase(), host(h)]));
  const known = [...users, ...hosts].sort((a, b) => b.length - a.length).map(escapeRe);
  const knownRe =
    known.length > 0
      ? new RegExp(`${BOUNDARY_BEFORE}(?:${known.join('|')})${BOUNDARY_AFTER}`, 'giu')
      : undefined;

  const keepHost = (h: string): boolean => underDomain(h, KEPT_DOMAINS) || keepHosts.has(h);

  const steps: ((s: string) => string)[] = [
    (s) => s.replace(PATTERNS.authScheme, (_m, scheme, gap, token) => `${scheme}${gap}${secret(token)}`),
    (s) => s.replace(PATTERNS.jwt, (m) => secret(m)),
    (s) => s.replace(PATTERNS.vendorToken, (m) => secret(m)),
    (s) => s.replace(PATTERNS.keyValue, (_m, name, sep, value) => `${name}${sep}${secret(value)}`),
    (s) => s.replace(PATTERNS.cookie, (_m, name, value) => `${name}${secret(value)}`),
    (s) =>
      s.replace(
        PATTERNS.userinfo,
        (_m, scheme, name, password) =>
          `${scheme}${user(name)}${password === undefined ? '' : `:${secret(password)}`}@`,
      ),
    (s) =>
      s.replace(PATTERNS.email, (m) =>
        // `user-1:secret-2@proxy…` is a URL's redacted userinfo, not an address: the host goes below.
        PSEUDONYM.test(m.split('@')[0]) ? m : pseudonym('email', m.toLowerCase(), m, 'email-'),
      ),
    (s) =>
      s.replace(PATTERNS.mac, (m) => pseudonym('mac', m.toLowerCase().replace(/[^0-9a-f]/g, ''), m, 'mac-')),
    (s) =>
      s.replace(PATTERNS.ipv6, (m) => {
        if (!isIp6(m.split('%')[0]) || keepV6(m)) return m;
        return pseudonym('ipv6', expandV6(m), m, 'ipv6-');
      }),
    (s) =>
      s.replace(PATTERNS.ipv4, (m) => {
        const c = classifyV4(m);
        if (c.kind === 'keep') return m;
        return pseudonym('ip4', m, m, c.kind === 'private' ? `${c.prefix}x-` : 'ip-');
      }),
    (s) =>
      s.replace(PATTERNS.userPath, (m, head, name) =>
        NOT_USERS.has(name.toLowerCase()) ? m : `${head}${user(name)}`,
      ),
    (s) =>
      s.replace(PATTERNS.downLevel, (m, domain, name) =>
        NOT_DOMAINS.has(domain) || NOT_USERS.has(name.toLowerCase()) ? m : `${domain}\\${user(name)}`,
      ),
    (s) =>
      s.replace(PATTERNS.hostname, (m) => {
        const h = m.toLowerCase().replace(/\.$/, '');
        const tld = h.slice(h.lastIndexOf('.') + 1);
        if (!TLDS.has(tld) || keepHost(h)) return m;
        // A known computer's FQDN shares its short name's pseudonym.
        return knownHosts.get(h.split('.')[0]) ?? host(m);
      }),
    (s) => s.replace(PATTERNS.computerName, (m) => host(m)),
    (s) =>
      knownRe
        ? s.replace(
            knownRe,
            (m) => state.map[`user:${m.toLowerCase()}`] ?? knownHosts.get(m.toLowerCase()) ?? m,
          )
        : s,
  ];

  const text = (value: string): string => (state.enabled ? steps.reduce((s, step) => step(s), value) : value);

  const deep = <T>(value: T): T => {
    if (!state.enabled) return value;
    if (typeof value === 'string') return text(value) as T;
    if (Array.isArray(value)) return value.map((v) => deep(v)) as T;
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deep(v)])) as T;
    return value;
  };

  const restore = (value: string): string => {
    const names = Object.keys(state.originals).sort((a, b) => b.length - a.length);
    if (!state.enabled || names.length === 0) return value;
    const re = new RegExp(`(?<![\\w.-])(?:${names.map(escapeRe).join('|')})(?![\\w-])`, 'g');
    return value.replace(re, (p) => state.originals[p] ?? p);
  };

  return { text, deep, restore, state: () => structuredClone(state) };
}
