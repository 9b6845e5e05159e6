/**
 * Raising a case: who may raise one under a procedure, the form checked (for the adult's identity
 * too), the stage it starts at, and the events that open it. Pure: no I/O, no clock, no platform.
 */
import type { WorkingCalendar } from '../calendar/working-calendar';
import { shortNameOf, type Procedure, type Stage } from '../procedure/schema';
import { calendarFor, stageById } from './deadlines';
import { evolve } from './evolve';
import { raiseFormWordProblems, type DecideOptions } from './free-text';
import { checkRaiseForm } from './raise-form';
import { caseReference } from './reference';
import { accept, deadlinesOnEntry, record, refuse, roleTitles } from './rules';
import type { CaseEvent, Decision, RaiseCommand, RaiseForm } from './types';

export function raise(
  procedure: Procedure,
  command: RaiseCommand,
  now: Date,
  calendar: WorkingCalendar = calendarFor(procedure),
  options: DecideOptions = {},
): Decision {
  const refused = whoMayRaise(procedure, command);
  if (refused) return refused;
  const form = checkRaiseForm(procedure, command.form);
  const named = raiseFormWordProblems(command.form, options.adult, now);
  if (Object.keys(named).length > 0)
    return refuse(
      'names-the-adult',
      "Some answers name the adult or give their details. Change them: the record keeps the adult's details privately.",
      { fields: { ...(form.ok ? {} : form.fields), ...named } },
    );
  if (!form.ok)
    return refuse('invalid-input', 'Some answers need changing before the escalation can be raised.', {
      fields: form.fields,
    });
  const concernAroseAt = command.concernAroseAt ?? now;
  if (Number.isNaN(concernAroseAt.getTime()) || concernAroseAt > now) {
    return refuse('invalid-input', 'The date the concern arose cannot be in the future.', {
      fields: { concernAroseAt: 'Give the date the concern arose: today or earlier.' },
    });
  }
  const urgent = command.immediateRisk && procedure.immediateRisk.onYes === 'urgent-path';
  const start = startStage(procedure, command, urgent);
  if ('ok' in start) return start;
  return accept(
    undefined,
    raisedEvents(procedure, command, form.form, { now, concernAroseAt, urgent, start, calendar }),
  );
}

/** A refusal when the actor may not raise this case under `procedure`: immediate risk, or the agencies. */
function whoMayRaise(procedure: Procedure, command: RaiseCommand): Decision | undefined {
  const { actor } = command;
  const guidance = { text: procedure.immediateRisk.guidance, contacts: procedure.immediateRisk.contacts };
  if (command.immediateRisk && procedure.immediateRisk.onYes === 'refuse') {
    return refuse(
      'immediate-risk',
      `This procedure is for disagreements where the adult is not at immediate risk. ${procedure.immediateRisk.guidance}`,
      { guidance },
    );
  }
  if (actor.boards && !actor.boards.includes(procedure.id)) {
    return refuse(
      'not-a-party',
      `Your agency does not work under ${procedure.name}, so you cannot raise an escalation under its procedure.`,
    );
  }
  if (command.respondingAgency.id === actor.agencyId) {
    return refuse(
      'not-allowed-here',
      'This procedure is for disagreements between agencies. For a disagreement inside your own agency, use its internal escalation policy.',
      {
        fields: { respondingAgency: 'Choose the other agency involved, not your own.' },
      },
    );
  }
  if (command.respondingAgency.boards && !command.respondingAgency.boards.includes(procedure.id)) {
    return refuse(
      'not-allowed-here',
      `The other agency does not work under ${procedure.name}. Choose an agency that does, or ask the board's business unit for help.`,
      {
        fields: { respondingAgency: `This agency is not a partner of ${shortNameOf(procedure)}.` },
      },
    );
  }
  return undefined;
}

/** The stage the case starts at: the first, or on the urgent path a later one its holder chose; or a refusal. */
function startStage(procedure: Procedure, command: RaiseCommand, urgent: boolean): Stage | Decision {
  const { actor } = command;
  const first = procedure.stages[0] as Stage;
  if (!command.startStage || command.startStage === first.id) return first;
  const chosen = stageById(procedure, command.startStage);
  if (!urgent || !procedure.urgentPath?.startAt.includes(command.startStage) || !chosen) {
    return refuse(
      'not-allowed-here',
      `A case starts at ${first.name}. Only on ${shortNameOf(procedure)}'s urgent path, where the adult is at risk of immediate harm, can it start at a later stage.`,
      {
        fields: { startStage: 'Start at the first stage.' },
      },
    );
  }
  const needed = chosen.sides?.raising ?? [];
  if (!actor.roles.some((r) => needed.includes(r))) {
    return refuse(
      'not-your-role',
      `To start at ${chosen.name} you must be a ${roleTitles(procedure, needed)}. Ask them to raise it, or start at ${first.name}.`,
    );
  }
  return chosen;
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
    },
  };
  const events: CaseEvent[] = [raised];
  if (urgent) {
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
