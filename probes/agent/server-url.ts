/**
 * Where the agent connects: the `--server` URL as the chat shows it (http or https, the bot's
 * own address), turned into the gateway's WebSocket URL. With the lab interlock on, only a
 * numeric address the interlock allows is accepted, so a test can never reach past this machine.
 */
import { isIP } from 'node:net';
import { createInterlock, InterlockError } from '../interlock.ts';
import { type AgentConfig, ConfigError } from './config.ts';
import { AGENTS_PATH } from './protocol.ts';

const SCHEMES: Record<string, string> = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' };

/** `https://help.example.com` → `wss://help.example.com/api/agents`. Throws ConfigError. */
export function agentsUrl(server: string, config: Pick<AgentConfig, 'lab' | 'labNets'>): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new ConfigError(
      `--server "${server}" is not a URL; expected the address shown in the chat, e.g. https://help.example.com`,
    );
  }
  const scheme = SCHEMES[url.protocol];
  if (!scheme)
    throw new ConfigError(
      `--server "${server}": the scheme must be https (or http, ws, wss for a test server)`,
    );
  if (config.lab) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    try {
      if (!isIP(host)) throw new InterlockError(host);
      createInterlock({ enabled: true, labNets: config.labNets }).check(host);
    } catch (err) {
      throw new ConfigError(
        `--server "${server}": ${(err as Error).message} (RECONNECT_LAB=1 accepts numeric lab addresses only)`,
      );
    }
  }
  url.protocol = scheme;
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${AGENTS_PATH}`;
  url.search = '';
  url.hash = '';
  return url.toString();
}
