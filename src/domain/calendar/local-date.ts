/**
 * Civil dates ("2026-12-29") as whole day numbers since 1970-01-01, so that the calendar can
 * step through days with integer arithmetic and look them up in a set.
 */

/** A civil date written YYYY-MM-DD. */
export type LocalDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days from civil date, after Howard Hinnant's algorithm (proleptic Gregorian). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function isLocalDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  const back = civilFromDays(daysFromCivil(year, month, day));
  return back.month === month && back.day === day;
}

const LABEL_BASE = daysFromCivil(1900, 1, 1);
const LABEL_END = daysFromCivil(2200, 1, 1);

/** Dates already read (at most one per day of 1900–2199), so a date is parsed once. */
const READ = new Map<string, number>();

export function toDayNumber(date: LocalDate): number {
  const known = READ.get(date);
  if (known !== undefined) return known;
  const days = parseDate(date);
  if (days >= LABEL_BASE && days < LABEL_END) READ.set(date, days);
  return days;
}

function parseDate(date: LocalDate): number {
  // Read by hand (this is on every deadline's path): YYYY-MM-DD, each part in range.
  if (date.length === 10 && date.charCodeAt(4) === 45 && date.charCodeAt(7) === 45) {
    const year = digits(date, 0, 4);
    const month = digits(date, 5, 7);
    const day = digits(date, 8, 10);
    if (year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month))
      return daysFromCivil(year, month, day);
  }
  throw new RangeError(`"${date}" is not a date written YYYY-MM-DD`);
}

/** The number written by the digits from `start` to `end`, or -1 if any is not a digit. */
function digits(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return MONTH_DAYS[month - 1]!;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Dates already written, by day number (from 1900 to 2199: the years a case can touch). */
const LABELS = new Array<string | undefined>(LABEL_END - LABEL_BASE);

export function fromDayNumber(days: number): LocalDate {
  const inRange = days >= LABEL_BASE && days < LABEL_END;
  const known = inRange ? LABELS[days - LABEL_BASE] : undefined;
  if (known !== undefined) return known;
  const { year, month, day } = civilFromDays(days);
  const label = `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
  if (inRange) LABELS[days - LABEL_BASE] = label;
  return label;
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOfDayNumber(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

export function yearOfDayNumber(days: number): number {
  return civilFromDays(days).year;
}

export const WEEKDAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type WeekdayName = (typeof WEEKDAY_NAMES)[number];

/** The months' names, January first. */
export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;
