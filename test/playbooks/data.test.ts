/**
 * The built-in playbooks: every file loads, every file contributes, and the commands the
 * seed's checklist and its corrections call for are there for each OS.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { LineCounter, parseDocument } from 'yaml';
import { BUILTIN_PLAYBOOK_DIR, loadBuiltinPlaybooks } from '../../bot/playbooks/load.ts';
import { playbookForCode } from '../../bot/playbooks/select.ts';
import type { LoadedStep, Platform } from '../../bot/playbooks/types.ts';
import { validateDocument } from '../../bot/playbooks/validate.ts';
import { allCodes } from '../../probes/codes/index.ts';

const set = await loadBuiltinPlaybooks();
const files = (await readdir(BUILTIN_PLAYBOOK_DIR)).filter((n) => n.endsWith('.yaml')).sort();

function step(id: string): LoadedStep {
  const s = set.steps.get(id);
  assert.ok(s, `built-in step ${id} exists`);
  return s;
}

test('every data file is valid on its own and contributes steps or a playbook', async () => {
  assert.ok(files.length >= 6, `expected the step libraries and playbooks, found ${files.join(', ')}`);
  for (const name of files) {
    const file = join(BUILTIN_PLAYBOOK_DIR, name);
    const doc = parseDocument(await readFile(file, 'utf8'), { lineCounter: new LineCounter() });
    assert.deepEqual(doc.errors, [], `${name} parses as YAML`);
    validateDocument(doc.toJS(), name, () => undefined);
    const fromFile = [...set.steps.values()].filter((s) => s.source === file).length;
    const playbooks = set.playbooks.filter((p) => p.source === file).length;
    assert.ok(fromFile + playbooks > 0, `${name} adds nothing to the loaded set`);
  }
});

test('every code of the catalog has a playbook with a ladder (issue 14: not CAA20004 for all)', () => {
  for (const { code } of allCodes()) assert.ok(playbookForCode(code, set), `${code} has a playbook`);
  assert.equal(playbookForCode('CAA20004', set)?.id, 'caa20004');
  for (const p of set.playbooks) {
    assert.ok(p.ladder.length >= 5, `${p.id} ladder has ${p.ladder.length} steps`);
    assert.equal(step(p.ladder[0]).area, 'meaning', `${p.id} starts by explaining its code`);
  }
});

test('the network families reuse the shared steps by id instead of copying them', () => {
  const ladders = new Map(set.playbooks.map((p) => [p.id, p.ladder]));
  assert.ok(ladders.get('caa-name-resolution')?.includes('flush-dns-cache'));
  assert.ok(ladders.get('caa20004')?.includes('flush-dns-cache'));
  assert.ok(ladders.get('caa-proxy')?.includes('check-proxy-settings'));
  assert.ok(ladders.get('caa-certificate')?.includes('sync-clock'));
  assert.ok(ladders.get('caa-timeout')?.includes('check-port-443'));
});

test('no two steps carry the same instruction text (no copy-paste twins)', () => {
  const seen = new Map<string, string>();
  for (const s of set.steps.values()) {
    for (const [platform, text] of Object.entries(s.instructions)) {
      const key = text.trim();
      const other = seen.get(key);
      assert.equal(other, undefined, `${s.id}.${platform} repeats ${other}`);
      seen.set(key, `${s.id}.${platform}`);
    }
  }
});

/** [step, platform, text that must appear] from the seed's five areas and its corrections. */
const COMMANDS: Array<[string, Platform, string]> = [
  ['check-name-resolution', 'windows', 'nslookup login.microsoftonline.com'],
  ['check-name-resolution', 'windows', 'Resolve-DnsName'],
  ['check-name-resolution', 'macos', 'dig login.microsoftonline.com'],
  ['check-name-resolution', 'linux', 'dig login.microsoftonline.com'],
  ['flush-dns-cache', 'windows', 'ipconfig /flushdns'],
  ['flush-dns-cache', 'macos', 'sudo dscacheutil -flushcache; sudo killall -HUP mDNSResponder'],
  ['flush-dns-cache', 'linux', 'resolvectl flush-caches'],
  ['try-another-resolver', 'windows', 'nslookup login.microsoftonline.com 1.1.1.1'],
  ['try-another-resolver', 'linux', 'dig @1.1.1.1 login.microsoftonline.com'],
  ['check-port-443', 'windows', 'Test-NetConnection login.microsoftonline.com -Port 443'],
  ['check-proxy-settings', 'windows', 'netsh winhttp show proxy'],
  ['check-proxy-settings', 'macos', 'scutil --proxy'],
  ['admin-allow-teams-media-udp', 'any', 'UDP 3478, 3479, 3480 and 3481'],
  ['admin-allow-websocket', 'any', 'Upgrade: websocket'],
  ['admin-bypass-proxy-for-microsoft-365', 'any', 'PAC snippet'],
  ['remove-stored-credentials', 'windows', 'MicrosoftOffice16_Data:'],
  ['remove-stored-credentials', 'windows', 'Access work or school'],
  ['remove-stored-credentials', 'macos', 'Microsoft Teams Identities Cache'],
  ['clear-teams-cache', 'windows', '%appdata%\\Microsoft\\Teams'],
  ['clear-teams-cache', 'windows', 'MSTeams_8wekyb3d8bbwe\\LocalCache'],
  ['clear-teams-cache', 'macos', 'com.microsoft.teams2'],
  ['sync-clock', 'windows', 'w32tm /resync'],
  ['sync-clock', 'macos', 'sudo sntp -sS time.apple.com'],
  ['sync-clock', 'linux', 'timedatectl'],
  ['admin-bypass-tls-inspection', 'any', 'TLS-inspection bypass list'],
  ['check-device-registration', 'windows', 'dsregcmd /status'],
  ['register-device', 'macos', 'Company Portal'],
  [
    'reregister-broker-plugin',
    'windows',
    'Add-AppxPackage -Register "$env:windir\\SystemApps\\Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy\\Appxmanifest.xml" -DisableDevelopmentMode -ForceApplicationShutdown',
  ],
  ['check-service-health', 'any', 'Service health'],
  ['check-service-health', 'phone', 'status.cloud.microsoft'],
  ['caa20004-what-it-means', 'any', 'Conditional Access'],
];

test('each area carries its commands, per OS', () => {
  for (const [id, platform, text] of COMMANDS) {
    const markdown = step(id).instructions[platform];
    assert.ok(markdown?.includes(text), `${id}.${platform} should contain ${JSON.stringify(text)}`);
  }
});

test('agent actions sit on the steps whose fix they automate', () => {
  assert.equal(step('flush-dns-cache').action, 'flush_dns');
  assert.equal(step('clear-teams-cache').action, 'move_teams_cache');
  assert.equal(step('sync-clock').action, 'resync_clock');
  const withAction = [...set.steps.values()].filter((s) => s.action).map((s) => s.id);
  assert.deepEqual(withAction.sort(), ['clear-teams-cache', 'flush-dns-cache', 'sync-clock']);
});

test('user steps a phone-only user can act on or wait through say so', () => {
  for (const id of ['try-another-network', 'check-service-health', 'sync-clock', 'caa20004-what-it-means']) {
    assert.ok(step(id).instructions.phone, `${id} has phone instructions`);
  }
});
