/**
 * Writing cases in SQLite: each write one immediate transaction that checks the version, links
 * the new events into the case's chain, updates the case, records its people and agencies and
 * appends the anchor's checkpoint, so that a failed write leaves what was stored as it was.
 */
import type Database from 'better-sqlite3';
import { chainEvents, GENESIS, type AuditKey } from '../../app/store/chain';
import {
  conflict,
  StoreError,
  type Append,
  type AppendOutcome,
  type Checkpoint,
  type LeaseRelease,
  type NewCase,
  type Restate,
  type StoredCase,
  type StoredEvent,
} from '../../app/store/repository';
import type { CaseEvent, CaseState } from '../../domain/escalation';
import { readCase, toStored, type CaseRow } from './case-reads';
import { translate } from './errors';
import { appendCheckpoint, latestCheckpoint } from './checkpoints';
import { insertOutbox } from './outbox';
import { eventText, stateText, withinSavepoint } from './procedures';
import { statement, withoutWaitingForDisk } from './statements';

export function nextSequence(db: Database.Database, boardId: string, year: number): number {
  const row = db
    .prepare(
      'INSERT INTO sequences (board_id, year, last) VALUES (?, ?, 1) ON CONFLICT (board_id, year) DO UPDATE SET last = last + 1 RETURNING last',
    )
    .get(boardId, year) as { last: number };
  return row.last;
}

export function createCase(
  db: Database.Database,
  auditKey: AuditKey,
  input: NewCase,
): { created: boolean; case: StoredCase } {
  const { state } = input;
  return db
    .transaction(() => {
      if (input.idempotencyKey !== undefined) {
        const existing = statement(db, 'SELECT reference FROM cases WHERE idempotency_key = ?').get(
          input.idempotencyKey,
        ) as { reference: string } | undefined;
        if (existing) return { created: false, case: readCase(db, existing.reference) as StoredCase };
      }
      if (statement(db, 'SELECT 1 FROM cases WHERE reference = ?').get(state.reference)) {
        throw new StoreError(
          'conflict',
          `A case with the reference ${state.reference} already exists; nothing was overwritten.`,
          state.reference,
        );
      }
      const linked = chainEvents(auditKey, state.reference, 0, GENESIS, input.events);
      const lastHash = linked[linked.length - 1]?.hash ?? GENESIS;
      db.prepare(
        `INSERT INTO cases (reference, board_id, status, version, raised_at, due_at, last_hash, idempotency_key, state, updated_at)
               VALUES (@reference, @board, @status, @version, @raisedAt, @dueAt, @lastHash, @key, @state, @now)`,
      ).run({
        reference: state.reference,
        board: state.boardId,
        status: state.status,
        version: linked.length,
        raisedAt: state.raisedAt,
        dueAt: input.dueAt ?? null,
        lastHash,
        key: input.idempotencyKey ?? null,
        state: stateText(db, state),
        now: lastEventAt(input.events, state.raisedAt),
      });
      insertEvents(db, linked);
      recordPeople(db, state);
      appendCheckpoint(db, auditKey, {
        reference: state.reference,
        version: linked.length,
        lastHash,
        at: lastEventAt(input.events, state.raisedAt),
        created: true,
        ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
      });
      if (input.outbox?.length) insertOutbox(db, input.outbox);
      return { created: true, case: readCase(db, state.reference) as StoredCase };
    })
    .immediate();
}

export function appendEvents(db: Database.Database, auditKey: AuditKey, input: Append): StoredCase {
  return db
    .transaction(() => {
      // The whole stored case is read (and checked): writing over a malformed one is refused, not guessed at.
      const row = statement(
        db,
        'SELECT reference, board_id, version, due_at, last_hash, state FROM cases WHERE reference = ?',
      ).get(input.reference) as CaseRow | undefined;
      if (!row) throw new StoreError('not-found', `There is no case ${input.reference}.`, input.reference);
      const stored = toStored(db, row);
      if (stored.version !== input.expectedVersion)
        throw conflict(input.reference, input.expectedVersion, stored.version);
      writeAppend(db, auditKey, input, stored);
      return readCase(db, input.reference) as StoredCase;
    })
    .immediate();
}

/** Due cases nobody else holds, earliest first, with their state: a range of the partial index cases_due. */
export const CLAIM_DUE_QUERY = `SELECT c.reference, c.board_id, c.version, c.due_at, c.last_hash, c.state FROM cases c
  WHERE c.due_at IS NOT NULL AND c.due_at <= ?
    AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.reference = c.reference AND l.until > ? AND l.owner <> ?)
  ORDER BY c.due_at, c.reference LIMIT ?`;

/**
 * Claim up to `limit` due cases for `owner` until `until`, earliest due first, with their state:
 * one immediate transaction that reads them (a range of the due index, skipping cases another
 * owner holds) and takes each one's lease, so two sweepers never hold one case at once.
 */
export function claimDueCases(
  db: Database.Database,
  now: string,
  owner: string,
  until: string,
  limit: number,
): StoredCase[] {
  if (!(limit > 0)) return [];
  // The claim's commit waits for no fsync (synchronous NORMAL, this transaction only): a lease is
  // lost only with the machine, which takes its holder with it, and a lost lease lets another
  // sweeper in no sooner than a dead holder's would (each append is conditional on its version).
  // The batch's append, fsynced as every case write is, makes the claim's frames durable with it.
  return withoutWaitingForDisk(db, () => claimIn(db, now, owner, until, limit));
}

function claimIn(db: Database.Database, now: string, owner: string, until: string, limit: number): StoredCase[] {
  return db
    .transaction(() => {
      const rows = statement(db, CLAIM_DUE_QUERY).all(now, now, owner, Math.floor(limit)) as CaseRow[];
      // A case whose stored record is malformed is left alone (audit verify names it), not claimed.
      const claimed: StoredCase[] = [];
      for (const row of rows) {
        try {
          claimed.push(toStored(db, row));
        } catch {
          continue;
        }
      }
      // Each claimed case's lease, in one statement.
      if (claimed.length)
        statement(
          db,
          'INSERT INTO leases (reference, owner, until) SELECT value, ?, ? FROM json_each(?) WHERE true ON CONFLICT (reference) DO UPDATE SET owner = excluded.owner, until = excluded.until',
        ).run(owner, until, JSON.stringify(claimed.map((c) => c.reference)));
      return claimed;
    })
    .immediate();
}

/**
 * Several cases' appends in one immediate transaction (one commit), each in a savepoint of its
 * own, still conditional on its version: one that fails (a conflict) is undone alone and the
 * others are written. With `release`, that owner's leases on those cases are given back in the
 * same commit.
 */
export function appendMany(
  db: Database.Database,
  auditKey: AuditKey,
  appends: readonly Append[],
  release?: LeaseRelease,
): AppendOutcome[] {
  // The newest checkpoint, read once and then followed in memory: in this immediate transaction
  // only these appends write checkpoints, and one undone in its savepoint leaves it as it was.
  let anchor: { newest: Checkpoint | undefined } | undefined;
  const one = db.transaction((input: Append): { stored: StoredCase; checkpoint: Checkpoint } => {
    anchor ??= { newest: latestCheckpoint(db) };
    const { version, lastHash, checkpoint } = writeAppend(db, auditKey, input, headOf(db, input), anchor);
    const stored: StoredCase = {
      reference: input.reference,
      boardId: input.state.boardId,
      version,
      state: input.state,
      ...(input.dueAt ? { dueAt: input.dueAt } : {}),
      lastHash,
    };
    return { stored, checkpoint };
  });
  return db
    .transaction(() => {
      const out: AppendOutcome[] = [];
      for (const input of appends) {
        try {
          // A procedure row stored by a case that is then undone is undone with it.
          const { stored, checkpoint } = withinSavepoint(db, () => one(input));
          if (anchor) anchor.newest = checkpoint;
          out.push({ reference: input.reference, stored });
        } catch (error) {
          const e = translate(error, input.reference);
          if (!(e instanceof StoreError)) throw e;
          out.push({ reference: input.reference, error: e });
        }
      }
      if (release?.references.length) {
        // One statement for the whole batch's leases.
        statement(db, 'DELETE FROM leases WHERE owner = ? AND reference IN (SELECT value FROM json_each(?))').run(
          release.owner,
          JSON.stringify(release.references),
        );
      }
      return out;
    })
    .immediate();
}

/** The version and last hash stored, checked against the version the writer read (the state itself is not read). */
function headOf(db: Database.Database, input: Append): { version: number; lastHash: string } {
  const row = statement(db, 'SELECT version, last_hash FROM cases WHERE reference = ?').get(input.reference) as
    { version: number; last_hash: string } | undefined;
  if (!row) throw new StoreError('not-found', `There is no case ${input.reference}.`, input.reference);
  if (row.version !== input.expectedVersion) throw conflict(input.reference, input.expectedVersion, row.version);
  return { version: row.version, lastHash: row.last_hash };
}

/** An append's writes, within a transaction, from the stored head: the head after. */
function writeAppend(
  db: Database.Database,
  auditKey: AuditKey,
  input: Append,
  stored: { version: number; lastHash: string },
  anchor?: { newest: Checkpoint | undefined },
): { version: number; lastHash: string; checkpoint: Checkpoint } {
  const linked = chainEvents(auditKey, input.reference, stored.version, stored.lastHash, input.events);
  const version = stored.version + linked.length;
  if (input.state.version !== version || input.state.reference !== input.reference) {
    throw new StoreError(
      'conflict',
      `The state given for case ${input.reference} does not follow from its stored version ${stored.version}; nothing was saved.`,
      input.reference,
    );
  }
  const lastHash = linked[linked.length - 1]?.hash ?? stored.lastHash;
  const changed = statement(
    db,
    'UPDATE cases SET status = ?, version = ?, due_at = ?, last_hash = ?, state = ?, updated_at = ? WHERE reference = ? AND version = ?',
  ).run(
    input.state.status,
    version,
    input.dueAt ?? null,
    lastHash,
    stateText(db, input.state),
    lastEventAt(input.events, input.state.raisedAt),
    input.reference,
    input.expectedVersion,
  );
  if (changed.changes !== 1) throw conflict(input.reference, input.expectedVersion, undefined);
  insertEvents(db, linked);
  // A timer's records change neither the case's people nor its agencies (evolve): the rows the
  // case's earlier writes recorded stand as they are, and the sweep writes none.
  if (!input.events.every(isTimerRecord)) recordPeople(db, input.state);
  const checkpoint = appendCheckpoint(
    db,
    auditKey,
    {
      reference: input.reference,
      version,
      lastHash,
      at: lastEventAt(input.events, input.state.raisedAt),
      created: false,
    },
    anchor,
  );
  if (input.outbox?.length) insertOutbox(db, input.outbox);
  return { version, lastHash, checkpoint };
}

/**
 * Rewrite a case's state and index fields from its events (after an upgrade changed the fold), if
 * its version is still the one read: one transaction; its events, hashes and checkpoints untouched.
 */
export function restateCase(db: Database.Database, input: Restate): StoredCase {
  return db
    .transaction(() => {
      const row = statement(db, 'SELECT version FROM cases WHERE reference = ?').get(input.reference) as
        { version: number } | undefined;
      if (!row) throw new StoreError('not-found', `There is no case ${input.reference}.`, input.reference);
      if (row.version !== input.expectedVersion) throw conflict(input.reference, input.expectedVersion, row.version);
      if (input.state.version !== row.version || input.state.reference !== input.reference)
        throw new StoreError(
          'conflict',
          `The state given for case ${input.reference} is not of its stored version ${row.version}; nothing was saved.`,
          input.reference,
        );
      const changed = statement(
        db,
        'UPDATE cases SET board_id = ?, status = ?, raised_at = ?, due_at = ?, state = ? WHERE reference = ? AND version = ?',
      ).run(
        input.state.boardId,
        input.state.status,
        input.state.raisedAt,
        input.dueAt ?? null,
        stateText(db, input.state),
        input.reference,
        input.expectedVersion,
      );
      if (changed.changes !== 1) throw conflict(input.reference, input.expectedVersion, undefined);
      // The lists of cases find it by the people and agencies its events give, no more and no fewer.
      statement(db, 'DELETE FROM case_people WHERE reference = ?').run(input.reference);
      statement(db, 'DELETE FROM case_agencies WHERE reference = ?').run(input.reference);
      recordPeople(db, input.state);
      return readCase(db, input.reference) as StoredCase;
    })
    .immediate();
}

/** Append the case's checkpoint to the anchor unless its newest one already records this version. */
export function anchorCase(db: Database.Database, auditKey: AuditKey, reference: string): boolean {
  return db
    .transaction(() => {
      const stored = readCase(db, reference);
      if (!stored) return false;
      const anchored = statement(
        db,
        'SELECT version, last_hash FROM checkpoints WHERE reference = ? ORDER BY seq DESC LIMIT 1',
      ).get(reference) as { version: number; last_hash: string } | undefined;
      if (anchored?.version === stored.version && anchored.last_hash === stored.lastHash) return false;
      const last = statement(db, 'SELECT at FROM events WHERE reference = ? ORDER BY seq DESC LIMIT 1').get(
        reference,
      ) as { at: string } | undefined;
      appendCheckpoint(db, auditKey, {
        reference,
        version: stored.version,
        lastHash: stored.lastHash,
        at: last?.at ?? stored.state.raisedAt,
        created: !anchored,
      });
      return true;
    })
    .immediate();
}

function insertEvents(db: Database.Database, linked: StoredEvent[]): void {
  const insert = statement(
    db,
    'INSERT INTO events (reference, seq, type, at, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  for (const e of linked)
    insert.run(e.reference, e.seq, e.event.type, e.event.at, eventText(db, e.event), e.prevHash, e.hash);
}

/** The people who took part, and the case's two agencies, as the lists of cases find them. */
function recordPeople(db: Database.Database, state: CaseState): void {
  const insert = statement(db, 'INSERT OR IGNORE INTO case_people (person_id, reference) VALUES (?, ?)');
  for (const person of state.participants) insert.run(person, state.reference);
  const agency = statement(db, 'INSERT OR IGNORE INTO case_agencies (agency_id, reference) VALUES (?, ?)');
  for (const id of new Set([state.raising.agencyId, state.responding.agencyId])) agency.run(id, state.reference);
}

function isTimerRecord(event: CaseEvent): boolean {
  return event.type === 'timer-fired' || event.type === 'timer-skipped' || event.type === 'timer-delivered';
}

function lastEventAt(events: readonly CaseEvent[], fallback: string): string {
  return events[events.length - 1]?.at ?? fallback;
}
