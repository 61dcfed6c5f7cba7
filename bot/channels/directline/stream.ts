/**
 * The Direct Line WebSocket stream: `GET /v3/directline/conversations/:id/stream?t=TOKEN&watermark=N`
 * upgraded to a WebSocket that carries ActivitySets (`{activities, watermark}`) as text frames.
 * Credentials are checked before the upgrade (401/403 as a plain HTTP answer). Empty text
 * frames are heartbeats both ways (directlinejs ignores them and sends its own); a WebSocket
 * ping with no pong by the next heartbeat ends a dead connection.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { createAddressCounter, tooManyResponse } from '../../http/guard.ts';
import { limitHit } from '../../limit-hits.ts';
import type { Logger } from '../../log.ts';
import { parseWatermark } from './activity.ts';
import type { DirectLineChannel } from './channel.ts';
import { DirectLineError } from './types.ts';

const STREAM_PATH = /^\/v3\/directline\/conversations\/([A-Za-z0-9_-]{1,128})\/stream$/;

export interface StreamOptions {
  channel: DirectLineChannel;
  log: Logger;
  /** Interval of heartbeats and liveness checks; default 20 s (directlinejs pings every 20 s too). */
  heartbeatMs?: number;
  /** Open streams per client address (issue 16); past it the upgrade answers 429. Default 16. */
  maxPerAddress?: number;
}

export interface DirectLineStreams {
  /** True when the path is a stream URL this module answers. */
  matches(pathname: string): boolean;
  /** Handles an HTTP upgrade request for a stream URL. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every open stream (going away, 1001), so clients reconnect elsewhere. */
  close(): Promise<void>;
}

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  const reason =
    status === 401
      ? 'Unauthorized'
      : status === 403
        ? 'Forbidden'
        : status === 404
          ? 'Not Found'
          : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function createDirectLineStreams(options: StreamOptions): DirectLineStreams {
  const { channel, log } = options;
  const heartbeatMs = options.heartbeatMs ?? 20_000;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const alive = new WeakMap<WebSocket, boolean>();
  const perAddress = createAddressCounter();
  const maxPerAddress = options.maxPerAddress ?? 16;

  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
      ws.send('');
    }
  }, heartbeatMs);
  timer.unref();

  const accept = async (
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    conversationId: string,
    url: URL,
  ) => {
    const credential = channel.authenticate(undefined, url.searchParams.get('t') ?? '');
    channel.authorize(credential, conversationId);
    const watermark = parseWatermark(url.searchParams.get('watermark') ?? undefined);
    await channel.requireConversation(conversationId);
    const address = req.socket.remoteAddress ?? 'unknown';
    if (!perAddress.open(address, maxPerAddress)) {
      limitHit('streamsPerAddress');
      socket.end(tooManyResponse('streams'));
      return;
    }
    // The socket, not the WebSocket: it also closes when the handshake fails.
    socket.once('close', () => perAddress.close(address));
    // Anything written between here and the subscription is in the store and arrives with the catch-up.
    wss.handleUpgrade(req, socket, head, (ws) => {
      alive.set(ws, true);
      ws.on('pong', () => alive.set(ws, true));
      ws.on('message', () => alive.set(ws, true));
      let unsubscribe: (() => void) | undefined;
      let closed = false;
      ws.on('close', () => {
        closed = true;
        unsubscribe?.();
      });
      ws.on('error', (error) => log.warn('Direct Line stream error', { conversationId, error }));
      channel
        .subscribe(conversationId, watermark, (text) => {
          if (ws.readyState === ws.OPEN) ws.send(text);
        })
        .then((off) => {
          if (closed) off();
          else unsubscribe = off;
        })
        .catch((error: unknown) => {
          log.warn('Direct Line stream could not subscribe', { conversationId, error });
          ws.close(1011, 'subscribe failed');
        });
    });
  };

  return {
    matches: (pathname) => STREAM_PATH.test(pathname),
    upgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://stream.invalid');
      const match = STREAM_PATH.exec(url.pathname);
      if (match === null) return refuse(socket, 404, 'NotFound', 'not a Direct Line stream URL');
      accept(req, socket, head, match[1], url).catch((error: unknown) => {
        if (error instanceof DirectLineError) return refuse(socket, error.status, error.code, error.message);
        log.error('Direct Line stream upgrade failed', { error });
        refuse(socket, 400, 'BadArgument', 'the stream request could not be served');
      });
    },
    async close() {
      clearInterval(timer);
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
