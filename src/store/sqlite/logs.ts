/**
 * The access log and the bounded security log in SQLite (migration 4): apart from the cases and
 * their timelines. The security log keeps only its newest rows, trimmed in the same transaction
 * as each insert.
 */
import type Database from 'better-sqlite3';
import {
  SECURITY_LOG_CAP,
  type AccessEntry,
  type AccessFilter,
  type SecurityEvent,
  type SecurityFilter,
} from '../../app/store/repository';

const DEFAULT_LIMIT = 1000;

interface AccessRow {
  at: string;
  reference: string;
  person_id: string;
  agency_id: string;
  what: string;
  platform: string | null;
}

interface SecurityRow {
  at: string;
  kind: SecurityEvent['kind'];
  action: string;
  reference: string | null;
  person_id: string | null;
  agency_id: string | null;
  platform: string | null;
}

export function insertAccess(db: Database.Database, entry: AccessEntry): void {
  db.prepare(
    'INSERT INTO access_log (at, reference, person_id, agency_id, what, platform) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(entry.at, entry.reference, entry.personId, entry.agencyId, entry.what, entry.platform ?? null);
}

export function selectAccess(db: Database.Database, filter: AccessFilter = {}): AccessEntry[] {
  const { where, params } = conditions(filter);
  const rows = db
    .prepare(
      `SELECT at, reference, person_id, agency_id, what, platform FROM access_log ${where} ORDER BY at DESC, id DESC LIMIT ?`,
    )
    .all(...params, limitOf(filter.limit)) as AccessRow[];
  return rows.map((r) => ({
    at: r.at,
    reference: r.reference,
    personId: r.person_id,
    agencyId: r.agency_id,
    what: r.what,
    ...(r.platform ? { platform: r.platform as NonNullable<AccessEntry['platform']> } : {}),
  }));
}

/** Insert one event and drop the oldest beyond `cap`, in one transaction. */
export function insertSecurityEvent(db: Database.Database, event: SecurityEvent, cap = SECURITY_LOG_CAP): void {
  db.transaction(() => {
    const { lastInsertRowid } = db
      .prepare(
        'INSERT INTO security_log (at, kind, action, reference, person_id, agency_id, platform) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        event.at,
        event.kind,
        event.action,
        event.reference ?? null,
        event.personId ?? null,
        event.agencyId ?? null,
        event.platform ?? null,
      );
    db.prepare('DELETE FROM security_log WHERE id <= ?').run(Number(lastInsertRowid) - cap);
  }).immediate();
}

export function selectSecurityEvents(db: Database.Database, filter: SecurityFilter = {}): SecurityEvent[] {
  const { where, params } = conditions(filter);
  const rows = db
    .prepare(
      `SELECT at, kind, action, reference, person_id, agency_id, platform FROM security_log ${where} ORDER BY at DESC, id DESC LIMIT ?`,
    )
    .all(...params, limitOf(filter.limit)) as SecurityRow[];
  return rows.map((r) => ({
    at: r.at,
    kind: r.kind,
    action: r.action,
    ...(r.reference ? { reference: r.reference } : {}),
    ...(r.person_id ? { personId: r.person_id } : {}),
    ...(r.agency_id ? { agencyId: r.agency_id } : {}),
    ...(r.platform ? { platform: r.platform as NonNullable<SecurityEvent['platform']> } : {}),
  }));
}

/** The WHERE clause of a filter (by case, person, since), with its parameters. */
function conditions(filter: { reference?: string; personId?: string; since?: string }): {
  where: string;
  params: unknown[];
} {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [column, value] of [
    ['reference = ?', filter.reference],
    ['person_id = ?', filter.personId],
    ['at >= ?', filter.since],
  ] as const) {
    if (value === undefined) continue;
    parts.push(column);
    params.push(value);
  }
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

function limitOf(limit: number | undefined): number {
  return limit !== undefined && Number.isInteger(limit) && limit > 0 ? limit : DEFAULT_LIMIT;
}
