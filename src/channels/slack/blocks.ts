/**
 * Slack's Block Kit renderings of the shared view models: the stage card, the raising modals
 * (immediate risk first, then the form), the modal a button opens for its text, and the
 * board's emergency contacts. Every text is cut to Block Kit's limits, so no message is refused.
 */
import type { KnownBlock, ModalView as SlackModalView } from '@slack/types';
import type { ActionView, StageCardView } from '../../app/views/stage-card';
import type { Directory, Person } from '../../domain/directory';
import { categoriesOf } from '../../domain/escalation';
import { shortNameOf, type Procedure } from '../../domain/procedure';

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
type Raw = Record<string, unknown>;
const asBlocks = (raw: Raw[]): Block[] => raw as unknown as Block[];
const asModal = (raw: Raw): ModalView => raw as unknown as ModalView;

/** Cut a text to `max` characters, with an ellipsis where it was cut. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Escape the three characters Slack's mrkdwn treats as control characters. */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const plain = (text: string, max: number): { type: 'plain_text'; text: string; emoji: boolean } => ({
  type: 'plain_text',
  text: cut(text, max),
  emoji: false,
});
const mrkdwn = (text: string, max: number): { type: 'mrkdwn'; text: string } => ({
  type: 'mrkdwn',
  text: cut(text, max),
});

/** What a button carries: the case and the stage its card showed (stale clicks are refused). */
export interface ButtonValue {
  reference: string;
  stage: string;
}

export const ACTION_PREFIX = 'case:';
export const DOCUMENTS_ACTION = 'documents:open';
export const DOCUMENTS_CALLBACK = 'case-documents';
export const INPUT_CALLBACK = 'case-input:';

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
      mrkdwn(`*Stage ${view.stage.number} of ${view.stage.of}: ${escape(view.stage.name)}*`, LIMITS.sectionText),
    ],
  });
  blocks.push({ type: 'section', text: mrkdwn(escape(view.stage.achieves), LIMITS.sectionText) });
  const facts: Array<[string, string]> = [
    ['Adult', `${view.adult} (initials)`],
    ['Disagreement', view.category],
    ['Status', view.statusText],
  ];
  if (view.deadline) facts.push(['Deadline', `${view.deadline.words}${view.deadline.overdue ? ' (overdue)' : ''}`]);
  blocks.push({
    type: 'section',
    fields: facts.slice(0, LIMITS.fields).map(([k, v]) => mrkdwn(`*${k}*\n${escape(v)}`, LIMITS.field)),
  });
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
          side.acknowledged ? ':white_check_mark: Acknowledged' : ':hourglass_flowing_sand: Not yet acknowledged',
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
  if (view.closing) blocks.push({ type: 'section', text: mrkdwn(`*${escape(view.closing)}*`, LIMITS.sectionText) });
  if (view.history.length) {
    blocks.push({ type: 'divider' });
    blocks.push({
      type: 'context',
      elements: [mrkdwn(`*What has happened*\n${view.history.map(escape).join('\n')}`, LIMITS.sectionText)],
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
  // Documents (the case record, the board's forms) for role holders, sent privately.
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
    ],
  });
  const text = `${view.board} escalation ${view.reference}: stage ${view.stage.number}, ${view.stage.name}. ${view.statusText}.${view.deadline ? ` Deadline ${view.deadline.words}.` : ''}`;
  return { text: cut(text, LIMITS.messageText), blocks: asBlocks(blocks.slice(0, LIMITS.blocksPerMessage)) };
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
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        multiline: true,
        max_length: 3000,
        placeholder: plain(f.placeholder, LIMITS.placeholder),
      },
    })),
  });
}

// ── raising ─────────────────────────────────────────────────────────────────────────

export interface RaiseMetadata {
  board: string;
  /** The counterpart named in the command (`/escalate @someone`), as their directory email. */
  counterpartEmail?: string;
  /** The channel the command was typed in. */
  channel?: string;
  urgent?: boolean;
}

const option = (value: string, text: string): Raw => ({ text: plain(text, LIMITS.optionText), value });

/** Step 1: immediate risk, asked before anything else. */
export function riskModal(procedure: Procedure, metadata: RaiseMetadata): ModalView {
  return asModal({
    type: 'modal',
    callback_id: 'raise-risk',
    title: plain('Raise an escalation', LIMITS.modalTitle),
    submit: plain('Next', LIMITS.modalButton),
    close: plain('Cancel', LIMITS.modalButton),
    private_metadata: JSON.stringify(metadata),
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `*${escape(shortNameOf(procedure))}*: a disagreement with another agency about an adult at risk.`,
          LIMITS.sectionText,
        ),
      },
      {
        type: 'input',
        block_id: 'immediateRisk',
        label: plain('First: is the adult at risk of immediate harm?', LIMITS.label),
        element: { type: 'radio_buttons', action_id: 'value', options: [option('yes', 'Yes'), option('no', 'No')] },
      },
    ],
  });
}

/** The board's emergency contacts and guidance; `next` says what happens now. */
export function emergencyBlocks(procedure: Procedure, next: string): Block[] {
  return asBlocks(emergencyRaw(procedure, next));
}

function emergencyRaw(procedure: Procedure, next: string): Raw[] {
  return [
    { type: 'section', text: mrkdwn(`*${escape(procedure.immediateRisk.guidance)}*`, LIMITS.sectionText) },
    ...procedure.immediateRisk.contacts.slice(0, 20).map((c) => ({
      type: 'section',
      text: mrkdwn(
        `*${escape(c.name)}*\n${escape([c.phone, c.email, c.note].filter(Boolean).join(' · '))}`,
        LIMITS.sectionText,
      ),
    })),
    { type: 'section', text: mrkdwn(escape(next), LIMITS.sectionText) },
  ];
}

export function messageModal(title: string, blocks: Block[]): ModalView {
  return asModal({
    type: 'modal',
    callback_id: 'raise-done',
    title: plain(title, LIMITS.modalTitle),
    close: plain('Close', LIMITS.modalButton),
    blocks: blocks.slice(0, LIMITS.blocksPerModal),
  });
}

/** Step 2: the raising form (the adult's initials and record numbers, never their name). */
export function raiseFormModal(
  procedure: Procedure,
  directory: Directory,
  raiser: Person,
  metadata: RaiseMetadata,
): ModalView {
  const agencies = directory.agencies
    .filter((a) => a.boards.includes(procedure.id) && a.id !== raiser.agency)
    .slice(0, LIMITS.options);
  const text = (
    id: string,
    label: string,
    placeholder: string,
    opts: { optional?: boolean; multiline?: boolean; initial?: string; max?: number } = {},
  ): Raw => ({
    type: 'input',
    block_id: id,
    optional: opts.optional ?? false,
    label: plain(label, LIMITS.label),
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      multiline: opts.multiline ?? false,
      max_length: opts.max ?? 3000,
      placeholder: plain(placeholder, LIMITS.placeholder),
      ...(opts.initial ? { initial_value: opts.initial } : {}),
    },
  });
  const blocks: Raw[] = [
    ...(metadata.urgent ? emergencyRaw(procedure, 'The escalation will be marked urgent.') : []),
    {
      type: 'input',
      block_id: 'respondingAgency',
      label: plain('The other agency', LIMITS.label),
      element: {
        type: 'static_select',
        action_id: 'value',
        placeholder: plain('Choose the agency', LIMITS.placeholder),
        options: agencies.map((a) => option(a.id, a.name)),
      },
    },
    text('counterpartEmail', 'Your counterpart there (their work email), if you know them', 'name@agency.org', {
      optional: true,
      ...(metadata.counterpartEmail ? { initial: metadata.counterpartEmail } : {}),
      max: 200,
    }),
    text('initials', "The adult's initials (not their name)", 'For example: J S', { max: 10 }),
    text('recordRaising', 'Your record number for the adult', 'Optional', { optional: true, max: 40 }),
    text('recordResponding', "The other agency's record number", 'Optional', { optional: true, max: 40 }),
    {
      type: 'input',
      block_id: 'category',
      label: plain('What kind of disagreement', LIMITS.label),
      element: {
        type: 'static_select',
        action_id: 'value',
        placeholder: plain('Choose one', LIMITS.placeholder),
        options: categoriesOf(procedure)
          .slice(0, LIMITS.options)
          .map((c) => option(c.id, c.label)),
      },
    },
    text('summary', 'What the disagreement is', 'No names of the adult', { multiline: true }),
    text('outcomeWanted', 'The outcome you want', 'What would resolve it', { multiline: true }),
    text('safetyMeanwhile', 'What keeps the adult safe meanwhile', 'Who is doing what', { multiline: true }),
  ];
  return asModal({
    type: 'modal',
    callback_id: 'raise-form',
    title: plain('Raise an escalation', LIMITS.modalTitle),
    submit: plain('Raise it', LIMITS.modalButton),
    close: plain('Cancel', LIMITS.modalButton),
    private_metadata: JSON.stringify(metadata),
    blocks,
  });
}

/**
 * The modal a role holder asks for a document in: which, in what format, and (privately, in the
 * modal, never in a chat) the adult's details where they have not been given or need correcting.
 */
export function documentsModal(
  reference: string,
  choices: ReadonlyArray<{ kind: string; label: string }>,
  detailsGiven: boolean,
): ModalView {
  const optionalText = (id: string, label: string, placeholder: string, max: number): Raw => ({
    type: 'input',
    block_id: id,
    optional: true,
    label: plain(label, LIMITS.label),
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      max_length: max,
      placeholder: plain(placeholder, LIMITS.placeholder),
    },
  });
  return asModal({
    type: 'modal',
    callback_id: DOCUMENTS_CALLBACK,
    title: plain(`Documents: ${reference}`, LIMITS.modalTitle),
    submit: plain('Send it to me', LIMITS.modalButton),
    close: plain('Cancel', LIMITS.modalButton),
    private_metadata: JSON.stringify({ reference }),
    blocks: [
      {
        type: 'input',
        block_id: 'document',
        label: plain('Which document', LIMITS.label),
        element: {
          type: 'static_select',
          action_id: 'value',
          initial_option: option(choices[0]?.kind ?? 'case-record', choices[0]?.label ?? 'Case record'),
          options: choices.slice(0, LIMITS.options).map((c) => option(c.kind, c.label)),
        },
      },
      {
        type: 'input',
        block_id: 'format',
        label: plain('Format', LIMITS.label),
        element: {
          type: 'radio_buttons',
          action_id: 'value',
          initial_option: option('pdf', 'PDF'),
          options: [option('pdf', 'PDF'), option('docx', 'Word (DOCX)')],
        },
      },
      {
        type: 'section',
        text: mrkdwn(
          detailsGiven
            ? "The adult's details are on the case (sealed). Fill these in only to correct them."
            : "The forms and the case record naming the adult need the adult's details. They are kept sealed and appear only in documents a role holder asks for.",
          LIMITS.sectionText,
        ),
      },
      optionalText('name', "The adult's full name", 'As on your agency’s record', 200),
      optionalText('dateOfBirth', 'Date of birth', 'YYYY-MM-DD', 10),
      optionalText('address', 'Address', 'Where the adult lives', 500),
      {
        type: 'context',
        elements: [
          mrkdwn(
            'The document comes to you in a direct message from the bot. It is not posted in the case channel.',
            LIMITS.sectionText,
          ),
        ],
      },
    ],
  });
}
