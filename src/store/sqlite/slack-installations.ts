/**
 * Slack installations in SQLite (table slack_installations, migration 10): the workspace's ids in
 * clear, the installation (tokens) sealed by the caller. Plain functions of the connection.
 */
import type Database from 'better-sqlite3';
import type { InstallationKey, SealedInstallation, SlackInstallationRecord } from '../../app/store/slack-installations';
import { statement } from './statements';

interface Row {
  key: string;
  team_id: string | null;
  enterprise_id: string | null;
  installed_at: string;
  updated_at: string;
  sealed?: string;
}

function fromRow(row: Row): Omit<SlackInstallationRecord, 'sealed'> {
  return {
    key: row.key as InstallationKey,
    ...(row.team_id ? { teamId: row.team_id } : {}),
    ...(row.enterprise_id ? { enterpriseId: row.enterprise_id } : {}),
    installedAt: row.installed_at,
    updatedAt: row.updated_at,
  };
}

export function saveSlackInstallation(db: Database.Database, record: SlackInstallationRecord): void {
  // A reinstall keeps when it was first installed.
  statement(
    db,
    'INSERT INTO slack_installations (key, team_id, enterprise_id, installed_at, updated_at, sealed) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET team_id = excluded.team_id, enterprise_id = excluded.enterprise_id, updated_at = excluded.updated_at, sealed = excluded.sealed',
  ).run(
    record.key,
    record.teamId ?? null,
    record.enterpriseId ?? null,
    record.installedAt,
    record.updatedAt,
    JSON.stringify(record.sealed),
  );
}

export function getSlackInstallation(db: Database.Database, key: InstallationKey): SlackInstallationRecord | undefined {
  const row = statement(
    db,
    'SELECT key, team_id, enterprise_id, installed_at, updated_at, sealed FROM slack_installations WHERE key = ?',
  ).get(key) as Row | undefined;
  if (!row) return undefined;
  return { ...fromRow(row), sealed: JSON.parse(row.sealed ?? '{}') as SealedInstallation };
}

export function deleteSlackInstallation(db: Database.Database, key: InstallationKey): boolean {
  return statement(db, 'DELETE FROM slack_installations WHERE key = ?').run(key).changes > 0;
}

export function listSlackInstallations(db: Database.Database): Array<Omit<SlackInstallationRecord, 'sealed'>> {
  return (
    statement(
      db,
      'SELECT key, team_id, enterprise_id, installed_at, updated_at FROM slack_installations ORDER BY key',
    ).all() as Row[]
  ).map(fromRow);
}
