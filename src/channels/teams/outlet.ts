/**
 * Teams as an outlet for the delivery worker (and the sweeper): open a case's thread, update its
 * Teams thread card and message people 1:1, with no incoming activity in hand. Uses the
 * conversation references the bot keeps: each thread's, and each person's personal chat
 * (contacts); where a person has none, Teams opens a 1:1 chat from their Microsoft Entra object id.
 *
 * Teams cannot say whether a message arrived, so after a crash in the moment between a message
 * going and its item being marked done, it goes again once its lease runs out: a case's thread
 * card (open-thread), a 1:1 message (tell) or a line in the thread (say) can arrive twice, and
 * once more for each further crash in that same moment (a replica that keeps dying there sends
 * it on each attempt). A thread card posted again leaves the earlier copy as it was: only the
 * one kept is brought up to date. Card updates replace the card, so a second one changes nothing.
 * (tests/integration/outbox-crash.test.ts checks that a copy only ever follows a crash.)
 */
import type { TurnContext } from 'botbuilder';
import { CardFactory, type Activity, type CloudAdapter, type ConversationParameters } from 'botbuilder';
import { Unreachable, type Outlet, type Reached } from '../../app/delivery';
import type { OutboxItem } from '../../app/store/outbox';
import type { Notice } from '../../app/notify';
import { actorFor } from '../../app/people';
import type { CaseRepository, StoredCase, ThreadReference } from '../../app/store/repository';
import { stageCardView } from '../../app/views/stage-card';
import type { Directory, Person } from '../../domain/directory';
import { withRefreshUsers } from './refresh';
import type { CaseEvent } from '../../domain/escalation';
import { renderStageCard } from './stage-card';

export type ConversationRef = Partial<ReturnType<typeof TurnContext.getConversationReference>>;

/** What the bot keeps about a case's Teams thread, so it can update the card later. */
export interface TeamsThread {
  conversation: ConversationRef;
  activityId?: string;
  /** Teams ids of people whose clients refresh the card for themselves. */
  userIds: string[];
}

export interface TeamsOutletDeps {
  adapter: CloudAdapter;
  appId: string;
  repo: CaseRepository;
  directory: Directory;
  clock: () => Date;
  /** The connector to open new chats through when nothing better is known. */
  serviceUrl: string;
  /** A local client (the Agents Playground) cannot open conversations. */
  localClient: boolean;
  report: (message: string, fields: Record<string, unknown>) => void;
}

export class TeamsOutlet implements Outlet {
  readonly platform = 'teams' as const;
  /** The connector and bot account of the latest incoming activity: where new chats are opened. */
  private latest?: { serviceUrl: string; bot: ConversationParameters['bot'] };
  /** How the bot opens a case's thread from a conversation (set by the bot: ./threads). */
  opener?: (context: TurnContext, stored: StoredCase) => Promise<TeamsThread>;

  constructor(private readonly deps: TeamsOutletDeps) {}

  /** Note where Teams reaches the bot from (its connector is regional), from an incoming activity. */
  seen(activity: Partial<Activity>): void {
    if (activity.serviceUrl && activity.recipient)
      this.latest = { serviceUrl: activity.serviceUrl, bot: activity.recipient };
  }

  card(
    stored: StoredCase,
    events: readonly CaseEvent[],
    userIds: readonly string[],
    viewer?: Parameters<typeof stageCardView>[1]['viewer'],
    problems: readonly string[] = [],
  ): ReturnType<typeof CardFactory.adaptiveCard> {
    return CardFactory.adaptiveCard(
      renderStageCard(
        stageCardView(stored.state, {
          now: this.deps.clock(),
          directory: this.deps.directory,
          events,
          problems,
          ...(viewer ? { viewer } : {}),
        }),
        userIds,
      ),
    );
  }

  /** The case's thread, opened from the conversation it was raised in (the twin of what the bot did as it answered). */
  async openThread(
    stored: StoredCase,
    _events: readonly CaseEvent[],
    item: OutboxItem,
  ): Promise<Record<string, unknown>> {
    const origin = item.payload.origin as ConversationRef | undefined;
    const opener = this.opener;
    if (!origin?.conversation || !opener) throw new Error('There is no conversation to open the case thread in.');
    let activityId: string | undefined;
    await this.deps.adapter.continueConversationAsync(this.deps.appId, origin, async (there) => {
      newMessages(there);
      activityId = (await opener(there, stored)).activityId;
    });
    return activityId ? { activityId } : {};
  }

  /**
   * Bring someone's own card (in their personal chat) up to date, with their own buttons. A click
   * is answered with the clicker's card as it happens; this is every other copy.
   */
  async updateMessage(
    stored: StoredCase,
    events: readonly CaseEvent[],
    message: Record<string, unknown>,
    viewer: Person | undefined,
    problems: readonly string[] = [],
  ): Promise<void> {
    const at = personalMessage(message);
    if (!at || !viewer) return;
    const actor = actorFor(this.deps.directory, viewer, this.deps.clock());
    const update = {
      type: 'message',
      id: at.activityId,
      attachments: [this.card(stored, events, [], actor, problems)],
    };
    await this.deps.adapter.continueConversationAsync(this.deps.appId, at.conversation, async (there) => {
      await there.updateActivity(update);
    });
  }

  /** An earlier copy of someone's card becomes a line saying where the current one is. */
  async retireMessage(stored: StoredCase, message: Record<string, unknown>): Promise<void> {
    const at = personalMessage(message);
    if (!at) return;
    const update = { type: 'message', id: at.activityId, text: movedWords(stored.reference), attachments: [] };
    await this.deps.adapter.continueConversationAsync(this.deps.appId, at.conversation, async (there) => {
      await there.updateActivity(update);
    });
  }

  /** How long Teams asked to wait (a 429's Retry-After), in milliseconds. */
  retryAfterMs(error: unknown): number | undefined {
    const e = error as { statusCode?: number; response?: { headers?: { get?(name: string): string | undefined } } };
    if (e.statusCode !== 429) return undefined;
    const seconds = Number(e.response?.headers?.get?.('retry-after'));
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 5000;
  }

  async updateThreads(
    stored: StoredCase,
    events: readonly CaseEvent[],
    threads: readonly ThreadReference[],
    problems: readonly string[] = [],
  ): Promise<void> {
    for (const found of threads) {
      const thread = found.reference as unknown as TeamsThread;
      if (!thread.activityId) continue;
      const update = {
        type: 'message',
        id: thread.activityId,
        attachments: [this.card(stored, events, thread.userIds, undefined, problems)],
      };
      await this.deps.adapter.continueConversationAsync(this.deps.appId, thread.conversation, async (there) => {
        await there.updateActivity(update);
      });
    }
  }

  /**
   * Message one person with their own card: in the personal chat they already have with the bot,
   * or else a new one. Returns their Teams id when it is known (the one their client uses).
   */
  async tell(notice: Notice, stored: StoredCase, events: readonly CaseEvent[]): Promise<Reached | undefined> {
    const activity = {
      type: 'message',
      text: notice.text,
      attachments: [this.card(stored, events, [], actorFor(this.deps.directory, notice.person, this.deps.clock()))],
    } as Activity;
    const reached = await this.deliverTo(notice.person, activity, stored.reference);
    // Whoever was reached sees their own view of the thread's card (refresh) from its next change.
    if (reached?.id) await this.addRefreshUser(stored.reference, reached.id);
    return reached;
  }

  private async addRefreshUser(reference: string, id: string): Promise<void> {
    const found = (await this.deps.repo.getThreads(reference)).find((t) => t.platform === 'teams');
    const thread = found?.reference as unknown as TeamsThread | undefined;
    if (!found || !thread || thread.userIds.includes(id)) return;
    await this.deps.repo.saveThread(reference, {
      ...found,
      reference: { ...thread, userIds: withRefreshUsers(thread.userIds, [id]) },
    });
  }

  /**
   * Send `activity` to one person 1:1: in the personal chat they already have with the bot, or
   * else a new one opened from their Microsoft Entra object id. Undefined if they cannot be
   * reached until they open the app (no chat with the bot and no way to open one); an error if
   * Teams failed and it is worth trying again.
   */
  async deliverTo(person: Person, activity: Partial<Activity>, reference: string): Promise<Reached | undefined> {
    const agency = this.deps.directory.agencies.find((a) => a.id === person.agency);
    if (agency?.platform !== 'teams') return undefined;
    const contact = await this.deps.repo.getContact(person.id, 'teams').catch(() => undefined);
    if (contact) {
      const ref = contact.reference as ConversationRef;
      try {
        let activityId: string | undefined;
        await this.deps.adapter.continueConversationAsync(this.deps.appId, ref, async (there) => {
          newMessages(there);
          // The words first, then the card on its own: its id is what keeps it up to date later (the
          // local client splits words-and-card into two messages and then gives no id at all).
          const { attachments, ...words } = activity;
          if (attachments?.length && words.text) {
            await there.sendActivity(words);
            activityId = (await there.sendActivity({ type: 'message', attachments }))?.id;
          } else activityId = (await there.sendActivity(activity))?.id;
        });
        return {
          ...(ref.user?.id ? { id: ref.user.id } : {}),
          ...(activityId ? { message: { conversation: ref, activityId } } : {}),
        };
      } catch (error) {
        // Teams busy or down is a reason to try again later, not to give up on the person.
        const status = (error as { statusCode?: number }).statusCode ?? 0;
        if (status === 429 || status >= 500) throw error;
        this.deps.report('Could not message someone in their personal chat; opening a new one', {
          reference,
          person: person.id,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    if (this.deps.localClient || !person.teamsAadObjectId || !agency.teams) return undefined;
    const tenantId = agency.teams.tenantId;
    const serviceUrl = this.latest?.serviceUrl ?? this.deps.serviceUrl;
    const bot = this.latest?.bot ?? { id: `28:${this.deps.appId}`, name: 'Safeguarding escalations' };
    const opened = await this.open(serviceUrl, {
      isGroup: false,
      bot,
      members: [{ id: person.teamsAadObjectId, name: person.name }],
      tenantId,
      channelData: { tenant: { id: tenantId } },
      activity: activity as Activity,
    });
    // Not opened (Teams said no, or did not answer): tried again later, like any other failure.
    if (!opened?.conversation?.id) throw new Error('Teams could not open a 1:1 chat');
    const saved: ConversationRef = {
      channelId: 'msteams',
      serviceUrl,
      bot,
      conversation: { id: opened.conversation.id, conversationType: 'personal', tenantId, isGroup: false, name: '' },
      user: { id: person.teamsAadObjectId, aadObjectId: person.teamsAadObjectId, name: person.name },
    };
    await this.deps.repo
      .saveContact({
        personId: person.id,
        platform: 'teams',
        reference: saved,
        updatedAt: this.deps.clock().toISOString(),
      })
      .catch(() => undefined);
    // Reached, but Teams has not said which id their client uses.
    return {};
  }

  /** A line in each Teams thread of the case (Teams cannot say whether an earlier try arrived). */
  /**
   * A completed form (sent as the procedure says) to one person's chat with the bot, as a file to
   * accept (a file consent card): accepted, it is built again from the record for them and saved to
   * their OneDrive (TeamsDocuments.accepted), naming the adult only if they may see the case.
   */
  async sendFile(
    stored: StoredCase,
    person: Person,
    file: { fileName: string; bytes: Buffer; title: string },
    text: string,
    item: OutboxItem,
  ): Promise<Record<string, unknown>> {
    const kind = typeof item.payload.form === 'string' ? item.payload.form : '';
    if (this.deps.localClient) {
      // The local client shows no file consent card: the form is one click away on the case card.
      const told = await this.deliverTo(
        person,
        { type: 'message', text: `${text} Get it from Documents on the case card.` },
        stored.reference,
      );
      if (!told) throw new Unreachable(person);
      return { ...told };
    }
    const consent: Partial<Activity> = {
      type: 'message',
      text: `${text} Accept it to save it to your OneDrive.`,
      attachments: [
        {
          contentType: 'application/vnd.microsoft.teams.card.file.consent',
          name: file.fileName,
          content: {
            description: file.title,
            sizeInBytes: file.bytes.length,
            acceptContext: { reference: stored.reference, kind, format: 'pdf' },
            declineContext: { reference: stored.reference },
          },
        },
      ],
    };
    const reached = await this.deliverTo(person, consent, stored.reference);
    if (!reached) throw new Unreachable(person);
    return { ...reached };
  }

  async say(_stored: StoredCase, threads: readonly ThreadReference[], text: string): Promise<void> {
    for (const found of threads) {
      const thread = found.reference as unknown as TeamsThread;
      await this.deps.adapter.continueConversationAsync(this.deps.appId, thread.conversation, async (there) => {
        await there.sendActivity(text);
      });
    }
  }

  /** Open a conversation with its first message; its opening activity, or undefined (reported). */
  async open(serviceUrl: string, parameters: ConversationParameters): Promise<Partial<Activity> | undefined> {
    let opened: Partial<Activity> | undefined;
    try {
      await this.deps.adapter.createConversationAsync(
        this.deps.appId,
        'msteams',
        serviceUrl,
        '',
        parameters,
        (created) => {
          opened = created.activity;
          return Promise.resolve();
        },
      );
    } catch (error) {
      this.deps.report('Teams could not open a conversation', {
        error: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    }
    return opened;
  }
}

/** Where someone's own card is in their personal chat, as kept (undefined if it cannot be found again). */
function personalMessage(
  message: Record<string, unknown>,
): { conversation: ConversationRef; activityId: string } | undefined {
  const conversation = message.conversation as ConversationRef | undefined;
  const activityId = message.activityId;
  return conversation?.conversation && typeof activityId === 'string' ? { conversation, activityId } : undefined;
}

/** What an earlier copy of someone's card says once a newer one has replaced it. */
export function movedWords(reference: string): string {
  return `This card for ${reference} has moved: the current one is further down this chat.`;
}

/** Messages sent in a continued conversation are new messages, not replies to its made-up activity id. */
function newMessages(there: TurnContext): void {
  there.onSendActivities(async (_ctx, activities, next) => {
    for (const a of activities) delete a.replyToId;
    return next();
  });
}
