/**
 * The result code: when the bot cannot be reached (the network is what is broken), the agent
 * prints a short code that the user types into the chat on their phone; the bot decodes it and
 * carries on with the guided flow. One module, used by both sides.
 *
 * Display form, 16 characters with the dashes: `RC1-XXXX-XXXX-XC`
 *   R C    marker, so the bot can tell a result code from a pairing code
 *   1      format version (a Crockford base32 symbol, 1..31)
 *   X × 9  45 payload bits, most significant first, 5 bits per symbol
 *   C      check symbol
 *
 * Alphabet: Crockford base32 (0-9, A-Z without I, L, O, U). Decoding ignores case, spaces and
 * dashes, and reads i/l as 1 and o as 0, as Crockford says.
 *
 * Payload v1 (45 bits, bit 44 first):
 *   44-43  verdict: 0 healthy, 1 problems, 2 inconclusive (3 is invalid)
 *   42-40  tls.untrusted reason: 0 unknown, 1 unknown_ca, 2 expired, 3 not_yet_valid, 4 hostname_mismatch
 *   39-38  firewall.blocked mode: 0 unknown, 1 dropped, 2 refused, 3 mixed
 *   37     clock.skew direction: 0 this computer is ahead, 1 behind (0 when the magnitude is unknown)
 *   36-34  clock.skew magnitude: 0 unknown, 1 under 5 min, 2 5 min-1 h, 3 1 h-1 day, 4 1-30 days, 5 over 30 days
 *   33-31  dns.system_failed: 0 unknown, 1 nxdomain, 2 servfail, 3 timeout, 4 refused
 *   30-0   findings: bit i set when FINDING_BITS[i] was found (31 slots, 25 used)
 * A fact field is 0 unless its finding is present. New finding ids take the next free bit;
 * a new fact field or a longer payload needs a new version.
 *
 * Check symbol: the Damm scheme over GF(32) (polynomial x^5 + x^2 + 1) with the quasigroup
 * x∘y = 2x + y, over all 13 symbols including R, C and the version. x∘y = 2x + y is a totally
 * anti-symmetric quasigroup, so every single-symbol substitution and every swap of two
 * adjacent different symbols changes the result (test/codes/result-code.test.ts checks this
 * exhaustively for a sample of codes).
 */
import type { FindingId } from './findings.ts';

export type Verdict = 'healthy' | 'problems' | 'inconclusive';

export type ResultCodeErrorCode = 'checksum' | 'format' | 'version' | 'unknown_finding';

export class ResultCodeError extends Error {
  readonly code: ResultCodeErrorCode;
  constructor(code: ResultCodeErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export interface EncodeInput {
  verdict: Verdict;
  findings: Array<{ id: string; facts?: Record<string, unknown> }>;
}

export interface DecodedResult {
  verdict: Verdict;
  /** In bit order (the CONTRACTS.md table order), not root cause first. */
  findings: Array<{ id: FindingId; factClass?: string }>;
}

/**
 * Bit positions of the findings. Fixed and append-only: a code printed by an old agent must
 * still decode, so this list is never reordered, even if the finding table is.
 */
export const FINDING_BITS: readonly FindingId[] = [
  'network.offline',
  'dns.system_failed',
  'dns.all_failed',
  'dns.hijacked',
  'firewall.blocked',
  'proxy.unreachable',
  'proxy.auth_required',
  'proxy.websocket_blocked',
  'tls.inspection',
  'tls.untrusted',
  'tls.handshake_failed',
  'clock.skew',
  'service.unavailable',
  'media.udp_blocked',
  'credentials.cache_present',
  'device.not_registered',
  'broker.unhealthy',
  'vpn.active',
  'endpoint.failed',
  'vpn.optimize_tunneled',
  'vpn.split_misrouted',
  'firewall.sni_filtered',
  'network.captive_portal',
  'ipv6.broken',
  'network.intermittent',
];

export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const VERSION = 1;
const MARKER = 'RC';
const SYMBOLS = 13;
const DATA_SYMBOLS = 9;
const MASK_BITS = 31;
const VERDICTS: readonly Verdict[] = ['healthy', 'problems', 'inconclusive'];

/** A fact field: where it sits, its width, and the classes its values 1.. stand for. */
interface FactField {
  finding: FindingId;
  shift: number;
  width: number;
  classes: readonly string[];
  classify(facts: Record<string, unknown>): number;
}

const TLS_REASONS = ['unknown_ca', 'expired', 'not_yet_valid', 'hostname_mismatch'] as const;
const FIREWALL_MODES = ['dropped', 'refused', 'mixed'] as const;
const DNS_FAILURES = ['nxdomain', 'servfail', 'timeout', 'refused'] as const;
/** Upper bounds in seconds of magnitude classes 1..4; class 5 is everything above. */
const SKEW_BOUNDS = [300, 3600, 86_400, 30 * 86_400];
const SKEW_NAMES = ['lt_5m', '5m_1h', '1h_1d', '1d_30d', 'gt_30d'];
const SKEW_CLASSES = [...SKEW_NAMES.map((n) => `ahead_${n}`), ...SKEW_NAMES.map((n) => `behind_${n}`)];

const FACT_FIELDS: readonly FactField[] = [
  {
    finding: 'tls.untrusted',
    shift: 40,
    width: 3,
    classes: TLS_REASONS,
    classify: (f) => indexOf(TLS_REASONS, f['reason']),
  },
  {
    finding: 'firewall.blocked',
    shift: 38,
    width: 2,
    classes: FIREWALL_MODES,
    classify: (f) => indexOf(FIREWALL_MODES, f['mode']),
  },
  {
    finding: 'clock.skew',
    shift: 34,
    width: 4,
    // Value = direction bit (8) + magnitude 1..5; classes are indexed by value - 1 with gaps.
    classes: [...SKEW_CLASSES.slice(0, 5), '', '', '', ...SKEW_CLASSES.slice(5)],
    classify: (f) => skewValue(f['offsetSeconds'] ?? f['offset']),
  },
  {
    finding: 'dns.system_failed',
    shift: 31,
    width: 3,
    classes: DNS_FAILURES,
    classify: (f) => dnsValue(f['error'] ?? f['reason'] ?? f['code'] ?? f['failure']),
  },
];

/** Encodes a report's verdict and findings into the display form, e.g. `RC1-7K3M-9QXT-2A`. */
export function encodeResultCode(input: EncodeInput): string {
  const verdict = VERDICTS.indexOf(input.verdict);
  if (verdict < 0)
    throw new ResultCodeError('format', `verdict "${input.verdict}" is not one of ${VERDICTS.join(', ')}`);
  let payload = BigInt(verdict) << 43n;
  for (const finding of input.findings) {
    const bit = FINDING_BITS.indexOf(finding.id as FindingId);
    if (bit < 0)
      throw new ResultCodeError(
        'unknown_finding',
        `finding "${finding.id}" has no bit in the result code table`,
      );
    payload |= 1n << BigInt(bit);
    const field = FACT_FIELDS.find((f) => f.finding === finding.id);
    if (field && finding.facts) payload |= BigInt(field.classify(finding.facts)) << BigInt(field.shift);
  }
  let data = '';
  for (let i = DATA_SYMBOLS - 1; i >= 0; i--) data += ALPHABET[Number((payload >> BigInt(5 * i)) & 31n)];
  const body = `${MARKER}${ALPHABET[VERSION]}${data}`;
  return formatSymbols(body + checkSymbol(body));
}

/** Decodes what the user typed; throws ResultCodeError saying what is wrong and what is accepted. */
export function decodeResultCode(code: string): DecodedResult {
  const symbols = normalise(code);
  if (checkSymbol(symbols.slice(0, -1)) !== symbols.at(-1)) {
    throw new ResultCodeError(
      'checksum',
      'this result code has a typo: the check character does not match; please copy it again',
    );
  }
  if (!symbols.startsWith(MARKER)) {
    throw new ResultCodeError(
      'format',
      `a result code starts with "${MARKER}" (like RC1-XXXX-XXXX-XX); this one starts with "${symbols.slice(0, 2)}"`,
    );
  }
  const version = ALPHABET.indexOf(symbols[2]);
  if (version !== VERSION) {
    throw new ResultCodeError(
      'version',
      `result code version ${version} is not understood here (this bot reads version ${VERSION}); update the bot or the agent`,
    );
  }
  let payload = 0n;
  for (const symbol of symbols.slice(3, 3 + DATA_SYMBOLS))
    payload = (payload << 5n) | BigInt(ALPHABET.indexOf(symbol));
  const verdict = VERDICTS[Number(payload >> 43n)];
  if (!verdict) throw new ResultCodeError('format', 'the verdict field holds an unused value');
  const mask = payload & ((1n << BigInt(MASK_BITS)) - 1n);
  if (mask >> BigInt(FINDING_BITS.length) !== 0n) {
    throw new ResultCodeError(
      'unknown_finding',
      'the code names a finding this bot does not know yet; update the bot',
    );
  }
  const findings: DecodedResult['findings'] = [];
  FINDING_BITS.forEach((id, bit) => {
    if (mask & (1n << BigInt(bit))) findings.push({ id });
  });
  for (const field of FACT_FIELDS) {
    const value = Number((payload >> BigInt(field.shift)) & BigInt((1 << field.width) - 1));
    if (value === 0) continue;
    const finding = findings.find((f) => f.id === field.finding);
    const factClass = field.classes[value - 1];
    if (!finding || !factClass) {
      throw new ResultCodeError(
        'format',
        `the ${field.finding} detail holds a value that does not fit the findings`,
      );
    }
    finding.factClass = factClass;
  }
  return { verdict, findings };
}

/** The check symbol for `symbols` (Crockford base32, upper case), so that the whole string checks to 0. */
export function checkSymbol(symbols: string): string {
  let interim = 0;
  for (const symbol of symbols) interim = times2(interim) ^ ALPHABET.indexOf(symbol);
  // interim ∘ c = 2·interim + c must be 0; in GF(2^5) minus is plus.
  return ALPHABET[times2(interim)];
}

/** 'rc1 7k3m-9qxt-2a' → 'RC17K3M9QXT2A'; throws 'format' naming a character or length that does not fit. */
function normalise(code: string): string {
  const compact = code.replace(/[\s-]/g, '').toUpperCase().replace(/[IL]/g, '1').replace(/O/g, '0');
  const bad = [...compact].findIndex((c) => !ALPHABET.includes(c));
  if (bad >= 0) {
    throw new ResultCodeError(
      'format',
      `"${compact[bad]}" (character ${bad + 1}) is not used in result codes; they use 0-9 and A-Z without I, L, O, U`,
    );
  }
  if (compact.length !== SYMBOLS) {
    throw new ResultCodeError(
      'format',
      `a result code has ${SYMBOLS} characters plus dashes (RC1-XXXX-XXXX-XX); this one has ${compact.length}`,
    );
  }
  return compact;
}

function formatSymbols(s: string): string {
  return `${s.slice(0, 3)}-${s.slice(3, 7)}-${s.slice(7, 11)}-${s.slice(11)}`;
}

/** Multiplication by x in GF(2^5) modulo x^5 + x^2 + 1. */
function times2(value: number): number {
  const shifted = value << 1;
  return shifted & 0b100000 ? shifted ^ 0b100101 : shifted;
}

function indexOf(classes: readonly string[], value: unknown): number {
  return typeof value === 'string' ? classes.indexOf(value) + 1 : 0;
}

/**
 * The clock probe's offset is time source minus local time: positive means this computer's
 * clock is behind, negative that it is ahead (probes/clock.ts).
 */
function skewValue(offset: unknown): number {
  if (typeof offset !== 'number' || !Number.isFinite(offset)) return 0;
  const magnitude = Math.abs(offset);
  const bucket = SKEW_BOUNDS.findIndex((bound) => magnitude < bound);
  return (offset > 0 ? 8 : 0) + (bucket < 0 ? SKEW_BOUNDS.length + 1 : bucket + 1);
}

function dnsValue(reason: unknown): number {
  const text = Array.isArray(reason) ? reason.find((r) => typeof r === 'string') : reason;
  if (typeof text !== 'string') return 0;
  const normal = text
    .toLowerCase()
    .replace(/^dns_/, '')
    .replace(/^e(?=timeout$|servfail$|refused$)/, '');
  if (normal === 'notfound' || normal === 'enotfound') return 1;
  return indexOf(DNS_FAILURES, normal);
}
