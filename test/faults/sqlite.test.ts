/**
 * Issue 16, faults in the default store: SQLite busy (another process holds the write lock past
 * busy_timeout) and a full disk (a 1 MiB tmpfs filled up). Either way a web chat post answers 503
 * with Retry-After (never 500), the requests after it answer 503 at once for the failure window
 * (the store's injected clock moves past it, no sleep), /healthz stays 200 and /readyz says 503;
 * once the fault is gone the same post goes through and the conversation carries on with its
 * history intact and no turn applied twice.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import type { RunningBot } from '../../bot/app.ts';
import { conversationKey, type Session } from '../../bot/core/types.ts';
import { openSqliteStore } from '../../bot/store/sqlite.ts';
import type { Store, VersionedDoc } from '../../bot/store/types.ts';
import { type Chat, cardOf, openChat, startCoreBot, submitsOf } from '../bot/conversation-driver.ts';
import { tempDataDir } from '../bot/directline-client.ts';

const data = tempDataDir();
after(() => data.remove());

interface Rig {
  bot: RunningBot;
  store: Store<VersionedDoc>;
  chat: Chat;
  /** Moves the store's clock past the failure window. */
  later(): void;
  stop(): Promise<void>;
}

async function rig(dataDir: string): Promise<Rig> {
  let skew = 0;
  const store = openSqliteStore({ dataDir, busyTimeoutMs: 20, now: () => Date.now() + skew });
  const bot = await startCoreBot(dataDir, { store });
  const chat = await openChat(bot.url);
  return {
    bot,
    store,
    chat,
    later() {
      skew += 1500;
    },
    async stop() {
      chat.close();
      await bot.close();
      await store.close();
    },
  };
}

/** A raw post of `body` into the chat's conversation: status and Retry-After, whatever the status. */
async function rawPost(r: Rig, body: Record<string, unknown>) {
  const res = await fetch(`${r.bot.url}/v3/directline/conversations/${r.chat.conversationId}/activities`, {
    method: 'POST',
    headers: { authorization: `Bearer ${r.chat.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
}

const status = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(10_000) })).status;

/** The click on the button titled `title` on the latest card that shows it. */
function clickBody(chat: Chat, title: string): Record<string, unknown> {
  for (const entry of chat.transcript().toReversed()) {
    const submit = submitsOf(cardOf(entry.activity)).find((s) => s.title === title);
    if (submit) return { type: 'message', value: submit.data };
  }
  throw new Error(`no card shows "${title}"`);
}

/** While `fault` holds: the click answers 503 + Retry-After, others 503 at once; after `heal`, it goes through. */
async function survives(r: Rig, fault: () => void, heal: () => void): Promise<void> {
  await r.chat.say('Teams says CAA20004');
  await r.chat.card(/Let's get Teams working again/);
  const before = r.chat.transcript().length;
  const click = clickBody(r.chat, 'Windows');

  fault();
  const refused = await rawPost(r, click);
  assert.equal(refused.status, 503, `the post while the store cannot write: ${refused.text}`);
  assert.equal(refused.retryAfter, '2');
  assert.doesNotMatch(refused.text, /SQLITE|sqlite|\/work\/|at /, 'no internals in the answer');
  const gated = await rawPost(r, click);
  assert.equal(gated.status, 503, 'within the failure window every request is refused up front');
  assert.equal(await status(`${r.bot.url}/healthz`), 200, 'the process is alive');
  assert.equal(await status(`${r.bot.url}/readyz`), 503, 'but not ready');

  heal();
  r.later();
  assert.equal(await status(`${r.bot.url}/readyz`), 200, 'ready again once the store writes');
  const accepted = await rawPost(r, click);
  assert.equal(accepted.status, 200, accepted.text);
  await r.chat.card(/work|home|Where/i);
  const entries = r.chat.transcript();
  assert.ok(entries.length > before, 'the turn ran once the store was back');
  const session = await r.store.sessions.findByConversation(
    conversationKey('webchat', r.chat.conversationId),
  );
  const moves = (session as unknown as Session).timeline.map((t) => t.text);
  assert.equal(new Set(moves).size, moves.length, `no move recorded twice: ${moves.join(' | ')}`);
  const userPosts = entries.filter((e) => e.activity.from.role === 'user');
  assert.equal(userPosts.length, 2, 'the refused posts left nothing behind: the message and one click');
}

test('SQLite busy past busy_timeout: 503 with Retry-After, then the same click goes through once', async () => {
  const dataDir = join(data.dir, 'busy');
  const r = await rig(dataDir);
  const locker = new DatabaseSync(join(dataDir, 'reconnect.db'));
  try {
    await survives(
      r,
      () => locker.exec('BEGIN IMMEDIATE'),
      () => locker.exec('ROLLBACK'),
    );
  } finally {
    locker.close();
    await r.stop();
  }
});

test('a full disk (a 1 MiB tmpfs filled up): 503 with Retry-After, and nothing lost once space is back', async (t) => {
  const dataDir = join(data.dir, 'full');
  mkdirSync(dataDir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dataDir]);
  t.after(() => execFileSync('umount', ['-l', dataDir]));
  const r = await rig(dataDir);
  const filler = join(dataDir, 'filler');
  const fill = () => {
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(64 * 1024);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (error) {
      assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      closeSync(fd);
    }
  };
  try {
    await survives(r, fill, () => rmSync(filler));
  } finally {
    await r.stop();
  }
});
