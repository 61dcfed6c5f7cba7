/**
 * Issue 8 end to end on the wire: a web chat user (Direct Line REST) escalates, and the case
 * appears in a new thread of the Slack support channel (the local Slack Web API) with findings,
 * steps, the summary and the JSON, redacted; support takes it, re-runs the checks (the agent's
 * result is the core event the gateway would hand in) and sees the difference; replies cross in
 * both directions; Resolve closes both sides; a click from outside the support channel, or a
 * forged one from another user, moves nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Session } from '../../bot/core/types.ts';
import type { CaseRecord } from '../../bot/support/types.ts';
import type { StoredMessage } from '../lab/slack-api.ts';
import { healthyReport, inspectedReport, PLANTED, plantedValues } from './fixtures.ts';
import { type Lab, PLAYBOOKS, SUPPORT_CHANNEL, startLab } from './harness.ts';
import { slash, supportClick, supportReply, supportThreads } from './slack-support.ts';
import { type WebUser, webUser } from './web-user.ts';

const SAM = { id: 'U0SUPPORT1', name: 'sam.support' };

async function sessionOf(lab: Lab, user: WebUser): Promise<Session> {
  const s = await lab.store.sessions.findByConversation(`webchat:${user.conversationId}`);
  if (!s) throw new Error('no session');
  return s;
}

/** The user reports the problem, pairs the agent, gets findings from it and presses Escalate. */
async function escalatedCase(lab: Lab): Promise<{ user: WebUser; session: Session }> {
  const user = await webUser(lab, PLANTED.userName);
  await user.say(`Teams says CAA20004 on my ${PLANTED.hostnames[1]}, windows, at home`);
  let session = await sessionOf(lab, user);
  assert.equal(session.state, 'pairing');
  await lab.agent(session, {
    kind: 'paired',
    device: { hostname: PLANTED.hostnames[0], os: 'Windows 11', user: PLANTED.login },
  });
  await user.click('Yes, that is my computer');
  session = await sessionOf(lab, user);
  await lab.agent(session, { kind: 'report', report: inspectedReport(), source: 'agent' });
  await user.say(`it is ${PLANTED.hostnames[2]} with ip ${PLANTED.ipv4[1]}`);
  await user.click('Escalate');
  session = await sessionOf(lab, user);
  assert.equal(session.state, 'escalated');
  return { user, session };
}

describe('a case in the Slack support thread, from a web chat user', () => {
  let lab: Lab;
  let user: WebUser;
  let session: Session;
  let root: StoredMessage;

  before(async () => {
    lab = await startLab();
    const answer = await slash(lab, 'support-here', SUPPORT_CHANNEL, 'U0LEAD0001');
    assert.match(String(answer.text), /now receives Reconnect escalations/);
    ({ user, session } = await escalatedCase(lab));
    const threads = supportThreads(lab.api);
    assert.equal(threads.roots.length, 1, 'one new thread per case');
    root = threads.roots[0];
  });
  after(() => lab.close());

  test('the case card shows symptom, code, device, findings with evidence and the steps; the report follows in the thread', async () => {
    const caseRef = session.escalation?.caseRef;
    assert.match(String(caseRef), /^RC-/);
    const card = JSON.stringify(root.blocks);
    assert.ok(card.includes(`Case ${caseRef}`), card);
    assert.ok(card.includes('CAA20004'));
    assert.ok(
      card.includes('tls.inspection') && card.includes('tls:login.microsoftonline.com:443'),
      'finding and its evidence',
    );
    assert.ok(card.includes('host-1') && card.includes('windows'), 'the device, by pseudonym');
    const firstStep = PLAYBOOKS.steps.get(session.plan[0].stepId)?.title ?? '';
    assert.ok(firstStep !== '' && card.includes(firstStep.slice(0, 30)), `the steps: ${firstStep}`);
    assert.ok(card.includes('Take case') && card.includes('Re-run checks') && card.includes('Resolve'));
    const replies = supportThreads(lab.api).replies(root);
    assert.match(String(replies[0].text), /Case RC-.*: summary/);
    assert.match(String(replies[0].text), /Checks \(latest result each\)/);
    const json = replies
      .filter((r) => /\.json/.test(String(r.text)))
      .map((r) => String(r.text).replace(/^[^\n]*\n```|```$/g, ''))
      .join('');
    const parsed = JSON.parse(json.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
    assert.equal(parsed.schema, 'reconnect.case/v1');
    assert.equal(parsed.report.findings[0].id, 'tls.inspection');
    assert.ok(parsed.probes.length >= 4);
  });

  test('the user is told the case number and that a person will reply here', async () => {
    const texts = await user.texts();
    assert.ok(
      texts.some(
        (t) =>
          t.includes(`Your case ${session.escalation?.caseRef} is with the support team now`) &&
          /reply right here/.test(t),
      ),
      texts.join('\n'),
    );
  });

  test('nothing planted reaches the thread: names, the host in three spellings, addresses, MAC, e-mail, token', () => {
    const posted = supportThreads(lab.api).text().toLowerCase();
    for (const value of plantedValues())
      assert.ok(!posted.includes(value.toLowerCase()), `"${value}" reached the support thread`);
    assert.ok(
      posted.includes('user-1') && posted.includes('host-1') && posted.includes('10.x-'),
      'pseudonyms instead',
    );
  });

  test('Take case: the card shows who took it, and the user hears about it', async () => {
    assert.equal(await supportClick(lab, root, 'case.take', SAM), 200);
    const card = lab.api.messages.get(`${SUPPORT_CHANNEL}/${root.ts}`);
    assert.ok(card && card.updates >= 1 && JSON.stringify(card.blocks).includes('Taken by sam.support'));
    assert.ok(!JSON.stringify(card?.blocks).includes('Take case'), 'no second Take button');
    assert.ok((await user.texts()).some((t) => t.includes('sam.support from support has taken your case')));
    const record = (await lab.store.escalations.get(session.id)) as CaseRecord;
    assert.deepEqual([record.status, record.data.takenBy?.name], ['taken', 'sam.support']);
  });

  test("support's reply reaches the user with the user's own names; the user's reply reaches the thread, redacted", async () => {
    await supportReply(lab, root, SAM.id, 'Hi! Is host-1 on the office VPN right now?');
    const texts = await user.texts();
    assert.ok(
      texts.includes(`sam.support (support): Hi! Is ${PLANTED.hostnames[0]} on the office VPN right now?`),
      texts.join('\n'),
    );
    const before = (await user.texts()).length;
    await user.say(`No, home wifi. Mail me at ${PLANTED.email} if needed`);
    const replies = supportThreads(lab.api)
      .replies(root)
      .map((r) => String(r.text));
    assert.ok(
      replies.includes('user-1 wrote: No, home wifi. Mail me at email-1 if needed'),
      replies.join('\n'),
    );
    assert.equal((await user.texts()).length, before, 'the core did not answer the user with a help text');
  });

  test('Re-run checks: a check job goes to the agent, and the difference from the last run is posted', async () => {
    const jobs = lab.jobs.length;
    await supportClick(lab, root, 'case.rerun', SAM);
    assert.equal(lab.jobs.length, jobs + 1);
    assert.equal(lab.jobs.at(-1)?.type, 'check');
    let replies = supportThreads(lab.api)
      .replies(root)
      .map((r) => String(r.text));
    assert.ok(
      replies.some((t) => t.includes('sam.support asked for a re-run')),
      replies.join('\n'),
    );
    session = await sessionOf(lab, user);
    await lab.agent(session, { kind: 'report', report: healthyReport(), source: 'agent' });
    replies = supportThreads(lab.api)
      .replies(root)
      .map((r) => String(r.text));
    const diff = replies.find((t) => t.startsWith('Re-run asked by sam.support'));
    assert.ok(diff, replies.join('\n'));
    assert.match(diff, /1 check changed status/);
    assert.match(diff, /warn → ✅ pass {2}tls:login\.microsoftonline\.com:443/);
    assert.match(diff, /new: ✅ pass {2}dns:login\.microsoftonline\.com@system/);
    assert.match(diff, /Gone: tls\.inspection/);
    const record = (await lab.store.escalations.get(session.id)) as CaseRecord;
    assert.equal(record.data.rerun, undefined, 'the re-run is settled');
  });

  test('a click from outside the support channel, or a forged one from another user, moves nothing', async () => {
    const taken = (await lab.store.escalations.get(session.id)) as CaseRecord;
    await supportClick(lab, root, 'case.resolve', {
      id: 'U0OUTSIDER',
      name: 'mallory',
      channel: 'C0OTHER001',
    });
    // Another support channel (registered since) is still not where this case lives.
    await slash(lab, 'support-here', 'C0SUPPORT2', 'U0LEAD0001');
    await supportClick(lab, root, 'case.resolve', {
      id: 'U0SECOND01',
      name: 'other.team',
      channel: 'C0SUPPORT2',
    });
    const mallory = await webUser(lab, 'Mallory');
    await mallory.submit({ verb: 'case.take', sessionId: session.id, version: session.version });
    await mallory.submit({
      verb: 'case.resolve',
      sessionId: session.id,
      version: (await sessionOf(lab, user)).version,
    });
    const after = (await lab.store.escalations.get(session.id)) as CaseRecord;
    assert.deepEqual([after.status, after.data.takenBy?.name], [taken.status, 'sam.support']);
    assert.notEqual((await sessionOf(lab, user)).state, 'resolved');
    const audit = await lab.store.audit.list(session.id);
    assert.ok(audit.some((e) => e.kind === 'support_refused' && e.actor === 'U0OUTSIDER'));
    assert.ok(
      audit.some(
        (e) =>
          e.kind === 'support_refused' && e.actor === 'U0SECOND01' && e.data?.postedTo === SUPPORT_CHANNEL,
      ),
    );
    const mallorys = audit.filter((e) => e.kind === 'support_refused' && e.actor === mallory.userId);
    assert.deepEqual(
      mallorys.map((e) => e.data?.verb),
      ['case.take', 'case.resolve'],
    );
    assert.ok(
      !(await user.texts()).some((t) => /mallory/i.test(t)),
      "nothing of it shows in the user's chat",
    );
  });

  test('Resolve closes both sides: the user gets the resolved card, the thread and the card say so', async () => {
    await supportClick(lab, root, 'case.resolve', SAM);
    assert.equal((await sessionOf(lab, user)).state, 'resolved');
    const cards = JSON.stringify(await user.cards());
    assert.match(cards, /It broke again/, 'the resolved card');
    const record = (await lab.store.escalations.get(session.id)) as CaseRecord;
    assert.deepEqual([record.status, record.data.closedBy], ['closed', 'sam.support']);
    const card = JSON.stringify(lab.api.messages.get(`${SUPPORT_CHANNEL}/${root.ts}`)?.blocks);
    assert.ok(card.includes('Resolved') && !card.includes('Re-run checks'), card);
    const replies = supportThreads(lab.api)
      .replies(root)
      .map((r) => String(r.text));
    assert.ok(replies.includes('Resolved by sam.support. The user has been told.'));
    const posted = supportThreads(lab.api).text().toLowerCase();
    for (const value of plantedValues())
      assert.ok(!posted.includes(value.toLowerCase()), `"${value}" reached the thread later`);
    // Closed: the user's words go to the bot again, not to the thread.
    const count = supportThreads(lab.api).replies(root).length;
    await user.say('thanks!');
    assert.equal(supportThreads(lab.api).replies(root).length, count);
  });

  test('a closed case takes no Take, Re-run or Resolve: the thread is told, nothing moves', async () => {
    const before = (await lab.store.escalations.get(session.id)) as CaseRecord;
    // Buttons from an older copy of the card (Slack keeps it in the channel's history).
    const { version } = await sessionOf(lab, user);
    for (const verb of ['case.take', 'case.rerun', 'case.resolve']) {
      await supportClick(lab, root, verb, SAM, JSON.stringify({ verb, sessionId: session.id, version }));
    }
    const replies = supportThreads(lab.api)
      .replies(root)
      .map((r) => String(r.text));
    assert.equal(replies.filter((t) => t.startsWith('This case is already closed.')).length, 3);
    const after = (await lab.store.escalations.get(session.id)) as CaseRecord;
    assert.deepEqual([after.status, after.data.takenBy], [before.status, before.data.takenBy]);
    assert.equal((await sessionOf(lab, user)).state, 'resolved');
  });
});

test('with no support channel the user is told how to reach IT, and the case is posted once a channel registers', async () => {
  const lab = await startLab();
  try {
    const { user, session } = await escalatedCase(lab);
    const texts = await user.texts();
    assert.ok(
      texts.some(
        (t) =>
          t.startsWith('Call the IT desk on 555-0100.') && t.includes(String(session.escalation?.caseRef)),
      ),
      texts.join('\n'),
    );
    assert.equal(supportThreads(lab.api).roots.length, 0);
    // The card says what is true too: whom to contact, not that support has the case.
    const card = JSON.stringify((await user.cards()).at(-1));
    assert.match(card, /Your case is saved/);
    assert.match(card, /Nobody from support can answer in this chat yet\. Call the IT desk on 555-0100\./);
    assert.doesNotMatch(card, /is with support|Passed to support/);
    await user.say('what now?');
    assert.match(
      (await user.texts()).at(-1) ?? '',
      /Nobody from support can answer in this chat yet\. Call the IT desk/,
    );
    const record = (await lab.store.escalations.get(session.id)) as CaseRecord;
    assert.equal(record.status, 'open', 'kept for when a channel is set up');

    const refused = await slash(lab, 'support-here', SUPPORT_CHANNEL, 'U0LEAD0001');
    assert.match(String(refused.text), /now receives/);
    assert.equal(supportThreads(lab.api).roots.length, 1);
    assert.ok((await user.texts()).some((t) => t.includes('has reached the support team')));
  } finally {
    await lab.close();
  }
});

test('REDACTION=off posts the case as it is; SUPPORT_SLACK_CHANNEL needs no command and refuses one', async () => {
  const lab = await startLab({ env: { REDACTION: 'off', SUPPORT_SLACK_CHANNEL: SUPPORT_CHANNEL } });
  try {
    await escalatedCase(lab);
    const posted = supportThreads(lab.api).text();
    assert.ok(
      posted.includes(PLANTED.email) &&
        posted.includes(PLANTED.hostnames[0]) &&
        posted.includes(PLANTED.ipv4[0]),
    );
    const answer = await slash(lab, 'support-here', 'C0ELSEWHERE', 'U0LEAD0001');
    assert.match(String(answer.text), /set by the operator \(SUPPORT_SLACK_CHANNEL\)/);
  } finally {
    await lab.close();
  }
});

test('"still failing" when every step was tried escalates by itself: the last step\'s button, or the words on the findings card', async () => {
  const lab = await startLab({ env: { SUPPORT_SLACK_CHANNEL: SUPPORT_CHANNEL } });
  try {
    const planEnd = async (name: string) => {
      const user = await webUser(lab, name);
      await user.say('Teams says CAA20004, windows, at home');
      let session = await sessionOf(lab, user);
      await lab.agent(session, { kind: 'paired', device: { hostname: `PC-${name}`, os: 'Windows 11' } });
      await user.click('Yes, that is my computer');
      session = await sessionOf(lab, user);
      await lab.agent(session, { kind: 'report', report: inspectedReport(), source: 'agent' });
      session = await sessionOf(lab, user);
      assert.equal(session.plan.length, 2, 'the TLS inspection plan has two steps');
      await user.click('Show me the fix');
      await user.click('Skip');
      return user;
    };
    const byButton = await planEnd('Uma');
    await byButton.click('Still failing');
    assert.equal((await sessionOf(lab, byButton)).state, 'escalated');

    const byWords = await planEnd('Vic');
    await byWords.click('Skip');
    assert.equal((await sessionOf(lab, byWords)).state, 'plan');
    await byWords.say("it still doesn't work");
    assert.equal((await sessionOf(lab, byWords)).state, 'escalated');
    assert.equal(supportThreads(lab.api).roots.length, 2, 'both cases reached the support channel');
  } finally {
    await lab.close();
  }
});
