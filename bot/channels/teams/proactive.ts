/**
 * Messages to Teams outside any turn, for the support relay (support-transport.ts defines what
 * it needs as TeamsProactive). A support case starts a new thread in a Teams channel: that is the
 * Bot Connector's "create conversation" with the channel in channelData (what botbuilder's
 * TeamsInfo.sendMessageToTeamsChannel does), whose answer names the new post; replies and card
 * updates then go to the thread's conversation, `<channel id>;messageid=<post id>`, through
 * continueConversationAsync.
 *
 * Why not TeamsInfo.sendMessageToTeamsChannel itself: it needs a live TurnContext, and with the
 * CloudAdapter it reports the new conversation's id where the post's id belongs (botbuilder
 * builds the turn's activity id from the conversation id). Posting into the channel's own
 * conversation id is not used either: Teams may answer such a send without an id.
 *
 * Retries are the support outbox's alone: botbuilder's ConnectorClient would retry 429, 5xx and
 * network failures by itself (@azure/core-rest-pipeline's retry phase, real timers, up to three
 * more tries, a 429's Retry-After slept in memory), blocking the outbox worker meanwhile and
 * posting again after ambiguous failures. The client of each proactive turn here has that phase
 * removed; failures keep the connector's HTTP status and a 429's Retry-After (in seconds), the
 * shape the outbox reads (bot/support/retry.ts asDeliveryError), so it waits (persisted), backs
 * off or stops.
 */
import type {
  Activity,
  CloudAdapter,
  ConversationParameters,
  ConversationReference,
  ConversationResourceResponse,
  TurnContext,
} from 'botbuilder';
import type { TeamsProactive } from './support-transport.ts';

/** A failed Bot Connector call, as the support outbox reads it. */
export class TeamsDeliveryError extends Error {
  readonly statusCode: number;
  /** Seconds, from a 429's Retry-After. */
  readonly retryAfter?: number;
  constructor(message: string, statusCode: number, retryAfter?: number) {
    super(message);
    this.name = 'TeamsDeliveryError';
    this.statusCode = statusCode;
    if (retryAfter !== undefined) this.retryAfter = retryAfter;
  }
}

const THREAD = ';messageid=';

/** The one call we make on the turn's ConnectorClient (botframework-connector's type is not a dependency). */
interface Conversations {
  conversations: {
    createConversation(parameters: ConversationParameters): Promise<ConversationResourceResponse>;
  };
}

/**
 * Removes the retry phase from a ConnectorClient's request pipeline. The pipeline is private in
 * botbuilder's typings (botbuilder-stdlib's ServiceClientContext keeps an @azure/core-client
 * ServiceClient as `client`); if a botbuilder upgrade moves it, this fails loudly rather than
 * letting hidden retries back in (test/teams/proactive.test.ts counts the requests).
 */
function withoutRetries(connectorClient: unknown): void {
  const pipeline = (connectorClient as { client?: { pipeline?: { removePolicy?: unknown } } } | undefined)
    ?.client?.pipeline as { removePolicy?: (options: { phase: 'Retry' }) => unknown } | undefined;
  if (typeof pipeline?.removePolicy !== 'function')
    throw new TeamsDeliveryError(
      "teams: botbuilder's ConnectorClient has no request pipeline where this version expects one (client.pipeline); proactive sends cannot turn its own retries off",
      500,
    );
  pipeline.removePolicy({ phase: 'Retry' });
}

function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
  const value = typeof h.get === 'function' ? h.get(name) : (h[name] ?? h[name.toLowerCase()]);
  return typeof value === 'string' ? value : undefined;
}

/** Retry-After as seconds: a number of seconds, or an HTTP date. */
export function retryAfterSeconds(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - nowMs) / 1000);
}

/** Any error of a connector call as a TeamsDeliveryError (status 0: no answer, e.g. a refused connection). */
export function deliveryError(what: string, error: unknown): TeamsDeliveryError {
  if (error instanceof TeamsDeliveryError) return error;
  const e = error as
    | { statusCode?: unknown; message?: unknown; response?: { headers?: unknown } }
    | undefined;
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 0;
  const reason = typeof e?.message === 'string' ? e.message : String(error);
  const retryAfter =
    status === 429 ? retryAfterSeconds(header(e?.response?.headers, 'retry-after')) : undefined;
  return new TeamsDeliveryError(
    `teams: ${what} failed (${status || 'no answer'}): ${reason}`,
    status,
    retryAfter,
  );
}

/** A stored reference checked for what a proactive turn needs; named errors for what is missing. */
function asReference(ref: Record<string, unknown>, what: string): Partial<ConversationReference> {
  const reference = ref as Partial<ConversationReference>;
  if (typeof reference.serviceUrl !== 'string' || reference.serviceUrl === '')
    throw new TeamsDeliveryError(
      `teams: cannot ${what}: the conversation reference has no serviceUrl (expected the Bot Connector URL Teams sent with the channel's messages)`,
      400,
    );
  if (typeof reference.conversation?.id !== 'string' || reference.conversation.id === '')
    throw new TeamsDeliveryError(
      `teams: cannot ${what}: the conversation reference has no conversation.id (expected 19:…@thread.tacv2)`,
      400,
    );
  return reference;
}

/** True for a reference to a channel itself (a new post), not to a thread in it or a chat. */
function isChannelRoot(reference: Partial<ConversationReference>): boolean {
  const conversation = reference.conversation!;
  const channel =
    conversation.conversationType === 'channel' || /@thread\.(tacv2|skype)$/.test(conversation.id);
  return channel && !conversation.id.includes(THREAD);
}

/** The post id of a thread conversation id (`…;messageid=<id>`). */
function threadIdOf(conversationId: string | undefined): string | undefined {
  const at = conversationId?.indexOf(THREAD) ?? -1;
  return at < 0 ? undefined : conversationId!.slice(at + THREAD.length);
}

/**
 * The TeamsProactive of the support relay, on the Teams channel's adapter. `appId`: the bot's
 * Microsoft app id ('' when authentication is off, as the Teams port uses it).
 */
export function createTeamsProactive(adapter: CloudAdapter, appId: string): TeamsProactive {
  const inTurn = async <T>(
    reference: Partial<ConversationReference>,
    what: string,
    work: (context: TurnContext) => Promise<T>,
  ): Promise<T> => {
    let result: { value: T } | { error: unknown } | undefined;
    try {
      await adapter.continueConversationAsync(appId, reference, async (context) => {
        // Caught here, not by the adapter: its onTurnError would post an apology into the
        // support channel and swallow the failure, and the outbox would count it delivered.
        try {
          withoutRetries(context.turnState.get(adapter.ConnectorClientKey));
          result = { value: await work(context) };
        } catch (error) {
          result = { error };
        }
      });
    } catch (error) {
      // Before the turn ran: the connector client or its credentials could not be made.
      throw deliveryError(what, error);
    }
    if (result === undefined)
      throw new TeamsDeliveryError(`teams: ${what}: the proactive turn never ran`, 500);
    if ('error' in result) throw deliveryError(what, result.error);
    return result.value;
  };

  /** A new thread: the channel's "create conversation" with the first post. */
  const startThread = (reference: Partial<ConversationReference>, activity: Record<string, unknown>) =>
    inTurn(reference, 'start a thread in the channel', async (context) => {
      const conversation = reference.conversation!;
      const tenantId = conversation.tenantId;
      const client = context.turnState.get<Conversations>(adapter.ConnectorClientKey);
      const created = await client.conversations.createConversation({
        isGroup: true,
        bot: reference.bot ?? { id: `28:${appId}`, name: 'Reconnect' },
        ...(tenantId ? { tenantId } : {}),
        channelData: { channel: { id: conversation.id }, ...(tenantId ? { tenant: { id: tenantId } } : {}) },
        activity: { type: 'message', ...activity } as Activity,
      });
      const id = created?.activityId || threadIdOf(created?.id);
      if (!id)
        // Without the post's id no reply could find the thread; the outbox tries again.
        throw new TeamsDeliveryError(
          `teams: the connector created a thread in ${conversation.id} but named no post (answer: ${JSON.stringify(created)})`,
          502,
        );
      return id;
    });

  return {
    async send(ref, activity) {
      const reference = asReference(ref, 'send');
      if (isChannelRoot(reference)) return startThread(reference, activity);
      const sent = await inTurn(reference, 'send', (context) =>
        context.sendActivity({ type: 'message', ...activity } as Partial<Activity>),
      );
      // Teams may accept a message without naming it (202, no body): it arrived, so no retry.
      return sent?.id ?? '';
    },
    async update(ref, activityId, activity) {
      const reference = asReference(ref, 'update a message');
      await inTurn(reference, 'update a message', async (context) => {
        await context.updateActivity({ type: 'message', ...activity, id: activityId } as Partial<Activity>);
      });
    },
  };
}
