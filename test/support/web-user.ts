/**
 * The web chat side of the support wire tests: a user over the Direct Line REST API (token,
 * conversation, posts, the bot's activities), as the self-hosted page would be.
 */
import { call } from '../bot/directline-client.ts';
import type { Lab } from './harness.ts';

/** A web chat user over the Direct Line REST API. */
export interface WebUser {
  conversationId: string;
  userId: string;
  say(text: string): Promise<void>;
  /** Clicks the button labelled `label` on the newest card that shows it. */
  click(label: string): Promise<void>;
  /** Sends a card action of the caller's choosing (a forged click). */
  submit(value: Record<string, unknown>): Promise<void>;
  /** The bot's plain-text messages, oldest first. */
  texts(): Promise<string[]>;
  /** Every card the bot showed (as last updated), oldest first. */
  cards(): Promise<Record<string, unknown>[]>;
}

function findSubmit(node: unknown, label: string): Record<string, unknown> | undefined {
  if (Array.isArray(node)) {
    for (const x of node) {
      const found = findSubmit(x, label);
      if (found) return found;
    }
    return undefined;
  }
  if (node === null || typeof node !== 'object') return undefined;
  const o = node as Record<string, unknown>;
  if (o.type === 'Action.Submit' && o.title === label) return o.data as Record<string, unknown>;
  for (const v of Object.values(o)) {
    const found = findSubmit(v, label);
    if (found) return found;
  }
  return undefined;
}

export async function webUser(lab: Lab, name: string): Promise<WebUser> {
  const minted = await call(lab.base, 'POST', '/api/webchat/token');
  const token = minted.body.token as string;
  const started = await call(lab.base, 'POST', '/v3/directline/conversations', { auth: token });
  const conversationId = started.body.conversationId as string;
  const userId = minted.body.userId as string;
  const path = `/v3/directline/conversations/${conversationId}/activities`;
  const activities = async () =>
    (
      (await call(lab.base, 'GET', path, { auth: token })).body.activities as Record<string, unknown>[]
    ).filter((a) => (a.from as { role?: string })?.role === 'bot');
  const post = async (body: Record<string, unknown>) => {
    const res = await call(lab.base, 'POST', path, {
      auth: token,
      body: { type: 'message', from: { id: userId, name }, ...body },
    });
    if (res.status !== 200) throw new Error(`Direct Line post answered ${res.status}`);
    await lab.settle();
  };
  const cards = async () =>
    (await activities()).flatMap((a) =>
      ((a.attachments as { content: Record<string, unknown> }[] | undefined) ?? []).map((x) => x.content),
    );
  await lab.settle();
  return {
    conversationId,
    userId,
    say: (text) => post({ text }),
    async click(label) {
      const data = (await cards())
        .reverse()
        .map((c) => findSubmit(c, label))
        .find(Boolean);
      if (!data) throw new Error(`no card shows a "${label}" button`);
      await post({ value: data });
    },
    submit: (value) => post({ value }),
    texts: async () =>
      (await activities()).filter((a) => typeof a.text === 'string').map((a) => String(a.text)),
    cards,
  };
}

/** The bot's plain-text messages in a web chat conversation, read from the store (any process's). */
export async function botTexts(lab: Lab, conversationId: string): Promise<string[]> {
  const { activities } = await lab.store.directline.list(conversationId);
  return activities
    .filter((a) => (a.from as { role?: string } | undefined)?.role === 'bot' && typeof a.text === 'string')
    .map((a) => String(a.text));
}
