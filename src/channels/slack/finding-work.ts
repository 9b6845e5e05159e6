/**
 * Finding your work in Slack: `help`, `my cases`, `approvals` and a case reference, typed in a
 * direct message with the bot (message.im) or after /escalate (answered so only the person sees
 * it); the App Home (app_home_opened → views.publish) with both lists, published afresh each time
 * it is opened; and "Show card", which posts a case's card, with the person's own buttons, in
 * their direct messages with the bot. Lists and cards come from the app (MyWorkService), under the
 * one read policy: a reference that is not the person's gets the same answer as one that does not exist.
 */
import type { SlackCommandMiddlewareArgs } from '@slack/bolt';
import {
  chatCommand,
  directoryChatCommand,
  helpWords,
  isGreeting,
  NOT_UNDERSTOOD,
  type ChatCommand,
} from '../../app/chat-commands';
import { MyWorkService } from '../../app/my-work';
import { actorFor, NOT_IN_DIRECTORY } from '../../app/people';
import { PersonalCards } from '../../app/personal-cards';
import type { StoredCase } from '../../app/store/repository';
import type { Person } from '../../domain/directory';
import { cut, escape, LIMITS, type Block } from './blocks';
import { teamOf, type SlackParts } from './listeners';
import { helpMessage, homeView, SHOW_ACTION, workMessage } from './work-blocks';

/** An answer; `shown` is the case whose card it is, if it is one. */
type Message = { text: string; blocks?: Block[]; shown?: StoredCase };

/** What /escalate <reference> says, whatever the answer is (it goes to their direct messages). */
export function sentPrivately(reference: string): string {
  return `I have sent what I can show you about ${reference} to your direct messages with me.`;
}

export class SlackFindingWork {
  private readonly work: MyWorkService;

  constructor(private readonly parts: SlackParts) {
    this.work = new MyWorkService(parts.deps.repo, parts.deps.directory, parts.deps.clock);
  }

  /** The answer to a command (not `escalate`, which raising answers) from `user`. */
  async answer(
    command: Exclude<ChatCommand, { kind: 'escalate' }>,
    user: Person | undefined,
    words: string = NOT_IN_DIRECTORY,
  ): Promise<Message> {
    if (command.kind === 'help') return helpMessage(user ? undefined : words);
    if (!user) return { text: words };
    const actor = actorFor(this.parts.deps.directory, user, this.parts.deps.clock());
    if (command.kind === 'show') {
      const found = await this.work.lookUp(command.reference, actor, 'slack');
      if (!found.ok) return { text: escape(found.refusal.message) };
      return { ...this.parts.outlet.card(found.case, found.events, actor, found.problems), shown: found.case };
    }
    return workMessage(await this.work.of(actor), command.kind);
  }

  /** The App Home for `userId`, as it stands now. */
  async home(userId: string): Promise<ReturnType<typeof homeView>> {
    const { person: user, words } = await this.parts.who(userId);
    if (!user) return homeView(undefined, words);
    return homeView(await this.work.of(actorFor(this.parts.deps.directory, user, this.parts.deps.clock())));
  }

  /** Post a case's card (or the neutral refusal) in the person's direct messages with the bot. */
  async showPrivately(userId: string, reference: string): Promise<void> {
    const { client, outlet, who, fail } = this.parts;
    const { person: user, words } = await who(userId);
    const message = await this.answer({ kind: 'show', reference }, user, words);
    const channel = user
      ? await outlet.directChannel(user).catch((e: unknown) => fail('Could not open a DM', e))
      : undefined;
    const posted = await client.chat
      .postMessage({
        channel: channel ?? userId,
        text: cut(message.text, LIMITS.messageText),
        ...(message.blocks ? { blocks: message.blocks } : {}),
      })
      .catch((e: unknown) => fail('Could not post a case card in a DM', e));
    if (posted && posted.channel && posted.ts) await this.keep(user, message, posted.channel, posted.ts);
  }

  /** A card shown in someone's DM becomes their own card of the case, kept current (the older one says it moved). */
  async keep(user: Person | undefined, message: Message, channel: string, ts: string): Promise<void> {
    if (!user || !message.shown) return;
    const { deps, outlet, fail } = this.parts;
    await new PersonalCards({ repo: deps.repo, directory: deps.directory, wall: () => new Date() })
      .posted(outlet, message.shown, user, { channel, ts })
      .catch((e: unknown) => fail("Could not keep someone's card", e));
  }
}

export function registerFindingWork(parts: SlackParts): void {
  const { app, client, who, fail } = parts;
  const finding = new SlackFindingWork(parts);

  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await client.views
      .publish({ user_id: event.user, view: await finding.home(event.user) })
      .catch((e: unknown) => fail('Could not show the App Home', e));
  });

  // A direct message with the bot: a command, a reference, or else what the bot can do.
  app.message(async ({ message, say }) => {
    if (message.channel_type !== 'im' || message.subtype !== undefined || message.bot_id) return;
    const asked = chatCommand(message.text);
    const { person: user, words } = await who(message.user, teamOf(message));
    const directoryAnswer = asked ? undefined : await parts.directoryCommand(message.text, user, words);
    const reply: Message = directoryAnswer
      ? { text: escape(directoryAnswer) }
      : asked?.kind === 'escalate'
        ? { text: helpWords('slack').raise }
        : asked
          ? await finding.answer(asked, user, words)
          : helpMessage(isGreeting(message.text) ? undefined : NOT_UNDERSTOOD);
    const said = await say({
      text: cut(reply.text, LIMITS.messageText),
      ...(reply.blocks ? { blocks: reply.blocks } : {}),
    });
    if (said.channel && said.ts) await finding.keep(user, reply, said.channel, said.ts);
  });

  app.action(SHOW_ACTION, async ({ ack, body, action }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button') return;
    await finding.showPrivately(body.user.id, typeof action.value === 'string' ? action.value : '');
  });
}

/**
 * `/escalate help`, `/escalate my cases`, `/escalate approvals` and `/escalate <reference>`,
 * answered so only the person sees it (a card goes to their direct messages, where its buttons
 * work). Anything else is raising's: false.
 */
export async function slashFindingWork(
  parts: SlackParts,
  { command, ack }: Pick<SlackCommandMiddlewareArgs, 'command' | 'ack'>,
): Promise<boolean> {
  const asked = chatCommand(command.text);
  if (!asked && directoryChatCommand(command.text)) {
    const { person: user, words } = await parts.who(command.user_id, command.team_id);
    const text = (await parts.directoryCommand(command.text, user, words)) ?? words;
    await ack({ response_type: 'ephemeral', text: cut(escape(text), LIMITS.messageText) });
    return true;
  }
  if (!asked || asked.kind === 'escalate') return false;
  const finding = new SlackFindingWork(parts);
  if (asked.kind === 'show') {
    await ack({ response_type: 'ephemeral', text: sentPrivately(asked.reference) });
    await finding.showPrivately(command.user_id, asked.reference);
    return true;
  }
  const { person: user, words } = await parts.who(command.user_id, command.team_id);
  const reply = await finding.answer(asked, user, words);
  await ack({
    response_type: 'ephemeral',
    text: cut(reply.text, LIMITS.messageText),
    ...(reply.blocks ? { blocks: reply.blocks } : {}),
  });
  return true;
}
