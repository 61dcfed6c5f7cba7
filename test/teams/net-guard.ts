/**
 * The lab interlock for code we do not own (botbuilder, MSAL, node-fetch, undici): while active,
 * every TCP connect in this process is checked before it starts, i.e. before any name lookup,
 * and refused unless it goes to loopback. A refused connect is recorded and fails like a network
 * error, so a library that tries to reach login.microsoftonline.com fails fast instead of
 * sending a packet, and the test can assert that nothing tried.
 */
import dns from 'node:dns';
import net from 'node:net';
import { isLoopback } from '../../probes/interlock.ts';

export interface NetGuard {
  /** `host:port` of every refused connect and `host` of every refused lookup, in order. */
  readonly refused: string[];
  release(): void;
}

export interface NetGuardOptions {
  /** Narrows what is allowed (default: any loopback address, or "localhost"). Tests of the guard use it. */
  allow?: (host: string, port: number) => boolean;
}

const loopbackHost = (host: string) => host === 'localhost' || (net.isIP(host) !== 0 && isLoopback(host));

interface ConnectTarget {
  host?: string;
  port?: number | string;
  path?: string | null;
}

/** The target of Socket#connect's many call shapes (options, [options, cb], port+host, path). */
function targetOf(args: unknown[]): ConnectTarget {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === 'object' && first !== null) return first as ConnectTarget;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first)))
    return { port: first, host: typeof args[1] === 'string' ? args[1] : undefined };
  if (typeof first === 'string') return { path: first };
  return {};
}

/** Activates the guard for this process until `release()`. */
export function guardNetwork(options: NetGuardOptions = {}): NetGuard {
  const refused: string[] = [];
  const allow = (host: string, port: number) => loopbackHost(host) && (options.allow?.(host, port) ?? true);
  const originalConnect = net.Socket.prototype.connect;
  const originalLookup = dns.lookup;
  const originalPromisesLookup = dns.promises.lookup;

  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const target = targetOf(args);
    // Node passes `path: null` for TCP; only a non-empty path is an IPC socket (no network).
    if (typeof target.path !== 'string' || target.path === '') {
      const host = target.host ?? 'localhost';
      const port = Number(target.port);
      if (!allow(host, port)) {
        refused.push(`${host}:${port}`);
        const error = Object.assign(
          new Error(`net guard: connect to ${host}:${port} refused (tests stay on loopback)`),
          {
            code: 'ECONNREFUSED',
          },
        );
        process.nextTick(() => this.destroy(error));
        return this;
      }
    }
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof originalConnect;

  // Direct lookups of a real name would ask the machine's resolver: refuse those too.
  dns.lookup = function guardedLookup(hostname: string, ...rest: unknown[]) {
    if (loopbackHost(hostname)) return (originalLookup as (...a: unknown[]) => void)(hostname, ...rest);
    refused.push(hostname);
    const callback = rest[rest.length - 1] as (error: Error) => void;
    const error = Object.assign(new Error(`net guard: lookup of ${hostname} refused`), { code: 'ENOTFOUND' });
    process.nextTick(() => callback(error));
  } as typeof dns.lookup;
  dns.promises.lookup = (async (hostname: string, ...rest: unknown[]) => {
    if (loopbackHost(hostname))
      return (originalPromisesLookup as (...a: unknown[]) => unknown)(hostname, ...rest);
    refused.push(hostname);
    throw Object.assign(new Error(`net guard: lookup of ${hostname} refused`), { code: 'ENOTFOUND' });
  }) as typeof dns.promises.lookup;

  return {
    refused,
    release() {
      net.Socket.prototype.connect = originalConnect;
      dns.lookup = originalLookup;
      dns.promises.lookup = originalPromisesLookup;
    },
  };
}
