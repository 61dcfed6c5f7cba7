/**
 * The request body reader, in place of restify's bodyParser (issue 16). restify's reader had no
 * error handler on its gunzip stream (a body marked gzip that is not gzip killed the process),
 * counted only compressed bytes against its limit (a 100 KB gzip bomb inflated to 100 MiB),
 * read an oversized body to its end before refusing it, and waited forever for a body trickled
 * a byte at a time. This one:
 *
 * - refuses a declared Content-Length over the route's limit before reading (413);
 * - counts both the bytes on the wire and the decoded bytes, stopping at the limit (413);
 * - answers 400 for a body that is not what its Content-Encoding says, 415 for an encoding
 *   other than identity and gzip;
 * - answers 408 when the body goes silent for `bodyIdleMs`;
 * - parses JSON bodies with their nesting bounded (400 past `jsonDepth`): a deep document
 *   would later overflow the stack of whatever serializes or walks it.
 *
 * `req.rawBody` keeps the exact text (Slack's signature covers it); `req.body` is the parsed
 * JSON for JSON content types, the text otherwise.
 */
import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';
import type { Request, Response } from 'restify';
import { type LimitName, limitHit } from '../limit-hits.ts';
import { LimitError, type Limits } from '../limits.ts';

/** Which body limit a route has: routes allowed more than `bodyBytes`, by restify route path. */
function bodyLimitName(routePath: string | undefined): 'bodyBytes' | 'activityBodyBytes' | 'slackBodyBytes' {
  if (
    routePath === '/api/messages' ||
    routePath === '/v3/directline/conversations/:conversationId/activities'
  )
    return 'activityBodyBytes';
  if (routePath === '/api/slack/events') return 'slackBodyBytes';
  return 'bodyBytes';
}

/** The body limit of a route, by restify route path. */
export function bodyLimitFor(limits: Limits, routePath: string | undefined): number {
  return limits[bodyLimitName(routePath)];
}

/** Largest nesting of arrays and objects in JSON text, scanned without recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** JSON.parse with the nesting bound; throws LimitError(400) for deep or malformed text. */
export function parseBoundedJson(text: string, maxDepth: number): unknown {
  if (jsonDepth(text) > maxDepth)
    throw new LimitError(400, 'json_too_deep', `JSON nests deeper than ${maxDepth} levels`);
  try {
    return JSON.parse(text);
  } catch {
    throw new LimitError(400, 'invalid_json', 'the request body is not valid JSON');
  }
}

const isJson = (type: string): boolean =>
  type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type);

/** Reads `req` to its end, decoded, or rejects with a LimitError; never reads past `max`. */
function readDecoded(req: IncomingMessage, max: number, idleMs: number): Promise<Buffer> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip')
    return Promise.reject(
      new LimitError(
        415,
        'unsupported_encoding',
        `Content-Encoding "${encoding}" is not accepted; use gzip or none`,
      ),
    );
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max)
    return Promise.reject(new LimitError(413, 'body_too_large', `the request body is over ${max} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let wire = 0;
    let decoded = 0;
    let settled = false;
    const gunzip = encoding === 'identity' ? undefined : createGunzip();
    const finish = (error?: LimitError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      req.off('data', onWire);
      gunzip?.destroy();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks));
    };
    const timeout = () =>
      finish(new LimitError(408, 'body_timeout', `the request body went silent for ${idleMs} ms`));
    let idle = setTimeout(timeout, idleMs);
    const onDecoded = (chunk: Buffer): void => {
      decoded += chunk.length;
      if (decoded > max)
        finish(new LimitError(413, 'body_too_large', `the request body is over ${max} bytes`));
      else chunks.push(chunk);
    };
    const onWire = (chunk: Buffer): void => {
      clearTimeout(idle);
      idle = setTimeout(timeout, idleMs);
      wire += chunk.length;
      if (wire > max) finish(new LimitError(413, 'body_too_large', `the request body is over ${max} bytes`));
      else if (gunzip) gunzip.write(chunk);
      else onDecoded(chunk);
    };
    if (gunzip) {
      gunzip.on('data', onDecoded);
      gunzip.once('end', () => finish());
      gunzip.once('error', () =>
        finish(new LimitError(400, 'bad_encoding', 'the request body is not valid gzip')),
      );
    }
    req.on('data', onWire);
    req.once('end', () => (gunzip ? gunzip.end() : finish()));
    // A client that went away: nothing to answer; the timer and listeners are dropped.
    req.once('error', () => finish(new LimitError(400, 'aborted', 'the request was aborted')));
    req.once('aborted', () => finish(new LimitError(400, 'aborted', 'the request was aborted')));
  });
}

/** Answers a LimitError as `{error: {code, message}}`; mid-body refusals close the connection. */
export function sendLimitError(req: IncomingMessage, res: Response, error: LimitError): void {
  if (error.retryAfter !== undefined) res.header('Retry-After', String(error.retryAfter));
  if (error.status === 415) res.header('Accept-Encoding', 'gzip');
  if (!req.complete) {
    // The rest of the body is not wanted: close once the answer is out, and do not wait long
    // for a client that keeps sending.
    res.header('Connection', 'close');
    req.resume();
    res.once('finish', () => setTimeout(() => req.socket.destroy(), 1000).unref());
  }
  res.send(error.status, { error: { code: error.code, message: error.message } });
}

/** The restify handler (server.use): fills req.body and req.rawBody, or answers the refusal. */
export function bodyReader(limits: Limits) {
  return (req: Request, res: Response, next: (err?: false) => void): void => {
    const raw = req as unknown as IncomingMessage;
    const length = req.headers['content-length'];
    const chunked = req.headers['transfer-encoding'] !== undefined;
    if (
      req.method === 'GET' ||
      req.method === 'HEAD' ||
      (!chunked && (length === undefined || length === '0'))
    ) {
      next();
      return;
    }
    const route = req.getRoute()?.path?.toString();
    const max = bodyLimitFor(limits, route);
    readDecoded(raw, max, limits.bodyIdleMs)
      .then((buffer) => {
        const text = buffer.toString('utf8');
        const type = String(req.headers['content-type'] ?? '')
          .split(';')[0]
          .trim()
          .toLowerCase();
        Object.assign(req, {
          rawBody: text,
          body: isJson(type) && text !== '' ? parseBoundedJson(text, limits.jsonDepth) : text,
        });
        next();
      })
      .catch((caught: unknown) => {
        const error =
          caught instanceof LimitError
            ? caught
            : new LimitError(400, 'bad_request', 'the request body could not be read');
        const hit: Partial<Record<string, LimitName>> = {
          body_too_large: bodyLimitName(route),
          json_too_deep: 'jsonDepth',
          body_timeout: 'bodyIdleMs',
        };
        const limit = hit[error.code];
        if (limit) limitHit(limit);
        if (error.code !== 'aborted') sendLimitError(raw, res, error);
        next(false);
      });
  };
}
