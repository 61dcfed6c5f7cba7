/**
 * Serves the built web chat page (dist/web, written by scripts/build-web.ts) at `/`: index.html
 * and the flat files beside it, with a Content-Security-Policy that allows only this origin
 * (no CDN at run time). A missing build answers 503 naming the command that makes it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Request, Response, Server } from 'restify';
import type { Logger } from '../../log.ts';

export interface WebChatPageOptions {
  /** Directory holding index.html and its assets. */
  root: string;
  log: Logger;
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  json: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  woff2: 'font/woff2',
};
/** Flat file names only: no slashes, no leading dot, so nothing outside root can be named. */
const FILE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}\.([a-z0-9]+)$/;

/** Web Chat injects its styles at run time (hence 'unsafe-inline' for styles) and renders data: images. */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "media-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-ancestors 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

/** The route module for the page. */
export function webChatPage(options: WebChatPageOptions) {
  const { root, log } = options;

  /** The precompressed variant the client accepts (build-web writes .br and .gz), else the file. */
  const readBest = async (name: string, accepted: string): Promise<[Buffer, string | undefined]> => {
    for (const [encoding, suffix] of [
      ['br', '.br'],
      ['gzip', '.gz'],
    ] as const) {
      if (!new RegExp(`\\b${encoding}\\b`).test(accepted)) continue;
      try {
        return [await readFile(join(root, name + suffix)), encoding];
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return [await readFile(join(root, name)), undefined];
  };

  const sendFile = async (req: Request, res: Response, name: string): Promise<void> => {
    const ext = FILE.exec(name)?.[1];
    const type = ext === undefined ? undefined : TYPES[ext];
    if (type === undefined) {
      res.send(404, { error: { code: 'NotFound', message: `no file ${name}` } });
      return;
    }
    let body: Buffer;
    let encoding: string | undefined;
    try {
      [body, encoding] = await readBest(name, String(req.headers['accept-encoding'] ?? ''));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (name === 'index.html') {
        res.send(503, {
          error: {
            code: 'NotBuilt',
            message: `the web chat page is not built in ${root}: run npm run build:web`,
          },
        });
      } else {
        res.send(404, { error: { code: 'NotFound', message: `no file ${name}` } });
      }
      return;
    }
    res.setHeader('Content-Type', type);
    res.setHeader('Vary', 'Accept-Encoding');
    if (encoding !== undefined) res.setHeader('Content-Encoding', encoding);
    // index.html names the bundle, so it must not be cached; the rest may be briefly.
    res.setHeader('Cache-Control', ext === 'html' ? 'no-cache' : 'public, max-age=300');
    if (ext === 'html') {
      res.setHeader('Content-Security-Policy', PAGE_CSP);
      res.setHeader('Referrer-Policy', 'no-referrer');
    }
    res.writeHead(200);
    res.end(body);
  };

  const handler =
    (pick: (req: Request) => string) =>
    (req: Request, res: Response, next: () => void): void => {
      sendFile(req, res, pick(req))
        .catch((error: unknown) => {
          log.error('web chat page file failed', { path: req.path(), error });
          res.send(500, { error: { code: 'ServiceError', message: 'the file could not be read' } });
        })
        .finally(() => next());
    };

  return (server: Server): void => {
    server.get(
      '/',
      handler(() => 'index.html'),
    );
    server.get(
      '/:file',
      handler((req) => String(req.params?.file ?? '')),
    );
  };
}
