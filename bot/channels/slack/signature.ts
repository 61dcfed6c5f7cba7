/**
 * Slack request signatures (v0): HMAC-SHA256 of `v0:<timestamp>:<raw body>` keyed with the
 * signing secret, accepted within 5 minutes of our clock. Bolt's verifySlackRequest does the
 * HMAC and the "too old" check; it lets a timestamp from the future through, so a signature
 * captured with a forward-dated timestamp would stay replayable for as long as the attacker
 * likes. We bound both sides. The clock is injected so tests age a request without sleeping.
 */
import { verifySlackRequest } from '@slack/bolt';

/** Slack's documented replay window. */
export const SIGNATURE_WINDOW_SECONDS = 5 * 60;

export type SignatureFailure =
  | 'missing_signature'
  | 'missing_timestamp'
  | 'stale_timestamp'
  | 'bad_signature';

export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureFailure; detail: string };

export interface SignatureInput {
  signingSecret: string;
  rawBody: string;
  headers: Record<string, string | string[] | undefined>;
  /** Epoch milliseconds. */
  nowMs: number;
}

function header(headers: SignatureInput['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Checks one request; never throws. `detail` says what was wrong, for the log (not the client). */
export function checkSlackSignature(input: SignatureInput): SignatureCheck {
  const signature = header(input.headers, 'x-slack-signature');
  if (!signature) return { ok: false, reason: 'missing_signature', detail: 'no X-Slack-Signature header' };
  const rawTimestamp = header(input.headers, 'x-slack-request-timestamp');
  if (!rawTimestamp || !/^\d{1,12}$/.test(rawTimestamp)) {
    return {
      ok: false,
      reason: 'missing_timestamp',
      detail: `X-Slack-Request-Timestamp is ${JSON.stringify(rawTimestamp ?? null)}: expected epoch seconds`,
    };
  }
  const timestamp = Number(rawTimestamp);
  const skew = Math.floor(input.nowMs / 1000) - timestamp;
  if (Math.abs(skew) > SIGNATURE_WINDOW_SECONDS) {
    return {
      ok: false,
      reason: 'stale_timestamp',
      detail: `request timestamp is ${skew} s off our clock; accepted within ${SIGNATURE_WINDOW_SECONDS} s`,
    };
  }
  try {
    verifySlackRequest({
      signingSecret: input.signingSecret,
      body: input.rawBody,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
      nowMilliseconds: input.nowMs,
    });
  } catch (error) {
    return { ok: false, reason: 'bad_signature', detail: (error as Error).message };
  }
  return { ok: true };
}
