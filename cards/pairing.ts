/**
 * The commands a pairing card tells the user to run, per OS. Values end up in a terminal, so
 * the code is checked against its alphabet and URLs are quoted whenever they hold anything a
 * shell would interpret. The download line checks the file against the SHA-256 the bot serves
 * beside it (`<agent>.sha256`, sha256sum format) and runs it only when they match.
 */
import type { AgentCommand, OsName } from './views.ts';

/** Crockford base32 (no I, L, O, U), optionally grouped with dashes. */
const CODE = /^[0-9A-HJKMNP-TV-Z]+(-[0-9A-HJKMNP-TV-Z]+)*$/;
const SHELL_SAFE = /^[A-Za-z0-9:/._~%+=-]+$/;

/**
 * Single-quoted when needed, so nothing in it expands: PowerShell doubles an embedded quote
 * (''), POSIX shells close, escape and reopen it ('\'').
 */
function quote(value: string, os: OsName): string {
  if (SHELL_SAFE.test(value)) return value;
  return os === 'windows' ? `'${value.replace(/'/g, "''")}'` : `'${value.replace(/'/g, `'\\''`)}'`;
}

function httpUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(
      `pairing: ${what} ${JSON.stringify(value)} is not a URL; expected http(s)://host[:port]/…`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TypeError(`pairing: ${what} must be http or https, got ${url.protocol}`);
  return value;
}

export interface AgentCommandOptions {
  code: string;
  /** The bot's public URL, passed as --server. */
  serverUrl: string;
  /**
   * Where the one-file agent is served; defaults to `<serverUrl>/agent/reconnect-agent.js`
   * (bot/agents/download.ts). Its digest is expected at this URL plus `.sha256`.
   */
  agentUrl?: string;
}

/** The file name the download line saves to (the one named in the served `.sha256`). */
export const AGENT_FILE = 'reconnect-agent.js';

/**
 * The download-and-run line for Windows (PowerShell), macOS and Linux.
 * Throws TypeError when the code is not Crockford base32 or a URL is not http(s).
 */
export function agentCommands(options: AgentCommandOptions): AgentCommand[] {
  if (!CODE.test(options.code))
    throw new TypeError(
      `pairing: code ${JSON.stringify(options.code)} is not Crockford base32 (0-9, A-Z without I L O U)`,
    );
  const server = httpUrl(options.serverUrl, 'serverUrl');
  const agent = httpUrl(options.agentUrl ?? new URL(`/agent/${AGENT_FILE}`, server).href, 'agentUrl');
  const oses: OsName[] = ['windows', 'macos', 'linux'];
  return oses.map((os) => {
    const pair = `pair ${options.code} --server ${quote(server, os)}`;
    return { os, download: downloadLine(os, agent, pair) };
  });
}

/**
 * Download, check, run. PowerShell compares Get-FileHash (SHA-256 by default) with the first
 * word of the `.sha256` file and throws, which stops the line, on a mismatch; macOS and Linux
 * hand the file to `shasum -a 256 -c` / `sha256sum -c`, whose failure stops the `&&` chain.
 */
function downloadLine(os: OsName, agent: string, pair: string): string {
  const file = quote(agent, os);
  const digest = quote(`${agent}.sha256`, os);
  const run = `node ${AGENT_FILE} ${pair}`;
  if (os === 'windows')
    return (
      `iwr ${file} -UseBasicParsing -OutFile ${AGENT_FILE}; ` +
      `if ((Get-FileHash ${AGENT_FILE}).Hash -ne (irm ${digest} -UseBasicParsing).Split(' ')[0]) { throw '${AGENT_FILE} does not match its SHA-256' }; ` +
      run
    );
  const check = os === 'macos' ? 'shasum -a 256 -c' : 'sha256sum -c';
  return `curl -fsSLo ${AGENT_FILE} ${file} && curl -fsSL ${digest} | ${check} && ${run}`;
}

/**
 * The /go page's address as a person types it into a browser: host (and port, if any) and
 * `/go`, without the scheme, which browsers add. Throws TypeError when the URL is not http(s).
 */
export function goAddress(serverUrl: string): string {
  const url = new URL(httpUrl(serverUrl, 'serverUrl'));
  return `${url.host}/go`;
}

/** What the terminal line is for: it runs the one-file agent, which needs Node. */
export const NODE_LINE_INTRO =
  'If it has Node.js 22 or later, this line downloads the checker, checks its SHA-256 and runs it:';

/** The card's first instruction: open the /go page on the computer and type the code. */
export function goSentence(address: string, code: string): string {
  return `On the computer where Teams fails, open ${address} in a web browser and type the code ${code}. It downloads a small checker that tests the network and reports here.`;
}
