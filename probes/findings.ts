/**
 * The single typed table of finding ids (CONTRACTS.md "Finding ids"). Diagnosis emits these,
 * playbooks name them, cards explain them: every list of finding ids is derived from this
 * table, never written out a second time. Ids are public: add, never rename or repurpose.
 */

/** How much a finding matters. `info` findings never make the verdict unhealthy. */
export type Severity = 'blocking' | 'degraded' | 'info';

export interface FindingSpec {
  /**
   * The severity CONTRACTS.md gives the id. `clock.skew` is listed as blocking (above 5
   * minutes); diagnosis lowers it to degraded for offsets between 1 and 5 minutes.
   */
  severity: Severity;
  /** One line in plain words, as in CONTRACTS.md. */
  meaning: string;
}

export const FINDINGS = {
  'network.offline': {
    severity: 'blocking',
    meaning: 'no path to anything: no resolver answers and no connection succeeds',
  },
  'dns.system_failed': {
    severity: 'blocking',
    meaning: 'the system resolver fails for required hosts while a public resolver answers',
  },
  'dns.all_failed': { severity: 'blocking', meaning: 'no resolver answers at all' },
  'dns.hijacked': {
    severity: 'blocking',
    meaning: "the system resolver answers with addresses that cannot be Microsoft's",
  },
  'firewall.blocked': {
    severity: 'blocking',
    meaning: 'names resolve but TCP to required hosts is dropped or rejected',
  },
  'proxy.unreachable': { severity: 'blocking', meaning: 'a proxy is configured but cannot be connected to' },
  'proxy.auth_required': { severity: 'blocking', meaning: 'the proxy answers 407' },
  'proxy.websocket_blocked': {
    severity: 'blocking',
    meaning: 'HTTPS works but a WebSocket upgrade to a Teams endpoint is refused in the path',
  },
  'tls.inspection': {
    severity: 'blocking',
    meaning: "the system trusts the chain, but it ends at a root that is not Microsoft's",
  },
  'tls.untrusted': { severity: 'blocking', meaning: 'the certificate chain is not trusted' },
  'tls.handshake_failed': {
    severity: 'blocking',
    meaning: 'the TLS handshake is reset or refused in the path',
  },
  'clock.skew': { severity: 'blocking', meaning: 'local time differs from the time sources' },
  'service.unavailable': {
    severity: 'blocking',
    meaning: "Microsoft's endpoint answers 5xx: not a local fault",
  },
  'media.udp_blocked': { severity: 'degraded', meaning: 'no STUN answer on UDP 3478-3481; calls suffer' },
  'credentials.cache_present': {
    severity: 'info',
    meaning: 'Teams caches and stored credentials exist on the device',
  },
  'device.not_registered': {
    severity: 'blocking',
    meaning: 'the device is not Entra-joined or registered where Conditional Access needs it',
  },
  'broker.unhealthy': { severity: 'blocking', meaning: 'the sign-in broker (WAM) is missing or broken' },
  'vpn.active': { severity: 'info', meaning: "a VPN carries the default route or Microsoft's traffic" },
  // Extension (not in CONTRACTS.md yet): the catch-all that keeps an unexplained failure of a
  // required endpoint from reading as healthy. Diagnosis emits it only when no other finding
  // cites the endpoint's probes.
  'endpoint.failed': {
    severity: 'blocking',
    meaning: 'a required endpoint fails in a way no other finding explains',
  },
  // Issue 15's deeper findings (CONTRACTS.md), after endpoint.failed so that this table's order
  // stays the result code's bit order (probes/result-code.ts FINDING_BITS).
  'vpn.optimize_tunneled': {
    severity: 'degraded',
    meaning: "Microsoft's Optimize-category traffic (media, sign-in ranges) goes through the VPN tunnel",
  },
  'vpn.split_misrouted': {
    severity: 'blocking',
    meaning:
      'Microsoft traffic is routed over a path (tunnel or local) that fails while the other path works',
  },
  'firewall.sni_filtered': {
    severity: 'blocking',
    meaning:
      "handshakes naming Microsoft's servers are reset or refused while the same address accepts another name",
  },
  'network.captive_portal': {
    severity: 'blocking',
    meaning: 'a captive portal or walled garden answers in place of the internet',
  },
  'ipv6.broken': {
    severity: 'degraded',
    meaning: 'IPv6 connections to Microsoft fail while IPv4 ones work',
  },
  'network.intermittent': {
    severity: 'blocking',
    meaning: 'during a watch, some rounds fail for an endpoint that others pass',
  },
} as const satisfies Record<string, FindingSpec>;

export type FindingId = keyof typeof FINDINGS;

/** Every finding id of CONTRACTS.md, in the table's order. */
export const FINDING_IDS = Object.keys(FINDINGS) as FindingId[];

export function isFindingId(value: unknown): value is FindingId {
  return typeof value === 'string' && Object.hasOwn(FINDINGS, value);
}

/** A finding as the report carries it (CONTRACTS.md `findings[]`). */
export interface Finding {
  id: FindingId;
  severity: Severity;
  summary: string;
  /** Probe ids (probeId()) that support the finding. */
  evidence: string[];
  facts: Record<string, unknown>;
}
