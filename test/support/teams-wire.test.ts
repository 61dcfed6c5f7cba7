/**
 * Issue 8 on Teams, over the wire: signed activities into /api/messages of the bot as
 * bot/app.ts assembles it, and a local Bot Connector recording what the bot sends. A team's
 * channel registers with "@Reconnect support here"; a Teams user escalates (Action.Execute) and
 * the case card starts a new thread in that channel (the connector's "create conversation"
 * with the channel in channelData); a support reply in the thread reaches the user and the
 * user's reply reaches the thread; Take case and Resolve clicked in the thread update the card
 * and close both sides; clicks from another channel or another chat move nothing. Nothing
 * leaves loopback.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ONLY_IN_A_CHANNEL } from '../../bot/channels/teams/support-command.ts';
import type { CaseRecord } from '../../bot/support/types.ts';
import type { ConnectorRecord } from '../lab/bot-connector.ts';
import { ADA, executeActivity, MALLORY, messageActivity } from '../teams/activities.ts';
import { guardNetwork, type NetGuard } from '../teams/net-guard.ts';
import {
  APP_ID,
  cardOf,
  channelExecute,
  channelMention,
  executeData,
  LEAD,
  OTHER_CHANNEL,
  SAM,
  SUPPORT_CHANNEL,
  startTeamsSupportLab,
  TENANT,
  type TeamsSupportLab,
  threadOf,
} from './teams-lab.ts';

const ADA_CHAT = 'a:lab-personal-ada';
const text = (value: unknown) => JSON.stringify(value ?? {});

describe('a case in a Teams support channel, from a Teams user', () => {
  let guard: NetGuard;
  let lab: TeamsSupportLab;
  let root: ConnectorRecord;
  let thread: string;
  let sessionId: string;

  /** The case card as the channel shows it now: the first post, or its latest update. */
  const currentCard = () =>
    cardOf(
      lab.connector.records.filter((r) => r.op === 'update' && r.activityId === root.activityId).at(-1) ??
        root,
    );
  const threadTexts = () => lab.texts(thread);

  before(async () => {
    guard = guardNetwork();
    lab = await startTeamsSupportLab();
    // The support lead writes "@Reconnect support here" as a new post in the channel.
    const registered = await lab.post(
      channelMention(lab, 'support here', { postId: '1700000000100', user: LEAD }),
    );
    assert.equal(registered.status, 200);

    // Ada, in her personal chat, describes the problem and clicks Escalate (Action.Execute).
    const o = lab.personal(ADA_CHAT, ADA);
    await lab.post(messageActivity('Teams says CAA20004 on my Windows laptop at home', o));
    const session = await lab.session(ADA_CHAT);
    sessionId = session.id;
    const live = lab.connector.records.find((r) => r.activityId === session.cardActivityId)!;
    const escalate = await lab.post(
      executeActivity(executeData(cardOf(live), 'case.escalate'), live.activityId!, o),
    );
    assert.equal(escalate.status, 200);
    assert.equal((await lab.session(ADA_CHAT)).state, 'escalated');
    const created = lab.connector.find('create');
    assert.equal(created.length, 1, 'one new thread for the case');
    root = created[0];
    thread = threadOf(SUPPORT_CHANNEL, root.activityId!);
  });
  after(async () => {
    await lab?.close();
    guard.release();
  });

  test('the channel is registered by its @mention and says so in the thread of the command', async () => {
    const [channel] = await lab.bot.store.supportChannels.list();
    assert.deepEqual(
      [channel.platform, channel.channelId, channel.registeredBy],
      ['teams', SUPPORT_CHANNEL, LEAD.id],
    );
    const ref = channel.ref as { serviceUrl: string; conversation: { id: string; tenantId: string } };
    assert.deepEqual(
      [ref.serviceUrl, ref.conversation.id, ref.conversation.tenantId],
      [lab.connector.url, SUPPORT_CHANNEL, TENANT],
    );
    const [confirmation] = lab.texts(threadOf(SUPPORT_CHANNEL, '1700000000100'));
    assert.match(confirmation, /^This Teams channel now receives Reconnect escalations/);
  });

  test('"support here" in a personal or group chat registers nothing and says why', async () => {
    const o = lab.personal('a:lab-personal-mallory', MALLORY);
    await lab.post(messageActivity('support here', o));
    const group = messageActivity('<at>Reconnect</at> support here', {
      ...o,
      conversationId: '19:groupchat01@thread.v2',
    });
    await lab.post({
      ...group,
      conversation: {
        id: '19:groupchat01@thread.v2',
        conversationType: 'groupChat',
        isGroup: true,
        tenantId: TENANT,
      },
      entities: [{ type: 'mention', text: '<at>Reconnect</at>', mentioned: { id: `28:${APP_ID}` } }],
    });
    assert.deepEqual(lab.texts('a:lab-personal-mallory'), [ONLY_IN_A_CHANNEL]);
    assert.deepEqual(lab.texts('19:groupchat01@thread.v2'), [ONLY_IN_A_CHANNEL]);
    assert.equal((await lab.bot.store.supportChannels.list()).length, 1);
    await assert.rejects(lab.session('a:lab-personal-mallory'), /no session/, 'the core never saw it');
  });

  test('the case card is a new post in the support channel; the report follows in its thread', async () => {
    const params = root.body as {
      isGroup: boolean;
      bot: { id: string };
      channelData: Record<string, unknown>;
    };
    assert.equal(params.isGroup, true);
    assert.equal(params.bot.id, `28:${APP_ID}`);
    assert.deepEqual(params.channelData, { channel: { id: SUPPORT_CHANNEL }, tenant: { id: TENANT } });
    assert.match(root.authorization ?? '', /^Bearer lab-token-/);
    const card = text(cardOf(root));
    const caseRef = (await lab.session(ADA_CHAT)).escalation?.caseRef;
    assert.ok(caseRef && card.includes(caseRef) && card.includes('CAA20004'), card);
    for (const verb of ['case.take', 'case.rerun', 'case.resolve']) executeData(cardOf(root), verb);
    assert.ok(!card.includes('Lovelace') && card.includes('user-1'), 'the user is redacted');
    const replies = threadTexts();
    assert.ok(
      replies.some((t) => t.startsWith(`**Case ${caseRef}: summary**`)),
      replies.join('\n'),
    );
    assert.ok(replies.some((t) => t.startsWith(`**${caseRef}.json**`)));
  });

  test('the user who clicked Escalate is told the case number (a notice outside the invoke, not lost in it)', async () => {
    const caseRef = (await lab.session(ADA_CHAT)).escalation?.caseRef;
    const told = lab
      .texts(ADA_CHAT)
      .filter((t) => t.startsWith(`Your case ${caseRef} is with the support team now`));
    assert.equal(told.length, 1, lab.texts(ADA_CHAT).join('\n'));
  });

  test("a support reply in the thread reaches the user; the user's reply reaches the thread, redacted", async () => {
    const reply = channelMention(lab, 'Hi! Is user-1 on the office VPN right now?', {
      postId: root.activityId!,
      user: SAM,
    });
    assert.equal((await lab.post(reply)).status, 200);
    assert.ok(
      lab.texts(ADA_CHAT).includes('Sam Support (support): Hi! Is Ada Lovelace on the office VPN right now?'),
      lab.texts(ADA_CHAT).join('\n'),
    );
    const before = lab.texts(ADA_CHAT).length;
    await lab.post(messageActivity('No, home wifi. I am Ada Lovelace.', lab.personal(ADA_CHAT, ADA)));
    assert.ok(threadTexts().includes('user-1 wrote: No, home wifi. I am user-1.'), threadTexts().join('\n'));
    assert.equal(lab.texts(ADA_CHAT).length, before, 'the bot did not answer the user itself');
  });

  test('Take case from the thread: the card shows who took it, and the user hears about it', async () => {
    const click = channelExecute(lab, executeData(currentCard(), 'case.take'), root.activityId!, {
      postId: root.activityId!,
      user: SAM,
    });
    const answered = await lab.post(click);
    assert.equal(answered.status, 200);
    // The case card changes through the thread's own update; the invoke claims nothing about it.
    assert.deepEqual(answered.body, {
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: 'Done.',
    });
    const update = lab.connector.find('update', thread).at(-1);
    assert.equal(update?.activityId, root.activityId, 'the case card is updated in place');
    assert.match(text(cardOf(update!)), /Taken by Sam Support/);
    assert.throws(() => executeData(cardOf(update!), 'case.take'), /no Action.Execute "case.take"/);
    assert.ok(
      lab.texts(ADA_CHAT).includes('Sam Support from support has taken your case and will reply here.'),
    );
    const record = (await lab.bot.store.escalations.get(sessionId)) as CaseRecord;
    assert.deepEqual([record.status, record.data.takenBy?.name], ['taken', 'Sam Support']);
  });

  test('clicks from another channel, another support channel or a chat move nothing', async () => {
    const resolve = executeData(currentCard(), 'case.resolve');
    const updates = lab.connector.find('update', thread).length;
    // A member of another team's channel, with the card's data (a copy, or a forged invoke).
    const elsewhere = channelExecute(lab, resolve, root.activityId!, {
      channel: OTHER_CHANNEL,
      team: OTHER_CHANNEL,
      postId: '1700000000900',
      user: MALLORY,
    });
    assert.equal((await lab.post(elsewhere)).status, 200);
    // That channel registers as a support channel too: still not where this case lives.
    await lab.post(
      channelMention(lab, 'support here', {
        channel: OTHER_CHANNEL,
        team: OTHER_CHANNEL,
        postId: '1700000000901',
        user: LEAD,
      }),
    );
    await lab.post(
      channelExecute(lab, resolve, root.activityId!, {
        channel: OTHER_CHANNEL,
        team: OTHER_CHANNEL,
        postId: '1700000000901',
        user: MALLORY,
      }),
    );
    assert.ok(
      lab
        .texts(threadOf(OTHER_CHANNEL, '1700000000901'))
        .some((t) => /posted to another support channel/.test(t)),
    );
    // And from a personal chat.
    await lab.post(
      executeActivity(resolve, root.activityId!, lab.personal('a:lab-personal-mallory', MALLORY)),
    );

    assert.notEqual((await lab.session(ADA_CHAT)).state, 'resolved');
    const record = (await lab.bot.store.escalations.get(sessionId)) as CaseRecord;
    assert.equal(record.status, 'taken');
    assert.equal(lab.connector.find('update', thread).length, updates, 'the case card did not change');
    const refused = (await lab.bot.store.audit.list(sessionId)).filter((e) => e.kind === 'support_refused');
    assert.equal(refused.filter((e) => e.actor === MALLORY.id).length, 3, text(refused));
    assert.ok(!lab.texts(ADA_CHAT).some((t) => /mallory/i.test(t)), "nothing of it shows in the user's chat");
  });

  test('Resolve from the thread closes both sides', async () => {
    const click = channelExecute(lab, executeData(currentCard(), 'case.resolve'), root.activityId!, {
      postId: root.activityId!,
      user: SAM,
    });
    assert.equal((await lab.post(click)).status, 200);
    assert.equal((await lab.session(ADA_CHAT)).state, 'resolved');
    const userCards = lab.connector.records.filter((r) => r.conversationId === ADA_CHAT).map(cardOf);
    assert.match(text(userCards.at(-1)), /It broke again/, 'the user sees the resolved card');
    const record = (await lab.bot.store.escalations.get(sessionId)) as CaseRecord;
    assert.deepEqual([record.status, record.data.closedBy], ['closed', 'Sam Support']);
    const card = text(currentCard());
    assert.match(card, /Resolved/);
    assert.throws(
      () => executeData(currentCard(), 'case.rerun'),
      /no Action.Execute/,
      'no more buttons but Reopen',
    );
    assert.ok(threadTexts().includes('Resolved by Sam Support. The user has been told.'));
    // Closed: the user's words go to the bot again, not to the thread.
    const count = threadTexts().length;
    await lab.post(messageActivity('thanks!', lab.personal(ADA_CHAT, ADA)));
    assert.equal(threadTexts().length, count);
  });

  test('nothing tried to leave loopback', () => {
    assert.deepEqual(guard.refused, []);
  });
});

test('a thread the connector refused at first (503) still starts once, with no apology in the channel', async () => {
  const guard = guardNetwork();
  const lab = await startTeamsSupportLab();
  try {
    await lab.post(channelMention(lab, 'support here', { postId: '1700000000200', user: LEAD }));
    lab.connector.failNext('create', 503);
    const o = lab.personal(ADA_CHAT, ADA);
    await lab.post(messageActivity('Teams says CAA20004 on my Windows laptop at home', o));
    await lab.post(messageActivity('escalate', o));
    assert.equal((await lab.session(ADA_CHAT)).state, 'escalated');
    // The outbox backs off (about a second) and tries again.
    const created = await lab.connector.waitFor((r) => r.op === 'create', AbortSignal.timeout(20_000));
    await lab.bot.support.idle();
    assert.equal(lab.connector.find('create').length, 1);
    const record = (await lab.bot.store.escalations.get((await lab.session(ADA_CHAT)).id)) as CaseRecord;
    assert.equal(record.data.support?.threadId, created.activityId, 'the case knows its thread');
    const channelTexts = lab.connector.records
      .filter((r) => r.conversationId?.startsWith(SUPPORT_CHANNEL))
      .map((r) => String(r.body.text ?? ''));
    assert.ok(!channelTexts.some((t) => /went wrong/.test(t)), channelTexts.join('\n'));
    assert.ok(lab.texts(threadOf(SUPPORT_CHANNEL, created.activityId!)).some((t) => /summary/.test(t)));
    assert.deepEqual(guard.refused, []);
  } finally {
    await lab.close();
    guard.release();
  }
});

test('SUPPORT_ADMINS may name Teams users by their Entra object id: others are refused in the thread', async () => {
  const guard = guardNetwork();
  const lab = await startTeamsSupportLab({ SUPPORT_ADMINS: `U0SLACKADMIN,${LEAD.aadObjectId}` });
  try {
    await lab.post(channelMention(lab, 'support here', { postId: '1700000000300', user: SAM }));
    assert.equal((await lab.bot.store.supportChannels.list()).length, 0);
    assert.match(
      lab.texts(threadOf(SUPPORT_CHANNEL, '1700000000300'))[0],
      /Only the people listed in SUPPORT_ADMINS/,
    );
    await lab.post(channelMention(lab, 'Support here!', { postId: '1700000000301', user: LEAD }));
    const [channel] = await lab.bot.store.supportChannels.list();
    assert.deepEqual([channel?.channelId, channel?.registeredBy], [SUPPORT_CHANNEL, LEAD.aadObjectId]);
    assert.match(
      lab.texts(threadOf(SUPPORT_CHANNEL, '1700000000301'))[0],
      /now receives Reconnect escalations/,
    );
    assert.deepEqual(guard.refused, []);
  } finally {
    await lab.close();
    guard.release();
  }
});
