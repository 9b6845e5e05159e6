/**
 * Deadlines that act: the reminders, nudges and notifications a case is owed, as pure data with
 * deterministic ids, so that any number of sweepers agree on what is due and none fires the same
 * timer twice (a fired timer is an event on the case).
 *
 * Readings (DOMAIN.md and each board's `defaults`):
 * - A **reminder** goes to the current stage's role holders on both sides at the start of the
 *   working day `reminder.workingDaysBefore` working days before the deadline's day (default 1),
 *   if that is after the stage began.
 * - A **nudge** goes to the next stage's role holders on both sides when a deadline passes with
 *   the stage neither resolved nor escalated; at the last stage, to its own holders and the
 *   board's. Outside working hours it waits for the next working time, except on an urgent path
 *   that the board sends out of hours, where it goes at once with the out-of-hours guidance.
 * - While overdue it is **repeated** at the start of each working day (every 24 hours on an
 *   urgent path), unless the board's file says `repeatWhileOverdue: never`.
 * - **Notifications** a stage obliges (Luton: the line manager's own safeguarding lead; North
 *   Somerset: the Board Business Manager) go when the stage starts (`stage-start`, or
 *   `escalated` when it was reached by escalation) and when the case closes (`outcome`,
 *   `resolved`).
 */
import type { WorkingCalendar } from '../calendar';
import { calendarFor, nextStage, stageById } from './deadlines';
import { pendingDeadlines, planHoldsUntil } from './rules';
import type { ActorRecord, CaseState, Deadline, Party } from './types';

export const SWEEPER_ID = 'deadline-sweeper';

/** Who the sweeper is on the record. */
export const SWEEPER: ActorRecord = { personId: SWEEPER_ID, agencyId: 'bot', party: 'outside', roles: [] };

export type TimerKind = 'reminder' | 'nudge' | 'notification';

export interface Audience {
  party: Party;
  /** The agency whose role holders are meant: 'board' for the board's own, 'commissioner-of:<agency>' for an agency's commissioning body. */
  agencyId: string;
  roles: string[];
}

export interface Timer {
  id: string;
  kind: TimerKind;
  /** When it is due (ISO instant). */
  at: string;
  stage: string;
  deadline?: Deadline;
  /** 0 for the nudge at the deadline, then 1, 2… for each repeat. */
  repeat?: number;
  audience: Audience[];
  /** Sent outside working hours on an urgent path: the out-of-hours guidance goes with it. */
  outOfHours: boolean;
  /** For a notification: what it is about, in the procedure's words. */
  about?: string;
  phrase?: string;
}

/** How many repeats ahead of the last fired one are planned (the next is all a sweeper needs). */
const LOOKAHEAD = 1;

function sidesAudience(
  state: CaseState,
  roles: { raising?: string[]; responding?: string[]; board?: string[] },
): Audience[] {
  const out: Audience[] = [];
  if (roles.raising?.length) out.push({ party: 'raising', agencyId: state.raising.agencyId, roles: roles.raising });
  if (roles.responding?.length)
    out.push({ party: 'responding', agencyId: state.responding.agencyId, roles: roles.responding });
  if (roles.board?.length) out.push({ party: 'board', agencyId: 'board', roles: roles.board });
  return out;
}

/** Every timer the case is owed now and next, whether fired or not, earliest first. */
export function timersOf(state: CaseState, calendar: WorkingCalendar = calendarFor(state.procedure)): Timer[] {
  const { procedure } = state;
  const current = state.stages[state.stages.length - 1];
  if (!current) return [];
  const stage = stageById(procedure, current.id);
  if (!stage) return [];
  const fired = new Set(state.timers?.fired ?? []);
  const urgentOutOfHours = state.urgent && (procedure.urgentPath?.outOfHoursNudges ?? false);
  const timers: Timer[] = [];
  const ref = state.reference;

  // Notifications each stage obliges: at its start, and when the case closes.
  for (const record of state.stages) {
    const s = stageById(procedure, record.id);
    for (const [i, n] of (s?.notifications ?? []).entries()) {
      const enteredByEscalation = state.stages.indexOf(record) > 0;
      const atStart = n.when.includes('stage-start') || (n.when.includes('escalated') && enteredByEscalation);
      const atEnd = state.status !== 'open' && (n.when.includes('outcome') || n.when.includes('resolved'));
      const audience: Audience[] =
        n.where === 'board'
          ? [{ party: 'board', agencyId: 'board', roles: [n.to] }]
          : n.where === 'commissioning-body'
            ? [
                { party: 'raising', agencyId: `commissioner-of:${state.raising.agencyId}`, roles: [n.to] },
                { party: 'responding', agencyId: `commissioner-of:${state.responding.agencyId}`, roles: [n.to] },
              ]
            : sidesAudience(state, { raising: [n.to], responding: [n.to] });
      const base = {
        kind: 'notification' as const,
        stage: record.id,
        audience,
        outOfHours: false,
        about: n.about,
        phrase: n.phrase,
      };
      if (atStart)
        timers.push({
          ...base,
          id: `${ref}/${record.id}/notify-${i}/start`,
          at: nextWorking(new Date(record.startedAt), calendar, urgentOutOfHours).toISOString(),
        });
      const closedAt = state.outcome?.at ?? state.decision?.at ?? state.withdrawal?.at;
      if (atEnd && closedAt)
        timers.push({
          ...base,
          id: `${ref}/${record.id}/notify-${i}/end`,
          at: nextWorking(new Date(closedAt), calendar, urgentOutOfHours).toISOString(),
        });
    }
  }
  if (state.status !== 'open') return sortTimers(timers);

  const startedAt = new Date(current.startedAt);
  const holders = sidesAudience(state, {
    raising: stage.sides?.raising,
    responding: stage.sides?.responding,
    board: stage.board,
  });
  const following = nextStage(procedure, stage, state.urgent);
  // The next tier, and whoever approves the move into it ("escalated by a Senior Manager"): those who may take it up.
  const approving = following?.approvedBy ?? [];
  const boardScoped = (r: string): boolean => procedure.roles.find((x) => x.id === r)?.scope === 'board';
  const withApprovers = (roles: readonly string[] | undefined, add: string[]): string[] | undefined =>
    roles || add.length ? [...new Set([...(roles ?? []), ...add])] : undefined;
  const nextTier = following
    ? sidesAudience(state, {
        raising: withApprovers(
          following.sides?.raising,
          approving.filter((r) => !boardScoped(r)),
        ),
        responding: withApprovers(
          following.sides?.responding,
          approving.filter((r) => !boardScoped(r)),
        ),
        board: withApprovers(following.board, approving.filter(boardScoped)),
      })
    : holders;

  // Deadlines falling at the same instant (a stage's own limit and the next stage's start-by,
  // say) make one reminder and one nudge, not two.
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
  const seen = new Set<string>();
  const deadlines = pendingDeadlines(state).filter((d) => (seen.has(d.at) ? false : (seen.add(d.at), true)));
  for (const d of deadlines) {
    const due = new Date(d.at);
    const key = `${ref}/${current.id}/${d.kind}-${d.stage}`;
    // The reminder, before the deadline.
    let day = calendar.localDate(due);
    if (!calendar.isWorkingDay(day) || calendar.startOfWorkingDay(day) >= due) day = calendar.previousWorkingDay(day);
    for (let i = 0; i < procedure.defaults.reminder.workingDaysBefore; i++) day = calendar.previousWorkingDay(day);
    const remindAt = calendar.startOfWorkingDay(day);
    // While an agreed plan holds the stage, its own review reminder stands in for this one.
    if (remindAt > startedAt && remindAt < due && !(held && remindAt < held))
      timers.push({
        id: `${key}/reminder`,
        kind: 'reminder',
        at: remindAt.toISOString(),
        stage: current.id,
        deadline: d,
        audience: holders,
        outOfHours: false,
      });
    // The nudge at the deadline, then a repeat each working day while overdue.
    const nudgeAt = nextWorking(held && held > due ? held : due, calendar, urgentOutOfHours);
    const repeats =
      procedure.defaults.repeatWhileOverdue === 'never' ? 0 : countFired(fired, `${key}/nudge-`) + LOOKAHEAD;
    for (let k = 0; k <= repeats; k++) {
      const at = k === 0 ? nudgeAt : repeatAt(nudgeAt, k, calendar, urgentOutOfHours);
      timers.push({
        id: `${key}/nudge-${k}`,
        kind: 'nudge',
        at: at.toISOString(),
        stage: current.id,
        deadline: d,
        repeat: k,
        audience: nextTier,
        outOfHours: urgentOutOfHours && !calendar.isWorkingTime(at),
      });
    }
  }
  return sortTimers(oneNudgeAnInstant(timers));
}

/**
 * Where two overdue deadlines would nudge at the same instant (a repeat of the first and the
 * nudge of the second, say), one goes: the one about the later deadline, which is the news.
 */
function oneNudgeAnInstant(timers: Timer[]): Timer[] {
  const chosen = new Map<string, Timer>();
  for (const t of timers) {
    if (t.kind !== 'nudge') continue;
    const held = chosen.get(t.at);
    const later = (a: Timer, b: Timer): boolean =>
      (a.deadline?.at ?? '') > (b.deadline?.at ?? '') ||
      ((a.deadline?.at ?? '') === (b.deadline?.at ?? '') && a.id < b.id);
    if (!held || later(t, held)) chosen.set(t.at, t);
  }
  return timers.filter((t) => t.kind !== 'nudge' || chosen.get(t.at) === t);
}

function sortTimers(timers: Timer[]): Timer[] {
  return timers.sort((a, b) => (a.at === b.at ? a.id.localeCompare(b.id) : a.at.localeCompare(b.at)));
}

function countFired(fired: ReadonlySet<string>, prefix: string): number {
  let n = 0;
  for (const id of fired) if (id.startsWith(prefix)) n++;
  return n;
}

/** The instant itself on an urgent path sent out of hours; otherwise the next working time. */
function nextWorking(at: Date, calendar: WorkingCalendar, anyHour: boolean): Date {
  return anyHour || calendar.isWorkingTime(at) ? at : calendar.nextWorkingTime(at);
}

/** The k-th repeat: every 24 hours on an urgent path, otherwise the start of each working day. */
function repeatAt(first: Date, k: number, calendar: WorkingCalendar, anyHour: boolean): Date {
  if (anyHour) return new Date(first.getTime() + k * 24 * 3_600_000);
  let day = calendar.localDate(first);
  for (let i = 0; i < k; i++) day = calendar.addWorkingDays(day, 1);
  return calendar.startOfWorkingDay(day);
}

/** Timers due by `now` that have not been fired. */
export function dueTimers(state: CaseState, now: Date, calendar?: WorkingCalendar): Timer[] {
  const fired = new Set(state.timers?.fired ?? []);
  return timersOf(state, calendar).filter((t) => !fired.has(t.id) && new Date(t.at) <= now);
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
