/**
 * The TLS chain one endpoint presents on the path Teams uses (direct or through the proxy),
 * judged against the system store and the catalog's Microsoft roots.
 *
 * Outcomes:
 * - pass: trusted, and a Microsoft root's key is in the chain (or the catalog names no roots,
 *   so there is nothing to tell inspection by);
 * - warn, failure `untrusted`, detail.inspected: the system trusts the chain but it ends at
 *   another root. Teams itself connects, so this is not a failure of the connection; it is
 *   TLS inspection, which breaks certificate pinning and token binding in sign-in, and the
 *   finding tls.inspection names the product from detail.issuer;
 * - fail with expired / not_yet_valid / hostname_mismatch / unknown_ca and error.code = the
 *   OpenSSL code: not trusted (detail.inspected still says whether the chain is Microsoft's);
 * - connection failures as the shared path classifies them (timeout, refused, proxy_*,
 *   handshake_reset, handshake_timeout…).
 */
import type { ProbeOptions } from './context.ts';
import { interception } from './net/blocked.ts';
import { openPath, type PathFailed, type TlsFacts } from './net/path.ts';
import { finish, internalError, pathFailure, startRun } from './net/result.ts';
import { connectTcp } from './net/tcp-connect.ts';
import { handshake, trustFailure } from './net/tls-handshake.ts';
import type { ProbeResult } from './types.ts';
import { zeroPhases } from './types.ts';

export interface TlsTarget {
  host: string;
  port: number;
}

export interface TlsDetail extends Partial<TlsFacts> {
  address: string | null;
  proxy: string | null;
  /** The issuer at the top of the chain (the root's name): the inspecting product when inspected. */
  issuer?: string;
  /** The chain does not reach a Microsoft root (only judged when the catalog names roots). */
  inspected?: boolean;
  /**
   * After a handshake naming the host was reset on a direct path: the same address, asked with
   * a neutral server name. `answered` (the server replied, even with an alert) means the path
   * filters by name (SNI), not by address.
   */
  sniCheck?: { name: string; outcome: 'answered' | 'reset' | 'timeout' | 'unreachable' };
}

/** A name no filter has reason to block, sent only as SNI (never resolved). */
export const NEUTRAL_SNI = 'www.example.com';

export async function probeTls(target: TlsTarget, options: ProbeOptions): Promise<ProbeResult<TlsDetail>> {
  const run = startRun('tls', target.host, target.port);
  try {
    const path = await openPath({ ...target, tls: true }, options);
    if (!path.ok) {
      const detail: TlsDetail = { address: path.address, proxy: path.proxy };
      const sniCheck = await neutralCheck(path, target.port, options);
      if (sniCheck) detail.sniCheck = sniCheck;
      return pathFailure(run, path, detail);
    }
    path.socket.destroy();
    const tls = path.tls!;
    const { intercepted: inspected, issuer } = interception(tls, options.ctx.catalog.microsoftRoots);
    const detail: TlsDetail = { ...tls, address: path.address, proxy: path.proxy, issuer, inspected };
    const distrust = trustFailure(tls, run.target);
    if (distrust) return finish(run, { status: 'fail', phases: path.phases, detail, ...distrust });
    if (inspected) {
      return finish(run, {
        status: 'warn',
        phases: path.phases,
        detail,
        failure: {
          phase: 'tls',
          code: 'untrusted',
          detail: `the chain of ${run.target} ends at "${issuer}", not a Microsoft root: TLS inspection in the path`,
        },
      });
    }
    return finish(run, { status: 'pass', phases: path.phases, detail });
  } catch (err) {
    return internalError(run, zeroPhases(), { address: null, proxy: null }, err);
  }
}

/**
 * Tells filtering by name from filtering by address: when a direct handshake naming the host
 * was reset, the same address is asked again with a neutral name, within the probe's deadline.
 * Through a proxy the address is the proxy's, so the question has no answer there.
 */
async function neutralCheck(
  path: PathFailed,
  port: number,
  options: ProbeOptions,
): Promise<TlsDetail['sniCheck'] | undefined> {
  if (path.failure.code !== 'handshake_reset' || path.proxy !== null || !path.address) return undefined;
  if (options.signal.aborted) return undefined;
  let socket: Awaited<ReturnType<typeof connectTcp>>;
  try {
    socket = await connectTcp(path.address, port, options.signal);
  } catch {
    return { name: NEUTRAL_SNI, outcome: options.signal.aborted ? 'timeout' : 'unreachable' };
  }
  socket.on('error', () => {});
  const shaken = await handshake(socket, {
    host: NEUTRAL_SNI,
    ca: options.ctx.trustedCa,
    roots: options.ctx.catalog.microsoftRoots,
    signal: options.signal,
  });
  if (shaken.ok) {
    shaken.socket.destroy();
    return { name: NEUTRAL_SNI, outcome: 'answered' };
  }
  // An alert from the server (tls_error: unrecognised name, bad certificate…) is an answer too.
  const outcome =
    shaken.code === 'tls_error' ? 'answered' : shaken.code === 'handshake_timeout' ? 'timeout' : 'reset';
  return { name: NEUTRAL_SNI, outcome };
}
