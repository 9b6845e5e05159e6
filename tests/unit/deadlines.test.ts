import { formatInZone } from '../../src/domain/calendar';
import { calendarFor, planTimeline } from '../../src/domain/escalation';
import type { Procedure } from '../../src/domain/procedure';
import { shippedBoard } from '../fakes/cases';

const board = shippedBoard;

/** [id, startBy, dueBy] in London time, as a board manager would read them. */
function timeline(p: Procedure, raised: string): Array<[string, string, string]> {
  return planTimeline(p, calendarFor(p), new Date(raised)).map((s) => [
    s.id,
    s.startBy ? formatInZone(s.startBy, 'Europe/London') : '-',
    s.dueBy ? formatInZone(s.dueBy, 'Europe/London') : '-',
  ]);
}

describe('each board’s stage timeline, every stage run to its limit', () => {
  test('Camden: one working week a stage, from its own start, across Christmas and New Year', () => {
    expect(timeline(board('camden'), '2026-12-17T11:00:00Z')).toEqual([
      ['stage-1', '-', '2026-12-24T17:00:00+00:00'],
      ['stage-2', '-', '2027-01-05T17:00:00+00:00'], // 29, 30, 31 Dec; 4, 5 Jan
      ['stage-3', '-', '2027-01-12T17:00:00+00:00'],
      ['stage-4', '-', '2027-01-19T17:00:00+00:00'],
      ['stage-5', '-', '2027-01-26T17:00:00+00:00'], // the board's default for the meeting
    ]);
  });

  test('"one working week" written as 1 working-weeks gives the same Camden timeline as 5 working days', () => {
    const camden = board('camden');
    const weeks: Procedure = {
      ...camden,
      stages: camden.stages.map((s) => ({
        ...s,
        timescales: s.timescales.map((t) => ({ ...t, amount: 1, unit: 'working-weeks' as const })),
      })),
    };
    expect(timeline(weeks, '2026-12-17T11:00:00Z')).toEqual(timeline(camden, '2026-12-17T11:00:00Z'));
  });

  test('Luton: no timescale in the procedure, so the board default of 5 working days a stage', () => {
    expect(timeline(board('luton'), '2026-11-23T09:00:00Z')).toEqual([
      ['stage-1', '-', '2026-11-30T17:00:00+00:00'],
      ['stage-2', '-', '2026-12-07T17:00:00+00:00'],
      ['stage-3', '-', '2026-12-14T17:00:00+00:00'],
      ['stage-4', '-', '2026-12-21T17:00:00+00:00'],
    ]);
  });

  test('Cheshire East: 24 hours, then days 3, 9, 14, 16 and 21 counted in working days over Christmas', () => {
    // Day 1 is Friday 18 December; Christmas Day and the Boxing Day substitute (28th) and New Year's Day do not count.
    expect(timeline(board('cheshire-east'), '2026-12-18T16:30:00Z')).toEqual([
      ['step-1', '2026-12-19T16:30:00+00:00', '2026-12-22T17:00:00+00:00'], // 24 clock hours; bounded by step 2's "no later than day 3"
      ['step-2', '2026-12-22T17:00:00+00:00', '2027-01-04T17:00:00+00:00'], // day 3, day 9
      ['step-3', '2027-01-04T17:00:00+00:00', '2027-01-11T17:00:00+00:00'], // day 9, day 14
      ['step-4', '2027-01-13T17:00:00+00:00', '2027-01-18T17:00:00+00:00'], // day 16; 5 working days from step 4's start comes before day 21
    ]);
  });

  test('Cheshire East switched to calendar days counts day N from the day the concern arose', () => {
    const calendarDays: Procedure = { ...board('cheshire-east'), counting: { dayNumbers: 'calendar' } };
    expect(timeline(calendarDays, '2026-12-18T16:30:00Z')).toEqual([
      ['step-1', '2026-12-19T16:30:00+00:00', '2026-12-20T17:00:00+00:00'],
      ['step-2', '2026-12-20T17:00:00+00:00', '2026-12-26T17:00:00+00:00'],
      ['step-3', '2026-12-26T17:00:00+00:00', '2026-12-31T17:00:00+00:00'],
      ['step-4', '2027-01-02T17:00:00+00:00', '2027-01-07T17:00:00+00:00'],
    ]);
  });

  test('Cheshire East: a concern arising on a Saturday starts day 1 on Monday', () => {
    const rows = timeline(board('cheshire-east'), '2026-11-21T10:00:00Z');
    expect(rows[1]).toEqual(['step-2', '2026-11-25T17:00:00+00:00', '2026-12-03T17:00:00+00:00']);
  });

  test('Lincolnshire over Easter and the spring clock change: 2 working days, 5 from step 1, 2, then 24 hours', () => {
    expect(timeline(board('lincolnshire'), '2026-03-26T10:00:00Z')).toEqual([
      ['step-1', '-', '2026-03-30T17:00:00+01:00'],
      ['step-2', '-', '2026-04-02T17:00:00+01:00'],
      ['step-3', '-', '2026-04-08T17:00:00+01:00'], // Good Friday and Easter Monday do not count
      ['step-4a', '2026-04-09T17:00:00+01:00', '-'], // the board default is for 4b only: "Step 4b ... has no timescale"
      ['step-4b', '-', '2026-04-15T17:00:00+01:00'],
    ]);
  });

  test('North Somerset: 1, 2, 3 working days from the outset, stage 4 reached within 5, across the autumn clock change', () => {
    expect(timeline(board('north-somerset'), '2026-10-22T15:00:00+01:00')).toEqual([
      ['stage-1', '2026-10-23T17:00:00+01:00', '2026-10-23T17:00:00+01:00'],
      ['stage-2', '-', '2026-10-26T17:00:00+00:00'],
      ['stage-3', '-', '2026-10-27T17:00:00+00:00'],
      ['stage-4', '2026-10-29T17:00:00+00:00', '2026-11-03T17:00:00+00:00'],
      ['stage-5', '-', '2026-11-10T17:00:00+00:00'],
    ]);
  });

  test('every source names the phrase it came from, and the board default says it is one', () => {
    const plan = planTimeline(
      board('north-somerset'),
      calendarFor(board('north-somerset')),
      new Date('2026-11-20T10:00:00Z'),
    );
    // Stage 2's own heading, and stage 4's "within 5 working days" from the outset, which bounds it too.
    expect(plan[1]?.source).toBe(
      '(Within 2 working days) | From the outset of a concern being considered by any worker it should take no longer than 5 working days for it to be either resolved or, if not resolved, escalated to stage 4.',
    );
    expect(plan[4]?.source).toMatch(/^board default: /);
  });
});
