/**
 * The dashboard at /admin (issue 18, item 4). The only way in is a sign-in link the bot posts on
 * request in a support channel (command.ts), so dashboard access is support-channel membership:
 *
 * - GET  /admin/signin?t=LINK: checks the link (signature, expiry) without using it up, and shows
 *   one button; link previewers in Slack and Teams fetch URLs, and must not burn the link.
 * - POST /admin/signin (t=LINK): uses the link up (once, atomically, in the Store) and sets the
 *   session cookie (HttpOnly, SameSite=Strict, Secure when the bot's URL is https), then /admin.
 * - GET  /admin, /admin/:file, /admin/api/summary: only with a valid session cookie.
 *
 * Everything else, and every refusal, answers 401 (never 500). Every response carries a CSP that
 * names no source but this origin.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Request, Response, Server } from 'restify';
import type { Logger } from '../log.ts';
import type { RouteModule } from '../server.ts';
import type { AuditStore, DedupeStore } from '../store/types.ts';
import type { TokenClaims, Tokens } from './tokens.ts';
import type { DashboardSummary } from './types.ts';

export const ADMIN_PATH = '/admin';
export const SIGNIN_PATH = `${ADMIN_PATH}/signin`;
export const SESSION_COOKIE = 'reconnect_admin';
/** Where scripts/build-admin.ts writes the page. */
export const DEFAULT_ADMIN_ROOT = fileURLToPath(new URL('../../dist/admin/', import.meta.url));

/** This origin only; no inline script or style (uPlot styles through the CSSOM, which CSP allows). */
export const ADMIN_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const FILES: Record<string, string> = {
  'admin.js': 'text/javascript; charset=utf-8',
  'admin.css': 'text/css; charset=utf-8',
};

export interface DashboardRouteOptions {
  tokens: Tokens;
  /** Claims a link's single use across replicas. */
  dedupe: DedupeStore;
  audit: AuditStore;
  summary: () => Promise<DashboardSummary>;
  sessionMs: number;
  /** Whether cookies get `Secure` (the bot's public URL is https). */
  secure: boolean;
  log: Logger;
  /** Epoch ms (the link's remaining life is how long its single use is remembered). */
  now: () => number;
  root?: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><link rel="stylesheet" href="${ADMIN_PATH}/admin.css"></head><body class="signin"><main><h1>Reconnect dashboard</h1>${body}</main></body></html>`;
}

const REFUSED_TEXT =
  'This sign-in link is not valid: it has expired, was used already, or is not from this bot. In your support channel, write "@Reconnect dashboard" to get a new one.';

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function send(
  res: Response,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Security-Policy': ADMIN_CSP,
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    ...headers,
  });
  res.end(body);
}

export function dashboardRoutes(options: DashboardRouteOptions): RouteModule {
  const { tokens, log } = options;
  const root = options.root ?? DEFAULT_ADMIN_ROOT;

  const refuse = (req: Request, res: Response, why: string) => {
    log.info('dashboard: refused', { path: req.path(), why });
    if (req.path().startsWith(`${ADMIN_PATH}/api/`))
      return send(
        res,
        401,
        'application/json',
        JSON.stringify({ error: { code: 'unauthorized', message: why } }),
      );
    return send(
      res,
      401,
      'text/html; charset=utf-8',
      page('Sign-in needed', `<p>${escapeHtml(REFUSED_TEXT)}</p>`),
    );
  };

  /** The session's claims, or undefined (the caller answers 401). */
  const session = (req: Request): TokenClaims | undefined => {
    const value = cookieValue(req, SESSION_COOKIE);
    if (!value) return undefined;
    const checked = tokens.verify('session', value);
    return checked.ok ? checked.claims : undefined;
  };

  /** Runs `fn` for a signed-in request (401 without one); a failure inside it answers 503. */
  const guarded =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: () => void): void => {
      if (!session(req)) {
        refuse(req, res, 'no valid session');
        next();
        return;
      }
      fn(req, res)
        .catch((error: unknown) => {
          log.error('dashboard: request failed', { path: req.path(), error });
          send(res, 503, 'application/json', JSON.stringify({ error: { code: 'unavailable' } }));
        })
        .finally(() => next());
    };

  const file = (name: string) => async (_req: Request, res: Response) => {
    try {
      send(
        res,
        200,
        name === 'index.html' ? 'text/html; charset=utf-8' : FILES[name]!,
        await readFile(join(root, name)),
      );
    } catch {
      send(
        res,
        503,
        'text/plain; charset=utf-8',
        `the dashboard is not built in ${root}: run npm run build:web`,
      );
    }
  };

  return (server: Server) => {
    server.get(SIGNIN_PATH, (req: Request, res: Response, next: () => void) => {
      const link = String((req.query as Record<string, unknown> | undefined)?.t ?? '');
      const checked = tokens.verify('link', link);
      if (!checked.ok) refuse(req, res, `link ${checked.reason}`);
      else
        send(
          res,
          200,
          'text/html; charset=utf-8',
          page(
            'Sign in',
            `<p>This link opens the dashboard once, in this browser.</p><form method="post" action="${SIGNIN_PATH}"><input type="hidden" name="t" value="${escapeHtml(link)}"><button type="submit">Open the dashboard</button></form>`,
          ),
        );
      next();
    });

    server.post(SIGNIN_PATH, (req: Request, res: Response, next: () => void) => {
      const link = new URLSearchParams(typeof req.body === 'string' ? req.body : '').get('t') ?? '';
      const checked = tokens.verify('link', link);
      const answer = async () => {
        if (!checked.ok) return refuse(req, res, `link ${checked.reason}`);
        const { claims } = checked;
        // Single use: the first POST claims the link's id for as long as the link could live.
        if (
          await options.dedupe.seen(
            `dashboard:link:${claims.id}`,
            Math.max(1, claims.exp - options.now()) + 60_000,
          )
        )
          return refuse(req, res, 'link used already');
        const cookie = tokens.mint('session', {
          ttlMs: options.sessionMs,
          channel: claims.channel,
          by: claims.by,
        });
        await options.audit.append({
          sessionId: 'dashboard',
          kind: 'dashboard_signin',
          actor: claims.by,
          data: { channel: claims.channel },
        });
        const attributes = [
          `${SESSION_COOKIE}=${cookie}`,
          `Path=${ADMIN_PATH}`,
          `Max-Age=${Math.floor(options.sessionMs / 1000)}`,
          'HttpOnly',
          'SameSite=Strict',
          ...(options.secure ? ['Secure'] : []),
        ];
        send(res, 303, 'text/plain; charset=utf-8', 'Signed in.', {
          Location: ADMIN_PATH,
          'Set-Cookie': attributes.join('; '),
        });
      };
      answer()
        .catch((error: unknown) => {
          log.error('dashboard: sign-in failed', { error });
          send(
            res,
            503,
            'text/plain; charset=utf-8',
            'Sign-in is unavailable right now; try the link again shortly.',
          );
        })
        .finally(() => next());
    });

    server.get(ADMIN_PATH, guarded(file('index.html')));
    server.get(`${ADMIN_PATH}/admin.css`, (req: Request, res: Response, next: () => void) => {
      // The sign-in and refusal pages use it too, before there is a session; it holds no data.
      file('admin.css')(req, res).finally(() => next());
    });
    server.get(`${ADMIN_PATH}/admin.js`, guarded(file('admin.js')));
    server.get(
      `${ADMIN_PATH}/api/summary`,
      guarded(async (_req, res) => {
        send(res, 200, 'application/json', JSON.stringify(await options.summary()));
      }),
    );
    // Anything else under /admin: nothing to show, and nothing said about what exists.
    server.get(`${ADMIN_PATH}/*`, (req: Request, res: Response, next: () => void) => {
      refuse(req, res, 'no such page');
      next();
    });
  };
}
