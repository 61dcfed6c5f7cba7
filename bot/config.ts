/**
 * The bot's one config module (STYLE.md, after probot's createProbot): defaults, then the
 * environment, then an optional JSON file named by RECONNECT_CONFIG (the file wins, so an
 * operator who names one gets exactly what it says). The environment is a parameter (process.env
 * when none is given); nothing else in bot/ reads process.env (test/config/env-readers.test.ts
 * keeps it so). Every error names the variable and what is accepted.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../probes/config-error.ts';
import { persistedSecret } from './config-secret.ts';
import { INCIDENT_SETTING_NAMES, readIncidentSettings } from './incidents/settings.ts';
import type { IncidentSettings } from './incidents/types.ts';
import { LIMIT_SETTING_NAMES, type Limits, readLimits } from './limits.ts';

export type Env = Record<string, string | undefined>;

/** Settings with the names botbuilder's ConfigurationBotFrameworkAuthentication and
 * ConfigurationServiceClientCredentialFactory read, so the Teams adapter passes them as is. */
export interface BotFrameworkSettings {
  MicrosoftAppId?: string;
  MicrosoftAppPassword?: string;
  MicrosoftAppTenantId?: string;
  MicrosoftAppType?: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  /** Test-only: where the channel's signing keys are published (a loopback OpenID server). */
  ToBotFromChannelOpenIdMetadataUrl?: string;
  /** Test-only: the issuer those tokens carry. */
  ToBotFromChannelTokenIssuer?: string;
}

/** Slack (issue 7): HTTP events at /api/slack/events, or Socket Mode when an app token is set. */
export interface SlackSettings {
  botToken: string;
  /** Verifies HTTP deliveries; required unless Socket Mode is used. */
  signingSecret?: string;
  /** An app-level token (xapp-): Socket Mode, for workspaces that cannot expose an endpoint. */
  appToken?: string;
  /** Web API base (GovSlack: https://slack-gov.com/api/; tests: a loopback fake). */
  apiUrl: string;
  mode: 'http' | 'socket';
}

/** Escalation to a support channel (issue 8). */
export interface SupportSettings {
  /** A Slack channel id (C…, G…) set by the operator; `/reconnect support-here` is then refused. */
  slackChannel?: string;
  /** A Teams channel set by the operator: its conversation id and the service URL to post to. */
  teamsChannel?: { conversationId: string; serviceUrl: string; tenantId?: string };
  /** Redact what is posted to the support thread (default true; REDACTION=off turns it off). */
  redaction: boolean;
  /** Slack or Teams user ids allowed to register a support channel by command; empty: anyone. */
  admins: string[];
}

export interface BotConfig {
  port: number;
  host: string;
  /** Absolute directory for the SQLite file and the generated Direct Line secret. */
  dataDir: string;
  /** The origin users reach the bot at (no trailing slash), when it differs from the request's. */
  publicUrl?: string;
  nodeEnv: 'development' | 'production' | 'test';
  production: boolean;
  botFramework: BotFrameworkSettings;
  /** Signs the web chat's Direct Line tokens. */
  directLineSecret: string;
  directLineSecretSource: 'config' | 'file' | 'generated';
  /**
   * The Redis store (scale-out: every replica with the same REDIS_URL shares sessions, agents
   * and the web chat's activities); absent: SQLite under dataDir, one replica.
   */
  redisUrl?: string;
  /** Shown to users when the bot cannot help further. */
  supportContactText: string;
  /** Absent when no Slack setting is given: the server runs without Slack. */
  slack?: SlackSettings;
  support: SupportSettings;
  /** Hardening (issue 16): every limit on what clients send (bot/limits.ts), and where Teams replies may go. */
  limits: Limits;
  /**
   * Service URLs Teams replies may be posted to when no app id is set (TEAMS_SERVICE_URLS, comma
   * separated origins or prefixes; default loopback only). With an app id, only the token's
   * `serviceurl` claim is used and this list is not read.
   */
  teamsServiceUrls: string[];
  /** The dashboard at /admin (issue 18): how long a sign-in link and a signed-in session last. */
  dashboard: { linkMs: number; sessionMs: number };
  /** Cases correlated into incidents (issue 18): how many must agree, within what window. */
  incidents: IncidentSettings;
}

/** A configuration error (code config_invalid): the message names the setting, the value and what is accepted. */
export { ConfigError };

/** Every setting the bot reads; the JSON file may contain these keys and no others. */
export const SETTING_NAMES = [
  'PORT',
  'HOST',
  'DATA_DIR',
  'PUBLIC_URL',
  'NODE_ENV',
  'MicrosoftAppId',
  'MicrosoftAppPassword',
  'MicrosoftAppTenantId',
  'MicrosoftAppType',
  'ToBotFromChannelOpenIdMetadataUrl',
  'ToBotFromChannelTokenIssuer',
  'DIRECTLINE_SECRET',
  'REDIS_URL',
  'SUPPORT_CONTACT_TEXT',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'SLACK_API_URL',
  'SUPPORT_SLACK_CHANNEL',
  'SUPPORT_TEAMS_CHANNEL',
  'SUPPORT_TEAMS_SERVICE_URL',
  'SUPPORT_ADMINS',
  'REDACTION',
  // Hardening (issue 16)
  'TEAMS_SERVICE_URLS',
  ...LIMIT_SETTING_NAMES,
  // The dashboard (issue 18)
  'DASHBOARD_LINK_MINUTES',
  'DASHBOARD_SESSION_HOURS',
  // Incidents (issue 18)
  ...INCIDENT_SETTING_NAMES,
] as const;
type SettingName = (typeof SETTING_NAMES)[number];
type Raw = Partial<Record<SettingName, string>>;

const DEFAULTS: Raw = {
  PORT: '3978',
  DATA_DIR: './data',
  NODE_ENV: 'development',
  SUPPORT_CONTACT_TEXT: 'Please contact your IT help desk.',
};
const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;
const NODE_ENVS = ['development', 'production', 'test'] as const;

export interface LoadOptions {
  /** Base for a relative DATA_DIR and RECONNECT_CONFIG; default process.cwd(). */
  cwd?: string;
}

/** Reads the JSON file named by RECONNECT_CONFIG: an object whose keys are setting names. */
function readConfigFile(path: string): Raw {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `RECONNECT_CONFIG names ${path}, which could not be read as JSON: ${(error as Error).message}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${path} (RECONNECT_CONFIG): expected a JSON object of settings`);
  }
  const raw: Raw = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(SETTING_NAMES as readonly string[]).includes(key)) {
      throw new ConfigError(
        `${path} (RECONNECT_CONFIG): unknown setting "${key}"; accepted: ${SETTING_NAMES.join(', ')}`,
      );
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new ConfigError(`${path} (RECONNECT_CONFIG): ${key} must be a string or a number`);
    }
    raw[key as SettingName] = String(value);
  }
  return raw;
}

/** Layers defaults, env and file; an empty env value counts as unset. */
function layer(env: Env, cwd: string): Raw {
  const fromEnv: Raw = {};
  for (const name of SETTING_NAMES) {
    const value = env[name]?.trim();
    if (value) fromEnv[name] = value;
  }
  const file = env.RECONNECT_CONFIG?.trim();
  return { ...DEFAULTS, ...fromEnv, ...(file ? readConfigFile(resolve(cwd, file)) : {}) };
}

function oneOf<T extends string>(name: string, value: string, accepted: readonly T[]): T {
  const match = accepted.find((a) => a.toLowerCase() === value.toLowerCase());
  if (match === undefined)
    throw new ConfigError(`${name} is "${value}": accepted values are ${accepted.join(', ')}`);
  return match;
}

function url(name: string, value: string | undefined, protocols: string[]): string | undefined {
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name} is "${value}": expected an absolute URL (${protocols.join(' or ')})`);
  }
  if (!protocols.includes(parsed.protocol.slice(0, -1))) {
    throw new ConfigError(`${name} is "${value}": expected a ${protocols.join(' or ')} URL`);
  }
  return value;
}

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) {
    throw new ConfigError(`PORT is "${value}": expected an integer from 0 to 65535 (0 picks a free port)`);
  }
  return n;
}

function botFramework(raw: Raw, production: boolean): BotFrameworkSettings {
  const id = raw.MicrosoftAppId;
  if (id === undefined) {
    if (production) {
      throw new ConfigError(
        'NODE_ENV=production requires MicrosoftAppId (with MicrosoftAppPassword): without it the bot cannot ' +
          'validate the Bot Framework tokens on /api/messages and anyone could post forged Teams activities. ' +
          'Set MicrosoftAppId, or unset NODE_ENV for local development.',
      );
    }
    for (const dependent of ['MicrosoftAppPassword', 'MicrosoftAppTenantId', 'MicrosoftAppType'] as const) {
      if (raw[dependent] !== undefined)
        throw new ConfigError(`${dependent} is set but MicrosoftAppId is not: set both`);
    }
  }
  const type =
    raw.MicrosoftAppType === undefined
      ? undefined
      : oneOf('MicrosoftAppType', raw.MicrosoftAppType, APP_TYPES);
  if (type === 'SingleTenant' && raw.MicrosoftAppTenantId === undefined) {
    throw new ConfigError(
      'MicrosoftAppType=SingleTenant requires MicrosoftAppTenantId (the Entra tenant id)',
    );
  }
  if (id !== undefined && type !== 'UserAssignedMSI' && raw.MicrosoftAppPassword === undefined) {
    throw new ConfigError(
      'MicrosoftAppId is set but MicrosoftAppPassword is not: set the app secret, or MicrosoftAppType=UserAssignedMSI',
    );
  }
  const openId = url('ToBotFromChannelOpenIdMetadataUrl', raw.ToBotFromChannelOpenIdMetadataUrl, [
    'http',
    'https',
  ]);
  if (production && (openId !== undefined || raw.ToBotFromChannelTokenIssuer !== undefined)) {
    throw new ConfigError(
      'ToBotFromChannelOpenIdMetadataUrl and ToBotFromChannelTokenIssuer are test settings (they choose whose ' +
        'signing keys the bot trusts) and are refused with NODE_ENV=production',
    );
  }
  const settings: BotFrameworkSettings = {
    MicrosoftAppId: id,
    MicrosoftAppPassword: raw.MicrosoftAppPassword,
    MicrosoftAppTenantId: raw.MicrosoftAppTenantId,
    MicrosoftAppType: type ?? (id === undefined ? undefined : 'MultiTenant'),
    ToBotFromChannelOpenIdMetadataUrl: openId,
    ToBotFromChannelTokenIssuer: raw.ToBotFromChannelTokenIssuer,
  };
  // Leave unset keys out, so botbuilder's own defaults apply to them.
  for (const key of Object.keys(settings) as (keyof BotFrameworkSettings)[]) {
    if (settings[key] === undefined) delete settings[key];
  }
  return settings;
}

/**
 * All of Slack or none of it: a half-configured Slack (a token without the signing secret that
 * proves deliveries come from Slack, or settings without a token) is refused by name.
 */
function slack(raw: Raw, production: boolean): SlackSettings | undefined {
  const { SLACK_BOT_TOKEN: botToken, SLACK_SIGNING_SECRET: signingSecret, SLACK_APP_TOKEN: appToken } = raw;
  const given = (['SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SLACK_API_URL'] as const).filter(
    (k) => raw[k] !== undefined,
  );
  if (botToken === undefined) {
    if (given.length > 0)
      throw new ConfigError(
        `${given.join(', ')} set but SLACK_BOT_TOKEN is not: Slack needs the bot token (xoxb-…) too`,
      );
    return undefined;
  }
  if (!botToken.startsWith('xoxb-'))
    throw new ConfigError('SLACK_BOT_TOKEN must be a bot token (starting xoxb-)');
  if (appToken !== undefined && !appToken.startsWith('xapp-')) {
    throw new ConfigError(
      'SLACK_APP_TOKEN must be an app-level token (starting xapp-) with connections:write',
    );
  }
  if (appToken === undefined && signingSecret === undefined) {
    throw new ConfigError(
      'SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not: without it /api/slack/events cannot tell Slack ' +
        'from a forger. Set SLACK_SIGNING_SECRET (Basic Information → Signing Secret), or SLACK_APP_TOKEN for Socket Mode.',
    );
  }
  const apiUrl =
    url('SLACK_API_URL', raw.SLACK_API_URL, production ? ['https'] : ['http', 'https']) ??
    'https://slack.com/api/';
  return {
    botToken,
    ...(signingSecret === undefined ? {} : { signingSecret }),
    ...(appToken === undefined ? {} : { appToken }),
    apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
    mode: appToken === undefined ? 'http' : 'socket',
  };
}

/** Teams' global service URL for proactive messages (a tenant's regional one also works). */
const TEAMS_SERVICE_URL = 'https://smba.trafficmanager.net/teams/';

/** One support channel at most from configuration; its platform must be configured too. */
function support(raw: Raw, slackOn: boolean): SupportSettings {
  const { SUPPORT_SLACK_CHANNEL: slackChannel, SUPPORT_TEAMS_CHANNEL: teams } = raw;
  if (slackChannel !== undefined && teams !== undefined)
    throw new ConfigError(
      'SUPPORT_SLACK_CHANNEL and SUPPORT_TEAMS_CHANNEL are both set: cases go to one support channel, set one',
    );
  if (slackChannel !== undefined) {
    if (!/^[CG][A-Z0-9]{6,}$/.test(slackChannel))
      throw new ConfigError(
        `SUPPORT_SLACK_CHANNEL is "${slackChannel}": expected a Slack channel id such as C0123ABCD (channel details → About)`,
      );
    if (!slackOn)
      throw new ConfigError('SUPPORT_SLACK_CHANNEL is set but Slack is not: set SLACK_BOT_TOKEN too');
  }
  if (teams !== undefined && !/^19:[^;\s]+@thread\.(tacv2|skype)$/.test(teams))
    throw new ConfigError(
      `SUPPORT_TEAMS_CHANNEL is "${teams}": expected a Teams channel id such as 19:abc…@thread.tacv2`,
    );
  if (raw.SUPPORT_TEAMS_SERVICE_URL !== undefined && teams === undefined)
    throw new ConfigError('SUPPORT_TEAMS_SERVICE_URL is set but SUPPORT_TEAMS_CHANNEL is not: set both');
  const serviceUrl = url('SUPPORT_TEAMS_SERVICE_URL', raw.SUPPORT_TEAMS_SERVICE_URL, ['https', 'http']);
  const redaction = oneOf('REDACTION', raw.REDACTION ?? 'on', ['on', 'off'] as const) === 'on';
  return {
    ...(slackChannel === undefined ? {} : { slackChannel }),
    ...(teams === undefined
      ? {}
      : {
          teamsChannel: {
            conversationId: teams,
            serviceUrl: serviceUrl ?? TEAMS_SERVICE_URL,
            ...(raw.MicrosoftAppTenantId ? { tenantId: raw.MicrosoftAppTenantId } : {}),
          },
        }),
    redaction,
    admins: (raw.SUPPORT_ADMINS ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== ''),
  };
}

/** Without an app id, Teams replies go only to these (default: the bot's own machine). */
export const LOOPBACK_SERVICE_URLS = ['http://127.0.0.1:', 'http://localhost:', 'http://[::1]:'];

function teamsServiceUrls(value: string | undefined): string[] {
  if (value === undefined) return LOOPBACK_SERVICE_URLS;
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      if (!/^https?:\/\/[^/\s@]+/.test(entry))
        throw new ConfigError(
          `TEAMS_SERVICE_URLS has "${entry}": expected http(s) URLs (or their prefixes), comma separated`,
        );
      // An origin alone would also match a longer host name (https://a.example.evil): end it.
      return /^https?:\/\/[^/]+$/.test(entry) && !entry.endsWith(':') ? `${entry}/` : entry;
    });
}

/** A whole number of `unit` from `min` to `max`, as milliseconds. */
function wholeUnits(
  name: string,
  value: string,
  range: { min: number; max: number; unitMs: number; unit: string },
): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < range.min || n > range.max)
    throw new ConfigError(
      `${name} is "${value}": expected a whole number of ${range.unit} from ${range.min} to ${range.max}`,
    );
  return n * range.unitMs;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Loads and validates the configuration; throws ConfigError naming the first bad setting. */
export function loadBotConfig(env: Env = process.env, options: LoadOptions = {}): BotConfig {
  const cwd = options.cwd ?? process.cwd();
  const raw = layer(env, cwd);
  const nodeEnv = oneOf('NODE_ENV', raw.NODE_ENV!, NODE_ENVS);
  const production = nodeEnv === 'production';
  const dataDir = isAbsolute(raw.DATA_DIR!) ? raw.DATA_DIR! : resolve(cwd, raw.DATA_DIR!);
  const publicUrl = url('PUBLIC_URL', raw.PUBLIC_URL, ['http', 'https']);
  if (publicUrl !== undefined && new URL(publicUrl).pathname !== '/') {
    throw new ConfigError(
      `PUBLIC_URL is "${publicUrl}": expected an origin without a path, e.g. https://help.example.com`,
    );
  }
  const bf = botFramework(raw, production);
  const validated = {
    port: port(raw.PORT!),
    // Hardening (issue 16): without an app id anyone could post Teams activities, so by default only
    // this machine can reach the bot; HOST=0.0.0.0 opens it deliberately.
    host: raw.HOST ?? (bf.MicrosoftAppId === undefined ? '127.0.0.1' : '0.0.0.0'),
    dataDir,
    ...(publicUrl === undefined ? {} : { publicUrl: new URL(publicUrl).origin }),
    nodeEnv,
    production,
    botFramework: bf,
    ...(raw.REDIS_URL === undefined
      ? {}
      : { redisUrl: url('REDIS_URL', raw.REDIS_URL, ['redis', 'rediss']) }),
    supportContactText: raw.SUPPORT_CONTACT_TEXT!,
    ...optional('slack', slack(raw, production)),
  };
  const withSupport = {
    ...validated,
    support: support(raw, validated.slack !== undefined),
    // Hardening (issue 16)
    limits: readLimits(raw, (message) => new ConfigError(message)),
    teamsServiceUrls: teamsServiceUrls(raw.TEAMS_SERVICE_URLS),
    dashboard: {
      linkMs: wholeUnits('DASHBOARD_LINK_MINUTES', raw.DASHBOARD_LINK_MINUTES ?? '10', {
        min: 1,
        max: 60,
        unitMs: 60_000,
        unit: 'minutes',
      }),
      sessionMs: wholeUnits('DASHBOARD_SESSION_HOURS', raw.DASHBOARD_SESSION_HOURS ?? '8', {
        min: 1,
        max: 24,
        unitMs: 3_600_000,
        unit: 'hours',
      }),
    },
    incidents: readIncidentSettings(raw, (message) => new ConfigError(message)),
  };
  // Last, because it may write a file: a config that fails validation leaves no trace behind.
  if (raw.REDIS_URL !== undefined && raw.DIRECTLINE_SECRET === undefined) {
    throw new ConfigError(
      'REDIS_URL is set (replicas share one Redis) but DIRECTLINE_SECRET is not: set it, the same on every replica, so a web chat token one replica minted is accepted by the others',
    );
  }
  if (raw.DIRECTLINE_SECRET !== undefined && raw.DIRECTLINE_SECRET.length < 32) {
    throw new ConfigError('DIRECTLINE_SECRET is too short: use at least 32 characters of random text');
  }
  const secret =
    raw.DIRECTLINE_SECRET === undefined
      ? persistedSecret(dataDir)
      : { directLineSecret: raw.DIRECTLINE_SECRET, directLineSecretSource: 'config' as const };
  return { ...withSupport, ...secret };
}
