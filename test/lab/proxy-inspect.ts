/**
 * The TLS-inspecting half of the lab proxy (Zscaler, Blue Coat, Squid ssl-bump): after CONNECT it
 * terminates the client's TLS with a leaf minted by the inspection root for the CONNECT host,
 * reads the HTTP inside, and makes its own verified TLS connection to the real (lab) server.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  checkServerIdentity,
  connect,
  createSecureContext,
  type PeerCertificate,
  type SecureContext,
  TLSSocket,
} from 'node:tls';
import type { LabPki } from './pki.ts';
import { forwardRequest, refuseRaw, tunnelUpgrade, type UpstreamRequest } from './proxy-forward.ts';
import type { SocketSet } from './server-util.ts';

export interface InspectOptions {
  pki: LabPki;
  /** Answer WebSocket upgrades inside the tunnel with 403 + Via + X-Squid-Error. */
  refuseWebSocket?: boolean;
}

/** A request the inspecting proxy read inside a tunnel. */
export interface InspectedRequest {
  /** `https://HOST:PORT/path`, from the CONNECT target. */
  url: string;
  method: string;
  websocket: boolean;
}

export interface Inspector {
  /** Take over a CONNECT tunnel that has already been answered with 200. */
  intercept(client: Socket, head: Buffer, target: { host: string; port: number }, upstream: Address): void;
}

interface Address {
  host: string;
  port: number;
}

/** Per-tunnel facts the inner HTTP server needs, attached to the TLS socket it serves. */
const tunnels = new WeakMap<Socket, { target: Address; upstream: Address }>();

export function createInspector(
  options: InspectOptions,
  sockets: SocketSet,
  seen: InspectedRequest[],
): Inspector {
  const contexts = new Map<string, SecureContext>();
  const ca = [options.pki.microsoftRoot.certPem];

  function contextFor(host: string): SecureContext {
    let context = contexts.get(host);
    if (!context) {
      const leaf = options.pki.issueLeaf({ issuer: 'inspection', hosts: [host] });
      context = createSecureContext({ cert: leaf.chainPem, key: leaf.keyPem });
      contexts.set(host, context);
    }
    return context;
  }

  function upstreamTls(target: Address) {
    return {
      ca,
      // SNI may not be an IP literal; identity is checked against the CONNECT host either way.
      servername: isIP(target.host) ? undefined : target.host,
      checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(target.host, cert),
    };
  }

  function tunnelOf(req: IncomingMessage) {
    const facts = tunnels.get(req.socket);
    if (!facts) throw new Error('lab proxy: request on a socket that is not an inspected tunnel');
    return facts;
  }

  // Never listens: it only parses HTTP on the TLS sockets handed to it.
  const inner = createServer((req, res) => {
    const { target, upstream } = tunnelOf(req);
    seen.push({ url: absolute(target, req.url), method: req.method ?? '', websocket: false });
    const to: UpstreamRequest = { ...upstream, tls: upstreamTls(target) };
    forwardRequest(req, res, req.url ?? '/', to, sockets);
  });
  inner.on('upgrade', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    const { target, upstream } = tunnelOf(req);
    seen.push({ url: absolute(target, req.url), method: req.method ?? '', websocket: true });
    client.on('error', () => {});
    if (options.refuseWebSocket) {
      refuseRaw(client, { status: 403, reason: 'Forbidden', squidError: 'ERR_ACCESS_DENIED 0' });
      return;
    }
    const dial = () => connect({ host: upstream.host, port: upstream.port, ...upstreamTls(target) });
    tunnelUpgrade(req, client, head, req.url ?? '/', dial, sockets);
  });

  return {
    intercept(client, head, target, upstream) {
      if (head.length > 0) client.unshift(head);
      const secure = new TLSSocket(client, {
        isServer: true,
        secureContext: contextFor(target.host),
        ALPNProtocols: ['http/1.1'],
      });
      sockets.add(secure);
      tunnels.set(secure, { target, upstream });
      inner.emit('connection', secure);
    },
  };
}

function absolute(target: Address, path = '/'): string {
  const host = isIP(target.host) === 6 ? `[${target.host}]` : target.host;
  return `https://${host}:${target.port}${path}`;
}
