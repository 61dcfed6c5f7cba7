/**
 * A user of the web chat, driven over Direct Line HTTP and its WebSocket stream the way the page
 * does it: say text, click an Action.Submit on the card as the bot rendered it (its own `data`
 * goes back as `value`), and wait (with a deadline, never a sleep) until the transcript shows
 * something. The transcript folds every ActivitySet received: an activity re-emitted under the
 * same id replaces the earlier one at its original position, and `emissions` counts how often it
 * came, so a test can tell "changed in place" from "sent anew".
 */
import { readFileSync } from 'node:fs';
import { type RunningBot, type StartOptions, startBot } from '../../bot/app.ts';
import { loadBotConfig } from '../../bot/config.ts';
import { silentLogger } from '../../bot/log.ts';
import { type Activity, call, openStream } from './directline-client.ts';

export interface Submit {
  title: string;
  data: Record<string, unknown>;
}

export interface Entry {
  activity: Activity;
  /** How many times this id arrived on the stream (1: never updated). */
  emissions: number;
}

/** Every Action.Submit in an Adaptive Card, wherever it sits (actions, ActionSets, show cards). */
export function submitsOf(node: unknown, out: Submit[] = []): Submit[] {
  if (Array.isArray(node)) for (const item of node) submitsOf(item, out);
  else if (typeof node === 'object' && node !== null) {
    const n = node as Record<string, unknown>;
    if (n.type === 'Action.Submit') out.push({ title: String(n.title), data: n.data as Submit['data'] });
    for (const value of Object.values(n)) submitsOf(value, out);
  }
  return out;
}

/** Every text and fact of an Adaptive Card (not its buttons), one per line: what the card says. */
export function cardText(node: unknown): string {
  const parts: string[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (typeof n === 'object' && n !== null) {
      const o = n as Record<string, unknown>;
      if (o.type === 'TextBlock' || o.type === 'TextRun') parts.push(String(o.text));
      if (o.type === undefined && typeof o.title === 'string' && typeof o.value === 'string')
        parts.push(`${o.title} ${o.value}`);
      for (const [key, value] of Object.entries(o)) if (key !== 'actions') walk(value);
    }
  };
  walk(node);
  return parts.join('\n');
}

/** The card an activity carries, or undefined for a text message. */
export function cardOf(activity: Activity): Record<string, unknown> | undefined {
  const attachments = activity.attachments as { content?: Record<string, unknown> }[] | undefined;
  return attachments?.[0]?.content;
}

/** A paste fixture (test/fixtures/paste). */
export const paste = (name: string): string =>
  readFileSync(new URL(`../fixtures/paste/${name}`, import.meta.url), 'utf8');

/**
 * The assembled bot (the core behind every channel, Teams mounted, SQLite in `dataDir`) on
 * 127.0.0.1:0. Unlike directline-client's startTestBot, nothing is replaced by a test bot.
 */
export function startCoreBot(dataDir: string, options: Partial<StartOptions> = {}): Promise<RunningBot> {
  const config = loadBotConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, NODE_ENV: 'test' });
  return startBot({ config, log: silentLogger, ...options });
}

export type Chat = Awaited<ReturnType<typeof openChat>>;

/**
 * Joins the conversation (a new one from the page's token endpoint, or `resume` an existing one
 * with its token, as a reloaded page does) and follows its stream from the start.
 */
export async function openChat(
  url: string,
  resume?: { conversationId: string; token: string },
  options: {
    /** Where each post goes (replicas behind a load balancer); default `url`, like the stream. */
    postTo?: () => string;
    /** The last token of an earlier conversation, shown to the token endpoint as the page does. */
    previousToken?: string;
  } = {},
) {
  let conversationId: string;
  let token: string;
  let streamUrl: string;
  if (resume === undefined) {
    const minted = await call(url, 'POST', '/api/webchat/token', {
      ...(options.previousToken ? { auth: options.previousToken } : {}),
    });
    const started = await call(url, 'POST', '/v3/directline/conversations', { auth: minted.body.token });
    if (started.status !== 201) throw new Error(`start answered ${started.status}`);
    ({ conversationId, token, streamUrl } = started.body);
  } else {
    const again = await call(url, 'GET', `/v3/directline/conversations/${resume.conversationId}?watermark=`, {
      auth: resume.token,
    });
    if (again.status !== 200)
      throw new Error(`reconnect answered ${again.status}: ${JSON.stringify(again.body)}`);
    ({ conversationId, token, streamUrl } = again.body);
  }
  const stream = await openStream(streamUrl);

  /** The transcript as the page would show it now: first-seen order, latest version of each. */
  const transcript = (): Entry[] => {
    const byId = new Map<string, Entry>();
    for (const set of stream.sets)
      for (const activity of set.activities) {
        const seen = byId.get(activity.id);
        byId.set(activity.id, { activity, emissions: (seen?.emissions ?? 0) + 1 });
      }
    return [...byId.values()];
  };

  /** Resolves with what `find` returns once it returns something; rejects after `ms` naming `what`. */
  const waitUntil = async <T>(what: string, find: (entries: Entry[]) => T | undefined, ms = 20_000) => {
    let found: T | undefined;
    try {
      await stream.waitFor(() => {
        found = find(transcript());
        return found !== undefined;
      }, ms);
    } catch {
      const seen = transcript().map((e) => `${e.activity.from.role}: ${e.activity.text ?? summaryOf(e)}`);
      throw new Error(`waited ${ms} ms for ${what}; the transcript:\n${seen.join('\n')}`);
    }
    return found as T;
  };

  const post = async (body: Record<string, unknown>): Promise<string> => {
    const target = options.postTo?.() ?? url;
    const posted = await call(target, 'POST', `/v3/directline/conversations/${conversationId}/activities`, {
      auth: token,
      body,
    });
    if (posted.status !== 200)
      throw new Error(`post answered ${posted.status}: ${JSON.stringify(posted.body)}`);
    return posted.body.id as string;
  };

  return {
    conversationId,
    token,
    transcript,
    waitUntil,
    /** The latest bot card whose text matches `pattern`. */
    card: (pattern: RegExp, ms?: number) =>
      waitUntil(
        `a card saying ${pattern}`,
        (entries) =>
          entries.findLast((e) => {
            const card = cardOf(e.activity);
            return card !== undefined && pattern.test(cardText(card));
          }),
        ms,
      ),
    /** The latest bot text message matching `pattern`. */
    text: (pattern: RegExp, ms?: number) =>
      waitUntil(
        `a message saying ${pattern}`,
        (entries) =>
          entries.findLast((e) => e.activity.from.role === 'bot' && pattern.test(e.activity.text ?? '')),
        ms,
      ),
    post,
    say: (text: string) => post({ type: 'message', text, from: { id: 'ignored-by-the-channel' } }),
    /** Clicks the button titled `title` (a leading ✓ ignored) on the latest card that shows it. */
    click: async (title: string): Promise<string> => {
      const entry = transcript().findLast((e) =>
        submitsOf(cardOf(e.activity)).some((s) => same(s.title, title)),
      );
      const submit = entry && submitsOf(cardOf(entry.activity)).find((s) => same(s.title, title));
      if (submit === undefined) throw new Error(`no card in the transcript shows a "${title}" button`);
      return post({ type: 'message', value: submit.data });
    },
    close: () => stream.close(),
  };
}

const same = (shown: string, wanted: string) => shown.replace(/^✓ /, '') === wanted;
const summaryOf = (e: Entry) => {
  const card = cardOf(e.activity);
  return card ? `[card] ${cardText(card).split('\n').slice(0, 2).join(' | ')}` : '';
};
