/**
 * POST /api/messages: read the activity, authenticate it with botbuilder, and only then run the
 * bot. Authentication failures answer 401/403 (503 when the signing keys cannot be fetched) and
 * the bot never sees the activity; see auth.ts for why this is not `CloudAdapter.process`.
 */
import type { IncomingMessage } from 'node:http';
import { type Activity, CloudAdapter, type InvokeResponse, type TurnContext } from 'botbuilder';
import type { Request, Response } from 'restify';
import { parseBoundedJson } from '../../http/body.ts';
import { DEFAULT_LIMITS, type LimitError } from '../../limits.ts';
import type { Logger } from '../../log.ts';
import { type BotFrameworkAuth, classifyAuthFailure } from './auth.ts';
import { ActivityRefused, checkActivity, checkServiceUrlClaim } from './intake.ts';

type AuthenticateRequestResult = Awaited<ReturnType<BotFrameworkAuth['authenticateRequest']>>;

/** Bot Framework activities are small; a bigger body is refused before parsing. */
const MAX_BODY = 256 * 1024;

/** CloudAdapter with the authenticated half of `process` made callable. */
export class TeamsAdapter extends CloudAdapter {
  readonly auth: BotFrameworkAuth;

  constructor(auth: BotFrameworkAuth) {
    super(auth);
    this.auth = auth;
  }

  /** Runs `logic` for an activity whose request authenticated as `result`. */
  processAuthenticated(
    result: AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(result, activity, logic);
  }
}

class BadRequest extends Error {}

async function readBody(req: Request): Promise<unknown> {
  if (req.body !== undefined && typeof req.body !== 'string' && !Buffer.isBuffer(req.body)) return req.body;
  let text: string;
  if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) {
    text = String(req.body);
  } else {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as IncomingMessage) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) throw new BadRequest(`request body over ${MAX_BODY} bytes`);
      chunks.push(chunk as Buffer);
    }
    text = Buffer.concat(chunks).toString('utf8');
  }
  try {
    return parseBoundedJson(text, DEFAULT_LIMITS.jsonDepth);
  } catch (error) {
    throw new BadRequest((error as LimitError).message);
  }
}

/**
 * The checks botbuilder's own validateAndFixActivity makes (it is not exported), and the shape
 * and service URL checks of intake.ts.
 */
function toActivity(body: unknown, allowedServiceUrls: readonly string[] | undefined): Activity {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BadRequest('request body must be a Bot Framework activity (a JSON object)');
  checkActivity(body as Record<string, unknown>, allowedServiceUrls);
  const activity = body as Activity & { rawTimestamp?: string };
  if (typeof activity.timestamp === 'string') {
    activity.rawTimestamp = activity.timestamp;
    activity.timestamp = new Date(activity.timestamp);
  }
  return activity;
}

function reply(res: Response, status: number, body?: unknown): void {
  if (body === undefined) {
    res.status(status);
    res.end();
  } else {
    res.json(status, body);
  }
}

export interface MessagesHandlerOptions {
  adapter: TeamsAdapter;
  logic: (context: TurnContext) => Promise<void>;
  log: Logger;
  /**
   * Without an app id: the service URL prefixes replies may go to (TEAMS_SERVICE_URLS). Undefined
   * when an app id is set: then only the token's `serviceurl` claim is accepted.
   */
  allowedServiceUrls?: readonly string[];
}

/** The restify handler for POST /api/messages. */
export function messagesHandler(options: MessagesHandlerOptions) {
  const { adapter, logic, log, allowedServiceUrls } = options;
  const refuse = (res: Response, error: unknown): void => {
    const failure = classifyAuthFailure(error);
    log.warn('teams: request refused', {
      status: failure.status,
      code: failure.code,
      reason: failure.message,
    });
    reply(res, failure.status, {
      error: { code: failure.code, message: 'the request could not be authenticated' },
    });
  };
  return async (req: Request, res: Response): Promise<void> => {
    const header = req.headers.authorization ?? '';
    let activity: Activity;
    try {
      activity = toActivity(await readBody(req), allowedServiceUrls);
    } catch (error) {
      // With authentication on, who is asking is settled before what they sent: a forged or
      // missing token answers 401/403 even with a body we would refuse anyway.
      if (allowedServiceUrls === undefined) {
        try {
          await adapter.auth.authenticateRequest({ type: 'message' } as Activity, header);
        } catch (authError) {
          refuse(res, authError);
          return;
        }
      }
      if (error instanceof ActivityRefused) {
        log.warn('teams: activity refused', {
          status: error.status,
          code: error.code,
          reason: error.message,
        });
        reply(res, error.status, { error: { code: error.code, message: error.message } });
        return;
      }
      if (!(error instanceof BadRequest)) throw error;
      reply(res, 400, { error: { code: 'bad_request', message: error.message } });
      return;
    }
    let authenticated: AuthenticateRequestResult;
    try {
      authenticated = await adapter.auth.authenticateRequest(activity, header);
      if (allowedServiceUrls === undefined)
        checkServiceUrlClaim(activity, authenticated.claimsIdentity.getClaimValue('serviceurl') ?? undefined);
    } catch (error) {
      refuse(res, error);
      return;
    }
    try {
      const invoke = await adapter.processAuthenticated(authenticated, activity, logic);
      reply(res, invoke?.status ?? 200, invoke?.body);
    } catch (error) {
      log.error('teams: turn failed', { activityType: activity.type, error });
      reply(res, 500, {
        error: { code: 'internal_error', message: 'the bot could not handle this activity' },
      });
    }
  };
}
