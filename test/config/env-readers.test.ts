/**
 * Config is read in one place (STYLE.md, after probot): bot/config.ts for the bot,
 * probes/agent/config.ts for the agent. A source scan keeps it so: no other file under bot/ or
 * probes/ touches process.env, and no other file under probes/ picks one of the agent's
 * variables out of an environment object (the README's table lists them as read by config.ts).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { planAction } from '../../probes/actions/plan.ts';
import { loadAgentConfig } from '../../probes/agent/config.ts';
import { cacheLocations } from '../../probes/cache.ts';
import { readEnvProxy } from '../../probes/proxy/env.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READERS = new Set(['bot/config.ts', 'probes/agent/config.ts']);

/** Every TypeScript and JavaScript file below `dir`, as a path relative to the root. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|js|mjs|cjs)$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** The code without its comments, which may name process.env to say who reads it. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
}

/** `process.env` in any spelling: member, bracket, optional chain, destructured, node:process. */
const PROCESS_ENV =
  /\bprocess\s*(?:\?\.|\.)\s*env\b|\bprocess\s*(?:\?\.)?\[\s*['"`]env['"`]\s*\]|\{[^}]*\benv\b[^}]*\}\s*=\s*(?:globalThis\.)?process\b|from\s+['"](?:node:)?process['"]/;

/** A property read of one of the agent's variables (`env.APPDATA`, `env['https_proxy']`), not a spread. */
const AGENT_VARIABLE =
  /(?<=[\w)\]]\s*)(?:\?\.|\.)\s*(?:HTTPS?_PROXY|ALL_PROXY|NO_PROXY|https?_proxy|all_proxy|no_proxy|APPDATA|LOCALAPPDATA|XDG_[A-Z_]+|SystemRoot|windir|USERPROFILE|HOME|RECONNECT_[A-Z_]+)\b|\[\s*['"`](?:HTTPS?_PROXY|https?_proxy|APPDATA|LOCALAPPDATA|XDG_[A-Z_]+|SystemRoot|windir|RECONNECT_[A-Z_]+)['"`]\s*\]/;

function offenders(dirs: string[], pattern: RegExp): string[] {
  return dirs
    .flatMap(sources)
    .filter((file) => !READERS.has(file))
    .filter((file) => pattern.test(code(readFileSync(join(ROOT, file), 'utf8'))));
}

test('the scan recognises every spelling it looks for, and passes over comments', () => {
  for (const reads of [
    'const a = process.env.PORT;',
    'const a = process?.env;',
    "const a = process['env'];",
    'const { env } = process;',
    "import { env } from 'node:process';",
  ])
    assert.match(code(reads), PROCESS_ENV, reads);
  assert.doesNotMatch(
    code('/** nothing else reads process.env */\n// process.env here too\nconst url = "http://x";'),
    PROCESS_ENV,
  );
  for (const reads of ['env.APPDATA', 'env?.XDG_CONFIG_HOME', "env['https_proxy']", 'e.SystemRoot'])
    assert.match(code(reads), AGENT_VARIABLE, reads);
  assert.doesNotMatch('throw new Error("set RECONNECT_SERVER or pass --server")', AGENT_VARIABLE);
  assert.doesNotMatch('const shape = { ...NO_PROXY, bypass: [] };', AGENT_VARIABLE);
});

test('only bot/config.ts and probes/agent/config.ts read process.env', () => {
  const files = [...sources('bot'), ...sources('probes')];
  assert.ok(files.length > 150, `scanned ${files.length} files`);
  assert.ok(READERS.has('bot/config.ts') && files.includes('bot/config.ts'));
  assert.deepEqual(offenders(['bot', 'probes'], PROCESS_ENV), []);
});

test("no file under probes/ but the agent's config picks a variable out of an environment", () => {
  assert.deepEqual(offenders(['probes'], AGENT_VARIABLE), []);
  assert.match(code(readFileSync(join(ROOT, 'probes/agent/config.ts'), 'utf8')), AGENT_VARIABLE);
});

test('the agent config hands on proxy variables, user folders and SystemRoot resolved', () => {
  const config = loadAgentConfig(
    {
      https_proxy: 'http://lower:3128',
      HTTPS_PROXY: 'http://upper:3128',
      NO_PROXY: 'lab.test',
      HTTP_PROXY: '  ',
      APPDATA: 'R:\\Roaming',
      LOCALAPPDATA: 'L:\\Local',
      XDG_CONFIG_HOME: '',
      windir: 'D:\\WINNT',
      USERPROFILE: 'C:\\Users\\carol',
    },
    'win32',
  );
  assert.equal(config.home, 'C:\\Users\\carol');
  assert.deepEqual(config.proxyVariables, {
    https: { variable: 'https_proxy', value: 'http://lower:3128' },
    noProxy: { variable: 'NO_PROXY', value: 'lab.test' },
  });
  assert.deepEqual(config.folders, { appData: 'R:\\Roaming', localAppData: 'L:\\Local' });
  assert.equal(config.systemRoot, 'D:\\WINNT');
  assert.equal(
    loadAgentConfig({ SystemRoot: 'E:\\Windows', windir: 'D:\\WINNT' }, 'win32').systemRoot,
    'E:\\Windows',
  );

  // What the consumers make of them: the proxy, the cache folders, the full path of Windows' tools.
  assert.equal(readEnvProxy(config.proxyVariables)?.proxy.servers.https, 'http://lower:3128');
  const teams = cacheLocations('win32', config.home, config.folders).find((l) => l.id === 'teams-classic');
  assert.equal(teams?.path, 'R:\\Roaming\\Microsoft\\Teams');
  const flush = planAction('flush_dns', { ...config, now: 0 }).steps[0];
  assert.equal(flush.type === 'exec' ? flush.file : '', 'D:\\WINNT\\System32\\ipconfig.exe');
});
