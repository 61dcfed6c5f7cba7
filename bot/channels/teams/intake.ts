/**
 * What an activity must look like before botbuilder sees it, and where its replies may go
 * (issue 16, defect 4). botbuilder trusts the activity's shape: a `serviceUrl` of -1 or {}, a
 * null conversation id or a bare `{"type":"message"}` threw inside the turn (a 500), and it
 * posts replies to whatever `serviceUrl` the activity names, falling back to
 * api.botframework.com when there is none. Without an app id nothing authenticates the
 * request, so that was an open relay.
 *
 * So: the fields botbuilder and our translator read are checked for type (400); the service URL
 * must be one the operator allows when no app id is set (403, TEAMS_SERVICE_URLS, loopback by
 * default), and exactly the token's `serviceurl` claim when one is (401).
 */
import type { Activity } from 'botbuilder';

/** A refused activity: the status and a stable code for the error body. */
export class ActivityRefused extends Error {
  readonly status: 400 | 401 | 403;
  readonly code: string;
  constructor(status: ActivityRefused['status'], code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Teams' ids (19:…@thread.tacv2, a:…, 29:…, 1700000000000) are printable ASCII. */
const URL_SAFE = /^[\x21-\x7e]{1,1024}$/;

const bad = (message: string) => new ActivityRefused(400, 'invalid_activity', message);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An optional field: absent, or of the given kind. */
function optional(
  activity: Record<string, unknown>,
  field: string,
  ok: (value: unknown) => boolean,
  kind: string,
) {
  const value = activity[field];
  if (value !== undefined && value !== null && !ok(value)) throw bad(`"${field}" must be ${kind}`);
}

/** An account (from, recipient): an object with a string id. */
function account(activity: Record<string, unknown>, field: string, required: boolean): void {
  const value = activity[field];
  if (value === undefined && !required) return;
  if (!isObject(value) || typeof value.id !== 'string' || value.id === '')
    throw bad(`"${field}.id" must be a non-empty string`);
  strings(value, field, ['name', 'aadObjectId', 'role']);
}

/** Fields of `o` that must be strings when present. */
function strings(o: Record<string, unknown>, where: string, names: readonly string[]): void {
  for (const name of names)
    if (o[name] !== undefined && o[name] !== null && typeof o[name] !== 'string')
      throw bad(`"${where}.${name}" must be a string`);
}

/** The parsed service URL, or a 400 naming what is wrong with it. */
function serviceUrlOf(activity: Record<string, unknown>): URL {
  const value = activity.serviceUrl;
  if (typeof value !== 'string' || value === '') throw bad('"serviceUrl" must be a non-empty string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad('"serviceUrl" must be an absolute URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '')
    throw bad('"serviceUrl" must be an http(s) URL without credentials');
  return url;
}

/**
 * Checks the fields a turn reads. Throws ActivityRefused(400) for a wrong shape; the service URL
 * is checked against `allowed` prefixes when given (no app id: 403 when it is not allowed).
 */
export function checkActivity(body: Record<string, unknown>, allowed: readonly string[] | undefined): void {
  const url = serviceUrlOf(body);
  if (typeof body.type !== 'string' || body.type === '') throw bad('"type" must be a non-empty string');
  const conversation = body.conversation;
  // Both end up in the connector's URL path (replies go to /conversations/{id}/activities/{id}).
  if (!isObject(conversation) || typeof conversation.id !== 'string' || !URL_SAFE.test(conversation.id))
    throw bad('"conversation.id" must be a non-empty string of printable ASCII');
  if (body.id !== undefined && body.id !== null && (typeof body.id !== 'string' || !URL_SAFE.test(body.id)))
    throw bad('"id" must be a string of printable ASCII');
  strings(conversation, 'conversation', ['name', 'conversationType', 'tenantId']);
  if (conversation.isGroup !== undefined && typeof conversation.isGroup !== 'boolean')
    throw bad('"conversation.isGroup" must be a boolean');
  account(body, 'from', body.type === 'message' || body.type === 'invoke');
  account(body, 'recipient', false);
  for (const field of ['channelId', 'locale', 'textFormat', 'inputHint', 'localTimezone', 'action'])
    optional(body, field, (v) => typeof v === 'string', 'a string');
  optional(body, 'text', (v) => typeof v === 'string', 'a string');
  optional(body, 'name', (v) => typeof v === 'string', 'a string');
  optional(body, 'replyToId', (v) => typeof v === 'string', 'a string');
  optional(body, 'timestamp', (v) => typeof v === 'string', 'a string');
  optional(body, 'channelData', isObject, 'an object');
  optional(body, 'entities', (v) => Array.isArray(v) && v.every(isObject), 'an array of objects');
  optional(body, 'attachments', (v) => Array.isArray(v) && v.every(isObject), 'an array of objects');
  optional(body, 'membersAdded', (v) => Array.isArray(v) && v.every(isObject), 'an array of objects');
  if (allowed !== undefined) {
    const where = `${url.origin}${url.pathname}`;
    if (!allowed.some((prefix) => where.startsWith(prefix)))
      throw new ActivityRefused(
        403,
        'service_url_not_allowed',
        'replies to this serviceUrl are not allowed (TEAMS_SERVICE_URLS)',
      );
  }
}

/** With an app id: the activity's service URL must be the one the token was issued for. */
export function checkServiceUrlClaim(activity: Activity, claim: string | undefined): void {
  if (claim === undefined || claim !== activity.serviceUrl)
    throw new ActivityRefused(401, 'unauthorized', 'the serviceUrl is not the one the token names');
}
