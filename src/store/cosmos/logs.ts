/**
 * The access log and the security log in Azure Cosmos DB, each in a container of its own, apart
 * from the cases: `access` (partition key `/reference`, kept) and `security` (partition key
 * `/id`, default time-to-live SECURITY_TTL_SECONDS, so Cosmos DB deletes old entries itself and
 * the log stays bounded). Entries hold ids and names of actions only, never the adult's details.
 */
import { randomUUID } from 'node:crypto';
import type { Container, Database, SqlParameter } from '@azure/cosmos';
import type { AccessEntry, AccessFilter, SecurityEvent, SecurityFilter } from '../../app/store/repository';
import { queryItems } from './items';

/** Security log entries expire after 90 days. */
export const SECURITY_TTL_SECONDS = 90 * 24 * 60 * 60;

const DEFAULT_LIMIT = 1000;

export interface LogContainers {
  access: Container;
  security: Container;
}

export async function openLogContainers(
  database: Database,
  ids: { access?: string; security?: string } = {},
): Promise<LogContainers> {
  const { container: access } = await database.containers.createIfNotExists({
    id: ids.access ?? 'access',
    partitionKey: { paths: ['/reference'] },
  });
  const { container: security } = await database.containers.createIfNotExists({
    id: ids.security ?? 'security',
    partitionKey: { paths: ['/id'] },
    defaultTtl: SECURITY_TTL_SECONDS,
  });
  return { access, security };
}

export async function insertAccess(containers: LogContainers, entry: AccessEntry): Promise<void> {
  await containers.access.items.create({ id: randomUUID(), ...entry });
}

export async function selectAccess(containers: LogContainers, filter: AccessFilter = {}): Promise<AccessEntry[]> {
  const rows = await queryItems<AccessEntry>(
    containers.access,
    `SELECT TOP @n c.at, c.reference, c.personId, c.agencyId, c.what, c.platform FROM c ${where(filter)} ORDER BY c.at DESC`,
    parameters(filter),
  );
  return rows.map((r) => ({
    at: r.at,
    reference: r.reference,
    personId: r.personId,
    agencyId: r.agencyId,
    what: r.what,
    ...(r.platform ? { platform: r.platform } : {}),
  }));
}

export async function insertSecurityEvent(containers: LogContainers, event: SecurityEvent): Promise<void> {
  await containers.security.items.create({ id: randomUUID(), ...event });
}

export async function selectSecurityEvents(
  containers: LogContainers,
  filter: SecurityFilter = {},
): Promise<SecurityEvent[]> {
  const rows = await queryItems<SecurityEvent>(
    containers.security,
    `SELECT TOP @n c.at, c.kind, c.action, c.reference, c.personId, c.agencyId, c.platform FROM c ${where(filter)} ORDER BY c.at DESC`,
    parameters(filter),
  );
  return rows.map((r) => ({
    at: r.at,
    kind: r.kind,
    action: r.action,
    ...(r.reference ? { reference: r.reference } : {}),
    ...(r.personId ? { personId: r.personId } : {}),
    ...(r.agencyId ? { agencyId: r.agencyId } : {}),
    ...(r.platform ? { platform: r.platform } : {}),
  }));
}

type Filter = { reference?: string; personId?: string; since?: string };

function where(filter: Filter): string {
  const parts = [
    filter.reference !== undefined ? 'c.reference = @reference' : '',
    filter.personId !== undefined ? 'c.personId = @person' : '',
    filter.since !== undefined ? 'c.at >= @since' : '',
  ].filter(Boolean);
  return parts.length ? `WHERE ${parts.join(' AND ')}` : '';
}

function parameters(filter: Filter & { limit?: number }): SqlParameter[] {
  const limit =
    filter.limit !== undefined && Number.isInteger(filter.limit) && filter.limit > 0 ? filter.limit : DEFAULT_LIMIT;
  return [
    { name: '@n', value: limit },
    ...(filter.reference !== undefined ? [{ name: '@reference', value: filter.reference }] : []),
    ...(filter.personId !== undefined ? [{ name: '@person', value: filter.personId }] : []),
    ...(filter.since !== undefined ? [{ name: '@since', value: filter.since }] : []),
  ];
}
