/**
 * The raising form as a Teams dialog: what it offers (the other agencies under the board, the
 * kinds of disagreement), what was typed, and each field's problem, shown where it belongs.
 */
import { categoriesOf } from '../../domain/escalation';
import type { Directory, Person } from '../../domain/directory';
import { shortNameOf, type Procedure } from '../../domain/procedure';
import { cardTemplate } from './stage-card';

import { FIELDS, type Submitted } from '../../app/raise-request';

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
