/**
 * The Teams side of the support wire tests: the bot as bot/app.ts assembles it (Teams at
 * /api/messages with JWT validation against a loopback issuer, the support relay, the engine,
 * web chat), a local Bot Connector recording what the bot sends, and activities shaped like
 * Teams' own for a team's channel (a thread's conversation id `<channel>;messageid=<post>`,
 * channelData with team, channel and tenant, the bot's @mention) and for a user's personal chat.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningBot, startBot } from '../../bot/app.ts';
import { loadBotConfig } from '../../bot/config.ts';
import type { Session } from '../../bot/core/types.ts';
import { silentLogger } from '../../bot/log.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { type BotConnector, type ConnectorRecord, startBotConnector } from '../lab/bot-connector.ts';
import {
  type ActivityOptions,
  executeActivity,
  messageActivity,
  submitActivity,
  type TeamsUser,
} from '../teams/activities.ts';
import { labCredentials } from '../teams/credentials.ts';
import { LAB_PASSWORD } from '../teams/harness.ts';
import { type LabIssuer, startLabIssuer } from '../teams/issuer.ts';

export const APP_ID = '33333333-4444-5555-6666-777777777777';
export const TENANT = 'lab-tenant';
export const TEAM = '19:supportteam-general0001@thread.tacv2';
export const SUPPORT_CHANNEL = '19:supportteam-escalations01@thread.tacv2';
export const OTHER_CHANNEL = '19:otherteam-random000000001@thread.tacv2';
const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

export const LEAD: TeamsUser = {
  id: '29:lab-support-lead',
  name: 'Lee Lead',
  aadObjectId: '00000000-0000-0000-0000-0000000000a1',
};
export const SAM: TeamsUser = {
  id: '29:lab-support-sam',
  name: 'Sam Support',
  aadObjectId: '00000000-0000-0000-0000-0000000000a2',
};

export interface TeamsSupportLab {
  bot: RunningBot;
  connector: BotConnector;
  issuer: LabIssuer;
  /** Activity options for a user's personal chat. */
  personal(conversationId: string, user: TeamsUser): ActivityOptions;
  /** POSTs a signed activity to /api/messages and waits until the support outbox is idle. */
  post(activity: Record<string, unknown>): Promise<{ status: number; body: unknown }>;
  session(conversationId: string): Promise<Session>;
  /** Texts the bot sent into a conversation, oldest first. */
  texts(conversationId: string): string[];
  close(): Promise<void>;
}

export async function startTeamsSupportLab(env: Record<string, string> = {}): Promise<TeamsSupportLab> {
  const connector = await startBotConnector();
  const issuer = await startLabIssuer();
  const dataDir = mkdtempSync(join(tmpdir(), 'reconnect-teams-support-'));
  const config = loadBotConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DIRECTLINE_SECRET: 'lab-direct-line-secret-0123456789abcdef',
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: LAB_PASSWORD,
    ToBotFromChannelOpenIdMetadataUrl: issuer.metadataUrl,
    ToBotFromChannelTokenIssuer: issuer.issuer,
    SUPPORT_CONTACT_TEXT: 'Call the IT desk on 555-0100.',
    ...env,
  });
  const bot = await startBot({
    config,
    log: silentLogger,
    store: createMemoryStore<Session>(),
    agents: false,
    teams: {
      credentialsFactory: labCredentials({
        appId: APP_ID,
        password: LAB_PASSWORD,
        tokenUrl: `${connector.url}botframework.com/oauth2/v2.0/token`,
      }),
    },
  });

  return {
    bot,
    connector,
    issuer,
    personal: (conversationId, user) => ({ serviceUrl: connector.url, appId: APP_ID, conversationId, user }),
    async post(activity) {
      const res = await fetch(`${bot.url}/api/messages`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${issuer.channelToken(APP_ID, connector.url)}`,
        },
        body: JSON.stringify(activity),
      });
      const text = await res.text();
      await bot.support.idle();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
    },
    async session(conversationId) {
      const s = await bot.store.sessions.findByConversation(`teams:${conversationId}`);
      if (!s) throw new Error(`no session for ${conversationId}`);
      return s;
    },
    texts: (conversationId) =>
      connector.records
        .filter((r) => r.conversationId === conversationId && typeof r.body.text === 'string')
        .map((r) => String(r.body.text)),
    async close() {
      await bot.close();
      await connector.close();
      await issuer.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The conversation id of a thread in a channel. */
export const threadOf = (channel: string, postId: string) => `${channel};messageid=${postId}`;

/** Makes personal-chat activity options into a channel thread's, the way Teams shapes them. */
function inChannel(
  activity: Record<string, unknown>,
  channel: string,
  postId: string,
  team: string,
): Record<string, unknown> {
  return {
    ...activity,
    conversation: {
      id: threadOf(channel, postId),
      conversationType: 'channel',
      isGroup: true,
      tenantId: TENANT,
    },
    channelData: { team: { id: team }, channel: { id: channel }, tenant: { id: TENANT } },
  };
}

export interface ChannelWhere {
  channel?: string;
  team?: string;
  /** The thread's root post (a new post's own id when it starts one). */
  postId: string;
  user: TeamsUser;
  id?: string;
}

/** A message in a channel thread that @mentions the bot, as Teams delivers it (text with `<at>`). */
export function channelMention(lab: TeamsSupportLab, text: string, where: ChannelWhere) {
  const at = '<at>Reconnect</at>';
  const base = messageActivity(`${at} ${text}`, { ...lab.personal('unused', where.user), id: where.id });
  return {
    ...inChannel(base, where.channel ?? SUPPORT_CHANNEL, where.postId, where.team ?? TEAM),
    entities: [{ type: 'mention', text: at, mentioned: { id: `28:${APP_ID}`, name: 'Reconnect' } }],
  };
}

/** An Action.Execute click on the card `cardId` in a channel thread. */
export function channelExecute(
  lab: TeamsSupportLab,
  data: Record<string, unknown>,
  cardId: string,
  where: ChannelWhere,
) {
  const base = executeActivity(data, cardId, { ...lab.personal('unused', where.user), id: where.id });
  return inChannel(base, where.channel ?? SUPPORT_CHANNEL, where.postId, where.team ?? TEAM);
}

/** An Action.Submit click (the fallback) on the card `cardId` in a channel thread. */
export function channelSubmit(
  lab: TeamsSupportLab,
  data: Record<string, unknown>,
  cardId: string,
  where: ChannelWhere,
) {
  const base = submitActivity(data, cardId, lab.personal('unused', where.user));
  return inChannel(base, where.channel ?? SUPPORT_CHANNEL, where.postId, where.team ?? TEAM);
}

/** The Adaptive Card a connector record carries (a created thread's first post included). */
export function cardOf(record: ConnectorRecord): Record<string, unknown> | undefined {
  const activity = (record.op === 'create' ? record.body.activity : record.body) as
    | { attachments?: { contentType: string; content: Record<string, unknown> }[] }
    | undefined;
  return activity?.attachments?.find((a) => a.contentType === ADAPTIVE)?.content;
}

/** The data of the card's Action.Execute for `verb` (what a click on that button sends). */
export function executeData(
  card: Record<string, unknown> | undefined,
  verb: string,
): Record<string, unknown> {
  let found: Record<string, unknown> | undefined;
  const walk = (node: unknown): void => {
    if (found || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    const o = node as Record<string, unknown>;
    const data = o.data as Record<string, unknown> | undefined;
    if (o.type === 'Action.Execute' && data?.verb === verb) found = data;
    else Object.values(o).forEach(walk);
  };
  walk(card);
  if (!found) throw new Error(`no Action.Execute "${verb}" on the card: ${JSON.stringify(card)}`);
  return found;
}
