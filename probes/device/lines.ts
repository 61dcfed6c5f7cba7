/**
 * What the device-state parsers share: the error they throw and the "Key : Value" line shape
 * that both dsregcmd and PowerShell's list format print.
 */

/** The output of a device command could not be read; the message names the command and what was expected. */
export class ParseError extends Error {
  readonly code = 'parse_error';
  /** The command whose output this was, e.g. 'dsregcmd /status'. */
  readonly source: string;
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.source = source;
  }
}

/**
 * Splits "   AzureAdJoined : YES" into key and value. The separator is the first colon that is
 * followed by a space or the end of the line, so URLs in values stay whole; dsregcmd also
 * prints "AadRecoveryEnabled: NO" without the space before the colon.
 */
export function splitKeyValue(line: string): { key: string; value: string } | undefined {
  const match = /^\s*([A-Za-z][A-Za-z0-9 _()/-]*?)\s*:(?:\s+(.*?))?\s*$/.exec(line);
  if (!match) return undefined;
  return { key: match[1], value: match[2] ?? '' };
}

/** The lines of a command's output, without carriage returns. */
export function outputLines(text: string): string[] {
  return text.replace(/\r/g, '').split('\n');
}

/** Throws a ParseError for empty output, which every device command treats as "nothing to read". */
export function requireOutput(source: string, text: string): void {
  if (text.trim() === '')
    throw new ParseError(source, 'the output is empty; expected the command’s status report');
}
