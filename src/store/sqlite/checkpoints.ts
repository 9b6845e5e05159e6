/**
 * The store-wide anchor in SQLite: the `checkpoints` table (migration 5), whose triggers refuse
 * updates and deletes. Each case write appends its checkpoint inside its own transaction, so a
 * crash leaves both or neither.
 */
import type Database from 'better-sqlite3';
import { nextCheckpoint, type Head } from '../../app/store/anchor';
import type { AuditKey } from '../../app/store/chain';
import type { Checkpoint } from '../../app/store/repository';
import { statement } from './statements';

interface CheckpointRow {
  seq: number;
  at: string;
  reference: string;
  version: number;
  last_hash: string;
  cases: number;
  idempotency: string | null;
  key_id: string;
  prev: string;
  seal: string;
}

const fromCheckpointRow = (r: CheckpointRow): Checkpoint => ({
  seq: r.seq,
  at: r.at,
  reference: r.reference,
  version: r.version,
  lastHash: r.last_hash,
  cases: r.cases,
  ...(r.idempotency !== null ? { idempotency: r.idempotency } : {}),
  keyId: r.key_id,
  prev: r.prev,
  seal: r.seal,
});

/** The newest checkpoint, if any. */
export function latestCheckpoint(db: Database.Database): Checkpoint | undefined {
  const row = statement(db, 'SELECT * FROM checkpoints ORDER BY seq DESC LIMIT 1').get() as CheckpointRow | undefined;
  return row ? fromCheckpointRow(row) : undefined;
}

/**
 * Append the checkpoint that follows the newest one; call inside the write's transaction. A
 * batch that has just written the newest itself passes it (`after`), so it is not read back.
 */
export function appendCheckpoint(
  db: Database.Database,
  key: AuditKey,
  head: Head,
  after?: { newest: Checkpoint | undefined },
): Checkpoint {
  const c = nextCheckpoint(key, after ? after.newest : latestCheckpoint(db), head);
  statement(
    db,
    'INSERT INTO checkpoints (seq, at, reference, version, last_hash, cases, idempotency, key_id, prev, seal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(c.seq, c.at, c.reference, c.version, c.lastHash, c.cases, c.idempotency ?? null, c.keyId, c.prev, c.seal);
  return c;
}

/** Every checkpoint, oldest first (none in a file opened read-only from before migration 5). */
export function readCheckpoints(db: Database.Database): Checkpoint[] {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'checkpoints'").get()) return [];
  return (db.prepare('SELECT * FROM checkpoints ORDER BY seq').all() as CheckpointRow[]).map(fromCheckpointRow);
}
