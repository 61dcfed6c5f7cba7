/**
 * The Direct Line 3.0 REST routes (the subset Web Chat uses) and the page's own token endpoint,
 * as a route module for bot/server.ts. Thin: each route reads the request, calls the channel
 * and writes what it returns; DirectLineErrors become `{error: {code, message}}` with their
 * status, so a bad credential is a 401 or 403 and never a 500.
 */
import type { Request, Response, Server } from 'restify';
import type { Logger } from '../../log.ts';
import type { RouteContext } from '../../server.ts';
import type { ConversationGrant, DirectLineChannel } from './channel.ts';
import type { DirectLineStreams } from './stream.ts';
import { DirectLineError } from './types.ts';

export interface DirectLineRoutesOptions {
  channel: DirectLineChannel;
  streams: DirectLineStreams;
  log: Logger;
  /** The public origin (PUBLIC_URL); when absent, stream URLs follow the request's Host. */
  publicUrl?: string;
}

type Result = { status: number; body: unknown };

/** A body that is JSON text already. */
class RawJson {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

const BASE = '/v3/directline';

/** ws(s)://host of the request, as the client reached us (PUBLIC_URL wins when set). */
function wsOrigin(req: Request, publicUrl: string | undefined): string {
  if (publicUrl !== undefined) return publicUrl.replace(/^http/, 'ws');
  const forwarded = String(req.headers['x-forwarded-proto'] ?? '')
    .split(',')[0]
    .trim();
  const secure = req.isSecure() || forwarded === 'https';
  return `${secure ? 'wss' : 'ws'}://${req.headers.host ?? 'localhost'}`;
}

function streamUrl(
  req: Request,
  publicUrl: string | undefined,
  grant: ConversationGrant,
  watermark?: unknown,
): string {
  const query = new URLSearchParams({ t: grant.token });
  if (typeof watermark === 'string' && watermark !== '') query.set('watermark', watermark);
  return `${wsOrigin(req, publicUrl)}${BASE}/conversations/${grant.conversationId}/stream?${query}`;
}

/** What Direct Line returns for a grant (the user id stays server-side unless asked for). */
const grantBody = (grant: ConversationGrant, extra: Record<string, unknown> = {}) => ({
  conversationId: grant.conversationId,
  token: grant.token,
  expires_in: grant.expires_in,
  ...extra,
});

/** Builds the route module: register it with createServer({ routes: [directLineRoutes(...)] }). */
export function directLineRoutes(options: DirectLineRoutesOptions) {
  const { channel, streams, log, publicUrl } = options;

  const handle =
    (fn: (req: Request) => Promise<Result> | Result) =>
    (req: Request, res: Response, next: (err?: unknown) => void): void => {
      res.header('Cache-Control', 'no-store');
      Promise.resolve()
        .then(() => fn(req))
        .then(({ status, body }) =>
          body instanceof RawJson
            ? res.sendRaw(status, body.text, { 'Content-Type': 'application/json' })
            : res.send(status, body),
        )
        .catch((error: unknown) => {
          if (error instanceof DirectLineError) {
            res.send(error.status, { error: { code: error.code, message: error.message } });
          } else {
            log.error('Direct Line request failed', { path: req.path(), error });
            res.send(500, { error: { code: 'ServiceError', message: 'the request could not be served' } });
          }
        })
        .finally(() => next());
    };

  const credentialOf = (req: Request) => channel.authenticate(req.headers.authorization);
  const param = (req: Request, name: string): string => String(req.params?.[name] ?? '');

  return (server: Server, context: RouteContext): void => {
    // The page's own token endpoint: no secret in the browser, one new conversation per token.
    server.post(
      '/api/webchat/token',
      handle((req) => {
        const grant = channel.webChatToken(req.headers.authorization);
        return { status: 200, body: grantBody(grant, { userId: grant.userId }) };
      }),
    );

    server.post(
      `${BASE}/tokens/generate`,
      handle((req) => ({
        status: 200,
        body: grantBody(channel.generate(credentialOf(req), req.body)),
      })),
    );

    server.post(
      `${BASE}/tokens/refresh`,
      handle((req) => ({ status: 200, body: grantBody(channel.refresh(credentialOf(req))) })),
    );

    server.post(
      `${BASE}/conversations`,
      handle(async (req) => {
        const { created, grant } = await channel.start(credentialOf(req), req.body);
        return {
          status: created ? 201 : 200,
          body: grantBody(grant, { streamUrl: streamUrl(req, publicUrl, grant) }),
        };
      }),
    );

    server.get(
      `${BASE}/conversations/:conversationId`,
      handle(async (req) => {
        const grant = await channel.reconnect(credentialOf(req), param(req, 'conversationId'));
        const watermark = req.query?.watermark;
        return {
          status: 200,
          body: grantBody(grant, { streamUrl: streamUrl(req, publicUrl, grant, watermark) }),
        };
      }),
    );

    server.post(
      `${BASE}/conversations/:conversationId/activities`,
      handle(async (req) => ({
        status: 200,
        body: await channel.post(credentialOf(req), param(req, 'conversationId'), req.body),
      })),
    );

    server.get(
      `${BASE}/conversations/:conversationId/activities`,
      handle(async (req) => ({
        status: 200,
        // Already JSON (history.ts): sent as is, not serialized again.
        body: new RawJson(
          await channel.activities(credentialOf(req), param(req, 'conversationId'), req.query?.watermark),
        ),
      })),
    );

    context.onUpgrade(streams.matches, streams.upgrade);
    context.onClose(async () => {
      await streams.close();
      await channel.idle();
    });
  };
}
