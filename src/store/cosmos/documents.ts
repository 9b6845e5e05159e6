/**
 * The documents the Cosmos DB store keeps (see cosmos-repository.ts for the layout): their
 * shapes, how their ids are made, the indexing of the `cases` container and the limits that
 * bound a write.
 */
import { createHash } from 'node:crypto';
import type { IndexingPolicy, JSONObject } from '@azure/cosmos';
import type { StoredCase, StoredEvent, ThreadReference } from '../../app/store/repository';
import type { CaseEvent, CaseState } from '../../domain/escalation';
import { readStoredCase } from '../stored-case';
import type { CosmosProcedures } from './procedures';

/** Requests are forgotten after 30 days. */
export const REQUEST_TTL_SECONDS = 30 * 24 * 60 * 60;

/** Attempts at a contended case-number document before giving up. */
export const SEQUENCE_ATTEMPTS = 60;
/** How long a second create with the same idempotency key waits for the first one's case. */
export const IDEMPOTENCY_WAIT_MS = [20, 40, 80, 160, 320, 640, 1000, 1000, 1000];

/** The adult's sealed details: only the case and the key id are indexed (counting those under old keys stays cheap). */
export const PERSONAL_INDEXING: IndexingPolicy = {
  indexingMode: 'consistent',
  automatic: true,
  includedPaths: [{ path: '/caseRef/?' }, { path: '/keyId/?' }],
  excludedPaths: [{ path: '/*' }],
};

/** A transactional batch holds at most 100 operations: the case document and 99 events and outbox items. */
const MAX_EVENTS_PER_WRITE = 99;

export const CASES_INDEXING: IndexingPolicy = {
  indexingMode: 'consistent',
  automatic: true,
  includedPaths: [{ path: '/*' }],
  // Nothing queries inside a case's state, an event's body, a stored procedure, or an outbox item's payload or result.
  excludedPaths: [
    { path: '/state/*' },
    { path: '/event/*' },
    { path: '/procedure/*' },
    { path: '/payload/*' },
    { path: '/result/*' },
    { path: '/"_etag"/?' },
  ],
  compositeIndexes: [
    [
      { path: '/dueAt', order: 'ascending' },
      { path: '/id', order: 'ascending' },
    ],
    [
      { path: '/raisedAt', order: 'ascending' },
      { path: '/id', order: 'ascending' },
    ],
    // The outbox: due items in the order they fell due (claims), and items oldest first (lists).
    [
      { path: '/nextAttemptAt', order: 'ascending' },
      { path: '/createdAt', order: 'ascending' },
      { path: '/itemId', order: 'ascending' },
    ],
    [
      { path: '/createdAt', order: 'ascending' },
      { path: '/itemId', order: 'ascending' },
    ],
  ],
};

export interface CaseDocument {
  id: string;
  caseRef: string;
  type: 'case';
  reference: string;
  boardId: string;
  status: CaseState['status'];
  version: number;
  raisedAt: string;
  dueAt?: string;
  lastHash: string;
  people: string[];
  /** The raising and the responding agency (absent on documents written before it was kept). */
  agencies?: string[];
  state: CaseState;
}

export interface EventDocument {
  id: string;
  caseRef: string;
  type: 'event';
  seq: number;
  event: CaseEvent;
  prevHash: string;
  hash: string;
}

export interface SequenceDocument {
  id: string;
  caseRef: string;
  type: 'sequence';
  boardId: string;
  year: number;
  last: number;
}

export interface IdempotencyDocument {
  id: string;
  caseRef: string;
  type: 'idempotency';
  key: string;
  reference: string;
  claimedAt: string;
}

export interface ThreadDocument {
  id: string;
  caseRef: string;
  type: 'thread';
  platform: ThreadReference['platform'];
  agencyId: string;
  reference: Record<string, unknown>;
}

export type Stored<T> = T & { _etag?: string };

export function caseDocument(
  state: CaseState,
  version: number,
  lastHash: string,
  dueAt: string | undefined,
  earlierPeople: readonly string[],
  procedures: CosmosProcedures,
): CaseDocument {
  return {
    id: state.reference,
    caseRef: state.reference,
    type: 'case',
    reference: state.reference,
    boardId: state.boardId,
    status: state.status,
    version,
    raisedAt: state.raisedAt,
    ...(dueAt ? { dueAt } : {}),
    lastHash,
    // Everyone who has taken part, including anyone a later state no longer lists.
    people: [...new Set([...earlierPeople.filter((p) => typeof p === 'string'), ...state.participants])],
    // For each agency's list of its open cases.
    agencies: [...new Set([state.raising.agencyId, state.responding.agencyId])],
    // Its procedure a reference to the stored version (./procedures).
    state: procedures.stateBody(state),
  };
}

export function eventDocument(e: StoredEvent, procedures: CosmosProcedures): EventDocument {
  return {
    id: `${e.reference}:${String(e.seq).padStart(6, '0')}`,
    caseRef: e.reference,
    type: 'event',
    seq: e.seq,
    event: procedures.eventBody(e.event),
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

/** A case document as the port gives it, its procedure put back (the document's state is changed in place). */
export async function toStored(
  procedures: CosmosProcedures,
  reference: string,
  doc: Partial<CaseDocument> & { state?: unknown },
): Promise<StoredCase> {
  return readStoredCase(reference, {
    reference: doc.reference,
    boardId: doc.boardId,
    version: doc.version,
    lastHash: doc.lastHash,
    state: await procedures.read(reference, doc.state),
    ...(typeof doc.dueAt === 'string' ? { dueAt: doc.dueAt } : {}),
  });
}

/** The document as plain JSON (no undefined members), as a batch operation carries it. */
export function asJson(doc: object): JSONObject {
  return JSON.parse(JSON.stringify(doc)) as JSONObject;
}

/** A write that would not fit one transactional batch (the case, its new events, the outbox items it owes) is refused. */
export function tooMany(reference: string, events: number, outboxItems = 0): void {
  if (events + outboxItems > MAX_EVENTS_PER_WRITE) {
    throw new RangeError(
      outboxItems
        ? `Case ${reference}: at most ${MAX_EVENTS_PER_WRITE} events and outbox items together can be written at once (Cosmos DB transactional batch limit), not ${events} events and ${outboxItems} items.`
        : `Case ${reference}: at most ${MAX_EVENTS_PER_WRITE} events can be written at once (Cosmos DB transactional batch limit), not ${events}.`,
    );
  }
}

export function idempotencyId(key: string): string {
  return `idem:${idPart(key, true)}`;
}

/** An id part as it is when plainly safe; otherwise its SHA-256 (`~` marks a hashed part). */
export function idPart(value: string, allowColon: boolean): string {
  const safe = allowColon ? /^[A-Za-z0-9._@:-]{1,100}$/ : /^[A-Za-z0-9._@-]{1,100}$/;
  return safe.test(value) ? value : `~${createHash('sha256').update(value).digest('hex')}`;
}
