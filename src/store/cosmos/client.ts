/** Connecting to Azure Cosmos DB: the store's options and a client made from configuration. */
import * as https from 'node:https';
import { CosmosClient } from '@azure/cosmos';
import type { AuditKey } from '../../app/store/chain';
import { StoreError } from '../../app/store/repository';

export interface CosmosOptions {
  client: CosmosClient;
  databaseId: string;
  casesContainerId?: string;
  personalContainerId?: string;
  requestsContainerId?: string;
  accessContainerId?: string;
  securityContainerId?: string;
  /** The directory's history (default `directory`). */
  directoryContainerId?: string;
  /** The store-wide anchor's container (default `anchor`). */
  anchorContainerId?: string;
  /** The key that seals the timeline and the anchor (the development key unless given). */
  auditKey?: AuditKey;
  /** Dispose of `client` on close() (set when the client was made for this repository alone). */
  ownsClient?: boolean;
}

export interface CosmosConnection {
  endpoint?: string;
  key?: string;
  /** `AccountEndpoint=…;AccountKey=…;` (takes precedence over endpoint and key). */
  connectionString?: string;
  /** Accept a self-signed certificate (the local emulator only). */
  insecureTls?: boolean;
}

/** A Cosmos client from configuration: an endpoint and key, or a connection string. */
export function cosmosClientFrom(config: CosmosConnection): CosmosClient {
  let endpoint = config.endpoint;
  let key = config.key;
  if (config.connectionString) {
    const parts = new Map<string, string>();
    for (const pair of config.connectionString.split(';')) {
      const at = pair.indexOf('=');
      if (at > 0) parts.set(pair.slice(0, at).trim().toLowerCase(), pair.slice(at + 1).trim());
    }
    endpoint = parts.get('accountendpoint');
    key = parts.get('accountkey');
  }
  if (!endpoint || !key) {
    throw new StoreError(
      'unavailable',
      'Azure Cosmos DB is not configured: give its endpoint and key, or a connection string (AccountEndpoint=…;AccountKey=…;).',
    );
  }
  if (!URL.canParse(endpoint)) {
    // Said without the value: it may come from a connection string that holds the key.
    throw new StoreError(
      'unavailable',
      'Azure Cosmos DB is not configured: its endpoint is not an address like https://myaccount.documents.azure.com:443/ (check AccountEndpoint= in COSMOS_CONNECTION_STRING, or COSMOS_ENDPOINT).',
    );
  }
  return new CosmosClient({
    endpoint,
    key,
    ...(config.insecureTls
      ? { agent: new https.Agent({ rejectUnauthorized: false }), connectionPolicy: { enableEndpointDiscovery: false } }
      : {}),
  });
}
