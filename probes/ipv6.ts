/**
 * IPv6 to one endpoint: where the computer has IPv6 and the name has AAAA answers, a TCP
 * connection to the IPv6 address. A broken IPv6 path next to a working IPv4 one is a common
 * cause of slow or failing sign-in: clients try IPv6 first and wait before they fall back.
 * Skipped (never passed) when the name has no AAAA answer or the computer no IPv6 address.
 */
import { networkInterfaces } from 'node:os';
import type { ProbeOptions } from './context.ts';
import { resolveHost } from './dns/resolve.ts';
import { InterlockError } from './interlock.ts';
import { ms } from './net/path.ts';
import { finish, internalError, startRun } from './net/result.ts';
import type { SocketError } from './net/socket-error.ts';
import { classifyConnectError, connectTcp } from './net/tcp-connect.ts';
import type { ProbeResult } from './types.ts';
import { zeroPhases } from './types.ts';

export interface Ipv6Target {
  host: string;
  port: number;
}

export interface Ipv6Detail {
  /** The AAAA answers of the system resolver. */
  addresses: string[];
  /** The address a connection was tried to. */
  address: string | null;
  /** This computer's own IPv6 addresses other than loopback and link-local (none: skipped). */
  local: number;
}

/** Addresses a computer can reach IPv6 destinations from: not loopback, not link-local. */
export function routableIpv6(interfaces = networkInterfaces()): string[] {
  return Object.values(interfaces)
    .flat()
    .filter((i) => i !== undefined && i.family === 'IPv6' && !i.internal && !/^fe[89ab]/i.test(i.address))
    .map((i) => i!.address);
}

export async function probeIpv6(target: Ipv6Target, options: ProbeOptions): Promise<ProbeResult<Ipv6Detail>> {
  const run = startRun('ipv6', target.host, target.port);
  const phases = zeroPhases();
  const detail: Ipv6Detail = { addresses: [], address: null, local: routableIpv6().length };
  const skipped = (why: string) =>
    finish(run, {
      status: 'skipped',
      phases,
      detail,
      failure: { phase: 'setup', code: 'not_applicable', detail: why },
    });
  try {
    if (detail.local === 0)
      return skipped('this computer has no IPv6 address beyond loopback and link-local');
    const started = performance.now();
    try {
      detail.addresses = (await resolveHost(target.host, options.ctx, options.signal, 6)).addresses;
    } catch (err) {
      if (err instanceof InterlockError) throw err;
      return skipped(`${target.host} has no IPv6 (AAAA) answer: ${(err as Error).message}`);
    }
    phases.dns = ms(performance.now() - started);
    const address = detail.addresses[0];
    if (!address) return skipped(`${target.host} has no IPv6 (AAAA) answer`);
    detail.address = address;
    options.ctx.interlock.check(address);
    const connectStarted = performance.now();
    try {
      const socket = await connectTcp(address, target.port, options.signal);
      socket.destroy();
      phases.connect = ms(performance.now() - connectStarted);
      return finish(run, { status: 'pass', phases, detail });
    } catch (err) {
      phases.connect = ms(performance.now() - connectStarted);
      const e = err as SocketError;
      const message = `TCP to [${address}]:${target.port}: ${e.message}`;
      return finish(run, {
        status: 'fail',
        phases,
        detail,
        failure: { phase: 'connect', code: classifyConnectError(e), detail: message },
        error: { code: e.code, message },
      });
    }
  } catch (err) {
    if (err instanceof InterlockError) {
      return finish(run, {
        status: 'error',
        phases,
        detail,
        failure: { phase: 'connect', code: 'interlock', detail: err.message },
        error: { code: 'interlock', message: err.message },
      });
    }
    return internalError(run, phases, detail, err);
  }
}
