/**
 * Opening the store the configuration chooses: the embedded SQLite file by default, Azure
 * Cosmos DB when it is configured.
 */
import { sqliteFile, storeKind, type Config } from '../config';
import type { CaseRepository } from '../app/store/repository';
import type * as Cosmos from './cosmos/cosmos-repository';
import { DEVELOPMENT_KEY, parseKey, parseOldKeys, PersonalDataVault } from '../app/store/personal-data';
import { AuditKey, DEVELOPMENT_AUDIT_KEY } from '../app/store/chain';
import { InstallationSealer } from '../app/store/slack-installations';
import { SqliteRepository } from './sqlite/sqlite-repository';

export async function openRepository(config: Config, options: { sqliteFile?: string } = {}): Promise<CaseRepository> {
  const { key: auditKey } = openAuditKey(config);
  if (options.sqliteFile || storeKind(config) === 'sqlite')
    return SqliteRepository.open(options.sqliteFile ?? sqliteFile(config), { auditKey });
  // The Cosmos client (and @azure/identity) is loaded only when Cosmos DB is the store.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CosmosRepository, cosmosClientFrom } = require('./cosmos/cosmos-repository') as typeof Cosmos;
  const client = cosmosClientFrom({
    ...(config.COSMOS_ENDPOINT ? { endpoint: config.COSMOS_ENDPOINT } : {}),
    ...(config.COSMOS_KEY ? { key: config.COSMOS_KEY } : {}),
    ...(config.COSMOS_CONNECTION_STRING ? { connectionString: config.COSMOS_CONNECTION_STRING } : {}),
    insecureTls: config.COSMOS_INSECURE_TLS,
  });
  return CosmosRepository.open({ client, databaseId: config.COSMOS_DATABASE, ownsClient: true, auditKey });
}

/** The key that seals the record: the configured AUDIT_KEY, or in development a fixed local one. */
export function openAuditKey(config: Config): { key: AuditKey; developmentKey: boolean } {
  if (config.AUDIT_KEY) return { key: new AuditKey(Buffer.from(config.AUDIT_KEY, 'base64')), developmentKey: false };
  if (config.NODE_ENV === 'production') throw new Error('AUDIT_KEY must be set in production');
  return { key: DEVELOPMENT_AUDIT_KEY, developmentKey: true };
}

/**
 * The vault for the adult's details: the configured key (or in development a fixed local one)
 * seals; the old keys of PERSONAL_DATA_OLD_KEYS only open what they sealed.
 */
export function openVault(config: Config): { vault: PersonalDataVault; developmentKey: boolean } {
  const old = parseOldKeys(config.PERSONAL_DATA_OLD_KEYS);
  if (config.PERSONAL_DATA_KEY)
    return { vault: new PersonalDataVault(parseKey(config.PERSONAL_DATA_KEY), old), developmentKey: false };
  if (config.NODE_ENV === 'production') throw new Error('PERSONAL_DATA_KEY must be set in production');
  return { vault: new PersonalDataVault(DEVELOPMENT_KEY, old), developmentKey: true };
}

/**
 * The seal for Slack installations (their tokens): a key of its own, derived from PERSONAL_DATA_KEY
 * (in development, the fixed local key), so no further secret is needed; the old keys of
 * PERSONAL_DATA_OLD_KEYS open what they sealed, and `personal reseal` seals them again.
 */
export function openInstallationSealer(config: Config): InstallationSealer {
  const old = parseOldKeys(config.PERSONAL_DATA_OLD_KEYS);
  if (config.PERSONAL_DATA_KEY) return new InstallationSealer(parseKey(config.PERSONAL_DATA_KEY), old);
  if (config.NODE_ENV === 'production') throw new Error('PERSONAL_DATA_KEY must be set in production');
  return new InstallationSealer(DEVELOPMENT_KEY, old);
}
