/**
 * What a user's free text says: error codes (through the code catalog's finder), a result code
 * from the agent, the computer's OS, where it is connected, and the words that point at an
 * area (proxy, VPN, DNS, certificates, the clock, "can't sign in"). Pure and forgiving: it
 * reads what it can and reports it, so the reply can say what was understood.
 */
import { type FoundCode, findErrorCodes } from '../../probes/codes/index.ts';
import type { OsName, Where } from './types.ts';

export interface Understood {
  codes: FoundCode[];
  /** A result code as typed (RC1-XXXX-XXXX-XC), not yet checked. */
  resultCode?: string;
  os?: OsName;
  where?: Where;
  /** Area keywords, in HINTS order. */
  hints: string[];
}

/** Words → hint. Hints steer the plan's conditions (`session.hints`) and the reply. */
const HINTS: Array<[string, RegExp]> = [
  [
    'sign_in',
    /\b(can'?t|cannot|can not|unable to|won'?t|doesn'?t let me)\s+(sign|log)\s*-?\s*(in|on)\b|\bsign[- ]?in\b|\blog[- ]?in\b/i,
  ],
  ['proxy', /\bprox(y|ies)\b|\b407\b|\bpac file\b/i],
  ['vpn', /\bvpn\b|anyconnect|globalprotect|forticlient|zscaler client/i],
  ['dns', /\bdns\b|\bnslookup\b|\bresolv(e|ing|er)\b|name resolution|\bnxdomain\b/i],
  ['certificate', /\bcert(ificate)?s?\b|\bssl\b|\btls\b|untrusted|not secure/i],
  ['clock', /\bclock\b|wrong time|time is (wrong|off)|date and time|time ?zone/i],
  ['firewall', /\bfirewall\b|\bblocked\b|\bport 443\b/i],
  ['offline', /\bno internet\b|\boffline\b|no (network|connection)\b|wi-?fi (is )?(down|not working)/i],
];

const OS: Array<[OsName, RegExp]> = [
  ['windows', /\bwin(dows)?\s*(1[01]|7|8(\.1)?)?\b|\bpc\b|\bsurface\b/i],
  ['macos', /\bmac(os| ?book| os x)?\b|\bos ?x\b|\bimac\b/i],
  ['linux', /\blinux\b|\bubuntu\b|\bfedora\b|\bdebian\b|\brhel\b/i],
];

const WHERE: Array<[Where, RegExp]> = [
  ['vpn', /\b(on|over|via|through|using|with)\s+(the\s+|a\s+|my\s+)?vpn\b|\bvpn\s+(is\s+)?(on|connected)\b/i],
  ['hotspot', /\bhot ?spot\b|\btether(ing|ed)?\b|\bmobile data\b|\bphone'?s? (internet|connection|data)\b/i],
  ['home', /\b(at|from|working from)\s+home\b|\bhome (wi-?fi|network|internet|router)\b/i],
  [
    'office',
    /\b(at|in|from)\s+(the\s+)?(office|work)\b|\b(office|corporate|company|work) (network|wi-?fi|lan)\b/i,
  ],
];

const RESULT_CODE = /\bRC\s*-?\s*[0-9A-Z](?:\s*-?\s*[0-9A-Z]){10}\b/i;

export function understand(text: string): Understood {
  const found: Understood = {
    codes: findErrorCodes(text),
    hints: HINTS.filter(([, re]) => re.test(text)).map(([h]) => h),
  };
  const result = RESULT_CODE.exec(text)?.[0];
  if (result) found.resultCode = result;
  const os = OS.find(([, re]) => re.test(text))?.[0];
  if (os) found.os = os;
  const where = WHERE.find(([, re]) => re.test(text))?.[0];
  if (where) found.where = where;
  return found;
}

/** Anything at all understood (an empty result means the reply must explain what is accepted). */
export function understoodAnything(u: Understood): boolean {
  return (
    u.codes.length > 0 ||
    u.resultCode !== undefined ||
    u.os !== undefined ||
    u.where !== undefined ||
    u.hints.length > 0
  );
}

/** Short phrases for the reply: "error CAA20004", "Windows", "at home", "proxy". */
export function describe(u: Understood): string[] {
  const words: string[] = u.codes.map((c) => `error ${c.code}`);
  if (u.os) words.push({ windows: 'Windows', macos: 'macOS', linux: 'Linux' }[u.os]);
  if (u.where)
    words.push(
      { office: 'at the office', home: 'at home', vpn: 'on VPN', hotspot: 'on a phone hotspot' }[u.where],
    );
  const hintWords: Record<string, string> = {
    sign_in: 'cannot sign in',
    proxy: 'proxy',
    vpn: 'VPN',
    dns: 'DNS',
    certificate: 'certificates',
    clock: 'the clock',
    firewall: 'firewall',
    offline: 'no internet',
  };
  for (const h of u.hints) if (!(h === 'vpn' && u.where === 'vpn')) words.push(hintWords[h] ?? h);
  return words;
}
