/**
 * A loopback stand-in for Bot Framework's token issuer: an RSA signing key made at run time, its
 * JWKS published as OpenID metadata on 127.0.0.1, and a signer for channel→bot JWTs (RS256, with
 * the claims botbuilder's ChannelValidation checks: iss, aud, exp, nbf, serviceurl). Point the
 * bot's ToBotFromChannelOpenIdMetadataUrl / ToBotFromChannelTokenIssuer at `metadataUrl` / `issuer`.
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SignOptions {
  /** Header kid; default the published key's id. */
  kid?: string;
  /** Signing key; default the published key (pass `foreignKey` to forge). */
  key?: KeyObject;
}

export interface LabIssuer {
  metadataUrl: string;
  /** The `iss` the bot is told to trust. */
  issuer: string;
  keyId: string;
  /** A key the metadata does not publish: signs forgeries. */
  foreignKey: KeyObject;
  /** How many times the bot fetched the metadata document and the keys. */
  fetches: { metadata: number; keys: number };
  /** A compact JWS over `claims`. */
  sign(claims: Record<string, unknown>, options?: SignOptions): string;
  /** A valid channel token for `appId` and `serviceUrl`, `overrides` applied to the claims. */
  channelToken(
    appId: string,
    serviceUrl: string,
    overrides?: Record<string, unknown>,
    options?: SignOptions,
  ): string;
  close(): Promise<void>;
}

const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

function rsaKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** Starts the issuer; its keys carry Teams' endorsement, as Bot Framework's do. */
export async function startLabIssuer(): Promise<LabIssuer> {
  const published = rsaKey();
  const foreign = rsaKey();
  const keyId = 'lab-key-1';
  const issuer = 'https://api.botframework.lab';
  const fetches = { metadata: 0, keys: 0 };
  const jwk = published.publicKey.export({ format: 'jwk' });

  // writeHead and end stay separate: restify (in the same process) patches writeHead to return nothing.
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://issuer').pathname;
    const { port } = server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    if (path === '/.well-known/openid-configuration') {
      fetches.metadata++;
      const doc = { issuer, jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(doc));
    } else if (path === '/keys') {
      fetches.keys++;
      const keys = [
        { kty: 'RSA', use: 'sig', kid: keyId, n: jwk.n, e: jwk.e, endorsements: ['msteams', 'webchat'] },
      ];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys }));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const signJwt = (claims: Record<string, unknown>, options: SignOptions = {}) => {
    const header = { alg: 'RS256', typ: 'JWT', kid: options.kid ?? keyId };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(input), options.key ?? published.privateKey);
    return `${input}.${b64url(signature)}`;
  };

  return {
    metadataUrl: `http://127.0.0.1:${port}/.well-known/openid-configuration`,
    issuer,
    keyId,
    foreignKey: foreign.privateKey,
    fetches,
    sign: signJwt,
    channelToken(appId, serviceUrl, overrides = {}, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      return signJwt(
        { iss: issuer, aud: appId, serviceurl: serviceUrl, nbf: now - 60, exp: now + 3600, ...overrides },
        options,
      );
    },
    async close() {
      if (!server.listening) return;
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
