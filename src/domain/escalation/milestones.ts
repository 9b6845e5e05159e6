/**
 * Milestones a stage's file lists, recorded on the card as they happen: a meeting's date set, the
 * meeting held, its minutes sent, an outcome letter. Each may have a limit of its own, running
 * from the stage's start or end, from the concern being raised, or from another milestone
 * ("minutes within 15 working days" of the meeting); one that `outlives` its stage can still be
 * recorded after the stage has ended, and after the case has closed. Pure.
 */
import type { WorkingCalendar } from '../calendar/working-calendar';
import type { Milestone } from '../procedure/schema';
import { isLocalDate } from '../calendar/local-date';
import { stageById, timescaleInstant } from './deadlines';
import { latestDateAhead } from './agreements';
import { accept, needWords, partyOf, record, refuse, roleTitles } from './rules';
import type { Actor, CaseState, Deadline, Decision, Party, StageRecord } from './types';

export interface OwedMilestone {
  stage: string;
  milestone: Milestone;
  /** When it is due (ISO instant), where it has a limit whose starting point has happened. */
  due?: string;
}

/** When a recorded milestone happened: the date it gives (a meeting's date), or when it was recorded. */
function happenedAt(state: CaseState, stage: string, id: string, calendar: WorkingCalendar): Date | undefined {
  const done = state.milestones?.find((m) => m.stage === stage && m.id === id);
  if (!done) return undefined;
  return done.date ? calendar.startOfWorkingDay(calendar.workingDayOnOrAfter(done.date)) : new Date(done.at);
}

function dueOf(state: CaseState, rec: StageRecord, m: Milestone, calendar: WorkingCalendar): string | undefined {
  if (!m.within) return undefined;
  const from = m.within.from;
  const start =
    from === 'raised'
      ? new Date(state.concernAroseAt)
      : from === 'stage-start'
        ? new Date(rec.startedAt)
        : from === 'stage-end'
          ? rec.endedAt
            ? new Date(rec.endedAt)
            : undefined
          : happenedAt(state, rec.id, from.milestone, calendar);
  return start ? timescaleInstant(m.within, start, state.procedure, calendar).toISOString() : undefined;
}

/**
 * The milestones the case still owes, earliest due first: those of the stage under way, and those
 * of earlier stages (or of a closed case) that outlive their stage.
 */
export function owedMilestones(state: CaseState, calendar: WorkingCalendar): OwedMilestone[] {
  const current = state.stages[state.stages.length - 1];
  const owed: OwedMilestone[] = [];
  for (const rec of state.stages) {
    const stage = stageById(state.procedure, rec.id);
    const live = rec === current && state.status === 'open';
    for (const m of stage?.milestones ?? []) {
      const settledHere = rec.ended === 'resolved' || rec.ended === 'decided';
      if (m.afterResolution ? !settledHere : !live && !m.outlives) continue;
      if (state.milestones?.some((d) => d.stage === rec.id && d.id === m.id)) continue;
      const due = dueOf(state, rec, m, calendar);
      owed.push({ stage: rec.id, milestone: m, ...(due ? { due } : {}) });
    }
  }
  // Those with a limit first, earliest first; the rest in the file's order.
  const key = (o: OwedMilestone): string => o.due ?? '9999';
  return owed.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The milestones `actor` may record now, in the order the file lists them (earlier stages first). */
export function milestonesFor(state: CaseState, actor: Actor, calendar: WorkingCalendar): OwedMilestone[] {
  const order = (o: OwedMilestone): number => state.stages.findIndex((s) => s.id === o.stage);
  return owedMilestones(state, calendar)
    .filter((o) => actor.roles.some((r) => o.milestone.by.includes(r)))
    .sort((a, b) => order(a) - order(b));
}

export function recordMilestone(
  state: CaseState,
  command: { actor: Actor; milestone?: string; note: string; date?: string },
  now: Date,
  calendar: WorkingCalendar,
  words: Parameters<typeof needWords>[0]['words'],
): Decision {
  const mine = milestonesFor(state, command.actor, calendar);
  const owed = owedMilestones(state, calendar);
  const wanted = command.milestone ? owed.find((o) => o.milestone.id === command.milestone) : (mine[0] ?? owed[0]);
  if (!wanted)
    return refuse(
      state.status === 'open' ? 'nothing-to-decide' : 'case-closed',
      state.status === 'open'
        ? 'Nothing is waiting to be recorded at this stage.'
        : `Case ${state.reference} is closed and nothing more is owed on it.`,
    );
  const roles = command.actor.roles.filter((r) => wanted.milestone.by.includes(r));
  if (roles.length === 0)
    return refuse(
      'not-your-role',
      `Only the ${roleTitles(state.procedure, wanted.milestone.by)} can record "${wanted.milestone.label}".`,
    );
  const stage = stageById(state.procedure, wanted.stage);
  if (!stage) throw new Error(`case ${state.reference} has no stage ${wanted.stage}`);
  const ctx = {
    state,
    stage,
    side: partyOf(state, command.actor),
    actor: command.actor,
    at: now.toISOString(),
    now,
    calendar,
    words,
  };
  const invalid = needWords(ctx, command.note, `what was done for "${wanted.milestone.label}"`, 'note', 'note');
  if (invalid) return invalid;
  const date = command.date?.trim() ?? '';
  if (wanted.milestone.date && !isLocalDate(date)) {
    const message = `Please give the date for "${wanted.milestone.label}", like 2026-04-10.`;
    return refuse('invalid-input', message, { fields: { date: message } });
  }
  // A date from the day the concern arose to a year ahead (a meeting is not set before the case, nor years off).
  if (wanted.milestone.date) {
    const earliest = calendar.localDate(new Date(state.concernAroseAt));
    const latest = latestDateAhead(calendar.localDate(now));
    const message =
      date < earliest
        ? `The date for "${wanted.milestone.label}" cannot be before the concern arose (${earliest}).`
        : date > latest
          ? `Please give a date for "${wanted.milestone.label}" within a year, no later than ${latest}.`
          : undefined;
    if (message) return refuse('invalid-input', message, { fields: { date: message } });
  }
  const party: Party = ctx.side ?? 'board';
  // The stage's limits that run from this milestone ("minutes within 15 working days" of the meeting).
  const current = state.stages[state.stages.length - 1];
  const happened = wanted.milestone.date ? calendar.startOfWorkingDay(calendar.workingDayOnOrAfter(date)) : now;
  const deadlines: Deadline[] =
    state.status === 'open' && current?.id === stage.id
      ? stage.timescales
          .filter(
            (t) => typeof t.from === 'object' && 'milestone' in t.from && t.from.milestone === wanted.milestone.id,
          )
          .map((t) => ({
            kind: t.kind,
            stage: stage.id,
            at: timescaleInstant(t, happened, state.procedure, calendar).toISOString(),
            phrase: t.phrase,
            source: 'procedure' as const,
            ...(t.expects ? { expects: t.expects } : {}),
          }))
      : [];
  return accept(state, [
    {
      type: 'milestone-recorded',
      at: ctx.at,
      by: record(command.actor, party, roles),
      stage: wanted.stage,
      milestone: wanted.milestone.id,
      note: command.note.trim(),
      ...(wanted.milestone.date ? { date } : {}),
      ...(deadlines.length ? { deadlines } : {}),
    },
  ]);
}
