/**
 * Outbound credentials for tests: botbuilder asks this factory for the bearer token it puts on
 * replies, and it fetches one from the local connector's token endpoint with the client
 * credentials grant, as MSAL would from Entra ID. Production uses botbuilder's own factory
 * (MSAL), which must never run in a test: it contacts login.microsoftonline.com.
 */
import type { CredentialsFactory } from '../../bot/channels/teams/index.ts';

export interface LabCredentialsOptions {
  appId: string;
  password: string;
  /** The token endpoint, e.g. `${connector.url}botframework.com/oauth2/v2.0/token`. */
  tokenUrl: string;
}

/** A ServiceClientCredentialsFactory whose tokens come from the lab connector. */
export function labCredentials(options: LabCredentialsOptions): CredentialsFactory {
  let cached: { token: string; until: number } | undefined;
  const token = async (scope: string): Promise<string> => {
    if (cached && cached.until > Date.now()) return cached.token;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: options.appId,
      client_secret: options.password,
      scope: `${scope}/.default`,
    });
    const res = await fetch(options.tokenUrl, { method: 'POST', body: form });
    if (!res.ok) throw new Error(`lab credentials: token endpoint answered ${res.status}`);
    const body = (await res.json()) as { access_token: string; expires_in: number };
    cached = { token: body.access_token, until: Date.now() + (body.expires_in - 300) * 1000 };
    return body.access_token;
  };
  return {
    isValidAppId: async (appId: string) => appId === options.appId,
    isAuthenticationDisabled: async () => false,
    createCredentials: async (appId: string, audience: string | undefined) => {
      if (appId !== options.appId) throw new Error(`lab credentials: unknown app id ${appId}`);
      return {
        async signRequest(request) {
          request.headers.set(
            'authorization',
            `Bearer ${await token(audience ?? 'https://api.botframework.com')}`,
          );
          return request;
        },
      };
    },
  };
}
