/**
 * deploy/slack/manifest.yaml: the shape Slack's "create an app from a manifest" accepts, and
 * agreement with the code: every event the channel handles is subscribed, every scope its
 * calls need is requested, the command is the one it listens for, and every URL is our endpoint.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { SLACK_EVENTS, SLACK_SCOPES, SLASH_COMMAND } from '../../bot/channels/slack/channel.ts';
import { SLACK_EVENTS_PATH } from '../../bot/channels/slack/routes.ts';

interface SlashCommand {
  command: string;
  url: string;
  description: string;
}
/** The parts of Slack's manifest schema this test reads. */
interface Manifest {
  _metadata: { major_version: number };
  display_information: {
    name: string;
    description: string;
    long_description: string;
    background_color: string;
  };
  features: {
    bot_user: { display_name: string };
    app_home: { messages_tab_enabled: boolean; messages_tab_read_only_enabled: boolean };
    slash_commands: SlashCommand[];
  };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string };
    socket_mode_enabled: boolean;
  };
}
const manifest: Manifest = parse(
  readFileSync(new URL('../../deploy/slack/manifest.yaml', import.meta.url), 'utf8'),
);

test('top level: only the sections Slack knows, with display information in its limits', () => {
  const known = [
    '_metadata',
    'display_information',
    'features',
    'oauth_config',
    'settings',
    'functions',
    'workflows',
  ];
  for (const key of Object.keys(manifest)) assert.ok(known.includes(key), `unknown top-level key ${key}`);
  const info = manifest.display_information;
  assert.equal(typeof info.name, 'string');
  assert.ok(info.name.length >= 1 && info.name.length <= 35, 'name: 1-35 characters');
  assert.ok(info.description.length <= 140, 'description: at most 140 characters');
  assert.ok(
    info.long_description.length >= 174 && info.long_description.length <= 4000,
    'long_description: 174-4000',
  );
  assert.match(info.background_color, /^#[0-9a-fA-F]{6}$/);
  assert.equal(manifest._metadata.major_version, 1);
});

test('a bot user people can message', () => {
  assert.equal(typeof manifest.features.bot_user.display_name, 'string');
  assert.equal(manifest.features.app_home.messages_tab_enabled, true);
  assert.equal(manifest.features.app_home.messages_tab_read_only_enabled, false);
});

test('every event the channel handles is subscribed, and nothing it ignores', () => {
  assert.deepEqual([...manifest.settings.event_subscriptions.bot_events].sort(), [...SLACK_EVENTS].sort());
});

test('every bot scope the channel needs is requested, and no more', () => {
  assert.deepEqual([...manifest.oauth_config.scopes.bot].sort(), [...SLACK_SCOPES].sort());
  assert.equal(manifest.oauth_config.scopes.user, undefined, 'no user scopes');
});

test('the slash command, events and interactivity all point at /api/slack/events', () => {
  const commands = manifest.features.slash_commands;
  assert.equal(commands.length, 1);
  assert.equal(commands[0].command, SLASH_COMMAND);
  assert.ok(commands[0].description.length > 0);
  assert.equal(manifest.settings.interactivity.is_enabled, true);
  const urls = [
    commands[0].url,
    manifest.settings.event_subscriptions.request_url,
    manifest.settings.interactivity.request_url,
  ];
  for (const url of urls) {
    const parsed = new URL(url);
    assert.equal(parsed.protocol, 'https:', `${url}: Slack requires https`);
    assert.equal(parsed.pathname, SLACK_EVENTS_PATH);
  }
  assert.equal(manifest.settings.socket_mode_enabled, false);
});
