/**
 * Connecting to Azure Cosmos DB from configuration (src/store/cosmos/client.ts), against the
 * loopback Cosmos DB: with the account key as before, and with no key, signing in with Microsoft
 * Entra ID (in Azure, the app's managed identity; here a stand-in credential that hands out a
 * token), as manifests/azure/azuredeploy.json deploys it (the account's keys turned off).
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { StoreError } from '../../src/app/store/repository';
import { cosmosClientFrom, CosmosRepository } from '../../src/store/cosmos/cosmos-repository';
import { cosmosServer } from '../fakes/cosmos-server';

const server = cosmosServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

/** Microsoft Entra ID's side: a token for whatever scope is asked, each request recorded. */
class TokenGiver implements TokenCredential {
  readonly scopes: string[] = [];
  getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    return Promise.resolve({ token: 'entra-token-for-the-bot', expiresOnTimestamp: Date.now() + 3_600_000 });
  }
}

async function roundTrip(client: ReturnType<typeof cosmosClientFrom>, databaseId: string): Promise<string[]> {
  const repo = await CosmosRepository.open({ client, databaseId, ownsClient: true });
  try {
    return await repo.allReferences();
  } finally {
    await repo.close();
  }
}

test('with the account key: signed with the key, as before', async () => {
  const from = server.authorizations.length;
  const client = cosmosClientFrom({ endpoint: server.endpoint(), key: 'dGVzdA==', insecureTls: true });
  await expect(roundTrip(client, 'by-key')).resolves.toEqual([]);
  const sent = server.authorizations.slice(from);
  expect(sent.length).toBeGreaterThan(0);
  expect(sent.every((a) => a.startsWith('type=master&ver=1.0&sig='))).toBe(true);
});

test('with no key: Microsoft Entra ID tokens, for a scope of Cosmos DB’s, and no key anywhere', async () => {
  const from = server.authorizations.length;
  const credential = new TokenGiver();
  const client = cosmosClientFrom({ endpoint: server.endpoint(), credential, insecureTls: true });
  await expect(roundTrip(client, 'by-identity')).resolves.toEqual([]);
  const sent = server.authorizations.slice(from);
  expect(sent.length).toBeGreaterThan(0);
  expect(new Set(sent)).toEqual(new Set(['type=aad&ver=1.0&sig=entra-token-for-the-bot']));
  expect(credential.scopes.length).toBeGreaterThan(0);
  expect(credential.scopes.every((s) => s.endsWith('/.default'))).toBe(true);
});

test('a connection string without its key, or no endpoint at all, is refused in words', () => {
  expect(() => cosmosClientFrom({ connectionString: `AccountEndpoint=${server.endpoint()};` })).toThrow(StoreError);
  expect(() => cosmosClientFrom({})).toThrow(/give its endpoint/);
});
