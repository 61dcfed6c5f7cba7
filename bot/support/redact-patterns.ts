/**
 * What redaction recognises and what it leaves readable: the text patterns (secrets, e-mail,
 * MAC, IP, host names, user names in paths) and the public names and addresses that are
 * evidence rather than personal data (Microsoft's sign-in and Teams hosts, their published
 * address ranges, the well-known public resolvers, the CAs whose names appear in chains).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { WELL_KNOWN_PUBLIC_RESOLVERS } from '../../probes/catalog/public-resolvers.ts';

/** Domains that stay readable: Microsoft's own, and the public CAs whose hosts show up in chains. */
export const KEPT_DOMAINS: readonly string[] = [
  'microsoft.com',
  'microsoftonline.com',
  'microsoftonline.us',
  'microsoftonline.cn',
  'microsoftonline-p.com',
  'microsoft.us',
  'cloud.microsoft',
  'chinacloudapi.cn',
  'windows.net',
  'windows.com',
  'live.com',
  'live.net',
  'office.com',
  'office.net',
  'office365.com',
  'office365.us',
  'outlook.com',
  'skype.com',
  'lync.com',
  'sharepoint.com',
  'onmicrosoft.com',
  'msftauth.net',
  'msauth.net',
  'msauthimages.net',
  'msftidentity.com',
  'msidentity.com',
  'microsoftazuread-sso.com',
  'azure.com',
  'azure.net',
  'azureedge.net',
  'azurefd.net',
  'trafficmanager.net',
  'msecnd.net',
  'msedge.net',
  'gfx.ms',
  'aka.ms',
  // TLS-inspecting and proxy services: their names are the finding's evidence (which product
  // intercepts), never a person's or a company's own machine.
  'zscaler.net',
  'zscalertwo.net',
  'zscalerthree.net',
  'zscloud.net',
  'zscaler.com',
  'goskope.com',
  'netskope.com',
  'digicert.com',
  'globalsign.com',
  'entrust.net',
  'sectigo.com',
  'letsencrypt.org',
];

/**
 * Microsoft 365's published IPv4 ranges for sign-in, Teams, Exchange and SharePoint (the
 * "Office 365 URLs and IP address ranges" list, worldwide): addresses here are Microsoft's
 * endpoints, which support needs to see.
 */
const MICROSOFT_V4 = [
  '13.107.6.152/31',
  '13.107.6.171/32',
  '13.107.18.10/31',
  '13.107.18.15/32',
  '13.107.64.0/18',
  '13.107.128.0/22',
  '13.107.136.0/22',
  '13.107.140.6/32',
  '20.20.32.0/19',
  '20.190.128.0/18',
  '20.231.128.0/19',
  '23.103.160.0/20',
  '40.96.0.0/13',
  '40.104.0.0/15',
  '40.108.128.0/17',
  '40.126.0.0/18',
  '52.96.0.0/14',
  '52.104.0.0/14',
  '52.108.0.0/14',
  '52.112.0.0/14',
  '52.122.0.0/15',
  '104.146.128.0/17',
  '131.253.33.215/32',
  '132.245.0.0/16',
  '150.171.32.0/22',
  '150.171.40.0/22',
  '204.79.197.215/32',
];
/** Microsoft's IPv6 allocations (2603:1000::/24, 2620:1ec::/36, 2a01:111::/32), as prefixes of the full form. */
const MICROSOFT_V6 = [/^2603:10[0-9a-f]{2}:/, /^2620:01ec:0[0-9a-f]{2}/, /^2a01:0111:/];
const PUBLIC_RESOLVERS = WELL_KNOWN_PUBLIC_RESOLVERS;

const toInt = (ip: string): number => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const RANGES = MICROSOFT_V4.map((cidr) => {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = toInt(base);
  return { start, end: start + size - 1 };
});

/** The private ranges and the text their pseudonyms keep ("10.x-1"), so the kind of network stays visible. */
const PRIVATE_V4: { start: number; end: number; prefix: string }[] = [
  ['10.0.0.0', 8, '10.'],
  ['172.16.0.0', 12, '172.'],
  ['192.168.0.0', 16, '192.168.'],
  ['100.64.0.0', 10, '100.'],
  ['169.254.0.0', 16, '169.254.'],
].map(([base, bits, prefix]) => {
  const start = toInt(base as string);
  return { start, end: start + 2 ** (32 - (bits as number)) - 1, prefix: prefix as string };
});

/**
 * How an IPv4 address is treated: `keep` (loopback, unspecified/sinkhole, multicast and
 * reserved, Microsoft's ranges, the public resolvers), `private` with the prefix its pseudonym
 * shows, or `public` (somebody's address: redacted).
 */
export function classifyV4(
  ip: string,
): { kind: 'keep' } | { kind: 'private'; prefix: string } | { kind: 'public' } {
  const n = toInt(ip);
  const first = Math.floor(n / 2 ** 24);
  if (first === 127 || first === 0 || first >= 224) return { kind: 'keep' };
  if (PUBLIC_RESOLVERS.has(ip) || RANGES.some((r) => n >= r.start && n <= r.end)) return { kind: 'keep' };
  const range = PRIVATE_V4.find((r) => n >= r.start && n <= r.end);
  return range ? { kind: 'private', prefix: range.prefix } : { kind: 'public' };
}

/** The full, zero-padded, lower-case form of an IPv6 address (zone dropped). */
export function expandV6(ip: string): string {
  const bare = ip.split('%')[0].toLowerCase();
  const v4 = bare.match(/(\d+\.\d+\.\d+\.\d+)$/);
  const hex = v4
    ? bare.replace(v4[1], ((n) => `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`)(toInt(v4[1])))
    : bare;
  const [head, tail] = hex.includes('::') ? hex.split('::') : [hex, undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => g.padStart(4, '0')).join(':');
}

/** IPv6 that stays readable: loopback, unspecified, Microsoft's allocations. */
export function keepV6(ip: string): boolean {
  const full = expandV6(ip);
  return /^(0000:){7}000[01]$/.test(full) || MICROSOFT_V6.some((re) => re.test(full));
}

export const isIp4 = isIPv4;
export const isIp6 = isIPv6;

/** Top-level domains a dotted word must end in to count as a host name (so `tls.inspection` is not one). */
const GENERIC_TLDS =
  'com net org edu gov mil int info biz name pro mobi asia tel jobs travel aero coop cat museum app dev ' +
  'cloud online site tech xyz ai store shop blog page web link live global group company services ' +
  'solutions network systems digital email one top club microsoft azure office windows';
const INTERNAL_TLDS =
  'local lan corp internal intranet home localdomain arpa test example invalid localhost private';
const COUNTRY_TLDS =
  'ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz ' +
  'ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk ' +
  'fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir ' +
  'is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ' +
  'ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl ' +
  'pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st sv sx sy sz tc td ' +
  'tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw';
export const TLDS: ReadonlySet<string> = new Set(
  `${GENERIC_TLDS} ${INTERNAL_TLDS} ${COUNTRY_TLDS}`.split(/\s+/),
);

/** True when `host` (lower case) is, or is under, one of `domains`. */
export function underDomain(host: string, domains: Iterable<string>): boolean {
  for (const d of domains) if (host === d || host.endsWith(`.${d}`)) return true;
  return false;
}

/** Regex sources, one per thing recognised; each is used with the `g` (and `i`/`u`) flags. */
export const PATTERNS = {
  /** `Bearer <token>`, `Basic <b64>`, `NTLM <blob>` (Authorization and Proxy-Authorization). */
  authScheme: /\b(Bearer|Basic|Negotiate|NTLM|Digest)(\s+)([A-Za-z0-9\-._~+/]{8,}=*)/gi,
  /** Three base64url parts starting with `{"` encoded: a JWT. */
  jwt: /\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g,
  /** Slack and similar vendor tokens. */
  vendorToken: /\b(?:xox[abposr]|xapp)-[A-Za-z0-9-]{8,}/g,
  /** `password=…`, `"client_secret": "…"`, `token: …` (the name stays, the value goes). */
  keyValue:
    /\b(password|passwd|pwd|passphrase|secret|client_secret|token|access_token|refresh_token|id_token|api[_-]?key|apikey|sig)("?\s*[=:]\s*"?)([^\s"'&,;<>]+)/gi,
  /** A Cookie or Set-Cookie header's value. */
  cookie: /\b((?:set-)?cookie:\s*)([^\r\n]+)/gi,
  /** `scheme://user:password@` or `scheme://user@` in URLs (proxy credentials). */
  userinfo: /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+)(?::([^/\s@]*))?@/gi,
  email: /[\w.+-]+@(?:[a-z0-9-]+\.)+[a-z]{2,}\b/gi,
  mac: /(?<![\w:-])[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}(?![\w:-])|\b[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}\b/gi,
  /** Candidates only: each is checked with node:net isIPv6. */
  ipv6: /(?<![\w:.])(?:[0-9a-f]{0,4}:){2,7}(?:[0-9a-f]{0,4}|\d+\.\d+\.\d+\.\d+)(?:%[\w.-]+)?(?![\w:])/gi,
  ipv4: /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\.?\d)/g,
  /** `C:\Users\<name>`, `/Users/<name>`, `/home/<name>`. */
  userPath: /([A-Za-z]:\\(?:Users|Documents and Settings)\\|\/(?:Users|home)\/)([^\\/\s"'<>:]+)/g,
  /** `DOMAIN\user` (down-level logon names). */
  downLevel: /\b([A-Z][A-Z0-9-]{1,14})\\([A-Za-z][\w.-]{0,63})\b/g,
  hostname: /(?<![\w.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?![\w-])/gi,
  /** Windows' and macOS' default computer names. */
  computerName:
    /\b(?:DESKTOP|LAPTOP|WIN|PC)-[A-Z0-9]{4,15}\b|\b[\p{L}\d'’-]+-(?:MacBook|iMac|Mac-mini|MBP)(?:-(?:Pro|Air))?(?:-\d+)?\b/giu,
};

/** Path and logon-name parts that are not people. */
export const NOT_USERS: ReadonlySet<string> = new Set([
  'shared',
  'public',
  'default',
  'default user',
  'all users',
  'root',
  'system',
  'localservice',
  'networkservice',
]);

/** Down-level prefixes that are registry hives or built-in authorities, not domains. */
export const NOT_DOMAINS: ReadonlySet<string> = new Set([
  'HKLM',
  'HKCU',
  'HKCR',
  'HKU',
  'HKCC',
  'NT AUTHORITY',
]);
