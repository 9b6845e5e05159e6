/**
 * The Azure Cosmos DB store (NoSQL API, @azure/cosmos).
 *
 * Layout. Three containers in one database:
 *
 * - `cases`, partition key `/caseRef`. Everything about one case lives in one logical partition
 *   whose key is the case reference: the case document (`id` = reference, `type: 'case'`: board,
 *   status, version, raisedAt, dueAt (while the sweeper owes it anything), lastHash, `people` and the full state), one
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
 *   their own partitions of the same container, updated with ETag checks; so are staff contacts
 *   (partition `contact:<person>`, one document per platform).
 * - `personal`, partition key `/caseRef`: the adult's sealed details, one document per case,
 *   kept apart from the case so that erasing them touches nothing else and nothing that reads
 *   cases ever loads them.
 * - `access` and `security` (src/store/cosmos/logs.ts): who read what of a case, and refused
 *   attempts by non-parties (expiring after 90 days), apart from the cases.
 * - `anchor`, partition key `/chain` (one partition, `anchor`): the store-wide anchor, one signed
 *   checkpoint document per case write (`id` = `cp:<seq, nine digits>`), created after the
 *   case's batch (another container cannot join it), so a write interrupted between the two
 *   leaves the case ahead of the anchor until its next write or `audit anchor`. Two writers
 *   racing for the next checkpoint number: the second create fails with 409 and tries again.
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
import type { CosmosClient, Container, Database, OperationInput, SqlParameter } from '@azure/cosmos';
import { checkAnchor } from '../../app/store/anchor';
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
import { corrupt } from '../stored-case';
import type { CosmosOptions } from './client';
import {
  asJson,
  CASES_INDEXING,
  caseDocument,
  eventDocument,
  IDEMPOTENCY_WAIT_MS,
  idempotencyId,
  idPart,
  REQUEST_TTL_SECONDS,
  SEQUENCE_ATTEMPTS,
  toStored,
  tooMany,
} from './documents';
import type { CaseDocument, EventDocument, IdempotencyDocument, SequenceDocument, ThreadDocument } from './documents';
import { guard, refused, statusOf, translate } from './errors';
import * as logs from './logs';
import { CosmosAnchor } from './anchor';
import { createUnlessExists, queryItems, readItem, replaceIfUnchanged, runBatch } from './items';

export { cosmosClientFrom, type CosmosConnection, type CosmosOptions } from './client';
export { REQUEST_TTL_SECONDS } from './documents';

/** A person's contacts live in a small partition of their own in the cases container. */
const contactPartition = (personId: string): string => `contact:${idPart(personId, false)}`;

export class CosmosRepository implements CaseRepository {
  readonly kind = 'cosmos' as const;
  readonly anchoredWithEachWrite = false;

  private constructor(
    private readonly client: CosmosClient,
    private readonly ownsClient: boolean,
    readonly database: Database,
    private readonly cases: Container,
    private readonly personal: Container,
    private readonly requests: Container,
    private readonly logs: logs.LogContainers,
    private readonly anchor: CosmosAnchor,
    private readonly auditKey: AuditKey,
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
        indexingPolicy: {
          indexingMode: 'consistent',
          automatic: true,
          includedPaths: [{ path: '/caseRef/?' }],
          excludedPaths: [{ path: '/*' }],
        },
      });
      const { container: requests } = await database.containers.createIfNotExists({
        id: options.requestsContainerId ?? 'requests',
        partitionKey: { paths: ['/id'] },
        defaultTtl: REQUEST_TTL_SECONDS,
        indexingPolicy: {
          indexingMode: 'consistent',
          automatic: true,
          includedPaths: [],
          excludedPaths: [{ path: '/*' }],
        },
      });
      const logContainers = await logs.openLogContainers(database, {
        ...(options.accessContainerId ? { access: options.accessContainerId } : {}),
        ...(options.securityContainerId ? { security: options.securityContainerId } : {}),
      });
      const { container: anchor } = await database.containers.createIfNotExists({
        id: options.anchorContainerId ?? 'anchor',
        partitionKey: { paths: ['/chain'] },
      });
      return new CosmosRepository(
        options.client,
        options.ownsClient ?? false,
        database,
        cases,
        personal,
        requests,
        logContainers,
        new CosmosAnchor(anchor, options.auditKey ?? DEVELOPMENT_AUDIT_KEY),
        options.auditKey ?? DEVELOPMENT_AUDIT_KEY,
      );
    } catch (error) {
      if (options.ownsClient) options.client.dispose();
      throw translate(error);
    }
  }

  // ── case numbers ──────────────────────────────────────────────────────────────────

  async nextSequence(boardId: string, year: number): Promise<number> {
    const id = `seq:${idPart(boardId, false)}:${year}`;
    return guard(async () => {
      for (let attempt = 0; attempt < SEQUENCE_ATTEMPTS; attempt++) {
        const current = await readItem<SequenceDocument>(this.cases, id, id);
        if (!current) {
          const made: SequenceDocument = { id, caseRef: id, type: 'sequence', boardId, year, last: 1 };
          if (await createUnlessExists(this.cases, made)) return 1;
        } else {
          const last = typeof current.last === 'number' && Number.isInteger(current.last) ? current.last : undefined;
          if (last === undefined)
            throw new StoreError(
              'corrupt',
              `The case-number record for ${boardId} in ${year} is damaged. Nothing was changed; an administrator should restore it.`,
            );
          const next: SequenceDocument = { id, caseRef: id, type: 'sequence', boardId, year, last: last + 1 };
          if (await replaceIfUnchanged(this.cases, next, current._etag)) return next.last;
        }
        await pause(5 + Math.random() * (10 + attempt * 5));
      }
      throw new StoreError(
        'unavailable',
        `Too many people asked for a ${boardId} case number at once; nothing was saved. Try again in a moment.`,
      );
    });
  }

  // ── writing cases ─────────────────────────────────────────────────────────────────

  async createCase(input: NewCase): Promise<{ created: boolean; case: StoredCase }> {
    const reference = input.state.reference;
    return guard(async () => {
      if (input.idempotencyKey === undefined) return { created: true, case: await this.insertCase(input) };
      return this.createOnce(input, input.idempotencyKey);
    }, reference);
  }

  async appendEvents(input: Append): Promise<StoredCase> {
    const { reference } = input;
    return guard(async () => {
      const doc = await readItem<CaseDocument>(this.cases, reference, reference);
      if (!doc) throw new StoreError('not-found', `There is no case ${reference}.`, reference);
      const stored = toStored(reference, doc);
      if (stored.version !== input.expectedVersion) throw conflict(reference, input.expectedVersion, stored.version);
      const linked = chainEvents(this.auditKey, reference, stored.version, stored.lastHash, input.events);
      const version = stored.version + linked.length;
      if (input.state.version !== version || input.state.reference !== reference) {
        throw new StoreError(
          'conflict',
          `The state given for case ${reference} does not follow from its stored version ${stored.version}; nothing was saved.`,
          reference,
        );
      }
      tooMany(reference, linked.length);
      const next = caseDocument(
        input.state,
        version,
        linked[linked.length - 1]?.hash ?? stored.lastHash,
        input.dueAt,
        Array.isArray(doc.people) ? doc.people : [],
      );
      const failed = await runBatch(this.cases, reference, [
        {
          operationType: 'Replace',
          id: reference,
          partitionKey: reference,
          ifMatch: doc._etag,
          resourceBody: asJson(next),
        },
        ...linked.map((e): OperationInput => ({
          operationType: 'Create',
          partitionKey: reference,
          resourceBody: asJson(eventDocument(e)),
        })),
      ]);
      if (failed === 412 || failed === 409 || failed === 404) {
        const now = await readItem<CaseDocument>(this.cases, reference, reference).catch(() => undefined);
        throw conflict(reference, input.expectedVersion, typeof now?.version === 'number' ? now.version : undefined);
      }
      if (failed !== undefined) throw refused(failed, reference);
      await this.anchor.append({
        reference,
        version,
        lastHash: next.lastHash,
        at: input.events[input.events.length - 1]?.at ?? input.state.raisedAt,
        created: false,
      });
      return toStored(reference, next);
    }, reference);
  }

  // ── reading cases ─────────────────────────────────────────────────────────────────

  async getCase(reference: string): Promise<StoredCase | undefined> {
    return guard(async () => {
      const doc = await readItem<CaseDocument>(this.cases, reference, reference);
      return doc ? toStored(reference, doc) : undefined;
    }, reference);
  }

  async findByIdempotencyKey(key: string): Promise<StoredCase | undefined> {
    return guard(async () => {
      const id = idempotencyId(key);
      const claim = await readItem<IdempotencyDocument>(this.cases, id, id);
      // A claim whose case is not (yet) there has made nothing.
      return typeof claim?.reference === 'string' ? this.getCase(claim.reference) : undefined;
    });
  }

  async getEvents(reference: string): Promise<StoredEvent[]> {
    return guard(async () => {
      const docs = await queryItems<EventDocument>(
        this.cases,
        "SELECT * FROM c WHERE c.caseRef = @ref AND c.type = 'event' ORDER BY c.seq ASC",
        [{ name: '@ref', value: reference }],
        reference,
      );
      return docs.map((d) => {
        if (
          typeof d.seq !== 'number' ||
          typeof d.prevHash !== 'string' ||
          typeof d.hash !== 'string' ||
          typeof d.event !== 'object' ||
          d.event === null
        ) {
          throw corrupt(reference, `event document ${String(d.id)} is malformed`);
        }
        return { reference, seq: d.seq, event: d.event, prevHash: d.prevHash, hash: d.hash };
      });
    }, reference);
  }

  async dueCases(at: string, limit: number): Promise<DueCase[]> {
    if (!(limit > 0)) return [];
    return guard(async () => {
      const rows = await queryItems<DueCase>(
        this.cases,
        "SELECT TOP @n c.reference, c.dueAt, c.version FROM c WHERE c.type = 'case' AND IS_STRING(c.dueAt) AND c.dueAt <= @at ORDER BY c.dueAt ASC, c.id ASC",
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
    return guard(() =>
      queryItems<string>(this.cases, "SELECT VALUE c.id FROM c WHERE c.type = 'case' ORDER BY c.id ASC", []),
    );
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
    await guard(() => this.cases.items.upsert(doc), caseReference);
  }

  async getThreads(caseReference: string): Promise<ThreadReference[]> {
    return guard(async () => {
      const docs = await queryItems<ThreadDocument>(
        this.cases,
        "SELECT * FROM c WHERE c.caseRef = @ref AND c.type = 'thread'",
        [{ name: '@ref', value: caseReference }],
        caseReference,
      );
      return docs
        .map((d) => ({ platform: d.platform, agencyId: d.agencyId, reference: d.reference }))
        .sort((a, b) =>
          a.platform === b.platform ? compare(a.agencyId, b.agencyId) : compare(a.platform, b.platform),
        );
    }, caseReference);
  }

  async saveContact(contact: Contact): Promise<void> {
    const partition = contactPartition(contact.personId);
    const doc = {
      id: `contact:${contact.platform}`,
      caseRef: partition,
      type: 'contact',
      personId: contact.personId,
      platform: contact.platform,
      reference: contact.reference,
      updatedAt: contact.updatedAt,
    };
    await guard(() => this.cases.items.upsert(doc));
  }

  async getContact(personId: string, platform: Contact['platform']): Promise<Contact | undefined> {
    return guard(async () => {
      const doc = await readItem<Contact>(this.cases, `contact:${platform}`, contactPartition(personId));
      return doc ? { personId, platform, reference: doc.reference, updatedAt: doc.updatedAt } : undefined;
    });
  }

  /**
   * A sweeper's lease on a case: a small document in the case's partition (`lease`), created, or
   * replaced on the condition of its ETag when it has run out or is the owner's own; so two
   * sweepers can never both hold it.
   */
  async claimLease(reference: string, owner: string, until: string, now: string): Promise<boolean> {
    return guard(async () => {
      const doc = { id: 'lease', caseRef: reference, type: 'lease', owner, until };
      const held = await readItem<{ owner: string; until: string }>(this.cases, 'lease', reference);
      if (!held) return createUnlessExists(this.cases, doc);
      if (held.until > now && held.owner !== owner) return false;
      return replaceIfUnchanged(this.cases, doc, held._etag);
    }, reference);
  }

  async releaseLease(reference: string, owner: string): Promise<void> {
    await guard(async () => {
      const held = await readItem<{ owner: string }>(this.cases, 'lease', reference);
      if (!held || held.owner !== owner) return;
      try {
        await this.cases
          .item('lease', reference)
          .delete({ accessCondition: { type: 'IfMatch', condition: held._etag ?? '' } });
      } catch (error) {
        const status = statusOf(error);
        if (status !== 404 && status !== 412) throw error;
      }
    }, reference);
  }

  async claimRequest(scope: string, key: string, at: string): Promise<boolean> {
    const id = `${idPart(scope, false)}:${idPart(key, true)}`;
    return guard(() => createUnlessExists(this.requests, { id, scope, key, claimedAt: at }));
  }

  async savePersonalDetails(reference: string, sealed: SealedDetails): Promise<void> {
    const doc = {
      id: reference,
      caseRef: reference,
      keyId: sealed.keyId,
      iv: sealed.iv,
      tag: sealed.tag,
      ciphertext: sealed.ciphertext,
    };
    await guard(() => this.personal.items.upsert(doc), reference);
  }

  async readPersonalDetails(reference: string): Promise<SealedDetails | undefined> {
    return guard(async () => {
      const doc = await readItem<SealedDetails>(this.personal, reference, reference);
      if (!doc) return undefined;
      if (
        typeof doc.keyId !== 'string' ||
        typeof doc.iv !== 'string' ||
        typeof doc.tag !== 'string' ||
        typeof doc.ciphertext !== 'string'
      ) {
        throw corrupt(reference, 'its sealed personal details are malformed');
      }
      return { keyId: doc.keyId, iv: doc.iv, tag: doc.tag, ciphertext: doc.ciphertext };
    }, reference);
  }

  async erasePersonalDetails(reference: string): Promise<boolean> {
    return guard(async () => {
      try {
        await this.personal.item(reference, reference).delete();
        return true;
      } catch (error) {
        if (statusOf(error) === 404) return false;
        throw error;
      }
    }, reference);
  }

  async recordAccess(entry: AccessEntry): Promise<void> {
    await guard(() => logs.insertAccess(this.logs, entry), entry.reference);
  }

  async accessLog(filter?: AccessFilter): Promise<AccessEntry[]> {
    return guard(() => logs.selectAccess(this.logs, filter));
  }

  async recordSecurityEvent(event: SecurityEvent): Promise<void> {
    await guard(() => logs.insertSecurityEvent(this.logs, event));
  }

  async securityEvents(filter?: SecurityFilter): Promise<SecurityEvent[]> {
    return guard(() => logs.selectSecurityEvents(this.logs, filter));
  }

  // ── the store-wide anchor ─────────────────────────────────────────────────────────

  async readCheckpoints(): Promise<Checkpoint[]> {
    return guard(() => this.anchor.read());
  }

  async anchorCase(reference: string): Promise<boolean> {
    return guard(async () => {
      const doc = await readItem<CaseDocument>(this.cases, reference, reference);
      if (!doc) return false;
      const stored = toStored(reference, doc);
      const anchored = checkAnchor(this.auditKey, await this.readCheckpoints()).cases.get(reference);
      if (anchored?.version === stored.version && anchored.lastHash === stored.lastHash) return false;
      const events = await this.getEvents(reference);
      return this.anchor.append({
        reference,
        version: stored.version,
        lastHash: stored.lastHash,
        at: events[events.length - 1]?.event.at ?? stored.state.raisedAt,
        created: !anchored,
      });
    }, reference);
  }

  async recordFields(reference: string): Promise<CaseRecordFields | undefined> {
    return guard(async () => {
      const doc = await readItem<CaseDocument>(this.cases, reference, reference);
      if (!doc) return undefined;
      const keys = await queryItems<string>(
        this.cases,
        "SELECT VALUE c.key FROM c WHERE c.type = 'idempotency' AND c.reference = @ref",
        [{ name: '@ref', value: reference }],
      );
      return {
        boardId: String(doc.boardId),
        status: String(doc.status),
        raisedAt: String(doc.raisedAt),
        version: Number(doc.version),
        lastHash: String(doc.lastHash),
        ...(typeof doc.dueAt === 'string' ? { dueAt: doc.dueAt } : {}),
        ...(typeof keys[0] === 'string' ? { idempotencyKey: keys[0] } : {}),
        people: Array.isArray(doc.people) ? [...doc.people].map(String).sort() : [],
      };
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
    const linked = chainEvents(this.auditKey, reference, 0, GENESIS, input.events);
    tooMany(reference, linked.length);
    const doc = caseDocument(state, linked.length, linked[linked.length - 1]?.hash ?? GENESIS, input.dueAt, []);
    const failed = await runBatch(this.cases, reference, [
      { operationType: 'Create', partitionKey: reference, resourceBody: asJson(doc) },
      ...linked.map((e): OperationInput => ({
        operationType: 'Create',
        partitionKey: reference,
        resourceBody: asJson(eventDocument(e)),
      })),
    ]);
    if (failed === 409 || failed === 412) {
      throw new StoreError(
        'conflict',
        `A case with the reference ${reference} already exists; nothing was overwritten.`,
        reference,
      );
    }
    if (failed !== undefined) throw refused(failed, reference);
    await this.anchor.append({
      reference,
      version: doc.version,
      lastHash: doc.lastHash,
      at: input.events[input.events.length - 1]?.at ?? state.raisedAt,
      created: true,
      ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
    });
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
    const claim: IdempotencyDocument = {
      id,
      caseRef: id,
      type: 'idempotency',
      key,
      reference,
      claimedAt: new Date().toISOString(),
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      const made = await this.cases.items.create(claim).then(
        (r) => r.resource?._etag ?? '',
        (error: unknown) => {
          if (statusOf(error) === 409) return undefined;
          throw error;
        },
      );
      if (made !== undefined) return { created: true, case: await this.insertClaimed(input, id, made) };

      const existing = await readItem<IdempotencyDocument>(this.cases, id, id);
      if (!existing) continue; // released meanwhile: claim it again
      const named = typeof existing.reference === 'string' ? existing.reference : undefined;
      if (named) {
        const found = await this.waitForCase(named);
        if (found) return { created: false, case: found };
      }
      const takenOver = await replaceIfUnchanged(this.cases, claim, existing._etag);
      if (takenOver) {
        const etag = (await readItem<IdempotencyDocument>(this.cases, id, id))?._etag ?? '';
        return { created: true, case: await this.insertClaimed(input, id, etag) };
      }
    }
    throw new StoreError(
      'unavailable',
      `Another request with the same key is still creating case ${reference}; nothing was saved. Try again in a moment.`,
      reference,
    );
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
    return guard(async () => {
      const rows = await queryItems<CaseSummary>(
        this.cases,
        `SELECT c.reference, c.boardId, c.status, c.raisedAt, c.version FROM c WHERE c.type = 'case' AND ${condition} ORDER BY c.raisedAt ASC, c.id ASC`,
        parameters,
      );
      return rows.map((r) => ({
        reference: r.reference,
        boardId: r.boardId,
        status: r.status,
        raisedAt: r.raisedAt,
        version: r.version,
      }));
    });
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
