/**
 * Prepared statements, prepared once per connection: the store's hot paths (a case read, the due
 * scan, the sweeper's lease) reuse them rather than compile their SQL on every call; and the one
 * way a transaction is committed without waiting for the disk.
 */
import type Database from 'better-sqlite3';

const prepared = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** A prepared statement for `sql` on `db`, prepared once per connection. */
export function statement(db: Database.Database, sql: string): Database.Statement {
  let statements = prepared.get(db);
  if (!statements) {
    statements = new Map();
    prepared.set(db, statements);
  }
  let found = statements.get(sql);
  if (!found) {
    found = db.prepare(sql);
    statements.set(sql, found);
  }
  return found;
}

/**
 * `work` (one transaction) committed with synchronous NORMAL: in WAL mode, no fsync on its commit;
 * it is durable against the process being killed, and with the next write committed FULL against
 * the machine failing too. The connection's setting is put back after.
 */
export function withoutWaitingForDisk<T>(db: Database.Database, work: () => T): T {
  const was = db.pragma('synchronous', { simple: true }) as number;
  db.pragma('synchronous = NORMAL');
  try {
    return work();
  } finally {
    db.pragma(`synchronous = ${was}`);
  }
}
