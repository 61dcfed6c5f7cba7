/**
 * The action plans as data: per OS, executables with argument lists (never a shell string),
 * full system paths on Windows and macOS, and cache moves that go beside the original into a
 * dated backup. Token stores are never in a plan.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AGENT_ACTIONS } from '../../bot/playbooks/types.ts';
import {
  backupStamp,
  describeStep,
  planAction,
  restoreCommand,
  UnsupportedPlatformError,
} from '../../probes/actions/plan.ts';
import { ACTIONS, type ActionStep } from '../../probes/actions/types.ts';

const NOW = Date.UTC(2026, 10, 27, 22, 30, 5);
const WIN = {
  platform: 'win32' as const,
  home: 'C:\\Users\\alice',
  folders: {
    appData: 'C:\\Users\\alice\\AppData\\Roaming',
    localAppData: 'C:\\Users\\alice\\AppData\\Local',
  },
  systemRoot: 'C:\\Windows',
  now: NOW,
};
const MAC = { platform: 'darwin' as const, home: '/Users/alice', now: NOW };
const LINUX = { platform: 'linux' as const, home: '/home/alice', now: NOW };

const execs = (steps: ActionStep[]) => steps.filter((s) => s.type === 'exec').map((s) => [s.file, ...s.args]);

describe('action plans', () => {
  test("the agent's allow-list is the playbooks' list", () => {
    assert.deepEqual([...ACTIONS], [...AGENT_ACTIONS]);
  });

  test('Windows: ipconfig and w32tm by full path, argument lists', () => {
    assert.deepEqual(execs(planAction('flush_dns', WIN).steps), [
      ['C:\\Windows\\System32\\ipconfig.exe', '/flushdns'],
    ]);
    const clock = planAction('resync_clock', WIN);
    assert.deepEqual(execs(clock.steps), [['C:\\Windows\\System32\\w32tm.exe', '/resync']]);
    assert.ok(clock.notes.some((n) => n.includes('Run as administrator')));
  });

  test('macOS: dscacheutil, killall -HUP mDNSResponder, sntp', () => {
    assert.deepEqual(execs(planAction('flush_dns', MAC).steps), [
      ['/usr/bin/dscacheutil', '-flushcache'],
      ['/usr/bin/killall', '-HUP', 'mDNSResponder'],
    ]);
    assert.deepEqual(execs(planAction('resync_clock', MAC).steps), [
      ['/usr/bin/sntp', '-sS', 'time.apple.com'],
    ]);
  });

  test('Linux: resolvectl and timedatectl', () => {
    assert.deepEqual(execs(planAction('flush_dns', LINUX).steps), [['resolvectl', 'flush-caches']]);
    assert.deepEqual(execs(planAction('resync_clock', LINUX).steps), [['timedatectl', 'set-ntp', 'true']]);
  });

  test('Windows cache moves: classic and new Teams under APPDATA/LOCALAPPDATA, beside the original', () => {
    const plan = planAction('move_teams_cache', WIN);
    assert.deepEqual(
      plan.steps.map((s) => (s.type === 'move' ? [s.locationId, s.from, s.to] : [])),
      [
        [
          'teams-classic',
          'C:\\Users\\alice\\AppData\\Roaming\\Microsoft\\Teams',
          'C:\\Users\\alice\\AppData\\Roaming\\Microsoft\\Teams.reconnect-backup-20261127-223005',
        ],
        [
          'teams-new',
          'C:\\Users\\alice\\AppData\\Local\\Packages\\MSTeams_8wekyb3d8bbwe\\LocalCache\\Microsoft\\MSTeams',
          'C:\\Users\\alice\\AppData\\Local\\Packages\\MSTeams_8wekyb3d8bbwe\\LocalCache\\Microsoft\\MSTeams.reconnect-backup-20261127-223005',
        ],
      ],
    );
    assert.ok(plan.notes.some((n) => n.includes('Quit Teams')));
  });

  test('macOS cache moves cover classic and new Teams, never the keychain or OneAuth', () => {
    const ids = planAction('move_teams_cache', MAC).steps.map((s) =>
      s.type === 'move' ? s.locationId : s.label,
    );
    assert.deepEqual(ids, ['teams-classic', 'teams-classic-caches', 'teams-new', 'teams-new-group']);
  });

  test('Linux cache moves never touch the keyring', () => {
    const steps = planAction('move_teams_cache', LINUX).steps;
    assert.ok(steps.length >= 2);
    assert.ok(steps.every((s) => s.type === 'move' && !s.from.includes('keyrings')));
  });

  test('restore commands quote for the shell they are pasted into', () => {
    assert.equal(
      restoreCommand('linux', "/home/a/it's", "/home/a/it's.bak"),
      "mv '/home/a/it'\\''s.bak' '/home/a/it'\\''s'",
    );
    assert.equal(
      restoreCommand('windows', "C:\\a'b", "C:\\a'b.bak"),
      "Move-Item -LiteralPath 'C:\\a''b.bak' -Destination 'C:\\a''b'",
    );
    assert.equal(backupStamp(NOW), '20261127-223005');
    assert.equal(
      describeStep('macos', planAction('flush_dns', MAC).steps[1]),
      'Make mDNSResponder drop its DNS cache: /usr/bin/killall -HUP mDNSResponder (administrator)',
    );
  });

  test('an OS without a plan is refused by name', () => {
    assert.throws(() => planAction('flush_dns', { ...LINUX, platform: 'aix' }), UnsupportedPlatformError);
  });
});
