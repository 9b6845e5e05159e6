/** The directory's history in SQLite: one row a change, numbered by the table (src/app/store/directory-log.ts). */
import type Database from 'better-sqlite3';
import { DIRECTORY_PAGE, type NewDirectoryEntry } from '../../app/store/directory-log';
import type { DirectoryChange, DirectoryEntry } from '../../domain/directory';
import { statement } from './statements';

export function appendDirectoryChange(db: Database.Database, entry: NewDirectoryEntry): DirectoryEntry {
  const result = statement(db, 'INSERT INTO directory_log (at, by, kind, body) VALUES (?, ?, ?, ?)').run(
    entry.at,
    entry.by,
    entry.change.kind,
    JSON.stringify(entry.change),
  );
  return { seq: Number(result.lastInsertRowid), ...entry };
}

export function directoryChanges(db: Database.Database, afterSeq: number, limit = DIRECTORY_PAGE): DirectoryEntry[] {
  const rows = statement(db, 'SELECT seq, at, by, body FROM directory_log WHERE seq > ? ORDER BY seq LIMIT ?').all(
    afterSeq,
    Math.max(1, Math.min(limit, 10_000)),
  ) as Array<{ seq: number; at: string; by: string; body: string }>;
  return rows.map((r) => ({ seq: r.seq, at: r.at, by: r.by, change: JSON.parse(r.body) as DirectoryChange }));
}
