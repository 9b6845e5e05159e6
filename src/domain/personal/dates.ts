/**
 * Full dates as people write them in a note: 1950-03-12, 12/03/1950, 12.3.50, 12 March 1950,
 * 12th Mar 1950, 12th of March 1950, 12-Mar-50, March 12, 1950, Mar 12th 1950, 3 May '50. Numbers are read
 * day first (the UK way); the month-first reading is kept too, for matching a known date.
 */
import { plain } from './words';

export interface WrittenDate {
  /** Where the date starts in the text (of `plain(text).toLowerCase()`). */
  index: number;
  day: number;
  month: number;
  /** The year as written: four digits, or two (`twoDigitYear`). */
  year: number;
  twoDigitYear: boolean;
  /** A two-digit year followed by a word ("3 May 45 minutes"): more likely not a year at all. */
  doubtful: boolean;
  /** Numbers only, month first (US) reading, where it is a real date too. */
  monthFirst?: { day: number; month: number };
}

const MONTHS: ReadonlyArray<readonly [string, number]> = [
  ['january', 1],
  ['february', 2],
  ['march', 3],
  ['april', 4],
  ['may', 5],
  ['june', 6],
  ['july', 7],
  ['august', 8],
  ['september', 9],
  ['october', 10],
  ['november', 11],
  ['december', 12],
  ['sept', 9],
  ['jan', 1],
  ['feb', 2],
  ['mar', 3],
  ['apr', 4],
  ['jun', 6],
  ['jul', 7],
  ['aug', 8],
  ['sep', 9],
  ['oct', 10],
  ['nov', 11],
  ['dec', 12],
];
const MONTH = `(${MONTHS.map(([m]) => m).join('|')})\\.?`;
const monthNumber = (name: string): number => MONTHS.find(([m]) => m === name)?.[1] ?? 0;

/** A year, four digits or two, the two perhaps written with an apostrophe ("'50"). */
const YEAR = "['’‘`]?(\\d{4}|\\d{2})(?![\\d])";
const ORDINAL = '(?:st|nd|rd|th)?';
const SHAPES: ReadonlyArray<{ re: RegExp; parts: (m: RegExpExecArray) => [day: number, month: number, year: string] }> =
  [
    // 1950-03-12, 1950/3/12
    {
      re: /(?<![\d])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d])/g,
      parts: (m) => [Number(m[3]), Number(m[2]), m[1] ?? ''],
    },
    // 12/03/1950, 12.3.50, 12-03-1950
    {
      re: /(?<![\d.])(\d{1,2})([/.-])(\d{1,2})\2['’‘`]?(\d{4}|\d{2})(?![\d])/g,
      parts: (m) => [Number(m[1]), Number(m[3]), m[4] ?? ''],
    },
    // 12 March 1950, 12th of Mar 1950, 12-Mar-50
    {
      re: new RegExp(`(?<![\\d])(\\d{1,2})${ORDINAL}(?:\\s+of)?[\\s/.,-]*${MONTH}[\\s/.,-]*${YEAR}`, 'g'),
      parts: (m) => [Number(m[1]), monthNumber(m[2] ?? ''), m[3] ?? ''],
    },
    // March 12, 1950; Mar 12th 1950
    {
      re: new RegExp(`\\b${MONTH}\\s+(\\d{1,2})${ORDINAL},?\\s+${YEAR}`, 'g'),
      parts: (m) => [Number(m[2]), monthNumber(m[1] ?? ''), m[3] ?? ''],
    },
  ];

export function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [
    31,
    year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ];
  return day <= (days[month - 1] ?? 0);
}

/** Every full date written in `text`. */
export function writtenDates(text: string): WrittenDate[] {
  const lower = plain(text).toLowerCase();
  const found: WrittenDate[] = [];
  for (const [n, shape] of SHAPES.entries()) {
    for (const m of lower.matchAll(shape.re)) {
      const [day, month, written] = shape.parts(m);
      const twoDigitYear = written.length === 2;
      const year = Number(written);
      const after = lower.slice(m.index + m[0].length);
      // An apostrophe ("3 May '50") says it is a year, whatever follows.
      const doubtful = twoDigitYear && n >= 2 && !/['’‘`]\d{2}$/.test(m[0]) && /^\s+[a-z]/.test(after);
      const checkYear = twoDigitYear ? 2000 + year : year;
      const dayFirst = isRealDate(checkYear, month, day);
      const swapped = n === 1 && day !== month && isRealDate(checkYear, day, month);
      if (!dayFirst && !swapped) continue;
      found.push({
        index: m.index,
        day: dayFirst ? day : month,
        month: dayFirst ? month : day,
        year,
        twoDigitYear,
        doubtful,
        ...(dayFirst && swapped ? { monthFirst: { day: month, month: day } } : {}),
      });
    }
  }
  return found;
}

/** The four-digit year a two-digit one stands for, at `now`: never in the future. */
export function fullYear(date: WrittenDate, now: Date): number {
  if (!date.twoDigitYear) return date.year;
  const century = 2000 + date.year;
  return century > now.getUTCFullYear() ? 1900 + date.year : century;
}

/** How old someone born on `date` would be at `now`, in whole years. */
export function ageAt(date: WrittenDate, now: Date): number {
  const year = fullYear(date, now);
  const beforeBirthday =
    now.getUTCMonth() + 1 < date.month || (now.getUTCMonth() + 1 === date.month && now.getUTCDate() < date.day);
  return now.getUTCFullYear() - year - (beforeBirthday ? 1 : 0);
}

/** Whether the text just before `index` labels what follows as a date of birth. */
export function labelledAsBirth(text: string, index: number): boolean {
  const before = plain(text)
    .toLowerCase()
    .slice(Math.max(0, index - 40), index);
  return /(?:\bd\s?\.?\s?o\s?\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bborn\b|\bbirthday\b)[^a-z0-9]*(?:(?:on|is|was|of)\b[^a-z0-9]*)?$/.test(
    before,
  );
}
