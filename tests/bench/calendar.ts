/**
 * The calendar's figures (in this process: pure arithmetic, no peers to share a loop with).
 * - calendar.speedup_vs_naive.n<N>: adding N working days (N = 2, 20, 200, 2000) with the
 *   WorkingCalendar against the naive way (a day at a time, asking date-holidays about each
 *   weekday), the same additions, the answers checked equal; limit ≥ 10,000× at each N.
 * - calendar.flatness: the WorkingCalendar's cost per addition at N=2000 over N=2; limit ≤ 2.
 * Each is three runs; naive and ours are timed in the same run, one after the other.
 */
import { strict as assert } from 'node:assert';
import { performance } from 'node:perf_hooks';
import {
  WorkingCalendar,
  fromDayNumber,
  isBankHolidayNaive,
  toDayNumber,
  weekdayOfDayNumber,
  type Nation,
} from '../../src/domain/calendar';
import { figure, info } from './figures';

const RUNS = 3;
const NS = [2, 20, 200, 2000] as const;

/** A fixed pseudo-random sequence, so every run does the same additions. */
function* lcg(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2147483648;
    yield x / 2147483648;
  }
}

/** Start days over 2025–2028 (so that N = 2000 working days stays inside the years loaded). */
function starts(count: number, seed: number): string[] {
  const rnd = lcg(seed);
  const start = toDayNumber('2025-01-01');
  return Array.from({ length: count }, () => fromDayNumber(start + Math.floor(rnd.next().value * 365 * 4)));
}

/** The naive way: step a day at a time, asking date-holidays about each weekday. */
export function naiveAdd(nation: Nation, from: string, days: number): string {
  let day = toDayNumber(from);
  let left = days;
  while (left > 0) {
    day++;
    const wd = weekdayOfDayNumber(day);
    if (wd === 0 || wd === 6) continue;
    if (!isBankHolidayNaive(nation, fromDayNumber(day))) left--;
  }
  return fromDayNumber(day);
}

/** Nanoseconds per addition of `n` working days, over `froms`. */
function ours(cal: WorkingCalendar, froms: readonly string[], n: number): number {
  let sink = 0;
  const t0 = performance.now();
  for (const from of froms) sink += cal.addWorkingDays(from, n).length;
  const ns = ((performance.now() - t0) * 1e6) / froms.length;
  assert.ok(sink > 0);
  return ns;
}

export function benchCalendar(): void {
  const nation: Nation = 'england-and-wales';
  const cal = new WorkingCalendar(nation);
  cal.addWorkingDays('2025-01-01', 2000); // the years loaded once, as a running bot has them
  naiveAdd(nation, '2026-01-01', 5); // date-holidays warmed up
  const fast = starts(100_000, 42);
  for (const n of NS) ours(cal, fast.slice(0, 20_000), n); // warm up
  const oursNs = new Map<number, number[]>(NS.map((n) => [n, []]));
  const naiveNs = new Map<number, number[]>(NS.map((n) => [n, []]));
  for (let run = 0; run < RUNS; run++)
    for (const n of NS) {
      // The naive walk costs about half a millisecond a weekday: one addition at N=2000 is most of a second.
      const slow = starts(Math.max(1, Math.round(200 / n)), 7 + run);
      const t0 = performance.now();
      const answers = slow.map((from) => naiveAdd(nation, from, n));
      naiveNs.get(n)?.push(((performance.now() - t0) * 1e6) / slow.length);
      slow.forEach((from, i) => assert.equal(cal.addWorkingDays(from, n), answers[i], `${from} + ${n}`));
      oursNs.get(n)?.push(ours(cal, fast, n));
    }
  for (const n of NS) {
    const mine = oursNs.get(n) ?? [];
    const naive = naiveNs.get(n) ?? [];
    info(`calendar.add_working_days.n${n}`, Math.min(...mine), 'ns (best)');
    figure({
      name: `calendar.speedup_vs_naive.n${n}`,
      unit: '×',
      runs: naive.map((v, i) => v / (mine[i] ?? NaN)),
      limit: { min: 10_000 },
      note: `naive ${Math.round(Math.min(...naive)).toLocaleString('en-GB')} ns, ours ${Math.min(...mine).toFixed(1)} ns`,
    });
  }
  const at2 = oursNs.get(2) ?? [];
  figure({
    name: 'calendar.flatness',
    unit: '×',
    runs: (oursNs.get(2000) ?? []).map((v, i) => v / (at2[i] ?? NaN)),
    limit: { max: 2 },
    note: 'cost of N=2000 over N=2',
  });

  const t2 = performance.now();
  const instants = 50_000;
  for (let i = 0; i < instants; i++) cal.withinWorkingDays(new Date(Date.UTC(2026, 0, 1) + i * 3_600_000), 5);
  info('calendar.within_working_days', instants / ((performance.now() - t2) / 1000), 'ops/s');
}
