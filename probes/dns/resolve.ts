/**
 * Name resolution for the connection probes (tcp, tls, https, websocket): the path the
 * operating system and Teams take. With ctx.systemResolver set, that resolver stands in for
 * the OS one (tests point it at a lab DNS server); otherwise getaddrinfo decides.
 */
import { getServers } from 'node:dns';
import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ProbeContext } from '../context.ts';
import { type Interlock, InterlockError, isLoopback } from '../interlock.ts';
import { formatServer } from './exchange.ts';

export interface Resolved {
  addresses: string[];
  ms: number;
}

export class ResolveError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Splits `ip`, `ip:port`, `[v6]:port` into host and port (53 when absent). */
export function parseHostPort(text: string, defaultPort = 53): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1], port: bracketed[2] ? Number(bracketed[2]) : defaultPort };
  if (isIP(text) === 6) return { host: text, port: defaultPort };
  const at = text.lastIndexOf(':');
  if (at > 0) return { host: text.slice(0, at), port: Number(text.slice(at + 1)) };
  return { host: text, port: defaultPort };
}

/**
 * Resolves `host` to its addresses. Throws ResolveError with a DNS code (ENOTFOUND,
 * ESERVFAIL, ETIMEOUT, ECONNREFUSED…) or InterlockError; callers turn that into a result.
 */
export async function resolveHost(
  host: string,
  ctx: ProbeContext,
  signal: AbortSignal,
  /** Only this family's addresses (6: AAAA answers); default both as getaddrinfo gives them. */
  family?: 4 | 6,
): Promise<Resolved> {
  const started = performance.now();
  if (isIP(host)) return { addresses: [host], ms: 0 };
  if (ctx.systemResolver) {
    const server = parseHostPort(ctx.systemResolver);
    ctx.interlock.check(server.host);
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([ctx.systemResolver]);
    const onAbort = () => resolver.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const addresses = family === 6 ? await resolver.resolve6(host) : await resolver.resolve4(host);
      return { addresses, ms: performance.now() - started };
    } catch (err) {
      const code = signal.aborted ? 'ETIMEOUT' : ((err as NodeJS.ErrnoException).code ?? 'EDNS');
      throw new ResolveError(code, `resolving ${host} via ${ctx.systemResolver}: ${code}`);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
  // The OS resolver is not ours to query under the interlock unless it is a lab server.
  if (host !== 'localhost') osResolvers(ctx.interlock);
  // getaddrinfo cannot be cancelled; the race keeps the deadline honest all the same.
  const aborted = new Promise<never>((_, reject) => {
    const fail = () =>
      reject(new ResolveError('ETIMEOUT', `resolving ${host}: no answer before the deadline`));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
  try {
    const found = await Promise.race([lookup(host, { all: true, ...(family ? { family } : {}) }), aborted]);
    return { addresses: found.map((a) => a.address), ms: performance.now() - started };
  } catch (err) {
    if (err instanceof ResolveError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'EDNS';
    throw new ResolveError(code, `resolving ${host}: ${code}`);
  }
}

/** An interlock refusal with its own reason (still an InterlockError for callers). */
export class OsResolverRefused extends InterlockError {
  constructor(address: string, reason: string) {
    super(address);
    this.message = `refused by the lab interlock (RECONNECT_LAB=1): ${reason}`;
  }
}

/**
 * The OS resolvers in order (from resolv.conf on Unix). Throws an InterlockError when the
 * interlock is on and getaddrinfo could reach beyond the lab through any of them: getaddrinfo
 * cannot be pointed at a server, so it may run only when every configured resolver is a
 * lab-namespace address. Loopback does not count here: a loopback resolver is usually a stub
 * (systemd-resolved, dnsmasq) that forwards the question beyond this machine.
 */
export function osResolvers(interlock: Interlock): Array<{ host: string; port: number }> {
  const servers = getServers().map((s) => parseHostPort(s));
  if (!interlock.enabled) return servers;
  if (servers.length === 0) {
    throw new OsResolverRefused('(none)', 'no OS resolver is configured, so getaddrinfo could ask anyone');
  }
  for (const server of servers) {
    if (isLoopback(server.host)) {
      throw new OsResolverRefused(
        server.host,
        `the OS resolver ${formatServer(server)} is loopback, typically a stub that forwards beyond this machine; set systemResolver, or run in a lab namespace whose resolv.conf names a lab server`,
      );
    }
    interlock.check(server.host);
  }
  return servers;
}
