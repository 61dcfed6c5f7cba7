import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { brokerTarget, probeBroker } from '../../probes/broker.ts';
import { probeDevice } from '../../probes/device.ts';
import { assertShape, type Calls, enoent, fakeRunner, fixture, options } from './context.ts';

const mac = { platform: 'darwin' } as const;
const ok = (name: string) => ({ stdout: fixture(name), code: 0 });
const withPortal = (present: boolean) => ({
  exists: async (path: string) => present && path === '/Applications/Company Portal.app',
});
const portalVersion = { '/usr/bin/defaults': { stdout: '5.2410.1\n', code: 0 } };

describe('macOS: device:registration and broker:platform-sso', () => {
  const run = (name: string | Error) =>
    fakeRunner({ '/usr/bin/app-sso': typeof name === 'string' ? ok(name) : name, ...portalVersion });

  test('a registered Mac passes both, with Company Portal’s version', async () => {
    const device = await probeDevice(
      mac,
      options({ run: run('app-sso-registered.txt'), ...withPortal(true) }),
    );
    assertShape(device, 'device:registration');
    assert.equal(device.status, 'pass');
    assert.equal(device.detail['platformSso'], 'registered');
    assert.deepEqual(device.detail['companyPortal'], { present: true, version: '5.2410.1' });
    const broker = await probeBroker(
      mac,
      options({ run: run('app-sso-registered.txt'), ...withPortal(true) }),
    );
    assertShape(broker, 'broker:platform-sso');
    assert.equal(broker.status, 'pass');
    assert.deepEqual(broker.detail['ssoTokens'], {
      received: '2026-11-27T08:17:44Z',
      expiration: '2026-12-11T08:17:43Z',
      expired: false,
    });
  });

  test('registration started but not finished fails as not registered', async () => {
    const noUser = await probeDevice(
      mac,
      options({ run: run('app-sso-user-not-registered.txt'), ...withPortal(true) }),
    );
    assert.equal(noUser.failure?.code, 'not_registered');
    assert.match(noUser.failure?.detail ?? '', /the user has not registered/);
    const incomplete = await probeDevice(
      mac,
      options({ run: run('app-sso-registration-incomplete.txt'), ...withPortal(true) }),
    );
    assert.equal(incomplete.status, 'fail');
    assert.match(incomplete.failure?.detail ?? '', /device registration has not completed/);
  });

  test('no Platform SSO: a warning with Company Portal installed, a failure without it', async () => {
    const withCp = await probeDevice(
      mac,
      options({ run: run('app-sso-not-configured.txt'), ...withPortal(true) }),
    );
    assert.equal(withCp.status, 'warn');
    assert.equal(withCp.failure?.code, 'not_registered');
    const without = await probeDevice(
      mac,
      options({ run: run('app-sso-not-configured.txt'), ...withPortal(false) }),
    );
    assert.equal(without.status, 'fail');
    assert.deepEqual(without.detail['companyPortal'], { present: false, version: null });
  });

  test('the broker fails without Company Portal, or with expired or missing SSO tokens', async () => {
    const missing = await probeBroker(
      mac,
      options({ run: run('app-sso-registered.txt'), ...withPortal(false) }),
    );
    assert.equal(missing.failure?.code, 'broker_missing');
    const expired = await probeBroker(
      mac,
      options({ run: run('app-sso-tokens-expired.txt'), ...withPortal(true) }),
    );
    assert.equal(expired.failure?.code, 'sso_token_missing');
    assert.match(expired.failure?.detail ?? '', /expired on 2026-11-13T08:17:43Z/);
    const none = await probeBroker(mac, options({ run: run('app-sso-no-tokens.txt'), ...withPortal(true) }));
    assert.match(none.failure?.detail ?? '', /SSO tokens are missing/);
  });

  test('without app-sso (before macOS 13) registration is skipped and the broker judged by Company Portal', async () => {
    const device = await probeDevice(
      mac,
      options({ run: run(enoent('/usr/bin/app-sso')), ...withPortal(true) }),
    );
    assert.equal(device.status, 'skipped');
    assert.equal(device.failure?.code, 'not_applicable');
    const broker = await probeBroker(
      mac,
      options({ run: run(enoent('/usr/bin/app-sso')), ...withPortal(true) }),
    );
    assert.equal(broker.status, 'pass');
    assert.equal(broker.detail['platformSso'], 'unavailable');
  });

  test('unreadable app-sso output is an error on both probes', async () => {
    for (const probe of [probeDevice, probeBroker]) {
      const r = await probe(mac, options({ run: run('app-sso-garbage.txt'), ...withPortal(true) }));
      assert.equal(r.status, 'error');
      assert.equal(r.failure?.code, 'parse_error');
      assert.match(r.failure?.detail ?? '', /^app-sso platform -s: /);
    }
  });
});

describe('other platforms', () => {
  test('Linux skips both probes as not applicable and runs nothing', async () => {
    const calls: Calls = { list: [] };
    for (const probe of [probeDevice, probeBroker]) {
      const r = await probe(
        { platform: 'linux' },
        options({ run: fakeRunner({}, calls), exists: async () => true }),
      );
      assert.equal(r.status, 'skipped');
      assert.equal(r.failure?.code, 'not_applicable');
    }
    assert.equal(calls.list.length, 0);
    assert.equal(brokerTarget('linux'), 'wam');
    assert.equal(brokerTarget('darwin'), 'platform-sso');
  });
});
