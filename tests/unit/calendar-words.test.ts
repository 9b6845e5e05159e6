/**
 * The card's words for an instant ("5pm Tuesday 29 December"), written out from the zone's offset,
 * give what date-fns's format gave in the zone (@date-fns/tz), for every quarter hour around each
 * daylight-saving change of 2020-2035 and a spread of instants, in zones either side of UTC and with
 * half- and three-quarter-hour offsets; and the zone offsets kept per quarter hour are the runtime's.
 */
import { TZDate, tzOffset } from '@date-fns/tz';
import { format } from 'date-fns/format';
import { deadlineInWords, instantInWords, timeInWords } from '../../src/domain/calendar/words';
import { offsetMinutes } from '../../src/domain/calendar/zone';

const ZONES = ['Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC'];

function expected(instant: Date, timeZone: string, relativeTo?: Date): string {
  const local = new TZDate(instant.getTime(), timeZone);
  const time = format(local, local.getMinutes() === 0 ? 'haaa' : 'h:mmaaa');
  const sameYear = relativeTo && new TZDate(relativeTo.getTime(), timeZone).getFullYear() === local.getFullYear();
  return `${time} ${format(local, sameYear ? 'EEEE d MMMM' : 'EEEE d MMMM yyyy')}`;
}

/** Every 15 minutes for two days around each offset change (found by the hour) of 2020-2035, and every 7h 13m between. */
function instants(timeZone: string): Date[] {
  const out: Date[] = [];
  const from = Date.UTC(2020, 0, 1);
  const to = Date.UTC(2036, 0, 1);
  const HOUR = 3_600_000;
  for (let t = from; t < to; t += HOUR)
    if (tzOffset(timeZone, new Date(t)) !== tzOffset(timeZone, new Date(t + HOUR)))
      for (let q = t - 24 * HOUR; q < t + 24 * HOUR; q += 15 * 60_000) out.push(new Date(q), new Date(q + 59_999));
  for (let t = from; t < to; t += 7 * HOUR + 13 * 60_000 + 7_000) out.push(new Date(t));
  return out;
}

test.each(ZONES)('in %s the words and the offsets are what date-fns and the runtime say', (timeZone) => {
  const relativeTo = new Date(Date.UTC(2027, 5, 1));
  const wrong: string[] = [];
  for (const instant of instants(timeZone)) {
    const want = expected(instant, timeZone, relativeTo);
    const got = instantInWords(instant, timeZone, relativeTo);
    if (got !== want) wrong.push(`${instant.toISOString()}: ${got} (want ${want})`);
    if (offsetMinutes(timeZone, instant) !== tzOffset(timeZone, instant))
      wrong.push(`${instant.toISOString()}: offset`);
    if (wrong.length > 5) break;
  }
  expect(wrong).toEqual([]);
});

test('the words themselves', () => {
  const winter = new Date('2026-12-29T17:00:00Z');
  expect(instantInWords(winter, 'Europe/London', new Date('2026-12-01T00:00:00Z'))).toBe('5pm Tuesday 29 December');
  expect(deadlineInWords(winter, 'Europe/London')).toBe('by 5pm Tuesday 29 December 2026');
  expect(timeInWords(new Date('2026-07-01T08:30:00Z'), 'Europe/London')).toBe('9:30am');
  expect(timeInWords(new Date('2026-07-01T11:05:00Z'), 'Europe/London')).toBe('12:05pm');
  expect(timeInWords(new Date('2026-07-01T23:00:00Z'), 'Europe/London')).toBe('12am');
});
