/**
 * A whole lab internet from a fault description: lab DNS servers (the "system" one and a
 * "public" one), a TLS server per catalog endpoint with lab certificates, STUN responders,
 * optionally a proxy, a HOME with Teams caches, and the lab catalog that names them. The
 * agent then runs as a child process exactly as a user runs it, with the interlock on.
 *
 * Faults are described by what the network does, not by which finding a test expects, so
 * the agent's diagnosis has to work it out from what its probes measure.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LabDnsServer, type LabRecord, startDnsServer } from './dns-server.ts';
import { startFlakyFront } from './flaky-front.ts';
import type { LabNetns } from './netns.ts';
import { createLabPki, type LabCa, type LabLeaf, type LabPki } from './pki.ts';
import { type LabProxy, startProxy } from './proxy.ts';
import { type LabStunServer, startStunServer } from './stun-server.ts';
import { type LabTlsServer, startHttpServer, startTlsServer } from './tls-server.ts';

export type CertFault =
  | 'genuine'
  | 'inspection'
  | 'unknown-ca'
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-host'
  /** Genuine, from Microsoft's new hierarchy: a second lab "Microsoft" root the catalog also names. */
  | 'rotated'
  /** An inspector whose intermediate copies the name of Microsoft's old issuing CA. */
  | 'inspection-pinned-name';

export interface EndpointFault {
  /** What the system resolver answers for the host. */
  dns?: 'ok' | 'nxdomain' | 'servfail' | 'silence' | 'sinkhole' | 'redirect';
  /** What the public resolver answers. */
  publicDns?: 'ok' | 'nxdomain' | 'servfail' | 'silence';
  /** closed: nothing listens (refused). */
  server?: 'up' | 'closed' | 'reset';
  cert?: CertFault;
  status?: number;
  websocket?: 'accept' | 'refuse';
  /** A fault that comes and goes: every Nth TLS handshake to the endpoint is reset (flaky-front.ts). */
  resetEvery?: number;
}

export interface ScenarioSpec {
  /** Per endpoint name (auth, service, websocket); applied on top of `all`. */
  endpoints?: Partial<Record<'auth' | 'service' | 'websocket', EndpointFault>>;
  all?: EndpointFault;
  /** The system trusts the inspection root (a managed device with the inspector's CA installed). */
  trustInspection?: boolean;
  /** Date headers of every lab server are off by this much. */
  serverClockOffsetMs?: number;
  stun?: 'answer' | 'silence';
  proxy?:
    | 'none'
    | 'open'
    | 'auth'
    | 'auth-with-credentials'
    | 'unreachable'
    | 'inspect'
    | 'inspect-refuse-ws';
  /** The proxy is chosen by a PAC file (served by the lab) instead of HTTPS_PROXY. */
  pac?: boolean;
  /** Teams caches present in the agent's HOME. */
  caches?: boolean;
  /** Both resolvers stay silent for every name: nothing can be looked up. */
  dnsDown?: boolean;
  /** The agent's own clock is off by this (libfaketime offset, e.g. '+400d'). */
  agentClock?: string;
  /**
   * The network's answer to the plain-HTTP portal check: the known body (default), a redirect
   * to a sign-in page, or the sign-in page itself (a walled garden).
   */
  portal?: 'internet' | 'redirect' | 'page';
  /** Per endpoint, another of our addresses to serve it from (a route can then treat it apart). */
  endpointAddress?: Partial<Record<'auth' | 'service' | 'websocket', string>>;
  /** The catalog's optimizeRanges. */
  optimizeRanges?: string[];
  /** The system resolver also answers AAAA for every endpoint: the namespace's IPv6 address (needs netns). */
  ipv6?: boolean;
  /** Run inside this namespace: servers bind its hostAddress. */
  netns?: LabNetns;
}

export interface Scenario {
  catalogPath: string;
  /** With `pac`: the PAC file's URL, for `check --pac`. */
  pacUrl?: string;
  /** The whole environment for the agent child process (nothing inherited). */
  env: Record<string, string>;
  pki: LabPki;
  dir: string;
  /**
   * The endpoint presents a certificate of this kind from its next handshake on (the lab
   * "switches" the network: the inspecting proxy goes, the genuine chain comes back).
   */
  setCertificate(endpoint: EndpointName, cert: CertFault): void;
  /**
   * With proxy `auth`: the lab proxy stops asking for credentials (false) from its next request
   * on, as when IT lets the computers through, or asks again (true).
   */
  setProxyAuth(required: boolean): void;
  close(): Promise<void>;
}

export type EndpointName = 'auth' | 'service' | 'websocket';

const NAMES = {
  auth: 'login.lab.test',
  service: 'teams.lab.test',
  websocket: 'go.trouter.lab.test',
} as const;
const MEDIA = 'relay.lab.test';
const PROXY_AUTH = { user: 'alice', password: 'lab-secret' };
const PORTAL_CHECK = 'connecttest.lab.test';
/** The body the portal check expects, as Windows expects "Microsoft Connect Test". */
export const PORTAL_EXPECT = 'Lab Connect Test';
const BLOCK_PAGE = 'blockpage.filter.example';
const BLOCK_PAGE_ADDRESS = '127.0.0.2';
/** Debian's libfaketime (apt-get install libfaketime), which .ci/run installs. */
export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

let sharedPki: LabPki | undefined;
/** The rotated hierarchy and the name-copying inspector, made once per process like the PKI. */
let rotation: { root: LabCa; issuing: LabCa; impostor: LabCa } | undefined;
function rotationOf(pki: LabPki) {
  if (!rotation) {
    const root = pki.createCa({
      name: 'Lab Microsoft TLS RSA Root G2',
      organization: 'Microsoft Corporation',
    });
    const issuing = pki.createCa({
      name: 'Lab Microsoft TLS G2 RSA CA OCSP 02',
      organization: 'Microsoft Corporation',
      issuer: root,
    });
    // Same name as the genuine old intermediate, signed by the inspection root.
    const impostor = pki.createCa({
      name: pki.microsoftIntermediate.name,
      organization: 'Microsoft Corporation',
      issuer: pki.inspectionRoot,
    });
    rotation = { root, issuing, impostor };
  }
  return rotation;
}

export async function startScenario(spec: ScenarioSpec = {}): Promise<Scenario> {
  sharedPki ??= createLabPki();
  const pki = sharedPki;
  const address = spec.netns?.hostAddress ?? '127.0.0.1';
  const closers: Array<() => Promise<void>> = [];
  const made: { proxy?: LabProxy } = {};
  const dir = await mkdtemp(join(tmpdir(), 'reconnect-lab-'));
  closers.push(() => rm(dir, { recursive: true, force: true }));
  try {
    const servers: Partial<Record<keyof typeof NAMES, LabTlsServer>> = {};
    const ports: Record<string, number> = {};
    for (const purpose of Object.keys(NAMES) as Array<keyof typeof NAMES>) {
      const fault = { ...spec.all, ...spec.endpoints?.[purpose] };
      const host = NAMES[purpose];
      if (fault.server === 'closed') {
        ports[purpose] = await closedPort(address);
        continue;
      }
      const leaf = leafFor(pki, fault.cert ?? 'genuine', host);
      const server = await startTlsServer({
        address: spec.endpointAddress?.[purpose] ?? address,
        cert: leaf.chainPem,
        key: leaf.keyPem,
        behaviour: fault.server === 'reset' ? 'reset' : 'ok',
        status: fault.status ?? 200,
        dateOffsetMs: spec.serverClockOffsetMs ?? 0,
        websocket: fault.websocket ?? 'accept',
      });
      closers.push(() => server.close());
      servers[purpose] = server;
      ports[purpose] = server.port;
      if (fault.resetEvery) {
        const front = await startFlakyFront({
          address: server.address,
          targetPort: server.port,
          every: fault.resetEvery,
        });
        closers.push(() => front.close());
        ports[purpose] = front.port;
      }
    }

    // A filter's block page on another address, at the port the victim expects, so a
    // redirected name really reaches something else.
    for (const purpose of Object.keys(NAMES) as Array<keyof typeof NAMES>) {
      if ({ ...spec.all, ...spec.endpoints?.[purpose] }.dns !== 'redirect') continue;
      if (spec.netns)
        throw new Error('scenario: dns "redirect" needs loopback aliases; not available in a netns');
      const block = await startTlsServer({
        address: BLOCK_PAGE_ADDRESS,
        port: ports[purpose],
        ...pairOf(pki.selfSigned([BLOCK_PAGE])),
        status: 403,
      });
      closers.push(() => block.close());
    }

    const stuns: LabStunServer[] = [];
    for (let i = 0; i < 4; i++) {
      const s = await startStunServer({ address, mode: spec.stun ?? 'answer' });
      closers.push(() => s.close());
      stuns.push(s);
    }

    const portal = await startHttpServer({ address, ...portalAnswer(spec.portal ?? 'internet') });
    closers.push(() => portal.close());

    const systemRecords: Record<string, LabRecord> = {};
    const publicRecords: Record<string, LabRecord> = {};
    for (const purpose of Object.keys(NAMES) as Array<keyof typeof NAMES>) {
      const fault = { ...spec.all, ...spec.endpoints?.[purpose] };
      const served = spec.endpointAddress?.[purpose] ?? address;
      systemRecords[NAMES[purpose]] = systemRecord(fault.dns ?? 'ok', served);
      if (spec.ipv6) {
        if (!spec.netns)
          throw new Error('scenario: ipv6 needs a lab namespace (its veth carries the IPv6 addresses)');
        systemRecords[NAMES[purpose]] = { ...systemRecords[NAMES[purpose]], aaaa: [spec.netns.hostAddress6] };
      }
      publicRecords[NAMES[purpose]] = publicRecord(fault.publicDns ?? 'ok', served);
    }
    systemRecords[MEDIA] = { a: [address] };
    systemRecords[PORTAL_CHECK] = { a: [address] };
    publicRecords[MEDIA] = { a: [address] };
    systemRecords[BLOCK_PAGE] = { a: [BLOCK_PAGE_ADDRESS] };
    const defaultMode = spec.dnsDown ? 'silence' : 'nxdomain';
    if (spec.dnsDown) {
      for (const records of [systemRecords, publicRecords]) {
        for (const name of Object.keys(records)) records[name] = { mode: 'silence' };
      }
    }
    const systemDns = await startDnsServer({ address, records: systemRecords, defaultMode });
    const publicDns = await startDnsServer({ address, records: publicRecords, defaultMode });
    closers.push(
      () => systemDns.close(),
      () => publicDns.close(),
    );

    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: join(dir, 'home'),
      RECONNECT_LAB: '1',
      RECONNECT_SYSTEM_RESOLVER: systemDns.hostPort,
      NODE_EXTRA_CA_CERTS: join(dir, 'trusted.pem'),
    };
    if (spec.netns) env.RECONNECT_LAB_NETS = `${spec.netns.labNets},${spec.netns.labNets6}`;
    if (spec.agentClock) {
      env.LD_PRELOAD = LIBFAKETIME;
      env.FAKETIME = spec.agentClock;
      // Timers run on the monotonic clock; only the wall clock is wrong on a real machine too.
      env.FAKETIME_DONT_FAKE_MONOTONIC = '1';
    }
    await mkdir(env.HOME, { recursive: true });
    if (spec.caches)
      await mkdir(join(env.HOME, '.config', 'Microsoft', 'Microsoft Teams', 'Cache'), { recursive: true });
    const trusted = [pki.microsoftRoot.certPem, rotationOf(pki).root.certPem];
    if (spec.trustInspection) trusted.push(pki.inspectionRoot.certPem);
    await writeFile(env.NODE_EXTRA_CA_CERTS, trusted.join('\n'));

    const proxyUrl = await startLabProxy(spec, pki, address, ports, closers, made);
    let pacUrl: string | undefined;
    if (proxyUrl && spec.pac) {
      // Lab names through the proxy, everything else direct: what a corporate PAC file does.
      const { host } = new URL(proxyUrl);
      const pac = await startHttpServer({
        address,
        headers: { 'Content-Type': 'application/x-ns-proxy-autoconfig' },
        body: `function FindProxyForURL(url, host) {\n  if (dnsDomainIs(host, '.lab.test')) return 'PROXY ${host}; DIRECT';\n  return 'DIRECT';\n}\n`,
      });
      closers.push(() => pac.close());
      pacUrl = `http://${pac.hostPort}/proxy.pac`;
    } else if (proxyUrl) {
      env.HTTPS_PROXY = proxyUrl;
    }

    const catalog = {
      schema: 'reconnect.catalog/v1',
      cloud: 'lab',
      endpoints: [
        { host: NAMES.auth, port: ports.auth, purpose: 'auth', required: true },
        { host: NAMES.service, port: ports.service, purpose: 'service', required: true },
        { host: NAMES.websocket, port: ports.websocket, purpose: 'websocket', path: '/', required: true },
      ],
      media: [{ host: MEDIA, ports: stuns.map((s) => s.port) }],
      publicResolvers: [publicDns.hostPort],
      timeSources: [`https://${NAMES.auth}:${ports.auth}/`, `https://${NAMES.service}:${ports.service}/`],
      // Every current root, as the built-in catalogs carry them: the old one and the rotated one.
      microsoftRoots: [pki.microsoftRoot, rotationOf(pki).root].map((r) => ({
        name: r.name,
        spkiSha256: r.spkiSha256,
      })),
      ...(spec.optimizeRanges ? { optimizeRanges: spec.optimizeRanges } : {}),
      portalChecks: [{ url: `http://${PORTAL_CHECK}:${portal.port}/connecttest.txt`, expect: PORTAL_EXPECT }],
    };
    const catalogPath = join(dir, 'catalog.json');
    await writeFile(catalogPath, JSON.stringify(catalog, null, 2));
    return {
      catalogPath,
      pacUrl,
      env,
      pki,
      dir,
      setCertificate(endpoint, cert) {
        const server = servers[endpoint];
        if (!server)
          throw new Error(`scenario: endpoint "${endpoint}" has no server (it was started closed)`);
        const leaf = leafFor(pki, cert, NAMES[endpoint]);
        server.setCertificate(leaf.chainPem, leaf.keyPem);
      },
      setProxyAuth(required) {
        if (!made.proxy) throw new Error('scenario: no lab proxy was started');
        made.proxy.setAuth(required ? PROXY_AUTH : undefined);
      },
      async close() {
        for (const close of closers.reverse()) await close().catch(() => {});
      },
    };
  } catch (err) {
    for (const close of closers.reverse()) await close().catch(() => {});
    throw err;
  }
}

/** What the lab's portal check server answers. */
function portalAnswer(mode: NonNullable<ScenarioSpec['portal']>): {
  status?: number;
  headers?: Record<string, string>;
  body: string;
} {
  switch (mode) {
    case 'internet':
      return { body: PORTAL_EXPECT };
    case 'redirect':
      return {
        status: 302,
        headers: { Location: 'http://wifi.lab.test/login?orig=connecttest' },
        body: '<html><body>Redirecting to the Wi-Fi sign-in page</body></html>',
      };
    case 'page':
      return {
        headers: { 'Content-Type': 'text/html; charset=utf-8' },
        body: '<html><head><title>Lab Guest Wi-Fi sign-in</title></head><body>Accept the terms</body></html>',
      };
  }
}

function pairOf(leaf: LabLeaf): { cert: string; key: string } {
  return { cert: leaf.chainPem, key: leaf.keyPem };
}

function leafFor(pki: LabPki, fault: CertFault, host: string): LabLeaf {
  switch (fault) {
    case 'genuine':
      return pki.issueLeaf({ issuer: 'microsoft', hosts: [host] });
    case 'inspection':
      return pki.issueLeaf({ issuer: 'inspection', hosts: [host] });
    case 'unknown-ca':
      return pki.issueLeaf({ issuer: pki.createCa({ name: 'Lab Unknown Root' }), hosts: [host] });
    case 'expired':
      return pki.expiredLeaf([host]);
    case 'not-yet-valid':
      return pki.notYetValidLeaf([host]);
    case 'wrong-host':
      return pki.wrongHostLeaf();
    case 'rotated':
      return pki.issueLeaf({ issuer: rotationOf(pki).issuing, hosts: [host] });
    case 'inspection-pinned-name':
      return pki.issueLeaf({ issuer: rotationOf(pki).impostor, hosts: [host] });
  }
}

function systemRecord(fault: NonNullable<EndpointFault['dns']>, address: string): LabRecord {
  switch (fault) {
    case 'ok':
      return { a: [address] };
    case 'sinkhole':
      return { a: ['0.0.0.0'] };
    case 'redirect':
      // A filtering resolver that sends the name through its own block-page host.
      return { cname: BLOCK_PAGE };
    default:
      return { mode: fault === 'silence' ? 'silence' : fault };
  }
}

function publicRecord(fault: NonNullable<EndpointFault['publicDns']>, address: string): LabRecord {
  return fault === 'ok' ? { a: [address] } : { mode: fault };
}

async function startLabProxy(
  spec: ScenarioSpec,
  pki: LabPki,
  address: string,
  ports: Record<string, number>,
  closers: Array<() => Promise<void>>,
  made: { proxy?: LabProxy },
): Promise<string | null> {
  const mode = spec.proxy ?? 'none';
  if (mode === 'none') return null;
  if (mode === 'unreachable') return `http://${address}:${await closedPort(address)}`;
  const labHosts: string[] = Object.values(NAMES);
  const proxy: LabProxy = await startProxy({
    address,
    auth: mode.startsWith('auth') ? PROXY_AUTH : undefined,
    upstream: (host, port) =>
      labHosts.includes(host) && Object.values(ports).includes(port) ? { host: address, port } : null,
    inspect: mode.startsWith('inspect') ? { pki, refuseWebSocket: mode === 'inspect-refuse-ws' } : undefined,
  });
  closers.push(() => proxy.close());
  made.proxy = proxy;
  const url = new URL(proxy.url);
  if (mode === 'auth-with-credentials') {
    url.username = 'alice';
    url.password = 'lab-secret';
  }
  return url.toString().replace(/\/$/, '');
}

/** A port that was just free: nothing listens there, so a connection is refused. */
async function closedPort(address: string): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export type { LabDnsServer };
