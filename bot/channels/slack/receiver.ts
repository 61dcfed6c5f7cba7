/**
 * A Bolt Receiver that lives inside our own HTTP server instead of opening its own (Bolt's
 * HTTPReceiver listens on a port of its own; we want one server, one port). The server hands
 * each POST to `dispatch` with the raw body and headers; the receiver checks the signature,
 * parses the body, gives Bolt a ReceiverEvent and answers as soon as a listener calls ack(),
 * while the work behind it goes on (ack first, work later: Slack gives us 3 s). If nothing acks
 * in time the receiver answers on its own, so Slack never retries because we were slow.
 */
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../../log.ts';
import { checkSlackSignature } from './signature.ts';

export interface SlackHttpRequest {
  /** The body exactly as received: the signature covers these bytes. */
  rawBody: string;
  /** Lower-case header names (node's IncomingMessage.headers). */
  headers: Record<string, string | string[] | undefined>;
}

export interface SlackHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface SlackHttpReceiverOptions {
  signingSecret: string;
  logger: Logger;
  /** Epoch ms; the signature window is checked against it. Default Date.now. */
  now?: () => number;
  /** Answer 200 on a listener's behalf after this long. Default 2500 (Slack's limit is 3000). */
  ackDeadlineMs?: number;
}

const EMPTY: SlackHttpResponse = { status: 200, headers: {}, body: '' };

function reply(status: number, body: unknown): SlackHttpResponse {
  if (body === undefined || body === '') return { ...EMPTY, status };
  if (typeof body === 'string')
    return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function header(headers: SlackHttpRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Events API bodies are JSON; interactions are a form with one `payload` field of JSON; slash
 * commands are plain form fields. Returns undefined when the body is none of these.
 */
export function parseSlackBody(
  rawBody: string,
  contentType: string | undefined,
): Record<string, unknown> | undefined {
  try {
    if ((contentType ?? '').includes('application/x-www-form-urlencoded')) {
      const form = Object.fromEntries(new URLSearchParams(rawBody));
      return typeof form.payload === 'string' ? JSON.parse(form.payload) : form;
    }
    const parsed: unknown = JSON.parse(rawBody);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export class SlackHttpReceiver implements Receiver {
  readonly #options: Required<SlackHttpReceiverOptions>;
  #app: App | undefined;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: SlackHttpReceiverOptions) {
    this.#options = { now: Date.now, ackDeadlineMs: 2500, ...options };
  }

  init(app: App): void {
    this.#app = app;
  }

  /** Nothing to listen on: our server owns the socket. */
  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await this.idle();
  }

  /** Resolves when the work of every delivery received so far has finished. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Handles one POST to the Slack endpoint; resolves with the response as soon as it is known. */
  dispatch(request: SlackHttpRequest): Promise<SlackHttpResponse> {
    const { logger } = this.#options;
    const contentType = header(request.headers, 'content-type');
    // Slack's ssl_check carries no signature and asks for nothing but a 200; nothing runs.
    if (contentType?.includes('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(request.rawBody);
      if (form.get('ssl_check') === '1' && !form.has('payload') && !form.has('command')) {
        return Promise.resolve(EMPTY);
      }
    }
    const check = checkSlackSignature({
      signingSecret: this.#options.signingSecret,
      rawBody: request.rawBody,
      headers: request.headers,
      nowMs: this.#options.now(),
    });
    if (!check.ok) {
      logger.warn('slack: request refused', { code: `slack_${check.reason}`, detail: check.detail });
      return Promise.resolve(reply(401, { ok: false, error: check.reason }));
    }
    const body = parseSlackBody(request.rawBody, contentType);
    if (body === undefined) {
      logger.warn('slack: request body is neither JSON nor a Slack form', { contentType });
      return Promise.resolve(reply(400, { ok: false, error: 'invalid_body' }));
    }
    if (body.type === 'url_verification') return Promise.resolve(reply(200, { challenge: body.challenge }));
    const app = this.#app;
    if (!app) return Promise.resolve(reply(503, { ok: false, error: 'not_ready' }));
    return this.#process(app, body, request.headers);
  }

  #process(
    app: App,
    body: Record<string, unknown>,
    headers: SlackHttpRequest['headers'],
  ): Promise<SlackHttpResponse> {
    const { logger, ackDeadlineMs } = this.#options;
    return new Promise((resolve) => {
      let answered = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const answer = (response: SlackHttpResponse): void => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        resolve(response);
      };
      timer = setTimeout(() => {
        logger.warn('slack: no ack within the deadline; answered for the listener', { ackDeadlineMs });
        answer(EMPTY);
      }, ackDeadlineMs);
      const retryNum = Number(header(headers, 'x-slack-retry-num'));
      const event: ReceiverEvent = {
        body,
        ...(Number.isInteger(retryNum) ? { retryNum } : {}),
        retryReason: header(headers, 'x-slack-retry-reason'),
        ack: async (response?: unknown) => {
          if (answered) logger.warn('slack: ack() after the request was answered; ignored');
          answer(reply(200, response));
        },
      };
      const work = app
        .processEvent(event)
        .catch((error: unknown) => {
          logger.error('slack: handling a delivery failed', { error });
          answer(reply(500, { ok: false, error: 'internal_error' }));
        })
        .finally(() => {
          // No listener matched (an event type we ignore): answer 200 so Slack does not retry.
          answer(EMPTY);
          this.#inFlight.delete(work);
        });
      this.#inFlight.add(work);
    });
  }
}
