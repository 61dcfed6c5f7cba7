/**
 * `POST /api/slack/events` in our restify server: Events API deliveries, interactions and the
 * slash command all arrive here (the manifest points all three at it). The server's body
 * parser has already read the body; it keeps the exact text as `req.rawBody`, which is what
 * the signature covers.
 */
import type { Request, Response } from 'restify';
import type { RouteModule } from '../../server.ts';
import type { SlackChannel } from './channel.ts';
import { parseSlackBody } from './receiver.ts';
import { slackShapeProblem } from './shape.ts';

export const SLACK_EVENTS_PATH = '/api/slack/events';

function rawBodyOf(req: Request): string {
  const raw = (req as Request & { rawBody?: unknown }).rawBody;
  if (typeof raw === 'string') return raw;
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  return '';
}

/** What is wrong with the delivery's shape, if it parses at all (unparsable bodies: the receiver's 400). */
function shapeProblem(
  rawBody: string,
  contentType: string | undefined,
  maxDepth: number,
): string | undefined {
  const body: unknown = parseSlackBody(rawBody, contentType);
  if (body === undefined) return undefined;
  // An interaction's payload may be any JSON ("payload=0"): only an object is a delivery.
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'the payload must be a JSON object';
  const payload = (contentType ?? '').includes('application/x-www-form-urlencoded')
    ? (new URLSearchParams(rawBody).get('payload') ?? undefined)
    : undefined;
  return slackShapeProblem(body as Record<string, unknown>, maxDepth, payload);
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
      const rawBody = rawBodyOf(req);
      // Before the support front and Bolt: a shape they cannot read answers 400, not a 500 (shape.ts).
      const problem = shapeProblem(rawBody, req.headers['content-type'], context.config.limits.jsonDepth);
      if (problem !== undefined) {
        context.log.warn('slack: delivery refused', { code: 'slack_invalid_payload', detail: problem });
        res.sendRaw(400, JSON.stringify({ ok: false, error: 'invalid_payload' }), {
          'content-type': 'application/json',
        });
        next();
        return;
      }
      dispatch({ rawBody, headers: req.headers })
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
