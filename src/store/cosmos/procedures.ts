/**
 * The procedure stored once per version, in Azure Cosmos DB (see src/store/procedure-refs.ts):
 * one document per distinct procedure in the `cases` container, in a partition of its own
 * (`id` = `caseRef` = `procedure:<key>`, `type: 'procedure'`: key, board, version label and the
 * procedure itself, not indexed), so no container is added to a deployment.
 *
 * A write stores the procedures it carries first (`ensure`; another partition cannot join the
 * case's batch, so it is created before it: a write that then fails leaves a procedure no case
 * refers to yet, which is harmless); only a procedure this handle knows is stored is written as a
 * reference (`stateBody`, `eventBody`: the one place case and event documents are compacted), so
 * a write path that skipped `ensure` would store a full copy, never a dangling reference. Reads
 * load the procedures their documents refer to (`load`, one point read per procedure not yet
 * cached), then put them back (`rehydrate`).
 */
import type { Container } from '@azure/cosmos';
import type { CaseEvent, CaseState } from '../../domain/escalation';
import type { Procedure } from '../../domain/procedure';
import {
  compactEvent,
  compactState,
  describeProcedure,
  procedureOfEvent,
  ProcedureCache,
  referencedKey,
  rehydrate,
} from '../procedure-refs';
import { createUnlessExists, readItem } from './items';

export interface ProcedureDocument {
  id: string;
  caseRef: string;
  type: 'procedure';
  key: string;
  boardId: string;
  label: string;
  storedAt: string;
  procedure: Procedure;
}

export const procedureDocumentId = (key: string): string => `procedure:${key}`;

export class CosmosProcedures {
  private readonly cache = new ProcedureCache();
  /** Keys whose document is stored. */
  private readonly known = new Set<string>();

  constructor(private readonly cases: Container) {}

  /** Store (once per handle) the procedures a write carries: its state's and any case-raised event's. */
  async ensure(state: CaseState, events: readonly CaseEvent[] = []): Promise<void> {
    const procedures = new Set([state.procedure, ...events.map(procedureOfEvent)]);
    for (const procedure of procedures) {
      if (!procedure) continue;
      const stored = describeProcedure(procedure);
      if (this.known.has(stored.key)) continue;
      const id = procedureDocumentId(stored.key);
      const doc: ProcedureDocument = {
        id,
        caseRef: id,
        type: 'procedure',
        key: stored.key,
        boardId: stored.boardId,
        label: stored.label,
        storedAt: new Date().toISOString(),
        procedure: stored.procedure,
      };
      // Created, or already there: either way stored.
      await createUnlessExists(this.cases, JSON.parse(JSON.stringify(doc)) as ProcedureDocument);
      this.known.add(stored.key);
      this.cache.remember(stored);
    }
  }

  /** A case document's state: a reference, if its procedure is stored; else (as before) a full copy. */
  stateBody(state: CaseState): CaseState {
    const stored = describeProcedure(state.procedure);
    return this.known.has(stored.key) ? (compactState(state, stored) as unknown as CaseState) : state;
  }

  /** An event document's event: a case-raised event's procedure a reference, if it is stored. */
  eventBody(event: CaseEvent): CaseEvent {
    const procedure = procedureOfEvent(event);
    const stored = procedure ? describeProcedure(procedure) : undefined;
    return stored && this.known.has(stored.key) ? (compactEvent(event, stored) as unknown as CaseEvent) : event;
  }

  /** Read (once per handle) the procedures these stored states or events refer to. */
  async load(reference: string, values: Iterable<unknown>): Promise<void> {
    const keys = new Set<string>();
    for (const value of values) {
      const key = referencedKey(value);
      if (key !== undefined && !this.cache.has(key)) keys.add(key);
    }
    for (const key of keys) {
      const id = procedureDocumentId(key);
      const doc = await readItem<ProcedureDocument>(this.cases, id, id);
      if (!doc) continue; // named by rehydrate, with the case it belongs to
      this.cache.load(reference, key, doc.procedure);
      this.known.add(key);
    }
  }

  /** A stored state or event (the caller's own copy) with its procedure put back; load it first. */
  rehydrate<T>(reference: string, value: T): T {
    return rehydrate(reference, value, (key) => this.cache.get(key));
  }

  /** Load and put back, for one value. */
  async read<T>(reference: string, value: T): Promise<T> {
    await this.load(reference, [value]);
    return this.rehydrate(reference, value);
  }
}

const perContainer = new WeakMap<Container, CosmosProcedures>();

/** The procedures of a `cases` container (one per container handle, so one cache per repository). */
export function proceduresOf(cases: Container): CosmosProcedures {
  let found = perContainer.get(cases);
  if (!found) {
    found = new CosmosProcedures(cases);
    perContainer.set(cases, found);
  }
  return found;
}
