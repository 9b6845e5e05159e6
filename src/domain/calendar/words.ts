/**
 * Instants in the words people use on a card: "by 5pm Tuesday 29 December". Written out from the
 * zone's offset at the instant (./zone) and whole-number date arithmetic, not a date library's
 * formatter: a card's history says when each of its events happened, so this runs for every event
 * on every render (tests/unit/calendar-words.test.ts checks it against date-fns's format).
 */
import { civilFromDays, MONTH_NAMES as MONTHS } from './local-date';
import { offsetMinutes } from './zone';

const MINUTE = 60_000;
const DAY = 86_400_000;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The wall clock in `timeZone` at an instant: its civil date, weekday and time of day. */
function wallClock(
  instant: Date,
  timeZone: string,
): { year: number; month: number; day: number; weekday: number; minutes: number } {
  const local = instant.getTime() + offsetMinutes(timeZone, instant) * MINUTE;
  const dayNumber = Math.floor(local / DAY);
  // 1970-01-01, day 0, was a Thursday.
  const weekday = (((dayNumber + 4) % 7) + 7) % 7;
  return { ...civilFromDays(dayNumber), weekday, minutes: Math.floor((local - dayNumber * DAY) / MINUTE) };
}

function clockWords(minutes: number): string {
  const hour = Math.floor(minutes / 60);
  const minute = minutes % 60;
  const h = hour % 12 === 0 ? 12 : hour % 12;
  return `${h}${minute === 0 ? '' : `:${String(minute).padStart(2, '0')}`}${hour < 12 ? 'am' : 'pm'}`;
}

/** "5pm", "9:30am". */
export function timeInWords(instant: Date, timeZone: string): string {
  return clockWords(wallClock(instant, timeZone).minutes);
}

/** "5pm Tuesday 29 December", with the year added when it is not the year of `relativeTo`. */
export function instantInWords(instant: Date, timeZone: string, relativeTo?: Date): string {
  const at = wallClock(instant, timeZone);
  const sameYear = relativeTo && wallClock(relativeTo, timeZone).year === at.year;
  const date = `${WEEKDAYS[at.weekday]} ${at.day} ${MONTHS[at.month - 1]}`;
  return `${clockWords(at.minutes)} ${date}${sameYear ? '' : ` ${String(at.year).padStart(4, '0')}`}`;
}

export function deadlineInWords(instant: Date, timeZone: string, relativeTo?: Date): string {
  return `by ${instantInWords(instant, timeZone, relativeTo)}`;
}
