/**
 * The procedure stored once per version, in SQLite (table `procedures`, migration 12; see
 * src/store/procedure-refs.ts). Every case write serialises its state and events through
 * `stateText` and `eventText` (the one place they are compacted), which store the procedure's
 * row in the same transaction the first time this connection meets it; every case read parses
 * through `readState` and `readEvent` (the one place they are put back together).
 *
 * Per connection: the parsed procedures, the keys known to be stored (committed), and those
 * inserted by the transaction under way, which become known once it commits (`settle`, called by
 * the repository after each unit of work), so a rolled-back write never leaves a key believed stored.
 */
import type Database from 'better-sqlite3';
import type { CaseEvent, CaseState } from '../../domain/escalation';
import type { Procedure } from '../../domain/procedure';
import {
  compactEvent,
  compactState,
  describeProcedure,
  procedureOfEvent,
  ProcedureCache,
  rehydrate,
  type StoredProcedure,
} from '../procedure-refs';
import { corrupt } from '../stored-case';
import { statement } from './statements';

interface Refs {
  cache: ProcedureCache;
  /** Keys whose row is committed. */
  known: Set<string>;
  /** Keys inserted by the transaction under way. */
  pending: Set<string>;
}

const perConnection = new WeakMap<Database.Database, Refs>();

function refsOf(db: Database.Database): Refs {
  let refs = perConnection.get(db);
  if (!refs) {
    refs = { cache: new ProcedureCache(), known: new Set(), pending: new Set() };
    perConnection.set(db, refs);
  }
  return refs;
}

/** Make sure the procedure's row is stored (or is being, in this transaction). */
function ensure(db: Database.Database, procedure: Procedure): StoredProcedure {
  const refs = refsOf(db);
  const stored = describeProcedure(procedure);
  if (refs.known.has(stored.key) || refs.pending.has(stored.key)) return stored;
  const inserted = statement(
    db,
    'INSERT OR IGNORE INTO procedures (key, board_id, label, body, stored_at) VALUES (?, ?, ?, ?, ?)',
  ).run(stored.key, stored.boardId, stored.label, stored.text, new Date().toISOString());
  // Already there (and not by this transaction, which would have it pending): committed before.
  (inserted.changes ? refs.pending : refs.known).add(stored.key);
  refs.cache.remember(stored);
  return stored;
}

/** After a unit of work: what its transaction inserted is stored if it committed, forgotten if not. */
export function settleProcedures(db: Database.Database, committed: boolean): void {
  const refs = perConnection.get(db);
  if (!refs?.pending.size) return;
  if (committed) for (const key of refs.pending) refs.known.add(key);
  refs.pending.clear();
}

/**
 * Work done in a savepoint that may be rolled back alone (one case of a batch): procedure rows it
 * inserted are forgotten with it, so the batch's commit does not count them stored.
 */
export function withinSavepoint<T>(db: Database.Database, work: () => T): T {
  const refs = refsOf(db);
  const before = new Set(refs.pending);
  try {
    return work();
  } catch (error) {
    for (const key of [...refs.pending]) if (!before.has(key)) refs.pending.delete(key);
    throw error;
  }
}

/** A case's state as stored: its procedure a reference to the stored version. */
export function stateText(db: Database.Database, state: CaseState): string {
  return JSON.stringify(compactState(state, ensure(db, state.procedure)));
}

/** An event as stored: a case-raised event's procedure a reference to the stored version. */
export function eventText(db: Database.Database, event: CaseEvent): string {
  const procedure = procedureOfEvent(event);
  return JSON.stringify(compactEvent(event, procedure ? ensure(db, procedure) : undefined));
}

function find(db: Database.Database, reference: string): (key: string) => Procedure | undefined {
  const refs = refsOf(db);
  return (key) => {
    const cached = refs.cache.get(key);
    if (cached) return cached;
    const row = statement(db, 'SELECT body FROM procedures WHERE key = ?').get(key) as { body: string } | undefined;
    return row ? refs.cache.load(reference, key, row.body) : undefined;
  };
}

/** A stored state's JSON, parsed, with its procedure put back (a full copy from before left as it is). */
export function readState(db: Database.Database, reference: string, text: string): unknown {
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (cause) {
    throw corrupt(reference, 'its state is not readable JSON', cause);
  }
  return rehydrate(reference, state, find(db, reference));
}

/** A stored event's JSON, parsed, with its procedure put back. */
export function readEvent(db: Database.Database, reference: string, seq: number, text: string): CaseEvent {
  let event: CaseEvent;
  try {
    event = JSON.parse(text) as CaseEvent;
  } catch (cause) {
    throw corrupt(reference, `event ${seq} is not readable JSON`, cause);
  }
  return rehydrate(reference, event, find(db, reference));
}
