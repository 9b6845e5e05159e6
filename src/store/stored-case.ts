/**
 * Checking what comes back from a store before anyone acts on it: a malformed record is named
 * and refused, never half-read.
 */
import { z } from 'zod';
import { StoreError, type StoredCase } from '../app/store/repository';
import type { CaseState } from '../domain/escalation';

const stateShape = z.looseObject({
  reference: z.string(),
  boardId: z.string(),
  status: z.enum(['open', 'resolved', 'decided', 'withdrawn']),
  version: z.number().int().min(1),
  raisedAt: z.string(),
  stages: z.array(z.looseObject({ id: z.string() })),
  participants: z.array(z.string()),
  procedure: z.looseObject({ id: z.string(), stages: z.array(z.unknown()) }),
});

const storedShape = z.object({
  reference: z.string(),
  boardId: z.string(),
  version: z.number().int().min(1),
  lastHash: z.string().regex(/^[0-9a-f]{64}$/),
  dueAt: z.string().optional(),
  state: stateShape,
});

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
  const parsed = storedShape.safeParse({ ...raw, state });
  if (!parsed.success) {
    const where = parsed.error.issues[0];
    throw corrupt(reference, `${where?.path.join('.') || 'the record'} ${where?.message ?? 'is malformed'}`);
  }
  if (parsed.data.state.reference !== reference || parsed.data.state.version !== parsed.data.version) {
    throw corrupt(reference, 'its state belongs to another case or another version');
  }
  const { dueAt, ...rest } = parsed.data;
  return { ...rest, state: parsed.data.state as unknown as CaseState, ...(dueAt ? { dueAt } : {}) };
}

export function corrupt(reference: string, detail: string, cause?: unknown): StoreError {
  return new StoreError(
    'corrupt',
    `The stored record of case ${reference} is damaged (${detail}). Nothing was changed; an administrator should restore it from backup and run "audit verify".`,
    reference,
    cause === undefined ? undefined : { cause },
  );
}
