/**
 * TCP reachability of one endpoint (blackbox_exporter's tcp prober, our way): resolve with the
 * system resolver, connect, close. Behind a proxy Teams never connects directly, so a direct
 * connect would test a path nobody uses: the probe is skipped and tls/https judge the proxy path.
 */
import type { ProbeOptions } from './context.ts';
import { openPath, redactProxy, selectProxy } from './net/path.ts';
import { finish, internalError, pathFailure, startRun } from './net/result.ts';
import type { ProbeResult } from './types.ts';
import { zeroPhases } from './types.ts';

export interface TcpTarget {
  host: string;
  port: number;
}

export interface TcpDetail {
  /** The address connected to (or last tried), null when none was reached. */
  address: string | null;
  /** The proxy that applies to this host; set only when the probe was skipped for it. */
  proxy: string | null;
}

export async function probeTcp(target: TcpTarget, options: ProbeOptions): Promise<ProbeResult<TcpDetail>> {
  const run = startRun('tcp', target.host, target.port);
  try {
    let proxy: URL | null;
    try {
      proxy = await selectProxy(target.host, target.port, options.ctx);
    } catch {
      // The settings could not decide; the direct path is still worth knowing.
      proxy = null;
    }
    if (proxy) {
      const shown = redactProxy(proxy);
      return finish(run, {
        status: 'skipped',
        phases: zeroPhases(),
        detail: { address: null, proxy: shown },
        failure: {
          phase: 'setup',
          code: 'not_applicable',
          detail: `${run.target} is reached through the proxy ${shown}, not directly; the tls and https probes test that path`,
        },
      });
    }
    const path = await openPath({ ...target, tls: false }, options, { proxy: null });
    if (!path.ok) return pathFailure(run, path, { address: path.address, proxy: null });
    path.socket.destroy();
    return finish(run, {
      status: 'pass',
      phases: path.phases,
      detail: { address: path.address, proxy: null },
    });
  } catch (err) {
    return internalError(run, zeroPhases(), { address: null, proxy: null }, err);
  }
}
