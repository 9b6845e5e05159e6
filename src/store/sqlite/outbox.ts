/**
 * The outbox in SQLite: one row per item. Items owed by a case change are inserted inside that
 * change's transaction (insertOutbox, called from case-writes); a claim is one immediate
 * transaction, so two workers (two replicas on one file) never take the same item.
 */
import type Database from 'better-sqlite3';
import type {
  NewOutboxItem,
  OutboxFilter,
  OutboxItem,
  OutboxSetback,
  OutboxStats,
  OutboxStatus,
} from '../../app/store/outbox';
import { statement } from './statements';

interface OutboxRow {
  id: string;
  reference: string;
  kind: OutboxItem['kind'];
  platform: OutboxItem['platform'];
  recipient: string;
  event: number;
  depends_on: string;
  payload: string;
  status: OutboxStatus;
  attempts: number;
  failures: number;
  next_attempt_at: string;
  created_at: string;
  last_error: string | null;
  result: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  done_at: string | null;
}

function toItem(r: OutboxRow): OutboxItem {
  return {
    id: r.id,
    reference: r.reference,
    kind: r.kind,
    platform: r.platform,
    recipient: r.recipient,
    event: r.event,
    dependsOn: JSON.parse(r.depends_on) as string[],
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    status: r.status,
    attempts: r.attempts,
    failures: r.failures,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
    ...(r.result !== null ? { result: JSON.parse(r.result) as Record<string, unknown> } : {}),
    ...(r.lease_owner !== null ? { leaseOwner: r.lease_owner } : {}),
    ...(r.lease_until !== null ? { leaseUntil: r.lease_until } : {}),
    ...(r.done_at !== null ? { doneAt: r.done_at } : {}),
  };
}

/** Rows an insert statement takes at most (one statement per count up to this is prepared and kept). */
const ROWS_A_STATEMENT = 16;

/** Each statement's text, made once per row count (so finding it prepared hashes no new string). */
const insertTexts: string[] = [];

function insertRows(db: Database.Database, rows: number): Database.Statement {
  let text = insertTexts[rows];
  if (text === undefined) {
    const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
    text = `INSERT OR IGNORE INTO outbox (id, reference, kind, platform, recipient, event, depends_on, payload, next_attempt_at, created_at)
     VALUES ${values}`;
    insertTexts[rows] = text;
  }
  return statement(db, text);
}

/** Insert items (inside the caller's transaction), several rows a statement; an id already stored is left as it is. */
export function insertOutbox(db: Database.Database, items: readonly NewOutboxItem[]): void {
  for (let from = 0; from < items.length; from += ROWS_A_STATEMENT) {
    const chunk = items.slice(from, from + ROWS_A_STATEMENT);
    const params: unknown[] = [];
    for (const i of chunk)
      params.push(
        i.id,
        i.reference,
        i.kind,
        i.platform,
        i.recipient,
        i.event,
        JSON.stringify(i.dependsOn),
        JSON.stringify(i.payload),
        i.nextAttemptAt,
        i.createdAt,
      );
    insertRows(db, chunk.length).run(...params);
  }
}

export function enqueue(db: Database.Database, items: readonly NewOutboxItem[]): void {
  db.transaction(() => insertOutbox(db, items)).immediate();
}

export function claimOutbox(
  db: Database.Database,
  owner: string,
  now: string,
  until: string,
  limit: number,
): OutboxItem[] {
  return db
    .transaction(() => {
      // Due, not leased by a live owner, and nothing it waits for still pending (done, or failed for good).
      const rows = statement(
        db,
        `SELECT * FROM outbox o
          WHERE o.status = 'pending' AND o.next_attempt_at <= @now
            AND (o.lease_until IS NULL OR o.lease_until <= @now)
            AND NOT EXISTS (SELECT 1 FROM json_each(o.depends_on) d JOIN outbox w ON w.id = d.value WHERE w.status = 'pending')
          ORDER BY o.next_attempt_at, o.created_at, o.id
          LIMIT @limit`,
      ).all({ now, limit }) as OutboxRow[];
      const take = statement(
        db,
        'UPDATE outbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id = ?',
      );
      for (const r of rows) take.run(owner, until, r.id);
      return rows.map((r) => toItem({ ...r, lease_owner: owner, lease_until: until, attempts: r.attempts + 1 }));
    })
    .immediate();
}

export function progressOutbox(
  db: Database.Database,
  id: string,
  owner: string,
  result: Record<string, unknown>,
): boolean {
  return db
    .transaction(() => {
      const row = statement(db, 'SELECT result FROM outbox WHERE id = ? AND lease_owner = ? AND status = ?').get(
        id,
        owner,
        'pending',
      ) as { result: string | null } | undefined;
      if (!row) return false;
      const merged = { ...(row.result ? (JSON.parse(row.result) as Record<string, unknown>) : {}), ...result };
      statement(db, 'UPDATE outbox SET result = ? WHERE id = ?').run(JSON.stringify(merged), id);
      return true;
    })
    .immediate();
}

export function completeOutbox(
  db: Database.Database,
  id: string,
  owner: string | undefined,
  at: string,
  result?: Record<string, unknown>,
): boolean {
  return db
    .transaction(() => {
      const row = statement(db, 'SELECT * FROM outbox WHERE id = ?').get(id) as OutboxRow | undefined;
      if (!row || row.status !== 'pending') return false;
      if (owner !== undefined ? row.lease_owner !== owner : row.lease_until !== null && row.lease_until > at)
        return false;
      const merged = result
        ? { ...(row.result ? (JSON.parse(row.result) as Record<string, unknown>) : {}), ...result }
        : undefined;
      statement(
        db,
        "UPDATE outbox SET status = 'done', done_at = ?, result = COALESCE(?, result), lease_owner = NULL, lease_until = NULL WHERE id = ?",
      ).run(at, merged ? JSON.stringify(merged) : null, id);
      return true;
    })
    .immediate();
}

export function setBackOutbox(db: Database.Database, id: string, owner: string, setback: OutboxSetback): boolean {
  const changed = statement(
    db,
    `UPDATE outbox SET status = ?, last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at), lease_owner = NULL, lease_until = NULL,
            attempts = MAX(0, attempts - ?), failures = failures + ?
      WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
  ).run(
    setback.retryAt ? 'pending' : 'failed',
    setback.error.slice(0, 500),
    setback.retryAt ?? null,
    setback.uncounted ? 1 : 0,
    setback.uncounted ? 0 : 1,
    id,
    owner,
  );
  return changed.changes === 1;
}

export function listOutbox(db: Database.Database, filter: OutboxFilter = {}): OutboxItem[] {
  const where: string[] = [];
  const args: Record<string, unknown> = { limit: filter.limit ?? 1000 };
  if (filter.reference) {
    where.push('reference = @reference');
    args.reference = filter.reference;
  }
  if (filter.status) {
    where.push('status = @status');
    args.status = filter.status;
  }
  return (
    db
      .prepare(
        `SELECT * FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id LIMIT @limit`,
      )
      .all(args) as OutboxRow[]
  ).map(toItem);
}

export function retryOutbox(
  db: Database.Database,
  filter: { reference?: string; ids?: readonly string[] },
  now: string,
): number {
  return db
    .transaction(() => {
      const again = statement(
        db,
        "UPDATE outbox SET status = 'pending', attempts = 0, failures = 0, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND status = 'failed'",
      );
      const ids = filter.ids?.length
        ? [...filter.ids]
        : (
            (filter.reference
              ? statement(db, "SELECT id FROM outbox WHERE status = 'failed' AND reference = ?").all(filter.reference)
              : statement(db, "SELECT id FROM outbox WHERE status = 'failed'").all()) as Array<{ id: string }>
          ).map((r) => r.id);
      let count = 0;
      for (const id of ids) count += again.run(now, id).changes;
      return count;
    })
    .immediate();
}

export function outboxStats(db: Database.Database): OutboxStats {
  const pending = statement(
    db,
    "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE status = 'pending'",
  ).get() as { n: number; oldest: string | null };
  const failed = statement(db, "SELECT COUNT(*) AS n FROM outbox WHERE status = 'failed'").get() as { n: number };
  return {
    pending: pending.n,
    failed: failed.n,
    ...(pending.oldest ? { oldestPendingAt: pending.oldest } : {}),
  };
}

export function pruneOutbox(db: Database.Database, before: string, limit: number): number {
  return statement(
    db,
    "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status = 'done' AND done_at < ? LIMIT ?)",
  ).run(before, limit).changes;
}
