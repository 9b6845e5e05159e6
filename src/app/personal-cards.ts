/**
 * Each person's own card of a case, in their 1:1 chat with the bot: one live card per person,
 * case and platform, always showing the case as it stands now with that person's own buttons.
 *
 * - When something new is asked of someone (a `tell`), the new card goes to the bottom of their
 *   chat, where they will see it, and the earlier one is changed to a line saying it has moved.
 * - Every change brings every person's card up to date, with the case's threads (`update-cards`).
 *
 * Crash-safe by record: the new card is kept (with the copies it replaced, `retired`) before the
 * old ones are changed, and whatever is still retired is changed by the next update.
 */
import type { Directory, Person } from '../domain/directory';
import type { CaseEvent } from '../domain/escalation';
import type { Outlet } from './outlet';
import type { CaseRepository, PersonalCard, StoredCase } from './store/repository';

export interface PersonalCardsDeps {
  repo: CaseRepository;
  directory: Directory;
  wall: () => Date;
  report?: (message: string, fields: Record<string, unknown>) => void;
}

function same(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A platform busy or out of reach (a rate limit, a 5xx, no connection) goes back to the worker to
 * try the whole update again; anything else about one person's card (a message they deleted) is
 * logged and the others go on.
 */
function passOn(outlet: Retiring, error: unknown): void {
  if (outlet.retryAfterMs?.(error) !== undefined) throw error;
  const e = error as { statusCode?: number; code?: string };
  if ((e.statusCode ?? 0) >= 500) throw error;
  if (e.code && ['slack_webapi_request_error', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'].includes(e.code)) throw error;
}

/** What keeping a card needs of a platform: to change an old copy, and to say when it must wait. */
type Retiring = Pick<Outlet, 'platform' | 'retireMessage' | 'retryAfterMs'>;

export class PersonalCards {
  constructor(private readonly deps: PersonalCardsDeps) {}

  /** A new card was posted to `person`: keep it as their card, and change the copies it replaces. */
  async posted(outlet: Retiring, stored: StoredCase, person: Person, message: Record<string, unknown>): Promise<void> {
    const { repo } = this.deps;
    const platform = outlet.platform;
    const earlier = (await repo.getPersonalCards(stored.reference)).find(
      (c) => c.platform === platform && c.personId === person.id,
    );
    if (earlier && same(earlier.message, message)) return;
    const retired = [...(earlier?.retired ?? []), ...(earlier ? [earlier.message] : [])];
    const card: PersonalCard = {
      platform,
      personId: person.id,
      message,
      retired,
      updatedAt: this.deps.wall().toISOString(),
    };
    await repo.savePersonalCard(stored.reference, card);
    await this.retire(outlet, stored, card);
  }

  /** Bring every person's card of the case on `outlet`'s platform up to date. */
  async update(
    outlet: Outlet,
    stored: StoredCase,
    events: readonly CaseEvent[],
    problems: readonly string[],
  ): Promise<number> {
    const cards = (await this.deps.repo.getPersonalCards(stored.reference)).filter(
      (c) => c.platform === outlet.platform,
    );
    let updated = 0;
    for (const card of cards) {
      const person = this.deps.directory.people.find((p) => p.id === card.personId);
      if (!person) continue;
      try {
        await outlet.updateMessage(stored, events, card.message, person, problems);
        updated++;
      } catch (error) {
        passOn(outlet, error);
        this.deps.report?.("Could not update someone's own card", {
          reference: stored.reference,
          person: person.id,
          platform: outlet.platform,
          error: error instanceof Error ? error.message : String(error),
        });
      }
      await this.retire(outlet, stored, card);
    }
    return updated;
  }

  /** Change a card's earlier copies to "this card has moved", and forget them once changed. */
  private async retire(outlet: Retiring, stored: StoredCase, card: PersonalCard): Promise<void> {
    if (!card.retired.length || !outlet.retireMessage) return;
    // Whose card it is: its platform may reach them in a workspace of their own (Slack).
    const person = this.deps.directory.people.find((p) => p.id === card.personId);
    for (const message of card.retired) {
      try {
        await outlet.retireMessage(stored, message, person);
      } catch (error) {
        passOn(outlet, error);
        this.deps.report?.("Could not mark someone's earlier card as moved", {
          reference: stored.reference,
          person: card.personId,
          platform: outlet.platform,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    await this.deps.repo.savePersonalCard(stored.reference, { ...card, retired: [] });
  }
}
