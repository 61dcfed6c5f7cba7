/**
 * Metrics and logs after a whole lab conversation, as an operator sees them: the assembled bot
 * (startBot, SQLite, Teams mounted with an app id, the agent gateway) with the real pino logger
 * writing to a collector, a web chat user driven over Direct Line, and the real agent in the
 * lab: CAA20004 → pair → tls.inspection → re-check still failing → the inspection removed →
 * verified → resolved. Along the way: a forged Teams token, a wrong Direct Line token and an
 * unknown pairing code. Then GET /metrics shows the turns, the finding, the step results, the
 * outcome and the pairing failure; every log line is JSON with the turn's ids; and none of the
 * canaries (secrets in the config, tokens on the wire, what the user typed) is in any line.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { startBot } from '../../bot/app.ts';
import { loadBotConfig } from '../../bot/config.ts';
import { createLogger } from '../../bot/log.ts';
import { agentForCard, FIRST_PROGRESS, freePort, pairingCodeIn } from '../agents/chat-bot.ts';
import { tempDir } from '../agents/harness.ts';
import { startScenario } from '../lab/scenario.ts';
import { cardOf, cardText, openChat } from './conversation-driver.ts';

const data = tempDir('reconnect-observability-');
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
  data.remove();
});

const LONG = 90_000;
const canary = (what: string) => `canary${what}${randomBytes(12).toString('hex')}`;

/** One metric sample's value from the exposition text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

test('after a lab conversation: /metrics shows turns, the finding, the steps and the outcome; no log line holds a secret or what the user typed', {
  timeout: 240_000,
}, async () => {
  const secrets = {
    directLine: canary('dlsecret'),
    appPassword: canary('apppassword'),
    userText: canary('usertext'),
    forgedToken: canary('forgedtoken'),
  };
  const lines: string[] = [];
  const collector = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });

  const lab = await startScenario({ endpoints: { auth: { cert: 'inspection' } }, trustInspection: true });
  cleanup.push(() => lab.close());
  const port = await freePort();
  const config = loadBotConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: join(data.dir, 'state'),
    NODE_ENV: 'test',
    DIRECTLINE_SECRET: secrets.directLine,
    MicrosoftAppId: '00000000-0000-4000-8000-00000000cafe',
    MicrosoftAppPassword: secrets.appPassword,
  });
  const bot = await startBot({
    config,
    log: createLogger(collector),
    agents: { heartbeatMs: 300, reconnectGraceMs: 1500, progressIntervalMs: 300 },
  });
  cleanup.push(() => bot.close());

  // Refused on the way: a forged Teams token, a wrong Direct Line token, an unknown pairing code.
  const teams = await fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secrets.forgedToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', text: secrets.userText }),
  });
  assert.ok([401, 403].includes(teams.status), `a forged token answers ${teams.status}`);
  const wrong = await fetch(`${bot.url}/v3/directline/conversations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secrets.forgedToken}` },
  });
  assert.ok([401, 403].includes(wrong.status));
  const stray = new WebSocket(`${bot.url.replace('http', 'ws')}/api/agents`);
  await new Promise((resolve, reject) => stray.once('open', resolve).once('error', reject));
  stray.send(
    JSON.stringify({
      v: 1,
      type: 'hello',
      code: '7K3M9QXT4H',
      device: { name: 'LAB-PC', os: 'linux', osVersion: '6.8.0', agentVersion: '0.1.0' },
    }),
  );
  await new Promise((resolve) => stray.once('close', resolve));

  // The conversation.
  const chat = await openChat(bot.url);
  cleanup.push(() => chat.close());
  await chat.say(`Teams says CAA20004 ${secrets.userText}`);
  await chat.card(/Let's get Teams working again/);
  await chat.click('Linux');
  await chat.click('Home');
  const pairing = await chat.card(/Connect the affected computer/);
  const { code, server } = pairingCodeIn(cardText(cardOf(pairing.activity)));
  const agent = agentForCard(code, server, lab);
  cleanup.push(() => agent.kill());
  await chat.card(/Is this your computer\?/, LONG);
  const connected = sample(await (await fetch(`${bot.url}/metrics`)).text(), 'reconnect_agents_connected');
  assert.equal(connected, 1, 'the paired agent is connected to this replica');
  await chat.click('Yes, that is my computer');
  await chat.card(FIRST_PROGRESS, LONG);
  await chat.card(/re-signs the secure connection/, LONG);
  await chat.click('Show me the fix');
  await chat.card(/To do/);
  await chat.click('Done — check again');
  await chat.card(/Still failing/, LONG);
  lab.setCertificate('auth', 'genuine');
  await chat.click('Done — check again');
  await chat.card(/Teams should work again/, LONG);
  await agent.waitFor(/The helpdesk closed the case/, 30_000);

  const metrics = await fetch(`${bot.url}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await metrics.text();
  const turns = (labels: Record<string, string>) => sample(text, 'reconnect_turns_total', labels) ?? 0;
  assert.ok(turns({ channel: 'webchat', kind: 'message', outcome: 'applied' }) >= 1);
  assert.ok(turns({ channel: 'webchat', kind: 'action', outcome: 'applied' }) >= 5, 'the clicks');
  assert.equal(turns({ channel: 'webchat', kind: 'report', outcome: 'applied' }), 1, "the agent's report");
  assert.equal(turns({ channel: 'webchat', kind: 'recheckResult', outcome: 'applied' }), 2);
  assert.ok((sample(text, 'reconnect_turn_duration_seconds_count', { channel: 'webchat' }) ?? 0) >= 9);
  assert.equal(sample(text, 'reconnect_findings_total', { finding: 'tls.inspection' }), 1);
  const step = /reconnect_steps_total\{step="([^"]+)",status="failed"\} 1/.exec(text)?.[1];
  assert.ok(step, `a step re-checked and failed:\n${text}`);
  assert.equal(sample(text, 'reconnect_steps_total', { step, status: 'verified' }), 1, 'then verified');
  assert.equal(sample(text, 'reconnect_conversations_total', { outcome: 'resolved' }), 1);
  assert.equal(sample(text, 'reconnect_conversations_total', { outcome: 'escalated' }), 0);
  assert.equal(sample(text, 'reconnect_pairing_failures_total', { reason: 'unknown' }), 1);
  assert.equal(sample(text, 'reconnect_store_errors_total'), undefined, 'no store error happened');
  assert.equal(sample(text, 'reconnect_outbox_messages', { status: 'pending' }), 0);
  assert.ok((sample(text, 'reconnect_process_resident_memory_bytes') ?? 0) > 0);
  // Bounded labels: no conversation, session, user or host in any label value.
  const session = await bot.store.sessions.findByConversation(`webchat:${chat.conversationId}`);
  for (const id of [chat.conversationId, session!.id, session!.user.id, '127.0.0.1', 'login.lab.test'])
    assert.equal(text.includes(id), false, `${id} is not a label`);

  // The logs: JSON lines; each turn's line carries its ids; the agent's turns carry the job.
  const parsed = lines.map((line) => JSON.parse(line));
  const turnLines = parsed.filter((l) => l.msg === 'turn');
  assert.ok(turnLines.length >= 9);
  for (const l of turnLines) assert.ok(l.turnId && l.level === 'info' && l.time, JSON.stringify(l));
  assert.ok(turnLines.filter((l) => l.caseId === session!.id).length >= 8, 'the case id follows its turns');
  const report = turnLines.find((l) => l.kind === 'report');
  assert.ok(report?.jobId && report.caseId === session!.id, `the report's job: ${JSON.stringify(report)}`);
  assert.ok(turnLines.filter((l) => l.kind === 'agentProgress' && l.jobId === report.jobId).length >= 1);

  // The canaries: nothing secret, and nothing the user typed, in any line.
  const planted = [...Object.values(secrets), chat.token, code, code.replace('-', '')];
  for (const value of planted)
    for (const line of lines) assert.equal(line.includes(value), false, `leaked into the log: ${line}`);
});
