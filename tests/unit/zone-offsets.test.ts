/**
 * Time-zone offsets are remembered per quarter-hour (src/domain/calendar/zone.ts): the answers
 * must be the runtime's own at every instant, across daylight-saving changes, in zones whose
 * changes are not on the hour and whose offsets are not whole hours.
 */
import { tzOffset } from '@date-fns/tz';
import { instantToZoned, offsetMinutes } from '../../src/domain/calendar';

const ZONES = ['Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham'];

test.each(ZONES)(
  '%s: the remembered offset is the runtime’s at every instant of 2026, either side of each change',
  (zone) => {
    const start = Date.UTC(2026, 0, 1);
    const end = Date.UTC(2027, 0, 1);
    const wrong: string[] = [];
    const check = (at: number): void => {
      const expected = tzOffset(zone, new Date(at));
      // Asked twice: the second answer is the remembered one.
      for (let i = 0; i < 2; i++)
        if (offsetMinutes(zone, new Date(at)) !== expected) wrong.push(new Date(at).toISOString());
    };
    let changes = 0;
    let previous = tzOffset(zone, new Date(start));
    // Every 29 minutes 13 seconds (off the quarter-hours); each change found to the millisecond, both sides checked.
    for (let at = start; at < end; at += 1_753_000) {
      check(at);
      const now = tzOffset(zone, new Date(at));
      if (now === previous) continue;
      changes++;
      let lo = at - 1_753_000;
      let hi = at;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (tzOffset(zone, new Date(mid)) === previous) lo = mid;
        else hi = mid;
      }
      for (const near of [lo - 60_000, lo, hi, hi + 60_000]) check(near);
      previous = now;
    }
    expect(wrong).toEqual([]);
    if (zone !== 'Asia/Kathmandu') expect(changes).toBeGreaterThanOrEqual(2);
  },
);

test('a local date near a change is the same as the runtime gives', () => {
  // London's clocks went forward at 01:00 UTC on 29 March 2026 and back at 01:00 UTC on 25 October.
  expect(instantToZoned(new Date('2026-03-29T00:59:59.999Z'), 'Europe/London').minutes).toBe(59);
  expect(instantToZoned(new Date('2026-03-29T01:00:00.000Z'), 'Europe/London').minutes).toBe(120);
  expect(instantToZoned(new Date('2026-10-25T00:59:59.999Z'), 'Europe/London').minutes).toBe(119);
  expect(instantToZoned(new Date('2026-10-25T01:00:00.000Z'), 'Europe/London').minutes).toBe(60);
});
