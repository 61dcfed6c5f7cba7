/**
 * How long is the way from "Teams says CAA20004" to the right fix? Drives the pure core of a
 * source tree (this one, or another checkout given as the first argument, to compare before and
 * after) through a conversation for each of the seed's five causes, as a user would: taps the
 * card's buttons, pastes a command's output when a step asks for a command that shows the cause,
 * skips a step that does not apply. Counts what the person sends (messages, taps) and what the
 * bot sends (new messages), until a step that fixes the cause is on screen. Prints a table.
 *
 *   node scripts/ladder-count.ts [ROOT] [--paste-first]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
/** --paste-first: paste a step's command output before answering the step's question. */
const PASTE_FIRST = args.includes('--paste-first');
const root = resolve(args.find((a) => !a.startsWith('--')) ?? new URL('..', import.meta.url).pathname);
const here = new URL('..', import.meta.url).pathname;
const load = (path: string) => import(pathToFileURL(resolve(root, path)).href);

const { transition } = await load('bot/core/transition.ts');
const { newSession } = await load('bot/core/session.ts');
const { buttonsFor } = await load('cards/actions.ts');
const { loadBuiltinPlaybooks } = await load('bot/playbooks/load.ts');
const { pasteCommands } = await load('bot/core/recheck.ts');
const { FINDINGS } = await load('probes/findings.ts');

const playbooks = await loadBuiltinPlaybooks();
const NOW = '2026-11-27T10:00:00.000Z';
const fixture = (name: string) => readFileSync(resolve(here, 'test/fixtures/paste', name), 'utf8');

interface Cause {
  name: string;
  finding: string;
  /** What the person's own test in a browser shows (the ladder's first question). */
  browser: 'works' | 'fails';
  /** Output the person can paste when a step asks for this tool, if any shows the cause. */
  paste?: { tool: RegExp; file: string };
}

const CAUSES: Cause[] = [
  {
    name: 'DNS',
    finding: 'dns.system_failed',
    browser: 'fails',
    paste: { tool: /^nslookup /, file: 'nslookup-windows-nxdomain.txt' },
  },
  {
    name: 'firewall / proxy',
    finding: 'proxy.auth_required',
    browser: 'fails',
    paste: { tool: /^curl(\.exe)? /, file: 'curl-I-proxy-407.txt' },
  },
  { name: 'stale credentials', finding: 'credentials.cache_present', browser: 'works' },
  {
    name: 'TLS inspection',
    finding: 'tls.inspection',
    browser: 'fails',
    paste: { tool: /^curl(\.exe)? /, file: 'curl-v-inspection.txt' },
  },
  // A wrong clock makes every certificate look expired (or not yet valid): curl says so.
  {
    name: 'wrong clock',
    finding: 'clock.skew',
    browser: 'fails',
    paste: { tool: /^curl(\.exe)? /, file: 'curl-cert-expired.txt' },
  },
];

// biome-ignore lint/suspicious/noExplicitAny: the other tree's types are not ours to import
type Any = any;

class Run {
  session: Any;
  card: Any;
  userMessages = 0;
  taps = 0;
  botMessages = 0;
  /** What the bot's messages said (commands it asked for included). */
  asked: string[] = [];
  #n = 0;
  readonly deps: Any;
  constructor(deps: Any) {
    this.deps = deps;
    this.session = newSession('s1', this.#event({ kind: 'message', text: '' }), NOW);
  }
  #event(body: Record<string, unknown>): Any {
    return {
      id: `e${++this.#n}`,
      conversationKey: 'webchat:c1',
      channel: 'webchat',
      conversation: { id: 'c1' },
      actor: body.actor ?? { id: 'u1', name: 'Amira', role: 'user' },
      at: new Date(Date.parse(NOW) + this.#n * 1000).toISOString(),
      ...body,
    };
  }
  apply(body: Record<string, unknown>, deps: Any = this.deps): void {
    const r = transition(this.session, this.#event(body), deps);
    this.session = r.session;
    for (const e of r.effects) {
      if (e.type === 'send') this.botMessages++;
      if (e.type === 'send' && e.view.screen === 'notice') this.asked.push(e.view.text);
      if ((e.type === 'send' || e.type === 'update') && e.view.screen !== 'notice') this.card = e.view;
    }
  }
  say(text: string): void {
    this.userMessages++;
    this.apply({ kind: 'message', text });
  }
  press(label: string | RegExp): boolean {
    const b = buttonsFor(this.card).find((x: Any) =>
      typeof label === 'string' ? x.label === label : label.test(x.label),
    );
    if (!b) return false;
    this.taps++;
    const { verb, ...data } = b.data;
    this.apply({ kind: 'action', verb, data });
    return true;
  }
}

const fixes = (card: Any, cause: Cause) =>
  card?.screen === 'step' && playbooks.steps.get(card.stepId)?.findings.includes(cause.finding);

function manual(cause: Cause): Run {
  const run = new Run({ playbooks, now: NOW });
  run.say('Teams says CAA20004');
  run.press('Windows');
  run.press('Home');
  const pasted = new Set<string>();
  let askedSeen = 0;
  for (let i = 0; i < 60 && !fixes(run.card, cause); i++) {
    const card = run.card;
    if (card.screen === 'findings' && run.press('Show me the fix')) continue;
    // The bot asked for a command's output at the bottom: paste it when it shows the cause.
    const newly = run.asked.slice(askedSeen).join('\n');
    askedSeen = run.asked.length;
    const wanted = cause.paste;
    if (wanted && !pasted.has('asked') && newly.split('\n').some((l) => wanted.tool.test(l.trim()))) {
      pasted.add('asked');
      run.say(fixture(wanted.file));
      continue;
    }
    if (card.screen !== 'step') break;
    // The ladder's first question, where the tree asks it (after a step's command with --paste-first).
    const answer = cause.browser === 'works' ? /^The browser signs in/ : /^The browser fails too/;
    if (!PASTE_FIRST && run.press(answer)) continue;
    const step = playbooks.steps.get(card.stepId);
    const commands: string[] = step ? pasteCommands(step, 'windows') : [];
    if (cause.paste && !pasted.has(card.stepId) && commands.some((c) => cause.paste?.tool.test(c))) {
      pasted.add(card.stepId);
      run.say(fixture(cause.paste.file));
      continue;
    }
    if (PASTE_FIRST && run.press(answer)) continue;
    if (!run.press('Skip')) break;
  }
  if (!fixes(run.card, cause))
    throw new Error(
      `${cause.name}: the manual path never reached a fix (${run.card?.screen} ${run.card?.stepId})`,
    );
  return run;
}

function agent(cause: Cause): Run {
  const run = new Run({ playbooks, now: NOW, agents: true });
  run.say('Teams says CAA20004');
  run.press('Windows');
  run.apply(
    {
      kind: 'action',
      verb: 'intake.where',
      data: { sessionId: run.session.id, version: run.session.version, value: 'home' },
    },
    { ...run.deps, pairingCode: { code: '7K3M9QXT4H', expiresAt: '2026-11-27T10:10:00.000Z' } },
  );
  run.taps++;
  run.apply({
    kind: 'paired',
    actor: { id: 'agent-1', role: 'agent' },
    device: { hostname: 'LAPTOP-42', os: 'Windows 11' },
  });
  run.press('Yes, that is my computer');
  const finding = {
    id: cause.finding,
    severity: FINDINGS[cause.finding].severity,
    summary: FINDINGS[cause.finding].meaning,
    evidence: [],
    facts: {},
  };
  const report = {
    schema: 'reconnect.report/v1',
    agent: { version: 'x', os: 'windows', osVersion: '', runtime: '' },
    cloud: 'commercial',
    startedAt: NOW,
    durationMs: 1,
    environment: { proxy: { source: 'none' }, resolvers: [] },
    endpoints: [],
    publicResolvers: [],
    probes: [],
    findings: [finding],
    verdict: 'problems',
  };
  // As the agent's report arrives; 'result_code' keeps the findings as given (no probes here).
  run.apply({ kind: 'report', actor: { id: 'agent-1', role: 'agent' }, report, source: 'result_code' });
  for (let i = 0; i < 20 && !fixes(run.card, cause); i++) {
    if (run.card.screen === 'findings' && run.press('Show me the fix')) continue;
    if (!run.press('Skip')) break;
  }
  if (!fixes(run.card, cause)) throw new Error(`${cause.name}: the agent path never reached a fix`);
  return run;
}

const rows = CAUSES.map((cause) => {
  const m = manual(cause);
  const a = agent(cause);
  return { cause: cause.name, m, a };
});
const cell = (r: Run) =>
  `${r.userMessages} msg + ${r.taps} taps = ${r.userMessages + r.taps} (bot ${r.botMessages})`;
console.log(`tree: ${root}${PASTE_FIRST ? ' (paste first)' : ' (answer the card first)'}`);
console.log('| cause | manual path | with the agent |');
console.log('| --- | --- | --- |');
for (const { cause, m, a } of rows) console.log(`| ${cause} | ${cell(m)} | ${cell(a)} |`);
