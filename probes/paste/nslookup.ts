import type { ProbeResult } from '../types.ts';
import { type DnsAnswer, dnsResult, linesOf } from './result.ts';
import { PasteError } from './types.ts';

const IP = String.raw`(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]*:[0-9a-f:.]+)`;
const IP_LINE = new RegExp(`^\\s*(${IP})\\s*$`, 'i');

/** Windows' and BIND's reasons, mapped to the rcode the dns probe reports. */
const REASONS: Array<[RegExp, string]> = [
  [/non-existent domain|NXDOMAIN/i, 'NXDOMAIN'],
  [/server failed|SERVFAIL/i, 'SERVFAIL'],
  [/query refused|REFUSED/i, 'REFUSED'],
  [/no response from server|timed[- ]out/i, 'TIMEOUT'],
  [/no answer|no internal type|no .*records? available/i, 'NOERROR'],
];

/** Splits at each "Server:" header: one section per nslookup run. */
export function nslookupSections(text: string): string[] {
  const lines = linesOf(text);
  const starts = lines.flatMap((l, i) => (/^\s*Server:\s/i.test(l) ? [i] : []));
  if (starts.length === 0) return [text];
  return starts.map((start, n) => {
    // Windows prints "DNS request timed out" for the server's own name before the header;
    // those lines belong to the section that follows, not the one before.
    const end = starts[n + 1] ?? lines.length;
    return lines.slice(start, end).join('\n');
  });
}

/** One nslookup run. `command`: the prompt line that ran it, when pasted. */
export function parseNslookup(
  text: string,
  context: { command?: string; defaultHost?: string } = {},
): ProbeResult {
  const lines = linesOf(text);
  const args = commandArgs(context.command, 'nslookup');
  const headerAt = lines.findIndex((l) => /^\s*Server:\s/i.test(l));
  const timedOut = lines.some((l) =>
    /connection timed out|no servers could be reached|timed[- ]out\s*$/i.test(l),
  );
  if (headerAt < 0 && !timedOut) {
    throw new PasteError('nslookup', 'nslookup output starts with a "Server:" line; none was found');
  }
  const addressAt = headerAt < 0 ? -1 : lines.findIndex((l, i) => i > headerAt && /^\s*Address:\s/i.test(l));
  const server =
    addressAt >= 0 && addressAt <= headerAt + 2
      ? /Address:\s*([^\s#]+)/i.exec(lines[addressAt])?.[1]
      : /communications error to ([^\s#]+)#/i.exec(text)?.[1];
  const body = lines.slice(addressAt >= 0 && addressAt <= headerAt + 2 ? addressAt + 1 : headerAt + 1);

  const refusal = body.map((l) => /^\s*\*\*\*?\s*(.*)$/.exec(l)?.[1]).find((m) => m !== undefined);
  const answer: DnsAnswer = {
    host: args[0] ?? '',
    server: args[1] ?? server,
    explicitServer: args[1] !== undefined,
    rcode: 'NOERROR',
    addresses: [],
    cname: [],
  };
  readAnswer(body, answer);
  if (answer.addresses.length === 0) {
    if (refusal) {
      answer.rcode = REASONS.find(([re]) => re.test(refusal))?.[1] ?? 'SERVFAIL';
      answer.host ||= /can't find ([^\s:]+)/i.exec(refusal)?.[1] ?? '';
    } else if (timedOut) {
      answer.rcode = 'TIMEOUT';
    } else {
      throw new PasteError(
        'nslookup',
        'this nslookup output has a "Server:" header but neither an answer nor an error line (was it cut off?)',
      );
    }
  }
  answer.host ||= context.defaultHost ?? '';
  if (!answer.host) {
    throw new PasteError('nslookup', 'could not tell which name was looked up; paste the command line too');
  }
  return dnsResult(answer, 'nslookup');
}

/** Fills host, addresses and the CNAME chain from the lines after the header. */
function readAnswer(body: string[], answer: DnsAnswer): void {
  const aliases: string[] = [];
  let names: string[] = [];
  let list: 'addresses' | 'aliases' | null = null;
  for (const line of body) {
    const canonical = /^\s*(\S+?)\.?\s+canonical name = (\S+?)\.?\s*$/i.exec(line);
    const field = /^\s*(Name|Address|Addresses|Aliases):\s*(.*?)\s*$/i.exec(line);
    if (canonical) {
      if (answer.cname.length === 0) answer.host ||= canonical[1];
      answer.cname.push(canonical[2]);
      list = null;
    } else if (field) {
      const [, key, value] = field;
      const k = key.toLowerCase();
      if (k === 'name') names.push(value);
      else if (k === 'aliases') {
        if (value) aliases.push(value);
        list = 'aliases';
      } else {
        const ip = IP_LINE.exec(value)?.[1];
        if (ip) answer.addresses.push(ip);
        list = k === 'addresses' ? 'addresses' : null;
      }
    } else if (list && line.trim() !== '' && /^\s/.test(line)) {
      // Windows continues Addresses and Aliases on indented lines.
      const value = line.trim();
      if (list === 'addresses' && IP_LINE.test(value)) answer.addresses.push(value);
      if (list === 'aliases') aliases.push(value);
    } else {
      list = null;
    }
  }
  names = [...new Set(names)];
  if (aliases.length > 0) {
    answer.host ||= aliases[0];
    answer.cname = [...aliases.slice(1), ...names];
  } else if (answer.cname.length === 0) {
    answer.host ||= names[0] ?? '';
  }
  answer.addresses = [...new Set(answer.addresses)];
}

/**
 * Arguments of a pasted command line (`C:\>nslookup host 1.1.1.1`, `$ dig @1.1.1.1 host`),
 * options dropped; empty when there is no command line for `tool`.
 */
export function commandArgs(command: string | undefined, tool: string): string[] {
  if (!command) return [];
  const at = command.toLowerCase().indexOf(tool);
  if (at < 0) return [];
  return command
    .slice(at + tool.length)
    .replace(/^\.exe/i, '')
    .split(/\s+/)
    .filter((a) => a !== '' && !a.startsWith('-') && !a.startsWith('+'));
}
