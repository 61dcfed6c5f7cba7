/**
 * A raw WebSocket client playing the agent against the gateway: it sends what a test tells it
 * and keeps every server message in order, so a test can take them one kind at a time.
 */
import { WebSocket } from 'ws';
import { AGENTS_PATH, type ServerMessage } from '../../probes/agent/protocol.ts';

export type RawAgent = Awaited<ReturnType<typeof rawAgent>>;

/** A raw agent: every server message in order, and when it closed. */
export async function rawAgent(url: string) {
  const ws = new WebSocket(url.replace('http', 'ws') + AGENTS_PATH);
  const inbox: ServerMessage[] = [];
  let wake = () => {};
  ws.on('message', (d) => {
    inbox.push(JSON.parse(d.toString()));
    wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return {
    ws,
    inbox,
    closed,
    send: (m: object) => ws.send(JSON.stringify(m)),
    async next<T extends ServerMessage['type']>(type: T): Promise<Extract<ServerMessage, { type: T }>> {
      for (;;) {
        const i = inbox.findIndex((m) => m.type === type);
        if (i >= 0) return inbox.splice(i, 1)[0] as Extract<ServerMessage, { type: T }>;
        await Promise.race([
          new Promise<void>((r) => (wake = r)),
          closed.then(() => Promise.reject(new Error(`closed before ${type}`))),
        ]);
      }
    },
  };
}
