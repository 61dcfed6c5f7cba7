/**
 * `POST /api/slack/events` in our restify server: Events API deliveries, interactions and the
 * slash command all arrive here (the manifest points all three at it). The server's body
 * parser has already read the body; it keeps the exact text as `req.rawBody`, which is what
 * the signature covers.
 */
import type { Request, Response } from 'restify';
import type { RouteModule } from '../../server.ts';
import type { SlackChannel } from './channel.ts';

export const SLACK_EVENTS_PATH = '/api/slack/events';

function rawBodyOf(req: Request): string {
  const raw = (req as Request & { rawBody?: unknown }).rawBody;
  if (typeof raw === 'string') return raw;
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  return '';
}

/**
 * The route module for a started Slack channel. In Socket Mode there is no route (Slack comes
 * to us over the socket); either way the channel stops with the server.
 */
export function slackRoutes(channel: SlackChannel): RouteModule {
  return (server, context) => {
    context.onClose(() => channel.stop());
    const dispatch = channel.dispatch;
    if (!dispatch) return;
    server.post(SLACK_EVENTS_PATH, (req: Request, res: Response, next: () => void) => {
      dispatch({ rawBody: rawBodyOf(req), headers: req.headers })
        .then(
          (answer) => res.sendRaw(answer.status, answer.body, answer.headers),
          (error: unknown) => {
            context.log.error('slack: dispatch failed', { error });
            res.sendRaw(500, '', {});
          },
        )
        .finally(() => next());
    });
  };
}
