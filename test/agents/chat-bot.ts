/**
 * The assembled bot (bot/app.ts startBot: SQLite, playbooks, engine, web chat, the agent
 * gateway and the agent download) on 127.0.0.1, with PUBLIC_URL set to where it listens so the
 * pairing card's commands name this very server. Plus the agent child process for a code read
 * off a card, with the lab's environment and catalog.
 */
import { createServer } from 'node:net';
import { type AgentKnobs, type RunningBot, type StartOptions, startBot } from '../../bot/app.ts';
import { loadBotConfig } from '../../bot/config.ts';
import { silentLogger } from '../../bot/log.ts';
import { type Chat, cardOf, cardText } from '../bot/conversation-driver.ts';
import type { LabNetns } from '../lab/netns.ts';
import { type LabProxy, startProxy } from '../lab/proxy.ts';
import type { Scenario } from '../lab/scenario.ts';
import { type AgentProcess, startAgent } from './agent-process.ts';

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts the bot on `port` (default: a free one) with its state in `dataDir`; start it again
 * with the same port and directory to play a restart.
 */
export async function startAgentBot(
  dataDir: string,
  options: { port?: number; agents?: AgentKnobs & { agentsDir?: string } } & Partial<
    Omit<StartOptions, 'agents'>
  > = {},
): Promise<RunningBot> {
  const { port = await freePort(), agents, ...rest } = options;
  const config = loadBotConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    NODE_ENV: 'test',
  });
  return startBot({ config, log: silentLogger, teams: false, agents: { ...agents }, ...rest });
}

/**
 * The progress card once the agent has reported: its planned checks are counted ("0 of 29
 * checks done"). The card the confirm click shows at once says "0 of 0" and does not match.
 */
export const FIRST_PROGRESS = / of [1-9]\d* checks done/;

/** The Linux line of a pairing card: `… node reconnect-agent.js pair CODE --server URL`. */
export function pairingCodeIn(text: string): { code: string; server: string } {
  const m = /pair ([0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}) --server (\S+)/.exec(text);
  if (!m) throw new Error(`no pairing command in the card:\n${text}`);
  return { code: m[1], server: m[2] };
}

/**
 * `reconnect-agent pair CODE --server URL` in the lab, as the card told the user to run it:
 * from the sources, or `entry` (the one-file bundle).
 */
export function agentForCard(code: string, server: string, lab: Scenario, entry?: string): AgentProcess {
  return startAgent({
    code,
    server,
    env: { ...lab.env, RECONNECT_CATALOG: lab.catalogPath },
    ...(entry ? { entry } : {}),
  });
}

/** A web chat from the error code to its pairing card (Linux, Home): the card's text and code. */
export async function chatToPairingCard(chat: Chat): Promise<{ card: string; code: string; server: string }> {
  await chat.say('Teams says CAA20004');
  await chat.card(/Let's get Teams working again/);
  await chat.click('Linux');
  await chat.click('Home');
  const card = cardText(cardOf((await chat.card(/Connect the affected computer/)).activity));
  return { card, ...pairingCodeIn(card) };
}

/**
 * Error, Linux, Home: the pairing card; the agent started with its code (handed to `track` for
 * cleanup); the device card, and "Yes, that is my computer" pressed. The check starts then.
 */
export async function pairFromCard(
  chat: Chat,
  lab: Scenario,
  track: (agent: AgentProcess) => void,
  ms = 90_000,
): Promise<AgentProcess> {
  const { code, server } = await chatToPairingCard(chat);
  const agent = agentForCard(code, server, lab);
  track(agent);
  await chat.card(/Is this your computer\?/, ms);
  await chat.click('Yes, that is my computer');
  return agent;
}

/**
 * In `ns`, the bot at 127.0.0.1:PORT is reachable only through a lab CONNECT proxy on the veth
 * that wants Basic credentials (alice / "lab secret"): the namespace's own loopback has nothing
 * there, and iptables rejects it as well. Returns the proxy and the HTTP_PROXY value to use.
 */
export async function proxyOnlyPath(
  ns: LabNetns,
  bot: RunningBot,
): Promise<{ proxy: LabProxy; proxyUrl: string }> {
  const botPort = Number(new URL(bot.url).port);
  const proxy = await startProxy({
    address: ns.hostAddress,
    auth: { user: 'alice', password: 'lab secret' },
    upstream: (host, port) => (host === '127.0.0.1' && port === botPort ? { host, port } : null),
  });
  await ns.iptables('-A', 'OUTPUT', '-o', 'lo', '-p', 'tcp', '--dport', String(botPort), '-j', 'REJECT');
  // Credentials in the proxy URL, percent-encoded as users write them.
  return { proxy, proxyUrl: `http://alice:lab%20secret@${ns.hostAddress}:${proxy.port}` };
}
