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
import { openPath, type TlsFacts } from './net/path.ts';
import { finish, internalError, pathFailure, startRun } from './net/result.ts';
import { trustFailure } from './net/tls-handshake.ts';
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
}

export async function probeTls(target: TlsTarget, options: ProbeOptions): Promise<ProbeResult<TlsDetail>> {
  const run = startRun('tls', target.host, target.port);
  try {
    const path = await openPath({ ...target, tls: true }, options);
    if (!path.ok) return pathFailure(run, path, { address: path.address, proxy: path.proxy });
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
