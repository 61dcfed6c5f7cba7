/**
 * Reads `dsregcmd /status`: how this Windows device is joined to Microsoft Entra ID and whether
 * the signed-in user holds a Primary Refresh Token (PRT). Field meanings follow Microsoft Learn,
 * "Troubleshoot devices by using the dsregcmd command". The output is English on every Windows
 * language, so anything else is reported as unreadable rather than guessed at.
 */
import { outputLines, ParseError, requireOutput, splitKeyValue } from './lines.ts';

const SOURCE = 'dsregcmd /status';

/** DeviceAuthStatus (Windows 10 21H1 and later): can the device authenticate to Entra ID? */
export type DeviceAuth = 'success' | 'disabled_or_deleted' | 'test_failed';

export type JoinType = 'entra_joined' | 'hybrid_joined' | 'onprem_drs_joined' | 'domain_joined' | 'none';

export interface DsregStatus {
  azureAdJoined: boolean;
  enterpriseJoined: boolean;
  domainJoined: boolean;
  joinType: JoinType;
  domainName?: string;
  /** User State: an Entra-registered (workplace-joined) work account exists for this user. */
  workplaceJoined?: boolean;
  /** SSO State: the signed-in user has a PRT. */
  azureAdPrt?: boolean;
  /** ISO 8601; dsregcmd prints UTC. */
  azureAdPrtUpdateTime?: string;
  azureAdPrtExpiryTime?: string;
  enterprisePrt?: boolean;
  /** As printed, e.g. 'FAILED. Device is either disabled or deleted'. */
  deviceAuthStatus?: string;
  deviceAuth?: DeviceAuth;
  deviceId?: string;
  tenantName?: string;
  tenantId?: string;
  tpmProtected?: boolean;
  /** SSO State diagnostics of the last failed PRT attempt (21H1 and later). */
  prtAttemptStatus?: string;
  prtServerError?: string;
}

/** Parses the full output; throws ParseError naming the missing or unreadable field. */
export function parseDsregcmd(text: string): DsregStatus {
  requireOutput(SOURCE, text);
  const fields = new Map<string, string>();
  for (const line of outputLines(text)) {
    const kv = splitKeyValue(line);
    // First occurrence wins: later diagnostic sections repeat keys such as "Client Time".
    if (kv && !fields.has(kv.key)) fields.set(kv.key, kv.value);
  }
  if (!fields.has('AzureAdJoined')) {
    throw new ParseError(
      SOURCE,
      'no "AzureAdJoined" line in the Device State section; expected the output of dsregcmd /status',
    );
  }
  const azureAdJoined = yesNo(fields, 'AzureAdJoined', true);
  const enterpriseJoined = yesNo(fields, 'EnterpriseJoined', true);
  const domainJoined = yesNo(fields, 'DomainJoined', true);
  const status: DsregStatus = {
    azureAdJoined,
    enterpriseJoined,
    domainJoined,
    joinType: joinType(azureAdJoined, enterpriseJoined, domainJoined),
    domainName: text0(fields, 'DomainName'),
    workplaceJoined: yesNo(fields, 'WorkplaceJoined', false),
    azureAdPrt: yesNo(fields, 'AzureAdPrt', false),
    azureAdPrtUpdateTime: utcTime(fields, 'AzureAdPrtUpdateTime'),
    azureAdPrtExpiryTime: utcTime(fields, 'AzureAdPrtExpiryTime'),
    enterprisePrt: yesNo(fields, 'EnterprisePrt', false),
    deviceAuthStatus: text0(fields, 'DeviceAuthStatus'),
    deviceId: text0(fields, 'DeviceId'),
    tenantName: text0(fields, 'TenantName'),
    tenantId: text0(fields, 'TenantId'),
    tpmProtected: yesNo(fields, 'TpmProtected', false),
    prtAttemptStatus: text0(fields, 'Attempt Status'),
    prtServerError: text0(fields, 'Server Error Description') ?? text0(fields, 'Server Error Code'),
  };
  status.deviceAuth = deviceAuth(status.deviceAuthStatus);
  // A joined device always prints SSO State and a registered one User State; without them the
  // output was cut short, and a verdict from half of it would be a guess.
  if (azureAdJoined && status.azureAdPrt === undefined) {
    throw new ParseError(
      SOURCE,
      'the output ends before the SSO State section (no "AzureAdPrt" line); it looks truncated',
    );
  }
  if (!azureAdJoined && status.workplaceJoined === undefined) {
    throw new ParseError(
      SOURCE,
      'the output ends before the User State section (no "WorkplaceJoined" line); it looks truncated',
    );
  }
  return status;
}

function joinType(aad: boolean, enterprise: boolean, domain: boolean): JoinType {
  if (aad) return domain ? 'hybrid_joined' : 'entra_joined';
  if (enterprise) return 'onprem_drs_joined';
  return domain ? 'domain_joined' : 'none';
}

function deviceAuth(raw: string | undefined): DeviceAuth | undefined {
  if (raw === undefined) return undefined;
  if (/^SUCCESS\b/i.test(raw)) return 'success';
  if (/disabled or deleted/i.test(raw)) return 'disabled_or_deleted';
  if (/^FAILED/i.test(raw)) return 'test_failed';
  throw new ParseError(SOURCE, `DeviceAuthStatus is "${raw}"; expected SUCCESS or FAILED…`);
}

function yesNo(fields: Map<string, string>, key: string, required: true): boolean;
function yesNo(fields: Map<string, string>, key: string, required: false): boolean | undefined;
function yesNo(fields: Map<string, string>, key: string, required: boolean): boolean | undefined {
  const value = fields.get(key);
  if (value === undefined) {
    if (required) throw new ParseError(SOURCE, `no "${key}" line; the Device State section looks truncated`);
    return undefined;
  }
  if (value === 'YES') return true;
  if (value === 'NO') return false;
  throw new ParseError(SOURCE, `${key} is "${value}"; expected YES or NO`);
}

function text0(fields: Map<string, string>, key: string): string | undefined {
  const value = fields.get(key);
  return value === undefined || value === '' ? undefined : value;
}

/** '2020-07-12 22:57:53.000 UTC' → '2020-07-12T22:57:53.000Z'. */
function utcTime(fields: Map<string, string>, key: string): string | undefined {
  const value = text0(fields, key);
  if (value === undefined) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) UTC$/.exec(value);
  const time = match ? new Date(`${match[1]}T${match[2]}Z`) : undefined;
  if (!time || Number.isNaN(time.getTime())) {
    throw new ParseError(SOURCE, `${key} is "${value}"; expected a time like 2024-05-01 08:30:00.000 UTC`);
  }
  return time.toISOString();
}
