/**
 * Pasted command output, read into the same ProbeResults the companion agent sends (ids, kinds,
 * detail shapes and failure codes of probes/dns.ts, tcp.ts, tls.ts, https.ts, proxy.ts), so
 * diagnosis and step re-checks cannot tell a manual answer from a measured one, except by the
 * `pasted` mark every detail carries.
 */
import type { ProbeResult } from '../types.ts';

/** The tools whose output the manual path reads. */
export const PASTE_TOOLS = ['nslookup', 'dig', 'curl', 'netsh-winhttp', 'certutil', 'openssl'] as const;
export type PasteTool = (typeof PASTE_TOOLS)[number];

export interface PasteOptions {
  /** ISO 8601 "now", to judge certificate dates; dates are not judged without it. */
  now?: string;
  /** The host asked about when the output does not name one (openssl, certutil). */
  defaultHost?: string;
}

/** One tool's output within a paste (a paste may hold several, e.g. two nslookups). */
export interface PasteSection {
  tool: PasteTool;
  /** The command line, when the paste includes the prompt line that ran it. */
  command?: string;
  text: string;
}

export interface PasteResult {
  /** Tools recognised, in the order they appear. Empty: not command output we read. */
  tools: PasteTool[];
  probes: ProbeResult[];
  /**
   * What could not be read, one sentence each, naming the tool and what was expected (a
   * truncated nslookup, a netsh error). Shown to the user so they can paste again.
   */
  problems: string[];
}

/** Thrown by a section parser when its text is not the output it expects. */
export class PasteError extends Error {
  readonly code = 'paste_unreadable';
  readonly tool: PasteTool;
  constructor(tool: PasteTool, message: string) {
    super(message);
    this.tool = tool;
  }
}
