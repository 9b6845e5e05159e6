/**
 * The outbox: everything a change owes people (a case's thread or channel opened, its cards
 * brought up to date, a 1:1 message, a line in its threads), written in the same atomic step as
 * the events that cause it and then done by a delivery worker in each replica (src/app/delivery.ts)
 * under leases, with retries. A crash between "stored" and "sent" costs a retry, never a message.
 *
 * Items never hold the adult's details: only case references, people's ids and the bot's own words.
 */
import type { Platform } from '../../domain/directory';

export type OutboxKind =
  /** Open the case's thread (Teams) or private channel (Slack) and post its card there. */
  | 'open-thread'
  /** Bring every card of the case in its threads on one platform up to the case's current state. */
  | 'update-cards'
  /** Bring one message's card (someone's own copy, where they clicked) up to date. */
  | 'update-message'
  /** Message one person 1:1 with their own card. */
  | 'tell'
  /** A line in the case's threads on one platform. */
  | 'say'
  /** A document someone asked for, built from the record when it is sent, to them privately. */
  | 'send-document'
  /** A board's form someone completed (stages[].forms), built from the record when it is sent, 1:1 to one of its recipients. */
  | 'send-form'
  /**
   * The same form by email (SMTP) to one of the form's contacts; `recipient` is the address, and
   * `platform` the completer's (used only to pace the work: the mail goes by SMTP).
   */
  | 'email-form'
  /**
   * A board's figures for a period just ended (oversight.figures in its file) by email to the
   * named recipient; `reference` is `figures:<board>`, not a case, and `payload` the period.
   */
  | 'email-figures';

export type OutboxStatus = 'pending' | 'done' | 'failed';

/** An item as it is written with the change that owes it. */
export interface NewOutboxItem {
  /** Deterministic: `<case>:<version>:<kind>:<recipient>`, so writing it twice stores it once. */
  id: string;
  reference: string;
  kind: OutboxKind;
  platform: Platform;
  /** Whom or what it goes to: a person's id, an agency's id (its thread), a message. */
  recipient: string;
  /** The case's version (its number of events) after the change that owes it. */
  event: number;
  /** Items that must be settled first (done, or failed for good); an id not stored counts as settled. */
  dependsOn: string[];
  /** What the worker needs beyond the case as stored: the words of a message, where a card is. */
  payload: Record<string, unknown>;
  createdAt: string;
  /** Not before this (a twin done inline is given a moment first). */
  nextAttemptAt: string;
}

export interface OutboxItem extends NewOutboxItem {
  status: OutboxStatus;
  /** Attempts begun (counted when an item is claimed, so a crash counts too). */
  attempts: number;
  /**
   * Attempts that ended in an error (a counted set-back). The retry budget is spent on these, not on
   * claims, so an item that lived through crashes still has every try left for a real outage.
   */
  failures: number;
  lastError?: string;
  /** What the platform gave back (channel ids, message ids and ts), kept as the work goes. */
  result?: Record<string, unknown>;
  leaseOwner?: string;
  leaseUntil?: string;
  doneAt?: string;
}

export interface OutboxFilter {
  reference?: string;
  status?: OutboxStatus;
  /** At most this many, oldest first (default 1000). */
  limit?: number;
}

export interface OutboxStats {
  pending: number;
  failed: number;
  /** When the oldest pending item was written. */
  oldestPendingAt?: string;
}

/** How an item ends an attempt that did not succeed. */
export interface OutboxSetback {
  error: string;
  /** When to try again; absent: the item has failed for good (until someone retries it). */
  retryAt?: string;
  /** The attempt was not made (the item waited its turn behind another): it counts neither as an attempt nor a failure. */
  uncounted?: boolean;
}

/** The store's side of the outbox (part of the store port, under the repository contract suite). */
export interface OutboxStore {
  /** Write items apart from a case change (an item that follows another); ids already stored are kept as they are. */
  enqueue(items: readonly NewOutboxItem[]): Promise<void>;
  /**
   * Take up to `limit` due items for `owner` until `until`: pending, due by `now`, not leased by
   * anyone else, and every item each depends on settled (done or failed). Each claim counts an attempt. Two owners
   * never hold one item at once.
   */
  claimOutbox(owner: string, now: string, until: string, limit: number): Promise<OutboxItem[]>;
  /** Keep what the platform gave back so far (while `owner` holds the lease); whether it was kept. */
  progressOutbox(id: string, owner: string, result: Record<string, unknown>): Promise<boolean>;
  /**
   * Mark an item done. With an owner, only while that owner holds its lease; without one (the
   * twin of work just done inline), only while it is pending and nobody holds it. Whether it was.
   */
  completeOutbox(id: string, owner: string | undefined, at: string, result?: Record<string, unknown>): Promise<boolean>;
  /** An attempt that did not succeed: tried again at `retryAt`, or failed for good. */
  setBackOutbox(id: string, owner: string, setback: OutboxSetback): Promise<boolean>;
  /** Items, oldest first. */
  listOutbox(filter?: OutboxFilter): Promise<OutboxItem[]>;
  /** Failed items (all, of one case, or these ids) made pending again, due now, with attempts and failures counted afresh; how many. */
  retryOutbox(filter: { reference?: string; ids?: readonly string[] }, now: string): Promise<number>;
  outboxStats(): Promise<OutboxStats>;
  /** Forget up to `limit` items done before `before` (pending and failed ones are kept); how many. */
  pruneOutbox(before: string, limit: number): Promise<number>;
}

/** The deterministic id of an item: the case, the version of the change, its kind, its recipient. */
export function outboxId(reference: string, event: number, kind: OutboxKind, recipient: string): string {
  return `${reference}:${event}:${kind}:${recipient}`;
}
