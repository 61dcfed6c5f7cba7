/**
 * Direct Line tokens for the self-hosted web chat: each token names ONE conversation and ONE
 * user, expires, and is HMAC-SHA256 signed with the Direct Line secret, so any replica that
 * knows the secret can check it without shared state. Format: `dl1.<payload>.<signature>`,
 * both base64url; the payload is JSON `{conv, user, exp}` (exp in epoch ms). The JWT-like shape
 * is deliberate: Web Chat decodes the middle part and takes `user` as the user id, so the
 * page never names a user id itself (Web Chat refuses client-chosen `dl_` ids as forgeable).
 *
 * The secret itself is also accepted as a bearer credential (as Direct Line does), for
 * server-to-server use: it reaches every conversation.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Who a request is, once its credential checked out. */
export type Credential =
  | { kind: 'secret' }
  | { kind: 'token'; conversationId: string; userId: string; expiresAt: number };

/** A refused credential: 401 when missing or unreadable, 403 when valid but not usable here. */
export interface CredentialError {
  status: 401 | 403;
  code: 'MissingToken' | 'BadToken' | 'TokenExpired' | 'WrongConversation';
  message: string;
}

const PREFIX = 'dl1';
/** Direct Line's own token lifetime (expires_in 1800); Web Chat refreshes every 15 minutes. */
export const TOKEN_TTL_MS = 30 * 60 * 1000;

const sign = (secret: string, payload: string): Buffer =>
  createHmac('sha256', secret).update(payload).digest();
/** Hashing both sides first lets timingSafeEqual compare secrets of any length. */
const sameSecret = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/** A fresh random id (conversation ids, user ids): 128 bits, URL-safe. */
export function randomId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

/** Signs a token for one conversation and user, valid for `ttlMs` from `now`. */
export function mintToken(
  secret: string,
  claims: { conversationId: string; userId: string },
  now: number,
  ttlMs = TOKEN_TTL_MS,
): { token: string; expiresAt: number } {
  const expiresAt = now + ttlMs;
  const payload = Buffer.from(
    JSON.stringify({ conv: claims.conversationId, user: claims.userId, exp: expiresAt }),
  ).toString('base64url');
  return { token: `${PREFIX}.${payload}.${sign(secret, payload).toString('base64url')}`, expiresAt };
}

const refuse = (status: 401 | 403, code: CredentialError['code'], message: string): CredentialError => ({
  status,
  code,
  message,
});

/**
 * Checks a bearer credential (the token or the secret). Never throws: garbage of any shape
 * yields a 401 CredentialError.
 */
export function verifyCredential(
  secret: string,
  presented: string | undefined,
  now: number,
): Credential | CredentialError {
  if (presented === undefined || presented === '') {
    return refuse(401, 'MissingToken', 'no Direct Line token: send "Authorization: Bearer <token>"');
  }
  if (sameSecret(presented, secret)) return { kind: 'secret' };
  const claims = readToken(secret, presented);
  if ('status' in claims) return claims;
  const { conv, user, exp } = claims;
  if (exp <= now) return refuse(403, 'TokenExpired', 'the Direct Line token has expired: get a new one');
  return { kind: 'token', conversationId: conv, userId: user, expiresAt: exp };
}

/** A token's signed claims (expired or not), or why it is not one of ours. */
function readToken(
  secret: string,
  presented: string,
): { conv: string; user: string; exp: number } | CredentialError {
  const parts = presented.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX)
    return refuse(401, 'BadToken', 'the Direct Line token is malformed');
  const [, payload, signature] = parts;
  const expected = sign(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return refuse(401, 'BadToken', 'the Direct Line token signature does not verify');
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return refuse(401, 'BadToken', 'the Direct Line token payload is not JSON');
  }
  const { conv, user, exp } = (claims ?? {}) as Record<string, unknown>;
  if (typeof conv !== 'string' || typeof user !== 'string' || typeof exp !== 'number') {
    return refuse(401, 'BadToken', 'the Direct Line token payload lacks conversation, user or expiry');
  }
  return { conv, user, exp };
}

/**
 * The user id of a web chat token this bot signed, even expired, when it expired at most
 * `maxAgeMs` ago: the page shows its last token when it starts a new conversation, so the same
 * browser keeps the same user id (and a case number typed there finds that person's case).
 * Undefined for anything else (no token, forged, too old): that start gets a new user id.
 */
export function previousUser(
  secret: string,
  presented: string | undefined,
  now: number,
  maxAgeMs: number,
): string | undefined {
  const token = presented?.replace(/^Bearer\s+/i, '');
  if (!token) return undefined;
  const claims = readToken(secret, token);
  if ('status' in claims || claims.exp < now - maxAgeMs || !claims.user.startsWith('dl_')) return undefined;
  return claims.user;
}

/** True when the value is a refusal rather than a credential. */
export function isCredentialError(value: Credential | CredentialError): value is CredentialError {
  return 'status' in value;
}

/** Checks that `credential` may act on `conversationId`: the secret may, a token only on its own. */
export function checkScope(credential: Credential, conversationId: string): CredentialError | undefined {
  if (credential.kind === 'secret' || credential.conversationId === conversationId) return undefined;
  return refuse(403, 'WrongConversation', 'this Direct Line token belongs to another conversation');
}

/** The bearer value of an Authorization header, or undefined. */
export function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
