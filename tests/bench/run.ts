/**
 * `npm run bench`: figures, one a line, as `<name>: <number> <unit>`. Answers are asserted,
 * never timed in unit tests. A figure compared with a floor measured in the same run is checked
 * against its limit, and the run fails (exit 1) when it is out. `npm run bench -- outbox slack`
 * runs only those groups (calendar, core, sqlite, cosmos, teams, slack, sweep, outbox, start).
 */
import { strict as assert } from 'node:assert';
import { performance } from 'node:perf_hooks';
import { loadProcedures } from '../../src/app/procedures';
import {
  WorkingCalendar,
  fromDayNumber,
  isBankHolidayNaive,
  toDayNumber,
  weekdayOfDayNumber,
  type Nation,
} from '../../src/domain/calendar';
import { calendarFor, decide, raise, type CaseState } from '../../src/domain/escalation';
import { benchCosmos, benchSqlite } from './store';
import { benchTeams } from './teams';
import { benchSlack } from './slack';
import { benchSweep } from './sweep';
import { benchOutbox } from './outbox';
import { benchStart } from './start';
import { benchReport } from './report';

function print(name: string, value: number, unit: string): void {
  const shown = value >= 100 ? Math.round(value).toString() : value.toPrecision(3);
  process.stdout.write(`${name}: ${shown} ${unit}\n`);
}

/** A fixed pseudo-random sequence, so every run does the same additions. */
function* lcg(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2147483648;
    yield x / 2147483648;
  }
}

function additions(count: number): Array<{ from: string; days: number }> {
  const rnd = lcg(42);
  const start = toDayNumber('2025-01-01');
  return Array.from({ length: count }, () => ({
    from: fromDayNumber(start + Math.floor(rnd.next().value * 365 * 4)),
    days: 1 + Math.floor(rnd.next().value * 20),
  }));
}

/** The naive way: step a day at a time, asking date-holidays about each weekday. */
function naiveAdd(nation: Nation, from: string, days: number): string {
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

function benchCalendar(): void {
  const nation: Nation = 'england-and-wales';
  const cal = new WorkingCalendar(nation);
  const work = additions(200_000);
  cal.addWorkingDays('2026-01-01', 1); // load the years once, as a running bot would have
  for (const w of work.slice(0, 20_000)) cal.addWorkingDays(w.from, w.days); // warm up
  const t0 = performance.now();
  let sink = 0;
  for (const w of work) sink += cal.addWorkingDays(w.from, w.days).length;
  const ours = performance.now() - t0;
  assert.ok(sink > 0);
  const oursOps = work.length / (ours / 1000);
  print('calendar.add_working_days', oursOps, 'ops/s');

  const naiveWork = work.slice(0, 400);
  naiveAdd(nation, '2026-01-01', 5); // warm up date-holidays
  const t1 = performance.now();
  const naiveAnswers = naiveWork.map((w) => naiveAdd(nation, w.from, w.days));
  const naive = performance.now() - t1;
  naiveWork.forEach((w, i) =>
    assert.equal(cal.addWorkingDays(w.from, w.days), naiveAnswers[i], `${w.from} + ${w.days}`),
  );
  const naiveOps = naiveWork.length / (naive / 1000);
  print('calendar.naive_add_working_days', naiveOps, 'ops/s');
  print('calendar.speedup_vs_naive', oursOps / naiveOps, 'x');

  const t2 = performance.now();
  const instants = 50_000;
  for (let i = 0; i < instants; i++) cal.withinWorkingDays(new Date(Date.UTC(2026, 0, 1) + i * 3_600_000), 5);
  print('calendar.within_working_days', instants / ((performance.now() - t2) / 1000), 'ops/s');
}

function benchCore(): void {
  const t0 = performance.now();
  const procedures = loadProcedures();
  print('procedures.load_five_boards', performance.now() - t0, 'ms');
  const ns = procedures.get('north-somerset');
  assert.ok(ns);
  const calendar = calendarFor(ns);
  const worker = { personId: 'ann', agencyId: 'council', roles: ['practitioner'] };
  const manager = { personId: 'eve', agencyId: 'council', roles: ['second-tier-manager'] };
  const form = { initials: 'JS', category: 'case-closure', summary: 's', outcomeWanted: 'o', safetyMeanwhile: 'm' };
  const rounds = 5_000;
  const t1 = performance.now();
  for (let i = 0; i < rounds; i++) {
    const now = new Date(Date.UTC(2026, 10, 2) + (i % 500) * 3_600_000);
    const raised = raise(
      ns,
      { type: 'raise', actor: worker, sequence: i + 1, immediateRisk: false, respondingAgency: { id: 'trust' }, form },
      now,
      calendar,
    );
    assert.ok(raised.ok);
    let state: CaseState = raised.state;
    const asked = decide(state, { type: 'request-escalation', actor: worker, reason: 'r' }, now, calendar);
    assert.ok(asked.ok);
    state = asked.state;
    const up = decide(state, { type: 'approve-escalation', actor: manager }, now, calendar);
    assert.ok(up.ok && up.state.stages.length === 2);
  }
  print('core.raise_escalate_approve', rounds / ((performance.now() - t1) / 1000), 'cases/s');
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const groups: Array<[string, () => void | Promise<void>]> = [
    ['calendar', benchCalendar],
    ['core', benchCore],
    ['sqlite', () => benchSqlite(print)],
    ['cosmos', () => benchCosmos(print)],
    ['teams', () => benchTeams(print)],
    ['slack', () => benchSlack(print)],
    ['sweep', () => benchSweep(print)],
    ['outbox', () => benchOutbox(print)],
    ['start', () => benchStart(print)],
    ['report', () => benchReport(print)],
  ];
  const unknown = only.filter((name) => !groups.some(([g]) => g === name));
  if (unknown.length) throw new Error(`no such figures: ${unknown.join(', ')}`);
  for (const [name, bench] of groups) if (!only.length || only.includes(name)) await bench();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
