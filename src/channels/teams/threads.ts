/**
 * A case's Teams thread and its card: posted where the raising agency keeps its threads, as the
 * bot answers the raising form or, after a crash, by the outbox's durable twin of that post
 * (TeamsOutlet.openThread). Everything else a change owes goes through the outbox.
 */
import { CardFactory, TeamsInfo, TurnContext, type Activity } from 'botbuilder';
import { openThreadId } from '../../app/owed';
import type { StoredCase } from '../../app/store/repository';
import type { Actor, CaseEvent } from '../../domain/escalation';
import { personByAadId } from './identity';
import type { TeamsThread } from './outlet';
import { withRefreshUsers } from './refresh';
import type { TeamsBotDeps } from './turns';

export { withRefreshUsers } from './refresh';

export class TeamsThreads {
  constructor(private readonly deps: TeamsBotDeps) {
    deps.outlet.opener = (context, stored) => this.postStageCard(context, stored);
  }

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
  async postStageCard(context: TurnContext, stored: StoredCase): Promise<TeamsThread> {
    const events = await this.timeline(stored.reference);
    const userIds = [context.activity.from.id];
    const thread =
      (await this.inAgencyChannel(context, stored, events, userIds)) ??
      (await this.inConversation(context, stored, events, userIds));
    await this.saveThread(stored.reference, stored.state.raising.agencyId, thread);
    return thread;
  }

  /** The card posted as the bot answers: its durable twin in the outbox is settled (it would post it again after a crash). */
  async postedInline(context: TurnContext, stored: StoredCase): Promise<void> {
    const thread = await this.postStageCard(context, stored);
    await this.deps.repo.completeOutbox(
      openThreadId(stored.state),
      undefined,
      new Date().toISOString(),
      thread.activityId ? { activityId: thread.activityId, inline: true } : { inline: true },
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
}
