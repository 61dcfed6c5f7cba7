/**
 * The assembled bot (startBot: SQLite, web chat, Slack with the support channel set by
 * SUPPORT_SLACK_CHANNEL) on 127.0.0.1 with the local Slack Web API, a clock the test moves, and
 * the dashboard page built into a temporary folder. Sign-in links come the way support gets
 * them: a signed "@Reconnect dashboard" mention in the support channel, answered by the bot
 * through the support outbox with chat.postMessage.
 */
import { join } from 'node:path';
import { type RunningBot, startBot } from '../../bot/app.ts';
import { loadBotConfig } from '../../bot/config.ts';
import type { IncidentSummary } from '../../bot/dashboard/types.ts';
import { silentLogger } from '../../bot/log.ts';
import { openSqliteStore } from '../../bot/store/sqlite.ts';
import { buildAdmin } from '../../scripts/build-admin.ts';
import { tempDir } from '../agents/harness.ts';
import { type Chat, openChat, paste } from '../bot/conversation-driver.ts';
import { type SlackApiLab, type StoredMessage, startSlackApi } from '../lab/slack-api.ts';
import { appMention, BOT_TOKEN, postSigned, SIGNING_SECRET } from '../slack/harness.ts';

export const SUPPORT = 'C0SUPPORT1';
export const ELSEWHERE = 'C0RANDOM01';
export const SECRET = 'dashboard-lab-direct-line-secret-0123456789';

export interface DashboardLab {
  bot: RunningBot;
  api: SlackApiLab;
  clock: { t: number };
  /** Asks for a link in `channel` (default the support channel); resolves with the bot's message. */
  mention(text: string, channel?: string): Promise<number>;
  /** The sign-in links the bot posted so far, oldest first. */
  links(channel?: string): string[];
  /** A fresh link, asked for in the support channel. */
  link(): Promise<string>;
  /** Closes the bot and its SQLite store and starts both again on the same DATA_DIR (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const LINK = /https?:\/\/[^\s>|]+\/admin\/signin\?t=[A-Za-z0-9_.-]+/;

const linkIn = (m: StoredMessage) => LINK.exec(m.text ?? '')?.[0];

export async function startDashboardLab(
  options: { incidents?: IncidentSummary[]; env?: Record<string, string> } = {},
): Promise<DashboardLab> {
  const tmp = tempDir('reconnect-dashboard-');
  const root = join(tmp.dir, 'admin');
  await buildAdmin(root);
  const api = await startSlackApi({ botToken: BOT_TOKEN });
  // Whole minutes: the ledger's hour buckets and the links' expiry move only when the test says.
  const clock = { t: Math.floor(Date.now() / 60_000) * 60_000 };
  const now = () => clock.t;
  const config = loadBotConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'test',
    DATA_DIR: join(tmp.dir, 'state'),
    DIRECTLINE_SECRET: SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: api.apiUrl,
    SUPPORT_SLACK_CHANNEL: SUPPORT,
    ...options.env,
  });
  const open = async () => {
    const store = openSqliteStore({ dataDir: config.dataDir, now });
    const bot = await startBot({
      config,
      log: silentLogger,
      store,
      clock: now,
      teams: false,
      agents: false,
      dashboard: { root, incidents: async () => options.incidents ?? [] },
    });
    return { bot, store };
  };
  let running = await open();
  const stop = async () => {
    await running.bot.close();
    await running.store.close();
  };
  const links = (channel = SUPPORT) =>
    api
      .posted(channel)
      .map(linkIn)
      .filter((l): l is string => l !== undefined);
  const mention = async (text: string, channel = SUPPORT) => {
    const { bot } = running;
    const res = await postSigned(
      `${bot.url}/api/slack/events`,
      appMention(text, { channel, user: 'U0SUPPORT1' }),
    );
    await bot.slack!.idle();
    await bot.support.idle();
    return res.status;
  };
  return {
    get bot() {
      return running.bot;
    },
    api,
    clock,
    mention,
    links,
    async link() {
      const before = links().length;
      await mention('dashboard');
      const all = links();
      if (all.length !== before + 1)
        throw new Error(`expected a new link, the channel has ${JSON.stringify(api.posted(SUPPORT))}`);
      return all[all.length - 1]!;
    },
    async restart() {
      await stop();
      running = await open();
    },
    async close() {
      await stop();
      await api.close();
      tmp.remove();
    },
  };
}

/** True when every source a CSP names is this origin ('self'), none, or a data: URL. */
export function onlyOwnSources(csp: string | null): boolean {
  if (!csp) return false;
  return csp
    .split(';')
    .map((d) => d.trim().split(/\s+/).slice(1))
    .every((sources) => sources.every((s) => s === "'self'" || s === "'none'" || s === 'data:'));
}

/**
 * A web chat user on `url` whose proxy answers 407: asks for the fix, then (after `between`, which
 * may move the bot's clock) pastes the re-check, fixed (the step verified, the case resolved) or
 * still failing. Resolves with the chat, for the caller to close.
 */
export async function proxyUser(
  url: string,
  recheck: 'fixed' | 'still failing',
  between: () => void = () => undefined,
): Promise<Chat> {
  const chat = await openChat(url);
  await chat.say(paste('curl-I-proxy-407.txt'));
  await chat.card(/I found what is getting in the way/);
  await chat.click('Show me the fix');
  await chat.card(/To do/);
  between();
  if (recheck === 'fixed') {
    await chat.say(paste('curl-I-proxy-ok.txt'));
    await chat.card(/Teams should work again/);
  } else {
    await chat.say(paste('curl-I-proxy-407.txt'));
    await chat.card(/Still failing|still fail/i);
  }
  return chat;
}
