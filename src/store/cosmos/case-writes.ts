/**
 * Writing cases in Azure Cosmos DB: the next case number (ETag-checked), an append (the case
 * document replaced on its ETag with the new event documents, in one transactional batch), and
 * the anchor's checkpoint for a case that is ahead of it. Plain functions of the containers.
 */
import type { Container, OperationInput } from '@azure/cosmos';
import { checkAnchor } from '../../app/store/anchor';
import { chainEvents, type AuditKey } from '../../app/store/chain';
import { conflict, StoreError, type Append, type Restate, type StoredCase } from '../../app/store/repository';
import type { CosmosAnchor } from './anchor';
import { getEvents } from './case-reads';
import { asJson, caseDocument, eventDocument, idPart, SEQUENCE_ATTEMPTS, toStored, tooMany } from './documents';
import type { CaseDocument, SequenceDocument } from './documents';
import { guard, refused } from './errors';
import { createUnlessExists, readItem, replaceIfUnchanged, runBatch } from './items';
import { outboxOperations, unstored } from './outbox';
import { proceduresOf } from './procedures';

/** What a case write needs: the cases container, the anchor it appends to, and the key that seals both. */
export interface CaseWriter {
  cases: Container;
  anchor: CosmosAnchor;
  auditKey: AuditKey;
}

export async function nextSequence(cases: Container, boardId: string, year: number): Promise<number> {
  const id = `seq:${idPart(boardId, false)}:${year}`;
  return guard(async () => {
    for (let attempt = 0; attempt < SEQUENCE_ATTEMPTS; attempt++) {
      const current = await readItem<SequenceDocument>(cases, id, id);
      if (!current) {
        const made: SequenceDocument = { id, caseRef: id, type: 'sequence', boardId, year, last: 1 };
        if (await createUnlessExists(cases, made)) return 1;
      } else {
        const last = typeof current.last === 'number' && Number.isInteger(current.last) ? current.last : undefined;
        if (last === undefined)
          throw new StoreError(
            'corrupt',
            `The case-number record for ${boardId} in ${year} is damaged. Nothing was changed; an administrator should restore it.`,
          );
        const next: SequenceDocument = { id, caseRef: id, type: 'sequence', boardId, year, last: last + 1 };
        if (await replaceIfUnchanged(cases, next, current._etag)) return next.last;
      }
      await pause(5 + Math.random() * (10 + attempt * 5));
    }
    throw new StoreError(
      'unavailable',
      `Too many people asked for a ${boardId} case number at once; nothing was saved. Try again in a moment.`,
    );
  });
}

export async function appendEvents(writer: CaseWriter, input: Append): Promise<StoredCase> {
  const { reference } = input;
  return guard(async () => {
    const procedures = proceduresOf(writer.cases);
    const doc = await readItem<CaseDocument>(writer.cases, reference, reference);
    if (!doc) throw new StoreError('not-found', `There is no case ${reference}.`, reference);
    const stored = await toStored(procedures, reference, doc);
    if (stored.version !== input.expectedVersion) throw conflict(reference, input.expectedVersion, stored.version);
    const linked = chainEvents(writer.auditKey, reference, stored.version, stored.lastHash, input.events);
    const version = stored.version + linked.length;
    if (input.state.version !== version || input.state.reference !== reference) {
      throw new StoreError(
        'conflict',
        `The state given for case ${reference} does not follow from its stored version ${stored.version}; nothing was saved.`,
        reference,
      );
    }
    tooMany(reference, linked.length, outboxOperations(reference, input.outbox).length);
    await procedures.ensure(input.state, input.events);
    const next = caseDocument(
      input.state,
      version,
      linked[linked.length - 1]?.hash ?? stored.lastHash,
      input.dueAt,
      Array.isArray(doc.people) ? doc.people : [],
      procedures,
    );
    // The case replaced on its ETag, the new events and the outbox items the change owes: all or nothing.
    const write = (owed: Append['outbox']): Promise<number | undefined> =>
      runBatch(writer.cases, reference, [
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
          resourceBody: asJson(eventDocument(e, procedures)),
        })),
        ...outboxOperations(reference, owed),
      ]);
    let failed = await write(input.outbox);
    if (failed === 409 && input.outbox?.length) {
      // An item id already stored (its ids are the new version's, so only if enqueued ahead) is kept as it is.
      const owed = await unstored(writer.cases, reference, input.outbox);
      if (owed.length < input.outbox.length) failed = await write(owed);
    }
    if (failed === 412 || failed === 409 || failed === 404) {
      const now = await readItem<CaseDocument>(writer.cases, reference, reference).catch(() => undefined);
      throw conflict(reference, input.expectedVersion, typeof now?.version === 'number' ? now.version : undefined);
    }
    if (failed !== undefined) throw refused(failed, reference);
    await writer.anchor.append({
      reference,
      version,
      lastHash: next.lastHash,
      at: input.events[input.events.length - 1]?.at ?? input.state.raisedAt,
      created: false,
    });
    return toStored(procedures, reference, next);
  }, reference);
}

/**
 * Rewrite a case document's state and index fields from its events (after an upgrade changed the
 * fold), replaced on the ETag of the version read: its event documents and the anchor untouched.
 */
export async function restateCase(writer: CaseWriter, input: Restate): Promise<StoredCase> {
  const { reference } = input;
  return guard(async () => {
    const procedures = proceduresOf(writer.cases);
    const doc = await readItem<CaseDocument>(writer.cases, reference, reference);
    if (!doc) throw new StoreError('not-found', `There is no case ${reference}.`, reference);
    const stored = await toStored(procedures, reference, doc);
    if (stored.version !== input.expectedVersion) throw conflict(reference, input.expectedVersion, stored.version);
    if (input.state.version !== stored.version || input.state.reference !== reference)
      throw new StoreError(
        'conflict',
        `The state given for case ${reference} is not of its stored version ${stored.version}; nothing was saved.`,
        reference,
      );
    // The people and agencies its events give, no more and no fewer; its version and last hash as they are.
    await procedures.ensure(input.state);
    const next = caseDocument(input.state, stored.version, stored.lastHash, input.dueAt, [], procedures);
    if (!(await replaceIfUnchanged(writer.cases, asJson(next) as unknown as CaseDocument, doc._etag))) {
      const now = await readItem<CaseDocument>(writer.cases, reference, reference).catch(() => undefined);
      throw conflict(reference, input.expectedVersion, typeof now?.version === 'number' ? now.version : undefined);
    }
    return toStored(procedures, reference, next);
  }, reference);
}

export async function anchorCase(writer: CaseWriter, reference: string): Promise<boolean> {
  return guard(async () => {
    const doc = await readItem<CaseDocument>(writer.cases, reference, reference);
    if (!doc) return false;
    const stored = await toStored(proceduresOf(writer.cases), reference, doc);
    const anchored = checkAnchor(writer.auditKey, await guard(() => writer.anchor.read())).cases.get(reference);
    if (anchored?.version === stored.version && anchored.lastHash === stored.lastHash) return false;
    const events = await getEvents(writer.cases, reference);
    return writer.anchor.append({
      reference,
      version: stored.version,
      lastHash: stored.lastHash,
      at: events[events.length - 1]?.event.at ?? stored.state.raisedAt,
      created: !anchored,
    });
  }, reference);
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
