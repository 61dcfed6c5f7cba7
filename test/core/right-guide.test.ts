/**
 * Issue 14, "The right guide for the code given": every code of the catalog gets its own
 * family's guide (not CAA20004's); "I can't sign in" with no code asks one symptom question and
 * each answer picks a guide; no step shows another OS's instructions except behind "Other
 * computer". Driven through the pure core with the buttons the cards show.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SYMPTOMS } from '../../bot/core/symptoms.ts';
import { stepView } from '../../bot/core/views.ts';
import { playbookForCode } from '../../bot/playbooks/select.ts';
import { renderSlack } from '../../cards/slack.ts';
import { renderText } from '../../cards/text.ts';
import type { StepView } from '../../cards/views.ts';
import { renderWebChat } from '../../cards/webchat.ts';
import { allCodes } from '../../probes/codes/index.ts';
import { PLAYBOOKS } from './fake-channel.ts';
import { OSES, Walk } from './walk.ts';

const OS_LABEL = { windows: 'Windows', macos: 'macOS', linux: 'Linux' } as const;

test('every catalog code, on every OS, starts the guide of its own family; only CAA20004 gets CAA20004', () => {
  for (const { code } of allCodes()) {
    const playbook = playbookForCode(code, PLAYBOOKS);
    assert.ok(playbook, `${code} has a playbook`);
    for (const os of OSES) {
      const w = new Walk().say(`Teams shows ${code}`).say(os).say('home');
      const step = w.card();
      assert.equal(step?.screen, 'step', `${code} ${os}: a step card`);
      assert.equal(
        (step as StepView).stepId,
        playbook.ladder[0],
        `${code} ${os}: ${playbook.id}'s first step`,
      );
      if (code !== 'CAA20004') {
        assert.doesNotMatch(renderText(step), /CAA20004/, `${code} ${os}: no CAA20004 guide`);
        assert.ok(!w.session.plan.some((p) => p.stepId.startsWith('caa20004')), `${code}: no CAA20004 step`);
      }
      // The code's own meaning, from the catalog, is said at the bottom of the chat.
      assert.ok(
        w.views.some((v) => v.screen === 'notice' && v.text.startsWith(`${code}: `)),
        `${code}: its meaning`,
      );
    }
  }
});

test('"I can\'t sign in" with no code: one symptom question, and each answer picks a fitting guide', () => {
  for (const symptom of SYMPTOMS) {
    const w = new Walk().say("I can't sign in to Teams").say('windows').say('home');
    assert.equal(w.session.state, 'intake', 'no guide is assumed');
    const question = w.views.at(-1);
    assert.ok(
      question?.screen === 'notice' && /One more question: what does Teams show\?/.test(question.text),
    );
    const labels = SYMPTOMS.map((s) => s.label);
    const card = w.card();
    assert.ok(card?.screen === 'intake');
    assert.ok(w.press(symptom.label), `the card offers "${symptom.label}" (${labels.join(', ')})`);
    assert.equal(w.session.state, 'step');
    assert.equal(w.session.code, undefined, 'no code the user never saw is recorded');
    const expected = playbookForCode(symptom.guide, PLAYBOOKS)?.ladder[0];
    assert.equal((w.card() as StepView).stepId, expected, `${symptom.key} → ${expected}`);
  }
});

test('words that already say the symptom skip the question ("the proxy wants a password")', () => {
  const w = new Walk().say('Teams cannot sign in, the proxy wants a password').say('windows').say('office');
  assert.equal(w.session.state, 'step');
  assert.equal((w.card() as StepView).stepId, 'caa-proxy-what-it-means');
});

test('with an OS chosen, no step shows another OS except behind "Other computer" (every channel)', () => {
  let folded = 0;
  for (const os of OSES) {
    const others = OSES.filter((o) => o !== os);
    for (const id of PLAYBOOKS.steps.keys()) {
      const base = new Walk().say(`Teams shows CAA20004 on ${os} at home`).session;
      const session = {
        ...base,
        state: 'step' as const,
        plan: [{ stepId: id, status: 'pending' as const }],
        stepIndex: 0,
      };
      const view = stepView(session, PLAYBOOKS);
      assert.ok(view, id);
      const text = renderText(view);
      const slack = JSON.stringify(renderSlack(view).blocks);
      const card = renderWebChat(view) as { body: Array<Record<string, unknown>>; actions?: unknown };
      const json = JSON.stringify(card);
      for (const other of others) {
        const label = OS_LABEL[other];
        assert.doesNotMatch(text, new RegExp(`^${label}:$`, 'm'), `${id} on ${os}: text shows ${label}`);
        assert.ok(!slack.includes(`*${label}*`), `${id} on ${os}: Slack shows ${label}`);
        const container = card.body.find((e) => e.id === `plat-${other}`);
        if (!container) continue;
        folded++;
        assert.equal(container.isVisible, false, `${id} on ${os}: ${label} is folded`);
        assert.ok(
          json.includes(`"title":"Other computer: ${label}"`),
          `${id} on ${os}: ${label} behind the toggle`,
        );
      }
    }
  }
  assert.ok(folded > 0, 'some admin step has other computers behind the toggle');
});
