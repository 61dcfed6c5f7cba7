/**
 * `curl -I URL` and `curl -v URL` output, read into the dns, tcp, tls and https probes the agent
 * would have run for that endpoint. Only what the output shows becomes a result: a tls probe
 * needs the certificate lines of -v or a TLS error, a tcp probe a direct connection.
 */
import type { DnsDetail } from '../dns.ts';
import type { HttpsDetail } from '../https.ts';
import { answerFacts } from '../net/blocked.ts';
import type { TcpDetail } from '../tcp.ts';
import type { ProbeResult } from '../types.ts';
import { classify, type Failure, hostOf, isTrustCode } from './curl-errors.ts';
import { type CurlError, type CurlHead, readError, readHeads, readVerbose } from './curl-lines.ts';
import { linesOf, pastedResult } from './result.ts';
import { tlsResult, trustReason } from './tls-result.ts';
import { PasteError } from './types.ts';

export function parseCurl(
  text: string,
  context: { command?: string; defaultHost?: string; now?: string } = {},
): ProbeResult[] {
  const lines = linesOf(text);
  const v = readVerbose(lines);
  const error = readError(lines);
  const heads = readHeads(lines, v.tunnelTo !== null);
  if (heads.length === 0 && !error) {
    throw new PasteError(
      'curl',
      'curl output has an "HTTP/… status" line or a "curl: (N)" error line; neither was found',
    );
  }
  const url = /https?:\/\/([^/\s:'"]+)(?::(\d+))?/i.exec(context.command ?? '');
  const errorHost = error
    ? /(?:resolve host|connect to|connection to)\s*:?\s*([^\s:]+)/i.exec(error.message)?.[1]
    : undefined;
  const proxyHost = v.proxy ? hostOf(v.proxy) : error?.code === 5 ? errorHost : undefined;
  const host = (
    url?.[1] ??
    v.tunnelTo?.host ??
    v.requestHost ??
    (errorHost && errorHost !== proxyHost ? errorHost : undefined) ??
    (v.connectedTo && !v.tunnelTo ? v.connectedTo.host : undefined) ??
    context.defaultHost ??
    ''
  ).toLowerCase();
  if (!host)
    throw new PasteError('curl', 'could not tell which address curl asked; paste the command line too');
  const port = Number(url?.[2] ?? v.tunnelTo?.port ?? 443);
  const target = `${host}:${port}`;
  const connectHead = heads.find((h) => h.connect);
  const originHead = heads.filter((h) => !h.connect).at(-1);
  const proxied = v.proxy !== null || v.tunnelTo !== null || connectHead !== undefined || error?.code === 5;
  // curl -I does not name the proxy it went through; the user's words will.
  const proxy = v.proxy ?? (proxied && proxyHost ? proxyHost : proxied ? 'address not shown' : null);
  const address = !proxied ? (v.connectedTo?.address ?? null) : null;
  const results: ProbeResult[] = [];

  const failure = error ? classify(error, { host, proxyHost, proxied }) : undefined;
  // The name resolved (curl connected directly, or says so), or it did not (error 6).
  if (
    !proxied &&
    (failure?.phase === 'dns' || originHead || v.connectedTo || v.addresses.length > 0 || failure)
  ) {
    const dnsFailed = failure?.phase === 'dns';
    const detail: DnsDetail = {
      resolver: 'system',
      via: 'getaddrinfo',
      rcode: dnsFailed ? 'NONE' : 'NOERROR',
      addresses: dnsFailed ? [] : v.addresses,
      cname: [],
    };
    results.push(
      pastedResult({
        kind: 'dns',
        target: `${host}@system`,
        status: dnsFailed ? 'fail' : 'pass',
        detail,
        tool: 'curl',
        ...(dnsFailed && error
          ? {
              failure: { phase: 'dns' as const, code: failure.code, detail: `curl: ${error.message}` },
              errorCode: failure.code === 'dns_timeout' ? 'ETIMEOUT' : 'ENOTFOUND',
            }
          : {}),
      }),
    );
  }
  if (!proxied && failure?.phase !== 'dns') {
    const tcpDetail: TcpDetail = { address, proxy: null };
    const connectFailed = failure?.phase === 'connect';
    if (connectFailed || originHead || v.connectedTo || failure) {
      results.push(
        pastedResult({
          kind: 'tcp',
          target,
          status: connectFailed ? 'fail' : 'pass',
          detail: tcpDetail,
          tool: 'curl',
          ...(connectFailed && error ? { failure: { ...failure, detail: `curl: ${error.message}` } } : {}),
        }),
      );
    }
  }
  if (v.cert || failure?.phase === 'tls') {
    results.push(tlsFrom({ host, port, proxy, address, v, error, failure }, context.now));
  }
  results.push(httpsFrom({ target, proxy, address, connectHead, originHead, error, failure }));
  return results;
}

function tlsFrom(
  input: {
    host: string;
    port: number;
    proxy: string | null;
    address: string | null;
    v: ReturnType<typeof readVerbose>;
    error: CurlError | null;
    failure?: Failure;
  },
  now?: string,
): ProbeResult {
  const { v, error, failure } = input;
  const untrusted =
    failure?.code === 'unknown_ca' || failure?.code === 'untrusted' || isTrustCode(failure?.code);
  if (failure && !untrusted && error) {
    // A handshake cut or timed out: no chain to judge.
    return pastedResult({
      kind: 'tls',
      target: `${input.host}:${input.port}`,
      status: 'fail',
      detail: { address: input.address, proxy: input.proxy },
      tool: 'curl',
      failure: { phase: 'tls', code: failure.code, detail: `curl: ${error.message}` },
    });
  }
  const verifyError = untrusted ? error?.message : (v.verifyError ?? undefined);
  return tlsResult(
    {
      host: input.host,
      port: input.port,
      chain: v.cert ? [v.cert] : [],
      trusted: verifyError ? false : v.verifyOk ? true : null,
      ...(verifyError ? { verifyError, reason: trustReason(verifyError) } : {}),
      proxy: input.proxy,
      address: input.address,
      protocol: v.protocol,
      cipher: v.cipher,
    },
    'curl',
    now,
  );
}

function httpsFrom(input: {
  target: string;
  proxy: string | null;
  address: string | null;
  connectHead?: CurlHead;
  originHead?: CurlHead;
  error: CurlError | null;
  failure?: Failure;
}): ProbeResult {
  const { connectHead, originHead, error } = input;
  const empty: HttpsDetail = {
    status: null,
    date: null,
    server: null,
    via: null,
    headers: {},
    proxy: input.proxy,
    address: input.address,
  };
  const base = { kind: 'https' as const, target: input.target, tool: 'curl' as const };
  const line = `curl to https://${input.target}/`;
  if (connectHead && connectHead.status !== 200) {
    const facts = answerFacts(connectHead, '');
    const detail: HttpsDetail = { ...empty, ...facts, date: connectHead.headers.date ?? null };
    const auth = connectHead.status === 407;
    if (!auth) detail.blockedBy ??= `the proxy ${input.proxy ?? 'in the path'}`;
    return pastedResult({
      ...base,
      status: 'fail',
      detail,
      failure: {
        phase: 'proxy',
        code: auth ? 'proxy_auth_required' : 'http_blocked',
        detail: `the proxy answered CONNECT with ${connectHead.status} ${connectHead.statusText}`.trim(),
      },
      errorCode: `HTTP_${connectHead.status}`,
    });
  }
  if (originHead) {
    const facts = answerFacts(originHead, '');
    const detail: HttpsDetail = { ...empty, ...facts, date: originHead.headers.date ?? null };
    const said = `${line} answered ${originHead.status}`;
    if (facts.blockedBy) {
      const code = originHead.status === 407 ? 'proxy_auth_required' : 'http_blocked';
      return pastedResult({
        ...base,
        status: 'fail',
        detail,
        failure: { phase: 'response', code, detail: `${said} from ${facts.blockedBy}, not from the origin` },
        errorCode: `HTTP_${originHead.status}`,
      });
    }
    if (originHead.status >= 500) {
      return pastedResult({
        ...base,
        status: 'fail',
        detail,
        failure: {
          phase: 'response',
          code: 'http_5xx',
          detail: `${said}: the service failed, not the local network`,
        },
        errorCode: `HTTP_${originHead.status}`,
      });
    }
    if (!input.failure) return pastedResult({ ...base, status: 'pass', detail });
  }
  const failure = input.failure ?? { phase: 'response' as const, code: 'bad_response' as const };
  return pastedResult({
    ...base,
    status: 'fail',
    detail: empty,
    failure: { ...failure, detail: `curl: ${error?.message ?? 'no response'}` },
    errorCode: error ? `CURLE_${error.code}` : undefined,
  });
}
