/**
 * Builds the support dashboard page into dist/admin/ (served by the bot at /admin): index.html,
 * admin.js (the page's script with uPlot, minified) and admin.css (uPlot's styles and ours), so
 * the page needs nothing from a CDN. scripts/build-web.ts runs it after the web chat page.
 *
 * Usage: node scripts/build-admin.ts [--out DIR]
 */
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'bot', 'dashboard', 'page');

/** Builds into `outDir` (default dist/admin); returns the script's size in bytes. */
export async function buildAdmin(outDir = join(root, 'dist', 'admin')): Promise<number> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [
      { in: join(source, 'main.ts'), out: 'admin' },
      // Our styles with uPlot's (@import from node_modules) in one file.
      { in: join(source, 'admin.css'), out: 'admin' },
    ],
    outdir: outDir,
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020', 'chrome100', 'safari15', 'firefox100'],
    legalComments: 'linked',
    sourcemap: false,
    logLevel: 'warning',
  });
  copyFileSync(join(source, 'index.html'), join(outDir, 'index.html'));
  return statSync(join(outDir, 'admin.js')).size;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  buildAdmin(at > 0 ? resolve(process.argv[at + 1] ?? '') : undefined).then(
    (bytes) => process.stdout.write(`dashboard built: admin.js ${(bytes / 1024).toFixed(0)} KB\n`),
    (error: unknown) => {
      process.stderr.write(`dashboard build failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
