/**
 * Views from the playbooks' real output: planned steps of the built-in playbooks and an admin
 * hand-off from a small catalog, rendered on every channel. Checks that F1's shapes fit the
 * cards' structural input types (a type error here means the shapes drifted).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AdminHandoff, adminHandoff } from '../../bot/playbooks/handoff.ts';
import { loadBuiltinPlaybooks } from '../../bot/playbooks/load.ts';
import { planFor } from '../../bot/playbooks/select.ts';
import type { PlanStep } from '../../bot/playbooks/types.ts';
import {
  type HandoffLike,
  handoffViewFrom,
  type PlannedStepLike,
  stepViewFrom,
} from '../../cards/from-playbook.ts';
import { renderSlack } from '../../cards/slack.ts';
import { renderTeams } from '../../cards/teams.ts';
import { renderText } from '../../cards/text.ts';
import type { View } from '../../cards/views.ts';
import { renderWebChat } from '../../cards/webchat.ts';
import type { Catalog } from '../../probes/types.ts';
import { allStrings, checkAdaptiveCard } from './adaptive-schema.ts';
import { checkSlackMessage } from './slack-schema.ts';

const set = await loadBuiltinPlaybooks();
const ctx = { sessionId: 'sess-pb', version: 4 };

function renderEverywhere(view: View): void {
  for (const card of [
    renderTeams(view, { universalActions: true }),
    renderTeams(view, { universalActions: false }),
    renderWebChat(view),
  ])
    assert.deepEqual(checkAdaptiveCard(card).errors, []);
  assert.deepEqual(checkSlackMessage(renderSlack(view)).errors, []);
  assert.ok(renderText(view).length > 0);
}

test('every planned step of the CAA20004 ladder renders on every channel, per OS', () => {
  for (const os of ['windows', 'macos', 'linux', 'unknown'] as const) {
    const plan: PlanStep[] = planFor({ code: 'CAA20004', findings: [], os }, set);
    assert.ok(plan.length > 0, `a plan for ${os}`);
    for (const planned of plan) {
      const like: PlannedStepLike = planned;
      const view = stepViewFrom(like, { ...ctx, total: plan.length, os });
      assert.equal(view.stepId, planned.step.id);
      assert.equal(view.index, planned.n);
      assert.equal(view.os, os === 'unknown' ? undefined : os);
      assert.equal(view.status, 'pending');
      for (const block of planned.instructions)
        assert.equal(view.instructions[block.platform as keyof typeof view.instructions], block.markdown);
      renderEverywhere(view);
      const text = renderText(view);
      assert.ok(text.includes(planned.step.title), `${planned.step.id}: title in the text`);
    }
  }
});

test('steps planned from findings carry the findings that called for them', () => {
  const plan = planFor(
    {
      findings: [{ id: 'tls.inspection', severity: 'blocking', facts: { issuer: 'Zscaler Root CA' } }],
      os: 'windows',
    },
    set,
  );
  assert.ok(plan.length > 0);
  const view = stepViewFrom(plan[0], { ...ctx, total: plan.length, os: 'windows', status: 'failed' });
  assert.deepEqual(view.findings, ['tls.inspection']);
  assert.equal(view.status, 'failed');
  renderEverywhere(view);
});

test('the admin hand-off renders as copy-paste blocks, the PAC file monospace', () => {
  const catalog: Catalog = {
    schema: 'reconnect.catalog/v1',
    cloud: 'lab',
    endpoints: [
      { host: 'login.microsoftonline.com', port: 443, purpose: 'auth', required: true },
      { host: 'teams.microsoft.com', port: 443, purpose: 'service', required: true },
      { host: 'go.trouter.teams.microsoft.com', port: 443, purpose: 'websocket', path: '/', required: true },
    ],
    media: [{ host: 'worldaz.tr.teams.microsoft.com', ports: [3478, 3479, 3480, 3481] }],
    publicResolvers: ['127.0.0.1:5353'],
    timeSources: ['https://127.0.0.1:8443/'],
    microsoftRoots: [],
  };
  const handoff: AdminHandoff = adminHandoff({
    catalog,
    findings: [{ id: 'tls.inspection', severity: 'blocking', facts: { issuer: 'Zscaler Root CA' } }],
    proxyUrl: 'http://proxy.lab:3128',
  });
  const like: HandoffLike = handoff;
  const view = handoffViewFrom(like, { ...ctx, downloadUrl: 'https://reconnect.example.test/h.txt' });
  assert.equal(view.sections.length, handoff.sections.length);
  renderEverywhere(view);
  const pac = handoff.sections.find((s) => s.format === 'code');
  assert.ok(pac, 'the hand-off has a code section');
  const card = renderTeams(view, { universalActions: true });
  const mono = allStrings(card).filter((s) => pac.lines.includes(s));
  assert.ok(mono.length > 0, 'PAC lines appear verbatim in the card');
  const slack = allStrings(renderSlack(view).blocks).join('\n');
  assert.ok(slack.includes('```'), 'Slack shows the PAC file as a code block');
});
