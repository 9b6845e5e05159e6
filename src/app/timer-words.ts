/**
 * A timer's record, as the deadline sweeper writes it: whom it goes to (each audience's role
 * holders today, a deputy for anyone away) and what it says (the case, the stage, the deadline in
 * words; a nudge also says how long it has been overdue).
 */
import type { Directory, Person } from '../domain/directory';
import { roleHolders } from '../domain/directory';
import { deadlineInWords as deadlineWords, timeInWords as timeWords } from '../domain/calendar';
import { calendarFor, stageById, SWEEPER, type CaseState, type Timer, type TimerFired } from '../domain/escalation';
import { shortNameOf } from '../domain/procedure';
import { audienceAgencies } from './people';

/**
 * The words for instants, remembered: a sweep writes the same few deadlines ("by 5pm Tuesday 24
 * November") for case after case, at one `now`. Exact: the key is everything the words depend on.
 */
const words = new Map<string, string>();
const MOST_WORDS = 2000;

function remembered(key: string, make: () => string): string {
  let found = words.get(key);
  if (found === undefined) {
    if (words.size >= MOST_WORDS) words.clear();
    found = make();
    words.set(key, found);
  }
  return found;
}

function deadlineInWords(instant: Date, timeZone: string, relativeTo: Date): string {
  return remembered(`d|${instant.getTime()}|${timeZone}|${relativeTo.getTime()}`, () =>
    deadlineWords(instant, timeZone, relativeTo),
  );
}

function timeInWords(instant: Date, timeZone: string): string {
  return remembered(`t|${instant.getTime()}|${timeZone}`, () => timeWords(instant, timeZone));
}

/** The record of a timer firing: whom it goes to (deputies for anyone away) and what it says. */
export function firedEvent(state: CaseState, timer: Timer, directory: Directory, now: Date): TimerFired {
  const recipients = recipientsOf(state, timer, directory, now);
  return {
    type: 'timer-fired',
    at: now.toISOString(),
    by: SWEEPER,
    timer: timer.id,
    kind: timer.kind,
    stage: timer.stage,
    due: timer.at,
    roles: [...new Set(timer.audience.flatMap((a) => a.roles))],
    recipients: recipients.map((p) => p.id),
    text: timerText(state, timer, now),
    outbox: true,
  };
}

/** How long a nudge's deadline has been passed, in working days, in plain words ('' on its first day). */
export function overdueWords(state: CaseState, timer: Timer, now: Date): string {
  const due = timer.milestone?.due ?? timer.deadline?.at;
  if (timer.kind !== 'nudge' || !due) return '';
  const days = calendarFor(state.procedure).workingDaysBetween(new Date(due), now);
  return days >= 1 ? ` It has been overdue for ${days} working day${days === 1 ? '' : 's'}.` : '';
}

/** The people a timer goes to: each audience's role holders today (a deputy for anyone away). */
export function recipientsOf(state: CaseState, timer: Timer, directory: Directory, now: Date): Person[] {
  const calendar = calendarFor(state.procedure);
  const on = calendar.localDate(now);
  const firstStage = state.stages.length === 1 && timer.stage === state.stages[0]?.id;
  const people = new Map<string, Person>();
  for (const a of timer.audience) {
    // A named person (the person who raised the concern), not role holders.
    if (a.personId) {
      const person = directory.people.find((p) => p.id === a.personId);
      if (person) people.set(person.id, person);
      continue;
    }
    // At the stage a case began, its reminders go to the two people named in it.
    if (firstStage && timer.kind === 'reminder' && !timer.milestone && a.party !== 'board') {
      const named = state[a.party].personId;
      const person = named ? directory.people.find((p) => p.id === named) : undefined;
      if (person) {
        people.set(person.id, person);
        continue;
      }
    }
    const agencies = audienceAgencies(directory, state.boardId, a.agencyId);
    for (const agencyId of agencies)
      for (const role of a.roles)
        for (const h of roleHolders(directory, agencyId, role, on)) people.set(h.person.id, h.person);
  }
  return [...people.values()];
}

/** What a reminder, nudge or notification says: the case, the stage, the deadline in words. */
export function timerText(state: CaseState, timer: Timer, now: Date): string {
  const { procedure } = state;
  const label = `${shortNameOf(procedure)} escalation ${state.reference}`;
  const stage = stageById(procedure, timer.stage);
  const stageName = stage ? `stage ${stage.number} (${stage.name})` : timer.stage;
  const tz = procedure.workingHours.timeZone;
  const d = timer.deadline;
  const deadline = d ? `${deadlineInWords(new Date(d.at), tz, now)} (“${d.phrase}”)` : '';
  switch (timer.kind) {
    case 'reminder': {
      const m = timer.milestone;
      if (m) {
        const calendar = calendarFor(procedure);
        const today = calendar.localDate(new Date(m.due)) === calendar.localDate(new Date(timer.at));
        const when = today ? `by ${timeInWords(new Date(m.due), tz)} today` : deadlineInWords(new Date(m.due), tz, now);
        return `Reminder: ${label}: “${m.label}” is due ${when} (“${m.phrase}”). Once it is done, record it on the case card.`;
      }
      // A reminder with no deadline: the review of a plan of action the agencies agreed.
      if (!timer.deadline && timer.about)
        return `Reminder: ${label} is at ${stageName}. Please review ${timer.about}. If it has not resolved the disagreement, escalate it.`;
      const calendar = calendarFor(procedure);
      const sameDay = d && calendar.localDate(new Date(d.at)) === calendar.localDate(new Date(timer.at));
      const due =
        timer.reminder === 'today' && d && sameDay
          ? `due by ${timeInWords(new Date(d.at), tz)} today (“${d.phrase}”)`
          : `due ${deadline}`;
      const what = d?.expects ? ` By then: ${d.expects}.` : '';
      return `Reminder: ${label} is at ${stageName}, which is ${due}.${what} Acknowledge it, resolve it or escalate it before then.`;
    }
    case 'nudge': {
      const m = timer.milestone;
      const overdue = overdueWords(state, timer, now);
      if (m)
        return `${label}: “${m.label}” was due ${deadlineInWords(new Date(m.due), tz, now)} (“${m.phrase}”) and has not been recorded${timer.repeat ? ' (reminder: still not recorded)' : ''}.${overdue} If it has been done, record it on the case card; if not, please see to it.`;
      const again = timer.repeat ? ' (reminder: still overdue)' : '';
      const guidance =
        timer.outOfHours && procedure.outOfHours ? ` Out of hours: ${procedure.outOfHours.guidance}` : '';
      const missed = d?.expects
        ? `. What was expected by then: ${d.expects}. That has not happened yet`
        : d?.kind === 'start-by'
          ? ' and has not yet been taken up by everyone it needs'
          : ' and has been neither resolved nor escalated';
      const climbed = timer.climbed
        ? ' The people nudged before have had as long as their own stage allows and have not acted, so it has come to you too.'
        : '';
      return `${label} has passed its deadline${again}: ${stageName} was due ${deadline}${missed}.${overdue}${climbed} You are among the people who act next under the procedure: if the next stage is yours, press Take it up on the card; if your approval is asked, give it or refuse it on the card; or speak to the people holding it.${guidance}`;
    }
    case 'notification': {
      const limit = timer.limit
        ? ` The procedure asks that you are told ${deadlineInWords(new Date(timer.limit.at), tz, now)}${timer.limit.phrase ? ` (“${timer.limit.phrase}”)` : ''}: this is that message.`
        : '';
      return `${label}: the procedure asks that you are told of ${timer.about ?? 'this'}. “${timer.phrase ?? ''}”${limit}`;
    }
  }
}
