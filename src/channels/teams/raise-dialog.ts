/**
 * The raising form as a Teams dialog: what it offers (the other agencies under the board, the
 * kinds of disagreement), what was typed, and each field's problem, shown where it belongs.
 */
import { categoriesOf, initialsOf, looksLikeRecordNumber } from '../../domain/escalation';
import type { Directory, Person } from '../../domain/directory';
import { shortNameOf, type Procedure } from '../../domain/procedure';
import { cardTemplate } from './stage-card';

import { FIELDS, wordProblemsOf, type Submitted } from '../../app/raise-request';

export { raiseRequestFrom, type Submitted } from '../../app/raise-request';

export interface FormOptions {
  values?: Submitted;
  errors?: Record<string, string>;
  problem?: string;
  /** In the chat itself (Action.Execute), for clients that cannot open dialogs. */
  inline?: boolean;
}

export function raiseFormCard(
  procedure: Procedure,
  directory: Directory,
  raiser: Person,
  options: FormOptions = {},
): Record<string, unknown> {
  const { values = {}, errors = {}, problem, inline = false } = options;
  const agencies = directory.agencies
    .filter((a) => a.boards.includes(procedure.id) && a.id !== raiser.agency)
    .map((a) => ({ id: a.id, name: a.name }));
  const data = {
    board: shortNameOf(procedure),
    boardId: procedure.id,
    agencies,
    categories: categoriesOf(procedure),
    values: Object.fromEntries(FIELDS.map((f) => [f, values[f] ?? ''])),
    errors,
    inline,
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
]);

export function emergencyCard(procedure: Procedure, next: string): Record<string, unknown> {
  return cardTemplate('emergency').expand({
    $root: {
      guidance: procedure.immediateRisk.guidance,
      contacts: procedure.immediateRisk.contacts.map((c) => ({
        name: c.name,
        detail: [c.phone, c.email, c.note].filter(Boolean).join(' · '),
      })),
      next,
    },
  }) as Record<string, unknown>;
}
