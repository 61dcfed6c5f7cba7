/**
 * `npm run package:teams`: validates deploy/teams/manifest.json offline (the schema bundled with
 * @microsoft/app-manifest) and writes dist/teams/reconnect-teams.zip, ready to upload in Teams
 * (Apps → Manage your apps → Upload an app) or the Teams admin center.
 *
 * Settings come from the environment: MicrosoftAppId and PUBLIC_URL (required), TEAMS_APP_ID,
 * WEBSITE_URL, PRIVACY_URL, TERMS_URL (optional). `--out FILE` writes elsewhere.
 * Exit 0 written, 2 a setting or the manifest is invalid.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTeamsPackage } from '../deploy/teams/package.ts';
import { ConfigError } from '../probes/config-error.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function outPath(argv: string[]): string {
  const at = argv.indexOf('--out');
  if (at >= 0) {
    const value = argv[at + 1];
    if (!value) throw new ConfigError('--out needs a file name');
    return resolve(value);
  }
  return resolve(ROOT, 'dist/teams/reconnect-teams.zip');
}

async function main(): Promise<void> {
  const out = outPath(process.argv.slice(2));
  const { manifest, zip } = await buildTeamsPackage(process.env);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, zip);
  const bots = manifest.bots as { botId: string }[];
  process.stdout.write(
    `manifest ${manifest.manifestVersion} valid (bot ${bots[0].botId}); wrote ${relative(process.cwd(), out) || out} (${zip.length} bytes)\n`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`package:teams: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
});
