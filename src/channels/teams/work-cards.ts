/**
 * Finding your work as Adaptive Cards (version 1.5): a list of cases (my cases, approvals) with a
 * "Show card" button each (it types the reference for the person: imBack), help, and the welcome
 * card the bot sends when it is installed in someone's personal scope.
 */
import { APPROVALS_TITLE, helpWords, moreWords, MY_CASES_TITLE, NO_APPROVALS, NO_CASES } from '../../app/chat-commands';
import type { MyWork, WorkLine, WorkList } from '../../app/my-work';

type Card = Record<string, unknown>;

const text = (words: string, extra: Record<string, unknown> = {}): Card => ({
  type: 'TextBlock',
  text: words,
  wrap: true,
  ...extra,
});

/** A button that says `words` in the chat as the person (Teams' imBack), e.g. a case reference. */
const says = (title: string, words: string): Card => ({
  type: 'Action.Submit',
  title,
  data: { msteams: { type: 'imBack', value: words } },
});

/** The button that opens the raising dialog (as the launcher card has it). */
const RAISE: Card = {
  type: 'Action.Submit',
  title: 'Raise an escalation',
  data: { msteams: { type: 'task/fetch' }, action: 'raise-open' },
};

function lineItem(line: WorkLine): Card {
  return {
    type: 'Container',
    separator: true,
    spacing: 'Medium',
    items: [
      text(`**${line.reference}**${line.urgent ? ' (urgent)' : ''} · ${line.agencies}`, { weight: 'Bolder' }),
      text(`${line.board} · ${line.stage}`, { isSubtle: true, spacing: 'None' }),
      ...(line.asked ? [text(line.asked)] : []),
      text(`Whose move: ${line.move}`, { spacing: 'Small' }),
      ...(line.due ? [text(`Deadline: ${line.due}`, { spacing: 'None' })] : []),
      ...(line.yours
        ? [text(`Your move: ${line.yours}`, { weight: 'Bolder', color: 'Accent', spacing: 'Small' })]
        : []),
      { type: 'ActionSet', actions: [says('Show card', line.reference)] },
    ],
  };
}

function listCard(title: string, list: WorkList, empty: string): Card {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [
      text(title, { size: 'Medium', weight: 'Bolder' }),
      ...(list.lines.length ? list.lines.map(lineItem) : [text(empty)]),
      ...(list.more ? [text(moreWords(list.more), { isSubtle: true })] : []),
    ],
  };
}

/** `my cases` or `approvals` as a card. */
export function workCard(work: MyWork, which: 'my-cases' | 'approvals'): Card {
  return which === 'approvals'
    ? listCard(APPROVALS_TITLE, work.approvals, NO_APPROVALS)
    : listCard(MY_CASES_TITLE, work.cases, NO_CASES);
}

function helpBody(): Card[] {
  const help = helpWords('teams');
  return [
    text(help.about),
    text('What you can type', { weight: 'Bolder', spacing: 'Medium' }),
    text(help.commands.map((c) => `- ${c}`).join('\n')),
    text(help.where, { isSubtle: true }),
    text(help.raise),
  ];
}

const HELP_ACTIONS: Card[] = [RAISE, says('My cases', 'my cases'), says('Approvals', 'approvals')];

/** `help` as a card; `before` says first what the bot did not understand, or who is not in the directory. */
export function helpCard(before?: string): Card {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [...(before ? [text(before, { weight: 'Bolder' })] : []), ...helpBody()],
    actions: HELP_ACTIONS,
  };
}

/** What the bot sends when someone installs it for themselves: what it is for, and the commands. */
export function welcomeCard(name?: string): Card {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [
      text(`Welcome${name ? `, ${name}` : ''}: this is Safeguarding escalations`, { size: 'Medium', weight: 'Bolder' }),
      ...helpBody(),
    ],
    actions: HELP_ACTIONS,
  };
}
