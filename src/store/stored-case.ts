/**
 * Checking what comes back from a store before anyone acts on it: a malformed record is named
 * and refused, never half-read.
 */
import { StoreError, type StoredCase } from '../app/store/repository';
import type { CaseState } from '../domain/escalation';

const STATUSES = new Set(['open', 'resolved', 'decided', 'withdrawn']);
const HASH = /^[0-9a-f]{64}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isVersion = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/**
 * Where a stored case is not the shape a case has (the first place found), or undefined. Checked
 * by hand (not a schema library): it runs on every case read, and on every case a report reads.
 */
function malformed(raw: Record<string, unknown>, state: unknown): string | undefined {
  if (typeof raw.reference !== 'string') return 'reference is not text';
  if (typeof raw.boardId !== 'string') return 'boardId is not text';
  if (!isVersion(raw.version)) return 'version is not a whole number from 1';
  if (typeof raw.lastHash !== 'string' || !HASH.test(raw.lastHash)) return 'lastHash is not a hash';
  if (raw.dueAt !== undefined && typeof raw.dueAt !== 'string') return 'dueAt is not text';
  if (!isObject(state)) return 'state is not a record';
  if (typeof state.reference !== 'string') return 'state.reference is not text';
  if (typeof state.boardId !== 'string') return 'state.boardId is not text';
  if (typeof state.status !== 'string' || !STATUSES.has(state.status)) return 'state.status is not a known status';
  if (!isVersion(state.version)) return 'state.version is not a whole number from 1';
  if (typeof state.raisedAt !== 'string') return 'state.raisedAt is not text';
  const { stages, participants, procedure } = state;
  if (!Array.isArray(stages)) return 'state.stages is not a list';
  for (const [i, stage] of stages.entries())
    if (!isObject(stage) || typeof stage.id !== 'string') return `state.stages.${i}.id is not text`;
  if (!Array.isArray(participants)) return 'state.participants is not a list';
  if (participants.some((p) => typeof p !== 'string')) return 'state.participants holds something other than text';
  if (!isObject(procedure) || typeof procedure.id !== 'string' || !Array.isArray(procedure.stages))
    return 'state.procedure is not a procedure';
  return undefined;
}

/** Parse a stored case (its state possibly still JSON text); a malformed one is a StoreError 'corrupt'. */
export function readStoredCase(reference: string, raw: { [key: string]: unknown; state: unknown }): StoredCase {
  let state: unknown = raw.state;
  if (typeof state === 'string') {
    try {
      state = JSON.parse(state);
    } catch (cause) {
      throw corrupt(reference, 'its state is not readable JSON', cause);
    }
  }
  const wrong = malformed(raw, state);
  if (wrong) throw corrupt(reference, wrong);
  const checked = state as CaseState;
  if (checked.reference !== reference || checked.version !== raw.version) {
    throw corrupt(reference, 'its state belongs to another case or another version');
  }
  return {
    reference: raw.reference as string,
    boardId: raw.boardId as string,
    version: raw.version,
    lastHash: raw.lastHash as string,
    state: checked,
    ...(typeof raw.dueAt === 'string' && raw.dueAt ? { dueAt: raw.dueAt } : {}),
  };
}

export function corrupt(reference: string, detail: string, cause?: unknown): StoreError {
  return new StoreError(
    'corrupt',
    `The stored record of case ${reference} is damaged (${detail}). Nothing was changed; an administrator should restore it from backup and run "audit verify".`,
    reference,
    cause === undefined ? undefined : { cause },
  );
}
