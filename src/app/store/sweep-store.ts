/**
 * The store's side of the deadline sweep as batch work (part of the store port, under the
 * contract suite tests/contract/sweep.contract.ts): due cases claimed a batch at a time with their
 * state and leases, and a batch of appends written in one step.
 */
import type { Append, StoredCase, StoreError } from './repository';

/** One append of a batch (appendMany): the case as stored after it, or why it was not written. */
export type AppendOutcome = { reference: string; stored: StoredCase } | { reference: string; error: StoreError };

/** Leases a batch of appends gives back in the same step: those `owner` holds on `references`. */
export interface LeaseRelease {
  owner: string;
  references: readonly string[];
}

export interface SweepStore {
  /**
   * Take up to `limit` cases due at or before `now` that nobody else holds, earliest due first,
   * each with its lease now `owner`'s until `until`, and each as stored (its state read with
   * the claim, so a sweep needs no read per case). A case whose stored record is malformed is
   * left out. SQLite: one transaction; Cosmos DB: a query, then each lease taken on its own
   * condition (cases another sweeper holds are passed over).
   */
  claimDueCases(now: string, owner: string, until: string, limit: number): Promise<StoredCase[]>;

  /**
   * Several cases' appends at once, each conditional on its own version as appendEvents is: one
   * that fails (a conflict, say) leaves the others written, and says why in its outcome (a store
   * that cannot write at all throws). SQLite: one transaction (a savepoint each), one commit.
   * Cosmos DB: one transactional batch per case, a few at a time. With `release`, the owner's
   * leases on those cases are given back with them (SQLite: in the same commit; Cosmos DB: after).
   */
  appendMany(appends: readonly Append[], release?: LeaseRelease): Promise<AppendOutcome[]>;
}
