/**
 * The gateway on a real restify/http server on 127.0.0.1 (bot/server.ts), with the conversation
 * core played by the test: events are collected, and "the user confirms the device" is a save
 * of the session as the core would make it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentEvent } from '../../bot/agents/events.ts';
import { type AgentGateway, createAgentGateway, type GatewayOptions } from '../../bot/agents/gateway.ts';
import { createPairing, type Pairing } from '../../bot/agents/pairing.ts';
import { agentGatewayRoutes } from '../../bot/agents/routes.ts';
import { loadBotConfig } from '../../bot/config.ts';
import { newSession } from '../../bot/core/session.ts';
import type { Session } from '../../bot/core/types.ts';
import { silentLogger } from '../../bot/log.ts';
import { createServer } from '../../bot/server.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import type { Store, VersionedDoc } from '../../bot/store/types.ts';
import { fakeTimers } from './fakes.ts';
import { rawAgent } from './raw-agent.ts';

export function tempDir(prefix = 'reconnect-agents-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A session waiting for an agent, as the core leaves it after showing the pairing card. */
export async function pairingSession(
  store: Store<Session>,
  id: string,
  name = 'Alice Example',
): Promise<Session> {
  const at = new Date().toISOString();
  const session = newSession(
    id,
    {
      id: `m-${id}`,
      kind: 'message',
      text: 'CAA20004',
      conversationKey: `webchat:${id}`,
      channel: 'webchat',
      conversation: { id },
      actor: { id: 'u1', name, role: 'user' },
      at,
    },
    at,
  );
  session.state = 'pairing';
  const created = await store.sessions.create(session);
  if (!created.ok) throw new Error('session exists');
  return created.doc;
}

/** What the core does when the user taps "Yes, this is my computer". */
export async function confirmDevice(
  store: Store<Session>,
  sessionId: string,
  event: AgentEvent,
): Promise<Session> {
  if (event.kind !== 'paired') throw new Error(`expected a paired event, got ${event.kind}`);
  const session = (await store.sessions.get(sessionId))!;
  session.pairing = {
    code: session.pairing?.code ?? '',
    expiresAt: session.pairing?.expiresAt ?? '',
    device: event.device,
    confirmed: true,
  };
  session.state = 'probing';
  const saved = await store.sessions.save(session, session.version);
  if (!saved.ok) throw new Error('session moved');
  return saved.doc;
}

/** Resolves once `condition` holds (checked every 10 ms); rejects after `ms`. A wait on a state, not a sleep. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  ms = 10_000,
  what = 'the condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface Events {
  list: AgentEvent[];
  sink(event: AgentEvent): Promise<void>;
  /** The first event (from `from` on) matching `predicate`; rejects after `ms`. */
  next<K extends AgentEvent['kind']>(
    kind: K,
    ms?: number,
    predicate?: (e: Extract<AgentEvent, { kind: K }>) => boolean,
  ): Promise<Extract<AgentEvent, { kind: K }>>;
}

export function collectEvents(): Events {
  const list: AgentEvent[] = [];
  const waiters = new Set<() => void>();
  return {
    list,
    async sink(event) {
      list.push(event);
      for (const w of [...waiters]) w();
    },
    next(kind, ms = 30_000, predicate = () => true) {
      type E = Extract<AgentEvent, { kind: typeof kind }>;
      return new Promise<E>((resolve, reject) => {
        const look = () => {
          const found = list.find((e) => e.kind === kind && predicate(e as E));
          if (!found) return;
          waiters.delete(look);
          clearTimeout(timer);
          resolve(found as E);
        };
        const timer = setTimeout(() => {
          waiters.delete(look);
          reject(
            new Error(
              `no ${kind} event within ${ms} ms; got ${list.map((e) => e.kind).join(', ') || 'none'}`,
            ),
          );
        }, ms);
        waiters.add(look);
        look();
      });
    },
  };
}

export interface RunningGateway {
  url: string;
  port: number;
  gateway: AgentGateway;
  pairing: Pairing;
  events: Events;
  close(): Promise<void>;
}

/** Starts the bot's HTTP server with the gateway route on 127.0.0.1 (`port` 0: any free port). */
export async function startGateway(
  store: Store<Session>,
  options: { port?: number; dataDir: string; pairing?: Pairing } & Partial<
    Omit<GatewayOptions, 'store' | 'sink' | 'pairing'>
  >,
): Promise<RunningGateway> {
  const events = collectEvents();
  const pairing = options.pairing ?? createPairing({ store });
  const gateway = createAgentGateway({ log: silentLogger, ...options, store, pairing, sink: events.sink });
  const config = loadBotConfig({
    PORT: String(options.port ?? 0),
    HOST: '127.0.0.1',
    DATA_DIR: options.dataDir,
    NODE_ENV: 'test',
  });
  const app = createServer({
    config,
    store: store as unknown as Store<VersionedDoc>,
    log: silentLogger,
    routes: [agentGatewayRoutes(gateway)],
  });
  const { port, url } = await app.listen();
  return { url, port, gateway, pairing, events, close: () => app.close() };
}

/** The device a test agent says it runs on. */
export const LAB_DEVICE = { name: 'LAB-PC', os: 'linux', osVersion: '6.8.0', agentVersion: '0.1.0' };

type GatewayExtra = Partial<Parameters<typeof startGateway>[1]>;

/** A gateway on a memory store and fake timers, added to `running` for the caller to close. */
export async function gatewaySetup(dataDir: string, running: RunningGateway[], extra: GatewayExtra = {}) {
  const timers = fakeTimers(Date.now());
  const store = createMemoryStore<Session>({ now: timers.now });
  const pairing = createPairing({ store, now: timers.now });
  const g = await startGateway(store, { dataDir, timers, heartbeatMs: 0, pairing, ...extra });
  running.push(g);
  return { store, timers, g };
}

/** gatewaySetup, then a raw agent paired with a fresh session's code (not yet confirmed). */
export async function pairedAgent(dataDir: string, running: RunningGateway[], extra: GatewayExtra = {}) {
  const s = await gatewaySetup(dataDir, running, extra);
  const session = await pairingSession(s.store, `s-${Math.random().toString(36).slice(2)}`);
  const { code } = await s.g.gateway.issuePairing(session);
  const agent = await rawAgent(s.g.url);
  agent.send({ v: 1, type: 'hello', code, device: LAB_DEVICE });
  const ok = await agent.next('hello.ok');
  const event = await s.g.events.next('paired');
  return { ...s, session, code, agent, ok, event };
}
