/**
 * The agent's WebSocket to the bot, on the path the computer itself would use for the bot's URL:
 * the proxy its settings pick (environment, WinINet, WinHTTP, PAC, scutil: probes/proxy
 * discovery, read once), an HTTP CONNECT tunnel with Basic credentials when the proxy URL carries
 * them, and TLS judged against the operating system's store (corporate inspection re-signs the
 * bot's certificate too). It is the probes' own connection path (probes/net/path.ts); only the
 * WebSocket framing on top comes from `ws`, over the socket that path opened. Node's global
 * WebSocket would ignore the proxy and trust only Node's bundled roots.
 *
 * A proxy that wants Windows sign-in (NTLM, Negotiate) is named as such: the agent cannot answer
 * it, and the link's fallback (the checks and the result code) takes over.
 */
import WebSocket from 'ws';
import type { ProbeContext, ProxySettings } from '../context.ts';
import { createInterlock } from '../interlock.ts';
import { openPath, type PathFailed, redactProxy } from '../net/path.ts';
import { authority } from '../net/proxy-tunnel.ts';
import { trustFailure } from '../net/tls-handshake.ts';
import { discoverProxy } from '../proxy/discover.ts';
import type { Catalog } from '../types.ts';
import { type AgentConfig, trustedCertificates } from './config.ts';
import type { Connect, SocketHandlers, SocketLike } from './link.ts';

/** Budget for reaching the bot (proxy, tunnel, TLS, upgrade) in one attempt. */
export const CONNECT_BUDGET_MS = 20_000;

/** No Microsoft roots matter here: the bot's certificate is judged by the OS store alone. */
const NO_CATALOG: Catalog = {
  schema: 'reconnect.catalog/v1',
  cloud: 'commercial',
  endpoints: [],
  media: [],
  publicResolvers: [],
  timeSources: [],
  microsoftRoots: [],
};

/** The sentence for a path that failed, in the words a person at the computer can act on. */
export function pathProblem(path: PathFailed, server: string): string {
  const response = path.proxyResponse;
  if (response?.status === 407) {
    const offered = response.headers['proxy-authenticate'] ?? '';
    const windows = /\b(NTLM|Negotiate|Kerberos)\b/i.exec(offered);
    if (windows && !/\bBasic\b/i.test(offered))
      return (
        `the proxy ${path.proxy} wants Windows sign-in (${windows[1]}) before it lets anything through, ` +
        `which this agent cannot do; ask IT to let ${server} through the proxy without sign-in`
      );
    return path.proxy?.includes('@')
      ? `the proxy ${path.proxy} refused the user name and password in its address`
      : `the proxy ${path.proxy} asks for a user name and password; put them in the proxy address (http://user:password@proxy:port)`;
  }
  return path.error.message;
}

export interface TransportOptions {
  config: AgentConfig;
  /** Proxy settings; default: this computer's, discovered on the first connection. */
  proxy?: ProxySettings;
  /** PEM roots that decide trust; default the operating system's store plus NODE_EXTRA_CA_CERTS. */
  trustedCa?: string[];
}

/** A `Connect` for the link that goes the way the computer's settings say. */
export function proxiedConnect(options: TransportOptions): Connect {
  const { config } = options;
  let context: Promise<ProbeContext> | undefined;
  const contextOnce = () => {
    context ??= (async () => {
      const base = {
        interlock: createInterlock({ enabled: config.lab, labNets: config.labNets }),
        systemResolver: config.systemResolver,
        trustedCa: options.trustedCa ?? trustedCertificates(),
      };
      const proxy =
        options.proxy ??
        (await discoverProxy({
          platform: config.platform,
          proxyVariables: config.proxyVariables,
          ctx: base,
        }));
      return { ...base, proxy, catalog: NO_CATALOG, now: Date.now };
    })();
    return context;
  };

  return (url, handlers) => {
    const abort = new AbortController();
    let ws: WebSocket | undefined;
    let closed = false;
    const down = (code: number, reason: string) => {
      if (closed) return;
      closed = true;
      handlers.close(code, reason);
    };
    open(url, handlers, down, abort.signal, contextOnce)
      .then((socket) => {
        ws = socket;
        if (abort.signal.aborted) socket.terminate();
      })
      .catch((err: Error) => down(1006, err.message));
    const like: SocketLike = {
      send(text) {
        if (!ws || ws.readyState !== WebSocket.OPEN) throw new Error('not connected');
        ws.send(text);
      },
      close(code, reason) {
        abort.abort();
        if (ws) ws.close(code, reason);
        else down(code ?? 1000, reason ?? 'closed');
      },
    };
    return like;
  };
}

async function open(
  url: string,
  handlers: SocketHandlers,
  down: (code: number, reason: string) => void,
  signal: AbortSignal,
  contextOnce: () => Promise<ProbeContext>,
): Promise<WebSocket> {
  const target = new URL(url);
  const tls = target.protocol === 'wss:';
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port || (tls ? 443 : 80));
  const server = `${tls ? 'https' : 'http'}://${authority(host, port)}`;
  const ctx = await contextOnce();
  // The proxy for the bot's own URL (http or https), as the computer's settings choose it.
  const chosen = await ctx.proxy.forUrl(`${server}/`);
  const proxy = chosen
    ? new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(chosen) ? chosen : `http://${chosen}`)
    : null;
  if (proxy && proxy.protocol !== 'http:')
    throw new Error(
      `the proxy ${redactProxy(proxy)} is not an http:// proxy, which is all the agent can use`,
    );
  const budget = AbortSignal.any([signal, AbortSignal.timeout(CONNECT_BUDGET_MS)]);
  const path = await openPath(
    { host, port, tls, alpn: ['http/1.1'] },
    { ctx, signal: budget, deadline: Date.now() + CONNECT_BUDGET_MS },
    { proxy },
  );
  if (!path.ok) throw new Error(pathProblem(path, server));
  if (path.tls) {
    const distrust = trustFailure(path.tls, authority(host, port));
    if (distrust) {
      path.socket.destroy();
      throw new Error(distrust.error.message);
    }
  }
  const socket = path.socket;
  // Reading the proxy's answer left the tunnel paused; nothing arrives before our request.
  socket.resume();
  const ws = new WebSocket(url, {
    createConnection: () => socket,
    handshakeTimeout: CONNECT_BUDGET_MS,
    perMessageDeflate: false,
  });
  ws.on('open', () => handlers.open());
  ws.on('message', (data, isBinary) => {
    // The protocol is text only; a binary frame is not a message of ours and is ignored.
    if (!isBinary) handlers.message(data.toString());
  });
  ws.on('close', (code, reason) => down(code, reason.toString()));
  ws.on('error', (err) => {
    // A refused upgrade (the proxy or the bot answered something else) ends here; close follows.
    down(1006, err.message);
  });
  return ws;
}
