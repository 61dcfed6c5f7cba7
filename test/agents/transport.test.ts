/**
 * The agent's transport in process, against a lab WebSocket server over TLS behind the lab's
 * TLS-inspecting proxy (Basic credentials): the bot's certificate arrives re-signed by the
 * inspection root, as on a managed laptop, and the store decides. With the inspection root in
 * the store the link opens and messages flow; without it the agent says whose certificate it
 * does not trust, and never opens.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadAgentConfig } from '../../probes/agent/config.ts';
import type { SocketHandlers } from '../../probes/agent/link.ts';
import { proxiedConnect } from '../../probes/agent/transport.ts';
import { createLabPki } from '../lab/pki.ts';
import { startProxy } from '../lab/proxy.ts';
import { startTlsServer } from '../lab/tls-server.ts';

const pki = createLabPki();
const cleanup: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
});
const config = loadAgentConfig({ RECONNECT_LAB: '1', HOME: '/nonexistent-home' }, 'linux');

async function lab() {
  const leaf = pki.issueLeaf({ issuer: 'microsoft', hosts: ['bot.lab.test'] });
  const server = await startTlsServer({ cert: leaf.chainPem, key: leaf.keyPem, websocket: 'accept' });
  cleanup.push(() => server.close());
  const proxy = await startProxy({
    auth: { user: 'alice', password: 'pw' },
    inspect: { pki },
    upstream: (host, port) =>
      host === 'bot.lab.test' && port === server.port ? { host: '127.0.0.1', port } : null,
  });
  cleanup.push(() => proxy.close());
  const proxyUrl = `http://alice:pw@127.0.0.1:${proxy.port}`;
  return {
    url: `wss://bot.lab.test:${server.port}/api/agents`,
    proxy,
    settings: { source: 'env' as const, url: proxyUrl, forUrl: async () => proxyUrl },
  };
}

/** Connects and records what the link would see, until the socket closes or `until` says stop. */
function run(
  connect: ReturnType<typeof proxiedConnect>,
  url: string,
  onOpen?: (send: (t: string) => void) => void,
) {
  const seen: string[] = [];
  return new Promise<{ seen: string[]; code: number; reason: string }>((resolve) => {
    let socket: ReturnType<typeof connect>;
    const handlers: SocketHandlers = {
      open() {
        seen.push('open');
        onOpen?.((t) => socket.send(t));
      },
      message(text) {
        seen.push(`message:${text}`);
        socket.close(1000, 'done');
      },
      close(code, reason) {
        resolve({ seen, code, reason });
      },
    };
    socket = connect(url, handlers);
  });
}

test('the store trusts the inspection root: the link opens through the proxy and messages flow', async () => {
  const { url, proxy, settings } = await lab();
  const connect = proxiedConnect({ config, proxy: settings, trustedCa: [pki.inspectionRoot.certPem] });
  const end = await run(connect, url, (send) => send('{"hello":1}'));
  assert.deepEqual(end.seen, ['open', 'message:{"hello":1}']);
  assert.ok(proxy.connects.some((c) => c.authorized && c.target.startsWith('bot.lab.test:')));
});

test('the store does not trust the inspection root: no link, and the message names the issuer', async () => {
  const { url, settings } = await lab();
  const connect = proxiedConnect({ config, proxy: settings, trustedCa: [pki.microsoftRoot.certPem] });
  const end = await run(connect, url);
  assert.deepEqual(end.seen, []);
  assert.equal(end.code, 1006);
  assert.match(end.reason, /the certificate of bot\.lab\.test:\d+ is not trusted .*Lab Zscaler Root CA/);
});
