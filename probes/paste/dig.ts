import type { ProbeResult } from '../types.ts';
import { commandArgs } from './nslookup.ts';
import { type DnsAnswer, dnsResult, linesOf } from './result.ts';
import { PasteError } from './types.ts';

/** Splits at each `; <<>> DiG` banner: one section per dig run. */
export function digSections(text: string): string[] {
  const lines = linesOf(text);
  const starts = lines.flatMap((l, i) => (/^;\s*<<>>\s*DiG/i.test(l) ? [i] : []));
  if (starts.length === 0) return [text];
  // dig prints "communications error" lines before its banner: they belong to the first run.
  return starts.map((start, n) => lines.slice(n === 0 ? 0 : start, starts[n + 1] ?? lines.length).join('\n'));
}

export function parseDig(
  text: string,
  context: { command?: string; defaultHost?: string } = {},
): ProbeResult {
  const lines = linesOf(text);
  const banner = lines.find((l) => /^;\s*<<>>\s*DiG/i.test(l));
  // The banner repeats the command's arguments: "; <<>> DiG 9.18.18 <<>> @1.1.1.1 host".
  const bannerArgs = banner ? (/<<>>\s*DiG[^<]*<<>>\s*(.*)$/i.exec(banner)?.[1] ?? '') : '';
  const args = [...(context.command ? [context.command] : []), bannerArgs].join(' ').split(/\s+/);
  const named = args.find((a) => a.startsWith('@'))?.slice(1);
  const question = lines.map((l) => /^;\s*([^\s;]+?)\.?\s+IN\s+\w+\s*$/i.exec(l)?.[1]).find(Boolean);
  const host =
    question ??
    commandArgs(`dig ${bannerArgs}`, 'dig').find((a) => !a.startsWith('@')) ??
    context.defaultHost;
  const status = lines.map((l) => /status:\s*([A-Z]+)/.exec(l)?.[1]).find(Boolean);
  const serverLine =
    lines.map((l) => /^;;\s*SERVER:\s*([^#\s]+)#/i.exec(l)?.[1]).find(Boolean) ??
    /communications error to ([^\s#]+)#/i.exec(text)?.[1];
  const timedOut = lines.some((l) => /connection timed out|no servers could be reached/i.test(l));
  if (!status && !timedOut) {
    throw new PasteError(
      'dig',
      'dig output has a "->>HEADER<<- … status:" line or "connection timed out"; neither was found (was it cut off?)',
    );
  }
  if (!host) throw new PasteError('dig', 'could not tell which name was asked; paste the whole dig output');

  const answer: DnsAnswer = {
    host,
    server: named ?? serverLine,
    explicitServer: named !== undefined,
    rcode: status ?? 'TIMEOUT',
    addresses: [],
    cname: [],
  };
  readAnswerSection(lines, answer);
  const ms = lines.map((l) => /Query time:\s*(\d+)\s*msec/i.exec(l)?.[1]).find(Boolean);
  if (ms) answer.ms = Number(ms);
  return dnsResult(answer, 'dig');
}

function readAnswerSection(lines: string[], answer: DnsAnswer): void {
  const start = lines.findIndex((l) => /^;;\s*ANSWER SECTION:/i.test(l));
  if (start < 0) return;
  const ttls: number[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || line.startsWith(';')) break;
    const record = /^(\S+)\s+(\d+)\s+IN\s+(A|AAAA|CNAME)\s+(\S+)\s*$/i.exec(line);
    if (!record) continue;
    const [, , ttl, type, value] = record;
    ttls.push(Number(ttl));
    if (type.toUpperCase() === 'CNAME') answer.cname.push(value);
    else answer.addresses.push(value);
  }
  if (ttls.length > 0) answer.ttl = Math.min(...ttls);
}
