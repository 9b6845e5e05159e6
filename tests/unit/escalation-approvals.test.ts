/**
 * The escalation rules against the procedures' own words: taking up an overdue stage honours the
 * approvals the board's file names, a mutually agreed plan of action holds a stage until its
 * review date, and a stage may ask for confirmation that the adult is safe meanwhile.
 */
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import { timerText } from '../../src/app/sweeper';
import { stageCardView } from '../../src/app/views/stage-card';
import {
  availableCommands,
  calendarFor,
  decide,
  emergencyContacts,
  owedMilestones,
  raise,
  timersOf,
  type CaseCommand,
  type CaseState,
  type RaiseCommand,
} from '../../src/domain/escalation';
import { crossCheckProcedure, procedureSchema, type Procedure } from '../../src/domain/procedure';
import { riskModal } from '../../src/channels/slack/raise-modals';
import { ok, refusal, runSteps as run, stageOf, who, shippedBoard } from '../fakes/cases';

const procedures = loadProcedures();
const directory = loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, procedures);
const board = shippedBoard;

const council = 'the-council';
const trust = 'the-trust';

const form = {
  initials: 'j s',
  category: 'case-closure',
  summary: 'The trust closed the case although the adult is still losing weight.',
  outcomeWanted: 'Keep the case open and review the care plan together.',
  safetyMeanwhile: 'Daily visits by the home care agency continue.',
};

function raiseOn(procedure: Procedure, at: string, overrides: Partial<RaiseCommand> = {}): CaseState {
  return ok(
    raise(
      procedure,
      {
        type: 'raise',
        actor: who('ann', council, 'practitioner'),
        sequence: 1,
        immediateRisk: false,
        respondingAgency: { id: trust },
        respondingPersonId: 'ben',
        form,
        ...overrides,
      },
      new Date(at),
    ),
  ).state;
}

describe('Cheshire East: taking up an overdue step waits for the approver the procedure names', () => {
  const CE = board('cheshire-east');
  const ann = who('ann', council, 'practitioner');
  const councilManager = who('cat', council, 'line-manager');
  const trustManager = who('dev', trust, 'line-manager');
  const councilSenior = who('sam', council, 'senior-manager');
  const trustBoardRep = who('rob', trust, 'board-representative');
  const councilBoardRep = who('ria', council, 'board-representative');
  const chair = who('ivy', 'cesab', 'independent-chair');
  const businessManager = who('bea', 'cesab', 'board-business-manager');

  // Raised Tuesday 7 April 2026, the day after Easter Monday (a bank holiday), 10am BST.
  // Step 2 "TO BE CONCLUDED BY DAY 9": day 9 is Friday 17 April, 5pm BST (16:00Z).
  function atStep2(): CaseState {
    return run(raiseOn(CE, '2026-04-07T09:00:00.000Z'), [
      ['2026-04-07T10:00:00.000Z', { type: 'request-escalation', actor: ann, reason: 'The trust will not talk.' }],
      ['2026-04-07T11:00:00.000Z', { type: 'approve-escalation', actor: councilManager }],
      ['2026-04-07T12:00:00.000Z', { type: 'acknowledge', actor: trustManager }],
    ]);
  }

  test('step 2 is due on day 9, Friday 17 April 2026 at 5pm', () => {
    const state = atStep2();
    expect(stageOf(state)).toBe('step-2');
    expect(state.stages[1]?.deadlines.find((d) => d.kind === 'conclude-by')?.at).toBe('2026-04-17T16:00:00.000Z');
  });

  test('"escalated by a Senior Manager to the CESAB Board representative": a Board representative taking up asks, and waits', () => {
    const state = atStep2();
    const after = ok(decide(state, { type: 'take-up', actor: trustBoardRep }, new Date('2026-04-20T09:00:00.000Z')));
    expect(after.events.map((e) => e.type)).toEqual(['escalation-requested']);
    expect(stageOf(after.state)).toBe('step-2');
    expect(after.state.pendingEscalation).toMatchObject({ toStage: 'step-3', takenUp: true });
    expect(after.state.pendingEscalation?.reason).toMatch(
      /^Overdue \(STEP 2 .*\), taken up by the CESAB Board representative: waiting for the Senior Manager to approve the move to CESAB Board Members\.$/,
    );
    // Asked once is enough: another Board representative taking up is told it is waiting.
    expect(
      refusal(decide(after.state, { type: 'take-up', actor: councilBoardRep }, new Date('2026-04-20T09:30:00.000Z')))
        .message,
    ).toBe('A move to CESAB Board Members is already waiting for approval.');
    // A Board representative cannot approve it; a Senior Manager of either agency can.
    expect(
      refusal(
        decide(
          after.state,
          { type: 'approve-escalation', actor: councilBoardRep },
          new Date('2026-04-20T10:00:00.000Z'),
        ),
      ).code,
    ).toBe('not-your-role');
    const moved = ok(
      decide(after.state, { type: 'approve-escalation', actor: councilSenior }, new Date('2026-04-20T10:00:00.000Z')),
    );
    expect(stageOf(moved.state)).toBe('step-3');
    expect(moved.events.map((e) => e.type)).toEqual(['escalation-approved', 'stage-entered']);
  });

  test('the nudge when step 2 is overdue goes to the Senior Managers too, not only the Board representatives', () => {
    const nudge = timersOf(atStep2()).find((t) => t.kind === 'nudge');
    // Day 9 is Friday 17 April 2026, 5pm BST; the nudge goes at the start of the next working day.
    expect(nudge?.at).toBe('2026-04-20T08:00:00.000Z');
    expect(nudge?.audience).toEqual([
      { party: 'raising', agencyId: council, roles: ['board-representative', 'senior-manager'] },
      { party: 'responding', agencyId: trust, roles: ['board-representative', 'senior-manager'] },
    ]);
  });

  test('"the CESAB Board representative who will arrange a meeting to seek resolution": the meeting is recorded at step 3', () => {
    const now = new Date('2026-04-20T09:00:00.000Z');
    const step3 = ok(decide(atStep2(), { type: 'take-up', actor: councilSenior }, now)).state;
    expect(availableCommands(step3, councilBoardRep, now)).toContain('record-milestone');
    expect(availableCommands(step3, councilSenior, now)).not.toContain('record-milestone');
    expect(owedMilestones(step3, calendarFor(CE)).map((o) => o.milestone.id)).toEqual([
      'meeting-arranged',
      'meeting-held',
    ]);
    const arranged = ok(
      decide(
        step3,
        { type: 'record-milestone', actor: trustBoardRep, note: 'Both agencies invited.', date: '2026-04-23' },
        now,
      ),
    );
    expect(arranged.state.milestones).toEqual([
      expect.objectContaining({ stage: 'step-3', id: 'meeting-arranged', date: '2026-04-23', by: 'rob' }),
    ]);
  });

  test('a Senior Manager taking up an overdue step 2 moves it to step 3 at once', () => {
    const after = ok(
      decide(atStep2(), { type: 'take-up', actor: councilSenior }, new Date('2026-04-20T09:00:00.000Z')),
    );
    expect(stageOf(after.state)).toBe('step-3');
    expect(after.events.map((e) => e.type)).toEqual(['escalation-requested', 'escalation-approved', 'stage-entered']);
  });

  test('a Senior Manager is offered Take it up once step 2 is overdue, and not before', () => {
    const state = atStep2();
    expect(availableCommands(state, councilSenior, new Date('2026-04-17T15:00:00.000Z'))).not.toContain('take-up');
    expect(availableCommands(state, councilSenior, new Date('2026-04-20T09:00:00.000Z'))).toContain('take-up');
  });

  test('"raised, via the form at Appendix A, to the SAB Business Manager": the Independent Chair taking up waits for the Business Manager, and the form is owed', () => {
    const step3 = ok(
      decide(atStep2(), { type: 'take-up', actor: councilSenior }, new Date('2026-04-20T09:00:00.000Z')),
    ).state;
    // Step 3 "TO BE CONCLUDED NO LATER THAN DAY 14": Friday 24 April 2026, 5pm BST.
    const late = new Date('2026-04-27T09:00:00.000Z');
    const asked = ok(decide(step3, { type: 'take-up', actor: chair }, late));
    expect(stageOf(asked.state)).toBe('step-3');
    expect(asked.state.pendingEscalation?.formsOwed).toEqual(['cheshire-east-step-4-referral']);
    expect(asked.state.pendingEscalation?.reason).toMatch(
      /waiting for the SAB Business Manager \(CESAB Board Manager\) to approve the move to CESAB Independent Chair\. The Form for submitting cases for escalation and resolution to CESAB \(Step 4\) is still owed\.$/,
    );
    expect(refusal(decide(asked.state, { type: 'approve-escalation', actor: chair }, late)).code).toBe('not-your-role');
    expect(stageOf(ok(decide(asked.state, { type: 'approve-escalation', actor: businessManager }, late)).state)).toBe(
      'step-4',
    );
  });

  test('the Business Manager taking up an overdue step 3 moves it to step 4 at once', () => {
    const step3 = ok(
      decide(atStep2(), { type: 'take-up', actor: councilSenior }, new Date('2026-04-20T09:00:00.000Z')),
    ).state;
    const moved = ok(decide(step3, { type: 'take-up', actor: businessManager }, new Date('2026-04-27T09:00:00.000Z')));
    expect(stageOf(moved.state)).toBe('step-4');
    // The Appendix A form is recorded as still owed, without holding the move up.
    const asked = moved.events.find((e) => e.type === 'escalation-requested');
    expect(asked?.type === 'escalation-requested' ? asked.formsOwed : undefined).toEqual([
      'cheshire-east-step-4-referral',
    ]);
  });

  test('"The Independent Chair will seek written representation initially": owed at step 4, recorded by the Chair', () => {
    const now = new Date('2026-04-27T09:00:00.000Z');
    const step3 = ok(decide(atStep2(), { type: 'take-up', actor: councilSenior }, now)).state;
    const step4 = ok(decide(step3, { type: 'take-up', actor: businessManager }, now)).state;
    expect(owedMilestones(step4, calendarFor(CE)).map((o) => o.milestone.id)).toEqual(['written-representation']);
    expect(availableCommands(step4, chair, now)).toContain('record-milestone');
    expect(availableCommands(step4, businessManager, now)).not.toContain('record-milestone');
    const sought = ok(
      decide(step4, { type: 'record-milestone', actor: chair, note: 'Asked both agencies to write by Friday.' }, now),
    );
    expect(sought.state.milestones?.map((m) => m.id)).toEqual(['written-representation']);
  });
});

describe("Lincolnshire: step 4b is reached on the Senior Liaison Officers' advice", () => {
  const LI = board('lincolnshire');
  const ann = who('ann', council, 'practitioner');
  const councilManager = who('cat', council, 'line-manager');
  const trustManager = who('dev', trust, 'line-manager');
  const councilSlo = who('sue', council, 'senior-liaison-officer');
  const trustSlo = who('tom', trust, 'senior-liaison-officer');
  const group = who('gil', 'lsab', 'review-and-learning-group');

  test('"Senior Liaison Officers can advise that the learning points ... be referred": the Group taking up an overdue step 3 waits for an SLO', () => {
    // Raised Monday 20 April 2026; step 3 entered Tuesday 21 April, due 2 working days on: Thursday 23 April, 5pm BST.
    const step3 = run(raiseOn(LI, '2026-04-20T09:00:00.000Z'), [
      ['2026-04-20T10:00:00.000Z', { type: 'request-escalation', actor: ann, reason: 'No reply from the trust.' }],
      ['2026-04-20T11:00:00.000Z', { type: 'approve-escalation', actor: councilManager }],
      ['2026-04-20T12:00:00.000Z', { type: 'acknowledge', actor: trustManager }],
      ['2026-04-21T09:00:00.000Z', { type: 'request-escalation', actor: councilManager, reason: 'Managers disagree.' }],
      ['2026-04-21T10:00:00.000Z', { type: 'approve-escalation', actor: councilSlo }],
      ['2026-04-21T11:00:00.000Z', { type: 'acknowledge', actor: trustSlo }],
    ]);
    expect(stageOf(step3)).toBe('step-3');
    expect(step3.stages[2]?.deadlines[0]?.at).toBe('2026-04-23T16:00:00.000Z');
    // Nudged: the Group, and the Senior Liaison Officers whose advice it needs (not the Group alone).
    expect(
      timersOf(step3)
        .find((t) => t.kind === 'nudge')
        ?.audience.map((a) => [a.party, a.roles]),
    ).toEqual(
      expect.arrayContaining([
        ['raising', ['senior-liaison-officer']],
        ['responding', ['senior-liaison-officer']],
        ['board', ['review-and-learning-group']],
      ]),
    );
    expect(timersOf(step3).find((t) => t.kind === 'nudge')?.audience).toHaveLength(3);
    const late = new Date('2026-04-24T09:00:00.000Z');
    const asked = ok(decide(step3, { type: 'take-up', actor: group }, late));
    expect(stageOf(asked.state)).toBe('step-3');
    expect(asked.state.pendingEscalation).toMatchObject({ toStage: 'step-4b', takenUp: true });
    expect(asked.state.pendingEscalation?.reason).toMatch(/waiting for the Senior Liaison Officer \(SLO\) to approve/);
    // The responding agency's SLO may give that advice, though the group's request was not theirs.
    expect(stageOf(ok(decide(asked.state, { type: 'approve-escalation', actor: trustSlo }, late)).state)).toBe(
      'step-4b',
    );
  });
});

describe('Lincolnshire: "a mutually agreed plan of action ... including clear timescales"', () => {
  const LI = board('lincolnshire');
  const ann = who('ann', council, 'practitioner');
  const ben = who('ben', trust, 'practitioner');
  const councilManager = who('cat', council, 'line-manager');
  // Raised Thursday 26 March 2026, 10am GMT; the clocks go forward on Sunday 29 March. Step 1
  // "within 48 hours (2 working days)": Monday 30 March, 5pm BST (16:00Z).
  const raisedAt = '2026-03-26T10:00:00.000Z';
  const plan = 'The trust reopens the case and both agencies visit together; reviewed on Wednesday 8 April.';

  function agreed(reviewOn = '2026-04-08'): CaseState {
    return run(raiseOn(LI, raisedAt), [
      ['2026-03-27T10:00:00.000Z', { type: 'acknowledge', actor: ben }],
      ['2026-03-27T11:00:00.000Z', { type: 'agree-plan', actor: ann, plan, reviewOn }],
      ['2026-03-27T12:00:00.000Z', { type: 'confirm-plan', actor: ben }],
    ]);
  }

  test('one agency proposes the plan with a review date; the other agrees it; both are recorded', () => {
    const proposed = ok(
      decide(
        raiseOn(LI, raisedAt),
        { type: 'agree-plan', actor: ann, plan, reviewOn: '2026-04-08' },
        new Date('2026-03-27T11:00:00.000Z'),
      ),
    );
    expect(proposed.events.map((e) => e.type)).toEqual(['plan-proposed']);
    expect(proposed.state.plan).toMatchObject({ reviewOn: '2026-04-08', confirmedBy: ['raising'] });
    expect(proposed.state.plan?.agreedAt).toBeUndefined();
    // The agency that proposed it cannot agree it for the other.
    expect(
      refusal(decide(proposed.state, { type: 'confirm-plan', actor: ann }, new Date('2026-03-27T12:00:00.000Z'))).code,
    ).toBe('already-done');
    expect(availableCommands(proposed.state, ben, new Date('2026-03-27T12:00:00.000Z'))).toContain('confirm-plan');
    const state = agreed();
    expect(state.plan).toMatchObject({
      reviewAt: '2026-04-08T08:00:00.000Z',
      holdsUntil: '2026-04-08T16:00:00.000Z',
      agreedAt: '2026-03-27T12:00:00.000Z',
    });
  });

  test('while the plan runs the stage is not overdue: no nudge, and taking up is refused in plain words', () => {
    const state = agreed();
    const tuesday = new Date('2026-03-31T09:00:00.000Z');
    const r = refusal(decide(state, { type: 'take-up', actor: councilManager }, tuesday));
    expect(r.message).toBe(
      'Both agencies have agreed a plan of action at Direct Professional to Professional Discussion, to be reviewed on 2026-04-08: it cannot be taken up before then.',
    );
    expect(availableCommands(state, councilManager, tuesday)).not.toContain('take-up');
    const timers = timersOf(state);
    const nudges = timers.filter((t) => t.kind === 'nudge');
    expect(nudges.length).toBeGreaterThan(0);
    expect(nudges.every((t) => t.at > '2026-04-08T16:00:00.000Z')).toBe(true);
    // The first nudge is the morning after the review day (Thursday 9 April, 9am BST).
    expect(nudges[0]?.at).toBe('2026-04-09T08:00:00.000Z');
    // No reminder of the 2-working-day limit while the plan runs: the review reminder stands in for it.
    expect(timers.filter((t) => t.kind === 'reminder').map((t) => t.id)).toEqual([
      expect.stringMatching(/\/plan-review-2026-04-08$/),
    ]);
  });

  test('on the review date the holders are reminded to review the plan; after it, taking up is allowed again', () => {
    const state = agreed();
    const review = timersOf(state).find((t) => t.id.includes('plan-review'));
    expect(review).toMatchObject({ kind: 'reminder', at: '2026-04-08T08:00:00.000Z' });
    expect(review?.audience.map((a) => a.party)).toEqual(['raising', 'responding']);
    expect(
      stageOf(
        ok(decide(state, { type: 'take-up', actor: councilManager }, new Date('2026-04-09T08:00:00.000Z'))).state,
      ),
    ).toBe('step-2');
  });

  test('"a new or alternative plan devised with timeframes": after the review, a new plan agreed holds the stage again', () => {
    const reviewed = new Date('2026-04-09T10:00:00.000Z');
    const again = run(agreed(), [
      [
        '2026-04-09T10:00:00.000Z',
        { type: 'agree-plan', actor: ben, plan: 'A joint visit on 14 April.', reviewOn: '2026-04-15' },
      ],
      ['2026-04-09T11:00:00.000Z', { type: 'confirm-plan', actor: ann }],
    ]);
    expect(again.plan).toMatchObject({ text: 'A joint visit on 14 April.', reviewOn: '2026-04-15' });
    expect(again.plan?.agreedAt).toBe('2026-04-09T11:00:00.000Z');
    expect(availableCommands(again, councilManager, reviewed)).not.toContain('take-up');
    expect(timersOf(again).filter((t) => t.kind === 'nudge')[0]?.at).toBe('2026-04-16T08:00:00.000Z');
  });

  test('a review date on Easter Monday (6 April 2026, a bank holiday) is reviewed on Tuesday 7 April', () => {
    expect(agreed('2026-04-06').plan).toMatchObject({
      reviewAt: '2026-04-07T08:00:00.000Z',
      holdsUntil: '2026-04-07T16:00:00.000Z',
    });
  });

  test('a review date in the past, or not a date, is refused on the form', () => {
    const state = raiseOn(LI, raisedAt);
    const at = new Date('2026-03-27T11:00:00.000Z');
    expect(refusal(decide(state, { type: 'agree-plan', actor: ann, plan, reviewOn: '2026-03-26' }, at)).message).toBe(
      'The review date must be today or later.',
    );
    expect(refusal(decide(state, { type: 'agree-plan', actor: ann, plan, reviewOn: 'next week' }, at)).code).toBe(
      'invalid-input',
    );
  });

  test('a board whose file declares no plan for the stage is not offered one (North Somerset stage 1)', () => {
    const NS = board('north-somerset');
    const state = raiseOn(NS, raisedAt);
    expect(availableCommands(state, ann, new Date('2026-03-26T11:00:00.000Z'))).not.toContain('agree-plan');
    expect(availableCommands(raiseOn(LI, raisedAt), ann, new Date('2026-03-26T11:00:00.000Z'))).toContain('agree-plan');
  });
});

describe('Luton: confirming the adult is safe whilst discussions take place', () => {
  const LU = board('luton');
  const ann = who('ann', council, 'practitioner');
  const councilManager = who('cat', council, 'line-manager');
  const trustManager = who('dev', trust, 'line-manager');
  const councilLead = who('lee', council, 'safeguarding-lead');
  const trustLead = who('tia', trust, 'safeguarding-lead');
  const raisedAt = '2026-10-23T09:00:00.000Z';

  function atStage2(): CaseState {
    return run(raiseOn(LU, raisedAt), [
      ['2026-10-23T10:00:00.000Z', { type: 'request-escalation', actor: ann, reason: 'No agreement.' }],
      ['2026-10-23T11:00:00.000Z', { type: 'approve-escalation', actor: councilManager }],
    ]);
  }

  test('"The line manager should also confirm that steps have been taken to ensure the safety of the adult": owed until given, by the raising line manager', () => {
    const state = atStage2();
    const at = new Date('2026-10-26T10:00:00.000Z');
    expect(availableCommands(state, councilManager, at)).toContain('confirm-safety');
    expect(availableCommands(state, trustManager, at)).not.toContain('confirm-safety');
    const done = ok(decide(state, { type: 'confirm-safety', actor: councilManager, steps: 'Daily care visits.' }, at));
    expect(done.events.map((e) => e.type)).toEqual(['safety-confirmed']);
    expect(done.state.stages[1]?.safetyConfirmed?.raising).toEqual({
      by: 'cat',
      at: '2026-10-26T10:00:00.000Z',
      steps: 'Daily care visits.',
    });
    expect(availableCommands(done.state, councilManager, at)).not.toContain('confirm-safety');
  });

  test('"Safeguarding leads should confirm that actions are in place": each agency\'s lead confirms at stage 3', () => {
    const stage3 = run(atStage2(), [
      ['2026-10-26T10:00:00.000Z', { type: 'request-escalation', actor: councilManager, reason: 'Still stuck.' }],
      ['2026-10-26T11:00:00.000Z', { type: 'approve-escalation', actor: councilLead }],
    ]);
    expect(stageOf(stage3)).toBe('stage-3');
    const at = new Date('2026-10-26T12:00:00.000Z');
    const one = ok(decide(stage3, { type: 'confirm-safety', actor: councilLead, steps: 'Protection plan.' }, at));
    expect(availableCommands(one.state, trustLead, at)).toContain('confirm-safety');
    const both = ok(decide(one.state, { type: 'confirm-safety', actor: trustLead, steps: 'Ward review.' }, at));
    expect(Object.keys(both.state.stages[2]?.safetyConfirmed ?? {})).toEqual(['raising', 'responding']);
  });

  test('a stage that asks for no confirmation refuses it (Luton stage 1)', () => {
    expect(
      refusal(decide(raiseOn(LU, raisedAt), { type: 'confirm-safety', actor: ann, steps: 'x' }, new Date(raisedAt)))
        .code,
    ).toBe('not-allowed-here');
  });
});

describe('the card says what the plan and the safety confirmation are', () => {
  const alex = who('alex-morgan', 'lincolnshire-county-council', 'practitioner');
  const chris = who('chris-bennett', 'lincolnshire-police', 'practitioner');

  test('a plan agreed: the card shows it with its review date, and the stage is not shown overdue while it runs', () => {
    const li = board('lincolnshire');
    const state = run(
      raiseOn(li, '2026-03-26T10:00:00.000Z', {
        actor: alex,
        respondingAgency: { id: 'lincolnshire-police' },
        respondingPersonId: 'chris-bennett',
      }),
      [
        ['2026-03-27T11:00:00.000Z', { type: 'agree-plan', actor: alex, plan: 'Joint visit.', reviewOn: '2026-04-08' }],
        ['2026-03-27T12:00:00.000Z', { type: 'confirm-plan', actor: chris }],
      ],
    );
    const card = stageCardView(state, { now: new Date('2026-03-31T09:00:00.000Z'), directory, viewer: alex });
    expect(card.plan).toMatch(/^Plan of action \(agreed by both agencies\), to be reviewed .*8 Apr.*: Joint visit\.$/);
    expect(card.deadline?.overdue).toBe(false);
    expect(card.statusText).toBe('Open');
    const after = stageCardView(state, { now: new Date('2026-04-09T09:00:00.000Z'), directory, viewer: alex });
    expect(after.deadline?.overdue).toBe(true);
  });
});

describe('a stage within one agency: a practitioner and their own line manager', () => {
  // St Helens-style first stage, written into Luton's file for the test: stage 1 is held by the
  // raising agency alone ("sides" with only "raising").
  const LU = board('luton');
  const oneAgency: Procedure = {
    ...LU,
    stages: LU.stages.map((s) =>
      s.id === 'stage-1' ? { ...s, sides: { raising: ['practitioner', 'line-manager'] } } : s,
    ),
  };
  const ann = who('ann', council, 'practitioner');
  const ben = who('ben', trust, 'practitioner');
  const councilManager = who('cat', council, 'line-manager');
  const trustManager = who('dev', trust, 'line-manager');
  const at = new Date('2026-10-26T10:00:00.000Z');

  test('the other agency takes no part in it: nothing for them to acknowledge or propose', () => {
    const state = raiseOn(oneAgency, '2026-10-26T09:00:00.000Z');
    // Named in the case, they may still add notes.
    expect(availableCommands(state, ben, at)).toEqual(['add-note']);
    expect(availableCommands(state, councilManager, at)).toEqual(
      expect.arrayContaining(['propose-resolution', 'request-escalation']),
    );
    expect(refusal(decide(state, { type: 'acknowledge', actor: ben }, at)).message).toMatch(
      /^Only the Professional involved or Line manager of the agency that raised it can acknowledge/,
    );
  });

  test('the agency settles it itself: an outcome proposed by its line manager resolves the case', () => {
    const state = raiseOn(oneAgency, '2026-10-26T09:00:00.000Z');
    const done = ok(
      decide(
        state,
        {
          type: 'propose-resolution',
          actor: councilManager,
          outcome: 'We accept the trust view.',
          outstandingIssues: 'none',
        },
        at,
      ),
    );
    expect(done.events.map((e) => e.type)).toEqual(['resolution-proposed', 'case-resolved']);
    expect(done.state.status).toBe('resolved');
  });

  test('escalating from it takes the case to both agencies’ line managers', () => {
    const state = run(raiseOn(oneAgency, '2026-10-26T09:00:00.000Z'), [
      ['2026-10-26T10:00:00.000Z', { type: 'request-escalation', actor: councilManager, reason: 'Needs the trust.' }],
    ]);
    expect(stageOf(state)).toBe('stage-2');
    expect(availableCommands(state, trustManager, at)).toContain('acknowledge');
    expect(availableCommands(state, ann, at)).not.toContain('acknowledge');
  });
});

describe('"within a time scale which is acceptable to both of them": a limit the agencies agree, under a ceiling', () => {
  const LU = board('luton');
  const phrase = 'within a time scale which is acceptable to both of them';
  const agreedLimit: Procedure = {
    ...LU,
    stages: LU.stages.map((s) =>
      s.id === 'stage-1'
        ? {
            ...s,
            timescales: [
              {
                kind: 'conclude-by',
                amount: 10,
                unit: 'working-days',
                from: 'stage-start',
                phrase,
                agreed: { phrase },
              },
            ],
          }
        : s,
    ),
  };
  const ann = who('ann', council, 'practitioner');
  const ben = who('ben', trust, 'practitioner');
  // Raised Monday 19 October 2026, 10am BST; the clocks go back on Sunday 25 October.
  const raisedAt = '2026-10-19T09:00:00.000Z';
  const at = new Date('2026-10-19T10:00:00.000Z');

  test('the ceiling is 10 working days on: Monday 2 November 2026, 5pm GMT', () => {
    expect(raiseOn(agreedLimit, raisedAt).stages[0]?.deadlines[0]?.at).toBe('2026-11-02T17:00:00.000Z');
  });

  test('one agency proposes a date, the other agrees it, and the deadline becomes that date', () => {
    const state = raiseOn(agreedLimit, raisedAt);
    expect(availableCommands(state, ann, at)).toContain('agree-timescale');
    const proposed = ok(decide(state, { type: 'agree-timescale', actor: ann, date: '2026-10-28' }, at));
    // Not until the other agency agrees.
    expect(proposed.state.stages[0]?.deadlines[0]?.at).toBe('2026-11-02T17:00:00.000Z');
    expect(refusal(decide(proposed.state, { type: 'confirm-timescale', actor: ann }, at)).code).toBe('already-done');
    const agreed = ok(decide(proposed.state, { type: 'confirm-timescale', actor: ben }, at));
    expect(agreed.state.stages[0]?.deadlines[0]).toMatchObject({
      at: '2026-10-28T17:00:00.000Z',
      ceiling: '2026-11-02T17:00:00.000Z',
    });
  });

  test('never past the ceiling; a date on a weekend falls at the end of the Friday before', () => {
    const state = raiseOn(agreedLimit, raisedAt);
    expect(refusal(decide(state, { type: 'agree-timescale', actor: ann, date: '2026-11-03' }, at)).message).toBe(
      `The procedure allows no later than 2026-11-02 ("${phrase}"): please choose that date or an earlier one.`,
    );
    const weekend = ok(decide(state, { type: 'agree-timescale', actor: ann, date: '2026-10-31' }, at));
    expect(weekend.state.timescaleProposal?.due).toBe('2026-10-30T17:00:00.000Z');
  });

  test('a stage whose file sets no agreed limit offers no date to agree (Luton as written)', () => {
    expect(availableCommands(raiseOn(LU, raisedAt), ann, at)).not.toContain('agree-timescale');
  });
});

describe('milestones the card records: meetings, minutes, letters', () => {
  const LI = board('lincolnshire');
  const ann = who('ann', council, 'practitioner');
  const councilManager = who('cat', council, 'line-manager');
  const trustManager = who('dev', trust, 'line-manager');
  const councilSlo = who('sue', council, 'senior-liaison-officer');
  const trustSlo = who('tom', trust, 'senior-liaison-officer');
  const chair = who('ivy', 'lsab', 'independent-chair');

  // Urgent, raised Monday 26 October 2026 (the day after the clocks go back), 10am GMT.
  function atStep4a(): CaseState {
    return run(raiseOn(LI, '2026-10-26T10:00:00.000Z', { immediateRisk: true }), [
      ['2026-10-26T11:00:00.000Z', { type: 'request-escalation', actor: ann, reason: 'No plan agreed.' }],
      ['2026-10-26T12:00:00.000Z', { type: 'approve-escalation', actor: councilManager }],
      ['2026-10-26T13:00:00.000Z', { type: 'acknowledge', actor: trustManager }],
      ['2026-10-27T09:00:00.000Z', { type: 'request-escalation', actor: councilManager, reason: 'Still apart.' }],
      ['2026-10-27T10:00:00.000Z', { type: 'approve-escalation', actor: councilSlo }],
      ['2026-10-27T11:00:00.000Z', { type: 'acknowledge', actor: trustSlo }],
      ['2026-10-28T15:00:00.000Z', { type: 'request-escalation', actor: councilSlo, reason: 'SLOs cannot agree.' }],
    ]);
  }

  test('"with a date set within 24 hours of step 3": the meeting date is owed by 3pm the next day, and the chair records it', () => {
    const state = atStep4a();
    expect(stageOf(state)).toBe('step-4a');
    const now = new Date('2026-10-28T16:00:00.000Z');
    expect(availableCommands(state, chair, now)).toContain('record-milestone');
    const card = stageCardView(state, { now, directory, viewer: chair });
    const button = card.actions.find((a) => a.verb === 'record-milestone');
    expect(button?.title).toBe('Record: Date set for the independently chaired meeting');
    expect(button?.input?.second).toMatchObject({ id: 'date', kind: 'date' });
    expect(card.owed?.[0]).toMatch(/^Still owed: Date set for the independently chaired meeting, by 3pm/);
    const set = ok(
      decide(
        state,
        { type: 'record-milestone', actor: chair, note: 'Meeting at the council offices.', date: '2026-10-30' },
        now,
      ),
    );
    expect(set.state.milestones).toEqual([
      expect.objectContaining({ stage: 'step-4a', id: 'meeting-date-set', date: '2026-10-30', by: 'ivy' }),
    ]);
    // Next, the meeting itself; the Senior Liaison Officer may set the date but not record the meeting.
    expect(availableCommands(set.state, councilSlo, now)).not.toContain('record-milestone');
    const held = ok(decide(set.state, { type: 'record-milestone', actor: chair, note: 'Minuted.' }, now));
    expect(held.state.milestones?.map((m) => m.id)).toEqual(['meeting-date-set', 'meeting-held']);
  });

  test('a milestone owed with a limit is reminded on the morning it is due and nudged once it passes unrecorded', () => {
    const state = atStep4a();
    const mine = (list: ReturnType<typeof timersOf>) => list.filter((t) => t.milestone?.id === 'meeting-date-set');
    // Step 3 asked at 3pm on Wednesday 28 October (GMT, after the clocks went back): the date is due by 3pm Thursday.
    expect(mine(timersOf(state)).map((t) => [t.kind, t.at])).toEqual([
      ['reminder', '2026-10-29T09:00:00.000Z'],
      ['nudge', '2026-10-29T15:00:00.000Z'],
      ['nudge', '2026-10-30T15:00:00.000Z'], // urgent: every 24 hours while it is not recorded
    ]);
    // To those who may record it: the Independent Chair and each agency's Senior Liaison Officer.
    expect(
      mine(timersOf(state))[0]
        ?.audience.flatMap((a) => a.roles)
        .sort(),
    ).toEqual(['independent-chair', 'senior-liaison-officer', 'senior-liaison-officer']);
    // The stage's own reminders and nudges are still there beside them.
    expect(timersOf(state).filter((t) => !t.milestone).length).toBeGreaterThan(0);
    const [reminder, nudge] = mine(timersOf(state));
    if (!reminder || !nudge) throw new Error('no milestone timers');
    expect(timerText(state, reminder, new Date(reminder.at))).toMatch(
      /“Date set for the independently chaired meeting” is due by 3pm today \(“The meeting should take place asap/,
    );
    expect(timerText(state, nudge, new Date(nudge.at))).toMatch(/was due .* and has not been recorded/);
    const set = ok(
      decide(
        state,
        { type: 'record-milestone', actor: chair, note: 'Meeting booked.', date: '2026-10-30' },
        new Date('2026-10-29T10:00:00.000Z'),
      ),
    );
    expect(mine(timersOf(set.state))).toEqual([]);
  });

  test('a date is required where the milestone asks for one', () => {
    const r = refusal(
      decide(
        atStep4a(),
        { type: 'record-milestone', actor: chair, note: 'Set.' },
        new Date('2026-10-28T16:00:00.000Z'),
      ),
    );
    expect(r.message).toBe(
      'Please give the date for "Date set for the independently chaired meeting", like 2026-04-10.',
    );
  });

  test('"outcome letter within a further 2 working days": an obligation that outlives the stage, recorded after the case is resolved', () => {
    const LU = board('luton');
    const withLetter: Procedure = {
      ...LU,
      stages: LU.stages.map((s) =>
        s.id === 'stage-1'
          ? {
              ...s,
              milestones: [
                {
                  id: 'meeting-held',
                  label: 'Meeting held',
                  by: ['practitioner'],
                  date: false,
                  outlives: false,
                  afterResolution: false,
                  phrase: 'a meeting',
                },
                {
                  id: 'minutes',
                  label: 'Minutes sent',
                  by: ['practitioner'],
                  within: { amount: 15, unit: 'working-days', from: { milestone: 'meeting-held' } },
                  date: false,
                  outlives: true,
                  afterResolution: false,
                  phrase: 'minutes within 15 working days',
                },
                {
                  id: 'outcome-letter',
                  label: 'Outcome letter sent',
                  by: ['practitioner'],
                  within: { amount: 2, unit: 'working-days', from: 'stage-end' },
                  date: false,
                  outlives: true,
                  afterResolution: false,
                  phrase: 'outcome letter within a further 2 working days',
                },
              ],
            }
          : s,
      ),
    };
    const ben = who('ben', trust, 'practitioner');
    // Meeting Friday 23 October 2026; minutes due 15 working days on: Friday 13 November, 5pm GMT.
    const resolved = run(raiseOn(withLetter, '2026-10-22T09:00:00.000Z'), [
      ['2026-10-23T09:00:00.000Z', { type: 'record-milestone', actor: ann, milestone: 'meeting-held', note: 'Held.' }],
      [
        '2026-10-23T13:00:00.000Z',
        { type: 'propose-resolution', actor: ann, outcome: 'Agreed.', outstandingIssues: 'none' },
      ],
      ['2026-10-23T14:00:00.000Z', { type: 'confirm-resolution', actor: ben }],
    ]);
    expect(resolved.status).toBe('resolved');
    const owed = owedMilestones(resolved, calendarFor(withLetter));
    // From the resolution on Friday 23 October (BST): Tuesday 27 October, 5pm GMT.
    expect(owed.map((o) => [o.milestone.id, o.due])).toEqual([
      ['outcome-letter', '2026-10-27T17:00:00.000Z'],
      ['minutes', '2026-11-13T17:00:00.000Z'],
    ]);
    const now = new Date('2026-10-26T10:00:00.000Z');
    expect(availableCommands(resolved, ann, now)).toEqual(['record-milestone']);
    const card = stageCardView(resolved, { now, directory, viewer: ann });
    // The one due first.
    expect(card.actions.map((a) => a.title)).toEqual(['Record: Outcome letter sent']);
    const sent = ok(
      decide(
        resolved,
        { type: 'record-milestone', actor: ann, milestone: 'outcome-letter', note: 'Letter sent.' },
        now,
      ),
    );
    expect(sent.state.status).toBe('resolved');
    expect(owedMilestones(sent.state, calendarFor(withLetter)).map((o) => o.milestone.id)).toEqual(['minutes']);
  });
});

describe('Camden stage 5: "The meeting may also agree changes to policies, working practices ..."', () => {
  const CA = board('camden');
  const lead = who('ann', council, 'practitioner', 'line-manager', 'safeguarding-lead', 'senior-manager');
  const chair = who('ivy', 'csapb', 'independent-chair');

  test('recorded beside the decision, with the label the file gives', () => {
    const at = (h: number): string => `2026-11-02T${String(9 + h).padStart(2, '0')}:00:00.000Z`;
    const stage5 = run(
      raiseOn(CA, '2026-11-02T09:00:00.000Z', { actor: lead }),
      [1, 2, 3, 4].map((h): [string, CaseCommand] => [
        at(h),
        { type: 'request-escalation', actor: lead, reason: 'Not resolved.' },
      ]),
    );
    expect(stageOf(stage5)).toBe('stage-5');
    const now = new Date('2026-11-03T10:00:00.000Z');
    const card = stageCardView(stage5, { now, directory, viewer: chair });
    expect(card.actions.find((a) => a.verb === 'record-final-decision')?.input?.second).toMatchObject({
      id: 'also',
      label: 'Changes to policies, working practices or joint protocols agreed',
    });
    const decided = ok(
      decide(
        stage5,
        {
          type: 'record-final-decision',
          actor: chair,
          decision: 'The trust reopens the case.',
          also: 'Joint protocol reviewed.',
        },
        now,
      ),
    );
    expect(decided.state.decision?.also).toEqual({
      label: 'Changes to policies, working practices or joint protocols agreed',
      text: 'Joint protocol reviewed.',
    });
  });
});

describe('North Somerset: "When the issue is resolved, any general safeguarding issues should be identified and referred"', () => {
  const NS = board('north-somerset');
  const ann = who('ann', council, 'practitioner');
  const ben = who('ben', trust, 'practitioner');
  const councilManager = who('cat', council, 'line-manager');
  const secondTier = who('eve', council, 'second-tier-manager');
  const trustSecondTier = who('fay', trust, 'second-tier-manager');
  const raisedAt = '2026-11-20T10:00:00.000Z';

  test('owed once the case is resolved, recorded on the closed case by those who held the stage', () => {
    const resolved = run(raiseOn(NS, raisedAt), [
      [
        '2026-11-20T11:00:00.000Z',
        { type: 'propose-resolution', actor: ann, outcome: 'Agreed.', outstandingIssues: 'none' },
      ],
      ['2026-11-20T12:00:00.000Z', { type: 'confirm-resolution', actor: ben }],
    ]);
    const now = new Date('2026-11-23T10:00:00.000Z');
    expect(owedMilestones(resolved, calendarFor(NS)).map((o) => o.milestone.id)).toEqual([
      'general-safeguarding-issues',
    ]);
    const card = stageCardView(resolved, { now, directory, viewer: councilManager });
    expect(card.actions.map((a) => a.title)).toEqual([
      'Record: General safeguarding issues identified and referred to the Board (or none)',
    ]);
    const done = ok(decide(resolved, { type: 'record-milestone', actor: councilManager, note: 'None found.' }, now));
    expect(owedMilestones(done.state, calendarFor(NS))).toEqual([]);
  });

  test('"Any action agreed should be fed back immediately to the relevant managers involved": both agencies\' line managers are told', () => {
    const resolved = run(raiseOn(NS, raisedAt), [
      [
        '2026-11-20T11:00:00.000Z',
        { type: 'propose-resolution', actor: ann, outcome: 'Agreed.', outstandingIssues: 'none' },
      ],
      ['2026-11-20T12:00:00.000Z', { type: 'confirm-resolution', actor: ben }],
    ]);
    const told = timersOf(resolved).filter((t) => t.kind === 'notification');
    expect(told.map((t) => [t.at, t.audience.map((a) => [a.agencyId, a.roles])])).toEqual([
      [
        '2026-11-20T12:00:00.000Z',
        [
          [council, ['line-manager']],
          [trust, ['line-manager']],
        ],
      ],
    ]);
    expect(timersOf(raiseOn(NS, raisedAt)).filter((t) => t.kind === 'notification')).toEqual([]);
  });

  test('not owed while the stage is open, nor for a stage that was escalated', () => {
    const open = raiseOn(NS, raisedAt);
    expect(owedMilestones(open, calendarFor(NS))).toEqual([]);
    const escalated = run(open, [
      ['2026-11-20T11:00:00.000Z', { type: 'request-escalation', actor: councilManager, reason: 'Not agreed.' }],
      ['2026-11-20T12:00:00.000Z', { type: 'approve-escalation', actor: secondTier }],
      [
        '2026-11-20T13:00:00.000Z',
        { type: 'propose-resolution', actor: secondTier, outcome: 'Agreed.', outstandingIssues: 'none' },
      ],
      ['2026-11-20T14:00:00.000Z', { type: 'confirm-resolution', actor: trustSecondTier }],
    ]);
    expect(owedMilestones(escalated, calendarFor(NS)).map((o) => [o.stage, o.milestone.id])).toEqual([
      ['stage-2', 'general-safeguarding-issues'],
    ]);
  });
});

test('North Somerset stage 5: "The Panel will receive representation from those concerned in the dispute", recorded by the Panel', () => {
  const NS = board('north-somerset');
  const all = who('ann', council, 'practitioner', 'line-manager', 'second-tier-manager', 'senior-manager');
  const rep = who('ann', council, 'board-representative', 'senior-manager');
  const businessManager = who('bea', 'nssab', 'board-business-manager');
  const panel = who('pat', 'nssab', 'panel');
  const at = (h: number): string => `2026-11-02T${String(9 + h).padStart(2, '0')}:00:00.000Z`;
  const stage5 = run(raiseOn(NS, '2026-11-02T09:00:00.000Z', { actor: all }), [
    [at(1), { type: 'request-escalation', actor: all, reason: 'Not resolved.' }],
    [at(2), { type: 'request-escalation', actor: all, reason: 'Not resolved.' }],
    [at(3), { type: 'request-escalation', actor: rep, reason: 'Not resolved.' }],
    [at(4), { type: 'request-escalation', actor: rep, reason: 'Still unresolved.' }],
    [at(5), { type: 'approve-escalation', actor: businessManager }],
  ]);
  expect(stageOf(stage5)).toBe('stage-5');
  const now = new Date('2026-11-03T10:00:00.000Z');
  expect(owedMilestones(stage5, calendarFor(NS)).map((o) => o.milestone.id)).toContain('representation-received');
  expect(availableCommands(stage5, panel, now)).toContain('record-milestone');
  const heard = ok(
    decide(
      stage5,
      { type: 'record-milestone', actor: panel, milestone: 'representation-received', note: 'Both heard.' },
      now,
    ),
  );
  expect(heard.state.milestones?.map((m) => m.id)).toEqual(['representation-received']);
});

describe('a procedure that says nothing about immediate risk (immediateRisk left out)', () => {
  const LU = board('luton');
  const { immediateRisk: _left, ...rest } = LU;
  const silent: Procedure = rest;

  test('the file loads without it, and the check finds nothing to say', () => {
    expect(procedureSchema.safeParse(silent).success).toBe(true);
    expect(crossCheckProcedure(silent)).toEqual([]);
  });

  test('raising asks no question and opens stage 1 as usual; no emergency guidance is recorded', () => {
    const r = ok(
      raise(
        silent,
        {
          type: 'raise',
          actor: who('ann', council, 'practitioner'),
          sequence: 1,
          immediateRisk: false,
          respondingAgency: { id: trust },
          form,
        },
        new Date('2026-10-26T10:00:00.000Z'),
      ),
    );
    expect(r.events.map((e) => e.type)).toEqual(['case-raised', 'stage-entered']);
    expect(r.state.urgent).toBe(false);
    expect(emergencyContacts(silent)).toEqual([]);
    // Slack's first step shows no question to answer.
    expect(JSON.stringify(riskModal(silent, { board: silent.id }))).not.toContain('"block_id":"immediateRisk"');
    expect(JSON.stringify(riskModal(LU, { board: LU.id }))).toContain('"block_id":"immediateRisk"');
  });
});

describe('a stage limit that runs from a milestone: "minutes within 15 working days" of the meeting', () => {
  const LU = board('luton');
  const phrase = 'minutes within 15 working days';
  const fromMeeting: Procedure = {
    ...LU,
    stages: LU.stages.map((s) =>
      s.id === 'stage-1'
        ? {
            ...s,
            milestones: [
              {
                id: 'meeting-held',
                label: 'Meeting held',
                by: ['practitioner'],
                date: false,
                outlives: false,
                afterResolution: false,
                phrase: 'a meeting',
              },
            ],
            timescales: [
              { kind: 'conclude-by', amount: 15, unit: 'working-days', from: { milestone: 'meeting-held' }, phrase },
            ],
          }
        : s,
    ),
  };
  const ann = who('ann', council, 'practitioner');

  test('unknown until the meeting is recorded; then due 15 working days on, across the clock change', () => {
    const state = raiseOn(fromMeeting, '2026-10-22T09:00:00.000Z');
    expect(state.stages[0]?.deadlines.some((d) => d.phrase === phrase)).toBe(false);
    const held = ok(
      decide(state, { type: 'record-milestone', actor: ann, note: 'Held.' }, new Date('2026-10-23T09:00:00.000Z')),
    );
    // Friday 23 October 2026 (BST) + 15 working days: Friday 13 November, 5pm GMT.
    expect(held.state.stages[0]?.deadlines.find((d) => d.phrase === phrase)?.at).toBe('2026-11-13T17:00:00.000Z');
  });

  test('the check names a milestone the stage does not list', () => {
    const wrong: Procedure = {
      ...fromMeeting,
      stages: fromMeeting.stages.map((s) =>
        s.id === 'stage-1'
          ? {
              ...s,
              timescales: [
                { kind: 'conclude-by', amount: 15, unit: 'working-days', from: { milestone: 'minutes' }, phrase },
              ],
            }
          : s,
      ),
    };
    expect(crossCheckProcedure(wrong).map((f) => f.message)).toContain(
      'runs from the milestone "minutes", which is not one of this stage\'s "milestones"',
    );
  });
});
