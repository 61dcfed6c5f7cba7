import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseBrokerPackage } from '../../probes/device/appx.ts';
import { parseDsregcmd } from '../../probes/device/dsregcmd.ts';
import { ParseError } from '../../probes/device/lines.ts';
import { parsePlatformSso } from '../../probes/device/platform-sso.ts';
import { fixture } from './context.ts';

function parseFails(parse: () => unknown, message: RegExp) {
  assert.throws(parse, (err: unknown) => err instanceof ParseError && message.test(err.message));
}

describe('dsregcmd /status', () => {
  test('an Entra-joined device with a fresh PRT (CRLF output)', () => {
    const s = parseDsregcmd(fixture('dsregcmd-entra-joined.txt'));
    assert.equal(s.azureAdJoined, true);
    assert.equal(s.enterpriseJoined, false);
    assert.equal(s.domainJoined, false);
    assert.equal(s.joinType, 'entra_joined');
    assert.equal(s.workplaceJoined, false);
    assert.equal(s.azureAdPrt, true);
    assert.equal(s.azureAdPrtUpdateTime, '2026-11-27T08:12:40.000Z');
    assert.equal(s.azureAdPrtExpiryTime, '2026-12-11T08:12:39.000Z');
    assert.equal(s.deviceAuthStatus, 'SUCCESS');
    assert.equal(s.deviceAuth, 'success');
    assert.equal(s.deviceId, '5a3c9d1e-7b2f-4e8a-9c61-2d4f8b0e7a13');
    assert.equal(s.tenantName, 'Contoso');
    assert.equal(s.tenantId, '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f');
    assert.equal(s.tpmProtected, true);
    assert.equal(s.enterprisePrt, false);
  });

  test('a hybrid-joined device', () => {
    const s = parseDsregcmd(fixture('dsregcmd-hybrid-joined.txt'));
    assert.equal(s.joinType, 'hybrid_joined');
    assert.equal(s.domainName, 'CONTOSO');
    assert.equal(s.enterprisePrt, true);
  });

  test('a joined device whose user has no PRT, with the last attempt', () => {
    const s = parseDsregcmd(fixture('dsregcmd-prt-missing.txt'));
    assert.equal(s.azureAdPrt, false);
    assert.equal(s.azureAdPrtUpdateTime, undefined);
    assert.equal(s.prtAttemptStatus, '0xc000006d');
    assert.match(s.prtServerError ?? '', /^AADSTS50126: Error validating credentials/);
  });

  test('a device Entra ID has disabled or deleted', () => {
    const s = parseDsregcmd(fixture('dsregcmd-device-auth-failed.txt'));
    assert.equal(s.azureAdJoined, true);
    assert.equal(s.deviceAuthStatus, 'FAILED. Device is either disabled or deleted.');
    assert.equal(s.deviceAuth, 'disabled_or_deleted');
  });

  test('not joined, workplace-joined only, domain-joined only', () => {
    const none = parseDsregcmd(fixture('dsregcmd-not-joined.txt'));
    assert.deepEqual([none.joinType, none.workplaceJoined, none.azureAdPrt], ['none', false, false]);
    const wpj = parseDsregcmd(fixture('dsregcmd-workplace-joined.txt'));
    assert.deepEqual([wpj.joinType, wpj.workplaceJoined], ['none', true]);
    const domain = parseDsregcmd(fixture('dsregcmd-domain-only.txt'));
    assert.deepEqual(
      [domain.joinType, domain.domainName, domain.workplaceJoined],
      ['domain_joined', 'CONTOSO', false],
    );
  });

  test('truncated, localized garbage and empty output are ParseErrors that say what is missing', () => {
    parseFails(
      () => parseDsregcmd(fixture('dsregcmd-truncated.txt')),
      /no "DomainJoined" line; the Device State section looks truncated/,
    );
    parseFails(
      () => parseDsregcmd(fixture('dsregcmd-truncated-sso.txt')),
      /ends before the SSO State section/,
    );
    parseFails(
      () => parseDsregcmd(fixture('dsregcmd-localized-garbage.txt')),
      /^dsregcmd \/status: no "AzureAdJoined" line/,
    );
    parseFails(() => parseDsregcmd(''), /output is empty/);
    parseFails(() => parseDsregcmd('  \r\n'), /output is empty/);
  });

  test('values that are not YES/NO or not a time are named', () => {
    const base = fixture('dsregcmd-entra-joined.txt');
    parseFails(
      () => parseDsregcmd(base.replace('AzureAdJoined : YES', 'AzureAdJoined : JA')),
      /AzureAdJoined is "JA"; expected YES or NO/,
    );
    parseFails(
      () => parseDsregcmd(base.replace('2026-11-27 08:12:40.000 UTC', '27.11.2026 08:12')),
      /AzureAdPrtUpdateTime is "27.11.2026 08:12"; expected a time like/,
    );
  });
});

describe('Get-AppxPackage Microsoft.AAD.BrokerPlugin', () => {
  test('a healthy broker', () => {
    assert.deepEqual(parseBrokerPackage(fixture('appx-broker-ok.txt')), {
      name: 'Microsoft.AAD.BrokerPlugin',
      version: '1000.26100.1.0',
      status: 'Ok',
      packageFullName: 'Microsoft.AAD.BrokerPlugin_1000.26100.1.0_neutral_neutral_cw5n1h2txyewy',
      installLocation: 'C:\\Windows\\SystemApps\\Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy',
    });
  });

  test('the default list view, with a value wrapped at the console width', () => {
    const pkg = parseBrokerPackage(fixture('appx-broker-default-format.txt'));
    assert.equal(pkg?.status, 'Ok');
    assert.equal(pkg?.version, '1000.19041.1.0');
  });

  test('a broker Windows flags, and a missing broker', () => {
    assert.equal(parseBrokerPackage(fixture('appx-broker-modified.txt'))?.status, 'Modified');
    assert.equal(parseBrokerPackage(fixture('appx-broker-missing.txt')), null);
    assert.equal(parseBrokerPackage(''), null);
  });

  test('truncated and localized garbage are ParseErrors', () => {
    parseFails(
      () => parseBrokerPackage(fixture('appx-broker-truncated.txt')),
      /has no "Status" value; it looks truncated/,
    );
    parseFails(
      () => parseBrokerPackage(fixture('appx-localized-garbage.txt')),
      /cannot read the line "Der Befehl/,
    );
    parseFails(() => parseBrokerPackage('Version : 1.0\nStatus : Ok\n'), /no "Name : …" line/);
  });
});

describe('app-sso platform -s', () => {
  test('a registered Mac with valid SSO tokens', () => {
    const s = parsePlatformSso(fixture('app-sso-registered.txt'));
    assert.equal(s.registrationCompleted, true);
    assert.equal(s.extensionIdentifier, 'com.microsoft.CompanyPortalMac.ssoextension');
    assert.equal(s.loginType, 'POLoginTypeSecureEnclaveKey (2)');
    assert.equal(s.userState, 'POUserStateNormal (0)');
    assert.equal(s.accountDisplayName, 'Microsoft Entra');
    assert.equal(s.device?.['loginFrequency'], 64800);
    assert.equal(s.device?.['AccountName'], undefined, 'nested fields are not top-level fields');
    assert.equal(s.login?.['federationPredicate'], "account_type = 'Federated'");
    assert.deepEqual(s.tokens, {
      received: '2026-11-27T08:17:44Z',
      expiration: '2026-12-11T08:17:43Z',
      expired: false,
    });
  });

  test('the macOS 13 plist style', () => {
    const s = parsePlatformSso(fixture('app-sso-ventura-plist.txt'));
    assert.equal(s.registrationCompleted, true);
    assert.equal(s.extensionIdentifier, 'com.microsoft.CompanyPortalMac.ssoextension');
    assert.equal(s.userState, 'POUserStateNormal (0)');
    assert.equal(s.tokens?.expired, false);
  });

  test('not configured, user not registered, registration incomplete, expired or no tokens', () => {
    const none = parsePlatformSso(fixture('app-sso-not-configured.txt'));
    assert.deepEqual(
      [none.device, none.login, none.user, none.registrationCompleted, none.tokens],
      [null, null, null, false, null],
    );
    const noUser = parsePlatformSso(fixture('app-sso-user-not-registered.txt'));
    assert.deepEqual([noUser.registrationCompleted, noUser.user], [true, null]);
    assert.equal(
      parsePlatformSso(fixture('app-sso-registration-incomplete.txt')).registrationCompleted,
      false,
    );
    assert.equal(parsePlatformSso(fixture('app-sso-tokens-expired.txt')).tokens?.expired, true);
    assert.equal(parsePlatformSso(fixture('app-sso-no-tokens.txt')).tokens, null);
  });

  test('truncated, foreign and empty output are ParseErrors', () => {
    parseFails(
      () => parsePlatformSso(fixture('app-sso-truncated.txt')),
      /the Device Configuration block never closes/,
    );
    parseFails(() => parsePlatformSso(fixture('app-sso-garbage.txt')), /no "Device Configuration:" section/);
    parseFails(() => parsePlatformSso(''), /output is empty/);
    parseFails(
      () => parsePlatformSso('Device Configuration:\n unavailable\n'),
      /starts with "unavailable"; expected "\{" or "\(null\)"/,
    );
  });
});
