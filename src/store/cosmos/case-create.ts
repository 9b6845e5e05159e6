/**
 * Creating a case in Azure Cosmos DB: the case document and its first events in one
 * transactional batch, then its checkpoint; with an idempotency key, the key claimed first so
 * that a retried request finds the case the first one made rather than making another.
 */
import type { Container, OperationInput } from '@azure/cosmos';
import { GENESIS, chainEvents } from '../../app/store/chain';
import { StoreError, type NewCase, type StoredCase } from '../../app/store/repository';
import { getCase } from './case-reads';
import { pause, type CaseWriter } from './case-writes';
import {
  asJson,
  caseDocument,
  eventDocument,
  IDEMPOTENCY_WAIT_MS,
  idempotencyId,
  toStored,
  tooMany,
} from './documents';
import type { IdempotencyDocument } from './documents';
import { guard, refused, statusOf } from './errors';
import { readItem, replaceIfUnchanged, runBatch } from './items';
import { outboxOperations, unstored } from './outbox';
import { proceduresOf } from './procedures';

export async function createCase(writer: CaseWriter, input: NewCase): Promise<{ created: boolean; case: StoredCase }> {
  const reference = input.state.reference;
  return guard(async () => {
    // Refused before the idempotency key is claimed: a write that cannot be made leaves no claim behind.
    tooMany(reference, input.events.length, outboxOperations(reference, input.outbox).length);
    if (input.idempotencyKey === undefined) return { created: true, case: await insertCase(writer, input) };
    return createOnce(writer, input, input.idempotencyKey);
  }, reference);
}

/** Store a new case and its first events in one transactional batch. */
async function insertCase(writer: CaseWriter, input: NewCase): Promise<StoredCase> {
  const { state } = input;
  const reference = state.reference;
  const linked = chainEvents(writer.auditKey, reference, 0, GENESIS, input.events);
  // The procedure stored once (before the batch: it is another partition); the case refers to it.
  const procedures = proceduresOf(writer.cases);
  await procedures.ensure(state, input.events);
  const doc = caseDocument(
    state,
    linked.length,
    linked[linked.length - 1]?.hash ?? GENESIS,
    input.dueAt,
    [],
    procedures,
  );
  // The case, its first events and the outbox items it owes, all or nothing.
  const write = (owed: NewCase['outbox']): Promise<number | undefined> =>
    runBatch(writer.cases, reference, [
      { operationType: 'Create', partitionKey: reference, resourceBody: asJson(doc) },
      ...linked.map((e): OperationInput => ({
        operationType: 'Create',
        partitionKey: reference,
        resourceBody: asJson(eventDocument(e, procedures)),
      })),
      ...outboxOperations(reference, owed),
    ]);
  let failed = await write(input.outbox);
  if (failed === 409 && input.outbox?.length) {
    // An item already stored (enqueued before its case) is kept as it is, as in an enqueue.
    const owed = await unstored(writer.cases, reference, input.outbox);
    if (owed.length < input.outbox.length) failed = await write(owed);
  }
  if (failed === 409 || failed === 412) {
    throw new StoreError(
      'conflict',
      `A case with the reference ${reference} already exists; nothing was overwritten.`,
      reference,
    );
  }
  if (failed !== undefined) throw refused(failed, reference);
  await writer.anchor.append({
    reference,
    version: doc.version,
    lastHash: doc.lastHash,
    at: input.events[input.events.length - 1]?.at ?? state.raisedAt,
    created: true,
    ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
  });
  return toStored(procedures, reference, doc);
}

/**
 * Create with an idempotency key: claim the key first (a create that fails with 409 when the
 * key is taken), then make the case. A second caller finds the claim and returns the case it
 * names, waiting briefly if the first caller is still writing it; a claim whose case never
 * appears (its writer stopped half-way) is taken over, on the condition that nobody else has
 * changed it meanwhile.
 */
async function createOnce(
  writer: CaseWriter,
  input: NewCase,
  key: string,
): Promise<{ created: boolean; case: StoredCase }> {
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
    const made = await writer.cases.items.create(claim).then(
      (r) => r.resource?._etag ?? '',
      (error: unknown) => {
        if (statusOf(error) === 409) return undefined;
        throw error;
      },
    );
    if (made !== undefined) return { created: true, case: await insertClaimed(writer, input, id, made) };

    const existing = await readItem<IdempotencyDocument>(writer.cases, id, id);
    if (!existing) continue; // released meanwhile: claim it again
    const named = typeof existing.reference === 'string' ? existing.reference : undefined;
    if (named) {
      const found = await waitForCase(writer.cases, named);
      if (found) return { created: false, case: found };
    }
    const takenOver = await replaceIfUnchanged(writer.cases, claim, existing._etag);
    if (takenOver) {
      const etag = (await readItem<IdempotencyDocument>(writer.cases, id, id))?._etag ?? '';
      return { created: true, case: await insertClaimed(writer, input, id, etag) };
    }
  }
  throw new StoreError(
    'unavailable',
    `Another request with the same key is still creating case ${reference}; nothing was saved. Try again in a moment.`,
    reference,
  );
}

/** Make the case for a claimed key; if the case is refused outright, give the key back. */
async function insertClaimed(writer: CaseWriter, input: NewCase, claimId: string, etag: string): Promise<StoredCase> {
  try {
    return await insertCase(writer, input);
  } catch (error) {
    // Only a definite refusal releases the key: after a lost connection the case may exist.
    if (error instanceof StoreError && error.code === 'conflict') {
      await writer.cases
        .item(claimId, claimId)
        .delete(etag ? { accessCondition: { type: 'IfMatch', condition: etag } } : {})
        .catch(() => undefined);
    }
    throw error;
  }
}

async function waitForCase(cases: Container, reference: string): Promise<StoredCase | undefined> {
  for (const delay of [0, ...IDEMPOTENCY_WAIT_MS]) {
    if (delay) await pause(delay);
    const found = await getCase(cases, reference);
    if (found) return found;
  }
  return undefined;
}
