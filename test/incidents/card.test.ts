/**
 * The incident card on every channel: a valid Adaptive Card 1.5 for Teams (both action styles),
 * valid Block Kit for Slack, plain text; titled "Incident", with its scope rows, the cause and
 * its evidence, the incident's own buttons routed to the incident; redacted like case threads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { incidentCard, summaryOf } from '../../bot/incidents/card.ts';
import type { IncidentDoc } from '../../bot/incidents/types.ts';
import { createRedactor, newRedactionState } from '../../bot/support/redact.ts';
import { buttonsFor } from '../../cards/actions.ts';
import { renderSlack } from '../../cards/slack.ts';
import { renderTeams } from '../../cards/teams.ts';
import { renderText } from '../../cards/text.ts';
import type { EscalationView } from '../../cards/views.ts';
import { allStrings, checkAdaptiveCard } from '../cards/adaptive-schema.ts';
import { checkSlackMessage } from '../cards/slack-schema.ts';

const T0 = Date.parse('2026-12-01T09:00:00.000Z');
const doc = (over: Partial<IncidentDoc> = {}): IncidentDoc => ({
  id: '6f1c2a44-0b7e-4c39-9a51-2e1653dd6e84',
  version: 7,
  key: 'k',
  cause: 'proxy.auth_required',
  headline: 'The proxy (http://10.20.30.40:3128) asks for a sign-in (HTTP 407) before it lets Teams through.',
  facts: { proxy: '10.20.30.40:3128' },
  cloud: 'commercial',
  egress: '203.0.113.0/24',
  evidence: ['https:login.microsoftonline.com:443'],
  state: 'open',
  candidates: [],
  members: 12,
  verified: 0,
  firstAt: T0,
  latestAt: T0 + 600_000,
  firstCase: 'session-aaaa01',
  latestCase: 'session-bbbb02',
  openedAt: T0 + 120_000,
  notes: [{ at: new Date(T0 + 300_000).toISOString(), by: 'dana', text: 'Proxy team is on it' }],
  ...over,
});
const viewOf = (d: IncidentDoc, redaction = true) => {
  const message = incidentCard(d, createRedactor(newRedactionState(redaction)));
  assert.equal(message.kind, 'card');
  return (message as { view: EscalationView }).view;
};

test('an open incident: valid on Teams, Slack and text, with its rows and its own buttons', () => {
  const view = viewOf(doc());
  assert.equal(view.sessionId, 'incident:6f1c2a44-0b7e-4c39-9a51-2e1653dd6e84');
  assert.equal(view.caseRef, 'INC-DD6E84');
  assert.deepEqual(
    buttonsFor(view).map((b) => b.label),
    ['Take incident', 'Re-check every computer', 'Resolve'],
  );
  for (const universalActions of [true, false]) {
    const card = renderTeams(view, { universalActions });
    assert.deepEqual(checkAdaptiveCard(card).errors, []);
    const strings = allStrings(card).join('\n');
    for (const fact of [
      'Incident INC-DD6E84',
      '12 since 2026-12-01 09:00 UTC',
      'RC-BBBB02',
      'sign-in',
      'proxy.auth_required',
      'Proxy team is on it',
    ])
      assert.ok(strings.includes(fact), `Teams shows ${fact}`);
  }
  const slack = renderSlack(view);
  assert.deepEqual(checkSlackMessage(slack as never).errors, []);
  const text = JSON.stringify(slack.blocks);
  for (const fact of ['Incident INC-DD6E84', '12 since', 'RC-AAAA01', 'https:login.microsoftonline.com:443'])
    assert.ok(text.includes(fact), `Slack shows ${fact}`);
  const plain = renderText(view);
  assert.match(plain, /Users: 12 since/);
  assert.doesNotMatch(plain, /Device:/, 'no single device for an incident');
  assert.doesNotMatch(plain, /Verified fixed/, 'no count before a resolve');
});

test('a resolved incident shows the verified count and offers Reopen only', () => {
  const view = viewOf(doc({ state: 'resolved', resolvedAt: T0 + 900_000, verified: 12 }));
  assert.equal(view.state, 'resolved');
  assert.deepEqual(
    buttonsFor(view).map((b) => b.data.verb),
    ['case.reopen'],
  );
  assert.match(renderText(view), /Verified fixed: 12\/12 computers/);
  const summary = summaryOf(doc({ state: 'resolved', resolvedAt: T0 + 900_000, verified: 11 }));
  assert.deepEqual(
    {
      state: summary.state,
      members: summary.members,
      verified: summary.verified,
      resolvedAt: summary.resolvedAt,
    },
    { state: 'resolved', members: 12, verified: 11, resolvedAt: '2026-12-01T09:15:00.000Z' },
  );
});

test('internal addresses are redacted unless REDACTION is off', () => {
  assert.doesNotMatch(renderText(viewOf(doc())), /10\.20\.30\.40/);
  assert.match(renderText(viewOf(doc(), false)), /10\.20\.30\.40/);
});
