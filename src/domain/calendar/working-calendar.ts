/**
 * The working-day calendar of one board: its nation's bank holidays and its working hours
 * (by default Monday to Friday, 09:00–17:00 Europe/London).
 *
 * Counting rules (../shared/DOMAIN.md):
 * - "within N working days" of an instant T: the date T falls on is day 0, whatever the hour
 *   and even when it is not a working day; the deadline is the end of the working day of the
 *   Nth working day after it.
 * - "day N": day 1 is the day the concern arose, or the next working day when it arose on a
 *   non-working day; day N is N−1 working days after day 1 (or N−1 calendar days, when the
 *   board's file counts day numbers in calendar days).
 * - clock hours are elapsed hours: 24 hours across a clock change is still 24 hours.
 */
import {
  fromDayNumber,
  toDayNumber,
  weekdayOfDayNumber,
  yearOfDayNumber,
  WEEKDAY_NAMES,
  type LocalDate,
  type WeekdayName,
} from './local-date';
import { instantToZoned, minutesOfTime, zonedToInstant } from './zone';
import { dateHolidaysSource, type BankHoliday, type HolidaySource, type Nation } from './holidays';

export interface WorkingHours {
  days: readonly WeekdayName[];
  start: string;
  end: string;
  timeZone: string;
}

export const DEFAULT_WORKING_HOURS: WorkingHours = {
  days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
  start: '09:00',
  end: '17:00',
  timeZone: 'Europe/London',
};

export type DayCounting = 'working' | 'calendar';

const HOUR = 3_600_000;
/** No board's deadline lies further than this; a loop past it means no working days at all. */
const MAX_SEARCH_DAYS = 3660;

export class WorkingCalendar {
  readonly nation: Nation;
  readonly hours: WorkingHours;
  private readonly source: HolidaySource;
  private readonly workingWeekdays: boolean[];
  private readonly startMinutes: number;
  private readonly endMinutes: number;
  private readonly holidays = new Map<number, BankHoliday>();
  private readonly yearsLoaded = new Set<number>();
  /** Day numbers [low, high) whose years are loaded, for a fast path without year arithmetic. */
  private low = 0;
  private high = 0;
  /**
   * The working-day index of the loaded window [low, high), built once per window: `rank[i]` is
   * how many working days there are from `low` to `low + i` inclusive, and `days[k]` is the day
   * number of the window's k-th working day (0-based). So adding N working days is two lookups
   * whatever N, and counting working days between two dates is a subtraction.
   */
  private index: { low: number; high: number; rank: Int32Array; days: Int32Array } | undefined;

  constructor(
    nation: Nation,
    hours: WorkingHours = DEFAULT_WORKING_HOURS,
    source: HolidaySource = dateHolidaysSource(nation),
  ) {
    this.nation = nation;
    this.hours = hours;
    this.source = source;
    this.workingWeekdays = WEEKDAY_NAMES.map((d) => hours.days.includes(d));
    this.startMinutes = minutesOfTime(hours.start);
    this.endMinutes = minutesOfTime(hours.end);
    if (this.endMinutes <= this.startMinutes)
      throw new RangeError(`working hours end (${hours.end}) must be after they start (${hours.start})`);
    if (!this.workingWeekdays.some(Boolean)) throw new RangeError('working hours name no working day of the week');
  }

  // ── days ────────────────────────────────────────────────────────────────────────────

  /** The bank holiday on a date, if there is one. */
  bankHoliday(date: LocalDate): BankHoliday | undefined {
    const day = toDayNumber(date);
    this.cover(day);
    return this.holidays.get(day);
  }

  /** Bank holidays of a year, in date order. */
  bankHolidays(year: number): BankHoliday[] {
    this.loadYear(year);
    return [...this.holidays.values()]
      .filter((h) => h.date.startsWith(`${year}-`))
      .sort((a, b) => a.date.localeCompare(b.date));
  }

  isWorkingDay(date: LocalDate): boolean {
    return this.isWorkingDayNumber(toDayNumber(date));
  }

  /** The Nth working day after `from` (which is day 0). N = 0 gives `from` itself. */
  addWorkingDays(from: LocalDate, n: number): LocalDate {
    return fromDayNumber(this.addWorkingDayNumbers(toDayNumber(from), n));
  }

  addCalendarDays(from: LocalDate, n: number): LocalDate {
    return fromDayNumber(toDayNumber(from) + n);
  }

  /** `date` itself when it is a working day, otherwise the next working day. */
  workingDayOnOrAfter(date: LocalDate): LocalDate {
    const day = toDayNumber(date);
    return this.isWorkingDayNumber(day) ? date : fromDayNumber(this.addWorkingDayNumbers(day, 1));
  }

  /** The first working day strictly before `date`. */
  previousWorkingDay(date: LocalDate): LocalDate {
    return fromDayNumber(this.addWorkingDayNumbers(toDayNumber(date), -1));
  }

  /**
   * "Day N" counted from the concern arising: day 1 is the date of `concern` (or the next
   * working day when that is not one); day N is N−1 working days (or calendar days) later.
   */
  dayN(concern: Date, n: number, counting: DayCounting = 'working'): LocalDate {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`day numbers start at 1 (got ${n})`);
    const arose = this.localDate(concern);
    if (counting === 'calendar') return this.addCalendarDays(arose, n - 1);
    return this.addWorkingDays(this.workingDayOnOrAfter(arose), n - 1);
  }

  /**
   * Working days from the date of `a` to the date of `b`: the count of working days after
   * a's date up to and including b's date (negative when b is before a). So
   * `workingDaysBetween(t, endOfWorkingDay(addWorkingDays(date(t), n)))` is n.
   */
  workingDaysBetween(a: Date | LocalDate, b: Date | LocalDate): number {
    const from = this.dayNumberOf(a);
    const to = this.dayNumberOf(b);
    if (to === from) return 0;
    const [lo, hi, sign] = to > from ? [from, to, 1] : [to, from, -1];
    // Every year from lo's to hi's, so the loaded window holds both.
    for (let d = lo; d < hi; d += 300) this.cover(d);
    this.cover(hi);
    const index = this.indexCovering(lo, hi);
    return sign * (index.rank[hi - index.low]! - index.rank[lo - index.low]!);
  }

  // ── instants ───────────────────────────────────────────────────────────────────────

  /** The date the wall clock shows at an instant, in the board's time zone. */
  localDate(instant: Date): LocalDate {
    return instantToZoned(instant, this.hours.timeZone).date;
  }

  /** When the working day ends on `date` (17:00 by default), as an instant. */
  endOfWorkingDay(date: LocalDate): Date {
    return zonedToInstant(date, this.endMinutes, this.hours.timeZone);
  }

  /** When the working day starts on `date` (09:00 by default), as an instant. */
  startOfWorkingDay(date: LocalDate): Date {
    return zonedToInstant(date, this.startMinutes, this.hours.timeZone);
  }

  /** "Within N working days" of an instant: end of the Nth working day after its date. */
  withinWorkingDays(from: Date, n: number): Date {
    return this.endOfWorkingDay(this.addWorkingDays(this.localDate(from), n));
  }

  /** N elapsed hours after an instant (a clock change does not stretch or shrink them). */
  addClockHours(from: Date, hours: number): Date {
    return new Date(from.getTime() + hours * HOUR);
  }

  /** Whether an instant falls inside working hours on a working day. */
  isWorkingTime(instant: Date): boolean {
    const { dayNumber, minutes } = instantToZoned(instant, this.hours.timeZone);
    return this.isWorkingDayNumber(dayNumber) && minutes >= this.startMinutes && minutes < this.endMinutes;
  }

  /** `instant` itself when it is working time, otherwise the start of the next working period. */
  nextWorkingTime(instant: Date): Date {
    if (this.isWorkingTime(instant)) return instant;
    const { dayNumber, minutes } = instantToZoned(instant, this.hours.timeZone);
    const day =
      this.isWorkingDayNumber(dayNumber) && minutes < this.startMinutes
        ? dayNumber
        : this.addWorkingDayNumbers(dayNumber, 1);
    return zonedToInstant(fromDayNumber(day), this.startMinutes, this.hours.timeZone);
  }

  // ── internals ──────────────────────────────────────────────────────────────────────

  private dayNumberOf(value: Date | LocalDate): number {
    return typeof value === 'string' ? toDayNumber(value) : instantToZoned(value, this.hours.timeZone).dayNumber;
  }

  private isWorkingDayNumber(day: number): boolean {
    if (!this.workingWeekdays[weekdayOfDayNumber(day)]) return false;
    if (day < this.low || day >= this.high) this.cover(day);
    return !this.holidays.has(day);
  }

  /** addWorkingDays on day numbers (days since 1970-01-01): two lookups in the index, whatever N. */
  addWorkingDayNumbers(from: number, n: number): number {
    if (!Number.isInteger(n)) throw new RangeError(`a number of working days must be whole (got ${n})`);
    if (n === 0) return from;
    this.cover(from);
    // Each working week has at least one working day, so the answer lies within |n| weeks and a
    // year's holidays of `from`; the window is widened (years loaded) until it holds it.
    const reach = MAX_SEARCH_DAYS + Math.abs(n) * 7;
    for (;;) {
      const index = this.indexCovering(from, from);
      const rank = index.rank[from - index.low]!;
      // 0-based position of the target among the window's working days.
      const at = n > 0 ? rank + n - 1 : rank - (this.isWorkingDayNumber(from) ? 1 : 0) + n;
      if (at >= 0 && at < index.days.length) return index.days[at]!;
      const edge = at < 0 ? index.low - 1 : index.high;
      if (Math.abs(edge - from) > reach)
        throw new RangeError('no working days found: check the working hours and holidays');
      this.cover(edge);
    }
  }

  /** The index of the loaded window, which must hold the days `lo` to `hi` (rebuilt when the window has grown). */
  private indexCovering(lo: number, hi: number): { low: number; high: number; rank: Int32Array; days: Int32Array } {
    if (this.index && this.index.low === this.low && this.index.high === this.high) return this.index;
    if (lo < this.low || hi >= this.high) throw new RangeError('the working-day index does not cover these dates');
    const size = this.high - this.low;
    const rank = new Int32Array(size);
    const days: number[] = [];
    let count = 0;
    for (let i = 0; i < size; i++) {
      const day = this.low + i;
      if (this.workingWeekdays[weekdayOfDayNumber(day)] && !this.holidays.has(day)) {
        days.push(day);
        count++;
      }
      rank[i] = count;
    }
    this.index = { low: this.low, high: this.high, rank, days: Int32Array.from(days) };
    return this.index;
  }

  /** Make sure the holidays of the year holding `day` (and its neighbours) are loaded. */
  private cover(day: number): void {
    if (day >= this.low && day < this.high) return;
    const year = yearOfDayNumber(day);
    for (const y of [year - 1, year, year + 1]) this.loadYear(y);
    // the contiguous run of loaded years around `year` becomes the fast-path window
    let first = year;
    while (this.yearsLoaded.has(first - 1)) first--;
    let last = year;
    while (this.yearsLoaded.has(last + 1)) last++;
    this.low = toDayNumber(`${String(first).padStart(4, '0')}-01-01`);
    this.high = toDayNumber(`${String(last + 1).padStart(4, '0')}-01-01`);
  }

  private loadYear(year: number): void {
    if (this.yearsLoaded.has(year)) return;
    for (const h of this.source(year)) this.holidays.set(toDayNumber(h.date), h);
    this.yearsLoaded.add(year);
  }
}
