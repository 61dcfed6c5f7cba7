/**
 * The support settings of the one config module: redaction on unless REDACTION=off, one
 * configured support channel at most, and every refusal naming the setting and what it accepts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadBotConfig } from '../../bot/config.ts';

const base = { DIRECTLINE_SECRET: 'x'.repeat(40), DATA_DIR: '/nonexistent-unused' };
const slack = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret' };

test('defaults: redaction on, nobody restricted, no configured channel', () => {
  assert.deepEqual(loadBotConfig(base).support, { redaction: true, admins: [] });
});

test('REDACTION=off, SUPPORT_ADMINS as a list, a Slack or a Teams channel', () => {
  const s = loadBotConfig({
    ...base,
    ...slack,
    REDACTION: 'OFF',
    SUPPORT_ADMINS: 'U1, U2 ,',
    SUPPORT_SLACK_CHANNEL: 'C0123ABCD',
  }).support;
  assert.deepEqual(s, { slackChannel: 'C0123ABCD', redaction: false, admins: ['U1', 'U2'] });
  const t = loadBotConfig({
    ...base,
    MicrosoftAppId: 'app',
    MicrosoftAppPassword: 'pw',
    MicrosoftAppType: 'SingleTenant',
    MicrosoftAppTenantId: 'tenant-1',
    SUPPORT_TEAMS_CHANNEL: '19:abc@thread.tacv2',
  }).support;
  assert.deepEqual(t.teamsChannel, {
    conversationId: '19:abc@thread.tacv2',
    serviceUrl: 'https://smba.trafficmanager.net/teams/',
    tenantId: 'tenant-1',
  });
});

test('refusals name the setting and what is accepted', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ REDACTION: 'maybe' }, /REDACTION is "maybe": accepted values are on, off/],
    [{ SUPPORT_SLACK_CHANNEL: 'C0123ABCD' }, /SUPPORT_SLACK_CHANNEL is set but Slack is not/],
    [
      { ...slack, SUPPORT_SLACK_CHANNEL: '#it-support' },
      /SUPPORT_SLACK_CHANNEL is "#it-support": expected a Slack channel id/,
    ],
    [{ SUPPORT_TEAMS_CHANNEL: 'General' }, /SUPPORT_TEAMS_CHANNEL is "General": expected a Teams channel id/],
    [
      { SUPPORT_TEAMS_SERVICE_URL: 'https://smba.example/' },
      /SUPPORT_TEAMS_SERVICE_URL is set but SUPPORT_TEAMS_CHANNEL is not/,
    ],
    [
      { ...slack, SUPPORT_SLACK_CHANNEL: 'C0123ABCD', SUPPORT_TEAMS_CHANNEL: '19:abc@thread.tacv2' },
      /both set: cases go to one support channel/,
    ],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => loadBotConfig({ ...base, ...env }),
      (error: unknown) => error instanceof ConfigError && message.test(error.message),
      JSON.stringify(env),
    );
  }
});
