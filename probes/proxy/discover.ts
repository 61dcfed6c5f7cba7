/**
 * Where this computer's proxy settings come from, in the order users' tools look: the
 * environment first (curl, git, the agent's own CLI peers); then on Windows the user's WinINet
 * settings (what Teams and WebView2 follow) and the machine's WinHTTP proxy; on macOS the
 * system configuration (`scutil --proxy`). A PAC URL makes the source 'pac'. Every source on
 * the platform is read and kept in `details`, so diagnosis can see, for example, a WinHTTP
 * proxy that differs from the user's.
 */
import { execFile } from 'node:child_process';
import type { ProbeContext, ProxySettings, ProxySource } from '../context.ts';
import { type ProxyVariables, readEnvProxy } from './env.ts';
import { createPacHandle, type PacHandle } from './pac-handle.ts';
import { parseScutil, type ScutilSettings } from './scutil.ts';
import { ProxyConfigError, redactProxyUrl, type StaticProxy, staticProxyFor } from './servers.ts';
import { parseWinHttp, type WinHttpSettings } from './winhttp.ts';
import { INTERNET_SETTINGS_KEY, parseWinInet, type WinInetSettings } from './wininet.ts';

export interface DiscoverOptions {
  platform: NodeJS.Platform;
  /** HTTPS_PROXY and its kin, as agent/config.ts read them from the environment. */
  proxyVariables: ProxyVariables;
  /** Interlock, stand-in resolver and trust for the PAC download and the PAC's DNS functions. */
  ctx: Pick<ProbeContext, 'interlock' | 'systemResolver' | 'trustedCa'>;
  /** Runs a command from an argument list (never a shell) and resolves with its stdout. */
  run?: (cmd: string, args: string[]) => Promise<string>;
  /** Downloads a PAC file; default: fetchPacFile (direct, interlock-checked). */
  fetchPac?: (url: string, signal: AbortSignal) => Promise<string>;
  /** Budget for downloading and compiling the PAC file (default 5000 ms). */
  pacFetchTimeoutMs?: number;
  /** Budget for one FindProxyForURL call made by forUrl (default 1000 ms). */
  pacEvalTimeoutMs?: number;
  /** What the PAC's myIpAddress() returns (default: this machine's first external IPv4). */
  myIpAddress?: string;
  /** A PAC file to use instead of this computer's settings (`check --pac`: try a PAC before rolling it out). */
  pacUrl?: string;
}

export interface ProxyProblem {
  source: 'wininet' | 'winhttp' | 'scutil';
  message: string;
}

export interface ProxyDetails {
  platform: NodeJS.Platform;
  /** The environment variables that were read, by the name found. */
  envVariables?: string[];
  wininet?: WinInetSettings;
  winhttp?: WinHttpSettings;
  scutil?: ScutilSettings;
  /** Automatic detection (WPAD) is on. Reconnect does not run WPAD discovery itself. */
  autoDetect?: boolean;
  /** System settings that could not be read; discovery went on without them. */
  problems: ProxyProblem[];
}

export interface DiscoveredProxy extends ProxySettings {
  /** Bypass entries of the source in use, as configured. */
  bypass: string[];
  pacUrl?: string;
  /** The PAC file behind source 'pac': fetched and compiled once, on first use. */
  pac?: PacHandle;
  /** The fixed proxy in use, or the one WinINet/macOS fall back to when the PAC fails. */
  static?: StaticProxy;
  details: ProxyDetails;
}

/**
 * Reads the settings. Throws ProxyConfigError only for an unusable environment variable (a
 * configuration error the CLI reports with exit 2); system settings that cannot be read are
 * recorded in details.problems instead.
 */
export async function discoverProxy(options: DiscoverOptions): Promise<DiscoveredProxy> {
  const run = options.run ?? runCommand;
  const details: ProxyDetails = { platform: options.platform, problems: [] };
  const envProxy = readEnvProxy(options.proxyVariables);
  if (envProxy) details.envVariables = envProxy.variables;

  const read = async <T>(
    source: ProxyProblem['source'],
    cmd: string,
    args: string[],
    parse: (o: string) => T,
  ) => {
    try {
      return parse(await run(cmd, args));
    } catch (err) {
      const message =
        err instanceof ProxyConfigError
          ? err.message
          : `${cmd} ${args.join(' ')} failed: ${(err as Error).message}`;
      details.problems.push({ source, message });
      return undefined;
    }
  };
  if (options.platform === 'win32') {
    details.wininet = await read('wininet', 'reg', ['query', INTERNET_SETTINGS_KEY], parseWinInet);
    details.winhttp = await read('winhttp', 'netsh', ['winhttp', 'show', 'proxy'], parseWinHttp);
    if (details.wininet?.autoDetect) details.autoDetect = true;
  } else if (options.platform === 'darwin') {
    details.scutil = await read('scutil', 'scutil', ['--proxy'], parseScutil);
    if (details.scutil?.autoDiscovery) details.autoDetect = true;
  }

  const choice = options.pacUrl
    ? { source: 'pac' as const, pacUrl: options.pacUrl }
    : choose(envProxy?.proxy, details);
  if (choice.source === 'pac' && choice.pacUrl) {
    const pac = createPacHandle(choice.pacUrl, options);
    const fallback = choice.static;
    return {
      source: 'pac',
      url: redactProxyUrl(choice.pacUrl),
      pacUrl: redactProxyUrl(choice.pacUrl),
      pac,
      static: fallback,
      bypass: [],
      details,
      // On a PAC failure Teams' stack goes on without it: the manual proxy if set, else DIRECT.
      forUrl: async (url) => {
        try {
          return (await pac.decide(url, { timeoutMs: options.pacEvalTimeoutMs ?? 1000 })).proxy;
        } catch {
          return fallback ? staticProxyFor(fallback, url) : null;
        }
      },
    };
  }
  const fixed = choice.static;
  if (!fixed) return { source: 'none', bypass: [], details, forUrl: async () => null };
  const shown = fixed.servers.https ?? fixed.servers.http;
  return {
    source: choice.source,
    url: shown && redactProxyUrl(shown),
    static: fixed,
    bypass: fixed.bypass,
    details,
    forUrl: async (url) => staticProxyFor(fixed, url),
  };
}

function choose(
  env: StaticProxy | undefined,
  d: ProxyDetails,
): { source: ProxySource; static?: StaticProxy; pacUrl?: string } {
  if (env) return { source: 'env', static: env };
  if (d.wininet?.autoConfigUrl)
    return { source: 'pac', pacUrl: d.wininet.autoConfigUrl, static: d.wininet.proxy };
  if (d.wininet?.proxy) return { source: 'wininet', static: d.wininet.proxy };
  if (d.winhttp?.proxy) return { source: 'winhttp', static: d.winhttp.proxy };
  if (d.winhttp?.autoConfigUrl) return { source: 'pac', pacUrl: d.winhttp.autoConfigUrl };
  if (d.scutil?.pacUrl) return { source: 'pac', pacUrl: d.scutil.pacUrl, static: d.scutil.proxy };
  if (d.scutil?.proxy) return { source: 'scutil', static: d.scutil.proxy };
  return { source: 'none' };
}

function runCommand(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { timeout: 10_000, maxBuffer: 1 << 20, windowsHide: true, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message.split('\n')[0]}${stderr ? `: ${stderr.trim()}` : ''}`));
        else resolve(stdout);
      },
    );
  });
}
