/**
 * Issue 16: the Bot Connector (the local fake, at the wire) failing while Teams turns run through
 * the real botbuilder and core. A 502 or a 429 with Retry-After on the reply: the reply arrives
 * exactly once. A reply that hangs: the other conversations' turns are answered meanwhile, and
 * the hung turn's own state is saved (its reply is what waits); at its deadline (a signal the
 * test aborts, LIMIT_REPLY_TIMEOUT_MS in production) the reply is cut, the turn records
 * `delivery_failed` and answers.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createEngine } from '../../bot/core/engine.ts';
import type { Session } from '../../bot/core/types.ts';
import { loadBuiltinPlaybooks } from '../../bot/playbooks/load.ts';
import { until } from '../agents/harness.ts';
import { messageActivity } from '../teams/activities.ts';
import { startTeamsLab, type TeamsLab } from '../teams/harness.ts';
import { guardNetwork } from '../teams/net-guard.ts';

const guard = guardNetwork();
const playbooks = await loadBuiltinPlaybooks();
/** One deadline per reply; the test aborts them to cut whatever reply is still hanging. */
const deadlines: AbortController[] = [];
let lab: TeamsLab;
before(async () => {
  lab = await startTeamsLab({
    core: (port, store) => createEngine({ store, port, playbooks, clock: Date.now }),
    replies: {
      deadline: () => {
        const controller = new AbortController();
        deadlines.push(controller);
        return controller.signal;
      },
    },
  });
});
after(async () => {
  await lab.close();
  guard.release();
});

const say = (conversationId: string, text = 'Teams says CAA20004') =>
  lab.post(messageActivity(text, { serviceUrl: lab.connector.url, conversationId }));
const replies = (conversationId: string) => lab.connector.find('reply', conversationId).length;
const session = (conversationId: string): Promise<Session | undefined> =>
  lab.store.sessions.findByConversation(`teams:${conversationId}`);

test('a 502 on the reply: retried, and the reply arrives once', async () => {
  const clean = 'a:clean';
  assert.equal((await say(clean)).status, 200);
  const expected = replies(clean);
  assert.ok(expected > 0);
  lab.connector.failNext('reply', 502, 1);
  assert.equal((await say('a:502')).status, 200);
  assert.equal(replies('a:502'), expected, 'as many replies as without the fault: none lost, none twice');
});

test('a 429 with Retry-After on the reply: waited out, and the reply arrives once', async () => {
  const expected = replies('a:clean');
  lab.connector.failNext('reply', 429, 1, 1);
  assert.equal((await say('a:429')).status, 200);
  assert.equal(replies('a:429'), expected);
});

test('a reply that hangs blocks only its own conversation; its turn is saved; its deadline cuts it', {
  timeout: 30_000,
}, async () => {
  lab.connector.hangNext('reply', 'a:hung');
  const hung = say('a:hung');
  // The hung turn has committed before it tries to reply: wait for that, not for time.
  await until(async () => (await session('a:hung')) !== undefined, 10_000, 'the hung turn committed');
  assert.equal((await session('a:hung'))?.state, 'intake', 'the hung turn is saved');
  const other = await say('a:other');
  assert.equal(other.status, 200, 'another conversation is answered while one reply hangs');
  assert.ok(replies('a:other') > 0);
  assert.equal(replies('a:hung'), 0);
  // The deadline passes: every reply still open is cut (the others have finished).
  for (const d of deadlines.splice(0)) d.abort();
  assert.equal((await hung).status, 200, 'the hung turn answers once its reply is cut');
  const s = (await session('a:hung'))!;
  const failed = (await lab.store.audit.list(s.id)).filter((a) => a.kind === 'delivery_failed');
  assert.ok(failed.length >= 1, 'the cut reply is recorded');
  assert.match(String(failed[0].data?.error), /teams send: no answer before the reply deadline/);
});
