/**
 * What the Teams bot does with a message, and its welcome. In the personal chat: `help`,
 * `my cases`, `approvals`, a case reference (its card, with the person's own buttons) and
 * `escalate`; anything else gets help. In a group chat (or a channel), where the bot may see every
 * message (resource-specific consent), it stays silent on ordinary chatter: it answers `escalate`
 * on its own (with or without an @mention), help, and a reference or a list, which it sends to
 * the person's personal chat (the others in the chat may not see the case); a mention it does not
 * understand gets what it can do. Lists and cards come from the app (MyWorkService), under the one
 * read policy: a reference that is not the person's gets the same answer as one that does not exist.
 */
import { CardFactory, TurnContext, type Activity, type Attachment } from 'botbuilder';
import {
  chatCommand,
  directoryChatCommand,
  isGreeting,
  NOT_UNDERSTOOD,
  type ChatCommand,
} from '../../app/chat-commands';
import { MyWorkService } from '../../app/my-work';
import { PersonalCards } from '../../app/personal-cards';
import type { StoredCase } from '../../app/store/repository';
import { launcherCard } from './raising';
import { NOT_IN_DIRECTORY } from './identity';
import { whoIs, type TeamsBotDeps, type Who } from './turns';
import { helpCard, welcomeCard, workCard } from './work-cards';

/** What a group chat is told when a list or a card went to the person's personal chat. */
export const SENT_PRIVATELY = 'I have sent my answer to your personal chat with me: cases are only shown there.';
export const NOT_REACHED =
  'I could not reach you in a personal chat with me. Open one (find Safeguarding escalations under Apps or in a new chat) and type it there.';
/** What a group chat is told when the bot is added to it (without the chat's consent, it only sees messages that mention it). */
export const IN_A_GROUP =
  'Hello. I help agencies resolve disagreements about adults at risk. Type escalate on its own to raise one here; if I do not answer, mention me (@Safeguarding escalations escalate). For your cases and approvals, type help in your personal chat with me.';

type Answer = Partial<Activity>;

/**
 * What a message says with the bot's @mention taken out, and whether it mentioned the bot. Read
 * warily: an activity is what was sent, whatever its shape.
 */
function spoken(activity: Partial<Activity>): { said: unknown; mentioned: boolean } {
  const bot = activity.recipient?.id;
  const entities: unknown = activity.entities;
  const mentions = (Array.isArray(entities) ? (entities as unknown[]) : []).filter(
    (e): e is { text?: unknown } =>
      typeof e === 'object' &&
      e !== null &&
      (e as { type?: unknown }).type === 'mention' &&
      bot !== undefined &&
      (e as { mentioned?: { id?: unknown } }).mentioned?.id === bot,
  );
  let said: unknown = activity.text;
  for (const m of mentions) if (typeof said === 'string' && typeof m.text === 'string') said = said.replace(m.text, '');
  return { said, mentioned: mentions.length > 0 };
}

const asCard = (card: Record<string, unknown>): Attachment => CardFactory.adaptiveCard(card);

export class TeamsFindingWork {
  private readonly work: MyWorkService;
  /** Conversations welcomed by this process, should the store be too busy to say. */
  private readonly welcomed = new Set<string>();

  constructor(private readonly deps: TeamsBotDeps) {
    this.work = new MyWorkService(deps.repo, deps.directory, deps.clock);
  }

  /** A message to the bot: answered, or (chatter in a group chat) left alone. */
  async message(context: TurnContext): Promise<void> {
    const { activity } = context;
    const personal = (activity.conversation?.conversationType ?? 'personal') === 'personal';
    const { said, mentioned } = spoken(activity);
    const asked = chatCommand(said);
    if (asked?.kind === 'escalate') {
      // In a group chat, only "escalate" on its own, unless the bot was spoken to.
      if (personal || mentioned || !asked.more) await context.sendActivity({ attachments: [asCard(launcherCard())] });
      return;
    }
    const directory = asked ? undefined : directoryChatCommand(said);
    if (directory && this.deps.directoryCommands && (personal || mentioned)) {
      const { who, words } = activity.from
        ? await whoIs(this.deps, context)
        : { who: undefined, words: NOT_IN_DIRECTORY };
      await context.sendActivity(await this.deps.directoryCommands.answer(directory, who?.person, words));
      return;
    }
    if (!asked) {
      if (personal || mentioned)
        await context.sendActivity({
          attachments: [asCard(helpCard(isGreeting(said) ? undefined : NOT_UNDERSTOOD))],
        });
      return;
    }
    const { who, words } = activity.from
      ? await whoIs(this.deps, context)
      : { who: undefined, words: NOT_IN_DIRECTORY };
    if (asked.kind === 'help') {
      await context.sendActivity({ attachments: [asCard(helpCard(who ? undefined : words))] });
      return;
    }
    if (!who) {
      await context.sendActivity(words);
      return;
    }
    const { shown, ...answer } = await this.answer(asked, who, String(activity.from?.id ?? ''));
    if (personal) {
      const sent = await context.sendActivity(answer);
      const { activityId: _reply, ...conversation } = TurnContext.getConversationReference(activity);
      if (shown && sent?.id) await this.keep(who, shown, { conversation, activityId: sent.id });
      return;
    }
    // Not in front of the others in the chat: in the person's personal chat, whatever the answer.
    const reached = await this.deps.outlet
      .deliverTo(who.person, answer, asked.kind === 'show' ? asked.reference : '')
      .catch(() => undefined);
    if (shown && reached?.message) await this.keep(who, shown, reached.message);
    await context.sendActivity(reached ? SENT_PRIVATELY : NOT_REACHED);
  }

  /** A list, or a case's card as `who` sees it (their buttons), or the neutral refusal. */
  private async answer(
    asked: Exclude<ChatCommand, { kind: 'help' | 'escalate' }>,
    who: Who,
    userId: string,
  ): Promise<Answer & { shown?: StoredCase }> {
    if (asked.kind === 'show') {
      const found = await this.work.lookUp(asked.reference, who.actor, 'teams');
      if (!found.ok) return { type: 'message', text: found.refusal.message };
      return {
        type: 'message',
        attachments: [this.deps.outlet.card(found.case, found.events, [userId], who.actor, found.problems)],
        shown: found.case,
      };
    }
    return { type: 'message', attachments: [asCard(workCard(await this.work.of(who.actor), asked.kind))] };
  }

  /** A card shown in someone's personal chat becomes their own card of the case, kept current. */
  private async keep(who: Who, shown: StoredCase, message: Record<string, unknown>): Promise<void> {
    const { repo, directory, outlet } = this.deps;
    await new PersonalCards({ repo, directory, wall: () => new Date() })
      .posted(outlet, shown, who.person, message)
      .catch((e: unknown) =>
        this.deps.report?.("Could not keep someone's card", { error: e instanceof Error ? e.message : String(e) }),
      );
  }

  /**
   * The bot installed (or added) in a conversation: in someone's personal scope, the welcome card;
   * in a group chat, how to use it there. Once per conversation a day, across replicas.
   */
  async welcome(context: TurnContext): Promise<void> {
    const { activity } = context;
    const conversation = activity.conversation?.id;
    if (typeof conversation !== 'string' || !conversation) return;
    const type = activity.conversation.conversationType ?? 'personal';
    if (type === 'channel') return;
    const key = `${conversation}|${this.deps.clock().toISOString().slice(0, 10)}`;
    let first: boolean;
    try {
      first = await this.deps.repo.claimRequest('teams-welcome', key, this.deps.clock().toISOString());
    } catch {
      first = !this.welcomed.has(key);
    }
    if (this.welcomed.size > 10_000) this.welcomed.clear();
    this.welcomed.add(key);
    if (!first) return;
    if (type !== 'personal') {
      await context.sendActivity(IN_A_GROUP);
      return;
    }
    const { who, words } = activity.from
      ? await whoIs(this.deps, context)
      : { who: undefined, words: NOT_IN_DIRECTORY };
    await context.sendActivity({ attachments: [asCard(welcomeCard(who?.person.name))] });
    if (!who) await context.sendActivity(words);
  }
}
