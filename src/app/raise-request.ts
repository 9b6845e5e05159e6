/**
 * The raising form's answers, as every platform collects them, turned into the command the core
 * decides; the directory checks (which agency, who the counterpart is) are made here, with each
 * problem named against its field.
 */
import type { Directory } from '../domain/directory';
import { raiseFormWordProblems, type RaiseCommand } from '../domain/escalation';
import type { RaiseRequest } from './case-service';

export const FIELDS = [
  'immediateRisk',
  'respondingAgency',
  'counterpartEmail',
  'initials',
  'recordRaising',
  'recordResponding',
  'category',
  'summary',
  'outcomeWanted',
  'safetyMeanwhile',
] as const;
export type Field = (typeof FIELDS)[number];
export type Submitted = Partial<Record<Field, string>> & { board?: string };

/** The command the dialog's answers make, or the field problems found before the core is asked. */
export function raiseRequestFrom(
  procedure: { id: string },
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
    if (!person)
      errors.counterpartEmail =
        'Nobody with this email is in the directory; leave it empty and the other agency will pick it up.';
    else if (agency && person.agency !== agency.id)
      errors.counterpartEmail = `${person.name} works at another agency, not ${agency.name}.`;
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

/** A core refusal's field names ("recordNumbers.raising") as the form's fields ("recordRaising"). */
export function formFieldOf(field: string): string {
  if (field === 'recordNumbers.raising') return 'recordRaising';
  if (field === 'recordNumbers.responding') return 'recordResponding';
  if (field.startsWith('recordNumbers')) return 'recordRaising';
  if (field === 'respondingPersonId') return 'counterpartEmail';
  return field;
}

/**
 * The form's fields whose words name the adult or give their details, keyed as the form names
 * them: the shapes of a date of birth or a postcode (no details of the adult come with this form).
 * Asked even when the form is refused for another reason, so such words are never shown again.
 */
export function wordProblemsOf(values: Submitted, now: Date): Record<string, string> {
  const form = {
    initials: values.initials ?? '',
    recordNumbers: { raising: values.recordRaising ?? '', responding: values.recordResponding ?? '' },
    summary: values.summary ?? '',
    outcomeWanted: values.outcomeWanted ?? '',
    safetyMeanwhile: values.safetyMeanwhile ?? '',
  };
  return Object.fromEntries(
    Object.entries(raiseFormWordProblems(form, undefined, now)).map(([k, v]) => [formFieldOf(k), v]),
  );
}
