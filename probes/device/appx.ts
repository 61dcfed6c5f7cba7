/**
 * Reads PowerShell's list output of `Get-AppxPackage Microsoft.AAD.BrokerPlugin`: the sign-in
 * broker (WAM's Entra plug-in) that Teams and Office get their tokens from. Empty output means
 * the package is not registered for this user; a Status other than Ok means Windows itself
 * flags it (LicenseIssue, Modified, Tampered, Disabled…).
 */
import { outputLines, ParseError, splitKeyValue } from './lines.ts';

const SOURCE = 'Get-AppxPackage Microsoft.AAD.BrokerPlugin';
export const BROKER_PACKAGE = 'Microsoft.AAD.BrokerPlugin';

export interface AppxPackage {
  name: string;
  version: string;
  /** PowerShell's PackageStatus: 'Ok' when healthy. */
  status: string;
  packageFullName?: string;
  installLocation?: string;
}

/** The broker package, or null when the listing does not contain it. Throws ParseError on unreadable output. */
export function parseBrokerPackage(text: string): AppxPackage | null {
  if (text.trim() === '') return null;
  const records = listRecords(text);
  if (records.length === 0 || records.every((r) => !r.has('Name'))) {
    throw new ParseError(SOURCE, 'no "Name : …" line; expected the list output of Get-AppxPackage');
  }
  const record = records.find((r) => r.get('Name') === BROKER_PACKAGE);
  if (!record) return null;
  const need = (key: string): string => {
    const value = record.get(key);
    if (!value)
      throw new ParseError(SOURCE, `the ${BROKER_PACKAGE} record has no "${key}" value; it looks truncated`);
    return value;
  };
  return {
    name: BROKER_PACKAGE,
    version: need('Version'),
    status: need('Status'),
    packageFullName: record.get('PackageFullName') || undefined,
    installLocation: record.get('InstallLocation') || undefined,
  };
}

/**
 * Blank-line separated records of "Key : Value". PowerShell wraps long values onto indented
 * lines without a colon; those continue the previous value.
 */
function listRecords(text: string): Map<string, string>[] {
  const records: Map<string, string>[] = [];
  let current: Map<string, string> | undefined;
  let lastKey: string | undefined;
  for (const line of outputLines(text)) {
    if (line.trim() === '') {
      current = undefined;
      continue;
    }
    const kv = splitKeyValue(line);
    if (kv && !/^\s/.test(line)) {
      if (!current) {
        current = new Map();
        records.push(current);
      }
      current.set(kv.key, kv.value);
      lastKey = kv.key;
    } else if (current && lastKey && /^\s/.test(line)) {
      current.set(lastKey, current.get(lastKey) + line.trim());
    } else {
      throw new ParseError(
        SOURCE,
        `cannot read the line "${line.trim().slice(0, 60)}"; expected "Key : Value" lines`,
      );
    }
  }
  return records;
}
