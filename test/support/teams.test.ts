/**
 * The Teams side of the support relay, at the interface the Teams channel implements:
 * registration from a channel's conversation reference (the `supportRegister` event the Teams
 * channel sends for an @mention "support here"), the case posted as a new thread of the
 * channel through TeamsProactive (continueConversationAsync underneath), replies addressed to
 * `;messageid=<post>`, the card updated in place, and a support reply in the thread reaching a
 * Teams user. A fake TeamsProactive records what would go to the Bot Connector.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createTeamsTransport,
  splitTeamsConversation,
  type TeamsProactive,
} from '../../bot/channels/teams/support-transport.ts';
import { loadBotConfig } from '../../bot/config.ts';
import { createEngine } from '../../bot/core/engine.ts';
import type { CoreEvent, InboundEvent, Session } from '../../bot/core/types.ts';
import { silentLogger } from '../../bot/log.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { createSupport } from '../../bot/support/index.ts';
import type { CaseRecord } from '../../bot/support/types.ts';
import { fakeTimers } from '../agents/fakes.ts';
import { FakeChannel, PLAYBOOKS } from '../core/fake-channel.ts';

const CHANNEL = '19:supportteam0123456789@thread.tacv2';
const SERVICE = 'https://smba.lab.test/emea/';

function channelRef(threadId?: string): Record<string, unknown> {
  return {
    activityId: threadId ?? '1700000000001',
    bot: { id: '28:bot', name: 'Reconnect' },
    channelId: 'msteams',
    conversation: {
      id: threadId ? `${CHANNEL};messageid=${threadId}` : CHANNEL,
      conversationType: 'channel',
      isGroup: true,
      tenantId: 'tenant-1',
    },
    serviceUrl: SERVICE,
  };
}

function fakeProactive() {
  const sent: { ref: Record<string, unknown>; activity: Record<string, unknown>; id: string }[] = [];
  const updated: { ref: Record<string, unknown>; id: string; activity: Record<string, unknown> }[] = [];
  let n = 0;
  const proactive: TeamsProactive = {
    async send(ref, activity) {
      const id = `1700000100${String(++n).padStart(3, '0')}`;
      sent.push({ ref, activity, id });
      return id;
    },
    async update(ref, id, activity) {
      updated.push({ ref, id, activity });
    },
  };
  return { proactive, sent, updated };
}

let eventNo = 0;
function teamsEvent(
  conversationId: string,
  actor: { id: string; name?: string },
  body: { kind: 'message'; text: string } | { kind: 'action'; verb: string; data: Record<string, unknown> },
  ref: Record<string, unknown> = {
    conversation: { id: conversationId, conversationType: 'personal' },
    serviceUrl: SERVICE,
  },
): CoreEvent {
  return {
    id: `teams:${conversationId}:${++eventNo}`,
    conversationKey: `teams:${conversationId}`,
    channel: 'teams',
    conversation: { id: conversationId, ref, place: splitTeamsConversation(conversationId) },
    actor: { ...actor, role: 'user' },
    at: '2026-11-27T10:00:00.000Z',
    ...body,
  } as CoreEvent;
}

/** "@Reconnect support here" typed in a thread of the channel, as the Teams channel hands it in. */
function registerEvent(threadId: string | undefined, by: string): InboundEvent {
  const id = threadId ? `${CHANNEL};messageid=${threadId}` : CHANNEL;
  return {
    id: `teams:${id}:${++eventNo}`,
    conversationKey: `teams:${id}`,
    channel: 'teams',
    conversation: { id, ref: channelRef(threadId), place: splitTeamsConversation(id) },
    actor: { id: by, role: 'user' },
    at: '2026-11-27T10:00:00.000Z',
    kind: 'supportRegister',
    confirm: 'thread',
    channelRef: channelRef(),
  };
}

async function setup(env: Record<string, string> = {}, withTeams = true) {
  const timers = fakeTimers(Date.parse('2026-11-27T10:00:00.000Z'));
  const store = createMemoryStore<Session>({ now: timers.now });
  const config = loadBotConfig({
    NODE_ENV: 'test',
    DIRECTLINE_SECRET: 'd'.repeat(40),
    DATA_DIR: '/nonexistent-unused',
    ...env,
  });
  const user = new FakeChannel();
  const teams = fakeProactive();
  const support = createSupport({
    store,
    config,
    playbooks: PLAYBOOKS,
    port: user,
    log: silentLogger,
    timers,
    ...(withTeams
      ? { transports: { teams: createTeamsTransport(teams.proactive, config.support.teamsChannel) } }
      : {}),
  });
  const engine = createEngine({
    store,
    port: user,
    playbooks: PLAYBOOKS,
    clock: timers.now,
    support: support.port,
    steps: [support.step],
  });
  await support.start();
  const amira = { id: '29:amira', name: 'Amira Haddad' };
  const say = async (text: string) => {
    const r = await engine.handle(teamsEvent('a:personal-amira', amira, { kind: 'message', text }));
    await support.idle();
    return r;
  };
  return { store, support, engine, user, teams, say, timers };
}

test('registering stores the channel (not the thread) and confirms in the thread it came from', async () => {
  const { store, support, engine, teams } = await setup();
  const result = await engine.handle(registerEvent('1700000000555', '29:lead'));
  assert.equal(result.outcome, 'registered');
  const [registered] = await store.supportChannels.list();
  assert.deepEqual([registered.platform, registered.channelId], ['teams', CHANNEL]);
  assert.equal((registered.ref!.conversation as { id: string }).id, CHANNEL);
  await support.idle();
  assert.equal(teams.sent.length, 1);
  assert.equal((teams.sent[0].ref.conversation as { id: string }).id, `${CHANNEL};messageid=1700000000555`);
  assert.match(String(teams.sent[0].activity.text), /now receives Reconnect escalations/);
  await support.stop();
});

test('SUPPORT_ADMINS limits who may register; SUPPORT_TEAMS_CHANNEL needs no registration at all', async () => {
  const limited = await setup({ SUPPORT_ADMINS: '29:lead' });
  const refused = await limited.engine.handle(registerEvent(undefined, '29:someone'));
  assert.equal(refused.outcome, 'refused');
  assert.equal((await limited.store.supportChannels.list()).length, 0);
  assert.equal((await limited.engine.handle(registerEvent(undefined, '29:lead'))).outcome, 'registered');
  await limited.support.stop();

  const configured = await setup({ SUPPORT_TEAMS_CHANNEL: CHANNEL, SUPPORT_TEAMS_SERVICE_URL: SERVICE });
  await configured.say('Teams says CAA20004, windows, at home');
  await configured.say('escalate');
  const root = configured.teams.sent[0];
  assert.equal(root.ref.serviceUrl, SERVICE);
  assert.equal((root.ref.conversation as { id: string }).id, CHANNEL);
  await configured.support.stop();
});

test('a case goes to the Teams channel as a new post; its report, the card updates and the replies go to that thread', async () => {
  const { store, support, engine, user, teams, say } = await setup();
  // The @mention command arrives as the Teams channel's supportRegister event.
  assert.equal((await engine.handle(registerEvent('1700000000777', '29:lead'))).outcome, 'registered');

  await say('Teams says CAA20004, windows, at home');
  await say('escalate');
  const session = (await store.sessions.findByConversation('teams:a:personal-amira'))!;
  assert.equal(session.state, 'escalated');
  const posts = teams.sent.slice(1);
  const root = posts[0];
  assert.equal((root.ref.conversation as { id: string }).id, CHANNEL, 'a new post in the channel');
  const card = JSON.stringify(root.activity);
  assert.ok(card.includes('application/vnd.microsoft.card.adaptive') && card.includes('Action.Execute'));
  assert.ok(card.includes('case.take') && !card.includes('Amira'), 'buttons, and the user is redacted');
  for (const reply of posts.slice(1))
    assert.equal((reply.ref.conversation as { id: string }).id, `${CHANNEL};messageid=${root.id}`);
  assert.ok(posts.slice(1).some((p) => /summary/.test(String(p.activity.text))));
  assert.ok(user.notices().some((n) => n.text.startsWith(`Your case ${session.escalation?.caseRef}`)));

  // Take case from the thread (an Action.Execute invoke, translated by the Teams adapter).
  const take = teamsEvent(
    `${CHANNEL};messageid=${root.id}`,
    { id: '29:sam', name: 'Sam Support' },
    { kind: 'action', verb: 'case.take', data: { sessionId: session.id, version: 1 } },
    channelRef(root.id),
  );
  await engine.handle(take);
  await support.idle();
  const update = teams.updated.at(-1);
  assert.equal(update?.id, root.id);
  assert.ok(JSON.stringify(update?.activity).includes('Taken by Sam Support'));
  assert.equal(((await store.escalations.get(session.id)) as CaseRecord).data.takenBy?.name, 'Sam Support');
  assert.ok(
    user
      .notices()
      .some((n) => n.text === 'Sam Support from support has taken your case and will reply here.'),
  );

  // A reply in the thread reaches the user; the user's answer reaches the thread.
  await engine.handle(
    teamsEvent(
      `${CHANNEL};messageid=${root.id}`,
      { id: '29:sam', name: 'Sam Support' },
      { kind: 'message', text: 'Does user-1 see a proxy prompt?' },
      channelRef(root.id),
    ),
  );
  await support.idle();
  assert.equal(user.lastNotice().text, 'Sam Support (support): Does Amira Haddad see a proxy prompt?');
  await say('no prompt at all');
  const last = teams.sent.at(-1)!;
  assert.equal(last.activity.text, 'user-1 wrote: no prompt at all');
  assert.equal((last.ref.conversation as { id: string }).id, `${CHANNEL};messageid=${root.id}`);
  await support.stop();
});

test('posts to Teams wait (parked) until the Teams transport is plugged in, then go out', async () => {
  const { support, engine, say, teams, timers, store } = await setup({}, false);
  await engine.handle(registerEvent(undefined, '29:lead'));
  await say('Teams says CAA20004, windows, at home');
  await say('escalate');
  for (let i = 0; i < 6; i++) {
    await timers.advance(60_000);
    await support.idle();
  }
  assert.ok((await store.outbox.list('parked')).length > 0);
  await support.useTransport('teams', createTeamsTransport(teams.proactive));
  await support.idle();
  assert.equal((await store.outbox.list('parked')).length, 0);
  assert.ok(teams.sent.some((s) => JSON.stringify(s.activity).includes('case.take')));
  await support.stop();
});
