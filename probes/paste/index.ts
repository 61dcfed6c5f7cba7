/**
 * Pasted command output → ProbeResults. `detectPaste` says whether a chat message is command
 * output at all (and from which tool), so ordinary words are never mistaken for it;
 * `parsePaste` reads every tool's output in the message. A paste may hold several runs, with
 * or without their prompt lines (`C:\>nslookup host 1.1.1.1`, `$ curl -I https://…`).
 */
import type { ProbeResult } from '../types.ts';
import { parseCertutil, parseOpenssl } from './certs.ts';
import { parseCurl } from './curl.ts';
import { digSections, parseDig } from './dig.ts';
import { nslookupSections, parseNslookup } from './nslookup.ts';
import { linesOf } from './result.ts';
import {
  PasteError,
  type PasteOptions,
  type PasteResult,
  type PasteSection,
  type PasteTool,
} from './types.ts';
import { parseNetshWinHttp } from './winhttp.ts';

export { PASTE_TOOLS, PasteError, type PasteOptions, type PasteResult, type PasteTool } from './types.ts';

/** Marks each tool leaves in its output, checked in this order (the most specific first). */
const MARKERS: Array<[PasteTool, RegExp]> = [
  ['netsh-winhttp', /WinHTTP[^\n]*:\s*$|following command was not found: winhttp/im],
  ['certutil', /CertUtil:|CertContext\[\d+\]\[\d+\]/i],
  ['dig', /<<>>\s*DiG|->>HEADER<<-/],
  ['openssl', /^CONNECTED\(|^depth=\d+ |^Certificate chain\s*$|Verify return code:|^issuer\s*=/m],
  [
    'curl',
    /curl:\s*\(\d+\)|^(?:<\s*)?HTTP\/[\d.]+ \d{3}\b|^\*\s+(?:Trying|Connected to|Host \S+ was resolved)/m,
  ],
  [
    'nslookup',
    /^\s*Server:\s+\S+\s*\n\s*Address:|can't find \S+: |Non-authoritative answer|no servers could be reached/im,
  ],
];

/**
 * A prompt line that runs one of the tools: the tool's name, then an option, a URL, a server or
 * a host name (so curl's own "curl failed to verify…" prose and dig's "; <<>> DiG" banner are
 * not taken for commands).
 */
const COMMAND =
  /^(?!\s*;)(?:[^\n]*?[>$#%]\s*)?((?:nslookup|dig|curl(?:\.exe)?|netsh|certutil|openssl)\s+(?:[-@]|https?:|winhttp|s_client|x509|[\w-]+\.[\w.-]*[a-z]{2,}\b).*)$/i;

/** The tool `text` is output of, or undefined when it is not command output we read. */
export function detectPaste(text: string): PasteTool | undefined {
  return sectionsOf(text)[0]?.tool;
}

/** The runs in a paste, each with its tool and, when pasted, its command line. */
export function sectionsOf(text: string): PasteSection[] {
  const lines = linesOf(text);
  const blocks: Array<{ command?: string; lines: string[] }> = [{ lines: [] }];
  for (const line of lines) {
    const command = COMMAND.exec(line);
    if (command) blocks.push({ command: command[1].trim(), lines: [] });
    else blocks[blocks.length - 1].lines.push(line);
  }
  const sections: PasteSection[] = [];
  for (const block of blocks) {
    const body = block.lines.join('\n');
    const named = block.command ? toolOfCommand(block.command) : undefined;
    const tools = named ? [named] : MARKERS.filter(([, re]) => re.test(body)).map(([tool]) => tool);
    for (const tool of tools) {
      const split =
        tool === 'nslookup' ? nslookupSections(body) : tool === 'dig' ? digSections(body) : [body];
      for (const part of split)
        sections.push({ tool, text: part, ...(block.command ? { command: block.command } : {}) });
    }
  }
  return sections;
}

function toolOfCommand(command: string): PasteTool | undefined {
  const name = command
    .split(/\s+/)[0]
    .toLowerCase()
    .replace(/\.exe$/, '');
  if (name === 'netsh') return /winhttp/i.test(command) ? 'netsh-winhttp' : undefined;
  return (['nslookup', 'dig', 'curl', 'certutil', 'openssl'] as const).find((t) => t === name);
}

/**
 * Every probe result the pasted text supports, the latest per probe id, and a sentence for each
 * run that could not be read. Never throws for unreadable text: problems say what was wrong.
 */
export function parsePaste(text: string, options: PasteOptions = {}): PasteResult {
  const sections = sectionsOf(text);
  const byId = new Map<string, ProbeResult>();
  const problems: string[] = [];
  for (const section of sections) {
    try {
      for (const probe of parseSection(section, options)) byId.set(probe.id, probe);
    } catch (err) {
      if (!(err instanceof PasteError)) throw err;
      problems.push(`${section.tool}: ${err.message}`);
    }
  }
  return { tools: [...new Set(sections.map((s) => s.tool))], probes: [...byId.values()], problems };
}

function parseSection(section: PasteSection, options: PasteOptions): ProbeResult[] {
  const context = { command: section.command, defaultHost: options.defaultHost, now: options.now };
  switch (section.tool) {
    case 'nslookup':
      return [parseNslookup(section.text, context)];
    case 'dig':
      return [parseDig(section.text, context)];
    case 'curl':
      return parseCurl(section.text, context);
    case 'netsh-winhttp':
      return [parseNetshWinHttp(section.text)];
    case 'openssl':
      return [parseOpenssl(section.text, context)];
    case 'certutil':
      return [parseCertutil(section.text, context)];
  }
}
