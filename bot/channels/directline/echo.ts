/**
 * A stand-in bot for the Direct Line channel until the core handles it, and for wire and
 * browser tests of the channel itself: it answers every user message with `echo: <text>`
 * (or the submitted card data) and ignores everything else.
 */
import type { OnActivity } from './types.ts';

export const echoBot: OnActivity = async (conversationId, activity, port) => {
  if (activity.type !== 'message') return;
  const said = activity.text ?? (activity.value === undefined ? '' : JSON.stringify(activity.value));
  await port.send(conversationId, { type: 'message', text: `echo: ${said}`, replyToId: activity.id });
};
