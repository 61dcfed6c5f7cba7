/**
 * The download's file name carries the pairing code and the bot: what the bot writes reads back
 * the same, and the marks that browsers and file managers add to a name do not change it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ownPath } from '../../probes/agent/launch.ts';
import { launchStem, parseLaunchName } from '../../probes/agent/launch-name.ts';

const EXAMPLE = { code: '7K3M9QXT4H', server: 'https://reconnect.example.com' };

test('the stem written for a download reads back as the same code and server', () => {
  for (const server of [
    'https://reconnect.example.com',
    'https://bot.example.org:8443',
    'http://127.0.0.1:3978',
    'http://localhost:3978',
  ]) {
    const stem = launchStem('7k3m9-qxt4h', server);
    assert.deepEqual(parseLaunchName(`${stem}.exe`), { code: '7K3M9QXT4H', server });
    assert.deepEqual(parseLaunchName(stem), { code: '7K3M9QXT4H', server });
  }
  assert.equal(
    launchStem('7K3M9QXT4H', 'https://bot.example.org:8443'),
    'Reconnect-7K3M9-QXT4H@bot.example.org_8443',
  );
});

test('copy marks, case and Crockford confusables are read through', () => {
  const names = [
    'Reconnect-7K3M9-QXT4H@reconnect.example.com.exe',
    'Reconnect-7K3M9-QXT4H@reconnect.example.com (1).exe',
    'Reconnect-7K3M9-QXT4H@reconnect.example.com(2).exe',
    'Reconnect-7K3M9-QXT4H@reconnect.example.com-1.exe',
    'Reconnect-7K3M9-QXT4H@reconnect.example.com - Copy.exe',
    'Reconnect-7K3M9-QXT4H@reconnect.example.com copy',
    'Reconnect-7K3M9-QXT4H@reconnect.example.com copy 2',
    'reconnect-7k3m9-qxt4h@RECONNECT.EXAMPLE.COM.EXE',
    'C:\\Users\\sam\\Downloads\\Reconnect-7K3M9-QXT4H@reconnect.example.com (3).exe',
    '/Users/sam/Downloads/Reconnect-7K3M9-QXT4H@reconnect.example.com',
  ];
  for (const name of names) assert.deepEqual(parseLaunchName(name), EXAMPLE, name);
  // I and L read as 1, O as 0 (the code below has a 0 and a 1 in it).
  assert.deepEqual(parseLaunchName('Reconnect-7K3M9-QXTOL@reconnect.example.com.exe')?.code, '7K3M9QXT01');
  assert.deepEqual(parseLaunchName('Reconnect-7K3M9-QXT4H@127.0.0.1_3978 (1)'), {
    code: '7K3M9QXT4H',
    server: 'http://127.0.0.1:3978',
  });
  // An intranet host ending in "-1" keeps it: only a TLD, a port or an address ends before a copy mark.
  assert.equal(parseLaunchName('Reconnect-7K3M9-QXT4H@helpdesk-1.exe')?.server, 'https://helpdesk-1');
});

test('names that carry no code are not read as one', () => {
  for (const name of [
    'reconnect-agent.exe',
    'reconnect-agent.js',
    'reconnect-agent-linux-x64',
    'Reconnect-7K3M9@reconnect.example.com.exe',
    'Reconnect-7K3M9-QXT4U@reconnect.example.com.exe',
    'Reconnect-7K3M9-QXT4H@bad_host.example.com.exe',
    'Reconnect-7K3M9-QXT4H@reconnect.example.com_99999.exe',
  ])
    assert.equal(parseLaunchName(name), null, name);
});

test('what a name cannot carry is refused when the bot writes it', () => {
  assert.throws(() => launchStem('7K3M9QXT4H', 'http://reconnect.example.com'), /must be reached over https/);
  assert.throws(() => launchStem('7K3M9QXT4H', 'https://[2001:db8::1]'), /cannot be carried/);
  assert.throws(() => launchStem('7K3M9QXT4H', 'https://example.com/help'), /has a path/);
  assert.throws(() => launchStem('no code!', 'https://example.com'), /not a pairing code/);
});

test('the agent finds itself: the executable in a single executable, the script under node', () => {
  assert.equal(
    ownPath({ isSea: true, execPath: '/d/Reconnect-X.exe', argv: ['/d/Reconnect-X.exe', 'x'] }),
    '/d/Reconnect-X.exe',
  );
  assert.equal(
    ownPath({ isSea: false, execPath: '/usr/bin/node', argv: ['/usr/bin/node', '/d/Reconnect-Y'] }),
    '/d/Reconnect-Y',
  );
});
