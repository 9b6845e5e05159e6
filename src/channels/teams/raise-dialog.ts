/**
 * The raising form as a Teams dialog: what it offers (the other agencies under the board, the
 * kinds of disagreement), what was typed, and each field's problem, shown where it belongs.
 */
import { categoriesOf, type RaiseCommand } from '../../domain/escalation';
import type { Directory, Person } from '../../domain/directory';
import { shortNameOf, type Procedure } from '../../domain/procedure';
import type { RaiseRequest } from '../../app/case-service';
import { cardTemplate } from './stage-card';

export const FIELDS = ['immediateRisk', 'respondingAgency', 'counterpartEmail', 'initials', 'recordRaising', 'recordResponding', 'category', 'summary', 'outcomeWanted', 'safetyMeanwhile'] as const;
export type Field = (typeof FIELDS)[number];
export type Submitted = Partial<Record<Field, string>> & { board?: string };

export interface FormOptions {
  values?: Submitted;
  errors?: Record<string, string>;
  problem?: string;
  /** In the chat itself (Action.Execute), for clients that cannot open dialogs. */
  inline?: boolean;
}

export function raiseFormCard(procedure: Procedure, directory: Directory, raiser: Person, options: FormOptions = {}): Record<string, unknown> {
  const { values = {}, errors = {}, problem, inline = false } = options;
  const agencies = directory.agencies.filter((a) => a.boards.includes(procedure.id) && a.id !== raiser.agency).map((a) => ({ id: a.id, name: a.name }));
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

/** The command the dialog's answers make, or the field problems found before the core is asked. */
export function raiseRequestFrom(
  procedure: Procedure,
  directory: Directory,
  raiser: { actor: RaiseCommand['actor'] },
  values: Submitted,
  idempotencyKey: string,
): { ok: true; request: RaiseRequest } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const agency = directory.agencies.find((a) => a.id === values.respondingAgency);
  if (!agency) errors.respondingAgency = 'Choose the other agency from the list.';
  let respondingPersonId: string | undefined;
  const email = values.counterpartEmail?.trim().toLowerCase();
  if (email) {
    const person = directory.people.find((p) => p.email.toLowerCase() === email);
    if (!person) errors.counterpartEmail = 'Nobody with this email is in the directory; leave it empty and the other agency will pick it up.';
    else if (agency && person.agency !== agency.id) errors.counterpartEmail = `${person.name} works at another agency, not ${agency.name}.`;
    else respondingPersonId = person.id;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    request: {
      boardId: procedure.id,
      idempotencyKey,
      command: {
        type: 'raise',
        actor: raiser.actor,
        immediateRisk: values.immediateRisk === 'yes',
        respondingAgency: { id: agency?.id ?? '', boards: agency?.boards ?? [] },
        ...(respondingPersonId ? { respondingPersonId } : {}),
        form: {
          initials: values.initials ?? '',
          recordNumbers: { raising: values.recordRaising ?? '', responding: values.recordResponding ?? '' },
          category: values.category ?? '',
          summary: values.summary ?? '',
          outcomeWanted: values.outcomeWanted ?? '',
          safetyMeanwhile: values.safetyMeanwhile ?? '',
        },
      },
    },
  };
}

export function emergencyCard(procedure: Procedure, next: string): Record<string, unknown> {
  return cardTemplate('emergency').expand({
    $root: {
      guidance: procedure.immediateRisk.guidance,
      contacts: procedure.immediateRisk.contacts.map((c) => ({ name: c.name, detail: [c.phone, c.email, c.note].filter(Boolean).join(' · ') })),
      next,
    },
  }) as Record<string, unknown>;
}
