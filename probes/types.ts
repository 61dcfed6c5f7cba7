/**
 * Shared shapes of the probe engine. The report JSON (CONTRACTS.md) is built from these, so
 * fields here may be added but never renamed or repurposed.
 */

export type ProbeStatus = 'pass' | 'fail' | 'warn' | 'skipped' | 'error';

/** Every phase a network probe knows. All are present in a result, 0 when the phase never ran. */
export interface Phases {
  dns: number;
  connect: number;
  proxy: number;
  tls: number;
  firstByte: number;
}

export type Phase = keyof Phases | 'setup' | 'response';

/**
 * Our classification of why a probe did not pass. The bot explains failures from this code,
 * never from message text. Closed list: add here, never reuse a code for another meaning.
 */
export type FailureCode =
  // DNS
  | 'nxdomain'
  | 'servfail'
  | 'dns_refused'
  | 'dns_timeout'
  | 'no_answer'
  | 'dns_error'
  // TCP / routing
  | 'timeout'
  | 'refused'
  | 'unreachable'
  | 'reset'
  // proxy
  | 'proxy_unreachable'
  | 'proxy_auth_required'
  | 'proxy_refused'
  // TLS
  | 'handshake_reset'
  | 'handshake_timeout'
  | 'expired'
  | 'not_yet_valid'
  | 'hostname_mismatch'
  | 'unknown_ca'
  | 'untrusted'
  | 'tls_error'
  // HTTP / WebSocket
  | 'http_5xx'
  | 'http_blocked'
  | 'bad_response'
  | 'upgrade_refused'
  // STUN / clock
  | 'captive_portal'
  | 'no_answer_udp'
  | 'skew'
  | 'no_time_source'
  // device state and sign-in broker
  | 'not_registered'
  | 'device_auth_failed'
  | 'sso_token_missing'
  | 'sso_token_stale'
  | 'broker_missing'
  | 'broker_unhealthy'
  // local files (caches, token stores)
  | 'access_denied'
  // engine
  | 'interlock'
  | 'not_applicable'
  | 'not_run'
  | 'parse_error'
  // the browser check (issue 17): the page learns only that a request failed, never why
  | 'fetch_failed'
  | 'internal';

export interface ProbeFailure {
  phase: Phase;
  code: FailureCode;
  /** One human sentence with the specifics (host, port, status line). */
  detail: string;
}

/** One probe's result: the `probes[]` entry of the report. */
export interface ProbeResult<D extends object = Record<string, unknown>> {
  /** Stable id, `${kind}:${target}` (see probeId). Findings cite these as evidence. */
  id: string;
  kind: ProbeKind | BrowserProbeKind;
  target: string;
  status: ProbeStatus;
  durationMs: number;
  phases: Phases;
  detail: D;
  /** Our typed cause; present whenever status is not pass (skipped included). */
  failure?: ProbeFailure;
  /** The underlying error as the platform named it (CONTRACTS.md `error`), e.g. ECONNREFUSED. */
  error?: { code: string; message: string };
}

export type ProbeKind =
  | 'dns'
  | 'tcp'
  | 'tls'
  | 'https'
  | 'websocket'
  | 'stun'
  | 'clock'
  | 'proxy'
  | 'cache'
  | 'device'
  | 'broker'
  | 'vpn'
  | 'portal'
  | 'ipv6'
  | 'route';

/**
 * What the browser on the affected computer measures itself (issue 17, the /go page's check):
 * kinds of their own, so nothing reads a browser's view as the agent's. Diagnosis lets
 * browser-fetch stand for https, browser-websocket for websocket, browser-ice for stun and
 * browser-clock for clock where the agent's probe is absent.
 */
export type BrowserProbeKind =
  | 'browser-fetch'
  | 'browser-websocket'
  | 'browser-ice'
  | 'browser-clock'
  | 'browser-env';

export type Purpose = 'auth' | 'service' | 'websocket';

export interface CatalogEndpoint {
  host: string;
  port: number;
  purpose: Purpose;
  /** Only for websocket endpoints: the path of the upgrade request. */
  path?: string;
  required: boolean;
  /** Where the host comes from in Microsoft's published endpoint list (its ID there). */
  msId?: number;
  /** Provenance for people: why this host, and what could not be confirmed. Never read by code. */
  note?: string;
}

export interface CatalogMedia {
  host: string;
  ports: number[];
  msId?: number;
  note?: string;
}

export interface CatalogRoot {
  name: string;
  /** SHA-256 over the DER SubjectPublicKeyInfo, lowercase hex. */
  spkiSha256: string;
}

export interface CatalogPortalCheck {
  /** An http:// URL. */
  url: string;
  /** Text the genuine answer's body contains. */
  expect: string;
}

export interface Catalog {
  schema: 'reconnect.catalog/v1';
  cloud: string;
  endpoints: CatalogEndpoint[];
  media: CatalogMedia[];
  /** `ip` or `ip:port`. */
  publicResolvers: string[];
  /** HTTPS URLs whose Date header gives trusted time. */
  timeSources: string[];
  microsoftRoots: CatalogRoot[];
  /**
   * Optional: Microsoft's Optimize-category ranges (media and sign-in) that a VPN should not
   * tunnel. Without it the VPN route checks are skipped, never passed.
   */
  optimizeRanges?: string[];
  /** Optional: plain-HTTP targets with a known body, as operating systems detect captive portals. */
  portalChecks?: CatalogPortalCheck[];
  /** Provenance of the whole file (source list and version). */
  note?: string;
}

export function zeroPhases(): Phases {
  return { dns: 0, connect: 0, proxy: 0, tls: 0, firstByte: 0 };
}

/** The one place probe ids are made, so diagnosis and the runner agree on them. */
export function probeId(kind: ProbeKind | BrowserProbeKind, target: string): string {
  return `${kind}:${target}`;
}
