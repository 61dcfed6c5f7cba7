/**
 * Verdicts on parsed device state: pure functions from what the commands printed to a probe
 * status, a typed failure and the detail the report carries. Kept apart from the command
 * running so every branch is tested without a Windows or macOS machine.
 */
import type { FailureCode, ProbeStatus } from '../types.ts';
import { type AppxPackage, BROKER_PACKAGE } from './appx.ts';
import type { DsregStatus, JoinType } from './dsregcmd.ts';
import type { PlatformSsoState, SsoTokens } from './platform-sso.ts';

export interface Assessment<D> {
  status: ProbeStatus;
  detail: D;
  failure?: { code: FailureCode; detail: string };
}

/**
 * Microsoft Learn (troubleshoot hybrid join, post-join): "If the AzureAdPrtUpdateTime is more
 * than 4 hours, there is likely an issue refreshing PRT."
 */
export const PRT_STALE_MS = 4 * 3600_000;

export interface WindowsDeviceDetail {
  platform: 'win32';
  joinType: JoinType;
  azureAdJoined: boolean;
  enterpriseJoined: boolean;
  domainJoined: boolean;
  workplaceJoined: boolean | null;
  azureAdPrt: boolean | null;
  azureAdPrtUpdateTime: string | null;
  prtAgeHours: number | null;
  deviceAuthStatus: string | null;
  tenantName: string | null;
  tenantId: string | null;
  deviceId: string | null;
}

export function assessDsreg(s: DsregStatus, now: number): Assessment<WindowsDeviceDetail> {
  const updated = s.azureAdPrtUpdateTime ? Date.parse(s.azureAdPrtUpdateTime) : undefined;
  const ageMs = updated === undefined ? undefined : now - updated;
  const detail: WindowsDeviceDetail = {
    platform: 'win32',
    joinType: s.joinType,
    azureAdJoined: s.azureAdJoined,
    enterpriseJoined: s.enterpriseJoined,
    domainJoined: s.domainJoined,
    workplaceJoined: s.workplaceJoined ?? null,
    azureAdPrt: s.azureAdPrt ?? null,
    azureAdPrtUpdateTime: s.azureAdPrtUpdateTime ?? null,
    prtAgeHours: ageMs === undefined ? null : Math.round(ageMs / 360_000) / 10,
    deviceAuthStatus: s.deviceAuthStatus ?? null,
    tenantName: s.tenantName ?? null,
    tenantId: s.tenantId ?? null,
    deviceId: s.deviceId ?? null,
  };
  if (!s.azureAdJoined && !s.workplaceJoined) {
    const what = s.domainJoined ? 'joined to an on-premises domain only' : 'not joined to any directory';
    return fail(
      detail,
      'not_registered',
      `This device is ${what}: it is neither Entra-joined, hybrid-joined nor Entra-registered.`,
    );
  }
  if (s.deviceAuth === 'disabled_or_deleted') {
    return fail(
      detail,
      'device_auth_failed',
      `Entra ID no longer accepts this device: DeviceAuthStatus is "${s.deviceAuthStatus}".`,
    );
  }
  if (s.azureAdJoined && s.azureAdPrt === false) {
    const why = s.prtServerError ? ` (last attempt: ${s.prtServerError})` : '';
    return fail(
      detail,
      'sso_token_missing',
      `The device is joined but the signed-in user has no Primary Refresh Token${why}.`,
    );
  }
  if (s.azureAdJoined && ageMs !== undefined && ageMs > PRT_STALE_MS) {
    return {
      status: 'warn',
      detail,
      failure: {
        code: 'sso_token_stale',
        detail: `The Primary Refresh Token was last renewed ${detail.prtAgeHours} hours ago (more than 4): renewing it is failing.`,
      },
    };
  }
  return { status: 'pass', detail };
}

export interface WindowsBrokerDetail {
  platform: 'win32';
  package: string;
  present: boolean;
  version: string | null;
  status: string | null;
  packageFullName: string | null;
}

export function assessWam(pkg: AppxPackage | null): Assessment<WindowsBrokerDetail> {
  const detail: WindowsBrokerDetail = {
    platform: 'win32',
    package: BROKER_PACKAGE,
    present: pkg !== null,
    version: pkg?.version ?? null,
    status: pkg?.status ?? null,
    packageFullName: pkg?.packageFullName ?? null,
  };
  if (!pkg)
    return fail(
      detail,
      'broker_missing',
      `The sign-in broker ${BROKER_PACKAGE} is not installed for this user.`,
    );
  if (pkg.status !== 'Ok') {
    return fail(
      detail,
      'broker_unhealthy',
      `The sign-in broker ${BROKER_PACKAGE} ${pkg.version} has status "${pkg.status}" (expected Ok).`,
    );
  }
  return { status: 'pass', detail };
}

export type PlatformSsoRegistration = 'registered' | 'registration_incomplete' | 'not_configured';

export interface CompanyPortal {
  present: boolean;
  version: string | null;
}

export interface MacDeviceDetail {
  platform: 'darwin';
  platformSso: PlatformSsoRegistration;
  registrationCompleted: boolean;
  userRegistered: boolean;
  userState: string | null;
  loginType: string | null;
  extensionIdentifier: string | null;
  accountDisplayName: string | null;
  companyPortal: CompanyPortal;
}

export function platformSsoRegistration(state: PlatformSsoState): PlatformSsoRegistration {
  if (!state.device) return 'not_configured';
  return state.registrationCompleted && state.user ? 'registered' : 'registration_incomplete';
}

export function assessMacDevice(state: PlatformSsoState, portal: CompanyPortal): Assessment<MacDeviceDetail> {
  const registration = platformSsoRegistration(state);
  const detail: MacDeviceDetail = {
    platform: 'darwin',
    platformSso: registration,
    registrationCompleted: state.registrationCompleted,
    userRegistered: state.user !== null,
    userState: state.userState ?? null,
    loginType: state.loginType ?? null,
    extensionIdentifier: state.extensionIdentifier ?? null,
    accountDisplayName: state.accountDisplayName ?? null,
    companyPortal: portal,
  };
  if (registration === 'registered') return { status: 'pass', detail };
  if (registration === 'registration_incomplete') {
    const step = state.registrationCompleted
      ? 'the user has not registered'
      : 'device registration has not completed';
    return fail(detail, 'not_registered', `Platform SSO is set up on this Mac but ${step}.`);
  }
  if (portal.present) {
    // A Company Portal registration made without Platform SSO is not visible to app-sso: do not call it a failure.
    return {
      status: 'warn',
      detail,
      failure: {
        code: 'not_registered',
        detail:
          'Platform SSO is not set up on this Mac; a Company Portal registration without it cannot be confirmed by this check.',
      },
    };
  }
  return fail(
    detail,
    'not_registered',
    'Platform SSO is not set up and Company Portal is not installed: this Mac is not registered with Entra ID.',
  );
}

export interface MacBrokerDetail {
  platform: 'darwin';
  companyPortal: CompanyPortal;
  platformSso: PlatformSsoRegistration | 'unavailable';
  extensionIdentifier: string | null;
  ssoTokens: SsoTokens | null;
}

/** `state` is null where app-sso does not exist (macOS 12 and earlier). */
export function assessMacBroker(
  state: PlatformSsoState | null,
  portal: CompanyPortal,
): Assessment<MacBrokerDetail> {
  const registration = state ? platformSsoRegistration(state) : 'unavailable';
  const detail: MacBrokerDetail = {
    platform: 'darwin',
    companyPortal: portal,
    platformSso: registration,
    extensionIdentifier: state?.extensionIdentifier ?? null,
    ssoTokens: state?.tokens ?? null,
  };
  if (!portal.present) {
    return fail(
      detail,
      'broker_missing',
      "Company Portal, which carries Microsoft's Enterprise SSO extension, is not installed.",
    );
  }
  if (registration === 'registered' && (!state?.tokens || state.tokens.expired === true)) {
    const what = state?.tokens ? `expired on ${state.tokens.expiration}` : 'missing';
    return fail(detail, 'sso_token_missing', `Platform SSO is registered but its SSO tokens are ${what}.`);
  }
  return { status: 'pass', detail };
}

function fail<D>(detail: D, code: FailureCode, text: string): Assessment<D> {
  return { status: 'fail', detail, failure: { code, detail: text } };
}
