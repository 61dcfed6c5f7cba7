/**
 * How support gets into the dashboard, through the real channel path: "@Reconnect dashboard" in
 * the support channel (a signed Slack app_mention) makes the bot post a sign-in link in that
 * thread (chat.postMessage on the local Slack Web API, via the support outbox); the same words
 * in another channel get no link. Opening the link shows a button without using it up (link
 * previewers fetch URLs); posting it sets an HttpOnly, SameSite=Strict session cookie scoped to
 * /admin (Secure when the bot's URL is https), which opens the summary. A cookie from another
 * deployment, or a link presented as the cookie, opens nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadBotConfig } from '../../bot/config.ts';
import { createDashboard } from '../../bot/dashboard/index.ts';
import { createTokens } from '../../bot/dashboard/tokens.ts';
import { silentLogger } from '../../bot/log.ts';
import { createServer } from '../../bot/server.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { PLAYBOOKS } from '../support/harness.ts';
import {
  type DashboardLab,
  ELSEWHERE,
  onlyOwnSources,
  SECRET,
  SUPPORT,
  startDashboardLab,
} from './harness.ts';

let lab: DashboardLab;
before(async () => {
  lab = await startDashboardLab();
});
after(() => lab?.close());

const form = (link: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ t: new URL(link).searchParams.get('t') ?? '' }).toString(),
  redirect: 'manual' as const,
});

test('"@Reconnect dashboard" in the support channel gets a sign-in link in that thread; elsewhere none', async () => {
  assert.equal(await lab.mention('dashboard', ELSEWHERE), 200);
  assert.deepEqual(lab.links(ELSEWHERE), [], 'a channel that is not the support channel gets no link');
  assert.equal(lab.links().length, 0);

  await lab.mention('dashboard');
  const posted = lab.api.posted(SUPPORT);
  assert.equal(posted.length, 1);
  const [message] = posted;
  assert.ok(message!.thread_ts, 'the answer is in the thread the mention started');
  assert.match(message!.text ?? '', /opens once, in the next 10 minutes/);
  const [link] = lab.links();
  assert.ok(link!.startsWith(`${lab.bot.url}/admin/signin?t=`), link);
  const call = lab.api.calls.find(
    (c) => c.method === 'chat.postMessage' && String(c.params.text).includes('/admin/signin'),
  );
  assert.equal(call?.params.channel, SUPPORT, 'posted where it was asked for, nowhere else');
});

test('opening the link does not use it up; posting it sets the session cookie, which opens the summary', async () => {
  const link = await lab.link();
  for (let i = 0; i < 2; i++) {
    const shown = await fetch(link);
    assert.equal(shown.status, 200, 'a previewer or a reload may fetch the link');
    assert.ok(onlyOwnSources(shown.headers.get('content-security-policy')));
    assert.match(await shown.text(), /<form method="post" action="\/admin\/signin">/);
  }
  const signedIn = await fetch(`${lab.bot.url}/admin/signin`, form(link));
  assert.equal(signedIn.status, 303);
  assert.equal(signedIn.headers.get('location'), '/admin');
  const cookie = signedIn.headers.get('set-cookie') ?? '';
  const attributes = cookie.split(';').map((a) => a.trim());
  assert.ok(attributes.includes('HttpOnly'), cookie);
  assert.ok(attributes.includes('SameSite=Strict'), cookie);
  assert.ok(attributes.includes('Path=/admin'), cookie);
  assert.ok(
    !attributes.includes('Secure'),
    'plain http on loopback: Secure would keep the cookie from coming back',
  );
  const pair = attributes[0]!;

  const summary = await fetch(`${lab.bot.url}/admin/api/summary`, { headers: { cookie: pair } });
  assert.equal(summary.status, 200);
  assert.ok(onlyOwnSources(summary.headers.get('content-security-policy')));
  const body = (await summary.json()) as {
    incidents: unknown[];
    cases: unknown[];
    findings: { buckets: number };
  };
  assert.deepEqual(body.incidents, []);
  assert.equal(body.findings.buckets, 7 * 24);

  const audit = await lab.bot.store.audit.list('dashboard');
  assert.deepEqual(
    audit.map((a) => [a.kind, a.actor, a.data?.channel]),
    [['dashboard_signin', 'U0SUPPORT1', `slack:${SUPPORT}`]],
  );
});

test('a cookie signed by another deployment, or the link itself as the cookie, is refused with 401', async () => {
  const other = createTokens('another-deployment-secret-0123456789abcdef', () => lab.clock.t);
  const foreign = other.mint('session', { ttlMs: 3_600_000, channel: `slack:${SUPPORT}`, by: 'U0X' });
  const link = new URL(await lab.link()).searchParams.get('t');
  const own = createTokens(SECRET, () => lab.clock.t).mint('session', {
    ttlMs: 3_600_000,
    channel: 'x',
    by: 'y',
  });
  for (const value of [foreign, link, `${own.slice(0, -2)}AA`]) {
    const res = await fetch(`${lab.bot.url}/admin/api/summary`, {
      headers: { cookie: `reconnect_admin=${value}` },
    });
    assert.equal(res.status, 401, String(value));
  }
  // The same deployment's own cookie passes: the refusals above are about the signature, not the shape.
  const ok = await fetch(`${lab.bot.url}/admin/api/summary`, {
    headers: { cookie: `reconnect_admin=${own}` },
  });
  assert.equal(ok.status, 200);
});

test('with an https PUBLIC_URL the cookie is Secure and links point there', async () => {
  const config = loadBotConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'test',
    DIRECTLINE_SECRET: SECRET,
    PUBLIC_URL: 'https://help.example.test',
    DASHBOARD_LINK_MINUTES: '5',
  });
  const store = createMemoryStore();
  const dashboard = createDashboard({
    config,
    store: store as never,
    playbooks: PLAYBOOKS,
    log: silentLogger,
    now: Date.now,
    agentsConnected: () => 0,
    listeningUrl: () => 'http://127.0.0.1:1',
  });
  const text = dashboard.commands('Dashboard!', {
    platform: 'teams',
    channelId: '19:x@thread.tacv2',
    by: '29:a',
  });
  assert.match(text ?? '', /next 5 minutes\): https:\/\/help\.example\.test\/admin\/signin\?t=/);
  assert.equal(
    dashboard.commands('what is the dashboard?', { platform: 'slack', channelId: 'C1', by: 'U1' }),
    undefined,
  );
  const server = createServer({ config, store, log: silentLogger, routes: [dashboard.routes] });
  const { url } = await server.listen();
  try {
    const res = await fetch(`${url}/admin/signin`, form(/https:\S+/.exec(text!)![0]));
    assert.equal(res.status, 303);
    assert.ok((res.headers.get('set-cookie') ?? '').split('; ').includes('Secure'));
  } finally {
    await server.close();
    await store.close();
  }
});
