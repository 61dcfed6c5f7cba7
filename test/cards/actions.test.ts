/**
 * Button data in and out: what a click sends is parsed strictly (unknown verbs, bad ids and
 * versions refused with the field named), typed replies map to the same data, and the buttons
 * follow the screen's state.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActionDataError, buttonsFor, linksFor, matchReply, parseActionData } from '../../cards/actions.ts';
import { VERBS, type View } from '../../cards/views.ts';
import { stepView, VIEWS } from './fixtures.ts';

const view = (name: string): View => {
  const found = VIEWS.find((v) => v.name === name);
  assert.ok(found, name);
  return found.view;
};

test('parseActionData keeps our fields and drops the rest', () => {
  assert.deepEqual(
    parseActionData({
      verb: 'step.recheck',
      sessionId: 's',
      version: 3,
      stepId: 'flush-dns',
      msteams: { x: 1 },
      extra: true,
    }),
    { verb: 'step.recheck', sessionId: 's', version: 3, stepId: 'flush-dns' },
  );
  assert.deepEqual(parseActionData({ verb: 'intake.os', sessionId: 's', version: 0, value: 'linux' }), {
    verb: 'intake.os',
    sessionId: 's',
    version: 0,
    value: 'linux',
  });
});

test('parseActionData refuses what a card of ours never sends, naming the field', () => {
  const cases: [unknown, RegExp][] = [
    [null, /must be an object/],
    [[], /must be an object/],
    ['step.recheck', /must be an object/],
    [{ verb: 'step.delete', sessionId: 's', version: 1 }, /unknown verb "step.delete"; accepted: intake.os/],
    [{ sessionId: 's', version: 1 }, /unknown verb undefined/],
    [{ verb: 'step.skip', sessionId: '', version: 1 }, /"sessionId" must be a string of 1-200/],
    [{ verb: 'step.skip', sessionId: 'x'.repeat(201), version: 1 }, /"sessionId"/],
    [{ verb: 'step.skip', sessionId: 's', version: '1' }, /"version" must be a non-negative integer/],
    [{ verb: 'step.skip', sessionId: 's', version: -1 }, /"version"/],
    [{ verb: 'step.skip', sessionId: 's', version: 1.5 }, /"version"/],
    [{ verb: 'step.skip', sessionId: 's', version: 1, stepId: 7 }, /"stepId" must be a string/],
    [{ verb: 'intake.os', sessionId: 's', version: 1, value: '' }, /"value" must be a string/],
  ];
  for (const [raw, message] of cases) {
    assert.throws(
      () => parseActionData(raw),
      (e: unknown) =>
        e instanceof ActionDataError && e.code === 'invalid_action_data' && message.test(e.message),
      JSON.stringify(raw),
    );
  }
});

test('every verb a button uses is one parseActionData accepts', () => {
  const used = new Set(VIEWS.flatMap(({ view: v }) => buttonsFor(v).map((b) => b.data.verb)));
  for (const verb of used) assert.ok((VERBS as readonly string[]).includes(verb));
  for (const { view: v } of VIEWS)
    for (const b of buttonsFor(v)) assert.deepEqual(parseActionData(b.data), b.data);
});

test('at most one primary button per screen', () => {
  for (const { name, view: v } of VIEWS)
    assert.ok(buttonsFor(v).filter((b) => b.style === 'primary').length <= 1, name);
});

test('typed replies stand for the same data as the buttons', () => {
  const step = stepView('pending');
  assert.deepEqual(matchReply(step, '  Check '), buttonsFor(step)[0].data);
  assert.equal(matchReply(step, 'skip')?.verb, 'step.skip');
  assert.equal(matchReply(step, 'done — check again')?.verb, 'step.recheck');
  assert.equal(matchReply(step, 'delete everything'), undefined);
  assert.equal(matchReply(step, ''), undefined);
  assert.equal(matchReply(stepView('checking'), 'check'), undefined, 'no buttons while checking');
  const intake = view('intake, answered');
  assert.deepEqual(matchReply(intake, 'macOS'), {
    verb: 'intake.os',
    sessionId: 'sess-7f3a',
    version: 12,
    value: 'macos',
  });
  assert.equal(matchReply(view('intake, empty'), 'caa20004')?.value, 'CAA20004');
});

test('buttons follow the state of their screen', () => {
  const verbs = (name: string) => buttonsFor(view(name)).map((b) => b.data.verb);
  assert.deepEqual(verbs('pairing, waiting'), ['pairing.manual']);
  assert.deepEqual(verbs('pairing, expired'), ['pairing.renew', 'pairing.manual']);
  assert.deepEqual(verbs('pairing, device to confirm'), ['pairing.confirm', 'pairing.reject']);
  assert.deepEqual(verbs('findings, problems'), ['plan.start', 'case.escalate']);
  assert.deepEqual(verbs('findings, healthy'), ['case.resolve', 'case.escalate']);
  assert.deepEqual(verbs('findings, inconclusive'), ['case.escalate']);
  assert.deepEqual(verbs('escalation, open'), ['case.take', 'case.rerun', 'case.resolve']);
  assert.deepEqual(verbs('escalation, taken'), ['case.rerun', 'case.resolve']);
  assert.deepEqual(verbs('escalation, resolved'), ['case.reopen']);
  assert.deepEqual(verbs('progress'), []);
  assert.equal(buttonsFor(view('intake, answered')).find((b) => b.data.value === 'macos')?.label, '✓ macOS');
  assert.equal(
    buttonsFor(view('intake, answered')).some((b) => b.group === 'code'),
    false,
    'no code quick-picks once the code is known',
  );
});

test('links: the hand-off download and the full instructions, not while checking', () => {
  assert.deepEqual(linksFor(view('handoff')), [
    { label: 'Download as text', url: 'https://reconnect.example.test/s/sess-7f3a/handoff.txt' },
  ]);
  const url = 'https://reconnect.example.test/details';
  assert.equal(linksFor(stepView('pending', { detailsUrl: url }))[0].url, url);
  assert.deepEqual(linksFor(stepView('checking', { detailsUrl: url })), []);
});
