/**
 * The embedded store: one SQLite file (better-sqlite3, write-ahead log, full sync), the schema
 * migrated at start. Every write is one transaction: a case and its events never disagree, and a
 * failed write (a conflict, a full disk) leaves what was stored as it was.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { DEVELOPMENT_AUDIT_KEY, type AuditKey } from '../../app/store/chain';
import type {
  Append,
  AppendOutcome,
  LeaseRelease,
  CaseRecordFields,
  CaseRepository,
  Checkpoint,
  CaseSummary,
  DueCase,
  NewCase,
  Restate,
  SealedDetails,
  StoredCase,
  StoredEvent,
  PersonalCard,
  ThreadReference,
  Contact,
  AccessEntry,
  AccessFilter,
  SecurityEvent,
  SecurityFilter,
} from '../../app/store/repository';
import * as reads from './case-reads';
import * as writes from './case-writes';
import { BUSY_BUDGET_MS, BUSY_TIMEOUT_MS, busyPause, isBusy, translate } from './errors';
import { insertAccess, insertSecurityEvent, selectAccess, selectSecurityEvents } from './logs';
import { readCheckpoints } from './checkpoints';
import { MIGRATIONS } from './migrations';
import { withoutWaitingForDisk } from './statements';
import { settleProcedures } from './procedures';
import * as directoryLog from './directory-log';
import type { NewDirectoryEntry } from '../../app/store/directory-log';
import type { DirectoryEntry } from '../../domain/directory';
import * as side from './side-records';
import * as outbox from './outbox';
import * as slack from './slack-installations';
import type { InstallationKey, SlackInstallationRecord } from '../../app/store/slack-installations';
import type { NewOutboxItem, OutboxFilter, OutboxItem, OutboxSetback, OutboxStats } from '../../app/store/outbox';

export { DUE_QUERY } from './case-reads';
export { CLAIM_DUE_QUERY } from './case-writes';

/** A claim is checked before a request is handled: it waits only briefly for a busy file, then says so. */
const CLAIM_BUDGET_MS = 250;

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
    return this.run(() => writes.nextSequence(this.db, boardId, year));
  }

  createCase(input: NewCase): Promise<{ created: boolean; case: StoredCase }> {
    return this.run(() => writes.createCase(this.db, this.auditKey, input), input.state.reference);
  }

  appendEvents(input: Append): Promise<StoredCase> {
    return this.run(() => writes.appendEvents(this.db, this.auditKey, input), input.reference);
  }

  appendMany(appends: readonly Append[], release?: LeaseRelease): Promise<AppendOutcome[]> {
    return this.run(() => writes.appendMany(this.db, this.auditKey, appends, release));
  }

  claimDueCases(now: string, owner: string, until: string, limit: number): Promise<StoredCase[]> {
    return this.run(() => writes.claimDueCases(this.db, now, owner, until, limit));
  }

  restateCase(input: Restate): Promise<StoredCase> {
    return this.run(() => writes.restateCase(this.db, input), input.reference);
  }

  getCase(reference: string): Promise<StoredCase | undefined> {
    return this.run(() => reads.readCase(this.db, reference), reference);
  }

  findByIdempotencyKey(key: string): Promise<StoredCase | undefined> {
    return this.run(() => reads.findByIdempotencyKey(this.db, key));
  }

  getEvents(reference: string): Promise<StoredEvent[]> {
    return this.run(() => reads.readEvents(this.db, reference), reference);
  }

  dueCases(at: string, limit: number): Promise<DueCase[]> {
    return this.run(() => reads.dueCases(this.db, at, limit));
  }

  casesOfBoard(boardId: string, from: string, to: string): Promise<CaseSummary[]> {
    return this.run(() => reads.casesOfBoard(this.db, boardId, from, to));
  }

  readCasesOfBoard(boardId: string, from: string, to: string): Promise<StoredCase[]> {
    return this.run(() => reads.readCasesOfBoard(this.db, boardId, from, to));
  }

  casesOfPerson(personId: string): Promise<CaseSummary[]> {
    return this.run(() => reads.casesOfPerson(this.db, personId));
  }

  openCasesOfAgency(agencyId: string): Promise<CaseSummary[]> {
    return this.run(() => reads.openCasesOfAgency(this.db, agencyId));
  }

  openCasesOfBoard(boardId: string): Promise<CaseSummary[]> {
    return this.run(() => reads.openCasesOfBoard(this.db, boardId));
  }

  allReferences(): Promise<string[]> {
    return this.run(() => reads.allReferences(this.db));
  }

  saveThread(caseReference: string, thread: ThreadReference): Promise<void> {
    return this.run(() => side.saveThread(this.db, caseReference, thread), caseReference);
  }

  getThreads(caseReference: string): Promise<ThreadReference[]> {
    return this.run(() => side.getThreads(this.db, caseReference));
  }

  savePersonalCard(caseReference: string, card: PersonalCard): Promise<void> {
    return this.run(() => side.savePersonalCard(this.db, caseReference, card), caseReference);
  }

  getPersonalCards(caseReference: string): Promise<PersonalCard[]> {
    return this.run(() => side.getPersonalCards(this.db, caseReference));
  }

  saveSlackInstallation(record: SlackInstallationRecord): Promise<void> {
    return this.run(() => slack.saveSlackInstallation(this.db, record));
  }

  getSlackInstallation(key: InstallationKey): Promise<SlackInstallationRecord | undefined> {
    return this.run(() => slack.getSlackInstallation(this.db, key));
  }

  deleteSlackInstallation(key: InstallationKey): Promise<boolean> {
    return this.run(() => slack.deleteSlackInstallation(this.db, key));
  }

  listSlackInstallations(): Promise<Array<Omit<SlackInstallationRecord, 'sealed'>>> {
    return this.run(() => slack.listSlackInstallations(this.db));
  }

  saveContact(contact: Contact): Promise<void> {
    return this.run(() => side.saveContact(this.db, contact));
  }

  getContact(personId: string, platform: Contact['platform']): Promise<Contact | undefined> {
    return this.run(() => side.getContact(this.db, personId, platform));
  }

  claimLease(reference: string, owner: string, until: string, now: string): Promise<boolean> {
    return this.run(() => side.claimLease(this.db, reference, owner, until, now), reference);
  }

  releaseLease(reference: string, owner: string): Promise<void> {
    return this.run(() => side.releaseLease(this.db, reference, owner), reference);
  }

  enqueue(items: readonly NewOutboxItem[]): Promise<void> {
    return this.run(() => outbox.enqueue(this.db, items));
  }

  claimOutbox(owner: string, now: string, until: string, limit: number): Promise<OutboxItem[]> {
    return this.run(() => outbox.claimOutbox(this.db, owner, now, until, limit));
  }

  progressOutbox(id: string, owner: string, result: Record<string, unknown>): Promise<boolean> {
    return this.run(() => outbox.progressOutbox(this.db, id, owner, result));
  }

  completeOutbox(
    id: string,
    owner: string | undefined,
    at: string,
    result?: Record<string, unknown>,
  ): Promise<boolean> {
    return this.run(() => outbox.completeOutbox(this.db, id, owner, at, result));
  }

  setBackOutbox(id: string, owner: string, setback: OutboxSetback): Promise<boolean> {
    return this.run(() => outbox.setBackOutbox(this.db, id, owner, setback));
  }

  listOutbox(filter?: OutboxFilter): Promise<OutboxItem[]> {
    return this.run(() => outbox.listOutbox(this.db, filter));
  }

  retryOutbox(filter: { reference?: string; ids?: readonly string[] }, now: string): Promise<number> {
    return this.run(() => outbox.retryOutbox(this.db, filter, now));
  }

  outboxStats(): Promise<OutboxStats> {
    return this.run(() => outbox.outboxStats(this.db));
  }

  pruneOutbox(before: string, limit: number): Promise<number> {
    return this.run(() => outbox.pruneOutbox(this.db, before, limit));
  }

  /**
   * A claim only keeps a replay out, and every signed Slack request makes one before it is
   * answered: it is committed without waiting for the disk (synchronous NORMAL, in WAL mode, for
   * this one transaction), so the check costs no fsync on the way to an answer. Every other write
   * stays FULL, and the next one makes the claims before it durable too; a crash in between can
   * only forget the claims of its last moments.
   */
  claimRequest(scope: string, key: string, at: string): Promise<boolean> {
    return this.run(
      () => withoutWaitingForDisk(this.db, () => side.claimRequest(this.db, scope, key, at)),
      undefined,
      CLAIM_BUDGET_MS,
    );
  }

  savePersonalDetails(reference: string, sealed: SealedDetails): Promise<void> {
    return this.run(() => side.savePersonalDetails(this.db, reference, sealed), reference);
  }

  readPersonalDetails(reference: string): Promise<SealedDetails | undefined> {
    return this.run(() => side.readPersonalDetails(this.db, reference), reference);
  }

  erasePersonalDetails(reference: string): Promise<boolean> {
    return this.run(() => side.erasePersonalDetails(this.db, reference), reference);
  }

  personalDetailsNotUnder(
    keyId: string,
    limit: number,
    after?: string,
  ): Promise<Array<{ reference: string; sealed: SealedDetails }>> {
    return this.run(() => side.personalDetailsNotUnder(this.db, keyId, limit, after));
  }

  countPersonalDetails(keyId: string): Promise<{ under: number; notUnder: number }> {
    return this.run(() => side.countPersonalDetails(this.db, keyId));
  }

  resealPersonalDetails(reference: string, expected: SealedDetails, next: SealedDetails): Promise<boolean> {
    return this.run(() => side.resealPersonalDetails(this.db, reference, expected, next), reference);
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
    return this.run(() => writes.anchorCase(this.db, this.auditKey, reference), reference);
  }

  recordFields(reference: string): Promise<CaseRecordFields | undefined> {
    return this.run(() => reads.recordFields(this.db, reference), reference);
  }

  appendDirectoryChange(entry: NewDirectoryEntry): Promise<DirectoryEntry> {
    return this.run(() => directoryLog.appendDirectoryChange(this.db, entry));
  }

  directoryChanges(afterSeq: number, limit?: number): Promise<DirectoryEntry[]> {
    return this.run(() => directoryLog.directoryChanges(this.db, afterSeq, limit));
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }

  // ── internals ──────────────────────────────────────────────────────────────────────

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
        const done = work();
        settleProcedures(this.db, true);
        return done;
      } catch (error) {
        settleProcedures(this.db, false);
        pause = busyPause(attempt);
        if (!isBusy(error) || !this.db.open || Date.now() - started + pause > budgetMs)
          throw translate(error, reference);
      }
      await sleep(pause);
    }
  }
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
