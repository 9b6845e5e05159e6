/**
 * What one sweep of a case records, as pure data (sweepTimers): on time, every timer due fires;
 * after downtime, stale reminders and missed repeats are recorded skipped and the latest nudge of
 * each family fires; and timersOf with a horizon plans every repeat due by then, agreeing with
 * the usual plan on everything the usual plan holds.
 */
import { loadProcedures } from '../../src/app/procedures';
import {
  nextTimerAt,
  raise,
  SWEEPER,
  sweepTimers,
  timersOf,
  type CaseState,
  type Timer,
  type TimerFired,
} from '../../src/domain/escalation';
import type { Procedure } from '../../src/domain/procedure';

const lincolnshire = loadProcedures().get('lincolnshire') as Procedure;

function raised(at: string): CaseState {
  const d = raise(
    lincolnshire,
    {
      type: 'raise',
      actor: { personId: 'a-practitioner', agencyId: 'agency-a', roles: ['practitioner'] },
      sequence: 1,
      immediateRisk: false,
      respondingAgency: { id: 'agency-b' },
      respondingPersonId: 'b-practitioner',
      form: {
        initials: 'A B',
        category: 'other',
        summary: 'A disagreement about a discharge plan.',
        outcomeWanted: 'A joint plan.',
        safetyMeanwhile: 'Daily visits.',
      },
    },
    new Date(at),
  );
  if (!d.ok) throw new Error(d.refusal.message);
  return d.state;
}

const fire =
  (now: Date) =>
  (_state: CaseState, timer: Timer): TimerFired => ({
    type: 'timer-fired',
    at: now.toISOString(),
    by: SWEEPER,
    timer: timer.id,
    kind: timer.kind,
    stage: timer.stage,
    due: timer.at,
    roles: [...new Set(timer.audience.flatMap((a) => a.roles))],
    recipients: [],
    text: timer.id,
    outbox: true,
  });

/** Monday 23 November 2026, 10am: due 5pm Wednesday 25; nudged from 9am Thursday 26. */
const RAISED = '2026-11-23T10:00:00Z';

test('swept at each due instant, every timer fires and none is skipped', () => {
  let state = raised(RAISED);
  const fired: string[] = [];
  for (let i = 0; i < 12; i++) {
    const due = nextTimerAt(state);
    if (!due) break;
    const now = new Date(due);
    const swept = sweepTimers(state, now, fire(now));
    expect(swept.events.filter((e) => e.type === 'timer-skipped')).toEqual([]);
    fired.push(...swept.fired.map((f) => f.timer.id.split('/').pop() ?? ''));
    state = swept.state;
  }
  expect(fired.slice(0, 5)).toEqual(['reminder', 'reminder-today', 'nudge-0', 'nudge-1', 'nudge-2']);
  expect(state.timers?.delivered).toEqual(state.timers?.fired);
});

test('swept after ten working days down: the reminders and nine repeats skipped, the tenth nudge fired, in one pass', () => {
  const state = raised(RAISED);
  const now = new Date('2026-12-09T10:00:00Z');
  const swept = sweepTimers(state, now, fire(now));
  expect(
    swept.events.map((e) => `${e.timer.split('/').pop()} ${e.type === 'timer-skipped' ? e.reason : 'fired'}`),
  ).toEqual([
    'reminder deadline-passed',
    'reminder-today deadline-passed',
    ...Array.from({ length: 9 }, (_, k) => `nudge-${k} superseded`),
    'nudge-9 fired',
  ]);
  expect(swept.fired[0]?.timer.at).toBe('2026-12-09T09:00:00.000Z');
  // Nothing more is due, and the case is next due at the next working day's repeat.
  expect(sweepTimers(swept.state, now, fire(now)).events).toEqual([]);
  expect(nextTimerAt(swept.state)).toBe('2026-12-10T09:00:00.000Z');
});

test('with a horizon, timersOf plans every repeat due by then, and agrees with the usual plan on the rest', () => {
  const state = raised(RAISED);
  const usual = timersOf(state);
  const ahead = timersOf(state, undefined, new Date('2026-12-09T10:00:00Z'));
  const nudges = ahead.filter((t) => t.kind === 'nudge').map((t) => t.id.split('/').pop());
  expect(nudges).toEqual(Array.from({ length: 11 }, (_, k) => `nudge-${k}`)); // up to 9 December, and the next
  for (const t of usual) expect(ahead).toContainEqual(t);
  expect(ahead.find((t) => t.id.endsWith('/nudge-9'))?.at).toBe('2026-12-09T09:00:00.000Z');
});
