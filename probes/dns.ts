/**
 * The DNS probe: one host through one resolver. 'system' is the path the OS and Teams take
 * (getaddrinfo), with a direct query to the OS's first resolver alongside it for what
 * getaddrinfo hides (rcode, CNAME chain, TTL); any other resolver is queried directly. It
 * reports what was answered, faithfully: whether a private or sinkhole address is wrong is
 * for diagnosis to decide, by comparing resolvers.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ProbeOptions } from './context.ts';
import { askBoth } from './dns/answer.ts';
import { ExchangeError, type ExchangeOptions, formatServer } from './dns/exchange.ts';
import { osResolvers, parseHostPort } from './dns/resolve.ts';
import { encodeQuery } from './dns/wire.ts';
import { InterlockError } from './interlock.ts';
import { type FailureCode, type ProbeFailure, type ProbeResult, probeId, zeroPhases } from './types.ts';

export interface DnsTarget {
  host: string;
  /** 'system', or a resolver to query directly: `ip`, `ip:port`, `[v6]:port`. */
  resolver: 'system' | string;
}

/** A type alias, not an interface, so it is assignable to the runner's Record<string, unknown>. */
export type DnsDetail = {
  resolver: string;
  /** 'getaddrinfo': the OS answered (addresses); 'query': our own query to `server`. */
  via: 'query' | 'getaddrinfo';
  /** The resolver queried directly, `ip:port`. */
  server?: string;
  /** The answer's rcode (NOERROR, NXDOMAIN, SERVFAIL, REFUSED…), or NONE when no answer came. */
  rcode: string;
  /** A and AAAA addresses, as answered: not judged here. */
  addresses: string[];
  /** CNAME targets in the order the chain was followed from `host`. */
  cname: string[];
  /** Smallest TTL among the records used, seconds. */
  ttl?: number;
  /** 'tcp' when the UDP answer was truncated and the question was asked again over TCP. */
  transport?: 'udp' | 'tcp';
  /** via getaddrinfo: the addresses the direct query found, to compare (a hosts-file entry differs). */
  queryAddresses?: string[];
};

/** After getaddrinfo settles, how long the side query may still take to bring its detail. */
const SIDE_QUERY_GRACE_MS = 500;

const RCODE_FAILURE: Record<string, FailureCode> = {
  NXDOMAIN: 'nxdomain',
  SERVFAIL: 'servfail',
  REFUSED: 'dns_refused',
  NOERROR: 'no_answer',
};
/** The code c-ares (Node's resolver) gives each rcode, for `error.code`. */
const RCODE_ERROR: Record<string, string> = {
  NXDOMAIN: 'ENOTFOUND',
  SERVFAIL: 'ESERVFAIL',
  REFUSED: 'EREFUSED',
  NOERROR: 'ENODATA',
  FORMERR: 'EFORMERR',
  NOTIMP: 'ENOTIMP',
};

class SetupError extends Error {
  readonly code: FailureCode;
  constructor(code: FailureCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Resolves `target.host` through `target.resolver`. Never throws; see DnsDetail. */
export async function probeDns(target: DnsTarget, options: ProbeOptions): Promise<ProbeResult<DnsDetail>> {
  const started = performance.now();
  const text = `${target.host}@${target.resolver}`;
  const { ctx } = options;
  const detail: DnsDetail = {
    resolver: target.resolver,
    via: 'query',
    rcode: 'NONE',
    addresses: [],
    cname: [],
  };
  const result = (
    status: ProbeResult['status'],
    ms: number,
    failure?: ProbeFailure,
    error?: ProbeResult['error'],
  ) => ({
    id: probeId('dns', text),
    kind: 'dns' as const,
    target: text,
    status,
    durationMs: performance.now() - started,
    phases: { ...zeroPhases(), dns: ms },
    detail,
    ...(failure ? { failure } : {}),
    ...(error ? { error } : {}),
  });
  if (isIP(target.host)) {
    return result('skipped', 0, {
      phase: 'dns',
      code: 'not_applicable',
      detail: `${target.host} is an address`,
    });
  }
  let run: () => Promise<Outcome>;
  try {
    checkName(target.host);
    const direct = target.resolver === 'system' ? ctx.systemResolver : target.resolver;
    if (direct) {
      const server = parseResolver(direct);
      ctx.interlock.check(server.host);
      detail.server = formatServer(server);
      run = () => viaQuery(target.host, server, options, detail);
    } else {
      const servers = osResolvers(ctx.interlock);
      detail.via = 'getaddrinfo';
      if (servers[0]) detail.server = formatServer(servers[0]);
      run = () => viaGetaddrinfo(target.host, servers[0], options, detail);
    }
  } catch (err) {
    const code: FailureCode =
      err instanceof SetupError ? err.code : err instanceof InterlockError ? 'interlock' : 'internal';
    const message = (err as Error).message;
    return result('error', 0, { phase: 'dns', code, detail: message }, { code, message });
  }
  const outcome = await run();
  const ms = performance.now() - started;
  if (!outcome.failure) return result('pass', ms);
  return result(
    'fail',
    ms,
    { phase: 'dns', code: outcome.failure.code, detail: outcome.failure.detail },
    outcome.error,
  );
}

interface Outcome {
  failure?: { code: FailureCode; detail: string };
  error?: { code: string; message: string };
}

async function viaQuery(
  host: string,
  server: { host: string; port: number },
  options: ProbeOptions,
  detail: DnsDetail,
): Promise<Outcome> {
  const asked = await askBoth(host, server, exchangeOptions(options));
  if ('error' in asked) return exchangeFailure(asked.error);
  Object.assign(detail, asked.answer);
  if (asked.answer.addresses.length > 0) return {};
  return rcodeFailure(host, asked.answer.rcode, detail.server ?? '');
}

async function viaGetaddrinfo(
  host: string,
  first: { host: string; port: number } | undefined,
  options: ProbeOptions,
  detail: DnsDetail,
): Promise<Outcome> {
  const lookupSettled = new AbortController();
  const sideSignal = AbortSignal.any([options.signal, lookupSettled.signal]);
  const side = first ? askBoth(host, first, { ...exchangeOptions(options), signal: sideSignal }) : undefined;
  const os = await getaddrinfo(host, options);
  const grace = setTimeout(() => lookupSettled.abort(), SIDE_QUERY_GRACE_MS);
  const asked = await side;
  clearTimeout(grace);
  if (asked && 'answer' in asked) {
    const { addresses, ...rest } = asked.answer;
    Object.assign(detail, rest, { queryAddresses: addresses });
  }
  if ('addresses' in os) {
    detail.addresses = os.addresses;
    return {};
  }
  // getaddrinfo's codes are coarse (ENOTFOUND covers NXDOMAIN and no data, EAI_AGAIN covers
  // SERVFAIL and timeouts); the side query, when it was answered, says which it was.
  if (asked && 'answer' in asked && asked.answer.addresses.length === 0) {
    const failure = rcodeFailure(host, asked.answer.rcode, detail.server ?? '').failure;
    return { failure, error: os.error };
  }
  // EAI_AGAIN while the side query heard nothing either: the resolver is silent.
  const silent =
    os.error.code === 'EAI_AGAIN' && asked && 'error' in asked && asked.error.code === 'ETIMEOUT';
  const code: FailureCode =
    os.error.code === 'ENOTFOUND'
      ? 'nxdomain'
      : os.error.code === 'ETIMEOUT' || silent
        ? 'dns_timeout'
        : 'dns_error';
  return {
    failure: { code, detail: `the OS resolver (getaddrinfo) failed for ${host}: ${os.error.message}` },
    error: os.error,
  };
}

/** getaddrinfo raced against the deadline: it cannot be cancelled, but we need not wait for it. */
async function getaddrinfo(
  host: string,
  options: ProbeOptions,
): Promise<{ addresses: string[] } | { error: { code: string; message: string } }> {
  const remaining = options.deadline - options.ctx.now();
  const stop = Number.isFinite(remaining)
    ? AbortSignal.any([options.signal, AbortSignal.timeout(Math.max(0, remaining))])
    : options.signal;
  let onStop = () => {};
  const stopped = new Promise<never>((_, reject) => {
    onStop = () =>
      reject(new ExchangeError('ETIMEOUT', `no answer from the OS resolver before the deadline`));
    if (stop.aborted) onStop();
    else stop.addEventListener('abort', onStop, { once: true });
  });
  try {
    const found = await Promise.race([lookup(host, { all: true }), stopped]);
    return { addresses: found.map((a) => a.address) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { error: { code: e.code ?? 'EDNS', message: e.message } };
  } finally {
    stop.removeEventListener('abort', onStop);
  }
}

function rcodeFailure(host: string, rcode: string, server: string): Outcome {
  const code = RCODE_FAILURE[rcode] ?? 'dns_error';
  const what = rcode === 'NOERROR' ? 'NOERROR with no A or AAAA record' : rcode;
  return {
    failure: { code, detail: `${host}: ${what} from ${server}` },
    error: { code: RCODE_ERROR[rcode] ?? 'EDNS', message: `${host}: ${rcode} from ${server}` },
  };
}

function exchangeFailure(error: ExchangeError): Outcome {
  const code: FailureCode = error.code === 'ETIMEOUT' ? 'dns_timeout' : 'dns_error';
  return {
    failure: { code, detail: error.message },
    error: { code: error.code, message: error.message },
  };
}

function parseResolver(text: string): { host: string; port: number } {
  const server = parseHostPort(text);
  if (!isIP(server.host) || !Number.isInteger(server.port) || server.port < 1 || server.port > 65535) {
    throw new SetupError('parse_error', `resolver "${text}" is not ip, ip:port or [ipv6]:port`);
  }
  return server;
}

function checkName(host: string): void {
  try {
    encodeQuery({ id: 0, name: host, type: 'A' });
  } catch (err) {
    throw new SetupError('parse_error', (err as Error).message);
  }
}

function exchangeOptions(options: ProbeOptions): ExchangeOptions {
  return { signal: options.signal, deadline: options.deadline, now: options.ctx.now };
}
