/**
 * Reads `app-sso platform -s` (macOS 13 and later): the Platform SSO state that Microsoft's
 * Enterprise SSO extension (shipped in Company Portal) maintains when it joins a Mac to Entra ID.
 * The output has "Device Configuration:", "Login Configuration:" and "User Configuration:"
 * sections, each "(null)" or a brace block (JSON-like on macOS 14+, plist-like on 13), then
 * "SSO Tokens:". Only top-level scalar fields are read; nested blocks are skipped.
 */
import { outputLines, ParseError, requireOutput } from './lines.ts';

const SOURCE = 'app-sso platform -s';
const SECTIONS = ['Device Configuration', 'Login Configuration', 'User Configuration', 'SSO Tokens'] as const;
type SectionName = (typeof SECTIONS)[number];

export type Scalar = string | number | boolean;

export interface SsoTokens {
  /** ISO 8601 as printed. */
  received?: string;
  expiration?: string;
  /** From the "(Expired)" / "(Not Expired)" note after the expiration. */
  expired?: boolean;
}

export interface PlatformSsoState {
  /** null when Platform SSO is not configured on this Mac ("(null)"). */
  device: Record<string, Scalar> | null;
  login: Record<string, Scalar> | null;
  /** null until the user has registered. */
  user: Record<string, Scalar> | null;
  registrationCompleted: boolean;
  extensionIdentifier?: string;
  loginType?: string;
  userState?: string;
  accountDisplayName?: string;
  /** null when the output lists no SSO tokens. */
  tokens: SsoTokens | null;
}

export function parsePlatformSso(text: string): PlatformSsoState {
  requireOutput(SOURCE, text);
  const sections = splitSections(outputLines(text));
  if (!sections.has('Device Configuration')) {
    throw new ParseError(
      SOURCE,
      'no "Device Configuration:" section; expected the output of app-sso platform -s',
    );
  }
  const device = readBlock('Device Configuration', sections.get('Device Configuration') ?? []);
  const login = readBlock('Login Configuration', sections.get('Login Configuration') ?? ['(null)']);
  const user = readBlock('User Configuration', sections.get('User Configuration') ?? ['(null)']);
  const completed = device?.['registrationCompleted'];
  return {
    device,
    login,
    user,
    registrationCompleted: completed === true || completed === 1,
    extensionIdentifier: str(device?.['extensionIdentifier']),
    loginType: str(user?.['loginType'] ?? device?.['loginType']),
    userState: str(user?.['state']),
    accountDisplayName: str(login?.['accountDisplayName']),
    tokens: readTokens(sections.get('SSO Tokens')),
  };
}

function splitSections(lines: string[]): Map<SectionName, string[]> {
  const sections = new Map<SectionName, string[]>();
  let current: string[] | undefined;
  for (const line of lines) {
    const header = SECTIONS.find((name) => line.trim() === `${name}:`);
    if (header) {
      current = [];
      sections.set(header, current);
    } else if (current) {
      current.push(line);
    }
  }
  return sections;
}

/** "(null)" → null; "{ … }" → its top-level scalars. Throws when the block never closes. */
function readBlock(name: SectionName, lines: string[]): Record<string, Scalar> | null {
  const body = lines.filter((l) => l.trim() !== '');
  if (body.length === 0 || body[0].trim() === '(null)') return null;
  if (body[0].trim() !== '{') {
    throw new ParseError(
      SOURCE,
      `the ${name} section starts with "${body[0].trim().slice(0, 40)}"; expected "{" or "(null)"`,
    );
  }
  const fields: Record<string, Scalar> = {};
  let depth = 0;
  for (const line of body) {
    const unquoted = line.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    if (depth === 1) {
      const match = /^\s*"?([A-Za-z_][\w.-]*)"?\s*[:=]\s*(.*?)[,;]?\s*$/.exec(line);
      if (match && !/^[[{(]/.test(match[2])) fields[match[1]] = scalar(match[2]);
    }
    depth += count(unquoted, /[{[(]/g) - count(unquoted, /[}\])]/g);
    if (depth === 0) return fields;
  }
  throw new ParseError(SOURCE, `the ${name} block never closes; the output looks truncated`);
}

function readTokens(lines: string[] | undefined): SsoTokens | null {
  if (!lines) return null;
  const body = lines.map((l) => l.trim()).filter((l) => l !== '');
  const after = (label: string) => {
    const at = body.indexOf(label);
    return at >= 0 ? body[at + 1] : undefined;
  };
  const received = after('Received:');
  const expirationLine = after('Expiration:');
  if (received === undefined && expirationLine === undefined) return null;
  const match = /^(\S+)(?:\s+\((Not Expired|Expired)\))?/.exec(expirationLine ?? '');
  return {
    received,
    expiration: match?.[1],
    expired: match?.[2] === undefined ? undefined : match[2] === 'Expired',
  };
}

function scalar(raw: string): Scalar {
  if (/^".*"$/.test(raw)) return raw.slice(1, -1).replace(/\\(.)/g, '$1');
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

function str(value: Scalar | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

function count(text: string, pattern: RegExp): number {
  return (text.match(pattern) ?? []).length;
}
