/**
 * What a person is told when the store cannot take their change just now (another process holds
 * the record, the database is refusing requests): it is safe to try again, and nothing was saved.
 */
import { StoreError } from './repository';

export const BUSY_WORDS = 'The record is busy; please try again in a moment. Nothing was saved.';

/** The words for a person when `error` is the store being unavailable; undefined for anything else. */
export function busyWords(error: unknown): string | undefined {
  return error instanceof StoreError && error.code === 'unavailable' ? BUSY_WORDS : undefined;
}
