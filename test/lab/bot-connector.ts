/**
 * A local Bot Connector service: the part of Bot Framework a bot talks back to, on 127.0.0.1.
 * It records what the bot sends (new activities, replies, updates, new conversations, token
 * requests) and answers the way the service does (`{id}`), so Teams tests can drive botbuilder
 * over the wire. Activities delivered to a bot carry `serviceUrl` = this server's URL.
 *
 * Routes (Bot Connector API v3):
 *   POST /v3/conversations                                    create → {id, activityId?}
 *   POST /v3/conversations/:conversationId/activities         send → {id}
 *   POST /v3/conversations/:conversationId/activities/:id     reply → {id}
 *   PUT  /v3/conversations/:conversationId/activities/:id     update → {id}
 *   DELETE /v3/conversations/:conversationId/activities/:id   delete
 *   POST /:tenant/oauth2/v2.0/token                           client-credentials token
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ConnectorOp = 'create' | 'send' | 'reply' | 'update' | 'delete' | 'token';

export interface ConnectorRecord {
  op: ConnectorOp;
  conversationId?: string;
  /** The id assigned (send, reply, create) or addressed (update, delete). */
  activityId?: string;
  /** For replies: the activity replied to. */
  replyToId?: string;
  /** The request body (an activity, conversation parameters, or the token form as an object). */
  body: Record<string, unknown>;
  authorization?: string;
}

export interface BotConnector {
  /** Base URL with a trailing slash, as Bot Framework's serviceUrl values have. */
  readonly url: string;
  readonly records: readonly ConnectorRecord[];
  /** Records of one kind (and conversation), in arrival order. */
  find(op: ConnectorOp, conversationId?: string): ConnectorRecord[];
  /** Resolves with the first record (existing or future) matching `test`; rejects on `signal`. */
  waitFor(test: (record: ConnectorRecord) => boolean, signal: AbortSignal): Promise<ConnectorRecord>;
  /** Makes the next `count` requests of `op` answer `status` (fault injection), with Retry-After when given. */
  failNext(op: ConnectorOp, status: number, count?: number, retryAfterSec?: number): void;
  /** Makes the next `count` requests of `op` to `conversationId` never answer (held until close). */
  hangNext(op: ConnectorOp, conversationId: string, count?: number): void;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
// writeHead and end are separate statements throughout: restify, loaded in the same process by
// the bot under test, replaces ServerResponse#writeHead with one that does not return `this`.

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error(`bot connector: request body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parse(text: string, contentType: string | undefined): Record<string, unknown> {
  if (text === '') return {};
  if (contentType?.startsWith('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(text));
  return JSON.parse(text) as Record<string, unknown>;
}

function route(
  method: string,
  path: string,
): { op: ConnectorOp; conversationId?: string; activityId?: string } | undefined {
  if (method === 'POST' && /^\/[^/]+\/oauth2\/v2\.0\/token$/.test(path)) return { op: 'token' };
  if (method === 'POST' && path === '/v3/conversations') return { op: 'create' };
  const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path);
  if (!m) return undefined;
  const conversationId = decodeURIComponent(m[1]);
  const activityId = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
  if (method === 'POST') return { op: activityId ? 'reply' : 'send', conversationId, activityId };
  if (method === 'PUT' && activityId) return { op: 'update', conversationId, activityId };
  if (method === 'DELETE' && activityId) return { op: 'delete', conversationId, activityId };
  return undefined;
}

export interface BotConnectorOptions {
  /** Keep request bodies in `records` (default true); benchmarks turn it off to bound memory. */
  recordBodies?: boolean;
}

/** Starts the connector on 127.0.0.1 (an ephemeral port). */
export async function startBotConnector(options: BotConnectorOptions = {}): Promise<BotConnector> {
  const keepBodies = options.recordBodies ?? true;
  const records: ConnectorRecord[] = [];
  const waiters = new Set<(record: ConnectorRecord) => void>();
  const faults = new Map<ConnectorOp, { status: number; count: number; retryAfterSec?: number }>();
  const hangs = new Map<string, number>();
  let nextId = 1;
  const newId = () => `lab-${nextId++}`;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://connector').pathname;
    const matched = route(req.method ?? 'GET', path);
    const text = await readBody(req);
    if (!matched) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NotFound' } }));
      return;
    }
    const hangKey = `${matched.op}|${matched.conversationId}`;
    if ((hangs.get(hangKey) ?? 0) > 0) {
      hangs.set(hangKey, (hangs.get(hangKey) ?? 0) - 1);
      return; // never answered: the server's close ends it
    }
    const fault = faults.get(matched.op);
    if (fault && fault.count > 0) {
      fault.count--;
      res.writeHead(fault.status, {
        'content-type': 'application/json',
        ...(fault.retryAfterSec === undefined ? {} : { 'retry-after': String(fault.retryAfterSec) }),
      });
      res.end(JSON.stringify({ error: { code: 'Injected' } }));
      return;
    }
    const body = parse(text, req.headers['content-type']);
    const record: ConnectorRecord = {
      op: matched.op,
      body: keepBodies ? body : {},
      authorization: req.headers.authorization,
    };
    let answer: Record<string, unknown>;
    switch (matched.op) {
      case 'token':
        answer = {
          token_type: 'Bearer',
          expires_in: 3600,
          ext_expires_in: 3600,
          access_token: `lab-token-${nextId++}`,
        };
        break;
      case 'create': {
        record.conversationId = `lab-conversation-${nextId++}`;
        const hasActivity = typeof body.activity === 'object' && body.activity !== null;
        if (hasActivity) record.activityId = newId();
        answer = { id: record.conversationId, ...(hasActivity ? { activityId: record.activityId } : {}) };
        break;
      }
      case 'send':
      case 'reply':
        record.conversationId = matched.conversationId;
        record.replyToId = matched.activityId;
        record.activityId = newId();
        answer = { id: record.activityId };
        break;
      default:
        record.conversationId = matched.conversationId;
        record.activityId = matched.activityId;
        answer = { id: matched.activityId };
    }
    records.push(record);
    for (const waiter of waiters) waiter(record);
    res.writeHead(matched.op === 'create' ? 201 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'BadRequest', message: error.message } }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    records,
    find: (op, conversationId) =>
      records.filter(
        (r) => r.op === op && (conversationId === undefined || r.conversationId === conversationId),
      ),
    waitFor(test, signal) {
      const existing = records.find(test);
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const waiter = (record: ConnectorRecord) => {
          if (!test(record)) return;
          waiters.delete(waiter);
          resolve(record);
        };
        waiters.add(waiter);
        signal.addEventListener(
          'abort',
          () => {
            waiters.delete(waiter);
            reject(
              new Error(
                `bot connector: no matching request before the deadline (${records.length} recorded)`,
              ),
            );
          },
          { once: true },
        );
      });
    },
    failNext(op, status, count = 1, retryAfterSec) {
      faults.set(op, { status, count, ...(retryAfterSec === undefined ? {} : { retryAfterSec }) });
    },
    hangNext(op, conversationId, count = 1) {
      hangs.set(`${op}|${conversationId}`, count);
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
