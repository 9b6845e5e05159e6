/**
 * The store port: what the application needs from a durable record. Two implementations,
 * SQLite (src/store/sqlite) and Azure Cosmos DB (src/store/cosmos), pass one contract suite
 * (tests/contract), so neither can drift.
 *
 * The record of a case is its timeline: events, append-only, each carrying the hash of the one
 * before it. The case's current state is kept beside it for reading, written in the same
 * atomic step as the events that produced it, and only when the writer read the version that
 * is stored (optimistic concurrency).
 */
import type { CaseEvent, CaseState } from '../../domain/escalation';
import type { DirectoryLogStore } from './directory-log';
import type { NewOutboxItem, OutboxStore } from './outbox';
import type { SlackInstallationStore } from './slack-installations';
import type { SweepStore } from './sweep-store';

export type { AppendOutcome, LeaseRelease } from './sweep-store';

/** One event as stored: its place in the case's chain and the hashes that link it. */
export interface StoredEvent {
  reference: string;
  /** 1 for the first event of a case, then 2, 3… with no gaps. */
  seq: number;
  event: CaseEvent;
  prevHash: string;
  hash: string;
}

export interface StoredCase {
  reference: string;
  boardId: string;
  /** Number of events recorded; a write states the version it read. */
  version: number;
  state: CaseState;
  /** When the case next needs the deadline sweeper's attention (absent once it owes nothing). */
  dueAt?: string;
  /** Hash of the last event, so that a removed last event is detected too. */
  lastHash: string;
}

export interface NewCase {
  state: CaseState;
  events: CaseEvent[];
  dueAt?: string;
  /** A second create with the same key returns the case the first one made. */
  idempotencyKey?: string;
  /** What the new case owes people, written with it (nothing, when the key was used before). */
  outbox?: readonly NewOutboxItem[];
}

export interface Append {
  reference: string;
  /** The version the writer read; a different stored version is a conflict. */
  expectedVersion: number;
  events: CaseEvent[];
  state: CaseState;
  dueAt?: string;
  /** What the change owes people, written in the same atomic step as its events. */
  outbox?: readonly NewOutboxItem[];
}

/**
 * A case's stored state and index fields rewritten from its own events (after an upgrade changed
 * the fold or the timers): its events, their hashes and the anchor are not touched.
 */
export interface Restate {
  reference: string;
  /** The version the writer read (and replayed); a different stored version is a conflict. */
  expectedVersion: number;
  /** The fold of the case's events, as this release makes it (its version is `expectedVersion`). */
  state: CaseState;
  /** When the case next needs the deadline sweeper, as this release's timers give it. */
  dueAt?: string;
}

export interface DueCase {
  reference: string;
  dueAt: string;
  version: number;
}

export interface CaseSummary {
  reference: string;
  boardId: string;
  status: CaseState['status'];
  raisedAt: string;
  version: number;
}

/** Where a case's conversation lives on a chat platform, so the bot can post to it later. */
export interface ThreadReference {
  platform: 'slack' | 'teams';
  /** Which agency's thread (a case may have one on each platform). */
  agencyId: string;
  /** The platform's own reference (Slack channel and message ts; Teams conversation reference). */
  reference: Record<string, unknown>;
}

/**
 * A person's own card of a case, in their 1:1 chat with the bot: one per person, case and
 * platform, kept current with every change. When a new card replaces it (something new is asked
 * of them), the earlier copies are `retired`: each is changed to a line pointing to the new one.
 */
export interface PersonalCard {
  platform: 'slack' | 'teams';
  personId: string;
  /** Where the card is (Slack: channel and ts; Teams: the personal chat's reference and the activity id). */
  message: Record<string, unknown>;
  /** Earlier copies not yet changed to "this card has moved". */
  retired: Record<string, unknown>[];
  updatedAt: string;
}

/**
 * How the bot reaches a member of staff directly: their 1:1 conversation with it on a platform
 * (a Teams conversation reference, a Slack DM channel). Staff only; never the adult.
 */
export interface Contact {
  personId: string;
  platform: 'slack' | 'teams';
  reference: Record<string, unknown>;
  updatedAt: string;
}

/** Encrypted personal details as stored: never readable without the key. */
export interface SealedDetails {
  keyId: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

/** What kind of break `audit verify` found: each has its own name, so a report can be acted on. */
export type BreakKind =
  | 'event-edited'
  | 'event-missing'
  | 'chain-broken'
  | 'forged-event'
  | 'not-keyed'
  | 'version-mismatch'
  | 'head-mismatch'
  | 'timeline-truncated'
  | 'case-missing'
  | 'case-unreadable'
  | 'state-mismatch'
  | 'record-mismatch'
  | 'idempotency-mismatch'
  | 'personal-details-altered'
  | 'case-deleted'
  | 'rolled-back'
  | 'not-anchored'
  | 'case-count-mismatch'
  | 'anchor-broken'
  | 'anchor-missing-checkpoint'
  | 'wrong-audit-key';

export interface AuditFinding {
  /** The case, or `store` for a break in the store-wide anchor. */
  reference: string;
  /** The first event that does not fit the chain (its sequence number), if any. */
  seq?: number;
  kind: BreakKind;
  problem: string;
}

/**
 * One reading of a case's contents that the board may need to account for: the adult's details
 * opened or given, a case record or form handed over, a card shown. Kept apart from the case's
 * timeline; never holds the adult's details themselves.
 */
export interface AccessEntry {
  at: string;
  reference: string;
  personId: string;
  agencyId: string;
  /** 'personal-details', 'personal-details-given', 'card', 'case-record', 'case-record-with-details', 'form:<id>' */
  what: string;
  platform?: 'slack' | 'teams' | 'cli';
}

export interface AccessFilter {
  reference?: string;
  personId?: string;
  /** At or after this instant. */
  since?: string;
  /** At most this many, newest first (default 1000). */
  limit?: number;
}

/**
 * An attempt by someone who is no party to a case (or a command that does not exist) that was
 * refused: kept in a bounded security log, never on the case's timeline.
 */
export interface SecurityEvent {
  at: string;
  kind:
    | 'read-by-non-party'
    | 'command-by-non-party'
    | 'unknown-command'
    | 'no-such-case'
    /** A chat user the bot would not take as a member of any agency (a guest, a bot, another workspace). */
    | 'identity-refused'
    /** A directory change (a role, someone else's absence) asked for by someone not allowed to make it. */
    | 'directory-change-refused';
  /** What was tried: a known command or read ('refresh', 'documents', 'acknowledge'…) or 'unknown'. */
  action: string;
  /** Only a well-formed case reference; whatever else was sent is not kept. */
  reference?: string;
  personId?: string;
  agencyId?: string;
  platform?: 'slack' | 'teams';
}

export interface SecurityFilter {
  since?: string;
  reference?: string;
  personId?: string;
  /** At most this many, newest first (default 1000). */
  limit?: number;
}

/** The security log keeps the newest this many (SQLite); Cosmos DB lets older entries expire. */
export const SECURITY_LOG_CAP = 10_000;

/**
 * A signed checkpoint of the store-wide anchor: one case's head (its version and last event's
 * hash) and how many cases the store holds, sealed under the audit key and chained to the
 * checkpoint before it. Written with every case write, append-only.
 */
export interface Checkpoint {
  /** 1, 2, 3… with no gaps. */
  seq: number;
  /** When the write it records happened (its last event's time). */
  at: string;
  reference: string;
  version: number;
  lastHash: string;
  /** Cases in the store after this write. */
  cases: number;
  /** SHA-256 of the idempotency key the case was created with (creation checkpoints only). */
  idempotency?: string;
  /** Which audit key sealed it (its public id). */
  keyId: string;
  /** The seal of the checkpoint before (GENESIS for the first). */
  prev: string;
  /** HMAC-SHA-256 under the audit key of everything above. */
  seal: string;
}

/** A case's record as the store indexes it (beside its state), for `audit verify` to compare. */
export interface CaseRecordFields {
  boardId: string;
  status: string;
  raisedAt: string;
  version: number;
  lastHash: string;
  dueAt?: string;
  idempotencyKey?: string;
  /** Everyone the store lists as having taken part (for "cases of a person"). */
  people: string[];
}

export interface CaseRepository extends OutboxStore, SweepStore, SlackInstallationStore, DirectoryLogStore {
  readonly kind: 'sqlite' | 'cosmos';

  /** The next case number of a board in a year: 1, 2, 3… never the same twice. */
  nextSequence(boardId: string, year: number): Promise<number>;

  /** Store a new case with its first events. With an idempotency key already used: the existing case. */
  createCase(input: NewCase): Promise<{ created: boolean; case: StoredCase }>;

  /** Append events and the state they produce, if the stored version is `expectedVersion`. */
  appendEvents(input: Append): Promise<StoredCase>;

  /**
   * Rewrite a case's stored state and index fields (status, due time, people, agencies) from its
   * events, if the stored version is still `expectedVersion` (else StoreError 'conflict', nothing
   * written). Never adds, changes or removes events, hashes or checkpoints.
   */
  restateCase(input: Restate): Promise<StoredCase>;

  getCase(reference: string): Promise<StoredCase | undefined>;
  /** The case a create with this idempotency key made, if any. */
  findByIdempotencyKey(key: string): Promise<StoredCase | undefined>;
  getEvents(reference: string): Promise<StoredEvent[]>;

  /** Open cases due at or before `at`, earliest first: cost follows the number due. */
  dueCases(at: string, limit: number): Promise<DueCase[]>;

  /** Cases of a board raised in [from, to). */
  casesOfBoard(boardId: string, from: string, to: string): Promise<CaseSummary[]>;
  /**
   * The cases of a board raised in [from, to), whole, oldest first, in one query (for figures
   * over many cases: no read per case).
   */
  readCasesOfBoard(boardId: string, from: string, to: string): Promise<StoredCase[]>;
  /** Cases a person has taken part in. */
  casesOfPerson(personId: string): Promise<CaseSummary[]>;
  /** Open cases in which an agency is the raising or the responding one, oldest first (for its role holders' lists). */
  openCasesOfAgency(agencyId: string): Promise<CaseSummary[]>;
  /** Open cases of a board, oldest first (for the board's own role holders' lists). */
  openCasesOfBoard(boardId: string): Promise<CaseSummary[]>;
  /** Every case reference, for audits. */
  allReferences(): Promise<string[]>;

  saveThread(caseReference: string, thread: ThreadReference): Promise<void>;
  getThreads(caseReference: string): Promise<ThreadReference[]>;
  /** Keep (or replace) a person's own card of a case. */
  savePersonalCard(caseReference: string, card: PersonalCard): Promise<void>;
  getPersonalCards(caseReference: string): Promise<PersonalCard[]>;

  /**
   * Take (or renew) a sweeper's lease on a case until `until`: true if it is now `owner`'s. A
   * lease that has run out by `now` can be taken by anyone; two owners never hold it at once.
   */
  claimLease(reference: string, owner: string, until: string, now: string): Promise<boolean>;
  /** Give a lease back early (only its owner can). */
  releaseLease(reference: string, owner: string): Promise<void>;

  /** Keep (or replace) how to reach a person directly on a platform. */
  saveContact(contact: Contact): Promise<void>;
  getContact(personId: string, platform: Contact['platform']): Promise<Contact | undefined>;

  /**
   * Record that an incoming request (a Slack retry, a Teams resend) has been seen. The first
   * caller gets `true`; later callers with the same scope and key get `false`. A claim waits only briefly for a busy store: it then throws StoreError 'unavailable', so that
   * the caller can fall back on what it remembers itself.
   */
  claimRequest(scope: string, key: string, at: string): Promise<boolean>;

  /** The adult's details, sealed; stored apart from the case. */
  savePersonalDetails(reference: string, sealed: SealedDetails): Promise<void>;
  readPersonalDetails(reference: string): Promise<SealedDetails | undefined>;
  /** Remove the sealed details; returns whether there were any. */
  erasePersonalDetails(reference: string): Promise<boolean>;
  /**
   * Sealed details under a key other than `keyId`, by reference, after `after` (exclusive), at
   * most `limit`: for `cli personal reseal`, a batch at a time.
   */
  personalDetailsNotUnder(
    keyId: string,
    limit: number,
    after?: string,
  ): Promise<Array<{ reference: string; sealed: SealedDetails }>>;
  /** How many sealed details are under `keyId`, and how many under any other key. */
  countPersonalDetails(keyId: string): Promise<{ under: number; notUnder: number }>;
  /**
   * Replace a case's sealed details with `next`, in one atomic step, only if they are still
   * exactly `expected` (not erased or sealed again meanwhile); whether they were replaced.
   */
  resealPersonalDetails(reference: string, expected: SealedDetails, next: SealedDetails): Promise<boolean>;

  /** Log a reading of a case (apart from its timeline). */
  recordAccess(entry: AccessEntry): Promise<void>;
  /** Logged readings, newest first. */
  accessLog(filter?: AccessFilter): Promise<AccessEntry[]>;
  /** Log a refused attempt by a non-party or an unknown command; the log stays bounded. */
  recordSecurityEvent(event: SecurityEvent): Promise<void>;
  /** The security log, newest first. */
  securityEvents(filter?: SecurityFilter): Promise<SecurityEvent[]>;
  /** The store-wide anchor, oldest checkpoint first. */
  readCheckpoints(): Promise<Checkpoint[]>;
  /**
   * Whether every case write appends its checkpoint in the same atomic step (SQLite). Where it
   * cannot (Cosmos DB: the anchor is another container), a write interrupted between the two
   * leaves the case ahead of the anchor until its next write or `audit anchor`.
   */
  readonly anchoredWithEachWrite: boolean;
  /** Append a checkpoint of a case's current head, if the anchor does not hold it yet; whether one was added. */
  anchorCase(reference: string): Promise<boolean>;
  /** A case's indexed record fields, as stored beside its state. */
  recordFields(reference: string): Promise<CaseRecordFields | undefined>;

  close(): Promise<void>;
}

export type StoreErrorCode = 'conflict' | 'not-found' | 'corrupt' | 'storage-full' | 'unavailable' | 'wrong-key';

/** A store failure with a code each adapter can word for a person, and nothing half-written. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    readonly reference?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

export function conflict(reference: string, expected: number, actual: number | undefined): StoreError {
  return new StoreError(
    'conflict',
    `Case ${reference} changed while you were working on it (you read version ${expected}, it is now ${actual ?? 'different'}). Nothing was overwritten: reload the case and try again.`,
    reference,
  );
}
