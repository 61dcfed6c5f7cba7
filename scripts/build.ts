/**
 * Builds the one-file agent, dist/reconnect-agent.js (run by `npm install` and `npm run build`).
 *
 * The agent carries undici, adaptive-expressions (the diagnosis rules) and a QuickJS
 * WebAssembly sandbox for PAC files: about 3 MB of code. To stay a sub-1 MB download it is a
 * small loader plus the code and the wasm, each Brotli-compressed; the loader checks the Node
 * version first, so an old Node gets a sentence, not a stack trace.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { builtInRules } from '../probes/diagnosis/builtin.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'reconnect-agent.js');
const require = createRequire(import.meta.url);

/** Node 22.19 is undici 8's floor (DESIGN.md, Platform). */
const MIN_NODE: [number, number] = [22, 19];

/**
 * Packages the agent never calls but that adaptive-expressions and undici load eagerly or
 * lazily: XML/XPath/timex functions (no rule uses them), undici's alternative HTTP parser
 * (milo, only with UNDICI_USE_MILO), its SIMD wasm (it falls back to the plain build) and
 * HTTP/2 (probes speak HTTP/1.1). A stub throws if something does call it, so a future rule
 * that needs one fails loudly in the bundle test rather than silently.
 */
const STUBBED = [
  /^xpath$/,
  /^@xmldom\/xmldom$/,
  /^fast-xml-parser$/,
  /^@microsoft\/recognizers-text-data-types-timex-expression$/,
  /^jspath$/,
  /milo\/(no-)?simd\.js$/,
  /llhttp_simd-wasm\.js$/,
  /client-h2\.js$/,
];

const trim: Plugin = {
  name: 'trim',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (STUBBED.some((re) => re.test(args.path))) return { path: args.path, namespace: 'stub' };
      // The probes need only undici's Client; the package index pulls fetch, cache, mocks…
      if (args.path === 'undici') return { path: 'undici', namespace: 'undici-client' };
      return undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'stub' }, (args) => ({
      contents: `module.exports = new Proxy({}, { get(_, key) { if (key === '__esModule' || typeof key === 'symbol') return undefined; throw new Error(${JSON.stringify(`${args.path} is not part of the agent bundle`)}); } });`,
      loader: 'js',
    }));
    // As undici's own index does: request() and friends live on the Dispatcher prototype.
    b.onLoad({ filter: /.*/, namespace: 'undici-client' }, () => ({
      contents: [
        `const Dispatcher = require(${JSON.stringify(require.resolve('undici/lib/dispatcher/dispatcher.js'))});`,
        `Object.assign(Dispatcher.prototype, require(${JSON.stringify(require.resolve('undici/lib/api/index.js'))}));`,
        `module.exports = { Client: require(${JSON.stringify(require.resolve('undici/lib/dispatcher/client.js'))}) };`,
      ].join('\n'),
      loader: 'js',
      resolveDir: root,
    }));
    // The rules ship parsed (adaptive-expressions ran here, at build time): the agent only
    // interprets them, and never loads the parser or its ANTLR runtime.
    b.onLoad({ filter: /probes[\\/]diagnosis[\\/]builtin\.ts$/ }, () => ({
      contents: `const rules = ${JSON.stringify(builtInRules())};\nexport function builtInRules() { return rules; }`,
      loader: 'js',
    }));
    // The QuickJS wasm travels compressed beside the code; the loader hands it over.
    b.onLoad({ filter: /probes[\\/]proxy[\\/]quickjs-wasm\.ts$/ }, () => ({
      contents: 'export async function quickJsWasm() { return globalThis.__reconnectAsset("quickjs.wasm"); }',
      loader: 'ts',
    }));
  },
};

function pack(bytes: Uint8Array): string {
  return brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  }).toString('base64');
}

export async function buildAgent(): Promise<{ path: string; bytes: number; codeBytes: number }> {
  const result = await build({
    entryPoints: [join(root, 'probes/agent/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
    plugins: [trim],
  });
  const code = result.outputFiles[0].contents;
  const wasm = readFileSync(require.resolve('quickjs-wasi/quickjs.wasm'));
  const loader = `#!/usr/bin/env node
// reconnect-agent: the Reconnect companion agent in one file. The code and its WebAssembly
// PAC sandbox are Brotli-compressed below; see scripts/build.ts in the Reconnect repository.
'use strict';
(function () {
  var v = process.versions.node.split('.').map(Number);
  if (v[0] < ${MIN_NODE[0]} || (v[0] === ${MIN_NODE[0]} && v[1] < ${MIN_NODE[1]})) {
    process.stderr.write('reconnect-agent needs Node.js ${MIN_NODE.join('.')} or later; this computer has ' + process.version + '. Install a current Node.js LTS from nodejs.org and run it again.\\n');
    process.exit(2);
  }
  var load = typeof require === 'function' ? require : process.getBuiltinModule;
  var filename = typeof __filename === 'string' ? __filename : process.argv[1];
  // undici parses HTTP in WebAssembly, which V8 compiles twice (baseline, then optimised in the
  // background): ~15 MB of memory for a dozen responses. V8 takes the flag only at start, so
  // replace this process with one started with it (same pid; where execve exists).
  var args = process.argv.slice(2);
  var probes = (args[0] === 'check' || args[0] === 'pair') && args.indexOf('--help') < 0 && args.indexOf('-h') < 0;
  // A single executable (npm run build:agents) has the flag in its own execArgv, and would take
  // the re-exec's arguments as the agent's: it never re-executes itself.
  var sea = false;
  try { sea = load('node:sea').isSea(); } catch (e) {}
  if (probes && !sea && typeof process.execve === 'function' && process.execArgv.indexOf('--liftoff-only') < 0) {
    var warn = process.emitWarning;
    process.emitWarning = function () {};
    try {
      process.execve(process.execPath, [process.execPath].concat(process.execArgv, ['--liftoff-only', filename], args), process.env);
    } catch (e) {
      process.emitWarning = warn;
    }
  }
  var zlib = load('node:zlib'), vm = load('node:vm'), mod = load('node:module'), path = load('node:path');
  var unpack = function (s) { return zlib.brotliDecompressSync(Buffer.from(s, 'base64')); };
  var WASM = ${JSON.stringify(pack(wasm))};
  var CODE = ${JSON.stringify(pack(code))};
  globalThis.__reconnectAsset = function (name) { if (name === 'quickjs.wasm') return unpack(WASM); throw new Error('no asset ' + name); };
  var run = vm.compileFunction(unpack(CODE).toString('utf8'), ['exports', 'require', 'module', '__filename', '__dirname'], { filename: filename });
  var m = { exports: {} };
  run(m.exports, mod.createRequire(filename), m, filename, path.dirname(filename));
})();
`;
  mkdirSync(dirname(out), { recursive: true });
  // Into place by rename: builds running in parallel (test files) never read half a bundle.
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, loader, { mode: 0o755 });
  renameSync(tmp, out);
  return { path: out, bytes: Buffer.byteLength(loader), codeBytes: code.length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { path, bytes, codeBytes } = await buildAgent();
  process.stdout.write(`built ${path}: ${bytes} bytes (code ${codeBytes} bytes before compression)\n`);
}
