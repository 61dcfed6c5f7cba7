/**
 * The kill-many-times test's pieces: a seeded random source, the scripted web chat conversation
 * (CAA20004 on the manual path to "Teams should work again"), what a bot reply looks like once
 * its random parts (pairing codes, times) are taken out, and a read-only look at the bot's SQLite
 * file for the turns it committed (the engine claims `event:webchat:<activity id>` in the same
 * transaction as the turn's session save, so a claimed event is a turn that happened).
 */
import { DatabaseSync } from 'node:sqlite';
import { type Chat, cardOf, cardText, type Entry, paste, submitsOf } from '../bot/conversation-driver.ts';

/** mulberry32: small, seeded, good enough to pick kill points. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Step {
  say?: string;
  click?: string;
  /** What the bot shows once this turn has happened. */
  expect: RegExp;
}

/** The conversation of test/bot/restart.test.ts, one turn per step. */
export const SCRIPT: Step[] = [
  { say: 'Teams says CAA20004', expect: /Let's get Teams working again/ },
  { click: 'Windows', expect: /\[buttons\].*✓ Windows/ },
  { click: 'Home', expect: /Connect the affected computer/ },
  { click: 'No computer access? Continue manually', expect: /What CAA20004 means/ },
  { say: paste('nslookup-windows-nxdomain.txt'), expect: /name lookup \(DNS\) cannot find/ },
  { click: 'Show me the fix', expect: /Flush the DNS cache[\s\S]*To do/ },
  { click: 'Done — check again', expect: /To check "Flush the DNS cache"/ },
  { say: paste('nslookup-windows-ok.txt'), expect: /Teams should work again/ },
];

/** The post a step makes: its text, or the data of its button on the latest card that shows it. */
export function bodyOf(chat: Chat, step: Step): Record<string, unknown> {
  if (step.say !== undefined) return { type: 'message', text: step.say };
  for (const entry of chat.transcript().toReversed()) {
    const submit = submitsOf(cardOf(entry.activity)).find((s) => s.title.replace(/^✓ /, '') === step.click);
    if (submit) return { type: 'message', value: submit.data };
  }
  throw new Error(`no card shows "${step.click}"`);
}

/** What a bot activity says, without what differs from run to run. */
export function rendered(entry: Entry): string {
  const card = cardOf(entry.activity);
  const buttons = submitsOf(card).map((s) => s.title);
  const text = `${entry.activity.text ?? ''}${card ? `[card] ${cardText(card)} [buttons] ${buttons.join(' | ')}` : ''}`;
  return text
    .replace(/\{\{(DATE|TIME)\([^)]*\)\}\}/g, '$1')
    .replace(/\b[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}\b/g, 'CODE')
    .replace(/\b\d{1,2}:\d{2}(:\d{2})?\b/g, 'TIME');
}

/** The bot's side of the conversation as the user finally sees it, in order. */
export const botSide = (chat: Chat): string[] =>
  chat
    .transcript()
    .filter((e) => e.activity.from.role === 'bot')
    .map(rendered);

/** A bot entry that was not in `seen` (new, or changed in place), matching `pattern`. */
export const fresh = (seen: Set<string>, pattern: RegExp) => (entries: Entry[]) =>
  entries.find((e) => e.activity.from.role === 'bot' && !seen.has(keyOf(e)) && pattern.test(rendered(e)));

export const keyOf = (e: Entry): string => `${e.activity.id}|${rendered(e)}`;

/** True when the bot's SQLite file records the event of this Direct Line activity as claimed. */
export function claimed(dbFile: string, activityId: string): boolean {
  const db = new DatabaseSync(dbFile, { readOnly: true });
  try {
    return db.prepare('SELECT 1 FROM dedupe WHERE key = ?').get(`event:webchat:${activityId}`) !== undefined;
  } finally {
    db.close();
  }
}
