/**
 * The HTTP CONNECT exchange with a proxy, as Teams' network stack does it: one CONNECT per
 * connection, Basic credentials only when the proxy URL carries them (integrated NTLM or
 * Kerberos auth is the OS's business; a 407 here is what tells the user it is missing).
 */
import type { Socket } from 'node:net';
import type { FailureCode } from '../types.ts';
import { type ResponseHead, readBodyPrefix, readHead } from './http-head.ts';
import type { SocketError } from './socket-error.ts';

export type TunnelResult =
  | { ok: true }
  | {
      ok: false;
      code: FailureCode;
      error: { code: string; message: string };
      /** The proxy's refusal, when it answered. */
      response?: ResponseHead & { body: string };
    };

/** Header names that identify the proxy in a refusal, quoted in the failure detail. */
const IDENTIFYING = ['via', 'x-squid-error', 'server'];

/** `host:port` as CONNECT's request target wants it (IPv6 literals bracketed). */
export function authority(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Asks the proxy on `socket` for a tunnel to host:port. On a 2xx the socket is the tunnel;
 * otherwise the caller destroys it.
 */
export async function openTunnel(
  socket: Socket,
  target: { host: string; port: number },
  proxy: URL,
  signal: AbortSignal,
): Promise<TunnelResult> {
  const where = authority(target.host, target.port);
  const lines = [`CONNECT ${where} HTTP/1.1`, `Host: ${where}`];
  if (proxy.username) {
    const user = decodeURIComponent(proxy.username);
    const password = decodeURIComponent(proxy.password);
    lines.push(`Proxy-Authorization: Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);
  }
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  let head: ResponseHead;
  let rest: Buffer;
  try {
    ({ head, rest } = await readHead(socket, signal));
  } catch (err) {
    const e = err as SocketError;
    const code: FailureCode = e.aborted
      ? 'timeout'
      : e.code === 'EBADRESPONSE'
        ? 'bad_response'
        : 'proxy_refused';
    return {
      ok: false,
      code,
      error: { code: e.code, message: `proxy ${proxy.host}, CONNECT ${where}: ${e.message}` },
    };
  }
  if (head.status >= 200 && head.status < 300) {
    // The tunnel is silent until the client speaks; anything already here belongs to it.
    if (rest.length > 0) socket.unshift(rest);
    return { ok: true };
  }
  const body = head.status === 407 ? '' : await readBodyPrefix(socket, head, rest, signal);
  const seen = IDENTIFYING.filter((name) => head.headers[name]).map(
    (name) => `${name}: ${head.headers[name]}`,
  );
  const message =
    `proxy ${proxy.host} answered CONNECT ${where} with ${head.status} ${head.statusText}`.trim() +
    (seen.length ? ` (${seen.join('; ')})` : '');
  return {
    ok: false,
    code: head.status === 407 ? 'proxy_auth_required' : 'proxy_refused',
    error: { code: `HTTP_${head.status}`, message },
    response: { ...head, body },
  };
}
