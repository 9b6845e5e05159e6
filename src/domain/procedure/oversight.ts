/**
 * The board's oversight of its procedure (`oversight` in its file): whether it is past the date
 * it was to be reviewed by, and the period of figures last due to the person or group who
 * receives them. Pure: today is given.
 */
import {
  civilFromDays,
  fromDayNumber,
  MONTH_NAMES as MONTHS,
  toDayNumber,
  type LocalDate,
} from '../calendar/local-date';
import type { WorkingCalendar } from '../calendar/working-calendar';
import type { Procedure } from './schema';

/** "1 April 2027". */
export function dateInWords(date: LocalDate): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${d} ${MONTHS[m - 1] ?? ''} ${y}`;
}

/** The words warning that the procedure is past its review date, or undefined while it is not. */
export function reviewWarning(procedure: Pick<Procedure, 'oversight'>, today: LocalDate): string | undefined {
  const by = procedure.oversight?.reviewBy;
  if (!by || today <= by) return undefined;
  return `this procedure was due to be reviewed by ${dateInWords(by)}: review it with the board, then set "oversight.reviewBy" to the next review date`;
}

/** A period of figures: from its first day to the day after its last (as the `report` command takes them). */
export interface FiguresPeriod {
  from: LocalDate;
  to: LocalDate;
  /** Who receives them, as the file names them. */
  recipient: string;
  email?: string;
  every: 'month' | 'quarter' | 'year';
  /** "1 July to 30 September 2026". */
  words: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');
const first = (year: number, month: number): LocalDate =>
  `${year + Math.floor((month - 1) / 12)}-${pad(((((month - 1) % 12) + 12) % 12) + 1)}-01`;

/**
 * The last whole period of figures before `today` (the month, quarter - January to March and so
 * on - or year just ended), and who receives it; undefined where the file names no recipient.
 */
export function lastFiguresPeriod(
  procedure: Pick<Procedure, 'oversight'>,
  today: LocalDate,
): FiguresPeriod | undefined {
  const figures = procedure.oversight?.figures;
  if (!figures) return undefined;
  const { year, month } = civilFromDays(toDayNumber(today));
  const length = figures.every === 'month' ? 1 : figures.every === 'quarter' ? 3 : 12;
  const startMonth = Math.floor((month - 1) / length) * length + 1; // the period under way
  const from = first(year, startMonth - length);
  const to = first(year, startMonth);
  const last = civilFromDays(toDayNumber(to) - 1);
  const lastDay = `${last.year}-${pad(last.month)}-${pad(last.day)}`;
  const fromWords = dateInWords(from);
  return {
    from,
    to,
    recipient: figures.to,
    ...(figures.email ? { email: figures.email } : {}),
    every: figures.every,
    words: `${from.slice(0, 4) === lastDay.slice(0, 4) ? fromWords.replace(/ \d{4}$/, '') : fromWords} to ${dateInWords(lastDay)}`,
  };
}

/** A period of figures and when they are sent: the start of working hours, first working day after it ends. */
export interface FiguresSending {
  period: FiguresPeriod;
  /** The first working day on or after `period.to`, at the start of working hours, in the board's time zone. */
  sendAt: Date;
}

/** When a period's figures are sent: the start of the first working day after it ends (weekends, holidays skipped). */
export function figuresSendAt(period: Pick<FiguresPeriod, 'to'>, calendar: WorkingCalendar): Date {
  return calendar.startOfWorkingDay(calendar.workingDayOnOrAfter(period.to));
}

/**
 * The period whose figures are due at `now`: the latest whose sending moment has come (the quarter
 * ended 31 March 2026 from 1 April 2026 at 09:00 London time; until then, the quarter before).
 * Undefined where the file names no recipient.
 */
export function figuresDue(
  procedure: Pick<Procedure, 'oversight'>,
  now: Date,
  calendar: WorkingCalendar,
): FiguresSending | undefined {
  const last = lastFiguresPeriod(procedure, calendar.localDate(now));
  if (!last) return undefined;
  const sendAt = figuresSendAt(last, calendar);
  if (sendAt.getTime() <= now.getTime()) return { period: last, sendAt };
  const before = lastFiguresPeriod(procedure, last.from);
  return before ? { period: before, sendAt: figuresSendAt(before, calendar) } : undefined;
}

/** The next figures to be sent after `now`: the period under way (or the one just ended, before its moment). */
export function nextFiguresSending(
  procedure: Pick<Procedure, 'oversight'>,
  now: Date,
  calendar: WorkingCalendar,
): FiguresSending | undefined {
  const today = calendar.localDate(now);
  const last = lastFiguresPeriod(procedure, today);
  if (!last) return undefined;
  const sendAt = figuresSendAt(last, calendar);
  if (sendAt.getTime() > now.getTime()) return { period: last, sendAt };
  // The period under way ends where a period as long as the last one, begun at its end, ends.
  const span = toDayNumber(last.to) - toDayNumber(last.from);
  const under = lastFiguresPeriod(procedure, fromDayNumber(toDayNumber(last.to) + span + 20));
  return under ? { period: under, sendAt: figuresSendAt(under, calendar) } : undefined;
}
