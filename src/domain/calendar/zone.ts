/**
 * Wall-clock time in a named zone (Europe/London by default) ↔ instants, with daylight saving
 * handled by the runtime's time-zone data through @date-fns/tz.
 */
import { tzOffset } from '@date-fns/tz';
import { daysFromCivil, fromDayNumber, toDayNumber, type LocalDate } from './local-date';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** "HH:MM" → minutes after midnight. */
export function minutesOfTime(time: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!m) throw new RangeError(`"${time}" is not a time written HH:MM (24-hour clock)`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Offsets are kept per quarter of an hour of UTC time (zones change offset at most twice a year). */
const QUARTER = 15 * MINUTE;
const KEPT_PER_ZONE = 100_000;
const kept = new Map<string, Map<number, number>>();

/**
 * Offset of the zone from UTC at an instant, in minutes (London: 0 in winter, 60 in summer). The
 * runtime's answer (Intl, through @date-fns/tz) costs microseconds and a card asks it for every
 * event in its history, so each quarter hour's offset is asked once and kept, where the zone has
 * the same offset at both ends of it (a quarter hour holding a change is asked each time).
 */
export function offsetMinutes(timeZone: string, instant: Date): number {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) return tzOffset(timeZone, instant);
  const quarter = Math.floor(ms / QUARTER);
  let zone = kept.get(timeZone);
  const found = zone?.get(quarter);
  if (found !== undefined) return found;
  const start = tzOffset(timeZone, new Date(quarter * QUARTER));
  const end = tzOffset(timeZone, new Date(quarter * QUARTER + QUARTER - 1));
  if (start !== end || Number.isNaN(start)) return tzOffset(timeZone, instant);
  if (!zone) kept.set(timeZone, (zone = new Map<number, number>()));
  if (zone.size >= KEPT_PER_ZONE) zone.clear();
  zone.set(quarter, start);
  return start;
}

/** The instant at which the wall clock in `timeZone` shows `date` and `minutes` after midnight. */
export function zonedToInstant(date: LocalDate, minutes: number, timeZone: string): Date {
  const asUtc = toDayNumber(date) * DAY + minutes * MINUTE;
  const first = offsetMinutes(timeZone, new Date(asUtc));
  let instant = asUtc - first * MINUTE;
  const second = offsetMinutes(timeZone, new Date(instant));
  if (second !== first) instant = asUtc - second * MINUTE;
  return new Date(instant);
}

/** The wall-clock date and minutes after midnight in `timeZone` at an instant. */
export function instantToZoned(
  instant: Date,
  timeZone: string,
): { date: LocalDate; dayNumber: number; minutes: number; offset: number } {
  const offset = offsetMinutes(timeZone, instant);
  const local = instant.getTime() + offset * MINUTE;
  const dayNumber = Math.floor(local / DAY);
  const minutes = Math.floor((local - dayNumber * DAY) / MINUTE);
  return { date: fromDayNumber(dayNumber), dayNumber, minutes, offset };
}

/** ISO 8601 with the zone's offset: "2026-12-29T17:00:00+00:00", "2026-07-01T17:00:00+01:00". */
export function formatInZone(instant: Date, timeZone: string): string {
  const offset = offsetMinutes(timeZone, instant);
  const local = new Date(instant.getTime() + offset * MINUTE);
  const iso = local.toISOString();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  const seconds = local.getUTCMilliseconds() === 0 ? iso.slice(0, 19) : iso.slice(0, 23);
  return `${seconds}${sign}${hh}:${mm}`;
}

export { daysFromCivil };
