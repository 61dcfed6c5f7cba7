import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BROKER_QUERY, probeBroker } from '../../probes/broker.ts';
import { APP_SSO } from '../../probes/device/macos.ts';
import { DSREGCMD, probeDevice } from '../../probes/device.ts';
import { assertShape, type Calls, enoent, fakeRunner, fixture, NOW, options } from './context.ts';

const win = { platform: 'win32' } as const;
const ok = (name: string) => ({ stdout: fixture(name), code: 0 });

describe('device:registration on Windows (dsregcmd /status)', () => {
  async function device(name: string, now = NOW) {
    const calls: Calls = { list: [] };
    const result = await probeDevice(
      win,
      options({ run: fakeRunner({ 'dsregcmd.exe': ok(name) }, calls) }, now),
    );
    assertShape(result, 'device:registration');
    assert.deepEqual(calls.list, [{ cmd: 'dsregcmd.exe', args: ['/status'] }]);
    return result;
  }

  test('Entra-joined with a fresh PRT passes', async () => {
    const r = await device('dsregcmd-entra-joined.txt');
    assert.equal(r.status, 'pass');
    assert.equal(r.kind, 'device');
    assert.equal(r.detail['joinType'], 'entra_joined');
    assert.equal(r.detail['azureAdPrt'], true);
    assert.equal(r.detail['prtAgeHours'], 1.8);
    assert.equal(r.failure, undefined);
  });

  test('hybrid-joined and workplace-joined (Entra-registered) devices pass', async () => {
    assert.equal((await device('dsregcmd-hybrid-joined.txt')).status, 'pass');
    const wpj = await device('dsregcmd-workplace-joined.txt');
    assert.equal(wpj.status, 'pass');
    assert.equal(wpj.detail['workplaceJoined'], true);
  });

  test('a device joined to nothing fails as not registered, with the state in detail', async () => {
    const r = await device('dsregcmd-not-joined.txt');
    assert.equal(r.status, 'fail');
    assert.equal(r.failure?.code, 'not_registered');
    assert.match(r.failure?.detail ?? '', /not joined to any directory/);
    assert.equal(r.detail['azureAdJoined'], false);
    assert.equal(r.detail['workplaceJoined'], false);
    assert.equal(r.detail['azureAdPrt'], false);
    assert.equal(r.detail['deviceAuthStatus'], null);
  });

  test('a device joined only to an on-premises domain fails as not registered', async () => {
    const r = await device('dsregcmd-domain-only.txt');
    assert.equal(r.failure?.code, 'not_registered');
    assert.match(r.failure?.detail ?? '', /on-premises domain only/);
    assert.equal(r.detail['joinType'], 'domain_joined');
  });

  test('a joined device without a PRT fails with the last attempt’s error', async () => {
    const r = await device('dsregcmd-prt-missing.txt');
    assert.equal(r.status, 'fail');
    assert.equal(r.failure?.code, 'sso_token_missing');
    assert.match(r.failure?.detail ?? '', /AADSTS50126/);
  });

  test('a device Entra ID disabled or deleted fails on device authentication', async () => {
    const r = await device('dsregcmd-device-auth-failed.txt');
    assert.equal(r.failure?.code, 'device_auth_failed');
    assert.equal(r.detail['deviceAuthStatus'], 'FAILED. Device is either disabled or deleted.');
  });

  test('a PRT not renewed for more than 4 hours is a warning', async () => {
    const r = await device('dsregcmd-entra-joined.txt', Date.parse('2026-11-28T08:12:40Z'));
    assert.equal(r.status, 'warn');
    assert.equal(r.failure?.code, 'sso_token_stale');
    assert.equal(r.detail['prtAgeHours'], 24);
    assert.equal(
      (await device('dsregcmd-entra-joined.txt', Date.parse('2026-11-27T12:12:00Z'))).status,
      'pass',
    );
  });

  test('unreadable output is an error with parse_error, never a verdict', async () => {
    for (const name of [
      'dsregcmd-truncated.txt',
      'dsregcmd-truncated-sso.txt',
      'dsregcmd-localized-garbage.txt',
    ]) {
      const r = await device(name);
      assert.equal(r.status, 'error', name);
      assert.equal(r.failure?.code, 'parse_error');
      assert.equal(r.error?.code, 'parse_error');
      assert.match(r.failure?.detail ?? '', /^dsregcmd \/status: /);
    }
    const empty = await probeDevice(
      win,
      options({ run: fakeRunner({ 'dsregcmd.exe': { stdout: '', code: 0 } }) }),
    );
    assert.equal(empty.failure?.code, 'parse_error');
    const failed = await probeDevice(
      win,
      options({ run: fakeRunner({ 'dsregcmd.exe': { stdout: 'Zugriff verweigert', code: 5 } }) }),
    );
    assert.match(failed.failure?.detail ?? '', /\(exit status 5\)$/);
  });

  test('a missing dsregcmd is an error naming the command', async () => {
    const r = await probeDevice(
      win,
      options({ run: fakeRunner({ 'dsregcmd.exe': enoent('dsregcmd.exe') }) }),
    );
    assert.equal(r.status, 'error');
    assert.equal(r.failure?.code, 'internal');
    assert.equal(r.error?.code, 'ENOENT');
    assert.match(r.error?.message ?? '', /dsregcmd\.exe \/status: command not found/);
  });

  test('a command still running at the deadline is a timeout', async () => {
    const controller = new AbortController();
    const hung = async () => {
      controller.abort();
      return new Promise<never>(() => {});
    };
    const r = await probeDevice(win, options({ run: hung }, NOW, controller.signal));
    assert.equal(r.status, 'fail');
    assert.equal(r.failure?.code, 'timeout');
    assert.equal(r.failure?.phase, 'setup');
    const calls: Calls = { list: [] };
    const late = await probeDevice(win, options({ run: fakeRunner({}, calls) }, NOW, AbortSignal.abort()));
    assert.equal(late.failure?.code, 'timeout');
    assert.equal(calls.list.length, 0, 'no command starts after the deadline');
  });
});

describe('broker:wam on Windows (Get-AppxPackage)', () => {
  async function broker(stdout: string, code = 0) {
    const calls: Calls = { list: [] };
    const result = await probeBroker(
      win,
      options({ run: fakeRunner({ 'powershell.exe': { stdout, code } }, calls) }),
    );
    assertShape(result, 'broker:wam');
    assert.deepEqual(calls.list, [{ cmd: BROKER_QUERY.cmd, args: BROKER_QUERY.args }]);
    return result;
  }

  test('the commands are argument lists, not shell strings', () => {
    assert.deepEqual(BROKER_QUERY.args.slice(0, 3), ['-NoProfile', '-NonInteractive', '-Command']);
    assert.match(BROKER_QUERY.args[3], /^Get-AppxPackage -Name Microsoft\.AAD\.BrokerPlugin \|/);
    assert.deepEqual(DSREGCMD, { cmd: 'dsregcmd.exe', args: ['/status'] });
    assert.deepEqual(APP_SSO, { cmd: '/usr/bin/app-sso', args: ['platform', '-s'] });
  });

  test('a healthy broker passes', async () => {
    const r = await broker(fixture('appx-broker-ok.txt'));
    assert.equal(r.status, 'pass');
    assert.equal(r.kind, 'broker');
    assert.equal(r.detail['version'], '1000.26100.1.0');
    assert.equal(r.detail['present'], true);
  });

  test('a missing broker fails as broker_missing', async () => {
    const r = await broker(fixture('appx-broker-missing.txt'));
    assert.equal(r.status, 'fail');
    assert.equal(r.failure?.code, 'broker_missing');
    assert.equal(r.detail['present'], false);
  });

  test('a broker with a status other than Ok fails as broker_unhealthy', async () => {
    const r = await broker(fixture('appx-broker-modified.txt'));
    assert.equal(r.failure?.code, 'broker_unhealthy');
    assert.match(r.failure?.detail ?? '', /status "Modified" \(expected Ok\)/);
  });

  test('unreadable output is an error, and so is PowerShell failing silently', async () => {
    assert.equal((await broker(fixture('appx-broker-truncated.txt'))).failure?.code, 'parse_error');
    assert.equal((await broker(fixture('appx-localized-garbage.txt'))).status, 'error');
    const silent = await broker('', 1);
    assert.equal(silent.status, 'error');
    assert.equal(silent.failure?.code, 'internal');
    assert.match(silent.failure?.detail ?? '', /exited with code 1/);
  });
});
