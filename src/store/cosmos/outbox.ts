/**
 * The outbox in Azure Cosmos DB: one document per item in the `cases` container, in the partition
 * of the case it belongs to (`caseRef` = the item's reference), `type: 'outbox'`, `id` =
 * `outbox:<item id>` (the item id hashed when it is not plainly safe; the id itself is kept as
 * `itemId`). Items owed by a case change are Create operations in that change's transactional
 * batch (outboxOperations, used by case-create and case-writes), so they are stored with the
 * change or not at all. A claim is a cross-partition query for due items, then a replace of each
 * on the condition of the ETag it was read with: of two workers that read the same item, only
 * one replace succeeds, so two owners never hold it. Every other change is ETag-conditioned too,
 * read again and judged afresh when someone else changed the item in between.
 */
import type { Container, OperationInput, SqlParameter } from '@azure/cosmos';
import type {
  NewOutboxItem,
  OutboxFilter,
  OutboxItem,
  OutboxSetback,
  OutboxStats,
  OutboxStatus,
} from '../../app/store/outbox';
import { StoreError } from '../../app/store/repository';
import { asJson, idPart, type Stored } from './documents';
import { createUnlessExists, queryItems, readItem, replaceIfUnchanged } from './items';

/** An item as stored: its fields, its place in the case's partition and the item's own id. */
export type OutboxDocument = Omit<OutboxItem, 'id'> & { id: string; caseRef: string; type: 'outbox'; itemId: string };

/** Times an item changed by someone else is read again before giving up. */
const CHANGE_ATTEMPTS = 10;

/** What a claim scans per page of the due query (at least the claim's limit). */
const CLAIM_PAGE = 25;

const outboxDocumentId = (itemId: string): string => `outbox:${idPart(itemId, true)}`;

/** The case an item id names (`<case>:<version>:<kind>:<recipient>`, as outboxId makes them). */
function referenceIn(itemId: string): string | undefined {
  return /^(.+?):\d+:(?:open-thread|update-cards|update-message|tell|say):/.exec(itemId)?.[1];
}

function documentOf(item: OutboxItem, caseRef = item.reference): OutboxDocument {
  const { id, ...rest } = item;
  return asJson({
    ...rest,
    id: outboxDocumentId(id),
    caseRef,
    type: 'outbox',
    itemId: id,
  }) as unknown as OutboxDocument;
}

function fresh(item: NewOutboxItem): OutboxItem {
  return {
    id: item.id,
    reference: item.reference,
    kind: item.kind,
    platform: item.platform,
    recipient: item.recipient,
    event: item.event,
    dependsOn: [...item.dependsOn],
    payload: item.payload,
    createdAt: item.createdAt,
    nextAttemptAt: item.nextAttemptAt,
    status: 'pending',
    attempts: 0,
    failures: 0,
  };
}

function itemOf(d: OutboxDocument): OutboxItem {
  return {
    id: d.itemId,
    reference: d.reference,
    kind: d.kind,
    platform: d.platform,
    recipient: d.recipient,
    event: d.event,
    dependsOn: Array.isArray(d.dependsOn) ? d.dependsOn.map(String) : [],
    payload: d.payload,
    status: d.status,
    attempts: d.attempts,
    // Documents written before failures were counted apart have none yet.
    failures: typeof d.failures === 'number' ? d.failures : 0,
    nextAttemptAt: d.nextAttemptAt,
    createdAt: d.createdAt,
    ...(typeof d.lastError === 'string' ? { lastError: d.lastError } : {}),
    ...(d.result && typeof d.result === 'object' ? { result: d.result } : {}),
    ...(typeof d.leaseOwner === 'string' ? { leaseOwner: d.leaseOwner } : {}),
    ...(typeof d.leaseUntil === 'string' ? { leaseUntil: d.leaseUntil } : {}),
    ...(typeof d.doneAt === 'string' ? { doneAt: d.doneAt } : {}),
  };
}

/** An item without its lease (given back, done or failed). */
function unleased(item: OutboxItem): OutboxItem {
  const { leaseOwner: _owner, leaseUntil: _until, ...rest } = item;
  return rest;
}

/**
 * The Create operations for the items a case change owes, for that change's batch: each in the
 * case's own partition (an item of another case cannot join the batch, and is refused before
 * anything is written); an id given twice is written once.
 */
export function outboxOperations(reference: string, items: readonly NewOutboxItem[] = []): OperationInput[] {
  const seen = new Set<string>();
  const operations: OperationInput[] = [];
  for (const item of items) {
    if (item.reference !== reference)
      throw new RangeError(
        `Case ${reference}: an outbox item written with its change must belong to it, not to ${item.reference} (${item.id}).`,
      );
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    operations.push({
      operationType: 'Create',
      partitionKey: reference,
      resourceBody: asJson(documentOf(fresh(item))),
    });
  }
  return operations;
}

/** The items not stored yet (after a batch refused with 409, to write it again without those that are). */
export async function unstored(
  cases: Container,
  reference: string,
  items: readonly NewOutboxItem[] = [],
): Promise<NewOutboxItem[]> {
  const stored = await Promise.all(
    items.map((i) => readItem<OutboxDocument>(cases, outboxDocumentId(i.id), reference)),
  );
  return items.filter((_, n) => stored[n] === undefined);
}

/** Items written apart from a case change: each created unless its id is stored already, per case. */
export async function enqueue(cases: Container, items: readonly NewOutboxItem[]): Promise<void> {
  const byCase = new Map<string, NewOutboxItem[]>();
  for (const item of items) byCase.set(item.reference, [...(byCase.get(item.reference) ?? []), item]);
  await Promise.all(
    [...byCase.values()].map(async (owed) => {
      for (const item of owed) await createUnlessExists(cases, documentOf(fresh(item)));
    }),
  );
}

/**
 * Find an item by its id: in the partition it is expected in (`hint`, then the case its id
 * names), else by a cross-partition query (an id not made by outboxId).
 */
async function locate(cases: Container, itemId: string, hint?: string): Promise<Stored<OutboxDocument> | undefined> {
  const id = outboxDocumentId(itemId);
  const tried = new Set<string>();
  for (const partition of [hint, referenceIn(itemId)]) {
    if (partition === undefined || tried.has(partition)) continue;
    tried.add(partition);
    const doc = await readItem<OutboxDocument>(cases, id, partition);
    if (doc?.type === 'outbox') return doc;
  }
  const [found] = await queryItems<Stored<OutboxDocument>>(
    cases,
    "SELECT * FROM c WHERE c.type = 'outbox' AND c.id = @id AND c.itemId = @itemId",
    [
      { name: '@id', value: id },
      { name: '@itemId', value: itemId },
    ],
  );
  return found;
}

/**
 * Change a stored item as `decide` says (undefined: leave it, and answer false), on the condition
 * of its ETag; when someone else changed it in between, read it again and decide afresh.
 */
async function change(
  cases: Container,
  start: Stored<OutboxDocument> | undefined,
  decide: (item: OutboxItem) => OutboxItem | undefined,
): Promise<boolean> {
  let doc = start;
  for (let attempt = 0; attempt < CHANGE_ATTEMPTS; attempt++) {
    if (!doc?._etag) return false;
    const next = decide(itemOf(doc));
    if (!next) return false;
    if (await replaceIfUnchanged(cases, documentOf(next, doc.caseRef), doc._etag)) return true;
    doc = await readItem<OutboxDocument>(cases, doc.id, doc.caseRef);
  }
  throw new StoreError(
    'unavailable',
    `Outbox item ${start?.itemId ?? ''} kept changing while it was being updated; nothing was changed. Try again in a moment.`,
    start?.reference,
  );
}

export async function claimOutbox(
  cases: Container,
  owner: string,
  now: string,
  until: string,
  limit: number,
): Promise<OutboxItem[]> {
  const wanted = Math.floor(limit);
  if (!(wanted > 0)) return [];
  // Due and not leased by a live owner, in the order they fell due; dependencies are read after.
  const due = cases.items.query<Stored<OutboxDocument>>(
    {
      query: `SELECT * FROM c WHERE c.type = 'outbox' AND c.status = 'pending' AND c.nextAttemptAt <= @now
               AND (NOT IS_STRING(c.leaseUntil) OR c.leaseUntil <= @now)
             ORDER BY c.nextAttemptAt ASC, c.createdAt ASC, c.itemId ASC`,
      parameters: [{ name: '@now', value: now }],
    },
    { maxItemCount: Math.max(wanted, CLAIM_PAGE) },
  );
  const done = new Map<string, boolean>();
  const isDone = async (itemId: string, hint: string): Promise<boolean> => {
    let known = done.get(itemId);
    if (known === undefined) {
      const doc = await locate(cases, itemId, hint);
      known = !doc || doc.status !== 'pending'; // settled: done, or failed for good
      done.set(itemId, known);
    }
    return known;
  };
  const allDone = async (dependencies: readonly string[], hint: string): Promise<boolean> => {
    for (const dependency of dependencies) if (!(await isDone(dependency, hint))) return false;
    return true;
  };
  const taken: OutboxItem[] = [];
  while (taken.length < wanted && due.hasMoreResults()) {
    const { resources } = await due.fetchNext();
    for (const doc of resources) {
      if (taken.length >= wanted) break;
      if (!doc._etag) continue;
      const item = itemOf(doc);
      if (!(await allDone(item.dependsOn, doc.caseRef))) continue;
      const claimed: OutboxItem = { ...item, leaseOwner: owner, leaseUntil: until, attempts: item.attempts + 1 };
      // Another worker that changed it since it was read wins it: this one steps on.
      if (await replaceIfUnchanged(cases, documentOf(claimed, doc.caseRef), doc._etag)) taken.push(claimed);
    }
  }
  return taken;
}

export async function progressOutbox(
  cases: Container,
  id: string,
  owner: string,
  result: Record<string, unknown>,
): Promise<boolean> {
  return change(cases, await locate(cases, id), (item) =>
    item.status === 'pending' && item.leaseOwner === owner
      ? { ...item, result: { ...(item.result ?? {}), ...result } }
      : undefined,
  );
}

export async function completeOutbox(
  cases: Container,
  id: string,
  owner: string | undefined,
  at: string,
  result?: Record<string, unknown>,
): Promise<boolean> {
  return change(cases, await locate(cases, id), (item) => {
    if (item.status !== 'pending') return undefined;
    const free =
      owner !== undefined ? item.leaseOwner === owner : item.leaseUntil === undefined || item.leaseUntil <= at;
    if (!free) return undefined;
    return {
      ...unleased(item),
      status: 'done',
      doneAt: at,
      ...(result ? { result: { ...(item.result ?? {}), ...result } } : {}),
    };
  });
}

export async function setBackOutbox(
  cases: Container,
  id: string,
  owner: string,
  setback: OutboxSetback,
): Promise<boolean> {
  return change(cases, await locate(cases, id), (item) =>
    item.status === 'pending' && item.leaseOwner === owner
      ? {
          ...unleased(item),
          status: setback.retryAt ? 'pending' : 'failed',
          lastError: setback.error.slice(0, 500),
          nextAttemptAt: setback.retryAt ?? item.nextAttemptAt,
          attempts: setback.uncounted ? Math.max(0, item.attempts - 1) : item.attempts,
          failures: setback.uncounted ? item.failures : item.failures + 1,
        }
      : undefined,
  );
}

export async function listOutbox(cases: Container, filter: OutboxFilter = {}): Promise<OutboxItem[]> {
  const limit = Math.floor(filter.limit ?? 1000);
  if (!(limit > 0)) return [];
  const where = ["c.type = 'outbox'"];
  const parameters: SqlParameter[] = [{ name: '@n', value: limit }];
  if (filter.reference !== undefined) {
    where.push('c.reference = @reference');
    parameters.push({ name: '@reference', value: filter.reference });
  }
  if (filter.status !== undefined) {
    where.push('c.status = @status');
    parameters.push({ name: '@status', value: filter.status });
  }
  const docs = await queryItems<OutboxDocument>(
    cases,
    `SELECT TOP @n * FROM c WHERE ${where.join(' AND ')} ORDER BY c.createdAt ASC, c.itemId ASC`,
    parameters,
    filter.reference,
  );
  return docs.map(itemOf);
}

export async function retryOutbox(
  cases: Container,
  filter: { reference?: string; ids?: readonly string[] },
  now: string,
): Promise<number> {
  const failed = filter.ids?.length
    ? await Promise.all(filter.ids.map((id) => locate(cases, id)))
    : await queryItems<Stored<OutboxDocument>>(
        cases,
        `SELECT * FROM c WHERE c.type = 'outbox' AND c.status = 'failed'${filter.reference !== undefined ? ' AND c.reference = @reference' : ''}`,
        filter.reference !== undefined ? [{ name: '@reference', value: filter.reference }] : [],
        filter.reference,
      );
  let count = 0;
  for (const doc of failed) {
    const again = await change(cases, doc, (item) =>
      item.status === 'failed'
        ? { ...unleased(item), status: 'pending', attempts: 0, failures: 0, nextAttemptAt: now }
        : undefined,
    );
    if (again) count++;
  }
  return count;
}

export async function outboxStats(cases: Container): Promise<OutboxStats> {
  const count = async (status: OutboxStatus): Promise<number> =>
    (
      await queryItems<number>(cases, "SELECT VALUE COUNT(1) FROM c WHERE c.type = 'outbox' AND c.status = @status", [
        { name: '@status', value: status },
      ])
    ).reduce((sum, n) => sum + n, 0);
  const [pending, failed, oldest] = await Promise.all([
    count('pending'),
    count('failed'),
    queryItems<string | undefined>(
      cases,
      "SELECT VALUE MIN(c.createdAt) FROM c WHERE c.type = 'outbox' AND c.status = 'pending'",
      [],
    ),
  ]);
  const oldestPendingAt = oldest.find((o): o is string => typeof o === 'string');
  return { pending, failed, ...(oldestPendingAt !== undefined ? { oldestPendingAt } : {}) };
}

export async function pruneOutbox(cases: Container, before: string, limit: number): Promise<number> {
  const done = await queryItems<{ id: string; caseRef: string }>(
    cases,
    "SELECT TOP @n c.id, c.caseRef FROM c WHERE c.type = 'outbox' AND c.status = 'done' AND c.doneAt < @before",
    [
      { name: '@n', value: Math.max(1, Math.floor(limit)) },
      { name: '@before', value: before },
    ],
  );
  let count = 0;
  for (const doc of done) {
    try {
      await cases.item(doc.id, doc.caseRef).delete();
      count++;
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw error;
    }
  }
  return count;
}
