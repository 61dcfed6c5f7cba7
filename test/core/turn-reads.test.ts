/**
 * One pipeline per turn (issue 11): the engine loads the session once and every step of the turn
 * (the support relay's gate, the core, the agent lifecycle) works on that one copy. The store's
 * session reads are counted per turn over the engine assembled as bot/app.ts assembles it (the
 * support step, the agent lifecycle step, the agent port), for each kind of turn: a user's
 * message, a click, an agent's event, a user writing to an escalated case (relayed to the
 * thread), support's click in the case thread (which the core runs in the same turn) and a
 * support reply relayed to the user.
 *
 * The support outbox delivers between turns, not during them: its worker reads sessions when it
 * delivers to the user, and that delivery is not part of any turn (it runs after, from the outbox).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentLifecycle } from '../../bot/agents/lifecycle.ts';
import { createTeamsTransport, type TeamsProactive } from '../../bot/channels/teams/support-transport.ts';
import { loadBotConfig } from '../../bot/config.ts';
import { createEngine } from '../../bot/core/engine.ts';
import type { AgentPort, InboundEvent, Session, View } from '../../bot/core/types.ts';
import { silentLogger } from '../../bot/log.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import type { SessionStore } from '../../bot/store/types.ts';
import { createSupport } from '../../bot/support/index.ts';
import { buttonsFor } from '../../cards/actions.ts';
import { fakeTimers } from '../agents/fakes.ts';
import { inspectedReport } from '../support/fixtures.ts';
import { FakeChannel, PLAYBOOKS } from './fake-channel.ts';

const CHANNEL = '19:supportteam0123456789@thread.tacv2';
const SERVICE = 'https://smba.lab.test/emea/';
const USER = { id: 'aad:amira', name: 'Amira Haddad' };

/** A memory store whose session reads (get, findByConversation) are counted. */
function countingStore() {
  const base = createMemoryStore<Session>();
  const reads: string[] = [];
  const inner = base.sessions;
  const sessions: SessionStore<Session> = {
    get(id) {
      reads.push(`get ${id}`);
      return inner.get(id);
    },
    findByConversation(key) {
      reads.push(`find ${key}`);
      return inner.findByConversation(key);
    },
    findByIdSuffix(suffix) {
      reads.push(`suffix ${suffix}`);
      return inner.findByIdSuffix(suffix);
    },
    create: (doc) => inner.create(doc),
    save: (doc, version) => inner.save(doc, version),
    commit: (write) => inner.commit(write),
  };
  return { store: { ...base, sessions }, reads };
}

async function lab() {
  const { store, reads } = countingStore();
  const timers = fakeTimers(Date.parse('2026-11-27T10:00:00.000Z'));
  const config = loadBotConfig({
    NODE_ENV: 'test',
    DIRECTLINE_SECRET: 'd'.repeat(40),
    DATA_DIR: '/nonexistent-unused',
  });
  const posts: string[] = [];
  const proactive: TeamsProactive = {
    async send(_ref, _activity) {
      posts.push(`1700000100${String(posts.length + 1).padStart(3, '0')}`);
      return posts.at(-1)!;
    },
    async update() {},
  };
  const agents: AgentPort = {
    async issuePairing() {
      return { code: 'K7M2-QX9P', expiresAt: new Date(timers.now() + 600_000).toISOString() };
    },
    async dispatch() {},
  };
  const ended: string[] = [];
  const gateway = { revoke: async () => {}, endCase: async (id: string) => void ended.push(id) };
  const user = new FakeChannel();
  const support = createSupport({
    store,
    config,
    playbooks: PLAYBOOKS,
    port: user,
    log: silentLogger,
    timers,
    transports: { teams: createTeamsTransport(proactive) },
  });
  const engine = createEngine({
    store,
    port: user,
    playbooks: PLAYBOOKS,
    clock: timers.now,
    agents,
    support: support.port,
    steps: [support.step, agentLifecycle(gateway, silentLogger)],
  });

  let n = 0;
  const base = (conversationId: string, channel: 'webchat' | 'teams', actor: InboundEvent['actor']) => ({
    id: `event-${++n}`,
    conversationKey: `${channel}:${conversationId}`,
    channel,
    conversation:
      channel === 'teams'
        ? { id: conversationId, place: { channelId: CHANNEL, threadId: conversationId.split('=')[1] } }
        : { id: conversationId },
    actor,
    at: new Date(timers.now()).toISOString(),
  });
  const mine = () => base('conv-amira', 'webchat', { ...USER, role: 'user' });
  /** Runs one turn and answers the session reads it made; then the outbox delivers what it queued. */
  const turn = async (event: InboundEvent) => {
    const before = reads.length;
    const result = await engine.handle(event);
    const made = reads.slice(before);
    await support.start();
    await support.stop();
    return { result, reads: made };
  };
  const session = async () => (await store.sessions.findByConversation('webchat:conv-amira'))!;
  return {
    turn,
    session,
    posts,
    ended,
    reads,
    say: (text: string): InboundEvent => ({ ...mine(), kind: 'message', text }),
    click(label: string): InboundEvent {
      for (const view of [...user.activities.values()].map((a) => a.view).reverse()) {
        if (view.screen === 'notice') continue;
        const button = buttonsFor(view as View).find((b) => b.label.replace(/^✓ /, '') === label);
        if (!button) continue;
        const { verb, ...data } = button.data;
        return { ...mine(), kind: 'action', verb, data };
      }
      throw new Error(`no card shows "${label}"`);
    },
    agent: async (body: Record<string, unknown>): Promise<InboundEvent> => {
      const s = await session();
      return {
        id: `agent-${++n}`,
        conversationKey: s.conversationKey,
        channel: s.channel,
        conversation: s.conversation,
        actor: { id: 'agent:lab-1', role: 'agent' },
        at: new Date(timers.now()).toISOString(),
        ...body,
      } as InboundEvent;
    },
    inThread: (threadId: string, body: Record<string, unknown>): InboundEvent =>
      ({
        ...base(`${CHANNEL};messageid=${threadId}`, 'teams', {
          id: '29:sam',
          name: 'Sam Support',
          role: 'user',
        }),
        ...body,
      }) as InboundEvent,
  };
}

test('every kind of turn reads the session once: message, click, agent event, relays and support clicks', async () => {
  const l = await lab();
  const once = async (event: InboundEvent, outcome: string) => {
    const { result, reads } = await l.turn(event);
    assert.equal(result.outcome, outcome, `${event.kind}: ${JSON.stringify(result)}`);
    assert.equal(
      reads.length,
      1,
      `${event.kind} read the session ${reads.length} times: ${reads.join(', ')}`,
    );
    return result;
  };

  // The support channel registers itself (the Teams channel's supportRegister event).
  await once(
    {
      ...l.inThread('1700000000001', {}),
      kind: 'supportRegister',
      confirm: 'thread',
      channelRef: { serviceUrl: SERVICE, conversation: { id: CHANNEL, conversationType: 'channel' } },
    },
    'registered',
  );

  // A user's message (opens the session: the read finds none, then pairing starts).
  await once(l.say('Teams says CAA20004, windows, at home'), 'applied');
  assert.equal((await l.session()).state, 'pairing');
  // An agent's event, then a click on the card it brought.
  await once(await l.agent({ kind: 'paired', device: { hostname: 'PC-1', os: 'Windows 11' } }), 'applied');
  await once(l.click('Yes, that is my computer'), 'applied');
  await once(await l.agent({ kind: 'report', report: inspectedReport(), source: 'agent' }), 'applied');
  await once(l.click('Escalate'), 'applied');
  const escalated = await l.session();
  assert.equal(escalated.state, 'escalated');

  // A user writing to the escalated case: relayed to its thread, the core not moved.
  await once(l.say('no prompt at all'), 'relayed');
  // Support takes the case in its thread: the core runs the click in the same turn (no second read).
  const root = l.posts[1];
  assert.ok(root, 'the case was posted as a new thread');
  await once(
    l.inThread(root, { kind: 'action', verb: 'case.take', data: { sessionId: escalated.id, version: 1 } }),
    'applied',
  );
  assert.equal((await l.session()).escalation?.takenBy, 'Sam Support');
  // A support reply in the case thread, relayed to the user.
  await once(l.inThread(root, { kind: 'threadReply', text: 'Does a proxy prompt show?' }), 'relayed');
  // Support resolves it: the core resolves the session, the agent lifecycle ends the case, one read.
  await once(
    l.inThread(root, { kind: 'action', verb: 'case.resolve', data: { sessionId: escalated.id, version: 1 } }),
    'applied',
  );
  assert.equal((await l.session()).state, 'resolved');
  assert.deepEqual(l.ended, [escalated.id], 'the lifecycle step saw the turn the core ran for support');
});
