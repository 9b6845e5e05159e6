/**
 * Bank holidays of the three UK jurisdictions, from date-holidays: only `public` entries
 * (it also lists observances such as Mother's Day), substitute days included. Each
 * jurisdiction's year is computed once and kept.
 */
import Holidays from 'date-holidays';
import type { LocalDate } from './local-date';

export const NATIONS = ['england-and-wales', 'scotland', 'northern-ireland'] as const;
export type Nation = (typeof NATIONS)[number];

export const NATION_NAMES: Record<Nation, string> = {
  'england-and-wales': 'England and Wales',
  scotland: 'Scotland',
  'northern-ireland': 'Northern Ireland',
};

/** date-holidays' region codes; Wales shares England's bank holidays. */
const REGION: Record<Nation, string> = {
  'england-and-wales': 'ENG',
  scotland: 'SCT',
  'northern-ireland': 'NIR',
};

export interface BankHoliday {
  date: LocalDate;
  name: string;
  substitute: boolean;
}

/** Gives a jurisdiction's bank holidays for one year. The calendar calls it once a year. */
export type HolidaySource = (year: number) => readonly BankHoliday[];

const instances = new Map<Nation, Holidays>();

function holidaysFor(nation: Nation): Holidays {
  let hd = instances.get(nation);
  if (!hd) {
    hd = new Holidays('GB', REGION[nation], { types: ['public'] });
    instances.set(nation, hd);
  }
  return hd;
}

/** Bank holidays of `nation` in `year`, computed by date-holidays (slow: call once a year). */
export function bankHolidaysOf(nation: Nation, year: number): BankHoliday[] {
  return holidaysFor(nation)
    .getHolidays(year)
    .filter((h) => h.type === 'public')
    .map((h) => ({ date: h.date.slice(0, 10), name: h.name, substitute: Boolean(h.substitute) }));
}

export function dateHolidaysSource(nation: Nation): HolidaySource {
  return (year) => bankHolidaysOf(nation, year);
}

/**
 * The naive way, kept only so the benchmark can show what the yearly cache saves:
 * asks date-holidays about one day.
 */
export function isBankHolidayNaive(nation: Nation, date: LocalDate): boolean {
  const found = holidaysFor(nation).isHoliday(new Date(`${date}T12:00:00Z`));
  return Array.isArray(found) && found.some((h) => h.type === 'public');
}
