/**
 * The raising dialog's cards, in order: the board (where the agency has several), the board's own
 * question about immediate risk on its own, its guidance and contacts on "yes", and the form:
 * what it offers (the other agencies under the board, the kinds of disagreement), what was typed,
 * and every field's problem at once, each beside its field.
 */
import { WHICH_BOARD } from '../../app/boards';
import {
  FIELDS,
  IMMEDIATE_RISK,
  RAISE_QUESTIONS,
  startStageOptions,
  wordProblemsOf,
  type Submitted,
} from '../../app/raise-request';
import { instantToZoned } from '../../domain/calendar';
import { categoriesOf, emergencyContacts, initialsOf, looksLikeRecordNumber } from '../../domain/escalation';
import type { Agency, Directory, Person } from '../../domain/directory';
import { raisingSignposts, type Procedure } from '../../domain/procedure';
import { cardTemplate } from './stage-card';

export type { Submitted } from '../../app/raise-request';

export interface FormOptions {
  values?: Submitted;
  errors?: Record<string, string>;
  problem?: string;
  /** In the chat itself (Action.Execute), for clients that cannot open dialogs. */
  inline?: boolean;
  /** Now, for the date the concern arose (today unless changed; never later). */
  now?: Date;
}

export function raiseFormCard(
  procedure: Procedure,
  directory: Directory,
  raiser: Person,
  options: FormOptions = {},
): Record<string, unknown> {
  const { values = {}, errors = {}, problem, inline = false, now = new Date() } = options;
  const today = instantToZoned(now, procedure.workingHours.timeZone).date;
  const agencies = directory.agencies
    .filter((a) => a.boards.includes(procedure.id) && a.id !== raiser.agency)
    .map((a) => ({ id: a.id, name: a.name }));
  const urgent = values.immediateRisk === 'yes';
  const startStages = urgent ? startStageOptions(procedure) : [];
  const own = directory.agencies.find((a) => a.id === raiser.agency);
  const data = {
    board: procedure.name,
    boardId: procedure.id,
    agencies,
    categories: categoriesOf(procedure),
    values: {
      ...Object.fromEntries(FIELDS.map((f) => [f, values[f] ?? ''])),
      concernAroseAt: values.concernAroseAt || today,
      startStage: values.startStage || (startStages[0]?.value ?? ''),
    },
    questions: RAISE_QUESTIONS,
    today,
    startStages,
    hasStartStages: startStages.length > 0,
    signposts: raisingSignposts(procedure),
    hasSignposts: raisingSignposts(procedure).length > 0,
    errors,
    inline,
    urgent,
    ...(urgent ? { urgentWords: IMMEDIATE_RISK.onForm, contacts: emergencyContacts(procedure, own) } : {}),
    ...(problem ? { problem } : {}),
  };
  return cardTemplate('raise-form').expand({ $root: data }) as Record<string, unknown>;
}

/**
 * The answers to put back into the form after a refusal. Refused initials never go back (they
 * were probably a name). The form in the chat itself (`inline`) is kept by the chat, so there a
 * refused record number and any answer whose words name the adult or give their details are
 * left blank too; the dialog is private and keeps them, for the person to correct.
 * `refused`: the fields refused, as the form names them ("recordRaising"); `named`: whether
 * they were refused for naming the adult.
 */
export function valuesShownAgain(
  values: Submitted,
  refused: readonly string[],
  named: boolean,
  inline: boolean,
  now: Date,
): Submitted {
  const shown: Submitted = { ...values };
  const blank = new Set(refused.filter((f) => f === 'initials' || (inline && (named || f.startsWith('record')))));
  // Refused or not yet checked (another answer was wrong first): initials that are not initials never go back.
  if (values.initials?.trim() && !initialsOf(values.initials)) blank.add('initials');
  if (inline) {
    for (const f of Object.keys(wordProblemsOf(values, now))) blank.add(f);
    for (const f of ['recordRaising', 'recordResponding'] as const)
      if (values[f]?.trim() && !looksLikeRecordNumber(values[f].trim())) blank.add(f);
  }
  for (const f of blank) if (TYPED.has(f)) shown[f as (typeof FIELDS)[number]] = '';
  return shown;
}

const TYPED: ReadonlySet<string> = new Set([
  'initials',
  'recordRaising',
  'recordResponding',
  'summary',
  'outcomeWanted',
  'safetyMeanwhile',
  'adultWishes',
]);

/** Where the person's agency works under several boards: which board, before anything else. */
export function boardCard(boards: readonly Procedure[], options: { problem?: string; inline?: boolean } = {}) {
  return cardTemplate('raise-board').expand({
    $root: {
      label: WHICH_BOARD.label,
      hint: WHICH_BOARD.hint,
      boards: boards.map((p) => ({ id: p.id, name: p.name })),
      inline: options.inline ?? false,
      ...(options.problem ? { problem: options.problem } : {}),
    },
  }) as Record<string, unknown>;
}

/** The board's own question about immediate risk, verbatim and on its own. */
export function riskCard(
  procedure: Procedure,
  options: { value?: string; problem?: string; inline?: boolean } = {},
): Record<string, unknown> {
  return cardTemplate('raise-risk').expand({
    $root: {
      board: procedure.name,
      boardId: procedure.id,
      question: procedure.immediateRisk?.question ?? '',
      value: options.value ?? '',
      inline: options.inline ?? false,
      ...(options.problem ? { problem: options.problem } : {}),
    },
  }) as Record<string, unknown>;
}

/**
 * The board's guidance and contacts (the raiser's agency's own on-call number among them); `next`
 * says what happens now and, on the urgent path before the form, `goOn` leads on to it.
 */
export function emergencyCard(
  procedure: Procedure,
  agency: Agency | undefined,
  words: { next: string; heading?: string; goOn?: string; inline?: boolean },
): Record<string, unknown> {
  return cardTemplate('emergency').expand({
    $root: {
      heading: words.heading ?? 'Immediate risk of harm: who to call now',
      guidance: procedure.immediateRisk?.guidance ?? '',
      contacts: emergencyContacts(procedure, agency),
      next: words.next,
      boardId: procedure.id,
      inline: words.inline ?? false,
      ...(words.goOn ? { goOn: words.goOn } : {}),
    },
  }) as Record<string, unknown>;
}
