/**
 * The agents of `npm run bench:gateway`: N lightweight WebSocket clients in one process, each
 * speaking the real protocol (probes/agent/protocol.ts) as a paired agent does when idle:
 * hello with its pairing code and device, wait for hello.ok, answer every ping with a pong.
 * Driven by the parent over IPC. All on 127.0.0.1.
 *
 * Hellos go out a few at a time: failed and in-flight redeems share the gateway's per-address
 * bucket (5 at once). Connections come from several loopback source addresses (127.0.0.1 to
 * 127.0.0.4), so 10,000 of them stay far from one address's ephemeral port range.
 */
import WebSocket from 'ws';
import { AGENTS_PATH, encode, parseServerMessage } from '../probes/agent/protocol.ts';

export type ClientsRequest = { cmd: 'connect'; url: string; codes: string[] } | { cmd: 'stop' };
export type ClientsReply =
  | { kind: 'connected'; ok: number; failed: string[]; ms: number; perSecond: number }
  | { kind: 'error'; message: string };

const CONCURRENCY = 4;
const SOURCES = 4;
const sockets: WebSocket[] = [];

if (!process.send) throw new Error('bench/gateway-clients.ts runs forked, with IPC');
const reply = (message: ClientsReply) => process.send!(message);

/** One agent: connects, pairs with `code`, then stays idle answering pings. */
function pair(url: string, code: string, i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}${AGENTS_PATH}`, {
      perMessageDeflate: false,
      localAddress: `127.0.0.${1 + (i % SOURCES)}`,
    });
    sockets.push(ws);
    let paired = false;
    ws.on('open', () =>
      ws.send(
        encode({
          v: 1,
          type: 'hello',
          code,
          device: { name: `BENCH-${i}`, os: 'linux', osVersion: '6.8', agentVersion: '0.1.0' },
        }),
      ),
    );
    ws.on('message', (data) => {
      const message = parseServerMessage(data.toString());
      if (message.type === 'hello.ok') {
        paired = true;
        resolve();
      } else if (message.type === 'hello.error') reject(new Error(`${code}: ${message.reason}`));
      else if (message.type === 'ping') ws.send(encode({ v: 1, type: 'pong' }));
    });
    ws.on('error', (error) => {
      if (!paired) reject(error);
    });
    ws.on('close', (status, why) => {
      if (!paired) reject(new Error(`${code}: closed ${status} ${why}`));
    });
  });
}

async function connectAll(url: string, codes: string[]): Promise<ClientsReply> {
  const started = performance.now();
  const failed: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < codes.length) {
      const i = next++;
      await pair(url, codes[i], i).catch((error: Error) => void failed.push(error.message));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const ms = performance.now() - started;
  const ok = codes.length - failed.length;
  return { kind: 'connected', ok, failed: failed.slice(0, 5), ms, perSecond: (ok / ms) * 1000 };
}

process.on('message', (request: ClientsRequest) => {
  if (request.cmd === 'stop') {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
  connectAll(request.url, request.codes).then(reply, (error: Error) =>
    reply({ kind: 'error', message: error.stack ?? error.message }),
  );
});
