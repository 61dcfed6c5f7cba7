/**
 * ProbeContexts for the proxy and cache tests: the lab interlock on, and the stand-in system
 * resolver either a lab DNS server or none (then every name lookup is refused by the interlock).
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ProbeContext, ProbeOptions } from '../../probes/context.ts';
import { NO_PROXY } from '../../probes/context.ts';
import { createInterlock } from '../../probes/interlock.ts';
import type { CatalogEndpoint } from '../../probes/types.ts';

export function labContext(
  overrides: { systemResolver?: string; endpoints?: CatalogEndpoint[]; now?: () => number } = {},
): ProbeContext {
  return {
    interlock: createInterlock({ enabled: true }),
    systemResolver: overrides.systemResolver ?? null,
    proxy: NO_PROXY,
    trustedCa: [],
    catalog: {
      schema: 'reconnect.catalog/v1',
      cloud: 'lab',
      endpoints: overrides.endpoints ?? [],
      media: [],
      publicResolvers: [],
      timeSources: [],
      microsoftRoots: [],
    },
    now: overrides.now ?? (() => Date.now()),
  };
}

/** ProbeOptions whose signal aborts after `ms`. */
export function labOptions(ms: number, ctx: ProbeContext = labContext()): ProbeOptions {
  return { signal: AbortSignal.timeout(ms), deadline: ctx.now() + ms, ctx };
}

/** A recorded command output from test/fixtures/proxy. */
export function fixture(name: string): Promise<string> {
  return readFile(new URL(`../fixtures/proxy/${name}`, import.meta.url), 'utf8');
}

export interface PacServer {
  /** `http://127.0.0.1:PORT/<path>` */
  url(path: string): string;
  /** Requests served so far, by path. */
  hits: string[];
  close(): Promise<void>;
}

/** Serves PAC files on 127.0.0.1: a body (200), a status, or 'hang' (reads, never answers). */
export async function startPacServer(routes: Record<string, string | number | 'hang'>): Promise<PacServer> {
  const sockets = new Set<Socket>();
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.push(path);
    const route = routes[path];
    if (route === 'hang') return;
    if (typeof route === 'string') {
      res.writeHead(200, { 'content-type': 'application/x-ns-proxy-autoconfig' });
      res.end(route);
      return;
    }
    res.writeHead(route ?? 404);
    res.end();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
