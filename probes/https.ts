/**
 * An HTTPS GET to one endpoint on the path Teams uses. Any answer below 500 from the origin
 * passes (a sign-in host answering 404 for `/` is healthy); 5xx is the service's own fault;
 * an answer written by a proxy or filter in the origin's place is a block. Trust is not
 * re-judged here (the tls probe describes the chain), but a chain that is not trusted fails
 * this probe with the same code, because Teams would not send the request either.
 */
import type { ProbeOptions } from './context.ts';
import { answerFacts, interception, refusalFacts } from './net/blocked.ts';
import { httpsGet } from './net/http-request.ts';
import { finish, internalError, pathFailure, startRun } from './net/result.ts';
import type { ProbeResult } from './types.ts';
import { zeroPhases } from './types.ts';

export interface HttpsTarget {
  host: string;
  port: number;
  /** Default `/`. */
  path?: string;
}

export interface HttpsDetail {
  status: number | null;
  date: string | null;
  server: string | null;
  via: string | null;
  /** Headers that say who answered (Server, Via, proxy and filter headers, Location…). */
  headers: Record<string, string>;
  proxy: string | null;
  address: string | null;
  /** Who answered in the origin's place, when the answer is a block. */
  blockedBy?: string;
}

export async function probeHttps(
  target: HttpsTarget,
  options: ProbeOptions,
): Promise<ProbeResult<HttpsDetail>> {
  const run = startRun('https', target.host, target.port);
  const empty = { status: null, date: null, server: null, via: null, headers: {} };
  try {
    const result = await httpsGet(target, options, { requireTrust: true });
    if (!result.ok) {
      const detail: HttpsDetail = { ...empty, proxy: result.proxy, address: result.address };
      if (result.proxyResponse) Object.assign(detail, refusalFacts(result.proxyResponse, result.proxy));
      // A proxy that refuses CONNECT to this host by policy is a block, not a broken proxy.
      if (detail.blockedBy) {
        const failure = {
          phase: 'proxy' as const,
          code: 'http_blocked' as const,
          detail: result.failure.detail,
        };
        return finish(run, { status: 'fail', phases: result.phases, detail, failure, error: result.error });
      }
      return pathFailure(run, result, detail);
    }
    const { response } = result;
    const head = { status: response.status, statusText: '', headers: response.headers };
    const detail: HttpsDetail = {
      ...answerFacts(head, response.body, interception(result.tls, options.ctx.catalog.microsoftRoots)),
      date: response.headers['date'] ?? null,
      proxy: result.proxy,
      address: result.address,
    };
    const line = `GET https://${run.target}${target.path ?? '/'} answered ${response.status}`;
    if (detail.blockedBy) {
      const code = response.status === 407 ? 'proxy_auth_required' : 'http_blocked';
      return finish(run, {
        status: 'fail',
        phases: result.phases,
        detail,
        failure: { phase: 'response', code, detail: `${line} from ${detail.blockedBy}, not from the origin` },
        error: { code: `HTTP_${response.status}`, message: `${line} from ${detail.blockedBy}` },
      });
    }
    if (response.status >= 500) {
      return finish(run, {
        status: 'fail',
        phases: result.phases,
        detail,
        failure: {
          phase: 'response',
          code: 'http_5xx',
          detail: `${line}: the service failed, not the local network`,
        },
        error: { code: `HTTP_${response.status}`, message: line },
      });
    }
    return finish(run, { status: 'pass', phases: result.phases, detail });
  } catch (err) {
    return internalError(run, zeroPhases(), { ...empty, proxy: null, address: null }, err);
  }
}
