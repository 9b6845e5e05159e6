/**
 * Reading cases in Azure Cosmos DB: one case (by reference, by idempotency key, as the fields of
 * its record), its timeline, and the cross-partition queries on the case documents (due cases,
 * cases of a board or a person, an agency's or a board's open ones, every reference). Plain
 * functions of the `cases` container.
 */
import type { Container, SqlParameter } from '@azure/cosmos';
import type { CaseRecordFields, CaseSummary, DueCase, StoredCase, StoredEvent } from '../../app/store/repository';
import { corrupt } from '../stored-case';
import { idempotencyId, toStored } from './documents';
import type { CaseDocument, EventDocument, IdempotencyDocument } from './documents';
import { guard } from './errors';
import { queryItems, readItem } from './items';
import { proceduresOf } from './procedures';

export async function getCase(cases: Container, reference: string): Promise<StoredCase | undefined> {
  return guard(async () => {
    const doc = await readItem<CaseDocument>(cases, reference, reference);
    return doc ? toStored(proceduresOf(cases), reference, doc) : undefined;
  }, reference);
}

export async function findByIdempotencyKey(cases: Container, key: string): Promise<StoredCase | undefined> {
  return guard(async () => {
    const id = idempotencyId(key);
    const claim = await readItem<IdempotencyDocument>(cases, id, id);
    // A claim whose case is not (yet) there has made nothing.
    return typeof claim?.reference === 'string' ? getCase(cases, claim.reference) : undefined;
  });
}

export async function getEvents(cases: Container, reference: string): Promise<StoredEvent[]> {
  return guard(async () => {
    const docs = await queryItems<EventDocument>(
      cases,
      "SELECT * FROM c WHERE c.caseRef = @ref AND c.type = 'event' ORDER BY c.seq ASC",
      [{ name: '@ref', value: reference }],
      reference,
    );
    const procedures = proceduresOf(cases);
    await procedures.load(
      reference,
      docs.map((d) => d.event),
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
      return {
        reference,
        seq: d.seq,
        event: procedures.rehydrate(reference, d.event),
        prevHash: d.prevHash,
        hash: d.hash,
      };
    });
  }, reference);
}

export async function dueCases(cases: Container, at: string, limit: number): Promise<DueCase[]> {
  if (!(limit > 0)) return [];
  return guard(async () => {
    const rows = await queryItems<DueCase>(
      cases,
      "SELECT TOP @n c.reference, c.dueAt, c.version FROM c WHERE c.type = 'case' AND IS_STRING(c.dueAt) AND c.dueAt <= @at ORDER BY c.dueAt ASC, c.id ASC",
      [
        { name: '@n', value: Math.floor(limit) },
        { name: '@at', value: at },
      ],
    );
    return rows.map((r) => ({ reference: r.reference, dueAt: r.dueAt, version: r.version }));
  });
}

export async function casesOfBoard(
  cases: Container,
  boardId: string,
  from: string,
  to: string,
): Promise<CaseSummary[]> {
  return summaries(cases, 'c.boardId = @board AND c.raisedAt >= @from AND c.raisedAt < @to', [
    { name: '@board', value: boardId },
    { name: '@from', value: from },
    { name: '@to', value: to },
  ]);
}

/** The cases of a board raised in [from, to), whole: one cross-partition query, read page by page. */
export async function readCasesOfBoard(
  cases: Container,
  boardId: string,
  from: string,
  to: string,
): Promise<StoredCase[]> {
  return guard(async () => {
    const docs = await queryItems<CaseDocument>(
      cases,
      "SELECT * FROM c WHERE c.type = 'case' AND c.boardId = @board AND c.raisedAt >= @from AND c.raisedAt < @to ORDER BY c.raisedAt ASC, c.id ASC",
      [
        { name: '@board', value: boardId },
        { name: '@from', value: from },
        { name: '@to', value: to },
      ],
    );
    const procedures = proceduresOf(cases);
    // Each procedure they refer to read once, before any case is put back together.
    await procedures.load(
      boardId,
      docs.map((d) => d.state),
    );
    const out: StoredCase[] = [];
    for (const doc of docs) out.push(await toStored(procedures, doc.id, doc));
    return out;
  });
}

export async function casesOfPerson(cases: Container, personId: string): Promise<CaseSummary[]> {
  return summaries(cases, 'ARRAY_CONTAINS(c.people, @person)', [{ name: '@person', value: personId }]);
}

/**
 * Open cases of an agency: by the indexed `agencies` of each case document; a document written
 * before those were kept is read for its state's two agencies instead (it gains them on its next write).
 */
export async function openCasesOfAgency(cases: Container, agencyId: string): Promise<CaseSummary[]> {
  return guard(async () => {
    const rows = await queryItems<CaseSummary & { agencies?: unknown; raising?: unknown; responding?: unknown }>(
      cases,
      "SELECT c.reference, c.boardId, c.status, c.raisedAt, c.version, c.agencies, c.state.raising.agencyId AS raising, c.state.responding.agencyId AS responding FROM c WHERE c.type = 'case' AND c.status = 'open' AND (ARRAY_CONTAINS(c.agencies, @agency) OR NOT IS_DEFINED(c.agencies)) ORDER BY c.raisedAt ASC, c.id ASC",
      [{ name: '@agency', value: agencyId }],
    );
    return rows
      .filter((r) => Array.isArray(r.agencies) || r.raising === agencyId || r.responding === agencyId)
      .map(summary);
  });
}

export async function openCasesOfBoard(cases: Container, boardId: string): Promise<CaseSummary[]> {
  return summaries(cases, "c.boardId = @board AND c.status = 'open'", [{ name: '@board', value: boardId }]);
}

export async function allReferences(cases: Container): Promise<string[]> {
  return guard(() => queryItems<string>(cases, "SELECT VALUE c.id FROM c WHERE c.type = 'case' ORDER BY c.id ASC", []));
}

export async function recordFields(cases: Container, reference: string): Promise<CaseRecordFields | undefined> {
  return guard(async () => {
    const doc = await readItem<CaseDocument>(cases, reference, reference);
    if (!doc) return undefined;
    const keys = await queryItems<string>(
      cases,
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

async function summaries(cases: Container, condition: string, parameters: SqlParameter[]): Promise<CaseSummary[]> {
  return guard(async () => {
    const rows = await queryItems<CaseSummary>(
      cases,
      `SELECT c.reference, c.boardId, c.status, c.raisedAt, c.version FROM c WHERE c.type = 'case' AND ${condition} ORDER BY c.raisedAt ASC, c.id ASC`,
      parameters,
    );
    return rows.map(summary);
  });
}

function summary(r: CaseSummary): CaseSummary {
  return { reference: r.reference, boardId: r.boardId, status: r.status, raisedAt: r.raisedAt, version: r.version };
}
