/**
 * Reading cases in SQLite: one case (as stored or as the fields of its record), its timeline, and
 * the queries over many (due, of a board, of a person, an agency's or a board's open ones, every
 * reference). Plain functions of the connection; the repository runs them.
 */
import type Database from 'better-sqlite3';
import type { CaseRecordFields, CaseSummary, DueCase, StoredCase, StoredEvent } from '../../app/store/repository';
import { readStoredCase } from '../stored-case';
import { readEvent, readState } from './procedures';
import { statement } from './statements';

export interface CaseRow {
  reference: string;
  board_id: string;
  version: number;
  due_at: string | null;
  last_hash: string;
  state: string;
}

interface EventRow {
  reference: string;
  seq: number;
  body: string;
  prev_hash: string;
  hash: string;
}

/** Open cases due by an instant, earliest first: a range scan of the partial index cases_due. */
export const DUE_QUERY =
  'SELECT reference, due_at AS dueAt, version FROM cases WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, reference LIMIT ?';

export function readCase(db: Database.Database, reference: string): StoredCase | undefined {
  const row = statement(
    db,
    'SELECT reference, board_id, version, due_at, last_hash, state FROM cases WHERE reference = ?',
  ).get(reference) as CaseRow | undefined;
  return row ? toStored(db, row) : undefined;
}

export function toStored(db: Database.Database, row: CaseRow): StoredCase {
  return readStoredCase(row.reference, {
    reference: row.reference,
    boardId: row.board_id,
    version: row.version,
    lastHash: row.last_hash,
    state: readState(db, row.reference, row.state),
    ...(row.due_at ? { dueAt: row.due_at } : {}),
  });
}

export function findByIdempotencyKey(db: Database.Database, key: string): StoredCase | undefined {
  const row = statement(db, 'SELECT reference FROM cases WHERE idempotency_key = ?').get(key) as
    { reference: string } | undefined;
  return row ? readCase(db, row.reference) : undefined;
}

export function readEvents(db: Database.Database, reference: string): StoredEvent[] {
  const rows = statement(
    db,
    'SELECT reference, seq, body, prev_hash, hash FROM events WHERE reference = ? ORDER BY seq',
  ).all(reference) as EventRow[];
  return rows.map((r) => ({
    reference: r.reference,
    seq: r.seq,
    event: readEvent(db, reference, r.seq, r.body),
    prevHash: r.prev_hash,
    hash: r.hash,
  }));
}

export function dueCases(db: Database.Database, at: string, limit: number): DueCase[] {
  const rows = statement(db, DUE_QUERY).all(at, limit) as DueCase[];
  return rows.map((r) => ({ reference: r.reference, dueAt: r.dueAt, version: r.version }));
}

export function casesOfBoard(db: Database.Database, boardId: string, from: string, to: string): CaseSummary[] {
  return summaries(
    db,
    'SELECT reference, board_id, status, raised_at, version FROM cases WHERE board_id = ? AND raised_at >= ? AND raised_at < ? ORDER BY raised_at, reference',
    boardId,
    from,
    to,
  );
}

/** The cases of a board raised in [from, to), whole: one SELECT (the index on board and time raised). */
export function readCasesOfBoard(db: Database.Database, boardId: string, from: string, to: string): StoredCase[] {
  const rows = statement(
    db,
    'SELECT reference, board_id, version, due_at, last_hash, state FROM cases WHERE board_id = ? AND raised_at >= ? AND raised_at < ? ORDER BY raised_at, reference',
  ).all(boardId, from, to) as CaseRow[];
  return rows.map((row) => toStored(db, row));
}

export function casesOfPerson(db: Database.Database, personId: string): CaseSummary[] {
  return summaries(
    db,
    'SELECT c.reference, c.board_id, c.status, c.raised_at, c.version FROM case_people p JOIN cases c ON c.reference = p.reference WHERE p.person_id = ? ORDER BY c.raised_at, c.reference',
    personId,
  );
}

export function openCasesOfAgency(db: Database.Database, agencyId: string): CaseSummary[] {
  return summaries(
    db,
    "SELECT c.reference, c.board_id, c.status, c.raised_at, c.version FROM case_agencies a JOIN cases c ON c.reference = a.reference WHERE a.agency_id = ? AND c.status = 'open' ORDER BY c.raised_at, c.reference",
    agencyId,
  );
}

export function openCasesOfBoard(db: Database.Database, boardId: string): CaseSummary[] {
  return summaries(
    db,
    "SELECT reference, board_id, status, raised_at, version FROM cases WHERE board_id = ? AND status = 'open' ORDER BY raised_at, reference",
    boardId,
  );
}

export function allReferences(db: Database.Database): string[] {
  return (statement(db, 'SELECT reference FROM cases ORDER BY reference').all() as Array<{ reference: string }>).map(
    (r) => r.reference,
  );
}

export function recordFields(db: Database.Database, reference: string): CaseRecordFields | undefined {
  const row = statement(
    db,
    'SELECT board_id, status, raised_at, version, last_hash, due_at, idempotency_key FROM cases WHERE reference = ?',
  ).get(reference) as
    | (Omit<CaseRow, 'state' | 'reference'> & { status: string; raised_at: string; idempotency_key: string | null })
    | undefined;
  if (!row) return undefined;
  const people = (
    statement(db, 'SELECT person_id FROM case_people WHERE reference = ? ORDER BY person_id').all(reference) as Array<{
      person_id: string;
    }>
  ).map((p) => p.person_id);
  return {
    boardId: row.board_id,
    status: row.status,
    raisedAt: row.raised_at,
    version: row.version,
    lastHash: row.last_hash,
    ...(row.due_at !== null ? { dueAt: row.due_at } : {}),
    ...(row.idempotency_key !== null ? { idempotencyKey: row.idempotency_key } : {}),
    people,
  };
}

function summaries(db: Database.Database, sql: string, ...params: unknown[]): CaseSummary[] {
  return (
    statement(db, sql).all(...params) as Array<{
      reference: string;
      board_id: string;
      status: CaseSummary['status'];
      raised_at: string;
      version: number;
    }>
  ).map((r) => ({
    reference: r.reference,
    boardId: r.board_id,
    status: r.status,
    raisedAt: r.raised_at,
    version: r.version,
  }));
}
