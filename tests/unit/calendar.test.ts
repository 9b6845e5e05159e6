import { WorkingCalendar, bankHolidaysOf, formatInZone, type Nation } from '../../src/domain/calendar';
import { deadlineInWords } from '../../src/domain/calendar/words';

const ew = new WorkingCalendar('england-and-wales');
const scot = new WorkingCalendar('scotland');
const ni = new WorkingCalendar('northern-ireland');
const london = (d: Date): string => formatInZone(d, 'Europe/London');

describe('bank holidays of the three jurisdictions (public entries only, substitutes included)', () => {
  const dates = (nation: Nation, year: number): string[] => bankHolidaysOf(nation, year).map((h) => h.date);

  test('England and Wales 2026: eight bank holidays, Boxing Day substitute on Monday 28 December', () => {
    expect(dates('england-and-wales', 2026)).toEqual([
      '2026-01-01',
      '2026-04-03',
      '2026-04-06',
      '2026-05-04',
      '2026-05-25',
      '2026-08-31',
      '2026-12-25',
      '2026-12-26',
      '2026-12-28',
    ]);
    // 26 December 2026 is a Saturday: its substitute is what stops work.
    expect(ew.isWorkingDay('2026-12-28')).toBe(false);
    expect(ew.bankHoliday('2026-12-28')?.substitute).toBe(true);
  });

  test('observances such as Mother’s Day and Easter Sunday are not bank holidays', () => {
    const names = bankHolidaysOf('england-and-wales', 2026)
      .map((h) => h.name)
      .join(' ');
    expect(names).not.toMatch(/Mother|Father|Easter Sunday/);
  });

  test('Scotland: 2 January and St Andrew’s Day, first Monday of August, no Easter Monday', () => {
    const s2026 = dates('scotland', 2026);
    expect(s2026).toEqual(expect.arrayContaining(['2026-01-02', '2026-08-03', '2026-11-30']));
    expect(s2026).not.toContain('2026-04-06');
    expect(s2026).not.toContain('2026-08-31');
    expect(scot.isWorkingDay('2026-04-06')).toBe(true); // Easter Monday is a working day in Scotland
    expect(ew.isWorkingDay('2026-04-06')).toBe(false);
    expect(scot.isWorkingDay('2026-11-30')).toBe(false);
    expect(ew.isWorkingDay('2026-11-30')).toBe(true);
  });

  test('Northern Ireland: St Patrick’s Day and the Twelfth (Sunday 12 July 2026 moves to Monday 13)', () => {
    expect(ni.isWorkingDay('2026-03-17')).toBe(false);
    expect(ni.isWorkingDay('2026-07-13')).toBe(false);
    expect(ew.isWorkingDay('2026-03-17')).toBe(true);
    expect(ew.isWorkingDay('2026-07-13')).toBe(true);
  });

  test('Christmas 2027 falls on a weekend: both substitutes (27 and 28 December) are holidays', () => {
    expect(dates('england-and-wales', 2027)).toEqual(expect.arrayContaining(['2027-12-27', '2027-12-28']));
    expect(ew.addWorkingDays('2027-12-24', 1)).toBe('2027-12-29');
  });
});

describe('adding working days (the date of the start is day 0)', () => {
  test.each([
    // from, days, England and Wales
    ['2026-11-20', 1, '2026-11-23'], // Friday + 1 → Monday
    ['2026-11-21', 1, '2026-11-23'], // a Saturday is still day 0
    ['2026-11-22', 5, '2026-11-27'], // Sunday + 5 → Friday
    ['2026-12-22', 5, '2026-12-31'], // over Christmas Day and the Boxing Day substitute
    ['2026-12-24', 4, '2027-01-04'], // 29, 30, 31 Dec; 1 Jan is a holiday; weekend; Monday 4th
    ['2026-04-02', 1, '2026-04-07'], // Thursday before Easter → Tuesday after Easter Monday
    ['2026-04-02', 2, '2026-04-08'],
    ['2026-05-01', 1, '2026-05-05'], // early May bank holiday
    ['2026-11-23', 0, '2026-11-23'],
    ['2026-11-24', -1, '2026-11-23'],
    ['2026-11-23', -1, '2026-11-20'],
  ])('England and Wales: %s + %i working days = %s', (from, days, expected) => {
    expect(ew.addWorkingDays(from, days)).toBe(expected);
  });

  test('the same addition differs by nation where their holidays differ', () => {
    expect(ew.addWorkingDays('2026-12-31', 1)).toBe('2027-01-04');
    expect(scot.addWorkingDays('2026-12-31', 1)).toBe('2027-01-05'); // 4 January 2027 is Scotland's 2 January substitute
    expect(ew.addWorkingDays('2026-04-02', 1)).toBe('2026-04-07');
    expect(scot.addWorkingDays('2026-04-02', 1)).toBe('2026-04-06');
    expect(ni.addWorkingDays('2026-03-16', 1)).toBe('2026-03-18');
    expect(ew.addWorkingDays('2026-03-16', 1)).toBe('2026-03-17');
  });

  test('working days between two dates count the days after the first up to the second', () => {
    expect(ew.workingDaysBetween('2026-12-22', '2026-12-31')).toBe(5);
    expect(ew.workingDaysBetween('2026-12-31', '2026-12-22')).toBe(-5);
    expect(ew.workingDaysBetween('2026-11-21', '2026-11-22')).toBe(0);
    expect(ew.workingDaysBetween(new Date('2026-11-20T23:30:00Z'), new Date('2026-11-23T08:00:00Z'))).toBe(1);
    // In summer, 23:30 UTC is already the next day in London.
    expect(ew.workingDaysBetween(new Date('2026-07-02T23:30:00Z'), '2026-07-03')).toBe(0);
  });
});

describe('instants in Europe/London', () => {
  test('"within N working days" ends at 17:00 on the Nth working day, whatever the hour raised', () => {
    expect(london(ew.withinWorkingDays(new Date('2026-12-24T16:59:00Z'), 2))).toBe('2026-12-30T17:00:00+00:00');
    expect(london(ew.withinWorkingDays(new Date('2026-12-24T23:59:00Z'), 2))).toBe('2026-12-30T17:00:00+00:00');
    // Raised on a Sunday evening: Sunday is day 0.
    expect(london(ew.withinWorkingDays(new Date('2026-11-22T21:00:00Z'), 1))).toBe('2026-11-23T17:00:00+00:00');
  });

  test('across the spring clock change (29 March 2026) the deadline is 17:00 BST', () => {
    const d = ew.withinWorkingDays(new Date('2026-03-27T10:00:00Z'), 2);
    expect(london(d)).toBe('2026-03-31T17:00:00+01:00');
    expect(d.toISOString()).toBe('2026-03-31T16:00:00.000Z');
  });

  test('across the autumn clock change (25 October 2026) the deadline is 17:00 GMT', () => {
    const d = ew.withinWorkingDays(new Date('2026-10-23T10:00:00+01:00'), 1);
    expect(london(d)).toBe('2026-10-26T17:00:00+00:00');
    expect(d.toISOString()).toBe('2026-10-26T17:00:00.000Z');
  });

  test('an instant just after midnight BST belongs to the London date, not the UTC date', () => {
    expect(ew.localDate(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(ew.localDate(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12-31');
  });

  test('clock hours are elapsed hours: 24 hours over the spring change reads 25 on the wall clock', () => {
    const raised = new Date('2026-03-28T10:00:00Z'); // 10:00 GMT Saturday
    expect(london(ew.addClockHours(raised, 24))).toBe('2026-03-29T11:00:00+01:00');
    const autumn = new Date('2026-10-24T10:00:00+01:00');
    expect(london(ew.addClockHours(autumn, 24))).toBe('2026-10-25T09:00:00+00:00');
  });

  test('"day N": day 1 is the day the concern arose, or the next working day', () => {
    expect(ew.dayN(new Date('2026-11-23T15:00:00Z'), 1)).toBe('2026-11-23');
    expect(ew.dayN(new Date('2026-11-23T15:00:00Z'), 3)).toBe('2026-11-25');
    expect(ew.dayN(new Date('2026-11-21T15:00:00Z'), 1)).toBe('2026-11-23'); // Saturday → Monday
    expect(ew.dayN(new Date('2026-12-24T15:00:00Z'), 3)).toBe('2026-12-30');
    expect(ew.dayN(new Date('2026-12-24T15:00:00Z'), 3, 'calendar')).toBe('2026-12-26');
    expect(() => ew.dayN(new Date('2026-12-24T15:00:00Z'), 0)).toThrow(/start at 1/);
  });

  test('working time and the next working moment', () => {
    expect(ew.isWorkingTime(new Date('2026-11-23T09:00:00Z'))).toBe(true);
    expect(ew.isWorkingTime(new Date('2026-11-23T17:00:00Z'))).toBe(false);
    expect(ew.isWorkingTime(new Date('2026-07-01T08:30:00Z'))).toBe(true); // 09:30 BST
    expect(ew.isWorkingTime(new Date('2026-12-28T10:00:00Z'))).toBe(false); // substitute day
    expect(london(ew.nextWorkingTime(new Date('2026-12-24T18:00:00Z')))).toBe('2026-12-29T09:00:00+00:00');
    expect(london(ew.nextWorkingTime(new Date('2026-11-23T07:00:00Z')))).toBe('2026-11-23T09:00:00+00:00');
    expect(london(ew.nextWorkingTime(new Date('2026-03-27T18:00:00Z')))).toBe('2026-03-30T09:00:00+01:00');
    expect(london(ew.startOfWorkingDay('2026-10-26'))).toBe('2026-10-26T09:00:00+00:00');
  });

  test('deadlines in words, as on a card', () => {
    expect(deadlineInWords(new Date('2026-12-29T17:00:00Z'), 'Europe/London', new Date('2026-12-22T10:00:00Z'))).toBe(
      'by 5pm Tuesday 29 December',
    );
    expect(deadlineInWords(new Date('2027-01-04T17:00:00Z'), 'Europe/London', new Date('2026-12-22T10:00:00Z'))).toBe(
      'by 5pm Monday 4 January 2027',
    );
    expect(deadlineInWords(new Date('2026-07-01T15:30:00Z'), 'Europe/London', new Date('2026-07-01T10:00:00Z'))).toBe(
      'by 4:30pm Wednesday 1 July',
    );
  });
});

describe('other working hours', () => {
  test('a board that works Monday to Thursday, 08:30–16:00', () => {
    const cal = new WorkingCalendar('england-and-wales', {
      days: ['monday', 'tuesday', 'wednesday', 'thursday'],
      start: '08:30',
      end: '16:00',
      timeZone: 'Europe/London',
    });
    expect(cal.addWorkingDays('2026-11-19', 1)).toBe('2026-11-23');
    expect(london(cal.withinWorkingDays(new Date('2026-11-19T10:00:00Z'), 1))).toBe('2026-11-23T16:00:00+00:00');
  });

  test('nonsense hours are refused', () => {
    expect(
      () =>
        new WorkingCalendar('england-and-wales', {
          days: ['monday'],
          start: '17:00',
          end: '09:00',
          timeZone: 'Europe/London',
        }),
    ).toThrow(/must be after/);
    expect(
      () =>
        new WorkingCalendar('england-and-wales', { days: [], start: '09:00', end: '17:00', timeZone: 'Europe/London' }),
    ).toThrow(/no working day/);
  });

  test('each year of holidays is computed once, whatever the number of lookups', () => {
    let calls = 0;
    const cal = new WorkingCalendar('england-and-wales', undefined, (year) => {
      calls++;
      return bankHolidaysOf('england-and-wales', year);
    });
    for (let i = 0; i < 500; i++) cal.addWorkingDays('2026-12-20', 10);
    expect(calls).toBe(3); // 2025, 2026, 2027
  });
});
