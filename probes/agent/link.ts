/**
 * The agent's outbound connection to the bot: one WebSocket at a time, reopened with
 * exponential backoff after it drops, given up when nothing has worked for `retryForMs`.
 * Outbound only, so nothing on the user's computer listens. Clock, timers and the socket are
 * injected: the retry schedule is tested without waiting for it.
 */
import { realTimers, type Timers } from '../timers.ts';

/** What a link needs from a WebSocket; `connectWebSocket` adapts Node's global WebSocket. */
export interface SocketHandlers {
  open(): void;
  message(text: string): void;
  close(code: number, reason: string): void;
}
export interface SocketLike {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}
export type Connect = (url: string, handlers: SocketHandlers) => SocketLike;

/** Node's global WebSocket (Node 22+): no package in the agent bundle for it. */
export const connectWebSocket: Connect = (url, handlers) => {
  const ws = new WebSocket(url);
  ws.onopen = () => handlers.open();
  ws.onmessage = (event) => {
    // The protocol is text only; a binary frame is not a message of ours and is ignored.
    if (typeof event.data === 'string') handlers.message(event.data);
  };
  ws.onclose = (event) => handlers.close(event.code, event.reason);
  ws.onerror = () => {
    // The close event that follows carries what the link needs.
  };
  return { send: (text) => ws.send(text), close: (code, reason) => ws.close(code, reason) };
};

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 30_000 };
/** How long the agent keeps trying to reach the bot after it last could (DESIGN.md: "some minutes"). */
export const DEFAULT_RETRY_FOR_MS = 5 * 60_000;
/** Silence after which the connection counts as dead (the gateway pings far more often). */
export const DEFAULT_IDLE_TIMEOUT_MS = 90_000;

/** The delay before reconnect attempt `attempt` (1-based): doubling, capped, ±20% jitter. */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt - 1, 20));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export type LinkEnd =
  | { why: 'stopped' }
  | { why: 'gave_up'; lastError: string }
  /** The server closed with a code that means "do not come back" (see `final`). */
  | { why: 'final'; code: number; reason: string };

export interface LinkOptions {
  url: string;
  connect?: Connect;
  timers?: Timers;
  random?: () => number;
  backoff?: Backoff;
  retryForMs?: number;
  idleTimeoutMs?: number;
  /** Close codes after which the link must not reconnect. */
  final?: (code: number) => boolean;
  onOpen(): void;
  onMessage(text: string): void;
  /** Every failed attempt or lost connection; `wasUp` after a healthy one. No `nextInMs`: giving up. */
  onDown?(info: { wasUp: boolean; code: number; reason: string; nextInMs?: number }): void;
}

export interface Link {
  /** Sends when connected; false when the text could not be sent now. */
  send(text: string): boolean;
  readonly connected: boolean;
  /** Closes the link for good. */
  stop(): void;
  /** Drops the current connection (e.g. the server broke the protocol); the link reconnects. */
  drop(): void;
  /**
   * The server accepted this connection (hello.ok). Only then does the backoff start over and
   * the retry window restart when it drops: a server that accepts sockets and then refuses the
   * agent must not be hammered every second, or kept trying forever.
   */
  healthy(): void;
  /** Resolves once the link has stopped for good. */
  readonly ended: Promise<LinkEnd>;
}

export function openLink(options: LinkOptions): Link {
  const timers = options.timers ?? realTimers;
  const connect = options.connect ?? connectWebSocket;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const retryForMs = options.retryForMs ?? DEFAULT_RETRY_FOR_MS;
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const random = options.random ?? Math.random;
  let socket: SocketLike | undefined;
  let open = false;
  let finished = false;
  let attempt = 0;
  let up = false;
  let downSince = timers.now();
  let retryTimer: unknown;
  let idleTimer: unknown;
  let resolveEnded: (end: LinkEnd) => void = () => {};
  const ended = new Promise<LinkEnd>((resolve) => {
    resolveEnded = resolve;
  });

  const finish = (end: LinkEnd) => {
    if (finished) return;
    finished = true;
    timers.clearTimeout(retryTimer);
    timers.clearTimeout(idleTimer);
    resolveEnded(end);
  };

  const armIdle = () => {
    timers.clearTimeout(idleTimer);
    idleTimer = timers.setTimeout(() => socket?.close(4100, 'no message from the server in time'), idleMs);
  };

  const attemptNow = () => {
    if (finished) return;
    let current: SocketLike | undefined;
    let closed = false;
    const handlers: SocketHandlers = {
      open() {
        if (finished || closed) return;
        open = true;
        armIdle();
        options.onOpen();
      },
      message(text) {
        if (finished || closed) return;
        armIdle();
        options.onMessage(text);
      },
      close(code, reason) {
        if (closed) return;
        closed = true;
        const wasUp = up && socket === current;
        open = false;
        up = false;
        socket = undefined;
        timers.clearTimeout(idleTimer);
        if (finished) return;
        if (wasUp) downSince = timers.now();
        if (options.final?.(code)) {
          options.onDown?.({ wasUp, code, reason });
          finish({ why: 'final', code, reason });
          return;
        }
        attempt++;
        const delay = backoffDelay(attempt, backoff, random);
        if (timers.now() + delay - downSince > retryForMs) {
          options.onDown?.({ wasUp, code, reason });
          finish({ why: 'gave_up', lastError: reason || `closed with code ${code}` });
          return;
        }
        options.onDown?.({ wasUp, code, reason, nextInMs: delay });
        retryTimer = timers.setTimeout(attemptNow, delay);
      },
    };
    try {
      current = connect(options.url, handlers);
      socket = current;
    } catch (err) {
      handlers.close(1006, (err as Error).message);
    }
  };

  attemptNow();
  return {
    send(text) {
      if (!open || !socket) return false;
      try {
        socket.send(text);
        return true;
      } catch {
        return false;
      }
    },
    get connected() {
      return open;
    },
    stop() {
      const s = socket;
      finish({ why: 'stopped' });
      s?.close(1000, 'agent stopped');
    },
    healthy() {
      if (!open) return;
      up = true;
      attempt = 0;
    },
    drop() {
      socket?.close(4101, 'protocol error');
    },
    ended,
  };
}
