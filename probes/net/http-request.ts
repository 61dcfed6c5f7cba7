/**
 * One HTTPS GET over the shared connection path, with undici as the HTTP/1.1 client. undici's
 * `connect` hook hands it our socket, so DNS, proxy, TCP and TLS are timed and classified by
 * openPath (the same path the tls probe judges) and undici only speaks HTTP.
 */
import type { Socket } from 'node:net';
import { Client } from 'undici';
import type { ProbeOptions } from '../context.ts';
import type { Phases } from '../types.ts';
import { zeroPhases } from '../types.ts';
import { ms, openPath, type PathFailed, type PathOpen, type PathResult } from './path.ts';
import { authority } from './proxy-tunnel.ts';
import { type TlsFacts, trustFailure } from './tls-handshake.ts';

export interface HttpTarget {
  host: string;
  port: number;
  /** Default `/`. */
  path?: string;
}

export interface HttpAnswer {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The first 64 KB of the body (to recognise a block page). */
  body: string;
}

export interface HttpExchange {
  ok: true;
  phases: Phases;
  proxy: string | null;
  address: string;
  tls: TlsFacts;
  response: HttpAnswer;
  /** Request written → response head received, in ms (the round trip the clock probe halves). */
  rttMs: number;
  /** ctx.now() when the head arrived. */
  receivedAt: number;
}

export type HttpResult = HttpExchange | (PathFailed & { tls?: TlsFacts });

export interface HttpRequestOptions {
  /** false: send the request even over an untrusted chain (the clock probe needs the Date). */
  requireTrust: boolean;
  /** false: do not wait for the body (the clock probe only needs the head). Default true. */
  readBody?: boolean;
}

const MAX_BODY = 64 * 1024;

/** Marks a connect that openPath already classified, so undici's own error is not reported. */
class PathError extends Error {
  readonly code = 'RECONNECT_PATH';
}

/** GETs https://host:port/path the way Teams would reach it. Never throws for a network failure. */
export async function httpsGet(
  target: HttpTarget,
  options: ProbeOptions,
  request: HttpRequestOptions,
): Promise<HttpResult> {
  const where = authority(target.host, target.port);
  let pending: Promise<unknown> | undefined;
  let opened: PathOpen | undefined;
  let refused: (PathFailed & { tls?: TlsFacts }) | undefined;
  let connectedAt = 0;
  const client = new Client(`https://${where}`, {
    // Our deadline is the signal; undici's own timers would only race it.
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: (_opts, callback) => {
      pending = openPath(
        { host: target.host, port: target.port, tls: true, alpn: ['http/1.1'] },
        options,
      ).then(
        (result: PathResult) => {
          const distrust = result.ok && request.requireTrust ? trustFailure(result.tls!, where) : null;
          if (!result.ok || distrust) {
            if (result.ok) result.socket.destroy();
            refused = result.ok
              ? {
                  ok: false,
                  phases: result.phases,
                  proxy: result.proxy,
                  address: result.address,
                  tls: result.tls,
                  ...distrust!,
                }
              : result;
            callback(new PathError(refused.failure.detail), null);
            return;
          }
          opened = result;
          connectedAt = performance.now();
          callback(null, result.socket as Socket);
        },
        (err: Error) => callback(err, null),
      );
    },
  });
  try {
    const res = await client.request({
      method: 'GET',
      path: target.path ?? '/',
      headers: { 'user-agent': 'reconnect-agent', accept: '*/*' },
      signal: options.signal,
    });
    const rttMs = performance.now() - connectedAt;
    const receivedAt = options.ctx.now();
    const body = request.readBody === false ? '' : await readPrefix(res.body);
    const path = opened!;
    return {
      ok: true,
      phases: { ...path.phases, firstByte: ms(rttMs) },
      proxy: path.proxy,
      address: path.address,
      tls: path.tls!,
      response: { status: res.statusCode, headers: flatten(res.headers), body },
      rttMs,
      receivedAt,
    };
  } catch (err) {
    await pending;
    if (refused) return refused;
    const waited = opened ? performance.now() - connectedAt : 0;
    return requestFailure(err as NodeJS.ErrnoException, opened, where, options.signal.aborted, waited);
  } finally {
    await client.destroy().catch(() => {});
  }
}

/** The connection opened but no response head came back. */
function requestFailure(
  err: NodeJS.ErrnoException,
  path: PathOpen | undefined,
  where: string,
  aborted: boolean,
  waitedMs: number,
): PathFailed & { tls?: TlsFacts } {
  const phases = path ? { ...path.phases } : zeroPhases();
  // Timed out waiting for the head: the firstByte phase ran (for all of the rest of the deadline).
  if (aborted && waitedMs > 0) phases.firstByte = ms(waitedMs);
  const code = aborted ? 'ETIMEDOUT' : (err.code ?? 'EHTTP');
  const message = aborted
    ? `GET https://${where}/: no response before the deadline`
    : `GET https://${where}/: ${err.message} (${code})`;
  const reset = /ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED/.test(code);
  return {
    ok: false,
    phases,
    failure: {
      phase: aborted ? 'firstByte' : 'response',
      code: aborted ? 'timeout' : reset ? 'reset' : path ? 'bad_response' : 'internal',
      detail: message,
    },
    error: { code, message },
    proxy: path?.proxy ?? null,
    address: path?.address ?? null,
    tls: path?.tls,
  };
}

async function readPrefix(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_BODY) break;
    }
  } catch {
    // A body cut short (deadline, reset) still tells what it began with.
  }
  body.destroy();
  return Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8');
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
