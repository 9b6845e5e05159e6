/**
 * The instants a case's timers fall at, worked out from a deadline with the board's calendar and
 * remembered per calendar: the cases of one sweep share a few deadlines ("5pm Tuesday"), and
 * each is worked out once, not once per case and pass. Exact: the key is everything the answer
 * depends on (the instant in milliseconds, and the count). Bounded: a full memory starts again.
 * The instants handed out are shared: read them, never change them.
 */
import type { WorkingCalendar } from '../calendar';

const MOST_REMEMBERED = 5000;
const remembered = new WeakMap<WorkingCalendar, Map<string, unknown>>();

function recall<T>(calendar: WorkingCalendar, key: string, work: () => T): T {
  let known = remembered.get(calendar);
  if (!known) {
    known = new Map();
    remembered.set(calendar, known);
  }
  if (known.has(key)) return known.get(key) as T;
  if (known.size >= MOST_REMEMBERED) known.clear();
  const value = work();
  known.set(key, value);
  return value;
}

/**
 * A deadline's reminder times: the start of the last working day that starts before it (its
 * morning: "due by 5pm today"), and the start of the working day `daysBefore` working days before that.
 */
export function reminderTimes(
  calendar: WorkingCalendar,
  due: Date,
  daysBefore: number,
): { readonly morning: Date; readonly remindAt: Date } {
  return recall(calendar, `r|${due.getTime()}|${daysBefore}`, () => {
    let day = calendar.localDate(due);
    if (!calendar.isWorkingDay(day) || calendar.startOfWorkingDay(day) >= due) day = calendar.previousWorkingDay(day);
    const morning = calendar.startOfWorkingDay(day);
    for (let i = 0; i < daysBefore; i++) day = calendar.previousWorkingDay(day);
    return { morning, remindAt: calendar.startOfWorkingDay(day) };
  });
}

/** The instant itself on an urgent path sent out of hours; otherwise the next working time. */
export function nextWorking(at: Date, calendar: WorkingCalendar, anyHour: boolean): Date {
  if (anyHour) return at;
  return recall(calendar, `w|${at.getTime()}`, () => (calendar.isWorkingTime(at) ? at : calendar.nextWorkingTime(at)));
}

/** The k-th repeat: every 24 hours on an urgent path, otherwise the start of each working day. */
export function repeatAt(first: Date, k: number, calendar: WorkingCalendar, anyHour: boolean): Date {
  if (anyHour) return new Date(first.getTime() + k * 24 * 3_600_000);
  return recall(calendar, `k|${first.getTime()}|${k}`, () =>
    calendar.startOfWorkingDay(calendar.addWorkingDays(calendar.localDate(first), k)),
  );
}
