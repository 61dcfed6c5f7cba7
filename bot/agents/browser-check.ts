/**
 * The browser check's two routes on the /go page (issue 17), for a computer that will not run a
 * download:
 *
 * - POST /go/browser/plan {code}: what to probe (the case's catalog, nothing else), the bot's
 *   own time (the page measures its clock against it over the request's round trip), and a
 *   ticket that binds the report to this code's case.
 * - POST /go/browser/report {code, ticket, report}: 202 once the report is in the case (a core
 *   `report` event, source `browser`). Refused with 4xx, changing nothing: 413 past
 *   BROWSER_REPORT_MAX_BYTES, 400 malformed or outside the plan, 403 a ticket of another case,
 *   404/410/429 the code's own refusals, 429 past REPORTS_PER_CASE.
 *
 * The code is peeked like /go/check does (the pairing limiter counts a wrong one as a guess), so
 * a check leaves it live for the agent.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'restify';
import type { Catalog } from '../../probes/types.ts';
import type { CoreEvent, Session } from '../core/types.ts';
import type { Logger } from '../log.ts';
import type { RouteModule } from '../server.ts';
import type { Store } from '../store/types.ts';
import { BROWSER_REPORT_MAX_BYTES, browserPlan, checkBrowserReport } from './browser-report.ts';
import { eventBase } from './events.ts';
import { GO_PATH, REFUSALS } from './go.ts';
import type { Pairing } from './pairing.ts';

/** Reports one case takes per window; a page sends one per press of the button. */
export const REPORTS_PER_CASE = 5;
export const REPORT_WINDOW_MS = 10 * 60_000;
/** A ticket is good for this long after its plan: a check takes seconds. */
export const TICKET_TTL_MS = 5 * 60_000;

export interface BrowserCheckOptions {
  pairing: Pick<Pairing, 'peek'>;
  store: Pick<Store<Session>, 'sessions' | 'counters'>;
  /** The engine's handle: the report goes in as a core event. */
  handle(event: CoreEvent): Promise<unknown>;
  /** The catalog of the case's cloud. */
  catalogFor(session: Session): Catalog;
  /** Signs tickets; a secret of this deployment (every replica the same). */
  secret: string;
  log: Logger;
  now?: () => number;
  clientIp?: (req: IncomingMessage) => string;
}

export function browserCheckRoutes(options: BrowserCheckOptions): RouteModule {
  const now = options.now ?? Date.now;
  const source = (req: Request) => options.clientIp?.(req) ?? req.socket.remoteAddress ?? 'unknown';
  const sign = (sessionId: string, at: number) =>
    createHmac('sha256', `reconnect browser check\n${options.secret}`)
      .update(`${sessionId}\n${at}`)
      .digest('base64url');
  const ticketFor = (sessionId: string, at: number) => `${at}.${sign(sessionId, at)}`;
  /** The ticket was made for `sessionId`, and recently. */
  const ticketHolds = (ticket: string, sessionId: string): boolean => {
    const m = /^(\d{1,15})\.([\w-]{43})$/.exec(ticket);
    if (!m) return false;
    const at = Number(m[1]);
    const want = Buffer.from(sign(sessionId, at));
    const got = Buffer.from(m[2]);
    return (
      want.length === got.length && timingSafeEqual(want, got) && now() - at <= TICKET_TTL_MS && at <= now()
    );
  };

  /** The code's session, or a refusal already sent. */
  const sessionOf = async (req: Request, res: Response, code: unknown): Promise<Session | undefined> => {
    const peeked = await options.pairing.peek(typeof code === 'string' ? code.slice(0, 64) : '', source(req));
    if (!peeked.ok) {
      const { status, message } = REFUSALS[peeked.reason];
      if (peeked.reason === 'rate_limited') res.setHeader('Retry-After', '60');
      res.send(status, { ok: false, reason: peeked.reason, message });
      return undefined;
    }
    const session = await options.store.sessions.get(peeked.pairing.sessionId);
    if (!session)
      res.send(410, {
        ok: false,
        reason: 'no_case',
        message: 'This chat has ended. Start again from the chat on your phone.',
      });
    return session;
  };

  const failed = (res: Response, what: string) => (error: unknown) => {
    options.log.error(`go: browser ${what} failed`, { error });
    if (!res.headersSent)
      res.send(500, { ok: false, reason: 'error', message: 'Something went wrong here. Try again.' });
  };

  return (server) => {
    server.post(`${GO_PATH}/browser/plan`, (req: Request, res: Response, next: () => void) => {
      sessionOf(req, res, req.body?.code)
        .then((session) => {
          if (!session) return;
          const at = now();
          res.setHeader('Cache-Control', 'no-store');
          res.send(200, {
            ok: true,
            botTime: at,
            ticket: ticketFor(session.id, at),
            ...browserPlan(options.catalogFor(session)),
          });
        })
        .catch(failed(res, 'plan'))
        .finally(() => next());
    });

    server.post(`${GO_PATH}/browser/report`, (req: Request, res: Response, next: () => void) => {
      const body = req.body as Record<string, unknown> | undefined;
      const bad = (status: number, reason: string, message: string) =>
        res.send(status, { ok: false, reason, message });
      const handled = async () => {
        if (JSON.stringify(body ?? null).length > BROWSER_REPORT_MAX_BYTES)
          return bad(413, 'too_large', `A browser report is at most ${BROWSER_REPORT_MAX_BYTES} bytes.`);
        if (typeof body !== 'object' || body === null || typeof body.ticket !== 'string')
          return bad(400, 'malformed', 'Expected {code, ticket, report}.');
        const session = await sessionOf(req, res, body.code);
        if (!session) return;
        if (!ticketHolds(body.ticket, session.id))
          return bad(
            403,
            'not_this_case',
            'This report was not planned for this code’s case. Press the button again.',
          );
        const checked = checkBrowserReport(body.report, browserPlan(options.catalogFor(session)));
        if (!checked.ok) return bad(400, 'invalid_report', checked.reason);
        const count = await options.store.counters.hit(`browser-report:${session.id}`, REPORT_WINDOW_MS);
        if (count > REPORTS_PER_CASE) {
          res.setHeader('Retry-After', String(Math.ceil(REPORT_WINDOW_MS / 1000)));
          return bad(
            429,
            'rate_limited',
            'This case has had enough browser checks for now. Follow the chat on your phone.',
          );
        }
        const at = now();
        await options.handle({
          ...eventBase(
            session,
            `browser-check:${session.id}:${body.ticket.split('.')[0]}:${count}`,
            'browser',
            at,
          ),
          kind: 'report',
          source: 'browser',
          report: checked.report,
        });
        res.send(202, {
          ok: true,
          findings: checked.report.findings.map((f) => f.id),
          verdict: checked.report.verdict,
        });
      };
      handled()
        .catch(failed(res, 'report'))
        .finally(() => next());
    });
  };
}
