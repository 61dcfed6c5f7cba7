/**
 * Downloads a PAC file from its AutoConfigURL the way WinINet and CFNetwork do: directly, never
 * through a proxy. The name goes through resolveHost and the address through the interlock
 * before the socket opens; the socket is then pinned to that checked address.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import type { ProbeContext } from '../context.ts';
import { ResolveError, resolveHost } from '../dns/resolve.ts';
import { InterlockError } from '../interlock.ts';
import { PacError } from './pac.ts';

export interface FetchPacOptions {
  ctx: Pick<ProbeContext, 'interlock' | 'systemResolver' | 'trustedCa'>;
  signal: AbortSignal;
  /** Larger answers are refused (default 1 MiB); real PAC files are a few KiB. */
  maxBytes?: number;
}

/** Resolves with the PAC text; rejects with PacError (code and phase for the proxy probe). */
export async function fetchPacFile(pacUrl: string, options: FetchPacOptions): Promise<string> {
  let url: URL;
  try {
    url = new URL(pacUrl);
  } catch {
    throw new PacError('parse_error', 'setup', `"${pacUrl}" is not a URL; expected http(s)://host/proxy.pac`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PacError(
      'parse_error',
      'setup',
      `the PAC URL ${pacUrl} uses ${url.protocol}; only http: and https: are fetched`,
    );
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let address: string;
  try {
    const resolved = await resolveHost(host, options.ctx as ProbeContext, options.signal);
    address = resolved.addresses[0];
    if (!address) throw new ResolveError('ENODATA', `resolving ${host}: no addresses`);
    options.ctx.interlock.check(address);
  } catch (err) {
    if (err instanceof InterlockError)
      throw new PacError('interlock', 'setup', `fetching ${pacUrl}: ${err.message}`);
    const code = (err as ResolveError).code;
    const failure = code === 'ENOTFOUND' ? 'nxdomain' : code === 'ETIMEOUT' ? 'dns_timeout' : 'dns_error';
    throw new PacError(failure, 'dns', `fetching ${pacUrl}: ${(err as Error).message}`, code);
  }
  const family = isIP(address);
  const pinned: LookupFunction = (_name, opts, callback) => {
    if (opts.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, {
      lookup: pinned,
      signal: options.signal,
      headers: { accept: 'application/x-ns-proxy-autoconfig, */*' },
      ...(url.protocol === 'https:' && options.ctx.trustedCa.length > 0 && { ca: options.ctx.trustedCa }),
    });
    req.on('response', resolve);
    req.on('error', (err: NodeJS.ErrnoException) => reject(transportError(pacUrl, err, options.signal)));
    req.end();
  });
  if (response.statusCode !== 200) {
    response.resume();
    throw new PacError(
      'bad_response',
      'response',
      `fetching ${pacUrl}: HTTP ${response.statusCode}, expected 200`,
    );
  }
  const limit = options.maxBytes ?? 1 << 20;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        response.destroy();
        throw new PacError('bad_response', 'response', `fetching ${pacUrl}: larger than ${limit} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof PacError) throw err;
    throw transportError(pacUrl, err as NodeJS.ErrnoException, options.signal);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function transportError(pacUrl: string, err: NodeJS.ErrnoException, signal: AbortSignal): PacError {
  if (signal.aborted)
    return new PacError(
      'timeout',
      'connect',
      `fetching ${pacUrl}: no answer before the deadline`,
      'ETIMEDOUT',
    );
  const code = err.code ?? 'EFETCH';
  const failure =
    code === 'ECONNREFUSED'
      ? 'refused'
      : code === 'ECONNRESET'
        ? 'reset'
        : code.startsWith('ERR_TLS') || code.includes('CERT')
          ? 'tls_error'
          : 'unreachable';
  return new PacError(failure, 'connect', `fetching ${pacUrl}: ${err.message}`, code);
}
