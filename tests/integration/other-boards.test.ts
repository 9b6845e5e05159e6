/**
 * Other boards' kinds of rule, written in the project's own format. Three invented boards
 * (tests/fixtures/boards: Example Borough, Riverside, Hillside) carry, between them, every kind of
 * rule the issue lists for boards other than the five shipped ones; each rule has its own invented
 * phrase. Each file passes `procedure check` as a board administrator runs it, and for each kind a
 * case driven through the real core (raise, decide, timersOf, the sweeper's pure parts) shows the
 * behaviour at exact instants: weekends, England and Wales bank holidays (Good Friday and Easter
 * Monday 2026, Christmas and the Boxing Day substitute), and the clock changes of 29 March and
 * 25 October 2026.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  clashWithOtherBoards,
  loadProcedureFile,
  loadProcedures,
  SHIPPED_PROCEDURES_DIR,
} from '../../src/app/procedures';
import { timerText } from '../../src/app/sweeper';
import {
  availableCommands,
  decide,
  dueTimers,
  owedMilestones,
  calendarFor,
  planTimeline,
  raise,
  raiseFormSchema,
  timersOf,
  type CaseState,
  type RaiseCommand,
  type Timer,
} from '../../src/domain/escalation';
import { checkProcedureText, type Procedure } from '../../src/domain/procedure';
import { runCli } from '../fakes/cli';
import { ok, refusal, runSteps as run, stageOf, who } from '../fakes/cases';

const BOARDS = resolve(__dirname, '..', 'fixtures', 'boards');
const FILES = ['example-borough', 'riverside', 'hillside'];
const fileOf = (id: string): string => join(BOARDS, `${id}.yaml`);
const load = (id: string): Procedure => loadProcedureFile(fileOf(id));

const A = 'agency-a';
const B = 'agency-b';
const ann = who('ann', A, 'practitioner');
const ben = who('ben', B, 'practitioner');

function raiseOn(procedure: Procedure, at: string, overrides: Partial<RaiseCommand> = {}): CaseState {
  return ok(
    raise(
      procedure,
      {
        type: 'raise',
        actor: ann,
        sequence: 1,
        immediateRisk: false,
        respondingAgency: { id: B },
        respondingPersonId: 'ben',
        form: {
          initials: 'J S',
          category: procedure.categories?.[0]?.id ?? 'other',
          summary: 'The other agency closed the case although the adult is still losing weight.',
          outcomeWanted: 'Keep the case open and review the care plan together.',
          safetyMeanwhile: 'Daily visits by the home care agency continue.',
        },
        ...overrides,
      },
      new Date(at),
    ),
  ).state;
}

const deadlinesOf = (state: CaseState): string[] =>
  (state.stages[state.stages.length - 1]?.deadlines ?? []).map((d) => `${d.at} ${d.phrase}`);
const roles = (t: Timer): string => [...new Set(t.audience.flatMap((a) => a.roles))].join('+');

// ── each file passes `procedure check` ────────────────────────────────────────────────────────

describe('each invented board passes procedure check with no problems', () => {
  test.each(FILES)('%s: the check function finds nothing, and its prefix is no shipped board’s', (id) => {
    const checked = checkProcedureText(readFileSync(fileOf(id), 'utf8'));
    if (!checked.ok) throw new Error(checked.problems.map((p) => `${p.where}: ${p.message}`).join('\n'));
    expect(checked.value.id).toBe(id);
    expect(clashWithOtherBoards(fileOf(id), checked.value, [SHIPPED_PROCEDURES_DIR, BOARDS])).toEqual([]);
  });

  test('the prefixes are the three boards’ own: EXB, RVS, HSB', () => {
    expect(FILES.map((id) => load(id).referencePrefix)).toEqual(['EXB', 'RVS', 'HSB']);
  });

  test('all three load beside the five shipped boards, none refused (PROCEDURES_DIR)', () => {
    const refused: string[] = [];
    const all = loadProcedures([SHIPPED_PROCEDURES_DIR, BOARDS], (problem) => refused.push(problem.message));
    expect(refused).toEqual([]);
    expect([...all.keys()]).toEqual(expect.arrayContaining([...FILES, 'camden', 'north-somerset']));
  });

  test('`deadlines` for Example Borough, raised 6pm Friday 27 March 2026: "on the same working day" is 5pm BST Monday 30 March', () => {
    const cli = runCli(['deadlines', '--board', 'example-borough', '--raised', '2026-03-27T18:00:00Z'], {
      PROCEDURES_DIR: BOARDS,
    });
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/stage-1 {2}Practitioner and own line manager\n {2}due by {4}5pm Monday 30 March/);
    // The plan is for a case of any kind: the limit for one kind of disagreement is listed, marked, not counted.
    expect(cli.stdout).toMatch(/stage-2 {2}Line managers\n {2}due by {4}5pm Tuesday 31 March/);
    expect(cli.stdout).toMatch(
      /without delay\." \(only for: Whether the adult is at risk of harm; not counted above\)\n/,
    );
  });

  test('`deadlines` for Riverside: a stage whose limit runs from what the card records says so, not an empty "from:"', () => {
    const cli = runCli(['deadlines', '--board', 'riverside', '--raised', '2026-03-23T10:00:00Z'], {
      PROCEDURES_DIR: BOARDS,
    });
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(
      /stage-3 {2}Senior managers' meeting\n {2}no limit known in advance: its limits run from what is recorded on the card/,
    );
  });

  test('the stage plan of a case of any kind counts no limit for some categories only ("Where the disagreement is about whether the adult is at risk of harm")', () => {
    const EXB = load('example-borough');
    const plan = planTimeline(EXB, calendarFor(EXB), new Date('2026-03-27T18:00:00.000Z'));
    const two = plan.find((s) => s.id === 'stage-2');
    // Stage 2 starts at 5pm BST Monday 30 March, stage 1's end: "within 0 working days" is the next working day.
    expect(two?.dueBy?.toISOString()).toBe('2026-03-31T16:00:00.000Z');
    expect(two?.limits.map((l) => `${l.at.toISOString()} ${(l.categories ?? []).join(',')}`)).toEqual([
      '2026-03-30T16:00:00.000Z risk-of-harm',
      '2026-03-31T16:00:00.000Z ',
    ]);
  });

  test.each(FILES)('%s: `npm run cli -- procedure check` says ok, exit 0, nothing on stderr', (id) => {
    const cli = runCli(['procedure', 'check', fileOf(id)]);
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`: ok - .*\\(${id}\\)`))]);
  });
});

// ── Example Borough: one agency, same working day, zero working days, without delay, categories, no immediate risk ──

describe('Example Borough', () => {
  const EXB = load('example-borough');
  const annManager = who('cat', A, 'line-manager');
  const benManager = who('dev', B, 'line-manager');

  test('kind 14, a procedure that says nothing about immediate risk: no question on the raising form, no case marked urgent', () => {
    expect(EXB.immediateRisk).toBeUndefined();
    expect(Object.keys(raiseFormSchema(EXB).shape)).not.toContain('immediateRisk');
    const state = raiseOn(EXB, '2026-03-24T10:00:00.000Z', { immediateRisk: true });
    expect(state.urgent).toBe(false);
    expect(stageOf(state)).toBe('stage-1');
  });

  test('kind 2, "on the same working day", raised 10am Tuesday 24 March 2026: 5pm that Tuesday', () => {
    expect(deadlinesOf(raiseOn(EXB, '2026-03-24T10:00:00.000Z'))).toEqual([
      expect.stringMatching(/^2026-03-24T17:00:00.000Z The practitioner should discuss/),
    ]);
  });

  test('kind 2, "on the same working day", raised 6pm Friday 27 March 2026 (after hours, the clocks go forward on Sunday): 5pm BST Monday 30 March', () => {
    expect(deadlinesOf(raiseOn(EXB, '2026-03-27T18:00:00.000Z'))).toEqual([
      expect.stringMatching(/^2026-03-30T16:00:00.000Z The practitioner should discuss/),
    ]);
  });

  test('kind 13, a stage within one agency ("with their own line manager"): the other agency has nothing to do; its own line manager settles it', () => {
    const state = raiseOn(EXB, '2026-03-24T10:00:00.000Z');
    const at = new Date('2026-03-24T11:00:00.000Z');
    expect(availableCommands(state, ben, at)).toEqual(['add-note']);
    expect(refusal(decide(state, { type: 'acknowledge', actor: benManager }, at)).code).toBe('not-your-role');
    const done = ok(
      decide(
        state,
        { type: 'propose-resolution', actor: annManager, outcome: 'We accept their view.', outstandingIssues: 'none' },
        at,
      ),
    );
    expect(done.state.status).toBe('resolved');
  });

  test('kind 13: the one agency’s stage, overdue at 5pm, nudges the line managers of both agencies (stage 2) at 9am the next working day', () => {
    const state = raiseOn(EXB, '2026-03-24T10:00:00.000Z');
    const nudge = timersOf(state).find((t) => t.kind === 'nudge');
    expect(nudge?.at).toBe('2026-03-25T09:00:00.000Z');
    expect(nudge?.audience.map((a) => `${a.agencyId}:${a.roles.join('+')}`)).toEqual([
      `${A}:line-manager`,
      `${B}:line-manager`,
    ]);
  });

  /** Escalated to the line managers at 5:30pm BST on Thursday 2 April 2026, before Good Friday and Easter Monday. */
  function atLineManagers(category: string): CaseState {
    return run(raiseOn(EXB, '2026-04-02T08:00:00.000Z', { form: { ...formFor(EXB), category } }), [
      [
        '2026-04-02T16:30:00.000Z',
        { type: 'request-escalation', actor: annManager, reason: 'Needs the other agency.' },
      ],
    ]);
  }

  test('kind 3, zero working days ("within 0 working days"), reached after hours before Easter: 5pm BST Tuesday 7 April 2026', () => {
    const state = atLineManagers('care-and-support');
    expect(stageOf(state)).toBe('stage-2');
    expect(deadlinesOf(state)).toEqual([
      '2026-04-07T16:00:00.000Z Line managers should speak to each other within 0 working days of the matter reaching them.',
    ]);
  });

  test('kinds 1 and 6, "without delay" for disagreements about risk of harm only: due at the instant, nudged when work resumes (9am BST Tuesday 7 April)', () => {
    const state = atLineManagers('risk-of-harm');
    expect(deadlinesOf(state)).toEqual([
      expect.stringMatching(/^2026-04-02T16:30:00.000Z Where the disagreement is about whether the adult is at risk/),
      expect.stringMatching(/^2026-04-07T16:00:00.000Z Line managers should speak/),
    ]);
    const nudge = timersOf(state).find((t) => t.kind === 'nudge');
    expect(nudge?.at).toBe('2026-04-07T08:00:00.000Z');
    expect(roles(nudge as Timer)).toBe('safeguarding-lead');
    const text = nudge ? timerText(state, nudge, new Date(nudge.at)) : '';
    expect(text).toMatch(/passed to the designated safeguarding leads/);
    // Not due while the bank holidays last; due that Tuesday morning.
    expect(dueTimers(state, new Date('2026-04-06T12:00:00.000Z')).filter((t) => t.kind === 'nudge')).toEqual([]);
    expect(dueTimers(state, new Date('2026-04-07T08:00:00.000Z')).map((t) => t.id)).toContain(nudge?.id);
  });
});

function formFor(procedure: Procedure): RaiseCommand['form'] {
  return {
    initials: 'J S',
    category: procedure.categories?.[0]?.id ?? 'other',
    summary: 'The other agency closed the case although the adult is still losing weight.',
    outcomeWanted: 'Keep the case open and review the care plan together.',
    safetyMeanwhile: 'Daily visits by the home care agency continue.',
  };
}

// ── Riverside: agreed limit, shortest of two, milestones, meetings, a letter after resolution ──

describe('Riverside', () => {
  const RVS = load('riverside');
  const annManager = who('cat', A, 'team-manager');
  const benManager = who('dev', B, 'team-manager');
  const annSenior = who('eve', A, 'senior-manager');
  const benSenior = who('fay', B, 'senior-manager');
  const convenor = who('gus', 'rsap', 'partnership-manager');

  // Raised Monday 19 October 2026, 10am BST; the clocks go back on Sunday 25 October.
  const raisedAt = '2026-10-19T09:00:00.000Z';
  const at = new Date('2026-10-19T10:00:00.000Z');

  test('kind 5, "within a time scale which is acceptable to both of them": the ceiling, one working week, is 5pm GMT Monday 26 October', () => {
    expect(deadlinesOf(raiseOn(RVS, raisedAt))).toEqual([expect.stringMatching(/^2026-10-26T17:00:00.000Z /)]);
  });

  test('kind 5: one agency proposes Friday 23 October, the other agrees it, the limit becomes 5pm BST that Friday; past the ceiling is refused', () => {
    const state = raiseOn(RVS, raisedAt);
    expect(refusal(decide(state, { type: 'agree-timescale', actor: ann, date: '2026-10-27' }, at)).message).toMatch(
      /^The procedure allows no later than 2026-10-26/,
    );
    const agreed = run(state, [
      ['2026-10-19T10:00:00.000Z', { type: 'agree-timescale', actor: ann, date: '2026-10-23' }],
      ['2026-10-19T11:00:00.000Z', { type: 'confirm-timescale', actor: ben }],
    ]);
    expect(agreed.stages[0]?.deadlines[0]).toMatchObject({
      at: '2026-10-23T16:00:00.000Z',
      ceiling: '2026-10-26T17:00:00.000Z',
    });
    // Missed at 5pm BST that Friday: nudged at 9am GMT on Monday 26 October, the clocks gone back.
    expect(timersOf(agreed).find((t) => t.kind === 'nudge')?.at).toBe('2026-10-26T09:00:00.000Z');
    expect(timersOf(state).find((t) => t.kind === 'nudge')?.at).toBe('2026-10-27T09:00:00.000Z');
  });

  /** Raised 10am GMT Monday 23 March 2026; the team managers reached at `entered`. */
  function atTeamManagers(entered: string): CaseState {
    return run(raiseOn(RVS, '2026-03-23T10:00:00.000Z'), [
      [entered, { type: 'request-escalation', actor: ann, reason: 'No agreement.' }],
      [entered, { type: 'approve-escalation', actor: annManager }],
    ]);
  }
  const SHORTEST = /^within 10 working days of the concern arising or one working week/;
  const shortest = (state: CaseState): string[] =>
    (state.stages[state.stages.length - 1]?.deadlines ?? []).filter((d) => SHORTEST.test(d.phrase)).map((d) => d.at);

  test('kind 4, "whichever is shortest": reached Thursday 26 March, one working week (5pm BST Thursday 2 April, the clocks gone forward) comes first', () => {
    const state = atTeamManagers('2026-03-26T10:00:00.000Z');
    expect(stageOf(state)).toBe('stage-2');
    expect(shortest(state)).toEqual(['2026-04-02T16:00:00.000Z']);
  });

  test('kind 4: reached Wednesday 1 April, 10 working days from raising (Wednesday 8 April, after Good Friday and Easter Monday) comes first', () => {
    expect(shortest(atTeamManagers('2026-04-01T09:00:00.000Z'))).toEqual(['2026-04-08T16:00:00.000Z']);
  });

  test('kind 7, "the receiving agency speaks within 3 working days", then "within a further 2 working days" from when it did', () => {
    const state = atTeamManagers('2026-04-02T09:00:00.000Z');
    const owed = owedMilestones(state, calendarFor(RVS));
    // Thursday 2 April: 7, 8, 9 April (Good Friday and Easter Monday are not working days).
    expect(owed.map((o) => `${o.milestone.id} ${o.due}`)).toEqual(['response 2026-04-09T16:00:00.000Z']);
    expect(deadlinesOf(state).some((d) => d.includes('further 2 working days'))).toBe(false);
    const spoken = run(state, [
      ['2026-04-08T09:00:00.000Z', { type: 'record-milestone', actor: benManager, note: 'Spoke to the council.' }],
    ]);
    expect(spoken.milestones?.map((m) => m.id)).toEqual(['response']);
    expect(deadlinesOf(spoken)).toContain(
      '2026-04-10T16:00:00.000Z The team managers should then agree a way forward within a further 2 working days.',
    );
  });

  /** At the senior managers' meeting stage from 10am GMT Monday 21 December 2026. */
  function atMeeting(): CaseState {
    return run(atTeamManagers('2026-12-21T09:00:00.000Z'), [
      ['2026-12-21T10:00:00.000Z', { type: 'acknowledge', actor: benManager }],
      ['2026-12-21T10:00:00.000Z', { type: 'request-escalation', actor: annManager, reason: 'Still apart.' }],
      ['2026-12-21T10:00:00.000Z', { type: 'approve-escalation', actor: annSenior }],
    ]);
  }

  test('kind 9, meetings: only the Partnership Manager convenes; the date is owed within 5 working days (Wednesday 30 December, over Christmas)', () => {
    const state = run(raiseOn(RVS, '2026-12-14T10:00:00.000Z'), [
      ['2026-12-21T09:00:00.000Z', { type: 'request-escalation', actor: ann, reason: 'No agreement.' }],
      ['2026-12-21T09:00:00.000Z', { type: 'approve-escalation', actor: annManager }],
      ['2026-12-21T10:00:00.000Z', { type: 'request-escalation', actor: annManager, reason: 'Still apart.' }],
      ['2026-12-21T10:00:00.000Z', { type: 'approve-escalation', actor: annSenior }],
    ]);
    expect(stageOf(state)).toBe('stage-3');
    const owed = owedMilestones(state, calendarFor(RVS));
    expect(owed[0]).toMatchObject({ milestone: { id: 'meeting-date-set' }, due: '2026-12-30T17:00:00.000Z' });
    const now = new Date('2026-12-21T11:00:00.000Z');
    expect(
      refusal(decide(state, { type: 'record-milestone', actor: annSenior, note: 'Set.', date: '2026-12-24' }, now))
        .code,
    ).toBe('not-your-role');
  });

  test('kind 9: the date set (Thursday 24 December) is when "resolved at the meeting" falls due: 5pm that day; held, its minutes are owed "within 15 working days": Tuesday 19 January 2027', () => {
    const set = run(atMeeting(), [
      [
        '2026-12-21T11:00:00.000Z',
        { type: 'record-milestone', actor: convenor, note: 'Council offices, 10am.', date: '2026-12-24' },
      ],
    ]);
    expect(deadlinesOf(set)).toContain('2026-12-24T17:00:00.000Z The disagreement should be resolved at the meeting.');
    const held = run(set, [
      ['2026-12-24T12:00:00.000Z', { type: 'record-milestone', actor: convenor, note: 'Both agencies attended.' }],
    ]);
    const owed = owedMilestones(held, calendarFor(RVS));
    expect(owed.map((o) => `${o.milestone.id} ${o.due ?? '-'}`)).toEqual(['minutes 2027-01-19T17:00:00.000Z']);
  });

  const milestoneTimers = (state: CaseState): Timer[] => timersOf(state).filter((t) => t.milestone);
  const brief = (state: CaseState): string[] =>
    milestoneTimers(state).map((t) => `${t.at} ${t.id.split('/').slice(2).join('/')} → ${roles(t)}`);

  test('kind 7: "the receiving agency speaks within 3 working days" is reminded that morning and nudged when it passes (Thursday 9 April, BST)', () => {
    const state = atTeamManagers('2026-04-02T09:00:00.000Z');
    expect(brief(state)).toEqual([
      '2026-04-09T08:00:00.000Z milestone-response/reminder-today → team-manager',
      '2026-04-10T08:00:00.000Z milestone-response/nudge-0 → team-manager',
      '2026-04-13T08:00:00.000Z milestone-response/nudge-1 → team-manager', // again each working day while open
    ]);
    const nudge = milestoneTimers(state)[1] as Timer;
    expect(timerText(state, nudge, new Date(nudge.at))).toMatch(
      /“The receiving agency has responded” was due by 5pm Thursday 9 April \(“The receiving agency speaks within 3 working days\.”\) and has not been recorded/,
    );
    const spoken = run(state, [
      ['2026-04-08T09:00:00.000Z', { type: 'record-milestone', actor: benManager, note: 'Spoke to the council.' }],
    ]);
    expect(brief(spoken)).toEqual([]);
  });

  test('kind 8: the outcome letter, owed after the case has closed, is reminded on the morning of Wednesday 30 December and nudged at 9am Thursday 31st', () => {
    const resolved = run(atMeeting(), [
      [
        '2026-12-21T11:00:00.000Z',
        { type: 'record-milestone', actor: convenor, note: 'Council offices, 10am.', date: '2026-12-24' },
      ],
      ['2026-12-24T12:00:00.000Z', { type: 'record-milestone', actor: convenor, note: 'Both agencies attended.' }],
      [
        '2026-12-24T13:00:00.000Z',
        { type: 'propose-resolution', actor: annSenior, outcome: 'Case stays open.', outstandingIssues: 'none' },
      ],
      ['2026-12-24T14:00:00.000Z', { type: 'confirm-resolution', actor: benSenior }],
    ]);
    expect(brief(resolved)).toEqual([
      '2026-12-30T09:00:00.000Z milestone-outcome-letter/reminder-today → partnership-manager',
      '2026-12-31T09:00:00.000Z milestone-outcome-letter/nudge-0 → partnership-manager',
      '2027-01-19T09:00:00.000Z milestone-minutes/reminder-today → partnership-manager',
      '2027-01-20T09:00:00.000Z milestone-minutes/nudge-0 → partnership-manager',
    ]);
    const reminder = milestoneTimers(resolved)[0] as Timer;
    expect(timerText(resolved, reminder, new Date(reminder.at))).toMatch(
      /“Outcome letter sent to both agencies” is due by 5pm today/,
    );
    // The sweeper's pure part: due on the morning, not before.
    expect(dueTimers(resolved, new Date('2026-12-29T17:00:00.000Z')).filter((t) => t.milestone)).toEqual([]);
    expect(dueTimers(resolved, new Date('2026-12-30T09:00:00.000Z')).map((t) => t.id)).toContain(reminder.id);
  });

  test('kind 8, obligations that outlive the stage: "an outcome letter is sent within a further 2 working days" of resolution (Wednesday 30 December), recorded after the case has closed', () => {
    const resolved = run(atMeeting(), [
      [
        '2026-12-21T11:00:00.000Z',
        { type: 'record-milestone', actor: convenor, note: 'Council offices, 10am.', date: '2026-12-24' },
      ],
      ['2026-12-24T12:00:00.000Z', { type: 'record-milestone', actor: convenor, note: 'Both agencies attended.' }],
      [
        '2026-12-24T13:00:00.000Z',
        { type: 'propose-resolution', actor: annSenior, outcome: 'Case stays open.', outstandingIssues: 'none' },
      ],
      ['2026-12-24T14:00:00.000Z', { type: 'confirm-resolution', actor: benSenior }],
    ]);
    expect(resolved.status).toBe('resolved');
    const owed = owedMilestones(resolved, calendarFor(RVS));
    expect(owed.map((o) => `${o.milestone.id} ${o.due ?? '-'}`)).toEqual([
      'outcome-letter 2026-12-30T17:00:00.000Z',
      'minutes 2027-01-19T17:00:00.000Z',
    ]);
    // The closed case's card still offers the Partnership Manager, and only them, the letter to record.
    const after = new Date('2026-12-29T10:00:00.000Z');
    expect(availableCommands(resolved, convenor, after)).toEqual(['record-milestone']);
    expect(availableCommands(resolved, annSenior, after)).toEqual([]);
    const lettered = run(resolved, [
      [
        '2026-12-29T10:00:00.000Z',
        { type: 'record-milestone', actor: convenor, milestone: 'outcome-letter', note: 'Sent to both.' },
      ],
    ]);
    expect(owedMilestones(lettered, calendarFor(RVS)).map((o) => o.milestone.id)).toEqual(['minutes']);
    expect(milestoneTimers(lettered).map((t) => t.id.split('/').slice(2).join('/'))).toEqual([
      'milestone-minutes/reminder-today',
      'milestone-minutes/nudge-0',
    ]);
    expect(
      refusal(
        decide(
          resolved,
          { type: 'add-note', actor: annSenior, text: 'One more thing.' },
          new Date('2026-12-29T10:00Z'),
        ),
      ).code,
    ).toBe('case-closed');
  });
});

// ── Hillside: notifications with a limit, to the person who raised, to their own agency only ──

describe('Hillside', () => {
  const HSB = load('hillside');
  const benManager = who('dev', B, 'line-manager');
  const chair = who('ivy', 'hsab', 'board-chair');

  /** Raised Monday 21 December 2026; the responding agency escalates to the line managers at 3pm. */
  function atLineManagers(): CaseState {
    return run(raiseOn(HSB, '2026-12-21T10:00:00.000Z'), [
      ['2026-12-21T15:00:00.000Z', { type: 'request-escalation', actor: ben, reason: 'We cannot agree.' }],
      ['2026-12-21T15:00:00.000Z', { type: 'approve-escalation', actor: benManager }],
    ]);
  }
  const notes = (state: CaseState): Timer[] => timersOf(state).filter((t) => t.kind === 'notification');

  test('kind 4 with kind 5, "within one working week or a timescale that protects the adult from harm (whichever is shortest)": an agreed date under the week', () => {
    // Raised 10am BST Monday 19 October 2026: the week ends 5pm GMT Monday 26 October, the clocks gone back.
    const state = raiseOn(HSB, '2026-10-19T09:00:00.000Z');
    expect(deadlinesOf(state)).toEqual([
      expect.stringMatching(/^2026-10-26T17:00:00.000Z Practitioners should resolve/),
    ]);
    const agreed = run(state, [
      ['2026-10-19T10:00:00.000Z', { type: 'agree-timescale', actor: ben, date: '2026-10-21' }],
      ['2026-10-19T11:00:00.000Z', { type: 'confirm-timescale', actor: ann }],
    ]);
    expect(agreed.stages[0]?.deadlines.map((d) => d.at)).toEqual(['2026-10-21T16:00:00.000Z']);
  });

  test('the same rule written as two limits joined by shortestOf, one agreed, is refused by procedure check, saying how to write it', () => {
    const text = readFileSync(fileOf('hillside'), 'utf8').replace(
      '        agreed:\n',
      '        shortestOf: first-stage\n        agreed:\n',
    );
    const checked = checkProcedureText(text);
    expect(checked.ok).toBe(false);
    const messages = checked.ok ? [] : checked.problems.map((p) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/an "agreed" limit cannot also be joined by "shortestOf".*write one limit with "agreed"/),
      ]),
    );
  });

  test('kind 11, "the practitioner who raised the concern must be told": the person who raised, by name', () => {
    const state = atLineManagers();
    const told = notes(state).find((t) => (t.phrase ?? '').startsWith('The practitioner who raised'));
    expect(told?.audience).toEqual([{ party: 'raising', agencyId: A, roles: [], personId: 'ann' }]);
    expect(told?.at).toBe('2026-12-21T15:00:00.000Z');
  });

  test('kind 12, "the safeguarding lead in their own agency": only the escalating agency’s lead (the responding agency here)', () => {
    const told = notes(atLineManagers()).find((t) => (t.phrase ?? '').startsWith('The line manager escalating'));
    expect(told?.audience).toEqual([{ party: 'responding', agencyId: B, roles: ['safeguarding-lead'] }]);
  });

  test('kind 10, "The Chair should be made aware within one working day": reached 4pm Christmas Eve, told by 5pm Tuesday 29 December', () => {
    const asked = run(atLineManagers(), [
      ['2026-12-24T15:00:00.000Z', { type: 'request-escalation', actor: benManager, reason: 'Still apart.' }],
    ]);
    // The Chair's stage is the board's: the escalation waits for the Chair to take it.
    expect(stageOf(asked)).toBe('stage-2');
    const atChair = run(asked, [['2026-12-24T16:00:00.000Z', { type: 'approve-escalation', actor: chair }]]);
    expect(stageOf(atChair)).toBe('stage-3');
    const told = notes(atChair).find((t) => t.stage === 'stage-3');
    expect(told?.audience).toEqual([{ party: 'board', agencyId: 'board', roles: ['board-chair'] }]);
    expect(told?.limit?.at).toBe('2026-12-29T17:00:00.000Z');
    expect(told && timerText(atChair, told, new Date(told.at))).toMatch(/by 5pm Tuesday 29 December/);
  });
});
