/**
 * The Teams app package: manifest.json with its placeholders filled from the deployment's
 * settings, validated offline against the schema @microsoft/app-manifest bundles (never fetched),
 * plus the two committed icons (color.png, outline.png), zipped by fflate at the archive's root
 * as Teams expects.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { zipSync } from 'fflate';
import { ConfigError } from '../../probes/config-error.ts';

export const TEAMS_DIR = fileURLToPath(new URL('./', import.meta.url));

/** A setting or a manifest that cannot be packaged: the one ConfigError, code teams_package_invalid. */
function invalid(problem: string): ConfigError {
  return new ConfigError(problem, { code: 'teams_package_invalid' });
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PLACEHOLDER = /\$\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g;

/**
 * The placeholder values from the deployment's settings: MicrosoftAppId (the bot's Entra app id)
 * and PUBLIC_URL (the https origin Teams reaches the bot at) are required; TEAMS_APP_ID (default
 * the bot's id) and WEBSITE_URL / PRIVACY_URL / TERMS_URL (default pages under PUBLIC_URL) are not.
 */
export function manifestValues(env: Record<string, string | undefined>): Record<string, string> {
  const appId = env.MicrosoftAppId?.trim();
  if (!appId || !GUID.test(appId))
    throw invalid(
      `MicrosoftAppId is ${appId ? `"${appId}"` : 'not set'}: the Teams package needs the bot's Entra app id, a GUID`,
    );
  const teamsAppId = env.TEAMS_APP_ID?.trim() || appId;
  if (!GUID.test(teamsAppId)) throw invalid(`TEAMS_APP_ID is "${teamsAppId}": expected a GUID`);
  const publicUrl = env.PUBLIC_URL?.trim();
  let origin: URL;
  try {
    origin = new URL(publicUrl ?? '');
  } catch {
    throw invalid(
      `PUBLIC_URL is ${publicUrl ? `"${publicUrl}"` : 'not set'}: expected the https origin Teams reaches the bot at, e.g. https://help.example.com`,
    );
  }
  if (origin.protocol !== 'https:') throw invalid(`PUBLIC_URL is "${publicUrl}": Teams requires https`);
  const page = (name: string, fallback: string) => {
    const value = env[name]?.trim() || `${origin.origin}${fallback}`;
    if (!value.startsWith('https://')) throw invalid(`${name} is "${value}": expected an https URL`);
    return value;
  };
  return {
    MicrosoftAppId: appId,
    TEAMS_APP_ID: teamsAppId,
    BOT_DOMAIN: origin.host,
    WEBSITE_URL: page('WEBSITE_URL', '/'),
    PRIVACY_URL: page('PRIVACY_URL', '/privacy'),
    TERMS_URL: page('TERMS_URL', '/terms'),
  };
}

/** Fills `${{NAME}}` placeholders (JSON-escaped); an unknown placeholder is an error. */
export function fillManifest(template: string, values: Record<string, string>): Record<string, unknown> {
  const missing = new Set<string>();
  const text = template.replace(PLACEHOLDER, (_, name: string) => {
    if (!(name in values)) missing.add(name);
    return JSON.stringify(values[name] ?? '').slice(1, -1);
  });
  if (missing.size > 0)
    throw invalid(`manifest.json: no value for placeholder(s) ${[...missing].join(', ')}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** The bundled JSON schema for `manifestVersion`, read from the package (no network). */
export function bundledSchema(manifestVersion: string): Record<string, unknown> {
  const root = dirname(fileURLToPath(import.meta.resolve('@microsoft/app-manifest')));
  const file = join(root, 'json-schemas', 'teams', `v${manifestVersion}`, 'MicrosoftTeams.schema.json');
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    throw invalid(`manifestVersion "${manifestVersion}": @microsoft/app-manifest bundles no schema for it`);
  }
  // Some bundled schemas carry \a and \v escapes, which JSON does not have (the package cleans them too).
  return JSON.parse(raw.replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b')) as Record<string, unknown>;
}

/** Schema errors of a filled manifest (empty when valid), each naming the JSON path. */
export async function validateManifest(manifest: Record<string, unknown>): Promise<string[]> {
  const version = manifest.manifestVersion;
  if (typeof version !== 'string') return ['/manifestVersion must be a string'];
  const schema = bundledSchema(version);
  // With the schema given, the library validates offline (it fetches $schema only without one).
  const errors = await AppManifestUtils.validateAgainstSchema(manifest as never, schema as never);
  const expected = `https://developer.microsoft.com/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`;
  if (manifest.$schema !== expected)
    errors.push(`/$schema must be ${expected} for manifestVersion ${version}`);
  return errors;
}

/** Icons Teams requires, with their sizes. */
const ICONS = [
  { key: 'color', size: 192 },
  { key: 'outline', size: 32 },
] as const;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG's pixel size from its header (the IHDR chunk comes first: PNG spec 5.2), null if not a PNG. */
export function pngSize(data: Buffer): { width: number; height: number } | null {
  if (
    data.length < 24 ||
    !data.subarray(0, 8).equals(PNG_SIGNATURE) ||
    data.toString('latin1', 12, 16) !== 'IHDR'
  )
    return null;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

/** 1980-01-01, the earliest time a ZIP entry can carry: the same inputs give the same bytes. */
const ZIP_TIME = new Date(1980, 0, 1);

export interface TeamsPackage {
  manifest: Record<string, unknown>;
  zip: Buffer;
}

/** Builds the package from `dir` (default deploy/teams); throws ConfigError listing every problem. */
export async function buildTeamsPackage(
  env: Record<string, string | undefined>,
  dir = TEAMS_DIR,
): Promise<TeamsPackage> {
  const manifest = fillManifest(readFileSync(join(dir, 'manifest.json'), 'utf8'), manifestValues(env));
  const errors = await validateManifest(manifest);
  const icons = (manifest.icons ?? {}) as Record<string, string>;
  const files: Record<string, Uint8Array> = {
    'manifest.json': Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`),
  };
  for (const { key, size } of ICONS) {
    const name = icons[key];
    const data = readFileSync(join(dir, name));
    const found = pngSize(data);
    if (!found) errors.push(`/icons/${key}: ${name} is not a PNG file`);
    else if (found.width !== size || found.height !== size)
      errors.push(`/icons/${key}: ${name} is ${found.width}×${found.height}, Teams requires ${size}×${size}`);
    files[name] = data;
  }
  if (errors.length > 0) throw invalid(`manifest.json is not valid:\n  ${errors.join('\n  ')}`);
  return { manifest, zip: Buffer.from(zipSync(files, { level: 9, mtime: ZIP_TIME })) };
}
