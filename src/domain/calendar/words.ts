/** Instants in the words people use on a card: "by 5pm Tuesday 29 December". */
import { TZDate } from '@date-fns/tz';
// The one function, not the package's index (which loads all of date-fns: ~140 ms and ~20 MB at start).
import { format } from 'date-fns/format';

export function timeInWords(instant: Date, timeZone: string): string {
  const local = new TZDate(instant.getTime(), timeZone);
  const pattern = local.getMinutes() === 0 ? 'haaa' : 'h:mmaaa';
  return format(local, pattern);
}

/** "5pm Tuesday 29 December", with the year added when it is not the year of `relativeTo`. */
export function instantInWords(instant: Date, timeZone: string, relativeTo?: Date): string {
  const local = new TZDate(instant.getTime(), timeZone);
  const sameYear = relativeTo && new TZDate(relativeTo.getTime(), timeZone).getFullYear() === local.getFullYear();
  return `${timeInWords(instant, timeZone)} ${format(local, sameYear ? 'EEEE d MMMM' : 'EEEE d MMMM yyyy')}`;
}

export function deadlineInWords(instant: Date, timeZone: string, relativeTo?: Date): string {
  return `by ${instantInWords(instant, timeZone, relativeTo)}`;
}
