/**
 * The Slack side of the support wire tests: what the support channel shows (case threads), and
 * support people acting in it (card clicks, thread replies, `/reconnect`), as signed requests
 * shaped like Slack's.
 */
import type { SlackApiLab, StoredMessage } from '../lab/slack-api.ts';
import { eventRequest, postSigned } from '../slack/harness.ts';
import { type Lab, SUPPORT_CHANNEL } from './harness.ts';

let ids = 0;

/** The case threads in the support channel: roots (cards) and their replies. */
export function supportThreads(api: SlackApiLab, channel = SUPPORT_CHANNEL) {
  const all = api.posted(channel);
  const roots = all.filter((m) => m.thread_ts === undefined);
  return {
    roots,
    replies: (root: StoredMessage) => all.filter((m) => m.thread_ts === root.ts),
    /** Everything posted to the channel as one text (text, blocks, metadata). */
    text: () => JSON.stringify(all),
  };
}

/** The value of a case card's button for `verb`. */
export function buttonValue(card: StoredMessage, verb: string): string {
  for (const block of card.blocks ?? []) {
    for (const el of (block.elements as { value?: string; action_id?: string }[] | undefined) ?? []) {
      if (el.value && JSON.parse(el.value).verb === verb) return el.value;
    }
  }
  throw new Error(`the card has no ${verb} button: ${JSON.stringify(card.blocks)}`);
}

/** A support person's click on a case card (block_actions), signed like Slack's. */
export async function supportClick(
  lab: Lab,
  card: StoredMessage,
  verb: string,
  who: { id: string; name: string; channel?: string },
  /** A button's value from an older copy of the card (a stale click); default: the card's own. */
  value?: string,
): Promise<number> {
  const channel = who.channel ?? card.channel;
  const payload = {
    type: 'block_actions',
    user: { id: who.id, username: who.name, name: who.name, team_id: 'TLAB00001' },
    api_app_id: 'ALAB00001',
    container: { type: 'message', message_ts: card.ts, channel_id: channel, is_ephemeral: false },
    trigger_id: `trig.support.${++ids}`,
    team: { id: 'TLAB00001', domain: 'lab' },
    channel: { id: channel, name: 'support' },
    message: { type: 'message', ts: card.ts, bot_id: 'BBOTLAB01' },
    response_url: lab.api.responseUrl(),
    actions: [
      {
        type: 'button',
        block_id: 'b',
        action_id: verb,
        value: value ?? buttonValue(card, verb),
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
  const res = await postSigned(lab.endpoint, {
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
  });
  await lab.settle();
  return res.status;
}

/** A reply typed in a case thread of the support channel (a `message` event). */
export async function supportReply(
  lab: Lab,
  root: StoredMessage,
  who: string,
  text: string,
): Promise<number> {
  const ts = `1700009000.${String(++ids).padStart(6, '0')}`;
  const res = await postSigned(
    lab.endpoint,
    eventRequest({
      type: 'message',
      channel: root.channel,
      channel_type: 'channel',
      user: who,
      text,
      ts,
      thread_ts: root.ts,
    }),
  );
  await lab.settle();
  return res.status;
}

/** `/reconnect <text>` typed in `channel`; answers the command's JSON. */
export async function slash(
  lab: Lab,
  text: string,
  channel: string,
  user: string,
): Promise<Record<string, unknown>> {
  const fields = {
    team_id: 'TLAB00001',
    channel_id: channel,
    channel_name: 'it-support',
    user_id: user,
    user_name: 'lead',
    command: '/reconnect',
    text,
    response_url: lab.api.responseUrl(),
    trigger_id: `trig.slash.${++ids}`,
  };
  const res = await postSigned(lab.endpoint, {
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams(fields).toString(),
  });
  await lab.settle();
  return res.text ? JSON.parse(res.text) : {};
}
