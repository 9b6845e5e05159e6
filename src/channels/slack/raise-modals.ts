/**
 * The raising modals in Block Kit: the board (where the agency has several), then the board's own
 * question about immediate risk on its own, its guidance and emergency contacts at once on "yes",
 * then the form. Every text is cut to Block Kit's limits, so no modal is refused.
 */
import { WHICH_BOARD } from '../../app/boards';
import { IMMEDIATE_RISK, RAISE_QUESTIONS, startStageOptions } from '../../app/raise-request';
import { instantToZoned } from '../../domain/calendar';
import type { Agency, Directory, Person } from '../../domain/directory';
import { categoriesOf, emergencyContacts } from '../../domain/escalation';
import { raisingSignposts, type Procedure } from '../../domain/procedure';
import {
  asBlocks,
  asModal,
  escape,
  LIMITS,
  mrkdwn,
  option,
  plain,
  signpostsBlock,
  type Block,
  type ModalView,
  type Raw,
} from './blocks';

export interface RaiseMetadata {
  board: string;
  /** The counterpart named in the command (`/escalate @someone`), as their directory email. */
  counterpartEmail?: string;
  /** The channel the command was typed in. */
  channel?: string;
  urgent?: boolean;
}

/** First, where the person's agency works under several boards: which board's procedure. */
export function boardModal(boards: readonly Procedure[], metadata: RaiseMetadata): ModalView {
  return asModal({
    type: 'modal',
    callback_id: 'raise-board',
    title: plain('Raise an escalation', LIMITS.modalTitle),
    submit: plain('Next', LIMITS.modalButton),
    close: plain('Cancel', LIMITS.modalButton),
    private_metadata: JSON.stringify(metadata),
    blocks: [
      {
        type: 'input',
        block_id: 'board',
        label: plain(WHICH_BOARD.label, LIMITS.label),
        hint: plain(WHICH_BOARD.hint, LIMITS.label),
        element: {
          type: 'radio_buttons',
          action_id: 'value',
          options: boards.slice(0, 10).map((p) => option(p.id, p.name)),
        },
      },
    ],
  });
}

/** Then the board's own question about immediate risk, verbatim and on its own, before anything else. */
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
          `*${escape(procedure.name)}*: a disagreement with another agency about an adult at risk. First, the board's question:`,
          LIMITS.sectionText,
        ),
      },
      // A procedure that says nothing about immediate risk asks no question here.
      ...(procedure.immediateRisk
        ? [
            {
              type: 'input',
              block_id: 'immediateRisk',
              label: plain(procedure.immediateRisk.question, LIMITS.label),
              element: {
                type: 'radio_buttons',
                action_id: 'value',
                options: [option('yes', 'Yes'), option('no', 'No')],
              },
            },
          ]
        : []),
    ],
  });
}

/** The board's guidance and emergency contacts (the raiser's agency's own on-call number among them); `next` says what happens now. */
export function emergencyBlocks(procedure: Procedure, agency: Agency | undefined, next: string): Block[] {
  return asBlocks(emergencyRaw(procedure, agency, next));
}

function emergencyRaw(procedure: Procedure, agency: Agency | undefined, next: string): Raw[] {
  return [
    { type: 'section', text: mrkdwn(`*${escape(procedure.immediateRisk?.guidance ?? '')}*`, LIMITS.sectionText) },
    ...contactsRaw(procedure, agency),
    { type: 'section', text: mrkdwn(escape(next), LIMITS.sectionText) },
  ];
}

/** Each contact with its number or address, or the words saying where to find it. */
function contactsRaw(procedure: Procedure, agency: Agency | undefined): Raw[] {
  return emergencyContacts(procedure, agency)
    .slice(0, 20)
    .map((c) => ({ type: 'section', text: mrkdwn(`*${escape(c.name)}*\n${escape(c.detail)}`, LIMITS.sectionText) }));
}

/** On a board's urgent path, after "yes": the guidance and contacts at once, then on to the form. */
export function urgentModal(procedure: Procedure, agency: Agency | undefined, metadata: RaiseMetadata): ModalView {
  return asModal({
    type: 'modal',
    callback_id: 'raise-urgent',
    title: plain('Immediate risk', LIMITS.modalTitle),
    submit: plain(IMMEDIATE_RISK.goOn, LIMITS.modalButton),
    close: plain('Cancel', LIMITS.modalButton),
    private_metadata: JSON.stringify(metadata),
    blocks: emergencyRaw(procedure, agency, IMMEDIATE_RISK.urgent),
  });
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

/** Last, the raising form (the adult's initials and record numbers, never their name); on the urgent path the contacts stay at its top. */
export function raiseFormModal(
  procedure: Procedure,
  directory: Directory,
  raiser: Person,
  metadata: RaiseMetadata,
  now: Date = new Date(),
): ModalView {
  const today = instantToZoned(now, procedure.workingHours.timeZone).date;
  const starts = metadata.urgent ? startStageOptions(procedure) : [];
  const signposts = raisingSignposts(procedure);
  const own = directory.agencies.find((a) => a.id === raiser.agency);
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
    ...(metadata.urgent
      ? [
          { type: 'section', text: mrkdwn(`*${escape(IMMEDIATE_RISK.onForm)}*`, LIMITS.sectionText) },
          ...contactsRaw(procedure, own),
          { type: 'divider' },
        ]
      : []),
    ...(signposts.length ? [signpostsBlock(signposts), { type: 'divider' }] : []),
    ...(starts.length
      ? [
          {
            type: 'input',
            block_id: 'startStage',
            label: plain(RAISE_QUESTIONS.startStage.label, LIMITS.label),
            hint: plain(RAISE_QUESTIONS.startStage.hint, LIMITS.label),
            element: {
              type: 'static_select',
              action_id: 'value',
              initial_option: option(starts[0]?.value ?? '', starts[0]?.title ?? ''),
              options: starts.slice(0, LIMITS.options).map((s) => option(s.value, s.title)),
            },
          },
        ]
      : []),
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
    text('adultWishes', RAISE_QUESTIONS.adultWishes.label, RAISE_QUESTIONS.adultWishes.placeholder, {
      optional: true,
      multiline: true,
    }),
    {
      type: 'input',
      block_id: 'concernAroseAt',
      label: plain(RAISE_QUESTIONS.concernAroseAt.label, LIMITS.label),
      hint: plain(RAISE_QUESTIONS.concernAroseAt.hint, LIMITS.label),
      element: { type: 'datepicker', action_id: 'value', initial_date: today },
    },
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
