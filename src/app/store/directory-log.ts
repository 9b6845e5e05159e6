/**
 * The store port for the directory's history: an append-only log of changes to its people
 * (src/domain/directory/changes.ts), numbered in the order the store took them, so that every
 * replica folds the same people and reads only what is new since the last entry it saw.
 */
import type { DirectoryChange, DirectoryEntry } from '../../domain/directory';

export interface NewDirectoryEntry {
  at: string;
  by: string;
  change: DirectoryChange;
}

export interface DirectoryLogStore {
  /** Append one change; the entry as stored, with its number (one more than the last). */
  appendDirectoryChange(entry: NewDirectoryEntry): Promise<DirectoryEntry>;
  /** The entries after `afterSeq`, oldest first (at most `limit`, 500 unless given). */
  directoryChanges(afterSeq: number, limit?: number): Promise<DirectoryEntry[]>;
}

export const DIRECTORY_PAGE = 500;
