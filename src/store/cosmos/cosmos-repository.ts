/**
 * The Azure Cosmos DB store (NoSQL API, @azure/cosmos).
 *
 * Layout. Three containers in one database:
 *
 * - `cases`, partition key `/caseRef`. Everything about one case lives in one logical partition
 *   whose key is the case reference: the case document (`id` = reference, `type: 'case'`: board,
 *   status, version, raisedAt, dueAt (while the sweeper owes it anything), lastHash, `people`, its
 *   two `agencies` and the full state), one document per event (`id` =
 *   `<reference>:<seq, six digits>`, `type: 'event'`: seq, event,
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
 *   (partition `contact:<person>`, one document per platform). What a change owes people (the
 *   outbox, src/store/cosmos/outbox.ts) is one document per item in its case's partition
 *   (`id` = `outbox:<item id>`, `type: 'outbox'`), created in the same batch as the change.
 *   Each distinct board procedure is one document in a partition of its own
 *   (`procedure:<SHA-256>`, src/store/cosmos/procedures.ts): case states and case-raised events
 *   refer to it rather than carry a copy.
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
 * - `directory`, partition key `/log` (src/store/cosmos/directory-log.ts): the directory's
 *   history, one document per change, numbered without gaps.
 * - `requests`, partition key `/id`, default time-to-live 30 days: one document per incoming
 *   request claimed (a Slack retry, a Teams resend); the second create of the same id fails
 *   with 409, which is the "already seen" answer. Cosmos DB deletes them itself after 30 days.
 *
 * Reads across cases (due cases, cases of a board or person, every reference) are
 * cross-partition queries on the case documents only (`type = 'case'`); the due query is
 * `TOP n … ORDER BY dueAt`, served by the range index on `/dueAt`, so its cost follows the
 * number of cases due, not the number stored. The outbox's claims and lists are cross-partition
 * queries on `type = 'outbox'`, ordered through composite indexes (CASES_INDEXING). State and
 * event bodies, and outbox payloads and results, are excluded from indexing: nothing queries
 * inside them, and it keeps writes cheap.
 *
 * Item ids cannot contain `/`, `\`, `?` or `#`, so free-form parts (idempotency keys, request
 * keys, agency ids) are used as they are only when they are plainly safe, and otherwise
 * replaced by their SHA-256.
 */
import type { CosmosClient, Container, Database } from '@azure/cosmos';
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
import type { NewOutboxItem, OutboxFilter, OutboxItem, OutboxSetback, OutboxStats } from '../../app/store/outbox';
import type { CosmosOptions } from './client';
import { CASES_INDEXING, PERSONAL_INDEXING, REQUEST_TTL_SECONDS } from './documents';
import { guard, translate } from './errors';
import * as logs from './logs';
import { CosmosAnchor } from './anchor';
import { createCase } from './case-create';
import * as reads from './case-reads';
import * as writes from './case-writes';
import * as outbox from './outbox';
import * as side from './side-records';
import * as sweep from './sweep-writes';
import * as slack from './slack-installations';
import type { InstallationKey, SlackInstallationRecord } from '../../app/store/slack-installations';
import * as directoryLog from './directory-log';
import type { NewDirectoryEntry } from '../../app/store/directory-log';
import type { DirectoryEntry } from '../../domain/directory';

export { cosmosClientFrom, type CosmosConnection, type CosmosOptions } from './client';
export { REQUEST_TTL_SECONDS } from './documents';

export class CosmosRepository implements CaseRepository {
  readonly kind = 'cosmos' as const;
  readonly anchoredWithEachWrite = false;

  /** What the case writes need. */
  private readonly writer: writes.CaseWriter;

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
    private readonly directory: Container,
  ) {
    this.writer = { cases, anchor, auditKey };
    this.slackInstallations = slack.slackInstallationsContainer(database);
  }

  /** The Slack installations' container (./slack-installations), made when first needed. */
  private readonly slackInstallations: () => Promise<Container>;

  async saveSlackInstallation(record: SlackInstallationRecord): Promise<void> {
    await slack.saveSlackInstallation(await guard(this.slackInstallations), record);
  }

  async getSlackInstallation(key: InstallationKey): Promise<SlackInstallationRecord | undefined> {
    return slack.getSlackInstallation(await guard(this.slackInstallations), key);
  }

  async deleteSlackInstallation(key: InstallationKey): Promise<boolean> {
    return slack.deleteSlackInstallation(await guard(this.slackInstallations), key);
  }

  async listSlackInstallations(): Promise<Array<Omit<SlackInstallationRecord, 'sealed'>>> {
    return slack.listSlackInstallations(await guard(this.slackInstallations));
  }

  /** Connect, creating the database and containers if they are not there yet. */
  static async open(options: CosmosOptions): Promise<CosmosRepository> {
    try {
      const { database } = await options.client.databases.createIfNotExists({ id: options.databaseId });
      const { container: cases } = await database.containers.createIfNotExists({
        id: options.casesContainerId ?? 'cases',
        partitionKey: { paths: ['/caseRef'] },
        indexingPolicy: CASES_INDEXING,
      });
      await upgradeIndexing(cases);
      const { container: personal } = await database.containers.createIfNotExists({
        id: options.personalContainerId ?? 'personal',
        partitionKey: { paths: ['/caseRef'] },
        indexingPolicy: PERSONAL_INDEXING,
      });
      await upgradePersonalIndexing(personal);
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
        await directoryLog.openDirectoryContainer(database, options.directoryContainerId),
      );
    } catch (error) {
      if (options.ownsClient) options.client.dispose();
      throw translate(error);
    }
  }

  // ── case numbers ──────────────────────────────────────────────────────────────────

  async nextSequence(boardId: string, year: number): Promise<number> {
    return writes.nextSequence(this.cases, boardId, year);
  }

  // ── writing cases ─────────────────────────────────────────────────────────────────

  async createCase(input: NewCase): Promise<{ created: boolean; case: StoredCase }> {
    return createCase(this.writer, input);
  }

  async appendEvents(input: Append): Promise<StoredCase> {
    return writes.appendEvents(this.writer, input);
  }

  async restateCase(input: Restate): Promise<StoredCase> {
    return writes.restateCase(this.writer, input);
  }

  // ── reading cases ─────────────────────────────────────────────────────────────────

  async getCase(reference: string): Promise<StoredCase | undefined> {
    return reads.getCase(this.cases, reference);
  }

  async findByIdempotencyKey(key: string): Promise<StoredCase | undefined> {
    return reads.findByIdempotencyKey(this.cases, key);
  }

  async getEvents(reference: string): Promise<StoredEvent[]> {
    return reads.getEvents(this.cases, reference);
  }

  async dueCases(at: string, limit: number): Promise<DueCase[]> {
    return reads.dueCases(this.cases, at, limit);
  }

  async casesOfBoard(boardId: string, from: string, to: string): Promise<CaseSummary[]> {
    return reads.casesOfBoard(this.cases, boardId, from, to);
  }

  async readCasesOfBoard(boardId: string, from: string, to: string): Promise<StoredCase[]> {
    return reads.readCasesOfBoard(this.cases, boardId, from, to);
  }

  async casesOfPerson(personId: string): Promise<CaseSummary[]> {
    return reads.casesOfPerson(this.cases, personId);
  }

  async openCasesOfAgency(agencyId: string): Promise<CaseSummary[]> {
    return reads.openCasesOfAgency(this.cases, agencyId);
  }

  async openCasesOfBoard(boardId: string): Promise<CaseSummary[]> {
    return reads.openCasesOfBoard(this.cases, boardId);
  }

  async allReferences(): Promise<string[]> {
    return reads.allReferences(this.cases);
  }

  // ── threads, requests, personal details ───────────────────────────────────────────

  async saveThread(caseReference: string, thread: ThreadReference): Promise<void> {
    return side.saveThread(this.cases, caseReference, thread);
  }

  async getThreads(caseReference: string): Promise<ThreadReference[]> {
    return side.getThreads(this.cases, caseReference);
  }

  async savePersonalCard(caseReference: string, card: PersonalCard): Promise<void> {
    return side.savePersonalCard(this.cases, caseReference, card);
  }

  async getPersonalCards(caseReference: string): Promise<PersonalCard[]> {
    return side.getPersonalCards(this.cases, caseReference);
  }

  async saveContact(contact: Contact): Promise<void> {
    return side.saveContact(this.cases, contact);
  }

  async getContact(personId: string, platform: Contact['platform']): Promise<Contact | undefined> {
    return side.getContact(this.cases, personId, platform);
  }

  async claimLease(reference: string, owner: string, until: string, now: string): Promise<boolean> {
    return side.claimLease(this.cases, reference, owner, until, now);
  }

  async releaseLease(reference: string, owner: string): Promise<void> {
    return side.releaseLease(this.cases, reference, owner);
  }

  async claimDueCases(now: string, owner: string, until: string, limit: number): Promise<StoredCase[]> {
    return sweep.claimDueCases(this.cases, now, owner, until, limit);
  }

  async appendMany(appends: readonly Append[], release?: LeaseRelease): Promise<AppendOutcome[]> {
    return sweep.appendMany(this.writer, appends, release);
  }

  async claimRequest(scope: string, key: string, at: string): Promise<boolean> {
    return side.claimRequest(this.requests, scope, key, at);
  }

  async savePersonalDetails(reference: string, sealed: SealedDetails): Promise<void> {
    return side.savePersonalDetails(this.personal, reference, sealed);
  }

  async readPersonalDetails(reference: string): Promise<SealedDetails | undefined> {
    return side.readPersonalDetails(this.personal, reference);
  }

  async erasePersonalDetails(reference: string): Promise<boolean> {
    return side.erasePersonalDetails(this.personal, reference);
  }

  async personalDetailsNotUnder(
    keyId: string,
    limit: number,
    after?: string,
  ): Promise<Array<{ reference: string; sealed: SealedDetails }>> {
    return side.personalDetailsNotUnder(this.personal, keyId, limit, after);
  }

  async countPersonalDetails(keyId: string): Promise<{ under: number; notUnder: number }> {
    return side.countPersonalDetails(this.personal, keyId);
  }

  async resealPersonalDetails(reference: string, expected: SealedDetails, next: SealedDetails): Promise<boolean> {
    return side.resealPersonalDetails(this.personal, reference, expected, next);
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

  // ── the outbox ────────────────────────────────────────────────────────────────────

  async enqueue(items: readonly NewOutboxItem[]): Promise<void> {
    await guard(() => outbox.enqueue(this.cases, items));
  }

  async claimOutbox(owner: string, now: string, until: string, limit: number): Promise<OutboxItem[]> {
    return guard(() => outbox.claimOutbox(this.cases, owner, now, until, limit));
  }

  async progressOutbox(id: string, owner: string, result: Record<string, unknown>): Promise<boolean> {
    return guard(() => outbox.progressOutbox(this.cases, id, owner, result));
  }

  async completeOutbox(
    id: string,
    owner: string | undefined,
    at: string,
    result?: Record<string, unknown>,
  ): Promise<boolean> {
    return guard(() => outbox.completeOutbox(this.cases, id, owner, at, result));
  }

  async setBackOutbox(id: string, owner: string, setback: OutboxSetback): Promise<boolean> {
    return guard(() => outbox.setBackOutbox(this.cases, id, owner, setback));
  }

  async listOutbox(filter?: OutboxFilter): Promise<OutboxItem[]> {
    return guard(() => outbox.listOutbox(this.cases, filter), filter?.reference);
  }

  async retryOutbox(filter: { reference?: string; ids?: readonly string[] }, now: string): Promise<number> {
    return guard(() => outbox.retryOutbox(this.cases, filter, now), filter.reference);
  }

  async pruneOutbox(before: string, limit: number): Promise<number> {
    return guard(() => outbox.pruneOutbox(this.cases, before, limit));
  }

  async outboxStats(): Promise<OutboxStats> {
    return guard(() => outbox.outboxStats(this.cases));
  }

  // ── the store-wide anchor ─────────────────────────────────────────────────────────

  async readCheckpoints(): Promise<Checkpoint[]> {
    return guard(() => this.anchor.read());
  }

  async anchorCase(reference: string): Promise<boolean> {
    return writes.anchorCase(this.writer, reference);
  }

  async recordFields(reference: string): Promise<CaseRecordFields | undefined> {
    return reads.recordFields(this.cases, reference);
  }

  // ── the directory's history ───────────────────────────────────────────────────────

  async appendDirectoryChange(entry: NewDirectoryEntry): Promise<DirectoryEntry> {
    return guard(() => directoryLog.appendDirectoryChange(this.directory, entry));
  }

  async directoryChanges(afterSeq: number, limit?: number): Promise<DirectoryEntry[]> {
    return guard(() => directoryLog.directoryChanges(this.directory, afterSeq, limit));
  }

  close(): Promise<void> {
    if (this.ownsClient) this.client.dispose();
    return Promise.resolve();
  }
}

/**
 * A cases container made before the outbox lacks its composite indexes (createIfNotExists leaves
 * an existing container's policy as it was): the policy is brought up to date, so that the
 * outbox's ordered queries are accepted.
 */
/** A personal container made before key rotation gets the key id's index (Cosmos DB builds it online). */
async function upgradePersonalIndexing(personal: Container): Promise<void> {
  const { resource } = await personal.read();
  if (!resource) return;
  if ((resource.indexingPolicy?.includedPaths ?? []).some((p) => p.path === '/keyId/?')) return;
  await personal.replace({ ...resource, indexingPolicy: PERSONAL_INDEXING });
}

async function upgradeIndexing(cases: Container): Promise<void> {
  const { resource } = await cases.read();
  if (!resource) return;
  const has = (resource.indexingPolicy?.compositeIndexes ?? []).map((c) => c.map((p) => p.path).join(','));
  const wanted = (CASES_INDEXING.compositeIndexes ?? []).map((c) => c.map((p) => p.path).join(','));
  const excluded = (resource.indexingPolicy?.excludedPaths ?? []).map((p) => p.path);
  // Stored procedures (./procedures) are not indexed either.
  if (wanted.every((w) => has.includes(w)) && excluded.includes('/procedure/*')) return;
  await cases.replace({ ...resource, indexingPolicy: CASES_INDEXING });
}
