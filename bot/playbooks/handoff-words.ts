/**
 * The hand-off's findings in sentences an IT admin reads in a ticket (issue 14): what was
 * measured or pasted, in words ("This computer's DNS resolver 10.20.0.53 answered NXDOMAIN for
 * login.microsoftonline.com and 3 other hosts"), never the facts' keys and brackets, never a
 * finding id (the support thread keeps those). One sentence builder per finding id, each reading
 * only the facts it knows and leaving out what is missing, so a result code's thin facts or an
 * extension's odd ones still read as prose.
 */
import { plainText } from '../../cards/plain.ts';
import { type FindingId, isFindingId } from '../../probes/findings.ts';

/** The finding as the hand-off gets it (the report's finding, or any subset with an id). */
export interface WordsFinding {
  id: string;
  summary?: string;
  facts?: Record<string, unknown>;
}

/** What was measured around the finding, from its evidence probes. */
export interface Measured {
  /** The system resolver that answered (nslookup's "Server:" line, the agent's resolver). */
  resolver?: string;
  /** A probe's own sentence for the finding (device and broker checks explain themselves). */
  detail?: string;
}

type Facts = Record<string, unknown>;

/** A string or finite number as text; anything else (objects, NaN, null) is left out. */
function text(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return plainText(v.trim());
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** The strings of a list fact (hosts, ranges), host:port kept as given. */
function items(v: unknown): string[] {
  return Array.isArray(v) ? v.map(text).filter((x): x is string => x !== undefined) : [];
}

/** "a", "a and b", "a and 3 other hosts". */
export function someOf(list: string[], noun = 'hosts'): string {
  if (list.length <= 2) return list.join(' and ');
  return `${list[0]} and ${list.length - 1} other ${noun}`;
}

const hostsOr = (f: Facts, key: string, fallback: string) => someOf(items(f[key])) || fallback;

/** A DNS failure state (diagnosis' or a result code's class) as what the resolver did. */
function dnsDid(state: unknown): string {
  // The raw state: plainText would already have put it in words.
  switch (typeof state === 'string' ? state.toLowerCase() : '') {
    case 'nxdomain':
      return 'answered NXDOMAIN (no such name) for';
    case 'servfail':
      return 'answered SERVFAIL (server failure) for';
    case 'timeout':
      return 'did not answer in time for';
    case 'refused':
    case 'dns_refused':
      return 'refused to answer for';
    case 'no_answer':
      return 'gave an empty answer for';
    default:
      return 'failed to look up';
  }
}

const TLS_REASON: Record<string, string> = {
  unknown_ca: 'it is signed by a certificate authority this computer does not trust',
  expired: 'it has expired, as this computer counts time',
  not_yet_valid: 'it is not valid yet, as this computer counts time',
  hostname_mismatch: 'it is issued for another name',
};

/** A result code's clock class (`behind_1h_1d`) or a measured offset in seconds, in words. */
function clockWords(f: Facts): string {
  const seconds =
    typeof f.offsetSeconds === 'number' && Number.isFinite(f.offsetSeconds) ? f.offsetSeconds : undefined;
  if (seconds !== undefined) {
    const way = seconds > 0 ? 'behind' : 'ahead';
    const min = Math.round(Math.abs(seconds) / 60);
    const amount = min >= 120 ? `${Math.round(min / 60)} hours` : `${min} minutes`;
    return `is ${amount} ${way} of the time sources`;
  }
  const m = /^(ahead|behind)_(.+)$/.exec(text(f.offset) ?? '');
  const SPAN: Record<string, string> = {
    lt_5m: 'by less than 5 minutes',
    '5m_1h': 'by 5 minutes to an hour',
    '1h_1d': 'by an hour to a day',
    '1d_30d': 'by a day to a month',
    gt_30d: 'by more than a month',
  };
  return m ? `is ${m[1]} of the right time ${SPAN[m[2]] ?? ''}`.trimEnd() : 'differs from the right time';
}

/** One sentence per finding id; facts missing from a finding drop out of its sentence. */
const SENTENCE: Record<FindingId, (f: Facts, m: Measured) => string> = {
  'network.offline': () =>
    'No DNS server answered and no connection succeeded: this computer has no working network path.',
  'network.captive_portal': (f) =>
    `A captive portal (a Wi-Fi sign-in page)${text(f.redirectsTo) ? ` at ${text(f.redirectsTo)}` : ''} answers in place of the internet.`,
  'clock.skew': (f) =>
    `This computer's clock ${clockWords(f)}, so Microsoft's certificates and sign-in tokens look invalid to it.`,
  'proxy.unreachable': (f) =>
    `The proxy this computer is set to use${text(f.proxy) ? ` (${text(f.proxy)})` : ''} cannot be connected to.`,
  'proxy.auth_required': (f) =>
    `The proxy${text(f.proxy) ? ` ${text(f.proxy)}` : ''} answers 407 (proxy sign-in required) to Teams' requests; Teams cannot sign in to it.`,
  'dns.all_failed': (f, m) =>
    `No DNS server could look up ${hostsOr(f, 'hosts', "Microsoft's sign-in names")}: this computer's resolver${m.resolver ? ` ${m.resolver}` : ''} and the public resolvers all ${dnsDid(
      f.systemError,
    )
      .replace(/ for$/, '')
      .replace(/^failed to look up$/, 'fail')}.`,
  'dns.system_failed': (f, m) =>
    `This computer's DNS resolver${m.resolver ? ` ${m.resolver}` : ''} ${dnsDid(f.error)} ${hostsOr(f, 'hosts', "Microsoft's sign-in names")}${f.publicResolverAnswers === true ? ', while a public resolver finds them' : ''}.`,
  'dns.hijacked': (f, m) =>
    `This computer's DNS resolver${m.resolver ? ` ${m.resolver}` : ''} sends ${hostsOr(f, 'hosts', "Microsoft's names")} to addresses that cannot be Microsoft's${items(f.addresses).length > 0 ? ` (${someOf(items(f.addresses), 'addresses')})` : ''}.`,
  'network.intermittent': (f) => {
    const failed = text(f.failed);
    const rounds = text(f.rounds);
    return `The connection to ${hostsOr(f, 'hosts', "Microsoft's servers")} comes and goes${failed && rounds ? `: it failed in ${failed} of ${rounds} rounds of checks` : ''}.`;
  },
  'vpn.split_misrouted': (f) =>
    `${hostsOr(f, 'hosts', "Microsoft's servers")} ${f.path === 'local' ? 'is routed outside the VPN' : 'is routed into the VPN tunnel'}${text(f.route) ? ` (${text(f.route)})` : ''}, where it fails, while the other path works.`,
  'firewall.blocked': (f) =>
    `Names resolve, but ${f.mode === 'dropped' ? 'connections are silently dropped' : f.mode === 'refused' ? 'connections are refused' : 'connections fail'} to ${hostsOr(f, 'hosts', 'required Microsoft hosts')} (TCP).`,
  'firewall.sni_filtered': (f) =>
    `Secure connections that name ${hostsOr(f, 'names', "Microsoft's servers")} are cut, while the same address accepts ${text(f.acceptedName) ?? 'another name'}: a firewall or web filter blocks them by name.`,
  'tls.handshake_failed': (f) =>
    `Something in the network path cuts the secure connection (TLS handshake) to ${hostsOr(f, 'hosts', "Microsoft's servers")}.`,
  'tls.inspection': (f) =>
    `A TLS-inspecting product${text(f.issuer) ? ` (certificates issued by ${text(f.issuer)})` : ''} decrypts and re-signs the connection to ${hostsOr(f, 'hosts', 'Microsoft sign-in')}.`,
  'tls.untrusted': (f) => {
    const why = TLS_REASON[text(f.reason) ?? ''] ?? 'it is not trusted';
    return `The certificate presented for ${hostsOr(f, 'hosts', "Microsoft's servers")} is refused: ${why}${text(f.issuer) ? ` (issuer: ${text(f.issuer)})` : ''}.`;
  },
  'proxy.websocket_blocked': (f) =>
    `Web requests get through, but the WebSocket connection Teams needs to ${hostsOr(f, 'hosts', 'Teams')} is refused${text(f.status) ? ` (HTTP ${text(f.status)} instead of switching protocols)` : ''}.`,
  'service.unavailable': (f) =>
    `Microsoft's service at ${hostsOr(f, 'hosts', 'its endpoint')} answers with a server error${text(f.status) ? ` (HTTP ${text(f.status)})` : ''}: not a fault of this computer or network.`,
  'device.not_registered': (_f, m) =>
    `This computer is not registered with Microsoft Entra ID the way sign-in policy requires.${m.detail ? ` ${m.detail}` : ''}`,
  'broker.unhealthy': (_f, m) =>
    `The sign-in broker Teams relies on (WAM, Microsoft.AAD.BrokerPlugin) is missing or broken.${m.detail ? ` ${m.detail}` : ''}`,
  'media.udp_blocked': () =>
    'No answer on UDP 3478-3481 from the Teams media relays: calls fall back to TCP and suffer; sign-in is not affected.',
  'ipv6.broken': (f) =>
    `IPv6 connections to ${hostsOr(f, 'hosts', "Microsoft's servers")} fail while IPv4 ones work, so sign-in waits for the fallback or fails.`,
  'vpn.optimize_tunneled': (f) =>
    `Microsoft's Optimize-category traffic${items(f.ranges).length > 0 ? ` (${someOf(items(f.ranges), 'ranges')})` : ''} goes through the VPN tunnel${text(f.interface) ? ` (${text(f.interface)})` : ''} instead of straight to the internet.`,
  'vpn.active': (f) =>
    `A VPN is connected${items(f.interfaces).length > 0 ? ` (${someOf(items(f.interfaces), 'interfaces')})` : ''}.`,
  'credentials.cache_present': () =>
    'Teams caches and stored sign-in tokens exist on this computer (clearing them helps once the network is fixed).',
  'endpoint.failed': (f) =>
    `${hostsOr(f, 'hosts', 'A required Microsoft endpoint')} cannot be reached for a reason none of the other checks explains.`,
};

/** The finding in one sentence for a person, built from its facts and what was measured. */
export function findingSentence(f: WordsFinding, m: Measured = {}): string {
  if (isFindingId(f.id)) return SENTENCE[f.id](f.facts ?? {}, m);
  const known = f.summary ? plainText(f.summary) : '';
  return known || 'A check found a problem that has no description yet.';
}
