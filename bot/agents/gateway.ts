/**
 * The agent gateway: a WebSocket endpoint at /api/agents on the bot's own HTTP server. It
 * pairs agents (code → per-agent secret), authenticates reconnects, keeps presence in the
 * Store, pings every agent and drops the silent ones, and hands jobs, progress and results
 * between the agents and the conversation core. Messages are checked with the shared protocol
 * module; a bad one is logged and never acted on.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  type AgentMessage,
  CLOSE,
  encode,
  MAX_MESSAGE_BYTES,
  ProtocolError,
  parseAgentMessage,
  type ServerMessage,
} from '../../probes/agent/protocol.ts';
import { realTimers, type Timers } from '../../probes/timers.ts';
import { agentLink } from '../cluster/agent-link.ts';
import type { Bus } from '../cluster/bus.ts';
import type { AgentPort, Session } from '../core/types.ts';
import { limitHit } from '../limit-hits.ts';
import { DEFAULT_LIMITS, type Limits } from '../limits.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import type { AgentEventSink } from './events.ts';
import { type Hello, helloHandler } from './hello.ts';
import { createJobDesk, type JobDesk } from './jobs.ts';
import type { Pairing } from './pairing.ts';
import { messageBudget } from './rate-limit.ts';
import { agentRecords } from './records.ts';

export type GatewayStore = Pick<Store<Session>, 'sessions' | 'agents' | 'audit'>;

export interface GatewayOptions {
  store: GatewayStore;
  pairing: Pairing;
  sink: AgentEventSink;
  log: Logger;
  timers?: Timers;
  /** Ping interval; 0 runs no timer (tests call sweep()). Default 20 s. */
  heartbeatMs?: number;
  /** Silence after which an agent is dropped and marked offline. Default 45 s. */
  heartbeatTimeoutMs?: number;
  /** Time a new connection has to say hello. Default 10 s. */
  helloTimeoutMs?: number;
  /** How long a job waits for its agent to reconnect before it is reported lost. Default 30 s. */
  reconnectGraceMs?: number;
  progressIntervalMs?: number;
  replicaId?: string;
  /** The client's address for rate limits; default the socket's peer (set it behind a proxy). */
  clientIp?: (req: IncomingMessage) => string;
  /**
   * Replicas sharing one Redis: a job queued here for an agent held by another replica is
   * announced to that replica, and revokes and case ends reach the agent wherever it is.
   */
  bus?: Bus;
  /** Message size (close 1009) and rate (close 1008) per agent, open jobs per session (issue 16). */
  limits?: Pick<Limits, 'agentMessageBytes' | 'agentMessagesPerSec' | 'pendingJobsPerSession'>;
}

interface Conn {
  ws: WebSocket;
  ip: string;
  openedAt: number;
  lastSeen: number;
  agentId?: string;
  violations: number;
  /** Messages of one connection are handled in order. */
  queue: Promise<void>;
}

export interface AgentGateway extends AgentPort {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Revokes an agent's secret and disconnects it (the user rejected the device, or support did). */
  revoke(agentId: string, why: string): Promise<void>;
  /** Tells the case's agents the case is closed; they exit. */
  endCase(sessionId: string): Promise<void>;
  /** Heartbeats, hello timeouts, job deadlines. Run by the interval, or by tests. */
  sweep(): Promise<void>;
  readonly connections: number;
  readonly jobs: JobDesk;
  close(): Promise<void>;
}

const MAX_VIOLATIONS = 5;

export function createAgentGateway(options: GatewayOptions): AgentGateway {
  const timers = options.timers ?? realTimers;
  const now = () => timers.now();
  const { log, store } = options;
  const heartbeatMs = options.heartbeatMs ?? 20_000;
  const timeoutMs = options.heartbeatTimeoutMs ?? 45_000;
  const helloMs = options.helloTimeoutMs ?? 10_000;
  const replicaId = options.replicaId ?? 'replica-1';
  const limits = options.limits ?? DEFAULT_LIMITS;
  const rate = limits.agentMessagesPerSec;
  const wss = new WebSocketServer({
    noServer: true,
    // ws closes with 1009 (message too big) past it; the protocol's own bound stays the ceiling.
    maxPayload: Math.min(limits.agentMessageBytes, MAX_MESSAGE_BYTES),
    perMessageDeflate: false,
    clientTracking: false,
  });
  const conns = new Set<Conn>();
  const byAgent = new Map<string, Conn>();
  const disconnected = new Map<string, number>();
  /** Offline marks still being written (close() waits for them). */
  const offline = new Set<Promise<void>>();
  const records = agentRecords(store.agents);

  const sendTo = (conn: Conn, message: ServerMessage): boolean => {
    if (conn.ws.readyState !== conn.ws.OPEN) return false;
    conn.ws.send(encode(message));
    return true;
  };

  const desk = createJobDesk({
    store,
    records,
    sink: options.sink,
    log,
    now,
    timers,
    progressIntervalMs: options.progressIntervalMs,
    reconnectGraceMs: options.reconnectGraceMs ?? 30_000,
    maxPendingPerSession: limits.pendingJobsPerSession,
    disconnectedAt: (agentId) => disconnected.get(agentId),
    send: (agentId, message) => {
      const conn = byAgent.get(agentId);
      if (conn) return sendTo(conn, message);
      // The job is in the agent's record already: its replica sends it when told.
      link.flush(agentId);
      return false;
    },
  });

  const link = agentLink({
    bus: options.bus,
    replicaId,
    records,
    log,
    local: { has: (agentId) => byAgent.has(agentId), flush: desk.flush, close: closeAgent },
  });

  const hello: Hello = helloHandler({
    store,
    records,
    pairing: options.pairing,
    sink: options.sink,
    log,
    now,
    replicaId,
  });

  const setOffline = async (agentId: string) => {
    disconnected.set(agentId, now());
    await records.update(agentId, (r) => {
      // The agent may already have reconnected to another replica (a drain): leave its record be.
      if (r.replicaId !== undefined && r.replicaId !== replicaId) return false;
      r.online = false;
      r.replicaId = undefined;
      r.lastSeenAt = now();
    });
  };

  /** `raw` null: a binary frame, which is no message of the protocol. */
  const handle = async (conn: Conn, raw: string | null) => {
    let message: AgentMessage;
    try {
      if (raw === null)
        throw new ProtocolError('bad_json', 'agent message is a binary frame; the protocol is JSON text');
      message = parseAgentMessage(raw);
    } catch (err) {
      conn.violations++;
      log.warn('agent message refused', {
        agentId: conn.agentId,
        ip: conn.ip,
        code: (err as { code?: string }).code,
        error: (err as Error).message,
      });
      if (conn.violations >= MAX_VIOLATIONS || !conn.agentId) conn.ws.close(CLOSE.protocol, 'protocol error');
      return;
    }
    if (!conn.agentId) {
      if (message.type !== 'hello') {
        log.warn('agent spoke before hello', { ip: conn.ip, type: message.type });
        return conn.ws.close(CLOSE.protocol, 'hello first');
      }
      const outcome = await hello(message, conn.ip);
      if (!outcome.ok) {
        sendTo(conn, { v: 1, type: 'hello.error', reason: outcome.reason, message: outcome.message });
        return conn.ws.close(
          outcome.reason === 'rate_limited'
            ? 1013
            : outcome.reason === 'revoked'
              ? CLOSE.revoked
              : CLOSE.refused,
          outcome.reason,
        );
      }
      const previous = byAgent.get(outcome.agentId);
      if (previous && previous !== conn) {
        previous.agentId = undefined;
        previous.ws.close(CLOSE.replaced, 'a newer connection of this agent took over');
      }
      conn.agentId = outcome.agentId;
      byAgent.set(outcome.agentId, conn);
      disconnected.delete(outcome.agentId);
      sendTo(conn, {
        v: 1,
        type: 'hello.ok',
        caseLabel: outcome.caseLabel,
        agentId: outcome.agentId,
        ...(outcome.secret ? { secret: outcome.secret } : {}),
      });
      await outcome.announce();
      await desk.resume(outcome.agentId, message.running ?? []);
      return;
    }
    const agentId = conn.agentId;
    switch (message.type) {
      case 'pong':
        return;
      case 'progress':
        return desk.progress(agentId, message);
      case 'result':
        return desk.result(agentId, message);
      case 'consent':
        return desk.consent(agentId, message);
      case 'hello':
        log.warn('second hello on one connection ignored', { agentId });
        return;
    }
  };

  const sweep = async () => {
    const t = now();
    for (const conn of conns) {
      if (!conn.agentId && t - conn.openedAt >= helloMs) conn.ws.close(CLOSE.protocol, 'no hello in time');
      else if (t - conn.lastSeen >= timeoutMs) {
        log.info('agent silent past the heartbeat deadline: dropped', { agentId: conn.agentId });
        conn.ws.close(CLOSE.timeout, 'no pong in time');
        conn.ws.terminate();
      } else if (conn.agentId) sendTo(conn, { v: 1, type: 'ping' });
    }
    await desk.sweep();
  };

  const interval =
    heartbeatMs > 0
      ? setInterval(
          () => void sweep().catch((error) => log.error('gateway sweep failed', { error })),
          heartbeatMs,
        )
      : undefined;
  interval?.unref();

  const onConnection = (ws: WebSocket, req: IncomingMessage) => {
    const ip = options.clientIp?.(req) ?? req.socket.remoteAddress ?? 'unknown';
    const conn: Conn = { ws, ip, openedAt: now(), lastSeen: now(), violations: 0, queue: Promise.resolve() };
    const budget = messageBudget(rate, now);
    conns.add(conn);
    ws.on('message', (data, isBinary) => {
      conn.lastSeen = now();
      // Past its rate the agent is cut off (1008, policy violation).
      if (!budget()) {
        limitHit('agentMessagesPerSec');
        log.warn('agent over its message rate: disconnected', { agentId: conn.agentId, ip: conn.ip, rate });
        ws.close(1008, 'too many messages');
        return;
      }
      const text = isBinary ? null : data.toString();
      conn.queue = conn.queue
        .then(() => handle(conn, text))
        .catch((error) => log.error('agent message handling failed', { agentId: conn.agentId, error }));
    });
    ws.on('close', () => {
      conns.delete(conn);
      const agentId = conn.agentId;
      if (agentId && byAgent.get(agentId) === conn) {
        byAgent.delete(agentId);
        const marked = conn.queue
          .then(() => setOffline(agentId))
          .catch((error) => log.error('marking an agent offline failed', { agentId, error }))
          .finally(() => offline.delete(marked));
        offline.add(marked);
      }
    });
    ws.on('error', (error) => {
      // ws closes with 1009 itself; this is where a message over agentMessageBytes shows.
      if ((error as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
        limitHit('agentMessageBytes');
      log.warn('agent socket error', { agentId: conn.agentId, error });
    });
  };

  function closeAgent(agentId: string, code: number, reason: string) {
    const conn = byAgent.get(agentId);
    if (conn) conn.ws.close(code, reason);
  }
  /** Closes the agent here, or asks the replica holding it. */
  const closeAnywhere = async (agentId: string, code: number, reason: string) => {
    if (byAgent.has(agentId)) return closeAgent(agentId, code, reason);
    await link.close(agentId, code, reason);
  };

  return {
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req));
    },
    async issuePairing(session) {
      const issued = await options.pairing.issue(session.id, { conversationKey: session.conversationKey });
      return { code: issued.display, expiresAt: new Date(issued.expiresAt).toISOString() };
    },
    dispatch: (session, job) => desk.dispatch(session, job),
    cancel: (session, jobId) => desk.cancel(session, jobId),
    async revoke(agentId, why) {
      const record = await records.update(agentId, (r) => {
        r.data.revoked = true;
        r.online = false;
      });
      if (!record) return;
      await store.audit.append({
        sessionId: record.sessionId,
        kind: 'agent_revoked',
        actor: 'bot',
        data: { agentId, why },
      });
      await closeAnywhere(agentId, CLOSE.revoked, why.slice(0, 100));
      await desk.loseAll(agentId, `the computer was disconnected from the case: ${why}`);
    },
    async endCase(sessionId) {
      for (const presence of await store.agents.listBySession(sessionId))
        await closeAnywhere(presence.agentId, CLOSE.caseClosed, 'case closed');
    },
    sweep,
    get connections() {
      return conns.size;
    },
    jobs: desk,
    async close() {
      if (interval) clearInterval(interval);
      // A drain: every agent hears 1001 and reconnects elsewhere; its record says offline here
      // before the store closes (unless another replica took it meanwhile). Bounded at 5 s.
      const closed = [...conns].map((conn) => new Promise((resolve) => conn.ws.once('close', resolve)));
      for (const conn of conns) conn.ws.close(1001, 'server shutting down');
      let cap: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all(closed).then(async () => {
          while (offline.size > 0) await Promise.all([...offline]);
        }),
        new Promise((resolve) => {
          cap = setTimeout(resolve, 5000);
          cap.unref();
        }),
      ]);
      clearTimeout(cap);
      wss.close();
    },
  };
}
