/**
 * Finding your work in Block Kit: a list of cases (my cases, approvals) with a "Show card" button
 * each, help, and the App Home (both lists and a short help). Every text is cut to Block Kit's
 * limits; a list shows at most a few cases (SHOWN) and says how many more there are.
 */
import { APPROVALS_TITLE, helpWords, moreWords, MY_CASES_TITLE, NO_APPROVALS, NO_CASES } from '../../app/chat-commands';
import type { MyWork, WorkLine, WorkList } from '../../app/my-work';
import { asBlocks, cut, escape, LIMITS, mrkdwn, plain, type Block, type Raw } from './blocks';

/** A "Show card" button: the card is posted in the person's direct messages with the bot. */
export const SHOW_ACTION = 'work:show';

function lineBlock(line: WorkLine): Raw {
  const text = [
    `*${escape(line.reference)}*${line.urgent ? ' (urgent)' : ''} · ${escape(line.agencies)} · ${escape(line.board)}`,
    escape(line.stage),
    ...(line.asked ? [escape(line.asked)] : []),
    `Whose move: ${escape(line.move)}`,
    ...(line.due ? [`Deadline: ${escape(line.due)}`] : []),
    ...(line.yours ? [`*Your move: ${escape(line.yours)}*`] : []),
  ].join('\n');
  return {
    type: 'section',
    text: mrkdwn(text, LIMITS.sectionText),
    accessory: {
      type: 'button',
      action_id: SHOW_ACTION,
      text: plain('Show card', LIMITS.buttonText),
      value: line.reference,
    },
  };
}

function listBlocks(title: string, list: WorkList, empty: string): Raw[] {
  return [
    { type: 'header', text: plain(title, LIMITS.header) },
    ...(list.lines.length ? list.lines.map(lineBlock) : [{ type: 'section', text: mrkdwn(escape(empty), 300) }]),
    ...(list.more ? [{ type: 'context', elements: [mrkdwn(escape(moreWords(list.more)), 300)] }] : []),
  ];
}

/** `my cases` or `approvals` as a message. */
export function workMessage(work: MyWork, which: 'my-cases' | 'approvals'): { text: string; blocks: Block[] } {
  const [title, list, empty] =
    which === 'approvals' ? [APPROVALS_TITLE, work.approvals, NO_APPROVALS] : [MY_CASES_TITLE, work.cases, NO_CASES];
  const text = list.lines.length
    ? `${title}: ${list.lines.map((l) => l.reference).join(', ')}${list.more ? ` ${moreWords(list.more)}` : ''}`
    : empty;
  return { text: cut(text, LIMITS.messageText), blocks: asBlocks(listBlocks(title, list, empty)) };
}

function helpBlocks(): Raw[] {
  const help = helpWords('slack');
  return [
    { type: 'section', text: mrkdwn(escape(help.about), LIMITS.sectionText) },
    {
      type: 'section',
      text: mrkdwn(
        `*What you can type*\n${help.commands.map((c) => `• ${escape(c)}`).join('\n')}\n\n${escape(help.where)}`,
        LIMITS.sectionText,
      ),
    },
    { type: 'section', text: mrkdwn(escape(help.raise), LIMITS.sectionText) },
  ];
}

/** `help` as a message. */
export function helpMessage(before?: string): { text: string; blocks: Block[] } {
  const help = helpWords('slack');
  return {
    text: cut(`${before ? `${before} ` : ''}${help.about}`, LIMITS.messageText),
    blocks: asBlocks([
      ...(before ? [{ type: 'section', text: mrkdwn(escape(before), LIMITS.sectionText) }] : []),
      ...helpBlocks(),
    ]),
  };
}

/** The App Home: approvals waiting, then open cases, then how to use the bot. Without work, why (not in the directory). */
export function homeView(work: MyWork | undefined, notice?: string): { type: 'home'; blocks: Block[] } {
  const blocks: Raw[] = [{ type: 'header', text: plain('Safeguarding escalations', LIMITS.header) }];
  if (notice) blocks.push({ type: 'section', text: mrkdwn(escape(notice), LIMITS.sectionText) });
  if (work) {
    if (work.approvals.lines.length) blocks.push(...listBlocks(APPROVALS_TITLE, work.approvals, NO_APPROVALS));
    blocks.push(...listBlocks(MY_CASES_TITLE, work.cases, NO_CASES));
    if (!work.approvals.lines.length) blocks.push({ type: 'context', elements: [mrkdwn(escape(NO_APPROVALS), 300)] });
  }
  blocks.push({ type: 'divider' }, ...helpBlocks());
  return { type: 'home', blocks: asBlocks(blocks.slice(0, LIMITS.blocksPerModal)) };
}
