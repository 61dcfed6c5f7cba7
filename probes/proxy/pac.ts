/**
 * PAC files evaluated the way a browser does, but contained: pac-resolver@9 compiles
 * FindProxyForURL into QuickJS (quickjs-wasi, a WebAssembly build), so the script sees no
 * Node API, no file system and no network of its own. Three limits keep a hostile or broken
 * PAC in check:
 * - time: QuickJS's interrupt handler is polled while the script runs and stops it once the
 *   caller's time limit has passed (`while(true){}` ends as InternalError "interrupted"); a
 *   timer cannot do this, because a spinning script never yields to the event loop;
 * - memory: the runtime's memoryLimit;
 * - the network: dnsResolve, isResolvable and isInNet resolve through resolveHost with the
 *   ProbeContext, so the lab interlock and the stand-in resolver apply; myIpAddress reads the
 *   local interfaces instead of opening a socket to 8.8.8.8, as pac-resolver's own does.
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { createPacResolver as CreatePacResolver } from 'pac-resolver';
import type { QuickJS as QuickJSClass } from 'quickjs-wasi';
import type { ProbeContext } from '../context.ts';
import { resolveHost } from '../dns/resolve.ts';
import { InterlockError } from '../interlock.ts';
import type { FailureCode, Phase } from '../types.ts';
import { quickJsWasm } from './quickjs-wasm.ts';

/** Why a PAC file could not be fetched or evaluated; `code` is the probe failure code. */
export class PacError extends Error {
  readonly code: FailureCode;
  readonly phase: Phase;
  /** The platform's code when there is one (ECONNREFUSED, ENOTFOUND…). */
  readonly errorCode?: string;
  constructor(code: FailureCode, phase: Phase, message: string, errorCode?: string) {
    super(message);
    this.code = code;
    this.phase = phase;
    this.errorCode = errorCode;
  }
}

export interface PacEnvironment {
  /** Interlock and resolver for dnsResolve and friends. */
  ctx: Pick<ProbeContext, 'interlock' | 'systemResolver'>;
  /** What myIpAddress() returns; default: the first non-internal IPv4 of this machine. */
  myIpAddress?: string;
  /** QuickJS heap limit in bytes (default 32 MiB). */
  memoryLimit?: number;
  /**
   * The monotonic clock, in ms, that time limits are measured on (default performance.now).
   * Tests inject one to see exactly when a spinning script is stopped.
   */
  now?: () => number;
}

export interface PacLimits {
  /** Wall-clock budget for this call, compile or evaluation. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface PacScript {
  /** FindProxyForURL(url, host) as the script returns it, e.g. "PROXY p:8080; DIRECT". */
  findProxy(url: string, limits: PacLimits): Promise<string>;
  dispose(): void;
}

/**
 * The PAC engine loads on first use: pac-resolver brings a JavaScript parser and rewriter
 * (esprima, escodegen) that most runs, with no PAC file configured, never need.
 */
let engine:
  | Promise<{ QuickJS: typeof QuickJSClass; createPacResolver: typeof CreatePacResolver }>
  | undefined;
function pacEngine() {
  engine ??= Promise.all([import('quickjs-wasi'), import('pac-resolver')]).then(([q, p]) => ({
    QuickJS: q.QuickJS,
    createPacResolver: p.createPacResolver,
  }));
  return engine;
}

let wasmModule: Promise<WebAssembly.Module> | undefined;
function quickJsModule(): Promise<WebAssembly.Module> {
  wasmModule ??= quickJsWasm().then((b) => WebAssembly.compile(b));
  return wasmModule;
}

/** One compile or evaluation: its time limit, and what its host calls need. */
interface CallState {
  deadline: number;
  /** The call's time limit, for the message when it is reached. */
  limitMs: number;
  signal?: AbortSignal;
  /** Cancels the DNS lookups this call started once it is over. */
  hostAbort: AbortController;
  /** Errors thrown where degenerator cannot report them (its promise callbacks). */
  escaped: unknown[];
}

function newCall(limits: PacLimits, now: () => number): CallState {
  return {
    deadline: now() + limits.timeoutMs,
    limitMs: limits.timeoutMs,
    signal: limits.signal,
    hostAbort: new AbortController(),
    escaped: [],
  };
}

/**
 * Compiles a PAC file in a fresh sandbox. Calls are serialised (one script, one VM); a call
 * that times out or runs out of memory retires the VM and the next call gets a fresh one, so
 * a stuck continuation can never eat into another call's time.
 */
export async function compilePac(source: string, env: PacEnvironment, limits: PacLimits): Promise<PacScript> {
  let current: CallState | undefined;
  const now = env.now ?? (() => performance.now());
  const sandbox = pacSandbox(env, () => current);
  let polls = 0;
  const interruptHandler = () => {
    if (++polls % 128 !== 0 || !current) return false;
    return now() > current.deadline || current.signal?.aborted === true;
  };

  const build = async (call: PacLimits) => {
    const state = newCall(call, now);
    current = state;
    const { QuickJS, createPacResolver } = await pacEngine();
    const vm = await QuickJS.create({
      wasm: await quickJsModule(),
      memoryLimit: env.memoryLimit ?? 32 << 20,
      interruptHandler,
    });
    try {
      return { vm, find: createPacResolver(vm, source, { filename: 'proxy.pac', sandbox }) };
    } catch (err) {
      vm.dispose();
      throw classify(err, state, 'compiling the PAC file', now);
    } finally {
      current = undefined;
    }
  };

  let live: Awaited<ReturnType<typeof build>> | undefined = await build(limits);
  let queue: Promise<unknown> = Promise.resolve();
  const retire = () => {
    live?.vm.dispose();
    live = undefined;
  };

  const evaluate = async (url: string, call: PacLimits): Promise<string> => {
    live ??= await build(call);
    const state = newCall(call, now);
    current = state;
    // A script parked on a host promise is not running, so the interrupt cannot fire: race it.
    let fail = () => {};
    const expired = new Promise<never>((_, reject) => {
      fail = () =>
        reject(
          new PacError('timeout', 'response', `the PAC file gave no answer within ${call.timeoutMs} ms`),
        );
    });
    const timer = setTimeout(fail, Math.max(0, state.deadline - now()));
    call.signal?.addEventListener('abort', fail, { once: true });
    try {
      const answer = await Promise.race([live.find(url), expired]);
      if (typeof answer !== 'string') {
        throw new PacError(
          'parse_error',
          'response',
          `FindProxyForURL returned ${typeof answer}, not a string`,
        );
      }
      return answer;
    } catch (err) {
      const refused = [err, ...state.escaped].find((e) => e instanceof InterlockError);
      if (refused) {
        throw new PacError('interlock', 'dns', `the PAC file's DNS lookup was ${(refused as Error).message}`);
      }
      const failure = classify(err, state, `evaluating the PAC file for ${url}`, now);
      if (failure.code === 'timeout' || /out of memory/i.test(failure.message)) retire();
      throw failure;
    } finally {
      clearTimeout(timer);
      call.signal?.removeEventListener('abort', fail);
      state.hostAbort.abort();
      if (current === state) current = undefined;
    }
  };

  return {
    findProxy(url, call) {
      const next = queue.then(() => evaluate(url, call));
      queue = next.catch(() => {});
      return next;
    },
    dispose: retire,
  };
}

function classify(
  err: unknown,
  state: Pick<CallState, 'deadline' | 'limitMs'> | undefined,
  doing: string,
  now: () => number,
): PacError {
  if (err instanceof PacError) return err;
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const timedOut = /interrupted/.test(message) || (state !== undefined && now() > state.deadline);
  if (timedOut) {
    const limit = state ? `its ${state.limitMs} ms time limit` : 'the time limit';
    return new PacError('timeout', 'response', `${doing}: stopped at ${limit} (${message})`);
  }
  return new PacError('parse_error', 'response', `${doing}: ${message}`);
}

/**
 * pac-resolver's built-ins, with the network ones replaced. Async host results are handed to
 * degenerator with a guarded `then`: it resumes the script from inside that callback, and an
 * interrupt thrown there would otherwise surface as an unhandled rejection.
 */
function pacSandbox(env: PacEnvironment, call: () => CallState | undefined) {
  const ctx = env.ctx as ProbeContext;
  const lookup = (host: string): Promise<string | null> => {
    if (isIP(host) === 4) return Promise.resolve(host);
    const state = call();
    // Host calls only happen inside a compile or evaluation; outside one there is no budget.
    if (!state) return Promise.resolve(null);
    return resolveHost(host, ctx, state.hostAbort.signal).then(
      (r) => r.addresses.find((a) => isIP(a) === 4) ?? null,
      (err) => {
        if (err instanceof InterlockError) throw err;
        return null;
      },
    );
  };
  const asyncFn = <A extends unknown[], T>(fn: (...args: A) => Promise<T>) =>
    Object.assign((...args: A) => guard(fn(...args), call()?.escaped ?? []), { async: true });
  const myIp = env.myIpAddress ?? firstLocalIpv4();
  return {
    alert: () => {},
    dnsResolve: asyncFn((host: string) => lookup(String(host))),
    dnsResolveEx: asyncFn(async (host: string) => (await lookup(String(host))) ?? ''),
    isResolvable: asyncFn(async (host: string) => (await lookup(String(host))) !== null),
    isResolvableEx: asyncFn(async (host: string) => (await lookup(String(host))) !== null),
    isInNet: asyncFn(async (host: string, pattern: string, mask: string) => {
      const ip = await lookup(String(host));
      return ip !== null && inNet(ip, String(pattern), String(mask));
    }),
    myIpAddress: () => myIp,
    myIpAddressEx: () => myIp,
  };
}

function guard<T>(promise: Promise<T>, escaped: unknown[]): Promise<T> {
  const then = promise.then.bind(promise);
  const safe =
    <V>(fn?: ((v: V) => unknown) | null) =>
    (v: V) => {
      try {
        return fn?.(v);
      } catch (err) {
        escaped.push(err);
      }
    };
  Object.defineProperty(promise, 'then', {
    value: (ok?: (v: T) => unknown, bad?: (e: unknown) => unknown) => {
      if (bad === undefined) return then(ok && safe(ok));
      return then(safe(ok), (e: unknown) => {
        escaped.push(e);
        return safe(bad)(e);
      });
    },
  });
  return promise;
}

function inNet(ip: string, pattern: string, mask: string): boolean {
  const toInt = (a: string) => a.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
  if (isIP(pattern) !== 4 || isIP(mask) !== 4) return false;
  const m = toInt(mask);
  return (toInt(ip) & m) >>> 0 === (toInt(pattern) & m) >>> 0;
}

function firstLocalIpv4(): string {
  for (const list of Object.values(networkInterfaces())) {
    const found = list?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  return '127.0.0.1';
}
