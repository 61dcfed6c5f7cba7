/**
 * What never reaches a log line: credentials (tokens, secrets, passwords, authorization headers,
 * cookies, pairing codes) and what people typed (message text, symptoms, pasted output). Keys are
 * judged by name, whole values replaced; strings are also searched for the token shapes we know,
 * because an error message can quote a header or a URL.
 */

const SECRET_KEY =
  /token|secret|password|passw|authorization|cookie|credential|api[-_]?key|^code$|pairingcode/i;
const TEXT_KEY = /^(text|symptom|body|message_text|value|paste|output)$/i;
const REDACTED = '[redacted]';
const MAX_DEPTH = 5;

/** Bearer values, Slack tokens (xoxb-, xapp-, …), JWTs. */
const SECRET_SHAPES: RegExp[] = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
  /\bxox[abeprs]-[A-Za-z0-9-]+/g,
  /\bxapp-[A-Za-z0-9-]+/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
];

/** A string with every known token shape replaced. */
export function scrubText(text: string): string {
  let out = text;
  for (const shape of SECRET_SHAPES) out = out.replace(shape, REDACTED);
  return out;
}

/** A copy of `fields` fit for a log line (Errors become `{ message, stack }`, scrubbed too). */
export function scrubFields(fields: Record<string, unknown>): Record<string, unknown> {
  return scrubValue(fields, 0) as Record<string, unknown>;
}

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value instanceof Error)
    return { message: scrubText(value.message), ...(value.stack ? { stack: scrubText(value.stack) } : {}) };
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return '[nested]';
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) || TEXT_KEY.test(key) ? REDACTED : scrubValue(inner, depth + 1);
  }
  return out;
}
