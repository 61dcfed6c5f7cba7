/**
 * The Direct Line 3.0 service for our own web chat, free of HTTP: conversations, posting,
 * reading with watermarks, token minting and checks, and the bot's port (send, update). The
 * activity log and its live subscribers are hub.ts.
 * routes.ts and stream.ts translate HTTP and WebSocket to these calls.
 *
 * Everything a conversation needs is in the Store, so a restart loses nothing; subscribers are
 * per process, and with replicas an ActivityFeed tells each one what the others wrote.
 */
import { createHash } from 'node:crypto';
import { limitHit } from '../../limit-hits.ts';
import { DEFAULT_LIMITS, type Limits } from '../../limits.ts';
import type { Logger } from '../../log.ts';
import { retryWhileUnavailable } from '../../store/errors.ts';
import type { DirectLineStore } from '../../store/types.ts';
import { checkPosted, parseWatermark, stamp } from './activity.ts';
import { createHistory } from './history.ts';
import { type ActivityFeed, type ActivitySet, createActivityHub, type Subscriber } from './hub.ts';
import { createSerial } from './serial.ts';
import {
  bearer,
  type Credential,
  checkScope,
  isCredentialError,
  mintToken,
  previousUser,
  randomId,
  TOKEN_TTL_MS,
  verifyCredential,
} from './tokens.ts';

import {
  type Activity,
  type ChannelAccount,
  DirectLineError,
  type DirectLinePort,
  type OnActivity,
} from './types.ts';

/** How long after its last token a browser still counts as the same web chat user. */
const KEEP_USER_MS = 30 * 24 * 60 * 60 * 1000;

export interface DirectLineChannelOptions {
  store: DirectLineStore;
  /** Signs tokens; also accepted as a bearer credential for every conversation. */
  secret: string;
  onActivity: OnActivity;
  log: Logger;
  now?: () => number;
  tokenTtlMs?: number;
  bot?: ChannelAccount;
  /** Streams fed across replicas (see ActivityFeed); default this process' writes only. */
  feed?: ActivityFeed;
  /** Message length per post and history size per conversation (issue 16); default bot/limits.ts's. */
  limits?: Pick<Limits, 'turnTextChars' | 'conversationBytes'>;
}

/** What Direct Line answers for start, reconnect, generate and refresh (streamUrl added by the HTTP layer). */
export interface ConversationGrant {
  conversationId: string;
  token: string;
  expires_in: number;
  userId: string;
}

export type { ActivitySet, Subscriber };

export type DirectLineChannel = ReturnType<typeof createDirectLineChannel>;

const USER_ID = /^dl_[A-Za-z0-9_-]{1,64}$/;

/** An activity id that follows from a send's key: 12 characters, like randomId(9)'s. */
const keyedId = (key: string): string => createHash('sha256').update(key).digest('base64url').slice(0, 12);

export function createDirectLineChannel(options: DirectLineChannelOptions) {
  const { store, secret, onActivity, log } = options;
  const now = options.now ?? Date.now;
  const ttl = options.tokenTtlMs ?? TOKEN_TTL_MS;
  const bot: ChannelAccount = { ...(options.bot ?? { id: 'reconnect', name: 'Reconnect' }), role: 'bot' };
  const limits = options.limits ?? DEFAULT_LIMITS;
  const history = createHistory(store);
  const hub = createActivityHub(store, history, now, options.feed);
  const turns = createSerial();

  const grant = (conversationId: string, userId: string): ConversationGrant => {
    const { token } = mintToken(secret, { conversationId, userId }, now(), ttl);
    return { conversationId, token, expires_in: Math.floor(ttl / 1000), userId };
  };

  const existing = async (conversationId: string) => {
    const conversation = await store.getConversation(conversationId);
    if (conversation === undefined)
      throw new DirectLineError(404, 'NotFound', `conversation ${conversationId} does not exist`);
    return conversation;
  };

  /** Hands an activity to the bot, one turn at a time per conversation; failures are logged only. */
  const deliver = (conversationId: string, activity: Activity): void => {
    void turns
      .run(conversationId, () => retryWhileUnavailable(() => onActivity(conversationId, activity, port)))
      .catch((error: unknown) =>
        log.error('the bot failed on a Direct Line activity', { conversationId, type: activity.type, error }),
      );
  };

  const port: DirectLinePort = {
    async send(conversationId, activity, key) {
      await existing(conversationId);
      const id = `${conversationId}|${key === undefined ? randomId(9) : keyedId(key)}`;
      if (key !== undefined && (await store.getActivity(conversationId, id)) !== undefined) return id;
      await hub.append(conversationId, stamp(conversationId, activity, { id, from: bot }));
      return id;
    },
    async update(conversationId, activityId, activity) {
      const previous = await store.getActivity(conversationId, activityId);
      if (previous === undefined) {
        throw new DirectLineError(
          404,
          'NotFound',
          `activity ${activityId} does not exist in conversation ${conversationId}`,
        );
      }
      if ((previous.from as ChannelAccount | undefined)?.role !== 'bot') {
        throw new DirectLineError(
          400,
          'BadArgument',
          `activity ${activityId} is the user's: only bot activities can be updated`,
        );
      }
      // Keeping the original timestamp keeps the card where it was in Web Chat's transcript.
      const timestamp = String(previous.timestamp);
      await hub.replace(
        conversationId,
        stamp(conversationId, activity, { id: activityId, from: bot, timestamp }),
      );
    },
  };

  /** Starts a conversation: 201 when new, 200 when the token's conversation already exists. */
  const open = async (
    conversationId: string,
    userId: string,
  ): Promise<{ created: boolean; grant: ConversationGrant }> => {
    let created = false;
    if ((await store.getConversation(conversationId)) === undefined) {
      try {
        await store.createConversation({ id: conversationId, data: { userId } });
        created = true;
      } catch (error) {
        // Two starts with one token may race; the loser just joins.
        if ((await store.getConversation(conversationId)) === undefined) throw error;
      }
    }
    if (created) {
      deliver(conversationId, {
        type: 'conversationUpdate',
        membersAdded: [{ id: userId, role: 'user' }],
        from: { id: userId, role: 'user' },
        recipient: bot,
        conversation: { id: conversationId },
        channelId: 'directline',
        timestamp: new Date(now()).toISOString(),
      });
    }
    return { created, grant: grant(conversationId, userId) };
  };

  const userOf = async (
    credential: Credential,
    conversationId: string,
    claimed?: unknown,
  ): Promise<string> => {
    if (credential.kind === 'token') return credential.userId;
    const data = (await store.getConversation(conversationId))?.data;
    if (typeof data?.userId === 'string') return data.userId;
    return typeof claimed === 'string' && USER_ID.test(claimed) ? claimed : `dl_${randomId(12)}`;
  };

  /** Throws 403 unless the credential may use this conversation. */
  const authorize = (credential: Credential, conversationId: string): void => {
    const refused = checkScope(credential, conversationId);
    if (refused) throw new DirectLineError(refused.status, refused.code, refused.message);
  };

  return {
    port,
    authorize,

    /** Throws 404 DirectLineError when the conversation does not exist. */
    async requireConversation(conversationId: string): Promise<void> {
      await existing(conversationId);
    },

    /** Checks an Authorization header (or a stream's `t` value); throws 401/403 DirectLineError. */
    authenticate(header: string | undefined, raw?: string): Credential {
      const result = verifyCredential(secret, raw ?? bearer(header), now());
      if (isCredentialError(result)) throw new DirectLineError(result.status, result.code, result.message);
      return result;
    },

    /**
     * For the page's own token endpoint: a new conversation id, no secret needed. The user is the
     * one of `previous` (the page's last token, expired or not, up to 30 days) when it is ours,
     * so a browser keeps its user id across conversations; else a new one.
     */
    webChatToken(previous?: string): ConversationGrant {
      const user = previousUser(secret, previous, now(), KEEP_USER_MS);
      return grant(randomId(), user ?? `dl_${randomId(12)}`);
    },

    /** POST /tokens/generate: only the secret may mint; binds `user.id` when it is a dl_ id. */
    generate(credential: Credential, body: unknown): ConversationGrant {
      if (credential.kind !== 'secret') {
        throw new DirectLineError(
          403,
          'Forbidden',
          'tokens/generate needs the Direct Line secret, not a token',
        );
      }
      const claimed = (body as { user?: { id?: unknown } } | undefined)?.user?.id;
      return grant(
        randomId(),
        typeof claimed === 'string' && USER_ID.test(claimed) ? claimed : `dl_${randomId(12)}`,
      );
    },

    /** POST /tokens/refresh: a fresh token for the same conversation and user. */
    refresh(credential: Credential): ConversationGrant {
      if (credential.kind !== 'token')
        throw new DirectLineError(400, 'BadArgument', 'tokens/refresh needs a token');
      return grant(credential.conversationId, credential.userId);
    },

    /** POST /conversations. */
    async start(credential: Credential, body: unknown) {
      if (credential.kind === 'token') return open(credential.conversationId, credential.userId);
      const conversationId = randomId();
      const claimed = (body as { user?: { id?: unknown } } | undefined)?.user?.id;
      return open(conversationId, await userOf(credential, conversationId, claimed));
    },

    /** GET /conversations/:id (reconnect): a fresh token; the HTTP layer adds a new streamUrl. */
    async reconnect(credential: Credential, conversationId: string): Promise<ConversationGrant> {
      authorize(credential, conversationId);
      await existing(conversationId);
      return grant(conversationId, await userOf(credential, conversationId));
    },

    /** POST /conversations/:id/activities: stores and echoes the user's activity, then runs the bot. */
    async post(credential: Credential, conversationId: string, body: unknown): Promise<{ id: string }> {
      authorize(credential, conversationId);
      await existing(conversationId);
      const activity = checkPosted(body);
      const id = `${conversationId}|${randomId(9)}`;
      // Typing is acknowledged but neither stored nor shown to the bot.
      if (activity.type === 'typing') return { id };
      if (typeof activity.text === 'string' && activity.text.length > limits.turnTextChars) {
        limitHit('turnTextChars');
        throw new DirectLineError(
          413,
          'MessageTooLong',
          `a message may have at most ${limits.turnTextChars} characters; send a shorter one`,
        );
      }
      if ((await history.bytes(conversationId)) >= limits.conversationBytes) {
        limitHit('conversationBytes');
        throw new DirectLineError(
          413,
          'ConversationFull',
          'this conversation has reached its size limit: start a new chat to continue',
        );
      }
      const userId = await userOf(credential, conversationId, activity.from?.id);
      const from: ChannelAccount = {
        id: userId,
        ...(typeof activity.from?.name === 'string' ? { name: activity.from.name } : {}),
        role: 'user',
      };
      const stored = {
        ...stamp(conversationId, activity, { id, from }),
        recipient: bot,
      };
      deliver(conversationId, structuredClone(await hub.append(conversationId, stored)));
      return { id };
    },

    /**
     * GET /conversations/:id/activities?watermark=N, as ActivitySet JSON text (serialized once per
     * activity, see history.ts; it may repeat activities the client has, never miss one).
     */
    async activities(credential: Credential, conversationId: string, watermark: unknown): Promise<string> {
      authorize(credential, conversationId);
      const since = parseWatermark(watermark);
      await existing(conversationId);
      return (await history.read(conversationId, since)).text;
    },

    /** Registers a live subscriber (a WebSocket stream); see ActivityHub.subscribe. */
    async subscribe(conversationId: string, watermark: number | undefined, subscriber: Subscriber) {
      await existing(conversationId);
      return hub.subscribe(conversationId, watermark, subscriber);
    },

    /** Resolves when every queued write and bot turn has finished (tests, shutdown). */
    async idle(): Promise<void> {
      await turns.idle();
      await hub.idle();
    },
  };
}
