/**
 * Opening the store the configuration chooses: the embedded SQLite file by default, Azure
 * Cosmos DB when it is configured.
 */
import { sqliteFile, storeKind, type Config } from '../config';
import type { CaseRepository } from '../app/store/repository';
import { DEVELOPMENT_KEY, parseKey, PersonalDataVault } from '../app/store/personal-data';
import { CosmosRepository, cosmosClientFrom } from './cosmos/cosmos-repository';
import { SqliteRepository } from './sqlite/sqlite-repository';

export async function openRepository(config: Config, options: { sqliteFile?: string } = {}): Promise<CaseRepository> {
  if (options.sqliteFile || storeKind(config) === 'sqlite')
    return SqliteRepository.open(options.sqliteFile ?? sqliteFile(config));
  const client = cosmosClientFrom({
    ...(config.COSMOS_ENDPOINT ? { endpoint: config.COSMOS_ENDPOINT } : {}),
    ...(config.COSMOS_KEY ? { key: config.COSMOS_KEY } : {}),
    ...(config.COSMOS_CONNECTION_STRING ? { connectionString: config.COSMOS_CONNECTION_STRING } : {}),
    insecureTls: config.COSMOS_INSECURE_TLS,
  });
  return CosmosRepository.open({ client, databaseId: config.COSMOS_DATABASE, ownsClient: true });
}

/** The vault for the adult's details: the configured key, or in development a fixed local one. */
export function openVault(config: Config): { vault: PersonalDataVault; developmentKey: boolean } {
  if (config.PERSONAL_DATA_KEY)
    return { vault: new PersonalDataVault(parseKey(config.PERSONAL_DATA_KEY)), developmentKey: false };
  if (config.NODE_ENV === 'production') throw new Error('PERSONAL_DATA_KEY must be set in production');
  return { vault: new PersonalDataVault(DEVELOPMENT_KEY), developmentKey: true };
}
