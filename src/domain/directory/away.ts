/**
 * What a person types to set their own absence and who covers it, read as UK dates:
 * `away 3 to 7 January, Catherine Doyle covers`, `away until 9 January`, `away today`,
 * `away 28 December to 2 January`, `back` (ends it) and `away` (shows it). A day and month
 * without a year is its next occurrence: the end is the first such date from today on, the start
 * the last such date on or before the end (so "28 December to 2 January" crosses the year).
 */
import { civilFromDays, daysFromCivil, fromDayNumber, toDayNumber, type LocalDate } from '../calendar/local-date';

export type AwayCommand =
  | { kind: 'away-show' }
  | { kind: 'back' }
  | { kind: 'away-set'; from: LocalDate; to: LocalDate; deputy?: string }
  | { kind: 'away-invalid'; words: string };

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

export const AWAY_HOW =
  'Write it like "away 3 to 7 January, Catherine Doyle covers", "away until 9 January" or "away today"; "back" ends it.';

function month(word: string): number | undefined {
  const w = word.toLowerCase().replace(/\.$/, '');
  if (w.length < 3) return undefined;
  const i = MONTHS.findIndex((m) => m.startsWith(w) || (w === 'sept' && m === 'september'));
  return i >= 0 ? i + 1 : undefined;
}

interface DayMonth {
  day: number;
  month?: number;
  year?: number;
}

const DATE = /^(\d{1,2})(?:st|nd|rd|th)?(?:\s+([a-z]+\.?))?(?:\s+(\d{4}))?$/i;

function dayMonth(text: string): DayMonth | 'today' | 'tomorrow' | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'today') return 'today';
  if (t === 'tomorrow') return 'tomorrow';
  const m = DATE.exec(t);
  if (!m) return undefined;
  const mon = m[2] !== undefined ? month(m[2]) : undefined;
  if (m[2] !== undefined && mon === undefined) return undefined;
  return { day: Number(m[1]), ...(mon ? { month: mon } : {}), ...(m[3] ? { year: Number(m[3]) } : {}) };
}

function real(year: number, mon: number, day: number): LocalDate | undefined {
  const back = civilFromDays(daysFromCivil(year, mon, day));
  return back.month === mon && back.day === day ? fromDayNumber(daysFromCivil(year, mon, day)) : undefined;
}

/** The first date on or after `from` with this day and month (within the next few years). */
function onOrAfter(day: number, mon: number, from: LocalDate): LocalDate | undefined {
  const year = Number(from.slice(0, 4));
  for (let y = year; y <= year + 4; y++) {
    const d = real(y, mon, day);
    if (d && d >= from) return d;
  }
  return undefined;
}

/** The last date on or before `to` with this day and month. */
function onOrBefore(day: number, mon: number, to: LocalDate): LocalDate | undefined {
  const year = Number(to.slice(0, 4));
  for (let y = year; y >= year - 4; y--) {
    const d = real(y, mon, day);
    if (d && d <= to) return d;
  }
  return undefined;
}

const DEPUTY = [
  /^(.*)[,;]\s*(?:and\s+)?(.+?)\s+(?:covers|is covering|covering|will cover|deputises|is deputising)$/i,
  /^(.*?)[,;]?\s+(?:covered by|cover:|deputy:?)\s+(.+)$/i,
];

/** What `text` asks about absence, given today's date in Europe/London; undefined if not about absence. */
export function parseAway(text: unknown, today: LocalDate): AwayCommand | undefined {
  if (typeof text !== 'string' || text.length > 300) return undefined;
  const said = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!]+$/, '')
    .trim();
  const lower = said.toLowerCase();
  if (lower === 'back' || lower === "i'm back" || lower === 'i am back') return { kind: 'back' };
  if (lower === 'away') return { kind: 'away-show' };
  if (!lower.startsWith('away ')) return undefined;
  let rest = said.slice(5).trim();
  let deputy: string | undefined;
  for (const pattern of DEPUTY) {
    const m = pattern.exec(rest);
    if (m?.[1] && m[2] && /\d|today|tomorrow/i.test(m[1])) {
      rest = m[1].trim();
      deputy = m[2].trim();
      break;
    }
  }
  rest = rest.replace(/^(from|on)\s+/i, '').replace(/[,;]$/, '');
  const parts = /^until\s+(.+)$/i.exec(rest);
  const range = parts ? ['today', parts[1] ?? ''] : rest.split(/\s+(?:to|until|till|-)\s+|\s*[-–]\s*/i);
  if (range.length > 2 || range.length === 0) return { kind: 'away-invalid', words: AWAY_HOW };
  const [first, second] = [dayMonth(range[0] ?? ''), range[1] !== undefined ? dayMonth(range[1]) : undefined];
  if (!first || (range[1] !== undefined && !second)) return { kind: 'away-invalid', words: AWAY_HOW };
  const fixed = (d: 'today' | 'tomorrow'): LocalDate => (d === 'today' ? today : fromDayNumber(toDayNumber(today) + 1));
  const end = second ?? first;
  // The month of "3 to 7 January" is the second date's.
  const endDate =
    typeof end === 'string'
      ? fixed(end)
      : end.month === undefined
        ? undefined
        : end.year !== undefined
          ? real(end.year, end.month, end.day)
          : onOrAfter(end.day, end.month, today);
  if (!endDate) return { kind: 'away-invalid', words: `That is not a date I can read. ${AWAY_HOW}` };
  let startDate: LocalDate | undefined;
  if (second === undefined) startDate = endDate;
  else if (typeof first === 'string') startDate = fixed(first);
  else {
    const mon = first.month ?? Number(endDate.slice(5, 7));
    // "7 to 3 January": the month is the end's, so the start is after the end.
    if (first.month === undefined && first.year === undefined && first.day > Number(endDate.slice(8, 10)))
      return { kind: 'away-invalid', words: `The absence would end before it starts. ${AWAY_HOW}` };
    startDate = first.year !== undefined ? real(first.year, mon, first.day) : onOrBefore(first.day, mon, endDate);
  }
  if (!startDate) return { kind: 'away-invalid', words: `That is not a date I can read. ${AWAY_HOW}` };
  if (startDate > endDate)
    return { kind: 'away-invalid', words: `The absence would end before it starts. ${AWAY_HOW}` };
  if (endDate < today) return { kind: 'away-invalid', words: 'That absence is already over.' };
  if (toDayNumber(endDate) - toDayNumber(startDate) > 366)
    return { kind: 'away-invalid', words: 'An absence can be at most a year; set a shorter one.' };
  return { kind: 'away-set', from: startDate, to: endDate, ...(deputy ? { deputy } : {}) };
}

/** "3 January 2027" */
export function dateWords(date: LocalDate): string {
  const [y, m, d] = date.split('-').map(Number);
  const name = MONTHS[(m ?? 1) - 1] ?? '';
  return `${d} ${name.charAt(0).toUpperCase()}${name.slice(1)} ${y}`;
}
