/**
 * The hand-off's copy button, per channel (issue 14 item 6). Web chat: "Copy text" carries the
 * whole text for the page to write to the clipboard (bot/channels/webchat/copy.ts); when the page
 * cannot, its post reaches the bot without the text and the bot answers with the text as one
 * message. Teams and Slack: "Send as text to copy" posts the hand-off as one message with a code
 * block (their apps let a person select or long-press a message to copy it; a card's text
 * cannot be copied on Teams mobile).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderNotice } from '../../bot/channels/slack/port.ts';
import { handoffView } from '../../bot/core/handoff-view.ts';
import { noticeMarkdown } from '../../bot/core/notices.ts';
import type { NoticeView, Session } from '../../bot/core/types.ts';
import { buttonsFor } from '../../cards/actions.ts';
import { chat } from './fake-channel.ts';

const paste = (name: string) => readFileSync(new URL(`../fixtures/paste/${name}`, import.meta.url), 'utf8');
const SENTENCE =
  /DNS resolver 192\.168\.1\.1 answered NXDOMAIN \(no such name\) for login\.microsoftonline\.com/;

async function caseWithDnsFailure() {
  const c = chat();
  await c.say('CAA20004 windows at home');
  await c.say(paste('nslookup-windows-nxdomain.txt'));
  return { c, session: await c.session() };
}

/** Presses `verb` on the session's current card version, as a channel delivers a button press. */
function press(c: ReturnType<typeof chat>, s: Session, verb: 'handoff.show' | 'handoff.copy', id: string) {
  return c.engine.handle({
    id,
    kind: 'action',
    verb,
    data: { sessionId: s.id, version: s.viewVersion },
    conversationKey: s.conversationKey,
    channel: s.channel,
    conversation: { id: 'conv-1' },
    actor: { id: s.user.id, role: 'user' },
    at: '2026-11-27T10:10:00.000Z',
  });
}

test('web chat: "Copy text" carries the whole hand-off for the page to put on the clipboard', async () => {
  const { c, session } = await caseWithDnsFailure();
  await press(c, session, 'handoff.show', 'show-1');
  const view = c.channel.card('handoff').view;
  const copy = buttonsFor(view).find((b) => b.data.verb === 'handoff.copy');
  assert.equal(copy?.label, 'Copy text');
  assert.match(copy?.data.value ?? '', SENTENCE);
  assert.ok(
    copy?.data.value?.includes('DNS: these names must resolve to Microsoft'),
    'every section, not only the findings',
  );
});

test('the copy press that reaches the bot (Teams, Slack, or the page without a clipboard) gets the text as one code block', async () => {
  const { c, session } = await caseWithDnsFailure();
  await press(c, session, 'handoff.copy', 'copy-1');
  const said = c.channel.lastNotice();
  assert.match(said.text, /press and hold it on a phone, or select it on a computer/);
  const block = /```\n([\s\S]*)\n```$/.exec(said.text)?.[1] ?? '';
  assert.match(block, SENTENCE);
  assert.equal(`${block}\n`, handoffView(session).copy?.text, 'the same text the card holds, whole');
  // The channels' own renderings keep it a code block: Teams and web chat markdown, Slack mrkdwn.
  assert.match(noticeMarkdown(said), /```\nReconnect admin hand-off[\s\S]*NXDOMAIN[\s\S]*\n```/);
  const slack = renderNotice(said as NoticeView).blocks?.[0] as { text: { text: string } };
  assert.match(slack.text.text, /```[\s\S]*NXDOMAIN[\s\S]*```/);
});

test('Teams and Slack: the button says it sends the text, and carries none', async () => {
  const { session } = await caseWithDnsFailure();
  for (const channel of ['teams', 'slack'] as const) {
    const copy = buttonsFor(handoffView({ ...session, channel })).find((b) => b.data.verb === 'handoff.copy');
    assert.equal(copy?.label, 'Send as text to copy', channel);
    assert.equal(
      copy?.data.value,
      undefined,
      `${channel}: no text in the button (Slack caps a value at 2,000 characters)`,
    );
  }
});

test('Slack: a hand-off longer than one section goes out whole, in several code-block sections', () => {
  const lines = Array.from(
    { length: 120 },
    (_, i) => `host-${i}.teams.microsoft.com  443  TCP  Teams service`,
  );
  const long: NoticeView = {
    screen: 'notice',
    sessionId: 's',
    version: 1,
    tone: 'info',
    text: `Here is the text.\n\n\`\`\`\n${lines.join('\n')}\n\`\`\``,
  };
  const blocks = (renderNotice(long).blocks ?? []) as { text: { text: string } }[];
  assert.ok(blocks.length > 1, 'more than one section');
  for (const b of blocks) {
    assert.ok(b.text.text.length <= 3000, `a section of ${b.text.text.length} characters`);
    assert.equal(
      (b.text.text.match(/```/g) ?? []).length % 2,
      0,
      'every section closes the code blocks it opens',
    );
  }
  const joined = blocks.map((b) => b.text.text).join('\n');
  for (const line of lines) assert.ok(joined.includes(line), `${line} is sent`);
});
