/**
 * Raising a case: who may raise one under a procedure, the form checked (for the adult's identity
 * too), the stage it starts at, and the events that open it. Pure: no I/O, no clock, no platform.
 */
import { isLocalDate } from '../calendar/local-date';
import type { WorkingCalendar } from '../calendar/working-calendar';
import { instantToZoned, minutesOfTime, zonedToInstant } from '../calendar/zone';
import { shortNameOf, type Procedure, type Stage } from '../procedure/schema';
import { calendarFor, stageById } from './deadlines';
import { evolve } from './evolve';
import { raiseFormWordProblems, type DecideOptions } from './free-text';
import { checkRaiseForm } from './raise-form';
import { caseReference } from './reference';
import { accept, deadlinesOnEntry, record, refuse, roleTitles } from './rules';
import type { CaseEvent, Decision, RaiseCommand, RaiseForm } from './types';

/** The words above a form refused for its answers, on every platform: each problem is beside its question. */
export const SOME_ANSWERS =
  'Some answers need changing before the escalation can be raised: each is marked beside its question.';

export function raise(
  procedure: Procedure,
  command: RaiseCommand,
  now: Date,
  calendar: WorkingCalendar = calendarFor(procedure),
  options: DecideOptions = {},
): Decision {
  const refused = whoMayRaise(procedure, command);
  if (refused) return refused;
  const fields = raiseProblems(procedure, command, now, options.adult);
  const form = checkRaiseForm(procedure, command.form);
  if (!form.ok || Object.keys(fields).length > 0) return refuseForm(procedure, command, fields, now, options);
  const concernAroseAt = command.concernAroseAt ?? now;
  if (Number.isNaN(concernAroseAt.getTime()) || concernAroseAt > now) {
    return refuse('invalid-input', 'The date the concern arose cannot be in the future.', {
      fields: { concernAroseAt: CONCERN_AROSE_RULE },
    });
  }
  if (concernAroseAt.getTime() < now.getTime() - OLDEST_CONCERN_MS) {
    return refuse('invalid-input', 'The date the concern arose is more than a year ago.', {
      fields: { concernAroseAt: CONCERN_AROSE_RULE },
    });
  }
  const urgent = command.immediateRisk && procedure.immediateRisk?.onYes === 'urgent-path';
  const start = startStage(procedure, command, urgent);
  if ('ok' in start) return start;
  return accept(
    undefined,
    raisedEvents(procedure, command, form.form, { now, concernAroseAt, urgent, start, calendar }),
  );
}

/** A refusal when the actor may not raise a case under `procedure`: immediate risk, or not their board. */
function whoMayRaise(procedure: Procedure, command: RaiseCommand): Decision | undefined {
  const { actor } = command;
  const risk = procedure.immediateRisk;
  if (command.immediateRisk && risk?.onYes === 'refuse') {
    return refuse(
      'immediate-risk',
      `This procedure is for disagreements where the adult is not at immediate risk. ${risk.guidance}`,
      { guidance: { text: risk.guidance, contacts: risk.contacts } },
    );
  }
  if (actor.boards && !actor.boards.includes(procedure.id)) {
    return refuse(
      'not-a-party',
      `Your agency does not work under ${procedure.name}, so you cannot raise an escalation under its procedure.`,
    );
  }
  return undefined;
}

/** What the form's problems come to: the adult named, the wrong agency, or answers to change. */
function refuseForm(
  procedure: Procedure,
  command: RaiseCommand,
  fields: Record<string, string>,
  now: Date,
  options: DecideOptions,
): Decision {
  if (Object.keys(raiseFormWordProblems(command.form, options.adult, now)).length > 0)
    return refuse(
      'names-the-adult',
      "Some answers name the adult or give their details. Change them: the record keeps the adult's details privately.",
      { fields },
    );
  if (command.respondingAgency.id === command.actor.agencyId)
    return refuse(
      'not-allowed-here',
      'This procedure is for disagreements between agencies. For a disagreement inside your own agency, use its internal escalation policy.',
      { fields },
    );
  if (fields.respondingAgency)
    return refuse(
      'not-allowed-here',
      `The other agency does not work under ${procedure.name}. Choose an agency that does, or ask the board's business unit for help.`,
      { fields },
    );
  return refuse('invalid-input', SOME_ANSWERS, { fields });
}

/**
 * Every problem with a raising form's answers, for every field at once, in the words each
 * platform shows beside the field (keyed as the core names fields: "summary",
 * "recordNumbers.raising"): the other agency, each answer's own rule, and any words naming the
 * adult or giving their details (which take the place of a field's other problem).
 */
export function raiseProblems(
  procedure: Procedure,
  command: Pick<RaiseCommand, 'actor' | 'respondingAgency' | 'form'>,
  now: Date,
  adult?: DecideOptions['adult'],
): Record<string, string> {
  const problems: Record<string, string> = {};
  const other = command.respondingAgency;
  if (other.id === command.actor.agencyId)
    problems.respondingAgency = 'Please choose the other agency involved, not your own.';
  else if (other.boards && !other.boards.includes(procedure.id))
    problems.respondingAgency = `This agency does not work under ${procedure.name}: please choose one that does.`;
  const form = checkRaiseForm(procedure, command.form);
  return { ...problems, ...(form.ok ? {} : form.fields), ...raiseFormWordProblems(command.form, adult, now) };
}

/** The stage the case starts at: the first, or on the urgent path a later one its holder chose; or a refusal. */
function startStage(procedure: Procedure, command: RaiseCommand, urgent: boolean): Stage | Decision {
  const first = procedure.stages[0] as Stage;
  const problem = startStageProblem(procedure, command, urgent);
  if (problem)
    return refuse(problem.code, problem.message, problem.code === 'not-allowed-here' ? { fields: problem.fields } : {});
  if (!command.startStage) return first;
  return stageById(procedure, command.startStage) ?? first;
}

/**
 * What is wrong with the stage chosen to start at, if anything: on the board's urgent path
 * (North Somerset: "discretion should be used as to which stage is initiated") a case may start
 * at any stage of `urgentPath.startAt`, by someone holding a role that raises at that stage.
 */
export function startStageProblem(
  procedure: Procedure,
  command: Pick<RaiseCommand, 'actor' | 'startStage'>,
  urgent: boolean,
): { code: 'not-allowed-here' | 'not-your-role'; message: string; fields: Record<string, string> } | undefined {
  const { actor } = command;
  const first = procedure.stages[0] as Stage;
  if (!command.startStage || command.startStage === first.id) return undefined;
  const chosen = stageById(procedure, command.startStage);
  if (!urgent || !procedure.urgentPath?.startAt.includes(command.startStage) || !chosen) {
    return {
      code: 'not-allowed-here',
      message: `A case starts at ${first.name}. Only on ${shortNameOf(procedure)}'s urgent path, where the adult is at risk of immediate harm, can it start at a later stage.`,
      fields: { startStage: 'Start at the first stage.' },
    };
  }
  const needed = chosen.sides?.raising ?? [];
  if (!actor.roles.some((r) => needed.includes(r))) {
    const message = `To start at ${chosen.name} you must be a ${roleTitles(procedure, needed)}. Ask them to raise it, or start at ${first.name}.`;
    return { code: 'not-your-role', message, fields: { startStage: message } };
  }
  return undefined;
}

/**
 * The stages a case on the urgent path may start at, first stage first, where the board leaves
 * the choice to the person raising (more than one); empty where there is no choice.
 */
export function startStageChoices(procedure: Procedure): Stage[] {
  const first = procedure.stages[0];
  if (!first || !procedure.urgentPath) return [];
  const ids = new Set([first.id, ...procedure.urgentPath.startAt]);
  const stages = procedure.stages.filter((s) => ids.has(s.id));
  return stages.length > 1 ? stages : [];
}

/** The words beside the raising form's date when it is not a date of today or earlier, on every platform. */
export const CONCERN_AROSE_RULE = 'Give the date the concern arose: today or earlier, within the last year.';

/**
 * How far back the date the concern arose may go: a year. Every limit counts from it, so a year
 * typed wrong (2016 for 2026) would open the case long overdue and nudge every tier up to the board.
 */
const OLDEST_CONCERN_MS = 366 * 24 * 3_600_000;

/**
 * When the concern arose, from the raising form's date ('YYYY-MM-DD', in the board's time zone):
 * Cheshire East counts its day numbers and its 24 hours "from CONCERN ARISING". Empty or today
 * is now (the moment of raising); an earlier date is the start of that day's working hours, the
 * earliest working time the concern can have arisen on that date. A date that is not one, or is
 * in the future, is refused.
 */
export function concernAroseFrom(
  procedure: Procedure,
  date: string | undefined,
  now: Date,
): { ok: true; at: Date } | { ok: false; problem: string } {
  const text = date?.trim() ?? '';
  if (!text) return { ok: true, at: now };
  const { timeZone, start } = procedure.workingHours;
  if (!isLocalDate(text)) return { ok: false, problem: CONCERN_AROSE_RULE };
  const today = instantToZoned(now, timeZone).date;
  if (text > today) return { ok: false, problem: CONCERN_AROSE_RULE };
  if (text === today) return { ok: true, at: now };
  const at = zonedToInstant(text, minutesOfTime(start), timeZone);
  if (at.getTime() < now.getTime() - OLDEST_CONCERN_MS) return { ok: false, problem: CONCERN_AROSE_RULE };
  return { ok: true, at: at > now ? now : at };
}

/** The events that open the case: raised, the guidance given on the urgent path, the first stage entered. */
function raisedEvents(
  procedure: Procedure,
  command: RaiseCommand,
  form: RaiseForm,
  opening: { now: Date; concernAroseAt: Date; urgent: boolean; start: Stage; calendar: WorkingCalendar },
): CaseEvent[] {
  const { actor } = command;
  const { now, urgent, start, calendar } = opening;
  const at = now.toISOString();
  const year = Number(calendar.localDate(now).slice(0, 4));
  const by = record(actor, 'raising', actor.roles);
  const raised: CaseEvent = {
    type: 'case-raised',
    at,
    by,
    reference: caseReference(procedure.referencePrefix, year, command.sequence),
    boardId: procedure.id,
    procedure,
    concernAroseAt: opening.concernAroseAt.toISOString(),
    urgent,
    raising: { agencyId: actor.agencyId, personId: actor.personId },
    responding: {
      agencyId: command.respondingAgency.id,
      ...(command.respondingPersonId ? { personId: command.respondingPersonId } : {}),
    },
    subject: { initials: form.initials, recordNumbers: form.recordNumbers ?? {} },
    concern: {
      category: form.category,
      summary: form.summary,
      outcomeWanted: form.outcomeWanted,
      safetyMeanwhile: form.safetyMeanwhile,
      ...(form.adultWishes ? { adultWishes: form.adultWishes } : {}),
    },
  };
  const events: CaseEvent[] = [raised];
  if (urgent && procedure.immediateRisk) {
    events.push({
      type: 'immediate-risk-guidance-given',
      at,
      by,
      guidance: procedure.immediateRisk.guidance,
      contacts: procedure.immediateRisk.contacts.map((c) => [c.name, c.phone, c.email].filter(Boolean).join(' ')),
    });
  }
  const state = evolve(undefined, raised);
  events.push({
    type: 'stage-entered',
    at,
    by,
    stage: start.id,
    number: start.number,
    via: 'raised',
    deadlines: deadlinesOnEntry(state, start, now, calendar),
  });
  return events;
}
