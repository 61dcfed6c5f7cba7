/**
 * Dashboard credentials: the sign-in link the bot posts in a support channel, and the session
 * cookie it is exchanged for. Both are HMAC-SHA256 signed with keys derived (HKDF) from this
 * deployment's own secret (the Direct Line secret: configured, or generated once into DATA_DIR,
 * and the same on every replica), one key per kind, so a link from another deployment, a link
 * presented as a cookie or a cookie presented as a link never verifies. Stateless apart from the
 * link's single use, which the caller claims in the Store (every replica sees it).
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenKind = 'link' | 'session';

/** What a verified token says. */
export interface TokenClaims {
  kind: TokenKind;
  /** Random, unique per token: a link's single-use key. */
  id: string;
  /** Epoch ms after which it is refused. */
  exp: number;
  /** The support channel it was asked for in (`slack:C…`, `teams:19:…`), for the audit trail. */
  channel: string;
  /** Who asked for it. */
  by: string;
}

export type VerifyResult =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'malformed' | 'signature' | 'kind' | 'expired' };

export interface Tokens {
  mint(kind: TokenKind, input: { ttlMs: number; channel: string; by: string }): string;
  verify(kind: TokenKind, token: string): VerifyResult;
}

const KEY_SALT = 'reconnect.dashboard/v1';

/** Makes and checks tokens; `secret` is the deployment's, `now` its clock (epoch ms). */
export function createTokens(secret: string, now: () => number): Tokens {
  const keys: Record<TokenKind, Buffer> = {
    link: Buffer.from(hkdfSync('sha256', secret, KEY_SALT, 'sign-in link', 32)),
    session: Buffer.from(hkdfSync('sha256', secret, KEY_SALT, 'session cookie', 32)),
  };
  const mac = (kind: TokenKind, body: string) => createHmac('sha256', keys[kind]).update(body).digest();

  return {
    mint(kind, { ttlMs, channel, by }) {
      const claims: TokenClaims = {
        kind,
        id: randomBytes(16).toString('base64url'),
        exp: now() + ttlMs,
        channel,
        by,
      };
      const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${body}.${mac(kind, body).toString('base64url')}`;
    },
    verify(kind, token) {
      const match = /^([A-Za-z0-9_-]{1,2048})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!match) return { ok: false, reason: 'malformed' };
      const [, body, signature] = match as unknown as [string, string, string];
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(kind, body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return { ok: false, reason: 'signature' };
      let claims: TokenClaims;
      try {
        claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      if (claims.kind !== kind) return { ok: false, reason: 'kind' };
      if (typeof claims.exp !== 'number' || now() >= claims.exp) return { ok: false, reason: 'expired' };
      return { ok: true, claims };
    },
  };
}
