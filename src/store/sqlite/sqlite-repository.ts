/**
 * The embedded store: one SQLite file (better-sqlite3, write-ahead log, full sync), the schema
 * migrated at start. Every write is one transaction: a case and its events never disagree, and a
 * failed write (a conflict, a full disk) leaves what was stored as it was.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { Head } from '../../app/store/anchor';
import { chainEvents, DEVELOPMENT_AUDIT_KEY, GENESIS, type AuditKey } from '../../app/store/chain';
import {
  conflict,
  StoreError,
  type Append,
  type CaseRecordFields,
  type CaseRepository,
  type Checkpoint,
  type CaseSummary,
  type DueCase,
  type NewCase,
  type SealedDetails,
  type StoredCase,
  type StoredEvent,
  type ThreadReference,
  type Contact,
  type AccessEntry,
  type AccessFilter,
  type SecurityEvent,
  type SecurityFilter,
} from '../../app/store/repository';
import type { CaseEvent, CaseState } from '../../domain/escalation';
import { corrupt, readStoredCase } from '../stored-case';
import { BUSY_BUDGET_MS, BUSY_TIMEOUT_MS, busyPause, isBusy, translate } from './errors';
import { insertAccess, insertSecurityEvent, selectAccess, selectSecurityEvents } from './logs';
import { appendCheckpoint, readCheckpoints } from './checkpoints';
import { MIGRATIONS } from './migrations';

/** A claim is checked before a request is handled: it waits only briefly for a busy file, then says so. */
const CLAIM_BUDGET_MS = 250;

interface CaseRow {
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

export interface SqliteOptions {
  /** Refuse writes (used by audits and reports). */
  readonly?: boolean;
  /** How long, in all, to keep trying while another process holds the file's lock (ms). */
  busyBudgetMs?: number;
  /** How many security log entries are kept (the newest); SECURITY_LOG_CAP unless given. */
  securityLogCap?: number;
  /** The key that seals the timeline and the anchor (the development key unless given). */
  auditKey?: AuditKey;
}

export class SqliteRepository implements CaseRepository {
  readonly kind = 'sqlite' as const;
  readonly anchoredWithEachWrite = true;

  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    readonly file: string,
    private readonly db: Database.Database,
    private readonly busyBudgetMs: number,
    private readonly auditKey: AuditKey,
    private readonly securityLogCap?: number,
  ) {}

  static open(file: string, options: SqliteOptions = {}): SqliteRepository {
    if (file !== ':memory:' && !options.readonly) mkdirSync(dirname(file), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
      // Opening (and migrating) happens once, before the bot serves anyone: it may wait longer.
      db.pragma('busy_timeout = 5000');
      if (!options.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
        db.pragma('foreign_keys = ON');
        migrate(db);
      }
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    } catch (error) {
      throw translate(error);
    }
    return new SqliteRepository(
      file,
      db,
      options.busyBudgetMs ?? BUSY_BUDGET_MS,
      options.auditKey ?? DEVELOPMENT_AUDIT_KEY,
      options.securityLogCap,
    );
  }

  /** The raw connection, for tests that tamper with the file on purpose. */
  get connection(): Database.Database {
    return this.db;
  }

  nextSequence(boardId: string, year: number): Promise<number> {
    return this.run(() => {
      const row = this.db
        .prepare(
          'INSERT INTO sequences (board_id, year, last) VALUES (?, ?, 1) ON CONFLICT (board_id, year) DO UPDATE SET last = last + 1 RETURNING last',
        )
        .get(boardId, year) as { last: number };
      return row.last;
    });
  }

  createCase(input: NewCase): Promise<{ created: boolean; case: StoredCase }> {
    const { state } = input;
    return this.run(
      () =>
        this.db
          .transaction(() => {
            if (input.idempotencyKey !== undefined) {
              const existing = this.statement('SELECT reference FROM cases WHERE idempotency_key = ?').get(
                input.idempotencyKey,
              ) as { reference: string } | undefined;
              if (existing) return { created: false, case: this.readCase(existing.reference) as StoredCase };
            }
            if (this.statement('SELECT 1 FROM cases WHERE reference = ?').get(state.reference)) {
              throw new StoreError(
                'conflict',
                `A case with the reference ${state.reference} already exists; nothing was overwritten.`,
                state.reference,
              );
            }
            const linked = chainEvents(this.auditKey, state.reference, 0, GENESIS, input.events);
            const lastHash = linked[linked.length - 1]?.hash ?? GENESIS;
            this.db
              .prepare(
                `INSERT INTO cases (reference, board_id, status, version, raised_at, due_at, last_hash, idempotency_key, state, updated_at)
               VALUES (@reference, @board, @status, @version, @raisedAt, @dueAt, @lastHash, @key, @state, @now)`,
              )
              .run({
                reference: state.reference,
                board: state.boardId,
                status: state.status,
                version: linked.length,
                raisedAt: state.raisedAt,
                dueAt: input.dueAt ?? null,
                lastHash,
                key: input.idempotencyKey ?? null,
                state: JSON.stringify(state),
                now: lastEventAt(input.events, state.raisedAt),
              });
            this.insertEvents(linked);
            this.recordPeople(state);
            this.appendCheckpoint({
              reference: state.reference,
              version: linked.length,
              lastHash,
              at: lastEventAt(input.events, state.raisedAt),
              created: true,
              ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
            });
            return { created: true, case: this.readCase(state.reference) as StoredCase };
          })
          .immediate(),
      state.reference,
    );
  }

  appendEvents(input: Append): Promise<StoredCase> {
    return this.run(
      () =>
        this.db
          .transaction(() => {
            const row = this.statement(
              'SELECT reference, board_id, version, due_at, last_hash, state FROM cases WHERE reference = ?',
            ).get(input.reference) as CaseRow | undefined;
            if (!row) throw new StoreError('not-found', `There is no case ${input.reference}.`, input.reference);
            const stored = this.toStored(row);
            if (stored.version !== input.expectedVersion)
              throw conflict(input.reference, input.expectedVersion, stored.version);
            const linked = chainEvents(this.auditKey, input.reference, stored.version, stored.lastHash, input.events);
            const version = stored.version + linked.length;
            if (input.state.version !== version || input.state.reference !== input.reference) {
              throw new StoreError(
                'conflict',
                `The state given for case ${input.reference} does not follow from its stored version ${stored.version}; nothing was saved.`,
                input.reference,
              );
            }
            const changed = this.db
              .prepare(
                'UPDATE cases SET status = ?, version = ?, due_at = ?, last_hash = ?, state = ?, updated_at = ? WHERE reference = ? AND version = ?',
              )
              .run(
                input.state.status,
                version,
                input.dueAt ?? null,
                linked[linked.length - 1]?.hash ?? stored.lastHash,
                JSON.stringify(input.state),
                lastEventAt(input.events, input.state.raisedAt),
                input.reference,
                input.expectedVersion,
              );
            if (changed.changes !== 1) throw conflict(input.reference, input.expectedVersion, undefined);
            this.insertEvents(linked);
            this.recordPeople(input.state);
            this.appendCheckpoint({
              reference: input.reference,
              version,
              lastHash: linked[linked.length - 1]?.hash ?? stored.lastHash,
              at: lastEventAt(input.events, input.state.raisedAt),
              created: false,
            });
            return this.readCase(input.reference) as StoredCase;
          })
          .immediate(),
      input.reference,
    );
  }

  getCase(reference: string): Promise<StoredCase | undefined> {
    return this.run(() => this.readCase(reference), reference);
  }

  findByIdempotencyKey(key: string): Promise<StoredCase | undefined> {
    return this.run(() => {
      const row = this.statement('SELECT reference FROM cases WHERE idempotency_key = ?').get(key) as
        { reference: string } | undefined;
      return row ? this.readCase(row.reference) : undefined;
    });
  }

  getEvents(reference: string): Promise<StoredEvent[]> {
    return this.run(() => {
      const rows = this.statement(
        'SELECT reference, seq, body, prev_hash, hash FROM events WHERE reference = ? ORDER BY seq',
      ).all(reference) as EventRow[];
      return rows.map((r) => {
        let event: CaseEvent;
        try {
          event = JSON.parse(r.body) as CaseEvent;
        } catch (cause) {
          throw corrupt(reference, `event ${r.seq} is not readable JSON`, cause);
        }
        return { reference: r.reference, seq: r.seq, event, prevHash: r.prev_hash, hash: r.hash };
      });
    }, reference);
  }

  dueCases(at: string, limit: number): Promise<DueCase[]> {
    return this.run(() => {
      const rows = this.statement(DUE_QUERY).all(at, limit) as DueCase[];
      return rows.map((r) => ({ reference: r.reference, dueAt: r.dueAt, version: r.version }));
    });
  }

  casesOfBoard(boardId: string, from: string, to: string): Promise<CaseSummary[]> {
    return this.run(() =>
      this.summaries(
        'SELECT reference, board_id, status, raised_at, version FROM cases WHERE board_id = ? AND raised_at >= ? AND raised_at < ? ORDER BY raised_at, reference',
        boardId,
        from,
        to,
      ),
    );
  }

  casesOfPerson(personId: string): Promise<CaseSummary[]> {
    return this.run(() =>
      this.summaries(
        'SELECT c.reference, c.board_id, c.status, c.raised_at, c.version FROM case_people p JOIN cases c ON c.reference = p.reference WHERE p.person_id = ? ORDER BY c.raised_at, c.reference',
        personId,
      ),
    );
  }

  allReferences(): Promise<string[]> {
    return this.run(() =>
      (this.statement('SELECT reference FROM cases ORDER BY reference').all() as Array<{ reference: string }>).map(
        (r) => r.reference,
      ),
    );
  }

  saveThread(caseReference: string, thread: ThreadReference): Promise<void> {
    return this.run(() => {
      this.db
        .prepare(
          'INSERT INTO threads (reference, platform, agency_id, ref, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (reference, platform, agency_id) DO UPDATE SET ref = excluded.ref, updated_at = excluded.updated_at',
        )
        .run(
          caseReference,
          thread.platform,
          thread.agencyId,
          JSON.stringify(thread.reference),
          new Date().toISOString(),
        );
    }, caseReference);
  }

  getThreads(caseReference: string): Promise<ThreadReference[]> {
    return this.run(() =>
      (
        this.statement(
          'SELECT platform, agency_id, ref FROM threads WHERE reference = ? ORDER BY platform, agency_id',
        ).all(caseReference) as Array<{ platform: 'slack' | 'teams'; agency_id: string; ref: string }>
      ).map((r) => ({
        platform: r.platform,
        agencyId: r.agency_id,
        reference: JSON.parse(r.ref) as Record<string, unknown>,
      })),
    );
  }

  saveContact(contact: Contact): Promise<void> {
    return this.run(() => {
      this.db
        .prepare(
          'INSERT INTO contacts (person_id, platform, ref, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (person_id, platform) DO UPDATE SET ref = excluded.ref, updated_at = excluded.updated_at',
        )
        .run(contact.personId, contact.platform, JSON.stringify(contact.reference), contact.updatedAt);
    });
  }

  getContact(personId: string, platform: Contact['platform']): Promise<Contact | undefined> {
    return this.run(() => {
      const row = this.statement('SELECT ref, updated_at FROM contacts WHERE person_id = ? AND platform = ?').get(
        personId,
        platform,
      ) as { ref: string; updated_at: string } | undefined;
      return row
        ? { personId, platform, reference: JSON.parse(row.ref) as Record<string, unknown>, updatedAt: row.updated_at }
        : undefined;
    });
  }

  claimLease(reference: string, owner: string, until: string, now: string): Promise<boolean> {
    return this.run(() => {
      // Taken if nobody holds it, it has run out, or the owner already holds it (renewal).
      const changed = this.db
        .prepare(
          'INSERT INTO leases (reference, owner, until) VALUES (?, ?, ?) ON CONFLICT (reference) DO UPDATE SET owner = excluded.owner, until = excluded.until WHERE leases.until <= ? OR leases.owner = excluded.owner',
        )
        .run(reference, owner, until, now).changes;
      return changed === 1;
    }, reference);
  }

  releaseLease(reference: string, owner: string): Promise<void> {
    return this.run(() => {
      this.statement('DELETE FROM leases WHERE reference = ? AND owner = ?').run(reference, owner);
    }, reference);
  }

  claimRequest(scope: string, key: string, at: string): Promise<boolean> {
    return this.run(
      () =>
        this.statement('INSERT OR IGNORE INTO requests (scope, key, claimed_at) VALUES (?, ?, ?)').run(scope, key, at)
          .changes === 1,
      undefined,
      CLAIM_BUDGET_MS,
    );
  }

  savePersonalDetails(reference: string, sealed: SealedDetails): Promise<void> {
    return this.run(() => {
      this.db
        .prepare(
          'INSERT INTO personal_details (reference, key_id, iv, tag, ciphertext) VALUES (?, ?, ?, ?, ?) ON CONFLICT (reference) DO UPDATE SET key_id = excluded.key_id, iv = excluded.iv, tag = excluded.tag, ciphertext = excluded.ciphertext',
        )
        .run(reference, sealed.keyId, sealed.iv, sealed.tag, sealed.ciphertext);
    }, reference);
  }

  readPersonalDetails(reference: string): Promise<SealedDetails | undefined> {
    return this.run(() => {
      const row = this.statement(
        'SELECT key_id AS keyId, iv, tag, ciphertext FROM personal_details WHERE reference = ?',
      ).get(reference) as SealedDetails | undefined;
      return row ? { keyId: row.keyId, iv: row.iv, tag: row.tag, ciphertext: row.ciphertext } : undefined;
    }, reference);
  }

  erasePersonalDetails(reference: string): Promise<boolean> {
    return this.run(
      () => this.statement('DELETE FROM personal_details WHERE reference = ?').run(reference).changes === 1,
      reference,
    );
  }

  recordAccess(entry: AccessEntry): Promise<void> {
    return this.run(() => insertAccess(this.db, entry), entry.reference);
  }

  accessLog(filter?: AccessFilter): Promise<AccessEntry[]> {
    return this.run(() => selectAccess(this.db, filter));
  }

  recordSecurityEvent(event: SecurityEvent): Promise<void> {
    return this.run(() => insertSecurityEvent(this.db, event, this.securityLogCap));
  }

  securityEvents(filter?: SecurityFilter): Promise<SecurityEvent[]> {
    return this.run(() => selectSecurityEvents(this.db, filter));
  }

  readCheckpoints(): Promise<Checkpoint[]> {
    return this.run(() => readCheckpoints(this.db));
  }

  anchorCase(reference: string): Promise<boolean> {
    return this.run(
      () =>
        this.db
          .transaction(() => {
            const stored = this.readCase(reference);
            if (!stored) return false;
            const anchored = this.statement(
              'SELECT version, last_hash FROM checkpoints WHERE reference = ? ORDER BY seq DESC LIMIT 1',
            ).get(reference) as { version: number; last_hash: string } | undefined;
            if (anchored?.version === stored.version && anchored.last_hash === stored.lastHash) return false;
            const last = this.statement('SELECT at FROM events WHERE reference = ? ORDER BY seq DESC LIMIT 1').get(
              reference,
            ) as { at: string } | undefined;
            this.appendCheckpoint({
              reference,
              version: stored.version,
              lastHash: stored.lastHash,
              at: last?.at ?? stored.state.raisedAt,
              created: !anchored,
            });
            return true;
          })
          .immediate(),
      reference,
    );
  }

  recordFields(reference: string): Promise<CaseRecordFields | undefined> {
    return this.run(() => {
      const row = this.statement(
        'SELECT board_id, status, raised_at, version, last_hash, due_at, idempotency_key FROM cases WHERE reference = ?',
      ).get(reference) as
        | (Omit<CaseRow, 'state' | 'reference'> & { status: string; raised_at: string; idempotency_key: string | null })
        | undefined;
      if (!row) return undefined;
      const people = (
        this.statement('SELECT person_id FROM case_people WHERE reference = ? ORDER BY person_id').all(
          reference,
        ) as Array<{ person_id: string }>
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
    }, reference);
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }

  // ── internals ──────────────────────────────────────────────────────────────────────

  /** A prepared statement, prepared once per connection. */
  private statement(sql: string): Database.Statement {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  /**
   * Run synchronous work (one statement or one transaction, so all or nothing) as a promise, with
   * SQLite's errors put into words. While another process holds the lock, try again after a
   * pause on a timer (never a wait that stops the process), up to the busy budget.
   */
  private async run<T>(work: () => T, reference?: string, budgetMs = this.busyBudgetMs): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let pause: number;
      try {
        return work();
      } catch (error) {
        pause = busyPause(attempt);
        if (!isBusy(error) || !this.db.open || Date.now() - started + pause > budgetMs)
          throw translate(error, reference);
      }
      await sleep(pause);
    }
  }

  private readCase(reference: string): StoredCase | undefined {
    const row = this.statement(
      'SELECT reference, board_id, version, due_at, last_hash, state FROM cases WHERE reference = ?',
    ).get(reference) as CaseRow | undefined;
    return row ? this.toStored(row) : undefined;
  }

  private toStored(row: CaseRow): StoredCase {
    return readStoredCase(row.reference, {
      reference: row.reference,
      boardId: row.board_id,
      version: row.version,
      lastHash: row.last_hash,
      state: row.state,
      ...(row.due_at ? { dueAt: row.due_at } : {}),
    });
  }

  private insertEvents(linked: StoredEvent[]): void {
    const insert = this.statement(
      'INSERT INTO events (reference, seq, type, at, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const e of linked)
      insert.run(e.reference, e.seq, e.event.type, e.event.at, JSON.stringify(e.event), e.prevHash, e.hash);
  }

  /** The anchor's next checkpoint, in the transaction of the write it records. */
  private appendCheckpoint(head: Head): void {
    appendCheckpoint(this.db, this.auditKey, head);
  }

  private recordPeople(state: CaseState): void {
    const insert = this.statement('INSERT OR IGNORE INTO case_people (person_id, reference) VALUES (?, ?)');
    for (const person of state.participants) insert.run(person, state.reference);
  }

  private summaries(sql: string, ...params: unknown[]): CaseSummary[] {
    return (
      this.statement(sql).all(...params) as Array<{
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
}

function lastEventAt(events: readonly CaseEvent[], fallback: string): string {
  return events[events.length - 1]?.at ?? fallback;
}

function migrate(db: Database.Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version),
  );
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    }).immediate();
  }
}
