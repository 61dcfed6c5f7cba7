/**
 * The HTTP server: restify with JSON body parsing, `/healthz` and `/readyz`, WebSocket upgrade
 * dispatch, and whatever route modules the caller plugs in (Direct Line, the web chat page,
 * Teams' `/api/messages`). restify stays in this file and bot/channels/; bot/core never sees it.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import restify, { type Request, type Response, type Server } from 'restify';
import { refuseUpgradeWhileDown, storeUnavailableGate } from './cluster/unavailable.ts';
import type { BotConfig } from './config.ts';
import { bodyReader } from './http/body.ts';
import { guardHttpServer, headerCountGuard } from './http/guard.ts';
import type { Logger } from './log.ts';
import type { Store, VersionedDoc } from './store/types.ts';

/** What a route module may hook into besides the restify server itself. */
export interface RouteContext {
  config: BotConfig;
  log: Logger;
  /** Claims WebSocket upgrades whose path `matches`; unclaimed upgrades are refused with 404. */
  onUpgrade(
    matches: (pathname: string) => boolean,
    handler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
  ): void;
  /** Runs at shutdown, before the HTTP server stops (close streams, drain queues). */
  onClose(fn: () => Promise<void> | void): void;
}

/** A route module: registers its routes. `(server) => void` functions fit too. */
export type RouteModule = (server: Server, context: RouteContext) => void;

export interface CreateServerOptions {
  config: BotConfig;
  store: Store<VersionedDoc>;
  log: Logger;
  routes: RouteModule[];
}

export interface BotServer {
  server: Server;
  /** Listens on config.port/host; resolves with the bound port and a loopback-friendly URL. */
  listen(): Promise<{ port: number; url: string }>;
  /** Graceful stop: readiness goes 503, route modules close, in-flight requests finish (5 s cap). */
  close(): Promise<void>;
}

/** Builds the server; nothing listens until `listen()`. */
export function createServer(options: CreateServerOptions): BotServer {
  const { config, store, log } = options;
  const server = restify.createServer({ name: 'reconnect', handleUncaughtExceptions: false });
  const upgrades: {
    matches: (pathname: string) => boolean;
    handler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  }[] = [];
  const closers: (() => Promise<void> | void)[] = [];
  let draining = false;

  server.pre((_req: Request, res: Response, next: () => void) => {
    res.header('X-Content-Type-Options', 'nosniff');
    next();
  });
  // Limits on what clients send (issue 16, bot/limits.ts): sizes, counts and timeouts.
  guardHttpServer(server.server, config.limits);
  server.pre(headerCountGuard(config.limits));
  server.pre(storeUnavailableGate(store));
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(bodyReader(config.limits));

  server.get('/healthz', (_req: Request, res: Response, next: () => void) => {
    res.send(200, { status: 'ok' });
    next();
  });
  server.get('/readyz', (_req: Request, res: Response, next: () => void) => {
    const answer = draining
      ? Promise.reject(new Error('shutting down'))
      : store.checkWritable().then(() => res.send(200, { status: 'ready' }));
    answer
      .catch((error: Error) => res.send(503, { status: 'unavailable', reason: error.message }))
      .finally(() => next());
  });

  const context: RouteContext = {
    config,
    log,
    onUpgrade: (matches, handler) => void upgrades.push({ matches, handler }),
    onClose: (fn) => void closers.push(fn),
  };
  for (const route of options.routes) route(server, context);

  server.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? '/', 'http://upgrade.invalid').pathname;
    if (refuseUpgradeWhileDown(store, socket)) return;
    const claim = upgrades.find((u) => u.matches(pathname));
    if (claim !== undefined && !draining) return claim.handler(req, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });

  server.on(
    'restifyError',
    (req: Request, _res: Response, error: Error & { statusCode?: number }, callback: () => void) => {
      if ((error.statusCode ?? 500) >= 500)
        log.error('request failed', { method: req.method, path: req.path(), error });
      callback();
    },
  );

  return {
    server,
    listen: () =>
      new Promise((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
          resolve({ port, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` });
        });
      }),
    async close() {
      draining = true;
      for (const fn of closers) {
        try {
          await fn();
        } catch (error) {
          log.warn('a route module failed to close cleanly', { error });
        }
      }
      if (!server.server.listening) return;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeIdleConnections();
      const cap = setTimeout(() => server.server.closeAllConnections(), 5000);
      await stopped;
      clearTimeout(cap);
    },
  };
}
