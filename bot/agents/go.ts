/**
 * The /go page: the short address the pairing card names. On the computer, the person types the
 * code from the chat; the page checks it without using it up (Pairing.peek, rate-limited like a
 * redeem), picks the executable for this OS and CPU, and downloads it under a name that carries
 * the code and this bot's address (probes/agent/launch-name.ts), so a double-click pairs.
 *
 * - GET /go, /go/go.js, /go/go.css: the page (plain HTML and a small script, no CDN, strict CSP).
 * - POST /go/check {code}: 200 with the code's display form and the targets built here, or
 *   404/410/429 with a sentence that says what is wrong.
 * - GET /go/download/:target?code=…: the executable (executables.ts says how it is framed).
 */
import { createReadStream, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Request, Response } from 'restify';
import { isLoopbackHost, launchStem } from '../../probes/agent/launch-name.ts';
import { formatPairingCode } from '../../probes/agent/pairing-code.ts';
import type { Logger } from '../log.ts';
import type { RouteModule } from '../server.ts';
import {
  DEFAULT_AGENTS_DIR,
  type Executable,
  executablesReader,
  isTarget,
  isWindows,
  TARGETS,
  type Target,
  zipDownload,
} from './executables.ts';
import type { Pairing, RedeemFailure } from './pairing.ts';

export const GO_PATH = '/go';

/**
 * Only this origin, no inline script or style: the page needs nothing else, but for the browser
 * check's probes (`connect`: the catalogs' endpoint origins, and nothing beyond them).
 */
export function goCsp(connect: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    ["connect-src 'self'", ...new Set(connect)].join(' '),
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const GO_CSP = goCsp();

const ASSETS: Record<string, { file: string; type: string }> = {
  [GO_PATH]: { file: 'index.html', type: 'text/html; charset=utf-8' },
  [`${GO_PATH}/go.js`]: { file: 'go.js', type: 'text/javascript; charset=utf-8' },
  [`${GO_PATH}/go.css`]: { file: 'go.css', type: 'text/css; charset=utf-8' },
  [`${GO_PATH}/check.js`]: { file: 'check.js', type: 'text/javascript; charset=utf-8' },
};

/** What the page says for each refusal, in plain words, and the HTTP status it comes with. */
export const REFUSALS: Record<RedeemFailure, { status: number; message: string }> = {
  invalid_code: {
    status: 404,
    message:
      'There is no such code. Check it against the chat on your phone: 10 letters and digits, like 7K3M9-QXT4H.',
  },
  expired: {
    status: 410,
    message:
      'This code has expired. In the chat on your phone, press "Get a new code", then type the new code here.',
  },
  redeemed: {
    status: 410,
    message: 'This code has already been used by a computer. In the chat on your phone, ask for a new code.',
  },
  rate_limited: {
    status: 429,
    message: 'Too many wrong codes were typed from this network. Wait a minute, then try again.',
  },
};

export interface GoOptions {
  pairing: Pick<Pairing, 'peek'>;
  log: Logger;
  /** Where manifest.json and the executables are; default dist/agents. */
  agentsDir?: string;
  /** The rate limiter's key for a request; default the socket's address. */
  clientIp?: (req: IncomingMessage) => string;
  /** Origins the browser check connects to (goCsp). */
  connect?: readonly string[];
}

/** The route module for bot/server.ts. */
export function goRoutes(options: GoOptions): RouteModule {
  const assets = new Map(
    Object.entries(ASSETS).map(([path, a]) => [
      path,
      { body: readFileSync(new URL(`./go/${a.file}`, import.meta.url)), type: a.type },
    ]),
  );
  const executables = executablesReader(options.agentsDir ?? DEFAULT_AGENTS_DIR);
  const source = (req: Request) => options.clientIp?.(req) ?? req.socket.remoteAddress ?? 'unknown';
  const csp = goCsp(options.connect);

  return (server, context) => {
    /** This bot's origin as the agent must reach it: PUBLIC_URL, else the request's Host. */
    const origin = (req: Request): string => {
      if (context.config.publicUrl) return context.config.publicUrl;
      const host = String(req.headers.host ?? 'localhost');
      return `${isLoopbackHost(host.replace(/:\d+$/, '')) ? 'http' : 'https'}://${host}`;
    };

    for (const [path, asset] of assets) {
      server.get(path, (_req: Request, res: Response, next: () => void) => {
        res.setHeader('Content-Type', asset.type);
        res.setHeader('Content-Security-Policy', csp);
        res.setHeader('Cache-Control', 'no-cache');
        res.setHeader('Referrer-Policy', 'no-referrer');
        res.writeHead(200);
        res.end(asset.body);
        next();
      });
    }

    const refuse = (res: Response, reason: RedeemFailure) => {
      const { status, message } = REFUSALS[reason];
      if (reason === 'rate_limited') res.setHeader('Retry-After', '60');
      res.send(status, { ok: false, reason, message });
    };

    server.post(`${GO_PATH}/check`, (req: Request, res: Response, next: () => void) => {
      const code = typeof req.body?.code === 'string' ? req.body.code.slice(0, 64) : '';
      Promise.all([options.pairing.peek(code, source(req)), executables()])
        .then(([peeked, built]) => {
          if (!peeked.ok) return refuse(res, peeked.reason);
          const stem = launchStem(peeked.pairing.code, origin(req));
          res.send(200, {
            ok: true,
            code: formatPairingCode(peeked.pairing.code),
            expiresAt: new Date(peeked.pairing.expiresAt).toISOString(),
            // The targets built here, each with the name its download gets.
            files: Object.fromEntries(
              TARGETS.filter((t) => built?.has(t)).map((t) => [t, downloadName(t, stem)]),
            ),
          });
        })
        .catch((error: unknown) => {
          options.log.error('go: check failed', { error });
          res.send(500, { ok: false, reason: 'error', message: 'Something went wrong here. Try again.' });
        })
        .finally(() => next());
    });

    server.get(`${GO_PATH}/download/:target`, (req: Request, res: Response, next: () => void) => {
      const target = String(req.params.target ?? '');
      const code = String((req.query as Record<string, unknown> | undefined)?.code ?? '').slice(0, 64);
      if (!isTarget(target)) {
        res.send(404, { ok: false, reason: 'unknown_target', message: `There is no download "${target}".` });
        return next();
      }
      Promise.all([options.pairing.peek(code, source(req)), executables()])
        .then(([peeked, built]) => {
          if (!peeked.ok) return refuse(res, peeked.reason);
          const exe = built?.get(target);
          if (!exe) {
            res.send(503, {
              ok: false,
              reason: 'not_built',
              message: `The download for ${target} is not built on this server (npm run build:agents).`,
            });
            return;
          }
          const stem = launchStem(peeked.pairing.code, origin(req));
          sendExecutable(req, res, exe, stem);
        })
        .catch((error: unknown) => {
          options.log.error('go: download failed', { error });
          if (!res.headersSent)
            res.send(500, { ok: false, reason: 'error', message: 'The download could not be read.' });
        })
        .finally(() => next());
    });
  };
}

/** Windows gets the .exe itself; macOS and Linux a .zip that keeps the run bit. */
export function downloadName(target: Target, stem: string): string {
  return isWindows(target) ? `${stem}.exe` : `${stem}.zip`;
}

/** Streams the executable under `stem` (+ .exe, or inside a .zip); errors end the response. */
function sendExecutable(req: Request, res: Response, exe: Executable, stem: string): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Checksum-Sha256', exe.sha256);
  let body: Readable;
  let prefix: Buffer | undefined;
  let suffix: Buffer | undefined;
  const fileName = downloadName(exe.target, stem);
  const accepts = String(req.headers['accept-encoding'] ?? '');
  res.setHeader('Vary', 'Accept-Encoding');
  if (isWindows(exe.target)) {
    res.setHeader('Content-Type', 'application/vnd.microsoft.portable-executable');
    if (exe.br && /\bbr\b/.test(accepts)) {
      // Brotli is what keeps the download within its budget (browsers offer it over HTTPS).
      res.setHeader('Content-Encoding', 'br');
      res.setHeader('Content-Length', String(exe.br.size));
      body = createReadStream(exe.br.path);
    } else if (/\bgzip\b/.test(accepts)) {
      res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('Content-Length', String(exe.gzipSize));
      body = createReadStream(exe.gzipPath);
    } else {
      res.setHeader('Content-Length', String(exe.size));
      body = createReadStream(exe.path);
    }
  } else {
    // The saved file is the ZIP either way; Brotli (a stored entry) is what fits the budget.
    const zip = zipDownload(exe, stem, { brotli: /\bbr\b/.test(accepts) });
    prefix = zip.prefix;
    suffix = zip.suffix;
    res.setHeader('Content-Type', 'application/zip');
    if (zip.encoding) res.setHeader('Content-Encoding', zip.encoding);
    res.setHeader('Content-Length', String(zip.length));
    body = createReadStream(zip.file, { start: zip.from, end: zip.to - 1 });
  }
  res.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
  res.writeHead(200);
  if (prefix) res.write(prefix);
  body.on('error', () => res.destroy());
  body.on('end', () => res.end(suffix));
  body.pipe(res, { end: false });
}
