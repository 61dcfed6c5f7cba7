/**
 * Issue 14, "Plain words": walks every playbook with every OS, and every finding the agent can
 * report, through the real core (manual path, result codes, pasted output) and renders every
 * card and notice for every channel; no text an end user sees may contain a finding id, a probe
 * id, an engineer's word (nxdomain, OAuth access_denied, "network ladder") or markup shown as text.
 * The support thread's summary keeps its ids (checked last, so the rule is not vacuous).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { escalationView } from '../../bot/core/views.ts';
import { allCodes } from '../../probes/codes/index.ts';
import { encodeResultCode, FINDING_BITS } from '../../probes/result-code.ts';
import { PLAYBOOKS } from './fake-channel.ts';
import { plainWordsProblems, seenTexts } from './user-texts.ts';
import { OSES, Walk } from './walk.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/paste/${name}`, import.meta.url), 'utf8');

const PASTES = [
  'nslookup-windows-nxdomain.txt',
  'dig-macos-nxdomain.txt',
  'nslookup-windows-system-and-public.txt',
  'curl-I-proxy-407.txt',
  'curl-v-inspection.txt',
  'curl-connect-timeout.txt',
  'netsh-winhttp-proxy.txt',
];

function walks(): Array<{ name: string; walk: Walk }> {
  const out: Array<{ name: string; walk: Walk }> = [];
  for (const os of OSES) {
    // Every code of the catalog (each playbook's codes among them).
    for (const { code } of allCodes()) {
      const w = new Walk().say(`Teams says ${code}`).say(os).say('home');
      w.walkSteps();
      out.push({ name: `${code} ${os}`, walk: w });
    }
    for (const id of FINDING_BITS) {
      const w = new Walk().say(`I can't sign in to Teams on ${os} at the office`);
      w.say(encodeResultCode({ verdict: 'problems', findings: [{ id }] })).walkSteps();
      out.push({ name: `finding ${id} ${os}`, walk: w });
    }
    for (const paste of PASTES) {
      const w = new Walk().say(`Teams says CAA20004 on ${os} at home`).say(fixture(paste));
      w.walkSteps();
      out.push({ name: `paste ${paste} ${os}`, walk: w });
      // The same output again, on the findings and on a step: nothing changes, so the reply
      // says what it read ("Thanks, I read that …"), and on a step which command would check it.
      const again = new Walk()
        .say(`Teams says CAA20004 on ${os} at home`)
        .say(fixture(paste))
        .say(fixture(paste));
      again.press('Show me the fix');
      again.say(fixture(paste)).walkSteps();
      out.push({ name: `paste ${paste} twice ${os}`, walk: again });
    }
  }
  return out;
}

test('every playbook with every OS, every finding and typical pastes: no id, jargon or markup in what the user reads', () => {
  const all = walks();
  let views = 0;
  const problems = new Set<string>();
  for (const { name, walk } of all) {
    assert.ok(walk.views.length >= 3, `${name}: the walk showed cards`);
    for (const view of walk.views) {
      views++;
      for (const p of plainWordsProblems(view)) problems.add(`${name}: ${p}`);
    }
  }
  assert.ok(views > 500, `walked ${views} views`);
  // The walks reach both replies to output that changed nothing, so their words are checked.
  const read = all.flatMap(({ walk }) =>
    walk.views.flatMap((v) => (v.screen === 'notice' && v.text.startsWith('Thanks, I read') ? [v.text] : [])),
  );
  assert.ok(
    read.some((t) => t.includes('None of that checks')),
    'a paste that does not check the step',
  );
  assert.ok(
    read.some((t) => t.includes('It matches what we already know')),
    'a paste that repeats the findings',
  );
  assert.deepEqual([...problems].slice(0, Number(process.env.SHOW ?? 40)), []);
});

test('the walk sees step cards of every playbook step the walks reach, for each OS', () => {
  const seen = new Set<string>();
  for (const { walk } of walks()) for (const v of walk.views) if (v.screen === 'step') seen.add(v.stepId);
  const ladders = new Set(PLAYBOOKS.playbooks.flatMap((p) => p.ladder));
  for (const id of ladders) assert.ok(seen.has(id), `step ${id} was shown`);
});

test('the rule is not vacuous: the support summary keeps finding and probe ids, and they are caught there', () => {
  const w = new Walk()
    .say('Teams says CAA20004 on windows at home')
    .say(fixture('nslookup-windows-nxdomain.txt'));
  const summary = escalationView(w.session, PLAYBOOKS);
  const texts = seenTexts(summary)
    .map((t) => t.text)
    .join('\n');
  assert.match(texts, /dns\.system_failed/);
  assert.ok(plainWordsProblems(summary).some((p) => p.includes('finding id dns.system_failed')));
});

test('the markup rule is not vacuous: bold markers and autolinks in literal text are caught', () => {
  const findings = {
    screen: 'findings' as const,
    sessionId: 's1',
    version: 1,
    verdict: 'problems' as const,
    findings: [
      {
        id: 'x',
        headline: 'Look',
        severity: 'blocking' as const,
        summary: 'see **this** at <https://a.example>',
        evidence: [],
        facts: {},
      },
    ],
    stepCount: 0,
  };
  const problems = plainWordsProblems(findings);
  assert.ok(
    problems.some((p) => p.includes('**bold** markers')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.includes('autolink')),
    problems.join('\n'),
  );
});

test('the probe id rule is not vacuous: the old "Thanks, I read: …" reply is caught, the new one passes', () => {
  const reply = (text: string) =>
    plainWordsProblems({ screen: 'notice', sessionId: 's1', version: 1, tone: 'info', text });
  const old = reply(
    'Thanks, I read: dns:login.microsoftonline.com@system fail. It matches what we already know.',
  );
  assert.ok(
    old.some((p) => p.includes('probe id dns:login')),
    old.join('\n'),
  );
  const proxy = reply('Thanks, I read: proxy:discovery pass. None of that checks "What CAA20004 means".');
  assert.ok(
    proxy.some((p) => p.includes('probe id proxy:discovery')),
    proxy.join('\n'),
  );
  const w = new Walk()
    .say('Teams says CAA20004 on windows at home')
    .say(fixture('nslookup-windows-nxdomain.txt'))
    .say(fixture('nslookup-windows-nxdomain.txt'));
  const notice = w.views.at(-1);
  assert.ok(notice?.screen === 'notice');
  assert.equal(
    notice.text,
    "Thanks, I read that the name lookup of login.microsoftonline.com through this computer's resolver failed. It matches what we already know.",
  );
  assert.deepEqual(plainWordsProblems(notice), []);
});
