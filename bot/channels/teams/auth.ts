/**
 * Bot Framework authentication for /api/messages: botbuilder's own JWT validation, built from the
 * bot config, and the one place that decides what status a failed authentication answers.
 *
 * Why not `CloudAdapter.process`: it authenticates and runs the bot in one call and answers 500
 * for any error that is not botbuilder's AuthenticationError. jsonwebtoken's "invalid signature"
 * (a forged token with a known key id) is such an error, so a forgery would read as a server
 * fault. Here authentication runs first, on its own, and every failure of it maps to 401/403
 * before any bot logic can run (DESIGN.md "Security model").
 */
import type { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { BotFrameworkSettings } from '../../config.ts';
import { ReusingBotFrameworkAuthentication } from './clients.ts';
import { installKeyCache } from './openid.ts';

export type BotFrameworkAuth = ConfigurationBotFrameworkAuthentication;

/**
 * botbuilder's ServiceClientCredentialsFactory: how outbound replies get their bearer token.
 * Production leaves it unset (botbuilder builds one from MicrosoftAppId/Password/Type/TenantId
 * and fetches tokens with MSAL). Tests pass a loopback one: pointing botbuilder's login URL at a
 * fake is not enough, because MSAL first asks login.microsoftonline.com for instance discovery
 * about any authority it does not know.
 */
export type CredentialsFactory = NonNullable<
  ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[1]
>;

export interface AuthOptions {
  credentialsFactory?: CredentialsFactory;
}

/**
 * The authentication botbuilder's CloudAdapter uses, from the bot config's Bot Framework
 * settings (their names are botbuilder's own, so they pass through unchanged), with outbound
 * clients reused across turns (clients.ts).
 *
 * When the channel's OpenID metadata is overridden (a loopback issuer in tests), the emulator
 * and skill token paths are pointed at the same document: otherwise a token whose issuer merely
 * looks like Azure AD's would make botbuilder fetch login.microsoftonline.com's keys.
 */
export function createBotFrameworkAuth(
  settings: BotFrameworkSettings,
  options: AuthOptions = {},
): BotFrameworkAuth {
  // Signing keys fetched once at a time, failures and unknown key ids cached (openid.ts).
  installKeyCache();
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (typeof value === 'string' && value !== '') config[key] = value;
  }
  if (config.ToBotFromChannelOpenIdMetadataUrl !== undefined) {
    config.ToBotFromEmulatorOpenIdMetadataUrl ??= config.ToBotFromChannelOpenIdMetadataUrl;
  }
  return new ReusingBotFrameworkAuthentication(config, options.credentialsFactory);
}

/** True when no app id is configured: botbuilder then accepts unauthenticated activities. */
export function authenticationDisabled(settings: BotFrameworkSettings): boolean {
  return !settings.MicrosoftAppId;
}

export interface AuthFailure {
  status: 401 | 403 | 503;
  /** Stable snake_case code for the response body and the log. */
  code: 'unauthorized' | 'forbidden' | 'auth_metadata_unavailable';
  message: string;
}

/**
 * What a failed `authenticateRequest` answers. Every token problem is 401 (403 when botbuilder
 * itself says forbidden); only "the signing keys could not be fetched" is 503, because then no
 * token can be judged and the channel should retry. Nothing here is ever 500.
 */
export function classifyAuthFailure(error: unknown): AuthFailure {
  const err = error as { name?: string; message?: string; statusCode?: unknown } | undefined;
  const message = typeof err?.message === 'string' ? err.message : String(error);
  if (err?.statusCode === 403) return { status: 403, code: 'forbidden', message };
  // botbuilder's own "could not load" errors, and node-fetch's for a metadata host that is down.
  const metadataDown =
    (err?.statusCode === 500 && /^Failed to load (openID config|Keys)/.test(message)) ||
    err?.name === 'FetchError';
  if (metadataDown) return { status: 503, code: 'auth_metadata_unavailable', message };
  // The rest: botbuilder's AuthenticationError (no/expired token, wrong issuer or audience,
  // unknown key id, service URL mismatch) and jsonwebtoken's errors (forged signature, …).
  return { status: 401, code: 'unauthorized', message };
}
