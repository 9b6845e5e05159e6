/**
 * Microsoft's Bot Framework sign-in metadata, faked on loopback: the OpenID configuration
 * (`/v1/.well-known/openidconfiguration`) and its signing keys (`/keys`, one RSA key endorsed for
 * msteams), and tokens signed with that key as the Bot Framework channel signs them (RS256; issuer
 * https://api.botframework.com, audience the bot's app id, the activity's service URL in
 * `serviceurl`). A bot whose CloudAdapter reads its metadata here verifies these tokens for real.
 */
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSignIn {
  /** The OpenID metadata address (the CloudAdapter's ToBotFromChannelOpenIdMetadataUrl). */
  metadataUrl: string;
  /** A channel token for `appId` and `serviceUrl`, valid for an hour: the Authorization header's value. */
  bearer(appId: string, serviceUrl: string): string;
  /** How many times the metadata and the keys were fetched. */
  fetches: { metadata: number; keys: number };
  close(): Promise<void>;
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

export async function startFakeSignIn(): Promise<FakeSignIn> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = publicKey.export({ format: 'jwk' });
  const fetches = { metadata: 0, keys: 0 };
  let base = '';
  const server: Server = createServer((req, res) => {
    const send = (body: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.url === '/v1/.well-known/openidconfiguration') {
      fetches.metadata++;
      return send({
        issuer: 'https://api.botframework.com',
        authorization_endpoint: `${base}/v1/auth`,
        jwks_uri: `${base}/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
    }
    if (req.url === '/keys') {
      fetches.keys++;
      return send({ keys: [{ kty: 'RSA', use: 'sig', kid, n: jwk.n, e: jwk.e, endorsements: ['msteams'] }] });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    metadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    bearer: (appId, serviceUrl) => {
      const now = Math.floor(Date.now() / 1000);
      const unsigned = `${b64({ alg: 'RS256', typ: 'JWT', kid, x5t: kid })}.${b64({
        iss: 'https://api.botframework.com',
        aud: appId,
        serviceurl: serviceUrl,
        nbf: now - 60,
        iat: now - 60,
        exp: now + 3600,
      })}`;
      const signature = createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url');
      return `Bearer ${unsigned}.${signature}`;
    },
    fetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
