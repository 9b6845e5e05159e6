/**
 * The Azure Cosmos DB store (NoSQL API, @azure/cosmos).
 *
 * Layout. Three containers in one database:
 *
 * - `cases`, partition key `/caseRef`. Everything about one case lives in one logical partition
 *   whose key is the case reference: the case document (`id` = reference, `type: 'case'`: board,
 *   status, version, raisedAt, dueAt while open, lastHash, `people` and the full state), one
 *   document per event (`id` = `<reference>:<seq, six digits>`, `type: 'event'`: seq, event,
 *   prevHash, hash) and one per chat thread (`id` = `thread:<platform>:<agency>`). Cosmos DB
 *   only makes writes atomic within one logical partition, so putting a case and its timeline
 *   in the same partition is what lets a create, or an append, be ONE transactional batch: the
 *   case document is created (or replaced, on the condition that its ETag is still the one that
 *   was read) together with the new event documents, and either all of it is stored or none of
 *   it. A case and its events therefore never disagree, and two writers who read the same
 *   version cannot both succeed: the second one's ETag no longer matches (412) and it gets a
 *   `conflict`. Each case is its own partition, so partitions stay small (a case has tens of
 *   events) and load spreads evenly across physical partitions as cases accumulate. Case
 *   numbers (`seq:<board>:<year>`) and idempotency keys (`idem:<key>`) are small documents in
 *   their own partitions of the same container, updated with ETag checks.
 * - `personal`, partition key `/caseRef`: the adult's sealed details, one document per case,
 *   kept apart from the case so that erasing them touches nothing else and nothing that reads
 *   cases ever loads them.
 * - `requests`, partition key `/id`, default time-to-live 30 days: one document per incoming
 *   request claimed (a Slack retry, a Teams resend); the second create of the same id fails
 *   with 409, which is the "already seen" answer. Cosmos DB deletes them itself after 30 days.
 *
 * Reads across cases (due cases, cases of a board or person, every reference) are
 * cross-partition queries on the case documents only (`type = 'case'`); the due query is
 * `TOP n … ORDER BY dueAt`, served by the range index on `/dueAt`, so its cost follows the
 * number of cases due, not the number stored. State and event bodies are excluded from
 * indexing: nothing queries inside them, and it keeps writes cheap.
 *
 * Item ids cannot contain `/`, `\`, `?` or `#`, so free-form parts (idempotency keys, request
 * keys, agency ids) are used as they are only when they are plainly safe, and otherwise
 * replaced by their SHA-256.
 */
import { createHash } from 'node:crypto';
import * as https from 'node:https';
import { CosmosClient, type Container, type Database, type IndexingPolicy, type ItemDefinition, type JSONObject, type OperationInput, type SqlParameter } from '@azure/cosmos';
import { chainEvents, GENESIS } from '../../app/store/chain';
import {
  conflict,
  StoreError,
  type Append,
  type CaseRepository,
  type CaseSummary,
  type DueCase,
  type NewCase,
  type SealedDetails,
  type StoredCase,
  type StoredEvent,
  type ThreadReference,
} from '../../app/store/repository';
import type { CaseEvent, CaseState } from '../../domain/escalation';
import { corrupt, readStoredCase } from '../stored-case';

export interface CosmosOptions {
  client: CosmosClient;
  databaseId: string;
  casesContainerId?: string;
  personalContainerId?: string;
  requestsContainerId?: string;
  /** Dispose of `client` on close() (set when the client was made for this repository alone). */
  ownsClient?: boolean;
}

export interface CosmosConnection {
  endpoint?: string;
  key?: string;
  /** `AccountEndpoint=…;AccountKey=…;` (takes precedence over endpoint and key). */
  connectionString?: string;
  /** Accept a self-signed certificate (the local emulator only). */
  insecureTls?: boolean;
}

/** Requests are forgotten after 30 days. */
export const REQUEST_TTL_SECONDS = 30 * 24 * 60 * 60;

/** Attempts at a contended case-number document before giving up. */
const SEQUENCE_ATTEMPTS = 60;
/** How long a second create with the same idempotency key waits for the first one's case. */
const IDEMPOTENCY_WAIT_MS = [20, 40, 80, 160, 320, 640, 1000, 1000, 1000];
/** A transactional batch holds at most 100 operations: the case document and 99 events. */
const MAX_EVENTS_PER_WRITE = 99;

const CASES_INDEXING: IndexingPolicy = {
  indexingMode: 'consistent',
  automatic: true,
  includedPaths: [{ path: '/*' }],
  excludedPaths: [{ path: '/state/*' }, { path: '/event/*' }, { path: '/"_etag"/?' }],
  compositeIndexes: [
    [
      { path: '/dueAt', order: 'ascending' },
      { path: '/id', order: 'ascending' },
    ],
    [
      { path: '/raisedAt', order: 'ascending' },
      { path: '/id', order: 'ascending' },
    ],
  ],
};

interface CaseDocument {
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
  state: CaseState;
}

interface EventDocument {
  id: string;
  caseRef: string;
  type: 'event';
  seq: number;
  event: CaseEvent;
  prevHash: string;
  hash: string;
}

interface SequenceDocument {
  id: string;
  caseRef: string;
  type: 'sequence';
  boardId: string;
  year: number;
  last: number;
}

interface IdempotencyDocument {
  id: string;
  caseRef: string;
  type: 'idempotency';
  key: string;
  reference: string;
  claimedAt: string;
}

interface ThreadDocument {
  id: string;
  caseRef: string;
  type: 'thread';
  platform: ThreadReference['platform'];
  agencyId: string;
  reference: Record<string, unknown>;
}

type Stored<T> = T & { _etag?: string };

/** A Cosmos client from configuration: an endpoint and key, or a connection string. */
export function cosmosClientFrom(config: CosmosConnection): CosmosClient {
  let endpoint = config.endpoint;
  let key = config.key;
  if (config.connectionString) {
    const parts = new Map<string, string>();
    for (const pair of config.connectionString.split(';')) {
      const at = pair.indexOf('=');
      if (at > 0) parts.set(pair.slice(0, at).trim().toLowerCase(), pair.slice(at + 1).trim());
    }
    endpoint = parts.get('accountendpoint');
    key = parts.get('accountkey');
  }
  if (!endpoint || !key) {
    throw new StoreError('unavailable', 'Azure Cosmos DB is not configured: give its endpoint and key, or a connection string (AccountEndpoint=…;AccountKey=…;).');
  }
  return new CosmosClient({
    endpoint,
    key,
    ...(config.insecureTls ? { agent: new https.Agent({ rejectUnauthorized: false }), connectionPolicy: { enableEndpointDiscovery: false } } : {}),
  });
}

export class CosmosRepository implements CaseRepository {
  readonly kind = 'cosmos' as const;

  private constructor(
    private readonly client: CosmosClient,
    private readonly ownsClient: boolean,
    readonly database: Database,
    private readonly cases: Container,
    private readonly personal: Container,
    private readonly requests: Container,
  ) {}

  /** Connect, creating the database and containers if they are not there yet. */
  static async open(options: CosmosOptions): Promise<CosmosRepository> {
    try {
      const { database } = await options.client.databases.createIfNotExists({ id: options.databaseId });
      const { container: cases } = await database.containers.createIfNotExists({
        id: options.casesContainerId ?? 'cases',
        partitionKey: { paths: ['/caseRef'] },
        indexingPolicy: CASES_INDEXING,
      });
      const { container: personal } = await database.containers.createIfNotExists({
        id: options.personalContainerId ?? 'personal',
        partitionKey: { paths: ['/caseRef'] },
        indexingPolicy: { indexingMode: 'consistent', automatic: true, includedPaths: [{ path: '/caseRef/?' }], excludedPaths: [{ path: '/*' }] },
      });
      const { container: requests } = await database.containers.createIfNotExists({
        id: options.requestsContainerId ?? 'requests',
        partitionKey: { paths: ['/id'] },
        defaultTtl: REQUEST_TTL_SECONDS,
        indexingPolicy: { indexingMode: 'consistent', automatic: true, includedPaths: [], excludedPaths: [{ path: '/*' }] },
      });
      return new CosmosRepository(options.client, options.ownsClient ?? false, database, cases, personal, requests);
    } catch (error) {
      if (options.ownsClient) options.client.dispose();
      throw translate(error);
    }
  }

  // ── case numbers ──────────────────────────────────────────────────────────────────

  async nextSequence(boardId: string, year: number): Promise<number> {
    const id = `seq:${idPart(boardId, false)}:${year}`;
    return this.guard(async () => {
      for (let attempt = 0; attempt < SEQUENCE_ATTEMPTS; attempt++) {
        const current = await this.read<SequenceDocument>(this.cases, id, id);
        if (!current) {
          const made: SequenceDocument = { id, caseRef: id, type: 'sequence', boardId, year, last: 1 };
          if (await this.createUnlessExists(this.cases, made)) return 1;
        } else {
          const last = typeof current.last === 'number' && Number.isInteger(current.last) ? current.last : undefined;
          if (last === undefined) throw new StoreError('corrupt', `The case-number record for ${boardId} in ${year} is damaged. Nothing was changed; an administrator should restore it.`);
          const next: SequenceDocument = { id, caseRef: id, type: 'sequence', boardId, year, last: last + 1 };
          if (await this.replaceIfUnchanged(this.cases, next, current._etag)) return next.last;
        }
        await pause(5 + Math.random() * (10 + attempt * 5));
      }
      throw new StoreError('unavailable', `Too many people asked for a ${boardId} case number at once; nothing was saved. Try again in a moment.`);
    });
  }

  // ── writing cases ─────────────────────────────────────────────────────────────────

  async createCase(input: NewCase): Promise<{ created: boolean; case: StoredCase }> {
    const reference = input.state.reference;
    return this.guard(async () => {
      if (input.idempotencyKey === undefined) return { created: true, case: await this.insertCase(input) };
      return this.createOnce(input, input.idempotencyKey);
    }, reference);
  }

  async appendEvents(input: Append): Promise<StoredCase> {
    const { reference } = input;
    return this.guard(async () => {
      const doc = await this.read<CaseDocument>(this.cases, reference, reference);
      if (!doc) throw new StoreError('not-found', `There is no case ${reference}.`, reference);
      const stored = toStored(reference, doc);
      if (stored.version !== input.expectedVersion) throw conflict(reference, input.expectedVersion, stored.version);
      const linked = chainEvents(reference, stored.version, stored.lastHash, input.events);
      const version = stored.version + linked.length;
      if (input.state.version !== version || input.state.reference !== reference) {
        throw new StoreError('conflict', `The state given for case ${reference} does not follow from its stored version ${stored.version}; nothing was saved.`, reference);
      }
      tooMany(reference, linked.length);
      const next = caseDocument(input.state, version, linked[linked.length - 1]?.hash ?? stored.lastHash, input.dueAt, Array.isArray(doc.people) ? doc.people : []);
      const failed = await this.batch(reference, [
        { operationType: 'Replace', id: reference, partitionKey: reference, ifMatch: doc._etag, resourceBody: asJson(next) },
        ...linked.map((e): OperationInput => ({ operationType: 'Create', partitionKey: reference, resourceBody: asJson(eventDocument(e)) })),
      ]);
      if (failed === 412 || failed === 409 || failed === 404) {
        const now = await this.read<CaseDocument>(this.cases, reference, reference).catch(() => undefined);
        throw conflict(reference, input.expectedVersion, typeof now?.version === 'number' ? now.version : undefined);
      }
      if (failed !== undefined) throw refused(failed, reference);
      return toStored(reference, next);
    }, reference);
  }

  // ── reading cases ─────────────────────────────────────────────────────────────────

  async getCase(reference: string): Promise<StoredCase | undefined> {
    return this.guard(async () => {
      const doc = await this.read<CaseDocument>(this.cases, reference, reference);
      return doc ? toStored(reference, doc) : undefined;
    }, reference);
  }

  async findByIdempotencyKey(key: string): Promise<StoredCase | undefined> {
    return this.guard(async () => {
      const id = idempotencyId(key);
      const claim = await this.read<IdempotencyDocument>(this.cases, id, id);
      // A claim whose case is not (yet) there has made nothing.
      return typeof claim?.reference === 'string' ? this.getCase(claim.reference) : undefined;
    });
  }

  async getEvents(reference: string): Promise<StoredEvent[]> {
    return this.guard(async () => {
      const docs = await this.query<EventDocument>(this.cases, "SELECT * FROM c WHERE c.caseRef = @ref AND c.type = 'event' ORDER BY c.seq ASC", [{ name: '@ref', value: reference }], reference);
      return docs.map((d) => {
        if (typeof d.seq !== 'number' || typeof d.prevHash !== 'string' || typeof d.hash !== 'string' || typeof d.event !== 'object' || d.event === null) {
          throw corrupt(reference, `event document ${String(d.id)} is malformed`);
        }
        return { reference, seq: d.seq, event: d.event, prevHash: d.prevHash, hash: d.hash };
      });
    }, reference);
  }

  async dueCases(at: string, limit: number): Promise<DueCase[]> {
    if (!(limit > 0)) return [];
    return this.guard(async () => {
      const rows = await this.query<DueCase>(
        this.cases,
        "SELECT TOP @n c.reference, c.dueAt, c.version FROM c WHERE c.type = 'case' AND c.status = 'open' AND IS_STRING(c.dueAt) AND c.dueAt <= @at ORDER BY c.dueAt ASC, c.id ASC",
        [
          { name: '@n', value: Math.floor(limit) },
          { name: '@at', value: at },
        ],
      );
      return rows.map((r) => ({ reference: r.reference, dueAt: r.dueAt, version: r.version }));
    });
  }

  async casesOfBoard(boardId: string, from: string, to: string): Promise<CaseSummary[]> {
    return this.summaries('c.boardId = @board AND c.raisedAt >= @from AND c.raisedAt < @to', [
      { name: '@board', value: boardId },
      { name: '@from', value: from },
      { name: '@to', value: to },
    ]);
  }

  async casesOfPerson(personId: string): Promise<CaseSummary[]> {
    return this.summaries('ARRAY_CONTAINS(c.people, @person)', [{ name: '@person', value: personId }]);
  }

  async allReferences(): Promise<string[]> {
    return this.guard(() => this.query<string>(this.cases, "SELECT VALUE c.id FROM c WHERE c.type = 'case' ORDER BY c.id ASC", []));
  }

  // ── threads, requests, personal details ───────────────────────────────────────────

  async saveThread(caseReference: string, thread: ThreadReference): Promise<void> {
    const doc: ThreadDocument = {
      id: `thread:${thread.platform}:${idPart(thread.agencyId, true)}`,
      caseRef: caseReference,
      type: 'thread',
      platform: thread.platform,
      agencyId: thread.agencyId,
      reference: thread.reference,
    };
    await this.guard(() => this.cases.items.upsert(doc), caseReference);
  }

  async getThreads(caseReference: string): Promise<ThreadReference[]> {
    return this.guard(async () => {
      const docs = await this.query<ThreadDocument>(this.cases, "SELECT * FROM c WHERE c.caseRef = @ref AND c.type = 'thread'", [{ name: '@ref', value: caseReference }], caseReference);
      return docs
        .map((d) => ({ platform: d.platform, agencyId: d.agencyId, reference: d.reference }))
        .sort((a, b) => (a.platform === b.platform ? compare(a.agencyId, b.agencyId) : compare(a.platform, b.platform)));
    }, caseReference);
  }

  async claimRequest(scope: string, key: string, at: string): Promise<boolean> {
    const id = `${idPart(scope, false)}:${idPart(key, true)}`;
    return this.guard(() => this.createUnlessExists(this.requests, { id, scope, key, claimedAt: at }));
  }

  async savePersonalDetails(reference: string, sealed: SealedDetails): Promise<void> {
    const doc = { id: reference, caseRef: reference, keyId: sealed.keyId, iv: sealed.iv, tag: sealed.tag, ciphertext: sealed.ciphertext };
    await this.guard(() => this.personal.items.upsert(doc), reference);
  }

  async readPersonalDetails(reference: string): Promise<SealedDetails | undefined> {
    return this.guard(async () => {
      const doc = await this.read<SealedDetails>(this.personal, reference, reference);
      if (!doc) return undefined;
      if (typeof doc.keyId !== 'string' || typeof doc.iv !== 'string' || typeof doc.tag !== 'string' || typeof doc.ciphertext !== 'string') {
        throw corrupt(reference, 'its sealed personal details are malformed');
      }
      return { keyId: doc.keyId, iv: doc.iv, tag: doc.tag, ciphertext: doc.ciphertext };
    }, reference);
  }

  async erasePersonalDetails(reference: string): Promise<boolean> {
    return this.guard(async () => {
      try {
        await this.personal.item(reference, reference).delete();
        return true;
      } catch (error) {
        if (statusOf(error) === 404) return false;
        throw error;
      }
    }, reference);
  }

  close(): Promise<void> {
    if (this.ownsClient) this.client.dispose();
    return Promise.resolve();
  }

  // ── internals ─────────────────────────────────────────────────────────────────────

  /** Store a new case and its first events in one transactional batch. */
  private async insertCase(input: NewCase): Promise<StoredCase> {
    const { state } = input;
    const reference = state.reference;
    const linked = chainEvents(reference, 0, GENESIS, input.events);
    tooMany(reference, linked.length);
    const doc = caseDocument(state, linked.length, linked[linked.length - 1]?.hash ?? GENESIS, input.dueAt, []);
    const failed = await this.batch(reference, [
      { operationType: 'Create', partitionKey: reference, resourceBody: asJson(doc) },
      ...linked.map((e): OperationInput => ({ operationType: 'Create', partitionKey: reference, resourceBody: asJson(eventDocument(e)) })),
    ]);
    if (failed === 409 || failed === 412) {
      throw new StoreError('conflict', `A case with the reference ${reference} already exists; nothing was overwritten.`, reference);
    }
    if (failed !== undefined) throw refused(failed, reference);
    return toStored(reference, doc);
  }

  /**
   * Create with an idempotency key: claim the key first (a create that fails with 409 when the
   * key is taken), then make the case. A second caller finds the claim and returns the case it
   * names, waiting briefly if the first caller is still writing it; a claim whose case never
   * appears (its writer stopped half-way) is taken over, on the condition that nobody else has
   * changed it meanwhile.
   */
  private async createOnce(input: NewCase, key: string): Promise<{ created: boolean; case: StoredCase }> {
    const id = idempotencyId(key);
    const reference = input.state.reference;
    const claim: IdempotencyDocument = { id, caseRef: id, type: 'idempotency', key, reference, claimedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 5; attempt++) {
      const made = await this.cases.items.create(claim).then(
        (r) => r.resource?._etag ?? '',
        (error: unknown) => {
          if (statusOf(error) === 409) return undefined;
          throw error;
        },
      );
      if (made !== undefined) return { created: true, case: await this.insertClaimed(input, id, made) };

      const existing = await this.read<IdempotencyDocument>(this.cases, id, id);
      if (!existing) continue; // released meanwhile: claim it again
      const named = typeof existing.reference === 'string' ? existing.reference : undefined;
      if (named) {
        const found = await this.waitForCase(named);
        if (found) return { created: false, case: found };
      }
      const takenOver = await this.replaceIfUnchanged(this.cases, claim, existing._etag);
      if (takenOver) {
        const etag = (await this.read<IdempotencyDocument>(this.cases, id, id))?._etag ?? '';
        return { created: true, case: await this.insertClaimed(input, id, etag) };
      }
    }
    throw new StoreError('unavailable', `Another request with the same key is still creating case ${reference}; nothing was saved. Try again in a moment.`, reference);
  }

  /** Make the case for a claimed key; if the case is refused outright, give the key back. */
  private async insertClaimed(input: NewCase, claimId: string, etag: string): Promise<StoredCase> {
    try {
      return await this.insertCase(input);
    } catch (error) {
      // Only a definite refusal releases the key: after a lost connection the case may exist.
      if (error instanceof StoreError && error.code === 'conflict') {
        await this.cases
          .item(claimId, claimId)
          .delete(etag ? { accessCondition: { type: 'IfMatch', condition: etag } } : {})
          .catch(() => undefined);
      }
      throw error;
    }
  }

  private async waitForCase(reference: string): Promise<StoredCase | undefined> {
    for (const delay of [0, ...IDEMPOTENCY_WAIT_MS]) {
      if (delay) await pause(delay);
      const found = await this.getCase(reference);
      if (found) return found;
    }
    return undefined;
  }

  private async summaries(condition: string, parameters: SqlParameter[]): Promise<CaseSummary[]> {
    return this.guard(async () => {
      const rows = await this.query<CaseSummary>(this.cases, `SELECT c.reference, c.boardId, c.status, c.raisedAt, c.version FROM c WHERE c.type = 'case' AND ${condition} ORDER BY c.raisedAt ASC, c.id ASC`, parameters);
      return rows.map((r) => ({ reference: r.reference, boardId: r.boardId, status: r.status, raisedAt: r.raisedAt, version: r.version }));
    });
  }

  /** Run one transactional batch; the status of the operation that failed it, if any. */
  private async batch(reference: string, operations: OperationInput[]): Promise<number | undefined> {
    let response;
    try {
      response = await this.cases.items.batch(operations, reference);
    } catch (error) {
      const status = statusOf(error);
      if (status === 409 || status === 412) return status;
      throw error;
    }
    const results = response.result;
    if (!Array.isArray(results) || results.length !== operations.length) {
      throw new StoreError('unavailable', `Azure Cosmos DB gave an unexpected answer while saving case ${reference}; try again.`, reference);
    }
    const failed = results.find((r) => r.statusCode >= 400 && r.statusCode !== 424);
    if (failed) return failed.statusCode;
    if (results.some((r) => r.statusCode >= 400)) return 424;
    return undefined;
  }

  private async read<T extends object>(container: Container, id: string, partitionKey: string): Promise<Stored<T> | undefined> {
    try {
      const response = await container.item(id, partitionKey).read<ItemDefinition>();
      if (response.statusCode === 404 || !response.resource) return undefined;
      return response.resource as unknown as Stored<T>;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Create a document; false if one with its id is already there. */
  private async createUnlessExists(container: Container, doc: ItemDefinition): Promise<boolean> {
    try {
      await container.items.create(doc);
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false;
      throw error;
    }
  }

  /** Replace a document if its ETag is still `etag`; false if it changed or went. */
  private async replaceIfUnchanged(container: Container, doc: ItemDefinition & { caseRef: string }, etag: string | undefined): Promise<boolean> {
    try {
      await container.item(doc.id as string, doc.caseRef).replace(doc, etag ? { accessCondition: { type: 'IfMatch', condition: etag } } : {});
      return true;
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || status === 404 || status === 409) return false;
      throw error;
    }
  }

  private async query<T>(container: Container, query: string, parameters: SqlParameter[], partitionKey?: string): Promise<T[]> {
    const { resources } = await container.items.query<T>({ query, parameters }, partitionKey === undefined ? {} : { partitionKey }).fetchAll();
    return resources;
  }

  private async guard<T>(work: () => Promise<T>, reference?: string): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw translate(error, reference);
    }
  }
}

// ── documents ───────────────────────────────────────────────────────────────────────

function caseDocument(state: CaseState, version: number, lastHash: string, dueAt: string | undefined, earlierPeople: readonly string[]): CaseDocument {
  return {
    id: state.reference,
    caseRef: state.reference,
    type: 'case',
    reference: state.reference,
    boardId: state.boardId,
    status: state.status,
    version,
    raisedAt: state.raisedAt,
    ...(state.status === 'open' && dueAt ? { dueAt } : {}),
    lastHash,
    // Everyone who has taken part, including anyone a later state no longer lists.
    people: [...new Set([...earlierPeople.filter((p) => typeof p === 'string'), ...state.participants])],
    state,
  };
}

function eventDocument(e: StoredEvent): EventDocument {
  return { id: `${e.reference}:${String(e.seq).padStart(6, '0')}`, caseRef: e.reference, type: 'event', seq: e.seq, event: e.event, prevHash: e.prevHash, hash: e.hash };
}

function toStored(reference: string, doc: Partial<CaseDocument> & { state?: unknown }): StoredCase {
  return readStoredCase(reference, {
    reference: doc.reference,
    boardId: doc.boardId,
    version: doc.version,
    lastHash: doc.lastHash,
    state: doc.state,
    ...(typeof doc.dueAt === 'string' ? { dueAt: doc.dueAt } : {}),
  });
}

/** The document as plain JSON (no undefined members), as a batch operation carries it. */
function asJson(doc: object): JSONObject {
  return JSON.parse(JSON.stringify(doc)) as JSONObject;
}

function tooMany(reference: string, events: number): void {
  if (events > MAX_EVENTS_PER_WRITE) {
    throw new RangeError(`Case ${reference}: at most ${MAX_EVENTS_PER_WRITE} events can be written at once (Cosmos DB transactional batch limit), not ${events}.`);
  }
}

function idempotencyId(key: string): string {
  return `idem:${idPart(key, true)}`;
}

/** An id part as it is when plainly safe; otherwise its SHA-256 (`~` marks a hashed part). */
function idPart(value: string, allowColon: boolean): string {
  const safe = allowColon ? /^[A-Za-z0-9._@:-]{1,100}$/ : /^[A-Za-z0-9._@-]{1,100}$/;
  return safe.test(value) ? value : `~${createHash('sha256').update(value).digest('hex')}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ── errors ──────────────────────────────────────────────────────────────────────────

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown; statusCode?: unknown }).code ?? (error as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : undefined;
}

function refused(status: number, reference: string): StoreError {
  if (status === 413) return new StoreError('storage-full', `Case ${reference} has grown too large to store in one Cosmos DB document; nothing was saved.`, reference);
  return new StoreError('unavailable', `Azure Cosmos DB refused to save case ${reference} (status ${status}); nothing was saved. Try again, and tell an administrator if it keeps happening.`, reference);
}

/** Cosmos DB's and the network's failures, in words a person can act on. */
function translate(error: unknown, reference?: string): Error {
  if (error instanceof StoreError) return error;
  const status = statusOf(error);
  const substatus = typeof error === 'object' && error !== null ? (error as { substatus?: unknown }).substatus : undefined;
  const options = { cause: error };
  if (status === 403 && substatus === 1008) {
    return new StoreError('storage-full', 'The Azure Cosmos DB account has run out of storage. Nothing was saved and nothing stored was lost; an administrator needs to add capacity.', reference, options);
  }
  if (status === 429) {
    return new StoreError('unavailable', 'Azure Cosmos DB is busy (request rate too large); nothing was saved. Try again in a moment.', reference, options);
  }
  if (status === 401 || status === 403) {
    return new StoreError('unavailable', 'Azure Cosmos DB refused the credentials it was given; nothing was saved. An administrator should check the endpoint and key.', reference, options);
  }
  if (status !== undefined && status >= 400 && status < 500 && status !== 408) {
    return new StoreError('unavailable', `Azure Cosmos DB refused the request (status ${status}); nothing was saved.`, reference, options);
  }
  if (status !== undefined || isNetworkFailure(error)) {
    return new StoreError('unavailable', 'Azure Cosmos DB could not be reached or did not answer in time. Nothing was saved; try again in a moment.', reference, options);
  }
  // Anything else is a fault in this program, not in the store: leave it as it is.
  return error instanceof Error ? error : new Error(String(error));
}

function isNetworkFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown };
  if (name === 'TimeoutError' || name === 'AbortError' || name === 'RestError' || name === 'FetchError') return true;
  if (typeof code === 'string' && /^(E[A-Z]+|REQUEST_SEND_ERROR|UND_ERR_.*)$/.test(code)) return true;
  // The SDK rewraps a failed transactional batch request as a plain Error with this prefix.
  if (typeof message === 'string' && message.startsWith('Batch request error')) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isNetworkFailure(cause);
}
