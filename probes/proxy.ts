/**
 * The `proxy` probe: what the discovered proxy configuration is, and whether it can be used.
 * Finding no proxy is a fact, not a failure (pass, source none). It warns when the PAC file
 * cannot be fetched or evaluated (the client then falls back to DIRECT or the manual proxy),
 * when a system setting could not be read, and when the proxy in use is not an http:// proxy
 * (SOCKS, or TLS to the proxy), which the connection probes cannot tunnel through.
 */
import type { ProbeOptions } from './context.ts';
import type { DiscoveredProxy } from './proxy/discover.ts';
import { PacError } from './proxy/pac.ts';
import { redactProxyUrl } from './proxy/servers.ts';
import type { FailureCode, Phase, ProbeResult, ProbeStatus } from './types.ts';
import { probeId, zeroPhases } from './types.ts';

export interface ProxyTarget {
  settings: DiscoveredProxy;
  /** Request URLs to ask the PAC file about; default: the catalog's first endpoints. */
  sampleUrls?: string[];
}

export interface ProxyDecisionDetail {
  url: string;
  /** FindProxyForURL's answer, e.g. "PROXY p:8080; DIRECT". */
  result: string;
  /** The proxy the probes will use for this URL, or null for DIRECT (password redacted). */
  proxy: string | null;
  unsupported?: string[];
}

export interface ProxyDetail {
  source: DiscoveredProxy['source'];
  url?: string;
  bypass: string[];
  pacUrl?: string;
  decisions?: ProxyDecisionDetail[];
  /** WPAD is on; Reconnect does not run WPAD discovery. */
  autoDetect?: boolean;
  /** System settings that could not be read. */
  problems?: string[];
}

const MAX_SAMPLES = 3;

export async function probeProxy(
  target: ProxyTarget,
  options: ProbeOptions,
): Promise<ProbeResult<ProxyDetail>> {
  const started = performance.now();
  const { settings } = target;
  const detail: ProxyDetail = { source: settings.source, bypass: settings.bypass };
  if (settings.url) detail.url = settings.url;
  if (settings.pacUrl) detail.pacUrl = settings.pacUrl;
  if (settings.details.autoDetect) detail.autoDetect = true;
  if (settings.details.problems.length > 0) {
    detail.problems = settings.details.problems.map((p) => p.message);
  }
  const result = (
    status: ProbeStatus,
    failure?: { phase: Phase; code: FailureCode; detail: string },
    errorCode?: string,
  ) => ({
    id: probeId('proxy', 'discovery'),
    kind: 'proxy' as const,
    target: 'discovery',
    status,
    durationMs: performance.now() - started,
    phases: zeroPhases(),
    detail,
    ...(failure && { failure, error: { code: errorCode ?? failure.code, message: failure.detail } }),
  });

  if (settings.pac) {
    const samples = (target.sampleUrls ?? defaultSamples(options)).slice(0, MAX_SAMPLES);
    detail.decisions = [];
    try {
      for (const url of samples) {
        const timeoutMs = Math.max(1, options.deadline - options.ctx.now());
        const decision = await settings.pac.decide(url, { timeoutMs, signal: options.signal });
        detail.decisions.push({
          url,
          result: decision.result,
          proxy: decision.proxy && redactProxyUrl(decision.proxy),
          ...(decision.unsupported.length > 0 && { unsupported: decision.unsupported }),
        });
      }
    } catch (err) {
      if (!(err instanceof PacError)) throw err;
      const status = err.code === 'interlock' ? 'error' : 'warn';
      return result(status, { phase: err.phase, code: err.code, detail: err.message }, err.errorCode);
    }
    const odd = detail.decisions.find((d) => d.proxy && !isHttpProxy(d.proxy));
    if (odd) return result('warn', unsupported(odd.proxy as string, `the PAC file's answer for ${odd.url}`));
  } else {
    const inUse = [settings.static?.servers.https, settings.static?.servers.http].find(
      (s) => s && !isHttpProxy(s),
    );
    if (inUse) return result('warn', unsupported(redactProxyUrl(inUse), `the ${settings.source} settings`));
  }
  if (detail.problems) {
    return result('warn', { phase: 'setup', code: 'parse_error', detail: detail.problems.join('; ') });
  }
  return result('pass');
}

/** The connection probes tunnel with CONNECT over plain HTTP (probes/net/path.ts). */
function isHttpProxy(url: string): boolean {
  return url.startsWith('http://');
}

function unsupported(proxy: string, where: string) {
  return {
    phase: 'setup' as const,
    code: 'not_applicable' as const,
    detail: `${where} chooses the proxy ${proxy}; Reconnect's checks tunnel through http:// proxies only, so they do not measure the path through it`,
  };
}

function defaultSamples(options: ProbeOptions): string[] {
  const endpoints = options.ctx.catalog.endpoints;
  if (endpoints.length === 0) return ['https://teams.microsoft.com/'];
  return endpoints.map((e) => (e.port === 443 ? `https://${e.host}/` : `https://${e.host}:${e.port}/`));
}
