/**
 * Timers as pure data: which reminders, nudges and notifications a case is owed, when, to whom,
 * and under which id. A small sweeper below fires them in order with the pure core alone.
 */
import { timerText } from '../../src/app/sweeper';
import {
  calendarFor,
  dueTimers,
  evolve,
  nextTimerAt,
  raise,
  stageDeadlines,
  SWEEPER,
  timersOf,
  type CaseEvent,
  type CaseState,
  type RaiseCommand,
  type Timer,
} from '../../src/domain/escalation';
import { deadlinesOnEntry as deadlinesOnEntryForTest } from '../../src/domain/escalation/rules';
import type { Procedure } from '../../src/domain/procedure';
import { shippedBoard } from '../fakes/cases';

const board = shippedBoard;

function raiseCommand(procedure: Procedure, overrides: Partial<RaiseCommand> = {}): RaiseCommand {
  return {
    type: 'raise',
    actor: { personId: 'ann', agencyId: 'agency-a', roles: [procedure.stages[0]?.sides?.raising[0] ?? 'practitioner'] },
    sequence: 7,
    immediateRisk: false,
    respondingAgency: { id: 'agency-b' },
    respondingPersonId: 'ben',
    form: {
      initials: 'A B',
      category: procedure.categories?.[0]?.id ?? 'other',
      summary: 'The other agency closed the case although the adult is still losing weight.',
      outcomeWanted: 'Keep the case open and review the care plan together.',
      safetyMeanwhile: 'Daily visits by the home care agency continue.',
    },
    ...overrides,
  };
}

function raised(procedure: Procedure, at: string, overrides: Partial<RaiseCommand> = {}): CaseState {
  const decision = raise(procedure, raiseCommand(procedure, overrides), new Date(at));
  if (!decision.ok) throw new Error(decision.refusal.message);
  return decision.state;
}

/** Enter a stage at `at`, as an escalation asked for by `side` would (the pure record only). */
function enter(state: CaseState, stageId: string, at: string, side: 'raising' | 'responding' = 'raising'): CaseState {
  const stage = state.procedure.stages.find((s) => s.id === stageId);
  if (!stage) throw new Error(stageId);
  const calendar = calendarFor(state.procedure);
  const requested: CaseEvent = {
    type: 'escalation-requested',
    at,
    by: { personId: side === 'raising' ? 'ann' : 'ben', agencyId: 'x', party: side, roles: [] },
    fromStage: state.stages[state.stages.length - 1]?.id ?? '',
    toStage: stageId,
    side,
    reason: 'No agreement.',
  };
  const asked = evolve(state, requested);
  return evolve(asked, {
    type: 'stage-entered',
    at,
    by: { personId: 'approver', agencyId: 'x', party: 'board', roles: [] },
    stage: stageId,
    number: stage.number,
    via: 'escalation',
    deadlines: deadlinesOnEntryForTest(asked, stage, new Date(at), calendar),
  });
}

/** Fire every timer due up to `until`, in order, as the sweeper would; returns what fired. */
function sweep(start: CaseState, until: string): { fired: Timer[]; state: CaseState } {
  let state = start;
  const fired: Timer[] = [];
  let now = new Date(state.raisedAt);
  for (let guard = 0; guard < 500; guard++) {
    const next = nextTimerAt(state);
    if (!next || new Date(next) > new Date(until)) break;
    now = new Date(Math.max(now.getTime(), new Date(next).getTime()));
    const due = dueTimers(state, now);
    if (due.length === 0) break;
    for (const t of due) {
      fired.push(t);
      state = evolve(state, {
        type: 'timer-fired',
        at: now.toISOString(),
        by: SWEEPER,
        timer: t.id,
        kind: t.kind,
        stage: t.stage,
        due: t.at,
        roles: [...new Set(t.audience.flatMap((a) => a.roles))],
        recipients: [],
        text: timerText(state, t, now),
      });
      state = evolve(state, {
        type: 'timer-delivered',
        at: now.toISOString(),
        by: SWEEPER,
        timer: t.id,
        reached: [],
        unreachable: [],
      });
    }
  }
  return { fired, state };
}

const brief = (timers: Timer[]): string[] =>
  timers.map((t) => `${t.at} ${t.id.split('/').slice(2).join('/')} → ${roles(t)}`);
const roles = (t: Timer): string => [...new Set(t.audience.flatMap((a) => a.roles))].join('+');

// ── #8: two limits of the same kind on one stage ───────────────────────────────────────────

/** Sefton's case: stage 1 with two conclude-by limits, due 8 and 10 April 2026. */
const camden = board('camden');
const twoLimits: Procedure = {
  ...camden,
  stages: camden.stages.map((s, i) =>
    i === 0
      ? {
          ...s,
          timescales: [
            {
              kind: 'conclude-by' as const,
              amount: 3,
              unit: 'working-days' as const,
              from: 'raised' as const,
              phrase: 'within 3 working days',
            },
            {
              kind: 'conclude-by' as const,
              amount: 5,
              unit: 'working-days' as const,
              from: 'raised' as const,
              phrase: 'within 5 working days',
            },
          ],
        }
      : s,
  ),
};

describe('two limits of the same kind on one stage (#8)', () => {
  // Wednesday 1 April 2026; Good Friday (3rd) and Easter Monday (6th) are bank holidays.
  const state = raised(twoLimits, '2026-04-01T09:00:00.000Z');

  test('each limit gets its own timers; the first keeps the id it always had, the second gets ".2"', () => {
    expect(state.stages[0]?.deadlines.map((d) => d.at)).toEqual([
      '2026-04-08T16:00:00.000Z',
      '2026-04-10T16:00:00.000Z',
    ]);
    const ids = timersOf(state).map((t) => t.id.replace(`${state.reference}/`, ''));
    expect(ids).toContain('stage-1/conclude-by-stage-1/reminder');
    expect(ids).toContain('stage-1/conclude-by-stage-1/nudge-0');
    expect(ids).toContain('stage-1/conclude-by-stage-1.2/reminder');
    expect(ids).toContain('stage-1/conclude-by-stage-1.2/nudge-0');
  });

  test('the second limit’s reminder goes, and its first nudge comes on time, worded as a first nudge', () => {
    const { fired, state: after } = sweep(state, '2026-04-14T18:00:00.000Z');
    expect(brief(fired)).toEqual([
      '2026-04-07T08:00:00.000Z conclude-by-stage-1/reminder → practitioner',
      '2026-04-08T08:00:00.000Z conclude-by-stage-1/reminder-today → practitioner',
      '2026-04-09T08:00:00.000Z conclude-by-stage-1.2/reminder → practitioner',
      '2026-04-09T08:00:00.000Z conclude-by-stage-1/nudge-0 → line-manager',
      '2026-04-10T08:00:00.000Z conclude-by-stage-1.2/reminder-today → practitioner',
      '2026-04-10T08:00:00.000Z conclude-by-stage-1/nudge-1 → line-manager',
      // Monday 13 April, the first working day after the second limit: its own first nudge
      '2026-04-13T08:00:00.000Z conclude-by-stage-1.2/nudge-0 → line-manager',
      '2026-04-14T08:00:00.000Z conclude-by-stage-1.2/nudge-1 → line-manager',
    ]);
    const texts = after.timers?.fired ?? [];
    expect(texts).toHaveLength(8);
    const firstNudgeOfSecond = fired.find((t) => t.id.endsWith('.2/nudge-0'));
    const words = firstNudgeOfSecond ? timerText(state, firstNudgeOfSecond, new Date(firstNudgeOfSecond.at)) : '';
    expect(words).toMatch(/has passed its deadline: stage 1/);
    expect(words).not.toMatch(/still overdue/);
    expect(words).toMatch(/within 5 working days/);
  });

  test('a case running before the upgrade, its first limit’s reminder and nudge fired under the old ids: neither goes again, the second limit’s own reminder does', () => {
    const ref = state.reference;
    const old = [`${ref}/stage-1/conclude-by-stage-1/reminder`, `${ref}/stage-1/conclude-by-stage-1/nudge-0`];
    const upgraded: CaseState = { ...state, timers: { fired: old, delivered: old } };
    expect(dueTimers(upgraded, new Date('2026-04-09T12:00:00.000Z')).map((t) => t.id)).toEqual([
      `${ref}/stage-1/conclude-by-stage-1.2/reminder`,
    ]);
  });
});

// ── #9 and the new kinds: same working day, without delay, zero working days ───────────────

describe('limits on the same working day, without delay, and never before they start (#9)', () => {
  const ns = board('north-somerset');
  const cal = calendarFor(ns);
  const at = (t: Parameters<typeof stageDeadlineOf>[0], from: string): string => stageDeadlineOf(t, from);
  function stageDeadlineOf(t: { amount?: number; unit: string }, from: string): string {
    const stage = {
      ...ns.stages[0]!,
      timescales: [{ kind: 'conclude-by' as const, from: 'raised' as const, phrase: 'p', ...t }],
    };
    const list = stageDeadlines(
      { ...ns, stages: [stage] } as Procedure,
      cal,
      stage as Procedure['stages'][number],
      { raised: new Date(from), stageStarts: new Map([[stage.id, new Date(from)]]), stageEnds: new Map() },
      false,
    );
    return list[0]?.at ?? '';
  }

  test('"on the same working day", raised 10am Tuesday: 5pm that Tuesday', () => {
    expect(at({ unit: 'same-working-day' }, '2026-11-24T10:00:00.000Z')).toBe('2026-11-24T17:00:00.000Z');
  });

  test('"on the same working day", raised after hours on a Friday: the end of Monday, the next working day', () => {
    expect(at({ unit: 'same-working-day' }, '2026-11-27T18:00:00.000Z')).toBe('2026-11-30T17:00:00.000Z');
  });

  test('"on the same working day", raised on Christmas Eve evening: 5pm Tuesday 29 December (25th and the 28th substitute for Boxing Day are bank holidays)', () => {
    expect(at({ unit: 'same-working-day' }, '2026-12-24T18:00:00.000Z')).toBe('2026-12-29T17:00:00.000Z');
  });

  test('"on the same working day", raised on the evening of Maundy Thursday: Tuesday after Easter, in summer time', () => {
    expect(at({ unit: 'same-working-day' }, '2026-04-02T17:30:00.000Z')).toBe('2026-04-07T16:00:00.000Z');
  });

  test('zero working days is read as the same working day', () => {
    expect(at({ amount: 0, unit: 'working-days' }, '2026-11-27T18:00:00.000Z')).toBe('2026-11-30T17:00:00.000Z');
    expect(at({ amount: 0, unit: 'working-days' }, '2026-11-24T10:00:00.000Z')).toBe('2026-11-24T17:00:00.000Z');
  });

  test('"without delay" is due at the instant itself', () => {
    expect(at({ unit: 'without-delay' }, '2026-11-24T10:00:00.000Z')).toBe('2026-11-24T10:00:00.000Z');
  });

  test('day 1 for a concern raised at 6pm on a Friday is not 5pm that Friday, before it was raised: 5pm Monday', () => {
    expect(at({ amount: 1, unit: 'day-number' }, '2026-11-27T18:00:00.000Z')).toBe('2026-11-30T17:00:00.000Z');
  });

  test('day 1 raised at 6pm on Friday 27 March 2026, the clocks going forward that Sunday: 5pm BST Monday', () => {
    expect(at({ amount: 1, unit: 'day-number' }, '2026-03-27T18:00:00.000Z')).toBe('2026-03-30T16:00:00.000Z');
  });
});

// ── reminders on the morning of the deadline's day ────────────────────────────────────────

describe('a reminder on the morning of the deadline’s day, so a case raised late still gets one (DOMAIN.md Nudges)', () => {
  const ns = board('north-somerset');
  const reminders = (state: CaseState): string[] =>
    timersOf(state)
      .filter((t) => t.kind === 'reminder')
      .map((t) => `${t.at} ${t.id.split('/').pop() ?? ''}`);

  test('North Somerset "(Within 1 working day)", raised 9am Monday: no day-before reminder, one at 9am Tuesday', () => {
    const state = raised(ns, '2026-11-23T09:00:00.000Z');
    expect(reminders(state)).toEqual(['2026-11-24T09:00:00.000Z reminder-today']);
    const t = timersOf(state).find((x) => x.kind === 'reminder');
    expect(t && timerText(state, t, new Date(t.at))).toMatch(/due by 5pm today \(“\(Within 1 working day\)”\)/);
  });

  test('raised 3:30pm on Christmas Eve 2026, due 5pm Tuesday 29 December: reminded that morning', () => {
    const state = raised(ns, '2026-12-24T15:30:00.000Z');
    expect(state.stages[0]?.deadlines[0]?.at).toBe('2026-12-29T17:00:00.000Z');
    expect(reminders(state)).toEqual(['2026-12-29T09:00:00.000Z reminder-today']);
  });

  test('raised early enough, both: the working day before (its old id kept) and the morning of the day', () => {
    const state = raised(board('camden'), '2026-11-23T10:00:00.000Z'); // due 5pm Monday 30 November
    expect(reminders(state)).toEqual(['2026-11-27T09:00:00.000Z reminder', '2026-11-30T09:00:00.000Z reminder-today']);
  });

  test('a deadline on a non-working day is reminded of on the working day before, not as "today"', () => {
    const p: Procedure = {
      ...camden,
      stages: camden.stages.map((s, i) =>
        i === 0
          ? {
              ...s,
              timescales: [
                {
                  kind: 'conclude-by' as const,
                  amount: 2,
                  unit: 'calendar-days' as const,
                  from: 'raised' as const,
                  phrase: 'within 2 days',
                },
              ],
            }
          : s,
      ),
    };
    const state = raised(p, '2026-11-26T10:00:00.000Z'); // Thursday: due 5pm Saturday 28 November
    const [t] = timersOf(state).filter((x) => x.kind === 'reminder');
    expect(t?.at).toBe('2026-11-27T09:00:00.000Z');
    expect(t && timerText(state, t, new Date(t.at))).toMatch(/which is due by 5pm Saturday 28 November/);
  });

  test('after the bot was down past the deadline, neither reminder goes: the nudge says it', () => {
    const state = raised(board('camden'), '2026-11-23T10:00:00.000Z');
    const due = dueTimers(state, new Date('2026-12-01T10:00:00.000Z'));
    expect(due.map((t) => t.kind)).toEqual(['nudge']);
  });
});

// ── the ladder: who is nudged, and climbing while nobody acts ─────────────────────────────

describe('nudges go to whoever must act next, and climb while nobody does (DOMAIN.md Nudges)', () => {
  test('Cheshire East step 2 overdue: the Board representatives and the Senior Managers who escalate to them ("escalated by a Senior Manager to the CESAB Board representative")', () => {
    const ce = board('cheshire-east');
    const state = enter(raised(ce, '2026-11-23T10:00:00.000Z'), 'step-2', '2026-11-24T10:00:00.000Z');
    const nudge = timersOf(state).find((t) => t.kind === 'nudge');
    expect(nudge && roles(nudge)).toBe('board-representative+senior-manager');
    expect(nudge?.audience.map((a) => a.party)).toEqual(['raising', 'responding']);
  });

  test('Lincolnshire step 3, non-urgent: the Review and Learning Group and the Senior Liaison Officers who advise the referral ("Senior Liaison Officers can advise")', () => {
    const li = board('lincolnshire');
    let state = enter(raised(li, '2026-11-23T10:00:00.000Z'), 'step-2', '2026-11-24T10:00:00.000Z');
    state = enter(state, 'step-3', '2026-11-25T10:00:00.000Z');
    const nudge = timersOf(state).find((t) => t.kind === 'nudge');
    expect(nudge?.audience).toEqual([
      { party: 'board', agencyId: 'board', roles: ['review-and-learning-group'] },
      { party: 'raising', agencyId: 'agency-a', roles: ['senior-liaison-officer'] },
      { party: 'responding', agencyId: 'agency-b', roles: ['senior-liaison-officer'] },
    ]);
  });

  test('North Somerset stage 1 nobody acts on: the second tier, then senior managers once the second tier has had its own 2 working days, then the Board representatives', () => {
    const ns = board('north-somerset');
    const { fired } = sweep(raised(ns, '2026-11-23T10:00:00.000Z'), '2026-12-03T18:00:00.000Z');
    expect(fired.filter((t) => t.kind === 'nudge').map((t) => `${t.at} ${roles(t)}`)).toEqual([
      '2026-11-25T09:00:00.000Z second-tier-manager', // due 5pm Tuesday 24th
      '2026-11-26T09:00:00.000Z second-tier-manager',
      '2026-11-27T09:00:00.000Z second-tier-manager', // the second tier's 2 working days end 5pm Friday
      '2026-11-30T09:00:00.000Z second-tier-manager+senior-manager',
      '2026-12-01T09:00:00.000Z second-tier-manager+senior-manager',
      '2026-12-02T09:00:00.000Z second-tier-manager+senior-manager', // senior managers' 3 end 5pm Wednesday 2nd
      '2026-12-03T09:00:00.000Z second-tier-manager+senior-manager+board-representative',
    ]);
  });

  test('North Somerset: "no longer than 5 working days ... escalated to stage 4" is a deadline of stage 1 from the outset', () => {
    const state = raised(board('north-somerset'), '2026-11-23T10:00:00.000Z');
    expect(state.stages[0]?.deadlines.map((d) => `${d.stage} ${d.at}`)).toContain('stage-4 2026-11-30T17:00:00.000Z');
  });

  test('a nudge that has climbed says why it has come to the people above', () => {
    const ns = board('north-somerset');
    const { fired, state } = sweep(raised(ns, '2026-11-23T10:00:00.000Z'), '2026-11-30T18:00:00.000Z');
    const climbed = fired.find((t) => t.kind === 'nudge' && (t.climbed ?? 0) > 0);
    expect(climbed && timerText(state, climbed, new Date(climbed.at))).toMatch(/so it has come to you too/);
  });
});

// ── notifications ─────────────────────────────────────────────────────────────────────────

describe('notifications: when the stage fails, to whose agency, to the raiser, within a limit', () => {
  test('North Somerset stage 4: the Business Manager is not told when stage 4 begins but "If the matter is still unresolved"', () => {
    const ns = board('north-somerset');
    let state = raised(ns, '2026-11-23T10:00:00.000Z');
    for (const [id, at] of [
      ['stage-2', '2026-11-23T11:00:00.000Z'],
      ['stage-3', '2026-11-23T12:00:00.000Z'],
      ['stage-4', '2026-11-23T13:00:00.000Z'],
    ] as const)
      state = enter(state, id, at);
    const notes = (s: CaseState): string[] =>
      timersOf(s)
        .filter((t) => t.kind === 'notification')
        .map((t) => `${t.at} ${t.id.split('/').slice(2).join('/')} → ${roles(t)}`);
    // Stage 4 runs to the board default, 5 working days from its start: 5pm Monday 30 November.
    expect(notes(state)).toEqual(['2026-12-01T09:00:00.000Z notify-0/unresolved → board-business-manager']);
    const onward = enter(state, 'stage-5', '2026-11-25T10:00:00.000Z');
    expect(notes(onward)).toEqual(['2026-11-25T10:00:00.000Z notify-0/unresolved → board-business-manager']);
  });

  const luton = board('luton');
  const withNotes = (n: Procedure['stages'][number]['notifications']): Procedure => ({
    ...luton,
    stages: luton.stages.map((s) => (s.id === 'stage-2' ? { ...s, notifications: n } : s)),
  });

  test('own-agency: only the agency of the side that asked to escalate', () => {
    const p = withNotes([
      { to: 'safeguarding-lead', where: 'own-agency', when: ['escalated'], about: 'the dispute', phrase: 'p' },
    ]);
    const state = enter(raised(p, '2026-11-23T10:00:00.000Z'), 'stage-2', '2026-11-23T11:00:00.000Z', 'responding');
    const note = timersOf(state).find((t) => t.kind === 'notification');
    expect(note?.audience).toEqual([{ party: 'responding', agencyId: 'agency-b', roles: ['safeguarding-lead'] }]);
  });

  test('where: raiser goes to the person who raised the concern, by name', () => {
    const p = withNotes([{ where: 'raiser', when: ['escalated'], about: 'the escalation', phrase: 'p' }]);
    const state = enter(raised(p, '2026-11-23T10:00:00.000Z'), 'stage-2', '2026-11-23T11:00:00.000Z');
    const note = timersOf(state).find((t) => t.kind === 'notification');
    expect(note?.audience).toEqual([{ party: 'raising', agencyId: 'agency-a', roles: [], personId: 'ann' }]);
  });

  test('a notification with a limit ("made aware within one working day") shows the limit, met by sending it', () => {
    const p = withNotes([
      {
        to: 'safeguarding-lead',
        where: 'both-agencies',
        when: ['escalated'],
        about: 'the dispute',
        phrase: 'The Chair should be made aware within one working day',
        within: { amount: 1, unit: 'working-days', phrase: 'within one working day' },
      },
    ]);
    const state = enter(raised(p, '2026-11-27T10:00:00.000Z'), 'stage-2', '2026-11-27T11:00:00.000Z');
    const note = timersOf(state).find((t) => t.kind === 'notification');
    expect(note?.at).toBe('2026-11-27T11:00:00.000Z');
    expect(note?.limit?.at).toBe('2026-11-30T17:00:00.000Z');
    expect(note && timerText(state, note, new Date(note.at))).toMatch(
      /told by 5pm Monday 30 November \(“within one working day”\): this is that message/,
    );
  });

  test('a missed limit is nudged with what it expects, not "neither resolved nor escalated"', () => {
    const li = board('lincolnshire');
    const state = raised(li, '2026-11-23T10:00:00.000Z');
    const nudge = timersOf(state).find((t) => t.kind === 'nudge');
    const words = nudge ? timerText(state, nudge, new Date(nudge.at)) : '';
    expect(words).toMatch(/What was expected by then: a mutually agreed plan of action with clear timescales/);
    expect(words).not.toMatch(/neither resolved nor escalated/);
  });
});

// ── defaults for some stages, limits for some categories, the shorter of two ─────────────

describe('defaults for some stages, limits for some categories, the shorter of two limits', () => {
  test('Lincolnshire 4a has no limit from the board default, whose note speaks of 4b only ("Step 4b ... has no timescale")', () => {
    const li = board('lincolnshire');
    let state = raised(li, '2026-11-23T10:00:00.000Z', { immediateRisk: false });
    state = enter(state, 'step-2', '2026-11-24T10:00:00.000Z');
    state = enter(state, 'step-3', '2026-11-25T10:00:00.000Z');
    const fourA = li.stages.find((s) => s.id === 'step-4a');
    const fourB = li.stages.find((s) => s.id === 'step-4b');
    if (!fourA || !fourB) throw new Error('no step 4');
    const cal = calendarFor(li);
    const a = deadlinesOnEntryForTest(state, fourA, new Date('2026-11-26T10:00:00.000Z'), cal);
    const b = deadlinesOnEntryForTest(state, fourB, new Date('2026-11-26T10:00:00.000Z'), cal);
    expect(a.map((d) => d.source)).toEqual(['procedure']); // its own "date set within 24 hours of step 3"
    expect(b.map((d) => `${d.source} ${d.at}`)).toEqual(['board-default 2026-12-03T17:00:00.000Z']);
  });

  const camdenWith = (timescales: Procedure['stages'][number]['timescales']): Procedure => ({
    ...camden,
    stages: camden.stages.map((s, i) => (i === 0 ? { ...s, timescales } : s)),
  });

  test('a limit for some categories only applies to cases of those categories', () => {
    const category = camden.categories?.[0]?.id ?? 'other';
    const p = camdenWith([
      { kind: 'conclude-by', amount: 5, unit: 'working-days', from: 'stage-start', phrase: 'one working week' },
      {
        kind: 'conclude-by',
        amount: 1,
        unit: 'working-days',
        from: 'stage-start',
        phrase: 'within one working day for this category',
        categories: ['some-other-category'],
      },
    ]);
    const state = raised(p, '2026-11-23T10:00:00.000Z', {
      form: { ...raiseCommand(p).form, category },
    });
    expect(state.stages[0]?.deadlines.map((d) => d.phrase)).toEqual(['one working week']);
  });

  test('"within one working week or ... whichever is shortest": two limits sharing shortestOf make one, the earlier', () => {
    const p = camdenWith([
      {
        kind: 'conclude-by',
        amount: 5,
        unit: 'working-days',
        from: 'stage-start',
        phrase: 'within one working week',
        shortestOf: 'first-limit',
      },
      {
        kind: 'conclude-by',
        amount: 2,
        unit: 'calendar-days',
        from: 'stage-start',
        phrase: 'within 2 days',
        shortestOf: 'first-limit',
      },
    ]);
    const state = raised(p, '2026-11-27T10:00:00.000Z'); // Friday: 2 calendar days is Sunday, before 5 working days
    expect(state.stages[0]?.deadlines.map((d) => `${d.at} ${d.phrase}`)).toEqual([
      '2026-11-29T17:00:00.000Z within 2 days',
    ]);
  });
});
