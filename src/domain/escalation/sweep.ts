/**
 * What one sweep of a case records, as pure data: each timer due by now, in order, either fired
 * or skipped, so that a case swept after the bot was down gets no storm of messages:
 *
 * - a **reminder** whose deadline (or milestone due time) has already passed is skipped
 *   (`deadline-passed`): the nudge says it;
 * - of many missed **nudges** about one stage (its deadline's nudge and each repeat) or about one
 *   milestone, only the latest due by now is fired (with the ladder's audience as it is now); the
 *   earlier ones are skipped (`superseded`).
 *
 * Skipped timers are recorded (timer-skipped), so they are never due again.
 */
import type { WorkingCalendar } from '../calendar';
import { calendarFor } from './deadlines';
import { evolve } from './evolve';
import { SWEEPER, timersOf, type Timer } from './timers';
import type { CaseEvent, CaseState } from './types';

export type TimerFired = Extract<CaseEvent, { type: 'timer-fired' }>;
export type TimerSkipped = Extract<CaseEvent, { type: 'timer-skipped' }>;

/** Timers one sweep of a case records at most (a guard: a case owes a handful at a time). */
const MOST_A_SWEEP = 1000;
/** Passes over a case's due timers at most (one finds them all; the next, that nothing more is due). */
const MOST_ROUNDS = 5;

/** A reminder whose deadline (or milestone due time) has passed by `now`: moot, the nudge says it. */
export function isStaleReminder(timer: Timer, now: Date): boolean {
  const due = timer.deadline?.at ?? timer.milestone?.due;
  return timer.kind === 'reminder' && Boolean(due && new Date(due) <= now);
}

/** Nudges of one family stand for one another: those about a stage's limits, or about one milestone. */
function familyOf(timer: Timer): string | undefined {
  if (timer.kind !== 'nudge') return undefined;
  return timer.milestone ? `milestone:${timer.stage}/${timer.milestone.id}` : `stage:${timer.stage}`;
}

/** Every timer not yet fired (or skipped) that is due by `now`, stale reminders and every missed repeat too, earliest first. */
function unsettledDue(state: CaseState, now: Date, calendar: WorkingCalendar): Timer[] {
  const fired = new Set(state.timers?.fired ?? []);
  return timersOf(state, calendar, now).filter((t) => !fired.has(t.id) && new Date(t.at) <= now);
}

function skipped(timer: Timer, now: Date, reason: TimerSkipped['reason']): TimerSkipped {
  return {
    type: 'timer-skipped',
    at: now.toISOString(),
    by: SWEEPER,
    timer: timer.id,
    kind: timer.kind,
    stage: timer.stage,
    due: timer.at,
    reason,
  };
}

export interface CaseSweep {
  /** What to record, in order: timer-fired and timer-skipped events. */
  events: Array<TimerFired | TimerSkipped>;
  /** The case's state after them. */
  state: CaseState;
  /** The timers fired (in the order of their events), for their deliveries. */
  fired: Array<{ timer: Timer; event: TimerFired }>;
}

/**
 * The timers of a case due by `now`, each fired (`fire` builds its record: whom it goes to and
 * what it says) or skipped, with the state after them. Pure: `fire` must be too. Every repeat due
 * by now is in view at once, so a catch-up is one pass (and a second that finds nothing more).
 */
export function sweepTimers(
  state: CaseState,
  now: Date,
  fire: (state: CaseState, timer: Timer) => TimerFired,
  calendar: WorkingCalendar = calendarFor(state.procedure),
): CaseSweep {
  const events: CaseSweep['events'] = [];
  const fired: CaseSweep['fired'] = [];
  let current = state;
  for (let round = 0; round < MOST_ROUNDS; round++) {
    const due = unsettledDue(current, now, calendar);
    if (!due.length) break;
    // The latest nudge due of each family is the one that goes.
    const latest = new Map<string, Timer>();
    for (const t of due) {
      const family = familyOf(t);
      if (family) latest.set(family, t);
    }
    for (const timer of due) {
      if (events.length >= MOST_A_SWEEP) return { events, state: current, fired };
      const family = familyOf(timer);
      let event: TimerFired | TimerSkipped;
      if (isStaleReminder(timer, now)) event = skipped(timer, now, 'deadline-passed');
      else if (family && latest.get(family) !== timer) event = skipped(timer, now, 'superseded');
      else {
        event = fire(current, timer);
        fired.push({ timer, event });
      }
      events.push(event);
      current = evolve(current, event);
    }
  }
  return { events, state: current, fired };
}
