/**
 * A chat platform as the delivery worker (src/app/delivery.ts) and the deadline sweeper use it:
 * each platform's adapter implements it (src/channels/slack/outlet.ts, src/channels/teams/outlet.ts).
 */
import type { Person, Platform } from '../domain/directory';
import type { CaseEvent } from '../domain/escalation';
import type { Notice } from './notify';
import type { OutboxItem } from './store/outbox';
import type { StoredCase, ThreadReference } from './store/repository';

export interface Reached {
  /** The id the person's client knows them by, where the platform said. */
  id?: string;
  /** Where the message went (a Slack DM channel and ts; a Teams conversation and activity id). */
  channel?: string;
  ts?: string;
  /** Where the person's card now is, to update it later (their own card of the case). */
  message?: Record<string, unknown>;
}

/** A chat platform, as the worker (and the sweeper) use it. */
export interface Outlet {
  readonly platform: Platform;
  /** Open the case's thread or channel and post its card; saves the thread. `progress` keeps what is done so far. */
  openThread(
    stored: StoredCase,
    events: readonly CaseEvent[],
    item: OutboxItem,
    progress: (result: Record<string, unknown>) => Promise<void>,
  ): Promise<Record<string, unknown>>;
  /** Bring this platform's threads of the case up to date with its card. */
  updateThreads(
    stored: StoredCase,
    events: readonly CaseEvent[],
    threads: readonly ThreadReference[],
    problems: readonly string[],
  ): Promise<void>;
  /** Bring one person's own copy of the card (where they clicked) up to date. */
  updateMessage(
    stored: StoredCase,
    events: readonly CaseEvent[],
    message: Record<string, unknown>,
    viewer: Person | undefined,
    problems: readonly string[],
  ): Promise<void>;
  /** Change an earlier copy of someone's own card to a line saying it has moved (a newer one is below). */
  retireMessage?(stored: StoredCase, message: Record<string, unknown>, person?: Person): Promise<void>;
  /** Message one person 1:1 with their own card. Undefined if they could not be reached. */
  tell(notice: Notice, stored: StoredCase, events: readonly CaseEvent[]): Promise<Reached | undefined>;
  /** A line in this platform's threads of the case; with `recheckSince`, not again if a line carrying `key` arrived. */
  say(
    stored: StoredCase,
    threads: readonly ThreadReference[],
    text: string,
    key?: string,
    recheckSince?: string,
  ): Promise<void>;
  /** Send a document someone asked for to them privately (built from the record now). */
  sendDocument?(stored: StoredCase, item: OutboxItem, requester: Person): Promise<Record<string, unknown>>;
  /** Send a built document (a completed form) to one person privately, with a line of words. */
  sendFile?(
    stored: StoredCase,
    person: Person,
    file: { fileName: string; contentType: string; bytes: Buffer; title: string },
    text: string,
    item: OutboxItem,
  ): Promise<Record<string, unknown>>;
  /** How long the platform asked the bot to wait before trying again, if it said. */
  retryAfterMs?(error: unknown): number | undefined;
  /** The conversation an item goes to, for the platform's per-conversation rate limit. */
  conversationOf?(item: OutboxItem): string;
}

/** Someone the platform says cannot be reached yet (no chat with the bot, no way to open one). */
export class Unreachable extends Error {
  constructor(readonly person: Person) {
    super('could not be reached');
  }
}

/**
 * An agency whose workspace has not installed the app (Slack, installed per workspace): nothing
 * reaches its people there until it does. Not tried again: the item fails at once, in these words.
 */
export class NotInstalled extends Error {
  static readonly WORDS = 'has not installed the app in its';

  constructor(
    readonly agency: string,
    platform = 'Slack',
  ) {
    super(
      `${agency} ${NotInstalled.WORDS} ${platform} workspace, so the bot cannot reach its people there. Ask its ${platform} administrator to install it.`,
    );
    this.name = 'NotInstalled';
  }
}
