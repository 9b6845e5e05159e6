/** SQLite's failures in words, and waiting out another process's lock without stopping this one. */
import { SqliteError } from 'better-sqlite3';
import { BUSY_WORDS } from '../../app/store/busy';
import { StoreError } from '../../app/store/repository';

/**
 * better-sqlite3 is synchronous: SQLite's own wait for a lock would stop the whole process. So it
 * waits only a few milliseconds, and the repository waits between attempts on a timer instead.
 */
export const BUSY_TIMEOUT_MS = 5;
export const BUSY_BUDGET_MS = 1500;
/** Waits between attempts while the file is locked: short at first, then steady. */
const BUSY_PAUSES_MS = [5, 10, 20, 40, 80, 100];

export function busyPause(attempt: number): number {
  return BUSY_PAUSES_MS[Math.min(attempt, BUSY_PAUSES_MS.length - 1)] ?? 100;
}

export function isBusy(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/** SQLite's own failures, in words a person can act on; what was stored is untouched. */
export function translate(error: unknown, reference?: string): Error {
  if (error instanceof StoreError) return error;
  // By its code, not its class: errors from the native module may come from another realm
  // (as under jest's sandbox), where instanceof does not hold.
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (error instanceof SqliteError || code.startsWith('SQLITE_')) {
    if (code === 'SQLITE_FULL') {
      return new StoreError(
        'storage-full',
        'The database is full (no space left on its disk). Nothing was saved and nothing stored was lost; free space, then try again.',
        reference,
        { cause: error },
      );
    }
    if (isBusy(error)) return new StoreError('unavailable', BUSY_WORDS, reference, { cause: error });
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
      return new StoreError(
        'corrupt',
        'The database file is damaged or is not a database. Nothing was changed; restore it from backup.',
        reference,
        { cause: error },
      );
    }
    if (code === 'SQLITE_READONLY') {
      return new StoreError('unavailable', 'The database is open read-only here; nothing was saved.', reference, {
        cause: error,
      });
    }
  }
  if (error instanceof Error) return error;
  const message =
    typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
  return new Error(message, { cause: error });
}
