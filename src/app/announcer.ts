/**
 * The deadline sweeper's way to people: a reminder, nudge or notification told 1:1 on each
 * person's platform, and a nudge's line in the case's threads. (Everything a change owes goes
 * through the outbox and its delivery worker: src/app/delivery.ts.)
 */
import type { Directory, Platform } from '../domain/directory';
import type { CaseEvent } from '../domain/escalation';
import type { Outlet } from './delivery';
import type { Notice } from './notify';
import { PersonalCards } from './personal-cards';
import type { CaseRepository, StoredCase, ThreadReference } from './store/repository';

export type { Reached } from './delivery';

/** What the sweeper needs of a platform: to tell someone, and to say a line in a case's threads. */
export type TimerOutlet = Pick<Outlet, 'platform' | 'tell' | 'say' | 'retireMessage' | 'retryAfterMs'>;

export class Announcer {
  private readonly outlets = new Map<Platform, TimerOutlet>();

  constructor(
    private readonly repo: CaseRepository,
    private readonly directory: Directory,
    private readonly clock: () => Date,
    private readonly report: (message: string, fields: Record<string, unknown>) => void = () => undefined,
  ) {}

  private get cards(): PersonalCards {
    return new PersonalCards({
      repo: this.repo,
      directory: this.directory,
      wall: () => new Date(),
      report: this.report,
    });
  }

  register(outlet: TimerOutlet): void {
    this.outlets.set(outlet.platform, outlet);
  }

  /** Tell one person on their platform; whether it went. */
  async tellOne(notice: Notice, stored: StoredCase, events: readonly CaseEvent[]): Promise<boolean> {
    const platform = this.directory.agencies.find((a) => a.id === notice.person.agency)?.platform;
    const outlet = platform ? this.outlets.get(platform) : undefined;
    if (!outlet) return false;
    const reached = await this.guarded('Could not message someone 1:1', stored.reference, () =>
      outlet.tell(notice, stored, events),
    );
    // A reminder or nudge carries the person's card: it becomes the one kept current.
    if (reached?.message)
      await this.guarded("Could not keep someone's card", stored.reference, () =>
        this.cards.posted(outlet, stored, notice.person, reached.message as Record<string, unknown>),
      );
    return reached !== undefined;
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
