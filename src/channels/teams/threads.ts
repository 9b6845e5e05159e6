/**
 * A case's Teams thread and its card: posted where the raising agency keeps its threads, kept up
 * to date after each click, and the work that follows a click (telling people) run after its answer.
 */
import { CardFactory, TeamsInfo, TurnContext, type Activity } from 'botbuilder';
import type { Announcer } from '../../app/announcer';
import type { StoredCase } from '../../app/store/repository';
import type { Actor, CaseEvent } from '../../domain/escalation';
import { personByAadId } from './identity';
import type { TeamsThread } from './outlet';
import type { TeamsBotDeps } from './turns';

/** Teams shows a card's own view (refresh) to at most 60 people. */
const MAX_REFRESH_USERS = 60;

/** The people whose clients refresh the card for themselves: those already listed, then those just reached. */
export function withRefreshUsers(listed: readonly string[], reached: readonly string[]): string[] {
  return [...new Set([...listed, ...reached])].slice(0, MAX_REFRESH_USERS);
}

export class TeamsThreads {
  /** Work after answered clicks, still running. */
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly deps: TeamsBotDeps) {}

  async timeline(reference: string): Promise<CaseEvent[]> {
    return (await this.deps.repo.getEvents(reference)).map((e) => e.event);
  }

  async threadOf(reference: string): Promise<{ agencyId: string; thread: TeamsThread } | undefined> {
    const found = (await this.deps.repo.getThreads(reference)).find((t) => t.platform === 'teams');
    return found ? { agencyId: found.agencyId, thread: found.reference as unknown as TeamsThread } : undefined;
  }

  /**
   * The stage card for `viewer`, with their own buttons; without a viewer, the card everyone sees
   * until their client refreshes it for them (refresh.userIds): the buttons of anyone taking
   * part, each click still decided for the person who makes it.
   */
  stageCard(
    stored: StoredCase,
    userIds: readonly string[],
    events: readonly CaseEvent[],
    viewer?: Actor,
  ): Record<string, unknown> {
    return this.deps.outlet.card(stored, events, userIds, viewer).content as Record<string, unknown>;
  }

  /**
   * Post the case's card where the raising agency keeps its escalation threads: a new thread in
   * its configured Teams channel, or else the conversation the case was raised from. If the
   * channel cannot be reached, the card goes to the conversation instead: it is never lost.
   */
  async postStageCard(context: TurnContext, stored: StoredCase): Promise<void> {
    const events = await this.timeline(stored.reference);
    const userIds = [context.activity.from.id];
    const thread =
      (await this.inAgencyChannel(context, stored, events, userIds)) ??
      (await this.inConversation(context, stored, events, userIds));
    await this.saveThread(stored.reference, stored.state.raising.agencyId, thread);
    this.later(stored.reference, () =>
      this.announce({ after: stored, events, actorId: stored.state.raising.personId ?? '', threadsDone: ['teams'] }),
    );
  }

  saveThread(reference: string, agencyId: string, thread: TeamsThread): Promise<void> {
    return this.deps.repo.saveThread(reference, {
      platform: 'teams',
      agencyId,
      reference: thread as unknown as Record<string, unknown>,
    });
  }

  /** A new thread in the raising agency's Teams channel, if it has one and it can be reached. */
  private async inAgencyChannel(
    context: TurnContext,
    stored: StoredCase,
    events: readonly CaseEvent[],
    userIds: string[],
  ): Promise<TeamsThread | undefined> {
    const agency = this.deps.directory.agencies.find((a) => a.id === stored.state.raising.agencyId);
    const channelId = agency?.threads?.mode === 'channel' ? agency.threads.teamsChannelId : undefined;
    if (!channelId || this.deps.localClient) return undefined;
    const created = await this.deps.outlet.open(context.activity.serviceUrl, {
      isGroup: true,
      bot: context.activity.recipient,
      channelData: { channel: { id: channelId } },
      activity: { type: 'message', attachments: [this.deps.outlet.card(stored, events, userIds)] } as Activity,
    });
    if (!created) {
      this.deps.report?.('Could not open the case thread in the agency channel; posting in this conversation instead', {
        reference: stored.reference,
      });
      return undefined;
    }
    // Teams names a channel thread "<channel>;messageid=<id of its first message>".
    return {
      conversation: TurnContext.getConversationReference(created),
      activityId: /;messageid=([^;]+)$/.exec(created.conversation?.id ?? '')?.[1],
      userIds,
    };
  }

  /** The card in the conversation the case was raised from. */
  private async inConversation(
    context: TurnContext,
    stored: StoredCase,
    events: readonly CaseEvent[],
    userIds: string[],
  ): Promise<TeamsThread> {
    const chat =
      context.activity.conversation.conversationType === 'groupChat'
        ? await this.groupChat(context, stored)
        : undefined;
    const ids = withRefreshUsers(userIds, chat?.userIds ?? []);
    const sent = await context.sendActivity({
      attachments: [CardFactory.adaptiveCard(this.stageCard(stored, ids, events))],
    });
    if (chat?.missing)
      await context.sendActivity(
        `${chat.missing} is not in this chat. Add them, so that both agencies share this thread; the bot has also sent them the card directly where it can.`,
      );
    return { conversation: TurnContext.getConversationReference(context.activity), activityId: sent?.id, userIds: ids };
  }

  /**
   * Work that follows a click but need not hold up its answer (Teams waits only a few seconds for
   * one): telling people 1:1 and updating the case's other threads. Failures are reported.
   */
  later(reference: string, work: () => Promise<unknown>): void {
    const done = work()
      .catch((error: unknown) =>
        this.deps.report?.('Could not finish telling people about a change', {
          reference,
          error: error instanceof Error ? error.message : String(error),
        }),
      )
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  /** Resolves once the work after every answered click has finished. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Tell people and update other threads; those reached on Teams get their own view of the thread's card next time it changes. */
  async announce(change: Parameters<Announcer['changed']>[0]): Promise<void> {
    const reached = (await this.deps.announcer.changed(change)).get('teams') ?? [];
    const found = await this.threadOf(change.after.reference);
    if (!found || reached.every((id) => found.thread.userIds.includes(id))) return;
    const thread: TeamsThread = { ...found.thread, userIds: withRefreshUsers(found.thread.userIds, reached) };
    await this.saveThread(change.after.reference, found.agencyId, thread);
  }

  /**
   * A case raised in a group chat keeps its thread there (Teams does not let a bot start group
   * chats). Returns the Teams ids of the chat's members who take part in the case (their
   * clients show them their own view of the card) and the named counterpart's name if they
   * are not in the chat, so the raiser can add them.
   */
  private async groupChat(context: TurnContext, stored: StoredCase): Promise<{ userIds: string[]; missing?: string }> {
    const agencies = new Set([stored.state.raising.agencyId, stored.state.responding.agencyId]);
    const members: Array<{ id: string; aadObjectId?: string }> = [];
    try {
      let token: string | undefined;
      do {
        const page = await TeamsInfo.getPagedMembers(context, 100, token);
        members.push(...page.members);
        token = page.continuationToken;
      } while (token);
    } catch (error) {
      this.deps.report?.('Could not read the members of the group chat', {
        reference: stored.reference,
        error: error instanceof Error ? error.message : String(error),
      });
      return { userIds: [] };
    }
    const inChat = members.map((m) => ({ id: m.id, person: personByAadId(this.deps.directory, m.aadObjectId) }));
    const counterpart = this.deps.directory.people.find((p) => p.id === stored.state.responding.personId);
    return {
      userIds: inChat.filter((m) => m.person && agencies.has(m.person.agency)).map((m) => m.id),
      ...(counterpart && !inChat.some((m) => m.person?.id === counterpart.id) ? { missing: counterpart.name } : {}),
    };
  }

  /** Replace the thread's card with the case as it now is, wherever the click came from. */
  async updateThreadCard(
    context: TurnContext,
    stored: StoredCase,
    thread: TeamsThread,
    events: readonly CaseEvent[],
  ): Promise<void> {
    if (!thread.activityId) return;
    const update = {
      type: 'message',
      id: thread.activityId,
      attachments: [CardFactory.adaptiveCard(this.stageCard(stored, thread.userIds, events))],
    };
    try {
      // The same conversation only on the same service (two clients can use the same ids).
      if (
        thread.conversation.conversation?.id === context.activity.conversation.id &&
        thread.conversation.serviceUrl === context.activity.serviceUrl
      ) {
        await context.updateActivity(update);
        return;
      }
      await this.deps.outlet.updateThreads(stored, events, [
        { platform: 'teams', agencyId: '', reference: thread as unknown as Record<string, unknown> },
      ]);
    } catch (error) {
      // What was done is recorded and the person who clicked sees it; the thread catches up on
      // the next change.
      this.deps.report?.('Could not update the card in the case thread', {
        reference: stored.reference,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
