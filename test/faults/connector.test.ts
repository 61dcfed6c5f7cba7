/**
 * Issue 16: the Bot Connector (the local fake, at the wire) failing while Teams turns run through
 * the real botbuilder and core. A 502 or a 429 with Retry-After on the reply: the reply arrives
 * exactly once. A reply that hangs: the other conversations' turns are answered meanwhile, and
 * the hung turn's own state is saved (its reply is what waits).
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
let lab: TeamsLab;
before(async () => {
  lab = await startTeamsLab({
    core: (port, store) => createEngine({ store, port, playbooks, clock: Date.now }),
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

test('a reply that hangs blocks only its own conversation; its turn is saved', async () => {
  lab.connector.hangNext('reply', 'a:hung');
  const hung = say('a:hung');
  // The hung turn has committed before it tries to reply: wait for that, not for time.
  await until(async () => (await session('a:hung')) !== undefined, 10_000, 'the hung turn committed');
  assert.equal((await session('a:hung'))?.state, 'intake', 'the hung turn is saved');
  const other = await say('a:other');
  assert.equal(other.status, 200, 'another conversation is answered while one reply hangs');
  assert.ok(replies('a:other') > 0);
  assert.equal(replies('a:hung'), 0);
  void hung.catch(() => undefined); // ended by the lab's close
});
