/**
 * Builds the web chat page into dist/web/ (served by the bot at `/`): index.html plus one
 * bundled, minified webchat.js carrying Web Chat, React and Adaptive Cards, so the page needs
 * nothing from a CDN at run time (helpdesk pages often sit behind the proxy that breaks Teams).
 *
 * Usage: node scripts/build-web.ts [--out DIR]
 */
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { buildAdmin } from './build-admin.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'bot', 'channels', 'webchat');

/** Builds into `outDir` (default dist/web) and returns the bundle's size in bytes. */
export async function buildWeb(outDir = join(root, 'dist', 'web')): Promise<number> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(source, 'main.ts')],
    outfile: join(outDir, 'webchat.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020', 'chrome100', 'safari15', 'firefox100'],
    // markdown-it requires Node's punycode; the browser gets a small shim (see the file).
    alias: { punycode: join(source, 'punycode-shim.ts') },
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    // Licences of the bundled packages go into one file next to the bundle.
    legalComments: 'linked',
    sourcemap: false,
    logLevel: 'warning',
  });
  copyFileSync(join(source, 'index.html'), join(outDir, 'index.html'));
  // Precompressed copies (3.5 MB → about 0.7 MB with Brotli) for phones on cellular; the server
  // picks one by Accept-Encoding.
  const bundle = readFileSync(join(outDir, 'webchat.js'));
  writeFileSync(
    join(outDir, 'webchat.js.br'),
    brotliCompressSync(bundle, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bundle.length },
    }),
  );
  writeFileSync(join(outDir, 'webchat.js.gz'), gzipSync(bundle, { level: 9 }));
  return statSync(join(outDir, 'webchat.js')).size;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const outDir = at > 0 ? resolve(process.argv[at + 1] ?? '') : undefined;
  // The support dashboard (dist/admin) is built with the web chat: the same install and image steps.
  Promise.all([buildWeb(outDir), buildAdmin()]).then(
    ([bytes]) =>
      process.stdout.write(`web chat page built: webchat.js ${(bytes / 1024 / 1024).toFixed(1)} MB\n`),
    (error: unknown) => {
      process.stderr.write(`web chat build failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
