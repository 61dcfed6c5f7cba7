/**
 * Captive portal detection the way operating systems do it (Windows' NCSI, Apple's
 * captive.apple.com): a plain-HTTP GET of a URL whose body is known. The real internet
 * answers 200 with exactly that body; a hotel, airport or guest Wi-Fi answers with a redirect
 * to its sign-in page, or with the page itself. Plain HTTP on purpose: a portal can rewrite it,
 * while HTTPS would only fail with a certificate error that looks like TLS inspection.
 */
import type { ProbeOptions } from './context.ts';
import { type ResponseHead, readBodyPrefix, readHead } from './net/http-head.ts';
import { ms, openPath } from './net/path.ts';
import { answerFailure, finish, internalError, noHeadFailure, pathFailure, startRun } from './net/result.ts';
import type { SocketError } from './net/socket-error.ts';
import type { ProbeResult } from './types.ts';
import { zeroPhases } from './types.ts';

export interface PortalTarget {
  /** An `http://` URL from the catalog's `portalChecks`. */
  url: string;
  /** Text the genuine answer's body contains. */
  expect: string;
}

export interface PortalDetail {
  url: string;
  status: number | null;
  /** Where a redirect points: the portal's sign-in page. */
  location: string | null;
  /** The body held the expected text. */
  matched: boolean;
  /** The answer's `<title>`, when it sent a page in place of the expected text. */
  title: string | null;
  proxy: string | null;
  address: string | null;
}

/** The target id of a portal check: host and port of its URL. */
export function portalTarget(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 80}`;
}

export async function probePortal(
  target: PortalTarget,
  options: ProbeOptions,
): Promise<ProbeResult<PortalDetail>> {
  const url = new URL(target.url);
  const port = Number(url.port || 80);
  const run = startRun('portal', url.hostname, port);
  const detail: PortalDetail = {
    url: target.url,
    status: null,
    location: null,
    matched: false,
    title: null,
    proxy: null,
    address: null,
  };
  try {
    const path = await openPath({ host: url.hostname, port, tls: false }, options);
    if (!path.ok) return pathFailure(run, path, { ...detail, proxy: path.proxy, address: path.address });
    detail.proxy = path.proxy;
    detail.address = path.address;
    const socket = path.socket;
    try {
      const request = [
        `GET ${url.pathname}${url.search} HTTP/1.1`,
        `Host: ${url.host}`,
        'Connection: close',
        'Cache-Control: no-cache',
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
        const message = `GET ${target.url}: ${e.message}`;
        return noHeadFailure(run, {
          phases: path.phases,
          detail,
          sent,
          error: e,
          refused: 'bad_response',
          message,
        });
      }
      const phases = { ...path.phases, firstByte: ms(performance.now() - sent) };
      const body = await readBodyPrefix(socket, head, rest, options.signal);
      detail.status = head.status;
      detail.location = head.headers['location'] ?? null;
      detail.matched = head.status === 200 && body.includes(target.expect);
      if (detail.matched) return finish(run, { status: 'pass', phases, detail });
      detail.title = /<title[^>]*>([^<]{1,200})<\/title>/i.exec(body)?.[1]?.trim() ?? null;
      const what = detail.location
        ? `redirects to ${detail.location}`
        : `answers ${head.status} with ${detail.title ? `the page "${detail.title}"` : 'another body'}`;
      const message = `GET ${target.url} ${what} instead of "${target.expect}"`;
      return answerFailure(run, { phases, detail, code: 'captive_portal', status: head.status, message });
    } finally {
      socket.destroy();
    }
  } catch (err) {
    return internalError(run, zeroPhases(), detail, err);
  }
}
