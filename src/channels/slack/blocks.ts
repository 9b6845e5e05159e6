/**
 * Slack's Block Kit renderings of the shared view models: the stage card and the modal a button
 * opens for its text, and the pieces every view is built from (the raising modals are in
 * ./raise-modals, the documents modal in ./documents-modal). Every text is cut to Block Kit's
 * limits, so no message is refused.
 */
import type { KnownBlock, ModalView as SlackModalView } from '@slack/types';
import type { ActionView, FormPromptView, InputView, StageCardView } from '../../app/views/stage-card';
import type { SignpostView } from '../../domain/procedure';

/** Block Kit's limits (api.slack.com/reference/block-kit). */
export const LIMITS = {
  blocksPerMessage: 50,
  blocksPerModal: 100,
  sectionText: 3000,
  field: 2000,
  fields: 10,
  header: 150,
  buttonText: 75,
  buttonValue: 2000,
  contextElements: 10,
  actionsElements: 25,
  optionText: 75,
  options: 100,
  modalTitle: 24,
  modalButton: 24,
  label: 2000,
  placeholder: 150,
  privateMetadata: 3000,
  messageText: 40000,
} as const;

/** Blocks are built as plain objects and checked against Block Kit's limits in tests. */
export type Block = KnownBlock;
export type ModalView = SlackModalView;
export type Raw = Record<string, unknown>;
export const asBlocks = (raw: Raw[]): Block[] => raw as unknown as Block[];
export const asModal = (raw: Raw): ModalView => raw as unknown as ModalView;

/** Cut a text to `max` characters, with an ellipsis where it was cut. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Escape the three characters Slack's mrkdwn treats as control characters. */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const plain = (text: string, max: number): { type: 'plain_text'; text: string; emoji: boolean } => ({
  type: 'plain_text',
  text: cut(text, max),
  emoji: false,
});
export const mrkdwn = (text: string, max: number): { type: 'mrkdwn'; text: string } => ({
  type: 'mrkdwn',
  text: cut(text, max),
});

/** A choice in a select or radio buttons. */
export const option = (value: string, text: string): Raw => ({ text: plain(text, LIMITS.optionText), value });

/** What a button carries: the case and the stage its card showed (stale clicks are refused). */
export interface ButtonValue {
  reference: string;
  stage: string;
}

export const ACTION_PREFIX = 'case:';
export const DOCUMENTS_ACTION = 'documents:open';
export const HISTORY_ACTION = 'history:open';
export const DOCUMENTS_CALLBACK = 'case-documents';
export const INPUT_CALLBACK = 'case-input:';
/** The button on someone's own card that completes one of the board's forms, and its modal. */
export const FORM_ACTION = 'form:complete';
export const FORM_CALLBACK = 'case-form';

/** A labelled paragraph: "*What the disagreement is*\nThe words". */
const para = (label: string, text: string): Raw => ({
  type: 'section',
  text: mrkdwn(`*${escape(label)}*\n${escape(text)}`, LIMITS.sectionText),
});

const STATUS_MARK: Record<StageCardView['statusStyle'], string> = {
  good: ':large_green_circle:',
  attention: ':red_circle:',
  accent: ':large_blue_circle:',
  default: ':white_circle:',
};

/** The stage card as blocks, with `text` for notifications and screen readers. */
export function stageCardBlocks(view: StageCardView): { text: string; blocks: Block[] } {
  const blocks: Raw[] = [];
  blocks.push({
    type: 'header',
    text: plain(`${view.board} escalation ${view.reference}${view.urgent ? ' (urgent)' : ''}`, LIMITS.header),
  });
  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(
        `*Stage ${view.stage.number} of ${view.stage.of}: ${escape(view.stage.name)}* · ${escape(view.boardName)}`,
        LIMITS.sectionText,
      ),
    ],
  });
  blocks.push({
    type: 'section',
    text: mrkdwn(`${STATUS_MARK[view.statusStyle]} *${escape(view.statusText)}*`, LIMITS.sectionText),
  });
  if (view.moves.length)
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `*Whose move*\n${view.moves.map(escape).join('\n')}${view.approvers ? `\nWho can approve: ${escape(view.approvers)}` : ''}`,
        LIMITS.sectionText,
      ),
    });
  blocks.push({ type: 'section', text: mrkdwn(escape(view.stage.achieves), LIMITS.sectionText) });
  const facts: Array<[string, string]> = [
    ['Adult', `${view.adult} (initials)`],
    ['Kind of disagreement', view.category],
  ];
  if (view.deadline) facts.push(['Deadline', `${view.deadline.words}${view.deadline.overdue ? ' (overdue)' : ''}`]);
  blocks.push({
    type: 'section',
    fields: facts.slice(0, LIMITS.fields).map(([k, v]) => mrkdwn(`*${k}*\n${escape(v)}`, LIMITS.field)),
  });
  blocks.push(para('What the disagreement is', view.substance.summary));
  blocks.push(para('The outcome wanted', view.substance.outcomeWanted));
  blocks.push(para('What keeps the adult safe meanwhile', view.substance.safetyMeanwhile));
  if (view.substance.adultWishes)
    blocks.push(para("The adult's own wishes and desired outcomes", view.substance.adultWishes));
  blocks.push({
    type: 'section',
    fields: view.sides.map((side) =>
      mrkdwn(
        [
          `*${side.label}: ${escape(side.agency)}*`,
          ...(side.recordNumber ? [`Record ${escape(side.recordNumber)}`] : []),
          ...side.people.map(
            (p) => `${escape(p.name)}, ${escape(p.role)}${p.actingFor ? ` (for ${escape(p.actingFor)})` : ''}`,
          ),
          ...(view.closed
            ? []
            : [
                side.acknowledged ? ':white_check_mark: Acknowledged' : ':hourglass_flowing_sand: Not yet acknowledged',
              ]),
        ].join('\n'),
        LIMITS.field,
      ),
    ),
  });
  if (view.boardPeople.length)
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `*Board*\n${view.boardPeople.map((p) => `${escape(p.name)}, ${escape(p.role)}`).join('\n')}`,
        LIMITS.sectionText,
      ),
    });
  if (view.pending)
    blocks.push({
      type: 'section',
      text: mrkdwn(`*Waiting for approval:* ${escape(view.pending)}`, LIMITS.sectionText),
    });
  if (view.proposal) {
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `*Proposed outcome* (by ${escape(view.proposal.by)}): ${escape(view.proposal.outcome)}\n*Outstanding issues:* ${escape(view.proposal.outstandingIssues)}`,
        LIMITS.sectionText,
      ),
    });
  }
  // The plan of action (proposed, waiting for the other agency, or agreed) and what the stage asks that is owed or given.
  if (view.plan) blocks.push({ type: 'section', text: mrkdwn(escape(view.plan), LIMITS.sectionText) });
  if (view.owed?.length)
    blocks.push({ type: 'section', text: mrkdwn(view.owed.map(escape).join('\n'), LIMITS.sectionText) });
  if (view.closing) blocks.push({ type: 'section', text: mrkdwn(`*${escape(view.closing)}*`, LIMITS.sectionText) });
  if (view.positions.length)
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `*Latest from each agency*\n${view.positions.map((p) => `${escape(p.agency)}: ${escape(p.text)}`).join('\n')}`,
          LIMITS.sectionText,
        ),
      ],
    });
  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(
        `*Where the case is in the procedure*\n${view.ladder.map(escape).join('\n')}${view.next ? `\n${escape(view.next)}` : ''}`,
        LIMITS.sectionText,
      ),
    ],
  });
  if (view.signposts?.length) blocks.push(signpostsBlock(view.signposts));
  if (view.problems.length)
    blocks.push({
      type: 'section',
      text: mrkdwn(`:warning: ${view.problems.map(escape).join('\n')}`, LIMITS.sectionText),
    });
  if (view.history.length) {
    blocks.push({ type: 'divider' });
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `*What has happened* (latest ${view.history.length} of ${view.historyCount})\n${view.history.map(escape).join('\n')}`,
          LIMITS.sectionText,
        ),
      ],
    });
  }
  const value: ButtonValue = { reference: view.reference, stage: view.stage.id };
  if (view.actions.length) {
    blocks.push({
      type: 'actions',
      block_id: `case-actions:${view.reference}`,
      elements: view.actions.slice(0, LIMITS.actionsElements).map((a) => ({
        type: 'button',
        action_id: `${ACTION_PREFIX}${a.verb}`,
        text: plain(a.input ? `${a.title}…` : a.title, LIMITS.buttonText),
        value: JSON.stringify(value),
        ...(a.style === 'positive' ? { style: 'primary' } : a.style === 'destructive' ? { style: 'danger' } : {}),
      })),
    });
  }
  // The board's forms this person is to complete (their own card only): a line each, and its button.
  for (const f of view.forms ?? []) {
    blocks.push({ type: 'section', text: mrkdwn(`:memo: ${escape(f.line)}`, LIMITS.sectionText) });
    blocks.push({
      type: 'actions',
      block_id: `case-form:${view.reference}:${f.stage}:${f.form}`.slice(0, 255),
      elements: [
        {
          type: 'button',
          action_id: FORM_ACTION,
          text: plain('Complete the form…', LIMITS.buttonText),
          value: JSON.stringify({ reference: view.reference, stage: f.stage, form: f.form }),
          style: 'primary',
        },
      ],
    });
  }
  // Documents (the case record, the board's forms) for role holders, sent privately; and the whole history.
  blocks.push({
    type: 'actions',
    block_id: `case-documents:${view.reference}`,
    elements: [
      {
        type: 'button',
        action_id: DOCUMENTS_ACTION,
        text: plain('Documents…', LIMITS.buttonText),
        value: JSON.stringify(value),
      },
      ...(view.historyCount > view.history.length
        ? [
            {
              type: 'button',
              action_id: HISTORY_ACTION,
              text: plain('See all that has happened…', LIMITS.buttonText),
              value: JSON.stringify(value),
            },
          ]
        : []),
    ],
  });
  const text = `${view.board} escalation ${view.reference}: stage ${view.stage.number}, ${view.stage.name}. ${view.statusText}.${view.moves[0] ? ` ${view.moves[0]}` : ''}`;
  return { text: cut(text, LIMITS.messageText), blocks: asBlocks(blocks.slice(0, LIMITS.blocksPerMessage)) };
}

/** Everything that has happened on a case, in a modal (the "See all" button). */
export function historyModal(view: StageCardView): ModalView {
  const lines = view.allHistory.map(escape);
  // A section a few lines at a time, inside Block Kit's limits.
  const chunks: string[] = [];
  for (let i = 0; i < lines.length; i += 8) chunks.push(lines.slice(i, i + 8).join('\n'));
  const more =
    view.historyCount > view.allHistory.length
      ? [
          {
            type: 'context',
            elements: [
              mrkdwn(
                `The latest ${view.allHistory.length} of ${view.historyCount}; the case record (Documents) has them all.`,
                LIMITS.sectionText,
              ),
            ],
          },
        ]
      : [];
  return asModal({
    type: 'modal',
    callback_id: 'case-history',
    title: plain(`${view.reference}: history`, LIMITS.modalTitle),
    close: plain('Close', LIMITS.modalButton),
    blocks: [...chunks.map((c) => ({ type: 'section', text: mrkdwn(c, LIMITS.sectionText) })), ...more],
  });
}

/** An input's element: words, a date picker (its answer 'YYYY-MM-DD'), or a choice of options. */
function inputElement(f: InputView): Raw {
  if (f.kind === 'date')
    return { type: 'datepicker', action_id: 'value', ...(f.initial ? { initial_date: f.initial } : {}) };
  if (f.kind === 'choice') {
    const options = (f.options ?? []).slice(0, LIMITS.options).map((o) => option(o.value, o.title));
    const initial = options.find((o) => o.value === f.initial);
    return {
      type: 'static_select',
      action_id: 'value',
      placeholder: plain(f.placeholder, LIMITS.placeholder),
      options,
      ...(initial ? { initial_option: initial } : {}),
    };
  }
  return {
    type: 'plain_text_input',
    action_id: 'value',
    multiline: true,
    max_length: 3000,
    placeholder: plain(f.placeholder, LIMITS.placeholder),
  };
}

/** Where the procedure points people (the board's signposts), in one section: each pointer, and its link. */
export function signpostsBlock(signposts: readonly SignpostView[]): Raw {
  const line = (s: SignpostView) =>
    `:information_source: ${escape(s.words)}${s.url ? ` <${s.url.replace(/[<>|]/g, '')}|Open the link>` : ''}`;
  return { type: 'section', text: mrkdwn(signposts.map(line).join('\n'), LIMITS.sectionText) };
}

/** The modal a button opens when its command needs words (a note, a reason, an outcome). */
export function inputModal(action: ActionView, metadata: Record<string, string>): ModalView {
  const input = action.input;
  const fields = input ? [input, ...(input.second ? [input.second] : [])] : [];
  return asModal({
    type: 'modal',
    callback_id: `${INPUT_CALLBACK}${action.verb}`,
    title: plain(action.title, LIMITS.modalTitle),
    submit: plain(action.title, LIMITS.modalButton),
    close: plain('Cancel', LIMITS.modalButton),
    private_metadata: JSON.stringify(metadata),
    blocks: fields.map((f) => ({
      type: 'input',
      block_id: f.id,
      label: plain(f.label, LIMITS.label),
      element: inputElement(f),
    })),
  });
}

/** The modal that completes one of the board's forms: what it asks the completer to type (the rest is from the case). */
export function formModal(form: FormPromptView, metadata: Record<string, string>): ModalView {
  return asModal({
    type: 'modal',
    callback_id: FORM_CALLBACK,
    title: plain('Complete the form', LIMITS.modalTitle),
    submit: plain('Complete and send', LIMITS.modalButton),
    close: plain('Cancel', LIMITS.modalButton),
    private_metadata: JSON.stringify(metadata),
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `*${escape(form.title)}*\nThe rest of the form is filled from the case. Do not name the adult: use their initials.`,
          LIMITS.sectionText,
        ),
      },
      ...form.inputs.map((i) => ({
        type: 'input',
        block_id: i.id,
        optional: i.optional,
        label: plain(i.label, LIMITS.label),
        hint: plain(i.prompt, LIMITS.placeholder),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 3000 },
      })),
    ],
  });
}
