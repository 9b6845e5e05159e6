/**
 * The procedure stored once per version. A case keeps the board's procedure as it was when the
 * case was raised (CaseState.procedure, and the case-raised event's `procedure`): about 30 KB,
 * the same for every case of a board until its file changes. Both stores keep each distinct
 * procedure once, keyed by the SHA-256 of its canonical JSON (with the board and a version
 * label), and write cases' states and case-raised events with a reference in its place:
 * `{ "$procedure": "<key>" }`. Reads put the procedure back, from a cache of parsed procedures
 * per store handle, so a case read never parses a procedure again, and what comes back is the
 * state or event exactly as it was written.
 *
 * An event's seal covers the full event (the procedure in it), so an edited stored procedure is
 * found by `audit verify` as an edited case-raised event (and a stored state not what its events
 * give). Rows written before this (full copies) read as they are: a state or event without a
 * reference is left alone.
 *
 * This module is pure (no store): the SQLite and Cosmos DB adapters keep and load the rows.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../app/store/chain';
import type { CaseEvent, CaseState } from '../domain/escalation';
import type { Procedure } from '../domain/procedure';
import { corrupt } from './stored-case';

/** A procedure as the stores keep it. */
export interface StoredProcedure {
  /** SHA-256 (hex) of its canonical JSON: the same content, the same key. */
  key: string;
  boardId: string;
  /** The version its file gives (source.version), else the start of its key. */
  label: string;
  /** Its JSON, as stored. */
  text: string;
  procedure: Procedure;
}

/** What a stored state or case-raised event holds in place of its procedure. */
export interface ProcedureReference {
  $procedure: string;
}

const described = new WeakMap<object, StoredProcedure>();

/** The stored form of a procedure (worked out once per procedure object: procedures are never changed in place). */
export function describeProcedure(procedure: Procedure): StoredProcedure {
  let found = described.get(procedure);
  if (!found) {
    const key = createHash('sha256').update(canonicalJson(procedure), 'utf8').digest('hex');
    found = {
      key,
      boardId: procedure.id,
      label: procedure.source?.version ?? `#${key.slice(0, 12)}`,
      text: JSON.stringify(procedure),
      procedure,
    };
    described.set(procedure, found);
  }
  return found;
}

/** The key a stored value's `procedure` refers to, if it is a reference (not a full copy). */
export function referencedKey(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const procedure = (value as { procedure?: unknown }).procedure;
  if (typeof procedure !== 'object' || procedure === null) return undefined;
  const key = (procedure as Partial<ProcedureReference>).$procedure;
  return typeof key === 'string' ? key : undefined;
}

/** The procedures an event carries (only the case-raised event does). */
export function procedureOfEvent(event: CaseEvent): Procedure | undefined {
  return event.type === 'case-raised' ? event.procedure : undefined;
}

/**
 * A state with its procedure replaced by a reference to `stored` (which the caller has made
 * sure is, or will be in the same write, stored).
 */
export function compactState(state: CaseState, stored: StoredProcedure): Record<string, unknown> {
  return { ...state, procedure: { $procedure: stored.key } satisfies ProcedureReference };
}

/** An event as stored: a case-raised event's procedure replaced by a reference; any other as it is. */
export function compactEvent(event: CaseEvent, stored: StoredProcedure | undefined): object {
  if (event.type !== 'case-raised' || !stored) return event;
  return { ...event, procedure: { $procedure: stored.key } satisfies ProcedureReference };
}

/**
 * Parsed procedures by key, for one store handle. Filled by what the handle writes and what it
 * reads (each stored procedure parsed once); never changed in place.
 */
export class ProcedureCache {
  private readonly parsed = new Map<string, Procedure>();

  get(key: string): Procedure | undefined {
    return this.parsed.get(key);
  }

  has(key: string): boolean {
    return this.parsed.has(key);
  }

  /** A procedure written by this handle. */
  remember(stored: StoredProcedure): void {
    if (!this.parsed.has(stored.key)) this.parsed.set(stored.key, stored.procedure);
  }

  /** A procedure read from the store (its JSON text, or the object a document holds). */
  load(reference: string, key: string, body: unknown): Procedure {
    const known = this.parsed.get(key);
    if (known) return known;
    let procedure: unknown = body;
    if (typeof body === 'string') {
      try {
        procedure = JSON.parse(body);
      } catch (cause) {
        throw corrupt(reference, `its procedure (${key.slice(0, 12)}) is not readable JSON`, cause);
      }
    }
    if (typeof procedure !== 'object' || procedure === null || !Array.isArray((procedure as Procedure).stages))
      throw corrupt(reference, `its procedure (${key.slice(0, 12)}) is malformed`);
    this.parsed.set(key, procedure as Procedure);
    return procedure as Procedure;
  }
}

/**
 * A stored state or event (parsed JSON, the caller's own) with its procedure put back in place;
 * one without a reference as it is. `find` gives the parsed procedure of a key (undefined when the store has none).
 */
export function rehydrate<T>(reference: string, value: T, find: (key: string) => Procedure | undefined): T {
  const key = referencedKey(value);
  if (key === undefined) return value;
  const procedure = find(key);
  if (!procedure)
    throw corrupt(reference, `the procedure it was raised under (${key.slice(0, 12)}) is missing from the store`);
  // The value is the caller's own freshly parsed copy: the reference is replaced where it stands.
  (value as { procedure: Procedure }).procedure = procedure;
  return value;
}
