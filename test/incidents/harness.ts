/**
 * The incidents' lab: the assembled bot (bot/app.ts startBot: web chat, the real agent gateway,
 * Slack carrying the support channel, against the local Slack Web API), users who chat to the
 * pairing card, and raw WebSocket agents that pair with the card's code and answer each job with
 * a report that the real agent (`reconnect-agent check --json`) measured in a lab scenario.
 */
import { type RunningBot, startBot } from '../../bot/app.ts';
import { loadBotConfig } from '../../bot/config.ts';
import type { Session } from '../../bot/core/types.ts';
import { silentLogger } from '../../bot/log.ts';
import type { Store, VersionedDoc } from '../../bot/store/types.ts';
import type { Report } from '../../probes/report.ts';
import { runAgent } from '../agent/agent-run.ts';
import { chatToPairingCard, freePort } from '../agents/chat-bot.ts';
import { type RawAgent, rawAgent } from '../agents/raw-agent.ts';
import { type Chat, openChat } from '../bot/conversation-driver.ts';
import type { Scenario } from '../lab/scenario.ts';
import type { SlackApiLab } from '../lab/slack-api.ts';
import { SIGNING_SECRET } from '../slack/harness.ts';
import { BOT_TOKEN, SUPPORT_CHANNEL } from '../support/harness.ts';

export { BOT_TOKEN, SUPPORT_CHANNEL };

/** The bot with Slack support in SUPPORT_CHANNEL on the Slack fake; `env` adds settings. */
export async function startIncidentBot(options: {
  dataDir: string;
  api: SlackApiLab;
  env?: Record<string, string>;
  store?: Store<VersionedDoc>;
  agents?: { replicaId?: string };
}): Promise<RunningBot & { endpoint: string }> {
  const port = await freePort();
  const config = loadBotConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: options.dataDir,
    NODE_ENV: 'test',
    DIRECTLINE_SECRET: 'i'.repeat(40),
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: options.api.apiUrl,
    SUPPORT_SLACK_CHANNEL: SUPPORT_CHANNEL,
    ...options.env,
  });
  const bot = await startBot({
    config,
    log: silentLogger,
    teams: false,
    // The raw agents answer no pings: the heartbeat sweep would drop them.
    agents: { heartbeatMs: 0, ...options.agents },
    slack: { retryConfig: { retries: 0 } },
    ...(options.store ? { store: options.store } : {}),
  });
  return { ...bot, endpoint: `${bot.url}/api/slack/events` };
}

/** `count` reports the real agent measured in `lab`, `parallel` runs at a time. */
export async function realReports(lab: Scenario, count: number, parallel = 3): Promise<Report[]> {
  const out: Report[] = [];
  for (let i = 0; i < count; i += parallel) {
    const runs = await Promise.all(
      Array.from({ length: Math.min(parallel, count - i) }, () =>
        runAgent(['check', '--json', '--catalog', lab.catalogPath], lab.env, { timeoutMs: 60_000 }),
      ),
    );
    for (const run of runs) {
      if (!run.report) throw new Error(`the agent gave no report: ${run.stderr}`);
      out.push(run.report);
    }
  }
  return out;
}

export interface LabUser {
  chat: Chat;
  agent: RawAgent;
  session: () => Promise<Session>;
  /** Answers the agent's next job with `report`; resolves with the job's id. */
  answer(report: Report): Promise<string>;
}

/** A user who chats to the pairing card, pairs a raw agent named `device`, and confirms it. */
export async function pairedUser(bot: RunningBot, device: string): Promise<LabUser> {
  const chat = await openChat(bot.url);
  const { code } = await chatToPairingCard(chat);
  const agent = await rawAgent(bot.url);
  agent.send({
    v: 1,
    type: 'hello',
    code,
    device: { name: device, os: 'linux', osVersion: '6.8.0', agentVersion: '0.1.0' },
  });
  await agent.next('hello.ok');
  await chat.card(/Is this your computer\?/);
  await chat.click('Yes, that is my computer');
  const key = `webchat:${chat.conversationId}`;
  return {
    chat,
    agent,
    async session() {
      const s = await bot.store.sessions.findByConversation(key);
      if (!s) throw new Error(`no session for ${key}`);
      return s;
    },
    async answer(report) {
      const job = await agent.next('job');
      agent.send({ v: 1, type: 'result', jobId: job.jobId, report });
      return job.jobId;
    },
  };
}

/**
 * One user per report, paired with `bots[i % bots.length]` (replicas take turns), each answering
 * its agent's first job with its report and waiting for the findings card. `track` gets each
 * user's cleanup.
 */
export async function reportingUsers(
  bots: RunningBot[],
  reports: Report[],
  name: string,
  track: (...fns: Array<() => unknown>) => void,
): Promise<LabUser[]> {
  const users: LabUser[] = [];
  for (const [i, report] of reports.entries()) {
    const user = await pairedUser(bots[i % bots.length], `${name}-${i + 1}`);
    track(
      () => user.chat.close(),
      () => user.agent.ws.close(),
    );
    await user.answer(report);
    await user.chat.card(/I found what is getting in the way\./, 120_000);
    users.push(user);
  }
  return users;
}
