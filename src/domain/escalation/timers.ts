/**
 * Deadlines that act: the reminders, nudges and notifications a case is owed, as pure data with
 * deterministic ids, so that any number of sweepers agree on what is due and none fires the same
 * timer twice (a fired timer is an event on the case).
 *
 * Readings (DOMAIN.md and each board's `defaults`):
 * - A **reminder** goes to the current stage's role holders on both sides at the start of the
 *   working day `reminder.workingDaysBefore` working days before the deadline's day (default 1),
 *   and on the morning of the deadline's day itself ("due by 5pm today"), each if it is after
 *   the stage began: a case raised late still gets one.
 * - A **nudge** goes to whoever must act next under the file when a deadline passes with the
 *   stage neither resolved nor escalated: the next stage's role holders on both sides and the
 *   approvers the file names for that step (`approvedBy`); at the last stage, its own holders.
 *   Outside working hours it waits for the next working time, except on an urgent path that the
 *   board sends out of hours, where it goes at once with the out-of-hours guidance.
 * - While overdue it is **repeated** at the start of each working day (every 24 hours on an
 *   urgent path), unless the board's file says `repeatWhileOverdue: never`; and it **climbs**:
 *   once the next tier has had as long as its own stage's timescale (or the board default)
 *   without acting, the tier above is nudged too, and so on up to the last stage.
 * - **Notifications** a stage obliges (Luton: the line manager's own safeguarding lead; North
 *   Somerset: the Board Business Manager) go when the stage starts (`stage-start`, or
 *   `escalated` when it was reached by escalation), when it fails (`unresolved`: escalated
 *   onward from it, or its limit passed with it open) and when the case closes (`outcome`,
 *   `resolved`). `own-agency` is the agency of the side whose act began the stage.
 * - Each limit's timers are named by its kind and stage; a second limit of the same kind on the
 *   same stage gets ".2" (and so on), the first keeping its name.
 * - A **milestone** owed with a limit (minutes, an outcome letter) is reminded of on the morning
 *   it is due and nudged once when it passes, to the roles that record it, even after the case
 *   has closed; its timers are named by the milestone.
 */
import type { WorkingCalendar } from '../calendar';
import { calendarFor, nextStage, stageById, timescaleInstant } from './deadlines';
import { ladderOf, reachedOn, rolesAudience, sidesAudience, type Audience } from './ladder';
import { owedMilestones } from './milestones';
import { nextWorking, reminderTimes, repeatAt } from './timer-times';
import { pendingDeadlines, planHoldsUntil } from './rules';
import type { ActorRecord, CaseState, Deadline, Side, StageRecord } from './types';

export { allowanceOf, type Audience } from './ladder';

export const SWEEPER_ID = 'deadline-sweeper';

/** Who the sweeper is on the record. */
export const SWEEPER: ActorRecord = { personId: SWEEPER_ID, agencyId: 'bot', party: 'outside', roles: [] };

export type TimerKind = 'reminder' | 'nudge' | 'notification';

export interface Timer {
  id: string;
  kind: TimerKind;
  /** When it is due (ISO instant). */
  at: string;
  stage: string;
  deadline?: Deadline;
  /** For a reminder: the working day before the deadline's day, or the morning of the day itself. */
  reminder?: 'day-before' | 'today';
  /** 0 for the nudge at the deadline, then 1, 2… for each repeat. */
  repeat?: number;
  /** For a nudge: how many tiers above the next one it has climbed to (0: the next tier only). */
  climbed?: number;
  audience: Audience[];
  /** Sent outside working hours on an urgent path: the out-of-hours guidance goes with it. */
  outOfHours: boolean;
  /** For a notification: what it is about, in the procedure's words. */
  about?: string;
  phrase?: string;
  /** For a notification the procedure asks for within a time: that limit (met by sending it now). */
  limit?: { at: string; phrase?: string };
  /** For a reminder or nudge about a milestone the case owes ("minutes within 15 working days"): which, and when due. */
  milestone?: { id: string; label: string; due: string; phrase: string };
}

/** How many repeats ahead of the last fired one are planned (the next is all a sweeper needs). */
const LOOKAHEAD = 1;

/** The side whose act began a stage: the side that asked to escalate; at raising, the raising side. */
function sideThatEntered(record: StageRecord): Side {
  return record.enteredBy ?? 'raising';
}

/** Every timer the case is owed now and next, whether fired or not, earliest first. */
/**
 * Every timer the case is owed now, earliest first. Repeats are planned up to the one after the
 * last fired; with a `horizon`, also every repeat due by then (so a catch-up sees them all at once).
 */
export function timersOf(
  state: CaseState,
  calendar: WorkingCalendar = calendarFor(state.procedure),
  horizon?: Date,
): Timer[] {
  const { procedure } = state;
  const current = state.stages[state.stages.length - 1];
  if (!current) return [];
  const stage = stageById(procedure, current.id);
  if (!stage) return [];
  const fired = new Set(state.timers?.fired ?? []);
  const urgentOutOfHours = state.urgent && (procedure.urgentPath?.outOfHoursNudges ?? false);
  const timers: Timer[] = [];
  const ref = state.reference;

  // Notifications each stage obliges: at its start, when it fails, and when the case closes.
  for (const [index, record] of state.stages.entries()) {
    const s = stageById(procedure, record.id);
    for (const [i, n] of (s?.notifications ?? []).entries()) {
      const enteredByEscalation = index > 0;
      const atStart = n.when.includes('stage-start') || (n.when.includes('escalated') && enteredByEscalation);
      const atEnd = state.status !== 'open' && (n.when.includes('outcome') || n.when.includes('resolved'));
      const side = sideThatEntered(record);
      const other: Side = side === 'raising' ? 'responding' : 'raising';
      const to = n.to ? [n.to] : [];
      const audience: Audience[] =
        n.where === 'raiser'
          ? [{ party: 'raising', agencyId: state.raising.agencyId, roles: to, personId: state.raising.personId }]
          : n.where === 'board'
            ? [{ party: 'board', agencyId: 'board', roles: to }]
            : n.where === 'commissioning-body'
              ? [
                  { party: 'raising', agencyId: `commissioner-of:${state.raising.agencyId}`, roles: to },
                  { party: 'responding', agencyId: `commissioner-of:${state.responding.agencyId}`, roles: to },
                ]
              : n.where === 'own-agency'
                ? sidesAudience(state, { [side]: to })
                : n.where === 'other-agency'
                  ? sidesAudience(state, { [other]: to })
                  : sidesAudience(state, { raising: to, responding: to });
      const base = {
        kind: 'notification' as const,
        stage: record.id,
        audience,
        outOfHours: false,
        about: n.about,
        phrase: n.phrase,
      };
      const push = (id: string, moment: Date): void => {
        const at = nextWorking(moment, calendar, urgentOutOfHours);
        const limit = n.within ? timescaleInstant(n.within, moment, procedure, calendar) : undefined;
        timers.push({
          ...base,
          id,
          at: at.toISOString(),
          ...(limit
            ? { limit: { at: limit.toISOString(), ...(n.within?.phrase ? { phrase: n.within.phrase } : {}) } }
            : {}),
        });
      };
      if (atStart) push(`${ref}/${record.id}/notify-${i}/start`, new Date(record.startedAt));
      const closedAt = state.outcome?.at ?? state.decision?.at ?? state.withdrawal?.at;
      if (atEnd && closedAt) push(`${ref}/${record.id}/notify-${i}/end`, new Date(closedAt));
      // "If the matter is still unresolved": the stage escalated onward, or its limit passed with it open.
      if (n.when.includes('unresolved')) {
        const failedAt =
          record.ended === 'escalated' && record.endedAt
            ? record.endedAt
            : record === current && state.status === 'open'
              ? record.deadlines.filter((d) => d.kind === 'conclude-by').sort((a, b) => a.at.localeCompare(b.at))[0]?.at
              : undefined;
        if (failedAt) push(`${ref}/${record.id}/notify-${i}/unresolved`, new Date(failedAt));
      }
    }
  }
  // Milestones owed with a limit, even once the stage has ended or the case has closed.
  timers.push(...milestoneTimers(state, calendar, urgentOutOfHours, fired, horizon));
  if (state.status !== 'open') return sortTimers(timers);

  const startedAt = new Date(current.startedAt);
  const following = nextStage(procedure, stage, state.urgent);
  const holders = sidesAudience(state, {
    raising: stage.sides?.raising,
    responding: stage.sides?.responding,
    board: stage.board,
  });

  // Each limit's timers are named by its kind and stage; a second limit of the same kind and
  // stage (two conclude-by limits on stage 1, say) gets ".2" after it, and so on. The first
  // keeps the name it always had, so nothing already fired is fired again.
  const keys = new Map<Deadline, string>();
  const count = new Map<string, number>();
  for (const d of current.deadlines) {
    const base = `${ref}/${current.id}/${d.kind}-${d.stage}`;
    const n = (count.get(base) ?? 0) + 1;
    count.set(base, n);
    keys.set(d, n === 1 ? base : `${base}.${n}`);
  }

  // A mutually agreed plan of action holds the stage until its review date: its holders are
  // reminded to review it that morning, and no nudge goes before the review day is over.
  const held = planHoldsUntil(state);
  if (held && state.plan)
    timers.push({
      id: `${ref}/${current.id}/plan-review-${state.plan.reviewOn}`,
      kind: 'reminder',
      at: state.plan.reviewAt,
      stage: current.id,
      audience: holders,
      outOfHours: false,
      about: `the plan of action agreed, to be reviewed today: ${state.plan.text}`,
    });

  // Deadlines falling at the same instant (a stage's own limit and the next stage's start-by,
  // say) make one reminder and one nudge, not two.
  const seen = new Set<string>();
  const deadlines = pendingDeadlines(state).filter((d) => (seen.has(d.at) ? false : (seen.add(d.at), true)));
  // The ladder climbs from the stage's first nudge, whichever of its limits later nudges are about.
  // While an agreed plan holds the stage, the first nudge (and so the climb) waits for its review day to end.
  const first = deadlines[0] ? new Date(deadlines[0].at) : undefined;
  const firstNudge = first && held && held > first ? held : first;
  const ladder = firstNudge ? ladderOf(state, stage, nextWorking(firstNudge, calendar, urgentOutOfHours)) : [];
  for (const d of deadlines) {
    const due = new Date(d.at);
    const key = keys.get(d) ?? `${ref}/${current.id}/${d.kind}-${d.stage}`;
    const nudged = countFired(fired, `${key}/nudge-`);
    // The reminders, before the deadline: the working day before its day, and that day's
    // morning ("due by 5pm today"), so a case raised late still gets one. Once the deadline
    // has been nudged, a reminder not yet sent is moot.
    const { morning, remindAt } = reminderTimes(calendar, due, procedure.defaults.reminder.workingDaysBefore);
    // A reminder of a later stage's start-by (beyond the next stage) while an earlier limit has
    // already passed is left out: the stage is overdue, and its nudges say so. The stage's own
    // limits and the next stage's start-by are each reminded of.
    const earliest = new Date(deadlines[0]?.at ?? d.at);
    const own = d.stage === current.id || d.stage === following?.id;
    const reminder = (id: string, at: Date, when: 'day-before' | 'today'): void => {
      // While an agreed plan holds the stage, its own review reminder stands in for this one.
      const planned = held !== undefined && at < held;
      if (at > startedAt && at < due && !planned && (nudged === 0 || fired.has(id)) && (own || at < earliest))
        timers.push({
          id,
          kind: 'reminder',
          at: at.toISOString(),
          stage: current.id,
          deadline: d,
          reminder: when,
          audience: holders,
          outOfHours: false,
        });
    };
    reminder(`${key}/reminder`, remindAt, 'day-before');
    if (morning.getTime() !== remindAt.getTime()) reminder(`${key}/reminder-today`, morning, 'today');
    // The nudge at the deadline, then a repeat each working day while overdue, climbing the ladder.
    const nudgeAt = nextWorking(held && held > due ? held : due, calendar, urgentOutOfHours);
    const repeats = procedure.defaults.repeatWhileOverdue === 'never' ? 0 : nudged + LOOKAHEAD;
    for (let k = 0; ; k++) {
      const at = k === 0 ? nudgeAt : repeatAt(nudgeAt, k, calendar, urgentOutOfHours);
      const reached = reachedOn(ladder, at);
      timers.push({
        id: `${key}/nudge-${k}`,
        kind: 'nudge',
        at: at.toISOString(),
        stage: current.id,
        deadline: d,
        repeat: k,
        climbed: Math.max(0, reached.tiers - 1),
        audience: reached.audience,
        outOfHours: urgentOutOfHours && !calendar.isWorkingTime(at),
      });
      if (!planAhead(k, repeats, at, horizon)) break;
    }
  }
  return sortTimers(oneReminderAnInstant(oneNudgeAnInstant(timers), fired));
}

/**
 * A milestone owed with a limit ("minutes within 15 working days", "an outcome letter within a
 * further 2 working days" of resolution): the roles that record it are reminded on the morning of
 * the day it is due, if that comes after its limit began to run, and nudged when it passes
 * unrecorded (again each working day while the case is open). Named by the milestone, so they
 * never take a stage limit's id, and kept apart from the stage's own one-an-instant rules.
 */
function milestoneTimers(
  state: CaseState,
  calendar: WorkingCalendar,
  anyHour: boolean,
  fired: ReadonlySet<string>,
  horizon?: Date,
): Timer[] {
  const out: Timer[] = [];
  for (const owed of owedMilestones(state, calendar)) {
    if (!owed.due) continue;
    const rec = state.stages.find((r) => r.id === owed.stage);
    const m = owed.milestone;
    const from = m.within?.from;
    const since =
      typeof from === 'object'
        ? state.milestones?.find((d) => d.stage === owed.stage && d.id === from.milestone)?.at
        : from === 'stage-end' || m.afterResolution
          ? rec?.endedAt
          : from === 'raised'
            ? state.raisedAt
            : rec?.startedAt;
    const due = new Date(owed.due);
    const base = `${state.reference}/${owed.stage}/milestone-${m.id}`;
    const about = { id: m.id, label: m.label, due: owed.due, phrase: m.phrase };
    const audience = rolesAudience(state, m.by);
    const { morning } = reminderTimes(calendar, due, 0);
    if (since && morning > new Date(since) && morning < due)
      out.push({
        id: `${base}/reminder-today`,
        kind: 'reminder',
        at: morning.toISOString(),
        stage: owed.stage,
        reminder: 'today',
        audience,
        outOfHours: false,
        milestone: about,
      });
    // Again each working day while the case is open; once, for an obligation that outlives a closed case.
    const first = nextWorking(due, calendar, anyHour);
    const repeats =
      state.status !== 'open' || state.procedure.defaults.repeatWhileOverdue === 'never'
        ? 0
        : countFired(fired, `${base}/nudge-`) + LOOKAHEAD;
    for (let k = 0; ; k++) {
      const at = k === 0 ? first : repeatAt(first, k, calendar, anyHour);
      out.push({
        id: `${base}/nudge-${k}`,
        kind: 'nudge',
        at: at.toISOString(),
        stage: owed.stage,
        repeat: k,
        climbed: 0,
        audience,
        outOfHours: anyHour && !calendar.isWorkingTime(at),
        milestone: about,
      });
      if (!planAhead(k, repeats, at, horizon)) break;
    }
  }
  return out;
}

/**
 * Where two reminders would go at the same instant (one deadline's morning reminder and the
 * next one's day-before reminder, say), one goes: one already sent, else a day-before one
 * (the kind sent before there were morning reminders), else the one about the earlier deadline.
 */
function reminderRank(t: Timer, fired: ReadonlySet<string>): string {
  return `${fired.has(t.id) ? 0 : 1}${t.reminder === 'day-before' ? 0 : 1}${t.deadline?.at ?? ''}${t.id}`;
}

function oneReminderAnInstant(timers: Timer[], fired: ReadonlySet<string>): Timer[] {
  const chosen = new Map<string, Timer>();
  for (const t of timers) {
    if (t.kind !== 'reminder' || t.milestone) continue;
    const held = chosen.get(t.at);
    if (!held || reminderRank(t, fired) < reminderRank(held, fired)) chosen.set(t.at, t);
  }
  return timers.filter((t) => t.kind !== 'reminder' || t.milestone || chosen.get(t.at) === t);
}

/**
 * Where two overdue deadlines would nudge at the same instant (a repeat of the first and the
 * nudge of the second, say), one goes: the one about the later deadline, which is the news.
 */
function oneNudgeAnInstant(timers: Timer[]): Timer[] {
  const chosen = new Map<string, Timer>();
  for (const t of timers) {
    if (t.kind !== 'nudge' || t.milestone) continue;
    const held = chosen.get(t.at);
    if (!held || isLaterNudge(t, held)) chosen.set(t.at, t);
  }
  return timers.filter((t) => t.kind !== 'nudge' || t.milestone || chosen.get(t.at) === t);
}

function isLaterNudge(a: Timer, b: Timer): boolean {
  return (
    (a.deadline?.at ?? '') > (b.deadline?.at ?? '') ||
    ((a.deadline?.at ?? '') === (b.deadline?.at ?? '') && a.id < b.id)
  );
}

function sortTimers(timers: Timer[]): Timer[] {
  return timers.sort((a, b) => (a.at === b.at ? a.id.localeCompare(b.id) : a.at.localeCompare(b.at)));
}

function countFired(fired: ReadonlySet<string>, prefix: string): number {
  let n = 0;
  for (const id of fired) if (id.startsWith(prefix)) n++;
  return n;
}

/** Repeats planned at most (a guard for a horizon far ahead). */
const MOST_REPEATS = 1000;

/**
 * After the k-th repeat (due `at`), is another planned? Up to `repeats` (the one after the last
 * fired); past that only while a horizon is given and the repeats so far are due by it. None
 * where the case does not repeat (`repeats` 0).
 */
function planAhead(k: number, repeats: number, at: Date, horizon: Date | undefined): boolean {
  if (k < repeats) return true;
  return repeats > 0 && horizon !== undefined && at <= horizon && k < MOST_REPEATS;
}

/** Timers due by `now` that have not been fired. */
export function dueTimers(state: CaseState, now: Date, calendar?: WorkingCalendar): Timer[] {
  const fired = new Set(state.timers?.fired ?? []);
  // A reminder whose deadline has passed by now (the bot was down) is dropped: the nudge says it.
  const stale = (t: Timer): boolean => {
    const due = t.deadline?.at ?? t.milestone?.due;
    return t.kind === 'reminder' && Boolean(due && new Date(due) <= now);
  };
  return timersOf(state, calendar).filter((t) => !fired.has(t.id) && new Date(t.at) <= now && !stale(t));
}

/** When the case next needs the sweeper: its earliest timer not yet fired (or not yet delivered). */
export function nextTimerAt(state: CaseState, calendar?: WorkingCalendar): string | undefined {
  const fired = new Set(state.timers?.fired ?? []);
  const delivered = new Set(state.timers?.delivered ?? []);
  // A timer fired but not delivered (its sweeper stopped half-way) is due again at once.
  const undelivered = [...fired].filter((id) => !delivered.has(id));
  if (undelivered.length) return state.stages[0]?.startedAt ?? state.raisedAt;
  return timersOf(state, calendar).find((t) => !fired.has(t.id))?.at;
}
