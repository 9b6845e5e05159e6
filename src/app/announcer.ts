/**
 * After a case changes, everywhere it shows is brought up to date and everyone with something
 * new to do is told, on whichever platform each of them works: a case may have a Teams side and
 * a Slack side. The platform where the change was made handles its own thread first (it has
 * the click in hand); this does the rest.
 */
import type { Directory, Platform } from '../domain/directory';
import type { CaseEvent, CaseState } from '../domain/escalation';
import { noticesFor, type Notice } from './notify';
import type { CaseRepository, StoredCase, ThreadReference } from './store/repository';

export interface Outlet {
  readonly platform: Platform;
  /** Bring this platform's threads of the case up to date with its card. */
  updateThreads(stored: StoredCase, events: readonly CaseEvent[], threads: readonly ThreadReference[]): Promise<void>;
  /** Message one person 1:1 with their own card. Undefined if they could not be reached; else their platform id where known. */
  tell(notice: Notice, stored: StoredCase, events: readonly CaseEvent[]): Promise<Reached | undefined>;
  /**
   * Post a line in this platform's threads of the case. With `recheckSince`, a line carrying `key`
   * posted since then is not posted again.
   */
  say(
    stored: StoredCase,
    threads: readonly ThreadReference[],
    text: string,
    key?: string,
    recheckSince?: string,
  ): Promise<void>;
}

export interface Reached {
  /** The id the person's client knows them by, where the platform said. */
  id?: string;
}

export interface Change {
  /** The case before the change; none when it was just raised. */
  before?: CaseState;
  after: StoredCase;
  /** Every event of the case, in order. */
  events: readonly CaseEvent[];
  /** Who made the change (never told about their own click). */
  actorId: string;
  /** Platforms whose threads the caller has already updated. */
  threadsDone?: readonly Platform[];
}

export class Announcer {
  private readonly outlets = new Map<Platform, Outlet>();

  constructor(
    private readonly repo: CaseRepository,
    private readonly directory: Directory,
    private readonly clock: () => Date,
    private readonly report: (message: string, fields: Record<string, unknown>) => void = () => undefined,
  ) {}

  register(outlet: Outlet): void {
    this.outlets.set(outlet.platform, outlet);
  }

  /** Update the other platforms' threads and tell people. Returns, per platform, the ids of those reached. */
  async changed(change: Change): Promise<Map<Platform, string[]>> {
    const { after, events } = change;
    const reached = new Map<Platform, string[]>();
    const threads = await this.repo.getThreads(after.reference).catch(() => [] as ThreadReference[]);
    for (const outlet of this.outlets.values()) {
      if (change.threadsDone?.includes(outlet.platform)) continue;
      const mine = threads.filter((t) => t.platform === outlet.platform);
      if (mine.length)
        await this.guarded('Could not update the case thread', after.reference, () =>
          outlet.updateThreads(after, events, mine),
        );
    }
    const recorded = events.slice(change.before ? eventCount(change.before, events) : 0);
    const notices = noticesFor(change.before, after.state, recorded, this.directory, this.clock(), change.actorId);
    for (const notice of notices) {
      const platform = this.directory.agencies.find((a) => a.id === notice.person.agency)?.platform;
      const outlet = platform ? this.outlets.get(platform) : undefined;
      if (!platform || !outlet) continue;
      const got = await this.guarded('Could not message someone 1:1', after.reference, () =>
        outlet.tell(notice, after, events),
      );
      if (got?.id) reached.set(platform, [...(reached.get(platform) ?? []), got.id]);
    }
    return reached;
  }

  /** Tell one person on their platform; whether it went. */
  async tellOne(notice: Notice, stored: StoredCase, events: readonly CaseEvent[]): Promise<boolean> {
    const platform = this.directory.agencies.find((a) => a.id === notice.person.agency)?.platform;
    const outlet = platform ? this.outlets.get(platform) : undefined;
    if (!outlet) return false;
    return (
      (await this.guarded('Could not message someone 1:1', stored.reference, () =>
        outlet.tell(notice, stored, events),
      )) !== undefined
    );
  }

  /** A line in every thread of the case, on every platform. */
  async sayInThreads(stored: StoredCase, text: string, key?: string, recheckSince?: string): Promise<void> {
    const threads = await this.repo.getThreads(stored.reference).catch(() => [] as ThreadReference[]);
    for (const outlet of this.outlets.values()) {
      const mine = threads.filter((t) => t.platform === outlet.platform);
      if (mine.length)
        await this.guarded('Could not post in the case thread', stored.reference, () =>
          outlet.say(stored, mine, text, key, recheckSince),
        );
    }
  }

  private async guarded<T>(message: string, reference: string, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      this.report(message, { reference, error: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  }
}

/** How many of `events` the state `before` had seen (its events are a prefix of the timeline). */
function eventCount(before: CaseState, events: readonly CaseEvent[]): number {
  return Math.min(before.version, events.length);
}
