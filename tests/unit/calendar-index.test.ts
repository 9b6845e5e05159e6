/**
 * The working-day index gives the naive day-by-day walk's answers: for every start day of
 * 2020–2035, in each nation, the Nth working day after it for every N from 1 to 300 (and before
 * it, and the count between), as a walk that asks each day "is it a working day?" finds them.
 */
import { NATIONS, WorkingCalendar } from '../../src/domain/calendar';
import { fromDayNumber, toDayNumber } from '../../src/domain/calendar/local-date';

const FIRST = toDayNumber('2020-01-01');
const LAST = toDayNumber('2035-12-31');
const N = 300;

describe.each([...NATIONS])('%s', (nation) => {
  // One calendar answers by the index; the naive walk asks another, day by day.
  const indexed = new WorkingCalendar(nation);
  const plain = new WorkingCalendar(nation);
  const working = new Map<number, boolean>();
  const isWorking = (day: number): boolean => {
    let known = working.get(day);
    if (known === undefined) working.set(day, (known = plain.isWorkingDay(fromDayNumber(day))));
    return known;
  };

  test(`the Nth working day after each start day of 2020–2035, N from 1 to ${N}, is the walk's`, () => {
    let wrong = 0;
    const first: string[] = [];
    for (let start = FIRST; start <= LAST; start++) {
      // The walk: the next N working days after `start`, in order.
      const next: string[] = [];
      for (let day = start + 1; next.length < N; day++) if (isWorking(day)) next.push(fromDayNumber(day));
      const from = fromDayNumber(start);
      for (let n = 1; n <= N; n++) {
        const got = indexed.addWorkingDays(from, n);
        if (got !== next[n - 1]) {
          wrong++;
          if (first.length < 3) first.push(`${from} + ${n}: ${got}, not ${next[n - 1]}`);
        }
      }
      expect(indexed.addWorkingDays(from, 0)).toBe(from);
    }
    expect(first).toEqual([]);
    expect(wrong).toBe(0);
  });

  test('backwards, and the count between, agree with the walk (every 7th start day, N up to 300)', () => {
    const first: string[] = [];
    for (let start = FIRST; start <= LAST; start += 7) {
      const before: number[] = [];
      for (let day = start - 1; before.length < N; day--) if (isWorking(day)) before.push(day);
      const from = fromDayNumber(start);
      for (const n of [1, 2, 5, 20, 299, 300]) {
        const got = indexed.addWorkingDays(from, -n);
        if (got !== fromDayNumber(before[n - 1]!) && first.length < 3) first.push(`${from} - ${n}: ${got}`);
      }
      const to = start + 400;
      let count = 0;
      for (let day = start + 1; day <= to; day++) if (isWorking(day)) count++;
      expect(indexed.workingDaysBetween(from, fromDayNumber(to))).toBe(count);
      expect(indexed.workingDaysBetween(fromDayNumber(to), from)).toBe(-count);
    }
    expect(first).toEqual([]);
  });
});

test('dates far apart (the loaded years not next to each other) still count right', () => {
  const calendar = new WorkingCalendar('england-and-wales');
  expect(calendar.addWorkingDays('2030-06-03', 1)).toBe('2030-06-04');
  // 2021 was never loaded next to 2030: the window grows to hold both.
  const between = calendar.workingDaysBetween('2021-01-04', '2030-06-03');
  const plain = new WorkingCalendar('england-and-wales');
  let count = 0;
  for (let d = toDayNumber('2021-01-05'); d <= toDayNumber('2030-06-03'); d++)
    if (plain.isWorkingDay(fromDayNumber(d))) count++;
  expect(between).toBe(count);
});
