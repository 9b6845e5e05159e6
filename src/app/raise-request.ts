/**
 * The raising form's answers, as every platform collects them, turned into the command the core
 * decides; every problem with them (the directory's and the core's) is found at once, each named
 * against its field.
 */
import type { Directory } from '../domain/directory';
import {
  concernAroseFrom,
  raiseFormWordProblems,
  raiseProblems,
  startStageChoices,
  startStageProblem,
  type RaiseCommand,
} from '../domain/escalation';
import type { Procedure } from '../domain/procedure';
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
  'adultWishes',
  /** When the concern arose: a date 'YYYY-MM-DD', today or earlier (empty: today). */
  'concernAroseAt',
  /** On the board's urgent path, where it leaves the choice: the stage to start at (empty: the first). */
  'startStage',
] as const;
export type Field = (typeof FIELDS)[number];
export type Submitted = Partial<Record<Field, string>> & { board?: string };

/** A raising form's answers as the command the core decides, or every problem with them at once. */
export type CheckedRaising = { ok: true; request: RaiseRequest } | { ok: false; errors: Record<string, string> };

/**
 * The command the form's answers make, or every problem with them, for every field at once and
 * keyed as the form names them ("recordRaising"): the directory's (which agency, who the
 * counterpart is) and the core's own (each answer's rule, words naming the adult), in the same
 * words on every platform. Nothing is stored either way.
 */
export function raiseRequestFrom(
  procedure: Procedure,
  directory: Directory,
  raiser: { actor: RaiseCommand['actor'] },
  values: Submitted,
  idempotencyKey: string,
  now: Date,
): CheckedRaising {
  const errors: Record<string, string> = {};
  const agency = directory.agencies.find((a) => a.id === values.respondingAgency);
  if (!agency) errors.respondingAgency = 'Please choose the other agency from the list.';
  let respondingPersonId: string | undefined;
  const email = values.counterpartEmail?.trim().toLowerCase();
  if (email) {
    const person = directory.people.find((p) => p.email.toLowerCase() === email);
    if (!person)
      errors.counterpartEmail =
        'Nobody with this email has used the bot yet; leave it empty and the other agency will be told and can pass the case to them.';
    else if (agency && person.agency !== agency.id)
      errors.counterpartEmail = `${person.name} works at another agency, not ${agency.name}.`;
    else respondingPersonId = person.id;
  }
  const arose = concernAroseFrom(procedure, values.concernAroseAt, now);
  if (!arose.ok) errors.concernAroseAt = arose.problem;
  const startStage = values.startStage?.trim() || undefined;
  const command: RaiseRequest['command'] = {
    type: 'raise',
    actor: raiser.actor,
    immediateRisk: values.immediateRisk === 'yes',
    ...(arose.ok && values.concernAroseAt?.trim() ? { concernAroseAt: arose.at } : {}),
    ...(startStage ? { startStage } : {}),
    respondingAgency: { id: agency?.id ?? '', boards: agency?.boards ?? [] },
    ...(respondingPersonId ? { respondingPersonId } : {}),
    form: {
      initials: values.initials ?? '',
      recordNumbers: { raising: values.recordRaising ?? '', responding: values.recordResponding ?? '' },
      category: values.category ?? '',
      summary: values.summary ?? '',
      outcomeWanted: values.outcomeWanted ?? '',
      safetyMeanwhile: values.safetyMeanwhile ?? '',
      ...(values.adultWishes?.trim() ? { adultWishes: values.adultWishes } : {}),
    },
  };
  const urgent = command.immediateRisk && procedure.immediateRisk?.onYes === 'urgent-path';
  const start = startStageProblem(procedure, command, urgent);
  if (start) errors.startStage = start.fields.startStage ?? start.message;
  for (const [field, problem] of Object.entries(raiseProblems(procedure, command, now)))
    errors[formFieldOf(field)] ??= problem;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, request: { boardId: procedure.id, idempotencyKey, command } };
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
    adultWishes: values.adultWishes ?? '',
  };
  return Object.fromEntries(
    Object.entries(raiseFormWordProblems(form, undefined, now)).map(([k, v]) => [formFieldOf(k), v]),
  );
}

/** What follows the answer to the board's question about immediate risk, in the same words on every platform. */
export const IMMEDIATE_RISK = {
  /** The question left unanswered. */
  unanswered: 'Please answer yes or no: the rest of the form comes next.',
  /** On a board whose procedure is not for immediate risk; `again` says how to start again ("with /escalate"). */
  refused: (again: string): string =>
    `No escalation has been opened: this procedure is not for an adult at immediate risk. Make the calls you need now, using the contacts above. Once the adult is safe, you can raise the disagreement ${again}.`,
  /** On a board's urgent path, before the form. */
  urgent:
    'If the adult is in danger now, make the calls you need first. Then go on to the form: the escalation will be marked urgent, and these contacts stay at the top of it.',
  /** At the top of the form on the urgent path. */
  onForm: 'Marked urgent: the adult is at immediate risk of harm. The contacts, if you need them now:',
  goOn: 'Go on to the form',
} as const;

/** The raising form's questions beyond the disagreement itself, in the same words on every platform. */
export const RAISE_QUESTIONS = {
  concernAroseAt: {
    label: 'When the concern arose',
    hint: "Today or earlier. The procedure's timescales count from the day the concern arose.",
  },
  adultWishes: {
    label: "The adult's own wishes and desired outcomes (optional)",
    placeholder: 'What the adult wants to happen, in their words if you can (no names)',
  },
  startStage: {
    label: 'Which stage to start at',
    hint: 'The board leaves this to you when the adult is at immediate risk: choose the stage that fits, or start at the first.',
  },
} as const;

/** The stages a case may start at on the urgent path, as the form offers them (none where there is no choice). */
export function startStageOptions(procedure: Procedure): { value: string; title: string }[] {
  return startStageChoices(procedure).map((s) => ({ value: s.id, title: s.name }));
}
