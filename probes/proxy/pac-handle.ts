/**
 * One PAC URL for the life of a run: downloaded once and compiled once, on first use, with its
 * own time budget, so a caller with a short deadline gives up waiting without spoiling the
 * download for the calls that follow.
 */
import type { ProbeContext } from '../context.ts';
import { compilePac, PacError, type PacLimits, type PacScript } from './pac.ts';
import { fetchPacFile } from './pac-fetch.ts';
import { type PacDecision, parsePacResult } from './pac-result.ts';

export interface PacHandleOptions {
  ctx: Pick<ProbeContext, 'interlock' | 'systemResolver' | 'trustedCa'>;
  fetchPac?: (url: string, signal: AbortSignal) => Promise<string>;
  pacFetchTimeoutMs?: number;
  myIpAddress?: string;
}

export interface PacHandle {
  url: string;
  /**
   * FindProxyForURL for one request URL. `limits.timeoutMs` bounds the script's run;
   * `limits.signal` bounds the wait for the download too. Rejects with PacError.
   */
  decide(requestUrl: string, limits: PacLimits): Promise<PacDecision>;
  /** The failure of the latest decide, or undefined when it succeeded. */
  lastError(): PacError | undefined;
  dispose(): void;
}

export function createPacHandle(url: string, options: PacHandleOptions): PacHandle {
  const budgetMs = options.pacFetchTimeoutMs ?? 5000;
  const fetchPac = options.fetchPac ?? ((u, signal) => fetchPacFile(u, { ctx: options.ctx, signal }));
  let script: Promise<PacScript> | undefined;
  let lastError: PacError | undefined;

  const load = (): Promise<PacScript> => {
    script ??= (async () => {
      const started = performance.now();
      let text: string;
      try {
        text = await fetchPac(url, AbortSignal.timeout(budgetMs));
      } catch (err) {
        if (err instanceof PacError) throw err;
        throw new PacError('unreachable', 'connect', `fetching ${url}: ${(err as Error).message}`);
      }
      const left = Math.max(1, budgetMs - (performance.now() - started));
      return compilePac(text, { ctx: options.ctx, myIpAddress: options.myIpAddress }, { timeoutMs: left });
    })();
    return script;
  };

  return {
    url,
    async decide(requestUrl, limits) {
      try {
        const compiled = await untilAborted(load(), limits.signal, url);
        const decision = parsePacResult(await compiled.findProxy(requestUrl, limits));
        lastError = undefined;
        return decision;
      } catch (err) {
        lastError =
          err instanceof PacError
            ? err
            : new PacError('internal', 'response', `PAC ${url}: ${(err as Error).message}`);
        throw lastError;
      }
    },
    lastError: () => lastError,
    dispose() {
      script?.then(
        (s) => s.dispose(),
        () => {},
      );
    },
  };
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, url: string): Promise<T> {
  if (!signal) return work;
  const timeout = () =>
    new PacError('timeout', 'connect', `the PAC file ${url} was not ready before the deadline`);
  if (signal.aborted) return Promise.reject(timeout());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(timeout());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
