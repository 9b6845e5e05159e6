/**
 * The timer instants remembered per calendar (src/domain/escalation/timer-times.ts) are the
 * calendar's own answers, asked again and again (so from memory) around a clock change and a
 * bank holiday, on working days and off them.
 */
import { WorkingCalendar } from '../../src/domain/calendar';
import { nextWorking, reminderTimes, repeatAt } from '../../src/domain/escalation/timer-times';

const calendar = new WorkingCalendar('england-and-wales');
const QUARTER = 15 * 60_000;
// Late March 2027 (the clocks go forward on the 28th; Good Friday is the 26th), a quarter-hour at a time.
const instants = Array.from({ length: 4 * 24 * 12 }, (_, i) => new Date(Date.UTC(2027, 2, 20) + i * QUARTER));

function direct(due: Date, daysBefore: number): { morning: Date; remindAt: Date } {
  let day = calendar.localDate(due);
  if (!calendar.isWorkingDay(day) || calendar.startOfWorkingDay(day) >= due) day = calendar.previousWorkingDay(day);
  const morning = calendar.startOfWorkingDay(day);
  for (let i = 0; i < daysBefore; i++) day = calendar.previousWorkingDay(day);
  return { morning, remindAt: calendar.startOfWorkingDay(day) };
}

test('reminder times, the next working time and repeats: the calendar’s own answers, the second time asked too', () => {
  for (let pass = 0; pass < 2; pass++)
    for (const at of instants) {
      for (const before of [0, 1, 2]) expect(reminderTimes(calendar, new Date(at), before)).toEqual(direct(at, before));
      expect(nextWorking(new Date(at), calendar, false)).toEqual(
        calendar.isWorkingTime(at) ? at : calendar.nextWorkingTime(at),
      );
      expect(nextWorking(at, calendar, true)).toBe(at);
      for (const k of [1, 3])
        expect(repeatAt(new Date(at), k, calendar, false)).toEqual(
          calendar.startOfWorkingDay(calendar.addWorkingDays(calendar.localDate(at), k)),
        );
      expect(repeatAt(at, 2, calendar, true)).toEqual(new Date(at.getTime() + 48 * 3_600_000));
    }
  // Good Friday and the Monday after are not working days: a deadline at 5pm on Tuesday 30 March
  // is reminded of on the Thursday before (the working day before the Tuesday) and that Tuesday morning.
  const due = new Date('2027-03-30T16:00:00Z');
  expect(reminderTimes(calendar, due, 1)).toEqual({
    morning: new Date('2027-03-30T08:00:00Z'),
    remindAt: new Date('2027-03-25T09:00:00Z'),
  });
});
