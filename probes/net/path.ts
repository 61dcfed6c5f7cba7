/**
 * The one connection path every connection probe (tcp, tls, https, websocket, clock) shares,
 * so that they all reach a host the way Teams would: the proxy the settings pick for
 * `https://host:port/`, or DIRECT through the system resolver; then TLS judged against the
 * system store. Every phase is timed and every failure classified here, once.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ProbeContext, ProbeOptions } from '../context.ts';
import { resolveHost } from '../dns/resolve.ts';
import { InterlockError } from '../interlock.ts';
import type { FailureCode, Phase, Phases, ProbeFailure } from '../types.ts';
import { zeroPhases } from '../types.ts';
import type { ResponseHead } from './http-head.ts';
import { authority, openTunnel } from './proxy-tunnel.ts';
import { SocketError } from './socket-error.ts';
import { classifyConnectError, connectTcp } from './tcp-connect.ts';
import { handshake, type TlsFacts } from './tls-handshake.ts';

export type { ChainCert, TlsFacts, TrustReason } from './tls-handshake.ts';

export interface PathTarget {
  host: string;
  port: number;
  tls: boolean;
  alpn?: string[];
}

export interface PathOpen {
  ok: true;
  /** The caller owns it and must destroy it. A no-op 'error' listener is attached. */
  socket: Socket | TLSSocket;
  phases: Phases;
  /** The proxy used (credentials removed), or null for DIRECT. */
  proxy: string | null;
  /** The address the TCP connection went to: the target's, or the proxy's. */
  address: string;
  tls?: TlsFacts;
}

export interface PathFailed {
  ok: false;
  phases: Phases;
  failure: ProbeFailure;
  error: { code: string; message: string };
  proxy: string | null;
  address: string | null;
  /** The proxy's answer when it refused CONNECT (status, headers, start of the body). */
  proxyResponse?: ResponseHead & { body: string };
}

export type PathResult = PathOpen | PathFailed;

export interface PathOverrides {
  /** A proxy choice already made by the caller (undefined: ask ctx.proxy). */
  proxy?: URL | null;
}

const noop = () => {};

/**
 * The proxy Teams would use for host:port, or null for DIRECT. Throws when the settings
 * cannot decide (a PAC file that fails) or name something that is not an HTTP proxy URL.
 */
export async function selectProxy(host: string, port: number, ctx: ProbeContext): Promise<URL | null> {
  const chosen = await ctx.proxy.forUrl(`https://${authority(host, port)}/`);
  if (!chosen) return null;
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(chosen) ? chosen : `http://${chosen}`);
  if (url.protocol !== 'http:') {
    throw new Error(`proxy "${redactProxy(url)}": only http:// proxies are supported (got ${url.protocol})`);
  }
  return url;
}

/** The proxy URL without its password, for reports. */
export function redactProxy(url: URL): string {
  const copy = new URL(url.href);
  copy.password = '';
  return copy.href.replace(/\/$/, '');
}

/**
 * Opens a connection to target the way Teams would. Never throws for a network failure:
 * the result says which phase failed and why. On success the caller owns `socket`.
 */
export async function openPath(
  target: PathTarget,
  options: ProbeOptions,
  overrides: PathOverrides = {},
): Promise<PathResult> {
  const { ctx, signal } = options;
  const phases = zeroPhases();
  let proxyUrl: URL | null;
  try {
    proxyUrl =
      overrides.proxy !== undefined ? overrides.proxy : await selectProxy(target.host, target.port, ctx);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const message = `choosing the proxy for ${target.host}: ${e.message}`;
    return fail(phases, null, null, 'proxy', 'proxy_unreachable', e.code ?? 'EPROXYSETTINGS', message);
  }
  const proxy = proxyUrl ? redactProxy(proxyUrl) : null;
  const hop = proxyUrl
    ? { host: proxyUrl.hostname.replace(/^\[|\]$/g, ''), port: Number(proxyUrl.port || 80) }
    : { host: target.host, port: target.port };
  const via = proxyUrl ? ` (proxy ${proxyUrl.host})` : '';

  let addresses: string[];
  try {
    const resolved = await resolveHost(hop.host, ctx, signal);
    // An IP literal (or the proxy's) is not resolved: the dns phase stays 0.
    if (resolved.ms > 0) phases.dns = ms(resolved.ms);
    addresses = resolved.addresses;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (err instanceof InterlockError)
      return fail(phases, proxy, null, 'dns', 'interlock', 'interlock', e.message);
    const code: FailureCode = proxyUrl ? 'proxy_unreachable' : dnsFailureCode(e.code);
    return fail(
      phases,
      proxy,
      null,
      proxyUrl ? 'proxy' : 'dns',
      code,
      e.code ?? 'EDNS',
      `${e.message}${via}`,
    );
  }

  // Every address is checked before any packet: a lab name that resolves off-machine is a lab bug.
  for (const address of addresses) {
    try {
      ctx.interlock.check(address);
    } catch (err) {
      return fail(phases, proxy, address, 'connect', 'interlock', 'interlock', (err as Error).message);
    }
  }

  let socket: Socket | undefined;
  let lastError: SocketError | undefined;
  let address = addresses[0];
  const connectStarted = performance.now();
  for (const candidate of addresses) {
    address = candidate;
    try {
      socket = await connectTcp(candidate, hop.port, signal);
      break;
    } catch (err) {
      lastError = err as SocketError;
      if (lastError.aborted) break;
    }
  }
  phases.connect = ms(performance.now() - connectStarted);
  if (!socket) {
    const e = lastError ?? new SocketError('ENOADDRESS', `no address for ${hop.host}`);
    if (proxyUrl)
      return fail(phases, proxy, address, 'proxy', 'proxy_unreachable', e.code, `${e.message}${via}`);
    return fail(phases, proxy, address, 'connect', classifyConnectError(e), e.code, e.message);
  }
  socket.on('error', noop);

  if (proxyUrl) {
    const tunnelStarted = performance.now();
    const tunnel = await openTunnel(socket, target, proxyUrl, signal);
    phases.proxy = ms(performance.now() - tunnelStarted);
    if (!tunnel.ok) {
      socket.destroy();
      const failed = fail(
        phases,
        proxy,
        address,
        'proxy',
        tunnel.code,
        tunnel.error.code,
        tunnel.error.message,
      );
      return tunnel.response ? { ...failed, proxyResponse: tunnel.response } : failed;
    }
  }

  if (!target.tls) return { ok: true, socket, phases, proxy, address };

  const tlsStarted = performance.now();
  const shaken = await handshake(socket, {
    host: target.host,
    alpn: target.alpn,
    ca: ctx.trustedCa,
    roots: ctx.catalog.microsoftRoots,
    signal,
  });
  phases.tls = ms(performance.now() - tlsStarted);
  if (!shaken.ok) {
    const message = `TLS with ${authority(target.host, target.port)}${via}: ${shaken.error.message}`;
    return fail(phases, proxy, address, 'tls', shaken.code, shaken.error.code, message);
  }
  shaken.socket.on('error', noop);
  return { ok: true, socket: shaken.socket, phases, proxy, address, tls: shaken.tls };
}

/** Our code for a resolver error code (node:dns names). */
export function dnsFailureCode(code: string | undefined): FailureCode {
  switch (code) {
    case 'ENOTFOUND':
      return 'nxdomain';
    case 'ESERVFAIL':
      return 'servfail';
    case 'EREFUSED':
      return 'dns_refused';
    case 'ETIMEOUT':
    case 'ETIMEDOUT':
      return 'dns_timeout';
    case 'ENODATA':
      return 'no_answer';
    default:
      return 'dns_error';
  }
}

/** Milliseconds rounded to the microsecond: a phase that ran is never reported as 0. */
export function ms(value: number): number {
  return Math.max(Math.round(value * 1000) / 1000, 0.001);
}

function fail(
  phases: Phases,
  proxy: string | null,
  address: string | null,
  phase: Phase,
  code: FailureCode,
  errorCode: string,
  message: string,
): PathFailed {
  return {
    ok: false,
    phases,
    failure: { phase, code, detail: message },
    error: { code: errorCode, message },
    proxy,
    address,
  };
}
