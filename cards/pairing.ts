/**
 * The commands a pairing card tells the user to run, per OS. Values end up in a terminal, so
 * the code is checked against its alphabet and URLs are quoted whenever they hold anything a
 * shell would interpret.
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
  /** Where the one-file agent bundle is served; defaults to `<serverUrl>/agent/reconnect-agent.mjs`. */
  agentUrl?: string;
}

/**
 * The npx command and the download-and-run line for Windows (PowerShell), macOS and Linux.
 * Throws TypeError when the code is not Crockford base32 or a URL is not http(s).
 */
export function agentCommands(options: AgentCommandOptions): AgentCommand[] {
  if (!CODE.test(options.code))
    throw new TypeError(
      `pairing: code ${JSON.stringify(options.code)} is not Crockford base32 (0-9, A-Z without I L O U)`,
    );
  const server = httpUrl(options.serverUrl, 'serverUrl');
  const agent = httpUrl(options.agentUrl ?? new URL('/agent/reconnect-agent.mjs', server).href, 'agentUrl');
  const oses: OsName[] = ['windows', 'macos', 'linux'];
  return oses.map((os) => {
    const pair = `pair ${options.code} --server ${quote(server, os)}`;
    const fetch =
      os === 'windows'
        ? `iwr ${quote(agent, os)} -OutFile reconnect-agent.mjs; node reconnect-agent.mjs ${pair}`
        : `curl -fsSLo reconnect-agent.mjs ${quote(agent, os)} && node reconnect-agent.mjs ${pair}`;
    return { os, npx: `npx reconnect-agent ${pair}`, download: fetch };
  });
}
