/**
 * A Cosmos DB protocol server on loopback (@vercel/cosmosdb-server, in memory) for tests that
 * run our real Cosmos client and repository against it: start it in `beforeAll`, open as many
 * repositories (replicas) on one database as a test needs, stop it in `afterAll`.
 */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { CosmosClient } from '@azure/cosmos';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import type { CaseRepository } from '../../src/app/store/repository';
import { CosmosRepository } from '../../src/store/cosmos/cosmos-repository';

export interface CosmosServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A client of our own to the server, as a replica would have. */
  client(): CosmosClient;
  /** A repository on `databaseId` with its own client (each call: another replica). */
  open(databaseId: string): Promise<CaseRepository>;
  /** The server's address (https://127.0.0.1:<port>), for clients made from configuration. */
  endpoint(): string;
  /** Each request's Authorization header, in order (a key's signature, or an Entra ID token). */
  authorizations: string[];
}

export function cosmosServer(): CosmosServer {
  const server = createHttpsServer();
  const authorizations: string[] = [];
  server.prependListener('request', (req: { headers: Record<string, string | string[] | undefined> }) => {
    const header = req.headers.authorization;
    authorizations.push(decodeURIComponent(Array.isArray(header) ? (header[0] ?? '') : (header ?? '')));
  });
  let endpoint = '';
  const client = (): CosmosClient =>
    new CosmosClient({
      endpoint,
      key: 'dGVzdA==',
      agent: new https.Agent({ rejectUnauthorized: false }),
      connectionPolicy: { enableEndpointDiscovery: false },
    });
  return {
    async start() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    client,
    open: (databaseId) => CosmosRepository.open({ client: client(), ownsClient: true, databaseId }),
    endpoint: () => endpoint,
    authorizations,
  };
}
