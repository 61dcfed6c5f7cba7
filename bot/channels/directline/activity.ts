/**
 * Shaping activities on their way into the log: what a client may post, what the channel
 * stamps on every stored activity, and how a `watermark` query is read.
 */
import { type Activity, type ChannelAccount, DirectLineError } from './types.ts';

const POSTABLE_TYPES = new Set(['message', 'event', 'typing']);

/** Parses a `watermark` query value: absent or empty means "from the start". */
export function parseWatermark(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  throw new DirectLineError(
    400,
    'BadArgument',
    'watermark must be a non-negative integer, as returned by this service',
  );
}

/** Checks a posted body: an activity object whose type a client may send (message, event, typing). */
export function checkPosted(body: unknown): Activity {
  const activity = body as Activity | undefined;
  if (
    typeof activity !== 'object' ||
    activity === null ||
    Array.isArray(activity) ||
    typeof activity.type !== 'string'
  ) {
    throw new DirectLineError(400, 'MissingProperty', 'the body must be an activity object with a "type"');
  }
  // Fields the bot reads must have their types (issue 16): a number as text threw inside the turn.
  const wrong = (['text', 'locale', 'name'] as const).find(
    (f) => activity[f] !== undefined && typeof activity[f] !== 'string',
  );
  if (wrong) throw new DirectLineError(400, 'BadArgument', `"${wrong}" must be a string`);
  if (activity.from !== undefined && (typeof activity.from !== 'object' || activity.from === null))
    throw new DirectLineError(400, 'BadArgument', '"from" must be an object');
  if (activity.attachments !== undefined && !Array.isArray(activity.attachments))
    throw new DirectLineError(400, 'BadArgument', '"attachments" must be an array');
  if (!POSTABLE_TYPES.has(activity.type)) {
    throw new DirectLineError(
      400,
      'BadArgument',
      `activity type "${activity.type}" cannot be posted: use message or event`,
    );
  }
  return activity;
}

/**
 * The fields the channel owns on every stored activity; whatever the sender put there is
 * replaced. New activities get their timestamp from the hub; updates pass the original one.
 */
export function stamp(
  conversationId: string,
  activity: Activity,
  fields: { id: string; from: ChannelAccount; timestamp?: string },
): Activity & { id: string } {
  return { ...activity, ...fields, channelId: 'directline', conversation: { id: conversationId } };
}
