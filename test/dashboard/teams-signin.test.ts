/**
 * The dashboard link through Teams (the local Bot Connector, JWTs from a loopback issuer): once a
 * team's channel is the support channel ("@Reconnect support here"), "@Reconnect dashboard" in a
 * new post of it gets the sign-in link as a reply in that thread, and the link signs in once. The
 * same mention in a channel that is not the support channel gets no link.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  channelMention,
  LEAD,
  OTHER_CHANNEL,
  SUPPORT_CHANNEL,
  startTeamsSupportLab,
  type TeamsSupportLab,
  threadOf,
} from '../support/teams-lab.ts';
import { guardNetwork, type NetGuard } from '../teams/net-guard.ts';

let lab: TeamsSupportLab;
let guard: NetGuard;
before(async () => {
  guard = guardNetwork();
  lab = await startTeamsSupportLab();
  const registered = await lab.post(
    channelMention(lab, 'support here', { postId: '1700000000100', user: LEAD }),
  );
  assert.equal(registered.status, 200);
});
after(async () => {
  await lab?.close();
  guard.release();
});

const linkIn = (texts: string[]) =>
  texts.map((t) => /http:\/\/\S+\/admin\/signin\?t=[A-Za-z0-9_.-]+/.exec(t)?.[0]).filter(Boolean) as string[];

test('"@Reconnect dashboard" in the Teams support channel gets a single-use link in its thread', async () => {
  const asked = await lab.post(channelMention(lab, 'dashboard', { postId: '1700000000200', user: LEAD }));
  assert.equal(asked.status, 200);
  const [link, ...more] = linkIn(lab.texts(threadOf(SUPPORT_CHANNEL, '1700000000200')));
  assert.ok(
    link,
    `a link in the thread: ${JSON.stringify(lab.texts(threadOf(SUPPORT_CHANNEL, '1700000000200')))}`,
  );
  assert.deepEqual(more, []);
  assert.ok(link.startsWith(`${lab.bot.url}/admin/signin?t=`));

  const body = new URLSearchParams({ t: new URL(link).searchParams.get('t')! }).toString();
  const post = () =>
    fetch(`${lab.bot.url}/admin/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'manual',
    });
  const first = await post();
  assert.equal(first.status, 303);
  const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
  assert.equal((await fetch(`${lab.bot.url}/admin/api/summary`, { headers: { cookie } })).status, 200);
  assert.equal((await post()).status, 401, 'used once');
  const audit = await lab.bot.store.audit.list('dashboard');
  assert.deepEqual(
    audit.map((a) => [a.actor, a.data?.channel]),
    [[LEAD.id, `teams:${SUPPORT_CHANNEL}`]],
  );
});

test('the same words in a channel that is not the support channel get no link', async () => {
  await lab.post(
    channelMention(lab, 'dashboard', { channel: OTHER_CHANNEL, postId: '1700000000300', user: LEAD }),
  );
  const everything = lab.connector.records.map((r) => JSON.stringify(r.body)).join('\n');
  assert.equal(linkIn([everything]).length, 1, "only the support channel's link exists");
});
