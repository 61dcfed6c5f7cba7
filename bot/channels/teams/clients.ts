/**
 * Bot Framework authentication whose outbound clients live as long as the process. For every
 * inbound activity, botbuilder's CloudAdapter builds a new ConnectorClient (credentials plus an
 * Azure SDK request pipeline) and a new UserTokenClient; building them was about a seventh of a
 * whole Teams turn in bench:turns. Azure SDK clients are made to be reused and their credentials
 * cache tokens, so this keeps one ConnectorClient per (bot app id, service URL, audience) and one
 * UserTokenClient per app id. Authentication itself is unchanged: every request is still
 * validated by botbuilder before a client is handed out.
 *
 * The clients are shared between turns, so code in a turn must not reconfigure the turn's
 * ConnectorClient (its pipeline, its credentials). Proactive turns (continueConversationAsync)
 * build their own, as before.
 */
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';

type AuthResult = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;
type Factory = NonNullable<AuthResult['connectorFactory']>;
type Claims = Parameters<ConfigurationBotFrameworkAuthentication['createUserTokenClient']>[0];
type Client = Awaited<ReturnType<Factory['create']>>;
type TokenClient = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['createUserTokenClient']>>;

/**
 * Clients kept per kind. Teams serves a bot from a handful of regional service URLs; with
 * authentication off (development) a request may name any URL, so the cache is bounded.
 */
const MAX_CLIENTS = 64;

/** The bot's app id as botbuilder's ParameterizedBotFrameworkAuthentication derives it. */
function appIdOf(claims: Claims): string {
  return claims.getClaimValue('aud') ?? claims.getClaimValue('appid') ?? '';
}

/** The cached promise for `key`, made by `make` when missing; a failed one is forgotten. */
function remember<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  const known = cache.get(key);
  if (known) return known;
  if (cache.size >= MAX_CLIENTS) cache.delete(cache.keys().next().value as string);
  const made = make();
  cache.set(key, made);
  made.catch(() => {
    if (cache.get(key) === made) cache.delete(key);
  });
  return made;
}

export class ReusingBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
  readonly #clients = new Map<string, Promise<Client>>();
  readonly #tokenClients = new Map<string, Promise<TokenClient>>();

  override async authenticateRequest(
    ...args: Parameters<ConfigurationBotFrameworkAuthentication['authenticateRequest']>
  ): Promise<AuthResult> {
    const result = await super.authenticateRequest(...args);
    const factory = result.connectorFactory;
    if (!factory) return result;
    const appId = appIdOf(result.claimsIdentity);
    const reusing = {
      create: (serviceUrl: string, audience?: string) =>
        remember(this.#clients, `${appId} ${serviceUrl} ${audience ?? ''}`, () =>
          factory.create(serviceUrl, audience),
        ),
    };
    return { ...result, connectorFactory: reusing as Factory };
  }

  override createUserTokenClient(claims: Claims): Promise<TokenClient> {
    return remember(this.#tokenClients, appIdOf(claims), () => super.createUserTokenClient(claims));
  }
}
