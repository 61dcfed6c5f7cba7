/**
 * The root Dockerfile, built and run for real with podman on a Debian base made here (no
 * registry image can be pulled on these machines). The container runs as its user would run
 * it in production (NODE_ENV=production, a read-only root filesystem, the /data volume), on the
 * host's loopback only: /healthz, /readyz, the web chat page and one whole web chat turn over
 * Direct Line (token, conversation, stream, post, the bot's card), the HEALTHCHECK, and SIGTERM:
 * `podman stop -t 10` exits 0 only when the process ended by itself before podman's SIGKILL.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort } from '../agents/chat-bot.ts';
import { openChat } from '../bot/conversation-driver.ts';
import { call, openStream } from '../bot/directline-client.ts';
import { buildImage, localBase, podman, podmanMissing, waitForLog } from './podman.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const IMAGE = 'localhost/reconnect-test:latest';
const NAME = `reconnect-test-${process.pid}`;
const skip = await podmanMissing();

after(async () => {
  if (!skip) await podman(['rm', '-f', '-v', NAME]).catch(() => undefined);
});

test('the image: built on a local base, production-run read-only, a web chat turn through it, SIGTERM ends it cleanly', {
  skip,
  timeout: 45 * 60_000,
}, async (t) => {
  let started = Date.now();
  const base = await localBase();
  await buildImage({ context: ROOT, base, tag: IMAGE, agentTargets: 'linux-x64' });
  t.diagnostic(
    `base and build: ${((Date.now() - started) / 1000).toFixed(1)} s (cached layers make a rerun quick)`,
  );

  const [inspected] = JSON.parse((await podman(['image', 'inspect', IMAGE])).stdout);
  t.diagnostic(`image size: ${(inspected.Size / 1e6).toFixed(0)} MB`);
  assert.equal(inspected.Config.User, '10001:10001', 'a non-root user');
  assert.deepEqual(Object.keys(inspected.Config.Volumes ?? {}), ['/data']);
  assert.ok(inspected.Config.Env.includes('NODE_ENV=production'));
  assert.ok(inspected.Config.Env.includes('DATA_DIR=/data'));
  assert.match(
    (inspected.Healthcheck ?? inspected.Config.Healthcheck).Test.join(' '),
    /node -e fetch\(.*\/healthz/,
  );

  const port = await freePort();
  await podman([
    'run',
    '-d',
    '--name',
    NAME,
    '--read-only',
    // Host networking on loopback: podman's bridge addresses are not on this machine.
    '--network=host',
    // No systemd here to run the timer; the test runs the check itself below.
    '--health-interval=disable',
    '-e',
    'HOST=127.0.0.1',
    '-e',
    `PORT=${port}`,
    // Production refuses to start without a Teams registration; these are never used to call out.
    '-e',
    'MicrosoftAppId=00000000-0000-4000-8000-000000000001',
    '-e',
    'MicrosoftAppPassword=container-test-password',
    IMAGE,
  ]);
  const listening = await waitForLog(NAME, /"msg":"Reconnect is listening","url":"([^"]+)"/, 60_000);
  const url = `http://127.0.0.1:${port}`;
  assert.equal(listening[1], url);

  assert.deepEqual(await call(url, 'GET', '/healthz'), { status: 200, body: { status: 'ok' } });
  assert.deepEqual(await call(url, 'GET', '/readyz'), { status: 200, body: { status: 'ready' } });
  await podman(['healthcheck', 'run', NAME]);
  assert.equal((await podman(['exec', NAME, 'id', '-u'])).stdout.trim(), '10001');
  // Read-only root: the bot's own tree cannot be written, /data can (SQLite lives there).
  await assert.rejects(podman(['exec', NAME, 'sh', '-c', 'echo x > /app/written']), /Read-only file system/);
  const page = await fetch(`${url}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<script[^>]+webchat\.js/);
  assert.equal(
    (await fetch(`${url}/agent/reconnect-agent.js`)).status,
    200,
    'the one-file agent is built in',
  );
  if (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts['build:agents']) {
    // The executables too (AGENT_TARGETS=linux-x64 here), as their manifest lists them.
    const manifest = JSON.parse(
      (await podman(['exec', NAME, 'cat', '/app/dist/agents/manifest.json'])).stdout,
    );
    const linux = manifest.targets['linux-x64'];
    const sum = (await podman(['exec', NAME, 'sha256sum', `/app/dist/agents/${linux.file}`])).stdout;
    assert.equal(sum.split(' ')[0], linux.sha256);
  }

  // One web chat turn, as the page does it: the bot answers CAA20004 with the intake card.
  const chat = await openChat(url);
  await chat.say('Teams says CAA20004');
  await chat.card(/Let's get Teams working again/);
  chat.close();
  const files = (await podman(['exec', NAME, 'ls', '/data'])).stdout;
  assert.match(files, /\.(db|sqlite)/, `SQLite in the volume: ${files}`);

  // SIGTERM with a stream open: drained (1001 to the stream) and exit 0 before podman's SIGKILL.
  const minted = await call(url, 'POST', '/api/webchat/token');
  const opened = await call(url, 'POST', '/v3/directline/conversations', { auth: minted.body.token });
  const stream = await openStream(opened.body.streamUrl);
  started = Date.now();
  await podman(['stop', '-t', '10', NAME]);
  t.diagnostic(`stop after SIGTERM: ${Date.now() - started} ms`);
  assert.equal(await stream.closed, 1001);
  const state = JSON.parse((await podman(['inspect', NAME])).stdout)[0].State;
  assert.equal(state.ExitCode, 0, 'ended by its own SIGTERM handler (137 would be podman killing it)');
  assert.match((await podman(['logs', NAME])).stderr, /"msg":"stopping","signal":"SIGTERM"/);
});
