/**
 * Plain words for the person who is locked out (issue 14): what each finding means in one short
 * headline, and engineers' tokens (raw error codes, probe ids) turned into words. Used by the
 * screens an end user reads; the support thread's summary keeps the ids and raw facts.
 */
import type { FactValue, FindingItem, StepEvidence } from './views.ts';

/** One headline per finding id, in the user's words. An id missing here gets a neutral one. */
const HEADLINE: Readonly<Record<string, string>> = {
  'network.offline': 'This computer cannot reach the internet at all',
  'dns.system_failed': "This computer's name lookup (DNS) cannot find Microsoft's sign-in servers",
  'dns.all_failed': 'No name lookup (DNS) answers on this network',
  'dns.hijacked': "This network sends Microsoft's names to the wrong place",
  'firewall.blocked': 'A firewall blocks the connection to Microsoft',
  'proxy.unreachable': 'The proxy this computer is set to use does not answer',
  'proxy.auth_required': 'The proxy wants you to sign in before Teams can get through',
  'proxy.websocket_blocked': "Something on the way blocks Teams' live connection",
  'tls.inspection': 'A security product opens and re-signs the secure connection to Microsoft',
  'tls.untrusted': "This computer does not trust Microsoft's certificate",
  'tls.handshake_failed': 'The secure connection to Microsoft is cut off on the way',
  'clock.skew': "This computer's clock is wrong",
  'service.unavailable': "Microsoft's service has a problem right now (not your computer)",
  'media.udp_blocked': 'Calls and meetings may suffer: the ports for audio and video are blocked',
  'credentials.cache_present': 'Teams has saved sign-in data on this computer',
  'device.not_registered': 'This computer is not registered with your organisation',
  'broker.unhealthy': 'The Windows sign-in helper is missing or broken',
  'vpn.active': 'A VPN is on',
  'vpn.optimize_tunneled': "The VPN carries Teams' calls and sign-in, which slows them down",
  'vpn.split_misrouted': 'The VPN sends Microsoft traffic down a path that fails',
  'firewall.sni_filtered': "A filter cuts connections that name Microsoft's servers",
  'network.captive_portal': 'This network wants you to sign in or accept terms first',
  'ipv6.broken': 'The newer internet protocol (IPv6) fails here, the older one works',
  'network.intermittent': 'The connection to Microsoft drops now and then',
  'endpoint.failed': 'A Microsoft address Teams needs does not answer properly',
};

export function findingHeadline(id: string): string {
  return HEADLINE[id] ?? 'Something gets in the way of Teams sign-in';
}

/** Raw codes as the probes name them, and what a person calls them. */
const WORDS: ReadonlyArray<[RegExp, string]> = [
  [/\bnxdomain\b/gi, 'name not found'],
  [/\bservfail\b/gi, 'DNS server failure'],
  [/\bENOTFOUND\b/g, 'name not found'],
  [/\bECONNREFUSED\b/g, 'connection refused'],
  [/\bECONNRESET\b/g, 'connection cut off'],
  [/\bETIMEDOUT\b|\bETIMEOUT\b/g, 'no answer in time'],
  [/\baccess_denied\b/g, 'access denied'],
  [/\bunknown_ca\b/g, 'unknown certificate authority'],
  [/\bnot_yet_valid\b/g, 'not valid yet'],
  [/\bhostname_mismatch\b/g, 'made out for another name'],
  [/\bdns_timeout\b/g, 'DNS did not answer in time'],
];

/**
 * A probe id (`tcp:login.microsoftonline.com:443`, `dns:host@system`) → the host it names, so a
 * sentence keeps its meaning without the engineer's prefix.
 */
const PROBE_ID =
  /(?<![\w@/])(?:dns|tcp|tls|https|websocket|stun|clock|proxy|cache|device|broker|vpn|portal|ipv6|route|sni):([a-z0-9*][a-z0-9.*-]*\.[a-z]{2,})(?::\d+)?(?:@(?:[a-z]+|[0-9a-f.:]*[0-9a-f]))?/g;

/** Text from diagnosis or the probes, with raw codes and probe ids in words. */
export function plainText(text: string): string {
  let out = text.replace(PROBE_ID, '$1');
  for (const [re, word] of WORDS) out = out.replace(re, word);
  return out;
}

const PROBE_KIND: Readonly<Record<string, string>> = {
  dns: 'Name lookup of',
  tcp: 'Connection to',
  tls: 'Secure connection to',
  https: 'Web request to',
  websocket: 'Live connection to',
  stun: 'Call ports of',
  proxy: 'Proxy for',
  portal: 'Sign-in page check via',
  ipv6: 'IPv6 connection to',
  sni: 'Named connection to',
  route: 'Route to',
};

/** Checks that name no host (`proxy:discovery`, `clock:local`): what they look at. */
const PROBE_SUBJECT: Readonly<Record<string, string>> = {
  proxy: 'Check of the proxy settings',
  clock: "Check of this computer's clock",
  cache: 'Check of the saved sign-in data',
  device: "Check of this computer's registration",
  broker: 'Check of the sign-in helper',
  vpn: 'Check of the VPN',
};

/** The resolver a DNS probe asked (`@system`, `@public`, `@1.1.1.1`), in words. */
function viaWords(via: string | undefined): string {
  if (via === undefined) return '';
  if (via === 'system') return " through this computer's resolver";
  if (via === 'public') return ' (public DNS)';
  return ` through the resolver ${via}`;
}

/**
 * A probe id as a label: `dns:login.microsoftonline.com@system` → "Name lookup of
 * login.microsoftonline.com through this computer's resolver"; `proxy:discovery` → "Check of the proxy settings".
 */
export function probeLabel(id: string): string {
  const m = /^([a-z0-9]+):([^:@]+)(?::(\d+))?(?:@([\w.:]+))?$/.exec(id);
  if (!m) return plainText(id);
  const [, kind, host, , via] = m;
  if (!host.includes('.') && PROBE_SUBJECT[kind]) return PROBE_SUBJECT[kind];
  const what = PROBE_KIND[kind];
  if (!what) return plainText(id);
  return `${what} ${host}${viaWords(via)}`;
}

const STATUS_WORD: Readonly<Record<NonNullable<StepEvidence['probes']>[number]['status'], string>> = {
  pass: 'worked',
  fail: 'failed',
  warn: 'gave a warning',
  skipped: 'was not tried',
  error: 'could not be checked',
};

/**
 * What one result says, as a clause a person reads: "the name lookup of login.microsoftonline.com
 * through this computer's resolver failed" (the reply to pasted output that changed nothing).
 */
export function probeRead(p: { id: string; status: keyof typeof STATUS_WORD }): string {
  const label = probeLabel(p.id);
  // Mid-sentence: "the name lookup", "the IPv6 connection"; a label that is only a host (an
  // unknown kind) reads as "the check of" it.
  const lead = /^[A-Z][a-z]/.test(label)
    ? `the ${label[0].toLowerCase()}${label.slice(1)}`
    : /^[A-Z]/.test(label)
      ? `the ${label}`
      : `the check of ${label}`;
  return `${lead} ${STATUS_WORD[p.status]}`;
}

export function plainFact(value: FactValue): FactValue {
  if (typeof value === 'string') return plainText(value).replace(/_/g, ' ');
  if (Array.isArray(value)) return value.map((v) => plainText(v));
  return value;
}

/**
 * A finding as the user reads it: the headline, the measured sentence in plain words, the facts
 * with plain values; no id and no evidence probe ids (the support thread has those).
 */
export function userFinding(f: FindingItem): FindingItem & { headline: string } {
  return {
    ...f,
    headline: findingHeadline(f.id),
    summary: plainText(f.summary),
    evidence: [],
    facts: Object.fromEntries(Object.entries(f.facts).map(([k, v]) => [k, plainFact(v)])),
  };
}
