/**
 * The lab the connection-probe tests (tcp, tls, https, websocket, clock) share: a lab PKI, a
 * lab DNS server standing in for the system resolver, and ProbeContexts with the interlock on.
 * Servers and proxies are started by each test, which says what it plays.
 */
import type { ProbeContext, ProbeOptions, ProxySettings } from '../../probes/context.ts';
import { NO_PROXY } from '../../probes/context.ts';
import type { ProbeResult } from '../../probes/types.ts';
import { emptyLabCatalog, labContext } from '../lab/context.ts';
import { type LabDnsServer, startDnsServer } from '../lab/dns-server.ts';
import { createLabPki, type LabPki } from '../lab/pki.ts';

/** Lab names; the lab DNS server sends them all to 127.0.0.1 (ports tell the servers apart). */
export const LOGIN = 'login.lab.test';
export const TEAMS = 'teams.lab.test';
export const TROUTER = 'trouter.lab.test';
export const PROXY_HOST = 'proxy.lab.test';

export interface ContextOverrides {
  /** Extra trusted roots on top of the lab Microsoft root (e.g. the inspection root). */
  alsoTrust?: string[];
  /** A proxy URL every request goes through. */
  proxy?: string;
  now?: () => number;
}

export interface ConnectionLab {
  pki: LabPki;
  dns: LabDnsServer;
  ctx(overrides?: ContextOverrides): ProbeContext;
  /** ProbeOptions whose signal aborts after `ms` (the runner's deadline). */
  options(ms: number, overrides?: ContextOverrides): ProbeOptions;
  close(): Promise<void>;
}

export async function startConnectionLab(): Promise<ConnectionLab> {
  const pki = createLabPki();
  const dns = await startDnsServer({
    records: Object.fromEntries(
      [LOGIN, TEAMS, TROUTER, PROXY_HOST].map((name) => [name, { a: ['127.0.0.1'] }]),
    ),
  });
  const ctx = (overrides: ContextOverrides = {}): ProbeContext =>
    labContext({
      systemResolver: dns.hostPort,
      proxy: overrides.proxy ? fixedProxy(overrides.proxy) : NO_PROXY,
      trustedCa: [pki.microsoftRoot.certPem, ...(overrides.alsoTrust ?? [])],
      catalog: {
        ...emptyLabCatalog(),
        microsoftRoots: [{ name: pki.microsoftRoot.name, spkiSha256: pki.microsoftRoot.spkiSha256 }],
      },
      now: overrides.now ?? (() => Date.now()),
    });
  return {
    pki,
    dns,
    ctx,
    options: (ms, overrides) => ({
      signal: AbortSignal.timeout(ms),
      deadline: Date.now() + ms,
      ctx: ctx(overrides),
    }),
    close: () => dns.close(),
  };
}

function fixedProxy(url: string): ProxySettings {
  return { source: 'env', url, forUrl: async () => url };
}

/** Sockets of this process (client and accepted ones; listeners are TCPServerWrap). */
function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap').length;
}

/**
 * Runs `probe` and checks that every socket it opened is closed again: the count of open
 * sockets returns to what it was before. Closing travels through the kernel (FIN to the lab
 * server, its socket closing), so this polls until the count settles (at most ~4 s on a busy
 * machine; it asserts no timing). Throws when sockets are still open after that.
 */
export async function withoutLeaks<D extends object>(
  probe: () => Promise<ProbeResult<D>>,
): Promise<ProbeResult<D>> {
  const before = openSockets();
  const result = await probe();
  for (let turn = 0; turn < 400 && openSockets() > before; turn++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const after = openSockets();
  if (after > before) {
    throw new Error(`${result.id} left ${after - before} socket(s) open (${before} before, ${after} after)`);
  }
  return result;
}
