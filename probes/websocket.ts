/**
 * A WebSocket upgrade to one endpoint on the path Teams uses (Teams' trouter channel needs it
 * through the proxy). The request is written by hand over the openPath socket rather than with
 * undici's upgrade API, because undici turns any answer other than 101 into a bare
 * "bad upgrade" error: the status, Via and Server of the refusal, which name the refusing
 * proxy, would be lost.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ProbeOptions } from './context.ts';
import { answerFacts, interception, refusalFacts } from './net/blocked.ts';
import { type ResponseHead, readBodyPrefix, readHead } from './net/http-head.ts';
import { ms, openPath } from './net/path.ts';
import { answerFailure, finish, internalError, noHeadFailure, pathFailure, startRun } from './net/result.ts';
import type { SocketError } from './net/socket-error.ts';
import { trustFailure } from './net/tls-handshake.ts';
import type { ProbeResult } from './types.ts';
import { zeroPhases } from './types.ts';

export interface WebSocketTarget {
  host: string;
  port: number;
  path: string;
}

export interface WebSocketDetail {
  status: number | null;
  via: string | null;
  server: string | null;
  headers: Record<string, string>;
  proxy: string | null;
  address: string | null;
  blockedBy?: string;
}

/** RFC 6455 section 4.2.2: the accept value the server must echo for our key. */
export function acceptFor(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

export async function probeWebSocket(
  target: WebSocketTarget,
  options: ProbeOptions,
): Promise<ProbeResult<WebSocketDetail>> {
  const run = startRun('websocket', target.host, target.port);
  const detail: WebSocketDetail = {
    status: null,
    via: null,
    server: null,
    headers: {},
    proxy: null,
    address: null,
  };
  try {
    const path = await openPath({ ...target, tls: true, alpn: ['http/1.1'] }, options);
    if (!path.ok) {
      const refusal = path.proxyResponse ? refusalFacts(path.proxyResponse, path.proxy) : {};
      return pathFailure(run, path, { ...detail, ...refusal, proxy: path.proxy, address: path.address });
    }
    detail.proxy = path.proxy;
    detail.address = path.address;
    const socket = path.socket;
    try {
      const distrust = trustFailure(path.tls!, run.target);
      if (distrust) return finish(run, { status: 'fail', phases: path.phases, detail, ...distrust });

      const key = randomBytes(16).toString('base64');
      const request = [
        `GET ${target.path || '/'} HTTP/1.1`,
        `Host: ${run.target}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${key}`,
        'Sec-WebSocket-Version: 13',
        'User-Agent: reconnect-agent',
      ];
      const sent = performance.now();
      socket.write(`${request.join('\r\n')}\r\n\r\n`);
      let head: ResponseHead;
      let rest: Buffer;
      try {
        ({ head, rest } = await readHead(socket, options.signal));
      } catch (err) {
        const e = err as SocketError;
        const message = `upgrade to wss://${run.target}${target.path}: ${e.message}`;
        return noHeadFailure(run, {
          phases: path.phases,
          detail,
          sent,
          error: e,
          refused: 'upgrade_refused',
          message,
        });
      }
      const phases = { ...path.phases, firstByte: ms(performance.now() - sent) };
      const upgraded =
        head.status === 101 &&
        head.headers['upgrade']?.toLowerCase() === 'websocket' &&
        head.headers['sec-websocket-accept'] === acceptFor(key);
      const body =
        upgraded || head.status === 101 ? '' : await readBodyPrefix(socket, head, rest, options.signal);
      Object.assign(
        detail,
        answerFacts(head, body, interception(path.tls!, options.ctx.catalog.microsoftRoots)),
      );
      // Proven; closing the TCP connection is enough (a Close frame would need a wait to flush).
      if (upgraded) return finish(run, { status: 'pass', phases, detail });
      const by = detail.blockedBy;
      const why =
        head.status === 101
          ? '101 without a valid Sec-WebSocket-Accept'
          : `${head.status} ${head.statusText}`.trim();
      const message = `upgrade to wss://${run.target}${target.path} answered ${why}${by ? ` from ${by}` : ''}`;
      return answerFailure(run, { phases, detail, code: 'upgrade_refused', status: head.status, message });
    } finally {
      socket.destroy();
    }
  } catch (err) {
    return internalError(run, zeroPhases(), detail, err);
  }
}
