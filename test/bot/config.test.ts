/**
 * The bot config: defaults, env, file layering and every rejection, with injected env objects
 * (process.env is never touched) and a temporary DATA_DIR per test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, loadBotConfig } from '../../bot/config.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reconnect-config-'));
  dirs.push(dir);
  return dir;
}

const SECRET = 'x'.repeat(40);
const APP = { MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'pw' };

test('defaults: port 3978, ./data under cwd, development, no Bot Framework settings', () => {
  const cwd = tempDir();
  const config = loadBotConfig({}, { cwd });
  assert.equal(config.port, 3978);
  // Without an app id only this machine may post Teams activities (issue 16); with one, all interfaces.
  assert.equal(config.host, '127.0.0.1');
  assert.equal(loadBotConfig({ ...APP, DATA_DIR: cwd }).host, '0.0.0.0');
  assert.equal(loadBotConfig({ HOST: '0.0.0.0', DATA_DIR: cwd }).host, '0.0.0.0');
  assert.equal(config.dataDir, join(cwd, 'data'));
  assert.equal(config.nodeEnv, 'development');
  assert.equal(config.production, false);
  assert.deepEqual(config.botFramework, {});
  assert.equal(config.publicUrl, undefined);
  assert.equal(config.redisUrl, undefined);
  assert.match(config.supportContactText, /help desk/);
});

test('env values are read, with empty values treated as unset', () => {
  const cwd = tempDir();
  const config = loadBotConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: 'state',
      PUBLIC_URL: 'https://help.example.test/',
      NODE_ENV: 'test',
      ...APP,
      MicrosoftAppTenantId: 'tenant',
      MicrosoftAppType: 'singletenant',
      ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:9/openid',
      ToBotFromChannelTokenIssuer: 'https://lab.issuer',
      DIRECTLINE_SECRET: SECRET,
      REDIS_URL: 'redis://127.0.0.1:6379',
      SUPPORT_CONTACT_TEXT: 'Call 555',
      HOSTNAME: 'ignored',
      MicrosoftAppTenantIdX: '',
    },
    { cwd },
  );
  assert.equal(config.port, 0);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.dataDir, join(cwd, 'state'));
  assert.equal(config.publicUrl, 'https://help.example.test');
  assert.equal(config.nodeEnv, 'test');
  assert.deepEqual(config.botFramework, {
    ...APP,
    MicrosoftAppTenantId: 'tenant',
    MicrosoftAppType: 'SingleTenant',
    ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:9/openid',
    ToBotFromChannelTokenIssuer: 'https://lab.issuer',
  });
  assert.equal(config.directLineSecret, SECRET);
  assert.equal(config.directLineSecretSource, 'config');
  assert.equal(config.redisUrl, 'redis://127.0.0.1:6379');
  assert.equal(config.supportContactText, 'Call 555');
  assert.equal(loadBotConfig({ PORT: '', DATA_DIR: cwd }).port, 3978);
});

test('an app id without a type defaults to MultiTenant', () => {
  const config = loadBotConfig({ ...APP, DATA_DIR: tempDir() });
  assert.equal(config.botFramework.MicrosoftAppType, 'MultiTenant');
});

test('RECONNECT_CONFIG file overrides env; numbers are accepted', () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'bot.json'), JSON.stringify({ PORT: 4000, SUPPORT_CONTACT_TEXT: 'From file' }));
  const config = loadBotConfig({ RECONNECT_CONFIG: 'bot.json', PORT: '5000', HOST: '::1' }, { cwd });
  assert.equal(config.port, 4000);
  assert.equal(config.host, '::1');
  assert.equal(config.supportContactText, 'From file');
});

test('the Direct Line secret is generated once, persisted with mode 0600, and reused', () => {
  const dataDir = join(tempDir(), 'nested', 'data');
  const first = loadBotConfig({ DATA_DIR: dataDir });
  assert.equal(first.directLineSecretSource, 'generated');
  assert.ok(first.directLineSecret.length >= 32);
  const file = join(dataDir, 'directline-secret');
  assert.equal(readFileSync(file, 'utf8').trim(), first.directLineSecret);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const second = loadBotConfig({ DATA_DIR: dataDir });
  assert.equal(second.directLineSecretSource, 'file');
  assert.equal(second.directLineSecret, first.directLineSecret);
});

test('NODE_ENV=production without MicrosoftAppId refuses to start, naming the variable', () => {
  assert.throws(
    () => loadBotConfig({ NODE_ENV: 'production', DATA_DIR: tempDir() }),
    (error: Error) =>
      error instanceof ConfigError && /NODE_ENV=production requires MicrosoftAppId/.test(error.message),
  );
  const ok = loadBotConfig({ NODE_ENV: 'production', ...APP, DATA_DIR: tempDir() });
  assert.equal(ok.production, true);
});

test('a rejected config writes no secret file', () => {
  const dataDir = join(tempDir(), 'data');
  assert.throws(() => loadBotConfig({ DATA_DIR: dataDir, PORT: 'x' }), ConfigError);
  assert.throws(() => statSync(join(dataDir, 'directline-secret')), { code: 'ENOENT' });
});

/** Each rejection: the env, and what the message must name. */
const rejections: [string, Record<string, string>, RegExp][] = [
  ['port not a number', { PORT: 'http' }, /^PORT is "http": expected an integer from 0 to 65535/],
  ['port too large', { PORT: '70000' }, /^PORT is "70000"/],
  ['port negative', { PORT: '-1' }, /^PORT is "-1"/],
  [
    'unknown NODE_ENV',
    { NODE_ENV: 'prod' },
    /^NODE_ENV is "prod": accepted values are development, production, test/,
  ],
  [
    'PUBLIC_URL not a URL',
    { PUBLIC_URL: 'help.example' },
    /^PUBLIC_URL is "help.example": expected an absolute URL/,
  ],
  [
    'PUBLIC_URL wrong scheme',
    { PUBLIC_URL: 'ftp://h' },
    /^PUBLIC_URL is "ftp:\/\/h": expected a http or https URL/,
  ],
  ['PUBLIC_URL with a path', { PUBLIC_URL: 'https://h/bot' }, /^PUBLIC_URL .*without a path/],
  [
    'unknown app type',
    { ...APP, MicrosoftAppType: 'Multi' },
    /^MicrosoftAppType is "Multi": accepted values are MultiTenant, SingleTenant, UserAssignedMSI/,
  ],
  [
    'password without app id',
    { MicrosoftAppPassword: 'pw' },
    /^MicrosoftAppPassword is set but MicrosoftAppId is not/,
  ],
  ['app id without password', { MicrosoftAppId: 'id' }, /MicrosoftAppPassword is not/],
  [
    'single tenant without tenant',
    { ...APP, MicrosoftAppType: 'SingleTenant' },
    /requires MicrosoftAppTenantId/,
  ],
  [
    'bad OpenID URL',
    { ToBotFromChannelOpenIdMetadataUrl: 'nope' },
    /^ToBotFromChannelOpenIdMetadataUrl is "nope"/,
  ],
  [
    'OpenID override in production',
    { NODE_ENV: 'production', ...APP, ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:1/x' },
    /test settings .* refused with NODE_ENV=production/,
  ],
  ['short Direct Line secret', { DIRECTLINE_SECRET: 'short' }, /^DIRECTLINE_SECRET is too short/],
  [
    'REDIS_URL without a shared DIRECTLINE_SECRET',
    { REDIS_URL: 'redis://127.0.0.1:6379' },
    /^REDIS_URL is set \(replicas share one Redis\) but DIRECTLINE_SECRET is not/,
  ],
  [
    'REDIS_URL wrong scheme',
    { REDIS_URL: 'http://127.0.0.1' },
    /^REDIS_URL is "http:\/\/127.0.0.1": expected a redis or rediss URL/,
  ],
  [
    'missing config file',
    { RECONNECT_CONFIG: 'absent.json' },
    /^RECONNECT_CONFIG names .*absent.json, which could not be read/,
  ],
];

for (const [name, env, message] of rejections) {
  test(`rejects: ${name}`, () => {
    const cwd = tempDir();
    assert.throws(
      () => loadBotConfig({ DATA_DIR: cwd, ...env }, { cwd }),
      (error: Error) => error instanceof ConfigError && message.test(error.message),
    );
  });
}

test('rejects a config file with an unknown key, a non-object or a nested value', () => {
  const cwd = tempDir();
  const cases: [string, RegExp][] = [
    ['{"PROT": 1}', /unknown setting "PROT"; accepted: PORT, HOST/],
    ['[1]', /expected a JSON object of settings/],
    ['{"PORT": {"n": 1}}', /PORT must be a string or a number/],
    ['{"PORT": ', /could not be read as JSON/],
  ];
  for (const [text, message] of cases) {
    writeFileSync(join(cwd, 'bad.json'), text);
    assert.throws(
      () => loadBotConfig({ RECONNECT_CONFIG: 'bad.json', DATA_DIR: cwd }, { cwd }),
      (error: Error) => error instanceof ConfigError && message.test(error.message),
      text,
    );
  }
});
