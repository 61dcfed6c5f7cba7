/**
 * The server side of `npm run bench:gateway`: the assembled bot (startBot: SQLite, engine, web
 * chat, the agent gateway) on 127.0.0.1, driven by the parent over IPC. It seeds N web chat
 * conversations waiting at the pairing card (a session in `pairing` with a real code from the
 * gateway, and the Direct Line conversation the card goes to), waits until every agent has
 * paired and the chat has its device card, and reports its own memory after full GCs.
 *
 * Run with --expose-gc: `node --expose-gc bench/gateway-serve.ts DATA_DIR`.
 */
import { mintCode } from '../bot/agents/code.ts';
import { PAIRING_TTL_MS } from '../bot/agents/pairing.ts';
import { startBot } from '../bot/app.ts';
import { loadBotConfig } from '../bot/config.ts';
import { newSession } from '../bot/core/session.ts';
import type { Session } from '../bot/core/types.ts';
import { silentLogger } from '../bot/log.ts';

export type ServeRequest =
  | { cmd: 'seed'; n: number }
  | { cmd: 'settle' }
  | { cmd: 'measure' }
  | { cmd: 'stop' };
export type ServeReply =
  | { kind: 'ready'; url: string }
  | { kind: 'seeded'; codes: string[] }
  | { kind: 'settled'; paired: number; ms: number }
  | { kind: 'memory'; rss: number; heapUsed: number; external: number; connections: number }
  | { kind: 'error'; message: string };

const dataDir = process.argv[2];
if (!dataDir || !process.send)
  throw new Error('usage: node --expose-gc bench/gateway-serve.ts DATA_DIR (forked, with IPC)');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('bench/gateway-serve.ts needs --expose-gc');

const reply = (message: ServeReply) => process.send!(message);
const config = loadBotConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, NODE_ENV: 'test' });
// Default gateway timings: 20 s pings, as in production.
const bot = await startBot({ config, log: silentLogger, teams: false });
const gateway = bot.agents!;
const seeded: string[] = [];

async function seed(n: number): Promise<string[]> {
  const codes: string[] = [];
  const now = new Date().toISOString();
  for (let i = 0; i < n; i++) {
    const conversationId = `bench-${seeded.length}`;
    await bot.store.directline.createConversation({ id: conversationId });
    const session: Session = newSession(
      `bench-session-${seeded.length}`,
      {
        id: `bench-m-${seeded.length}`,
        kind: 'message',
        text: 'Teams says CAA20004',
        conversationKey: `webchat:${conversationId}`,
        channel: 'webchat',
        conversation: { id: conversationId },
        actor: { id: `user-${seeded.length}`, role: 'user' },
        at: now,
      },
      now,
    );
    // Stored as the gateway's issuePairing stores a code, but past its mint limit (5,000 codes
    // per 10 minutes, a guard against floods) so that 10,000 agents can pair in one run.
    const minted = mintCode();
    const stored = await bot.store.pairing.put({
      code: minted.code,
      sessionId: session.id,
      ttlMs: PAIRING_TTL_MS,
      data: { conversationKey: session.conversationKey },
    });
    const code = minted.display;
    const expiresAt = new Date(stored.expiresAt).toISOString();
    Object.assign(session, { state: 'pairing', os: 'linux', where: 'home', pairing: { code, expiresAt } });
    const created = await bot.store.sessions.create(session);
    if (!created.ok) throw new Error(`session ${session.id} exists`);
    seeded.push(session.id);
    codes.push(code);
  }
  return codes;
}

/** Until every seeded session shows its paired device (the engine has handled every hello). */
async function settle(): Promise<number> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    let paired = 0;
    for (const id of seeded) if ((await bot.store.sessions.get(id))?.pairing?.device) paired++;
    if (paired === seeded.length || Date.now() > deadline) return paired;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Memory after full collections; the lowest of three reads, so a late allocation does not count. */
async function measure(): Promise<Extract<ServeReply, { kind: 'memory' }>> {
  const reads: NodeJS.MemoryUsage[] = [];
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((resolve) => setImmediate(resolve));
    gc!();
    reads.push(process.memoryUsage());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const min = (key: keyof NodeJS.MemoryUsage) => Math.min(...reads.map((r) => r[key]));
  return {
    kind: 'memory',
    rss: min('rss'),
    heapUsed: min('heapUsed'),
    external: min('external'),
    connections: gateway.connections,
  };
}

process.on('message', (request: ServeRequest) => {
  const work = async () => {
    switch (request.cmd) {
      case 'seed':
        return reply({ kind: 'seeded', codes: await seed(request.n) });
      case 'settle': {
        const started = performance.now();
        const paired = await settle();
        return reply({ kind: 'settled', paired, ms: performance.now() - started });
      }
      case 'measure':
        return reply(await measure());
      case 'stop':
        await bot.close();
        process.exit(0);
    }
  };
  work().catch((error: Error) => reply({ kind: 'error', message: error.stack ?? error.message }));
});
reply({ kind: 'ready', url: bot.url });
