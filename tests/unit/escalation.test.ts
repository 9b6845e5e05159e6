import { formatInZone } from '../../src/domain/calendar';
import {
  availableCommands,
  calendarFor,
  decide,
  nextDeadline,
  raise,
  refusalEvent,
  replay,
  type Actor,
  type CaseCommand,
  type CaseEvent,
  type CaseState,
  type RaiseCommand,
} from '../../src/domain/escalation';
import type { Procedure } from '../../src/domain/procedure';
import { ok, refusal, who, shippedBoard } from '../fakes/cases';

const board = shippedBoard;
const london = (iso: string | undefined): string => (iso ? formatInZone(new Date(iso), 'Europe/London') : 'none');

const council = 'north-somerset-council';
const trust = 'avon-nhs-trust';
const worker = who('ann', council, 'practitioner');
const counterpart = who('ben', trust, 'practitioner');
const councilManager = who('cat', council, 'line-manager');
const trustManager = who('dev', trust, 'line-manager');
const councilSecondTier = who('eve', council, 'second-tier-manager');
const trustSecondTier = who('fay', trust, 'second-tier-manager');
const stranger = who('gus', 'police', 'practitioner', 'line-manager');

const form = {
  initials: 'j s',
  recordNumbers: { raising: 'LAS-123456', responding: 'NHS 485 777 3456' },
  category: 'case-closure',
  summary: 'The trust closed the case although the adult is still losing weight.',
  outcomeWanted: 'Keep the case open and review the care plan together.',
  safetyMeanwhile: 'Daily visits by the home care agency continue.',
};

function raiseCommand(overrides: Partial<RaiseCommand> = {}): RaiseCommand {
  return {
    type: 'raise',
    actor: worker,
    sequence: 42,
    immediateRisk: false,
    respondingAgency: { id: trust },
    respondingPersonId: 'ben',
    form,
    ...overrides,
  };
}

/** Run commands in order, each at its instant, returning the state and every event. */
function run(
  start: { state: CaseState; events: CaseEvent[] },
  steps: Array<[string, CaseCommand]>,
): { state: CaseState; events: CaseEvent[] } {
  let { state } = start;
  const events = [...start.events];
  for (const [at, command] of steps) {
    const result = ok(decide(state, command, new Date(at)));
    state = result.state;
    events.push(...result.events);
  }
  return { state, events };
}

const NS = board('north-somerset');
const raisedFriday = '2026-11-20T10:00:00Z';

describe('raising an escalation', () => {
  test('opens stage 1 with a human reference, the adult’s initials and record numbers, and stage 1’s deadline', () => {
    const { events, state } = ok(raise(NS, raiseCommand(), new Date(raisedFriday)));
    expect(events.map((e) => e.type)).toEqual(['case-raised', 'stage-entered']);
    expect(state.reference).toBe('NS-2026-0042');
    expect(state.subject).toEqual({
      initials: 'J.S.',
      recordNumbers: { raising: 'LAS-123456', responding: 'NHS 485 777 3456' },
    });
    expect(state.stages.map((s) => s.id)).toEqual(['stage-1']);
    expect(state.stages[0]?.acknowledged.raising?.by).toBe('ann');
    expect(london(nextDeadline(state)?.at)).toBe('2026-11-23T17:00:00+00:00');
    expect(state.procedure).toBe(NS);
  });

  test('the reference year is the London year: 00:30 on New Year’s Day BST-free is already 2027', () => {
    const { state } = ok(raise(NS, raiseCommand({ sequence: 1 }), new Date('2027-01-01T00:30:00Z')));
    expect(state.reference).toBe('NS-2027-0001');
  });

  test('immediate risk, on a board whose procedure is not for it: refused with the board’s emergency contacts', () => {
    const camden = board('camden');
    const r = refusal(raise(camden, raiseCommand({ immediateRisk: true }), new Date(raisedFriday)));
    expect(r.code).toBe('immediate-risk');
    const decision = raise(camden, raiseCommand({ immediateRisk: true }), new Date(raisedFriday));
    if (decision.ok) throw new Error('accepted');
    expect(decision.refusal.guidance?.contacts.map((c) => c.phone)).toEqual(
      expect.arrayContaining(['999', '101', '020 7974 4000']),
    );
    expect(r.message).toMatch(/not at immediate risk/);
  });

  test('immediate risk on Lincolnshire’s urgent path: raised as urgent, with the guidance recorded', () => {
    const li = board('lincolnshire');
    const { events, state } = ok(raise(li, raiseCommand({ immediateRisk: true }), new Date(raisedFriday)));
    expect(state.urgent).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['case-raised', 'immediate-risk-guidance-given', 'stage-entered']);
    expect(state.reference).toBe('LI-2026-0042');
  });

  test('North Somerset lets a second tier manager start at stage 2 when harm is imminent, and nobody otherwise', () => {
    const up = ok(
      raise(
        NS,
        raiseCommand({ actor: councilSecondTier, immediateRisk: true, startStage: 'stage-2' }),
        new Date(raisedFriday),
      ),
    );
    expect(up.state.stages.map((s) => s.id)).toEqual(['stage-2']);
    expect(up.state.urgent).toBe(true);
    expect(
      refusal(raise(NS, raiseCommand({ actor: councilSecondTier, startStage: 'stage-2' }), new Date(raisedFriday)))
        .code,
    ).toBe('not-allowed-here');
    expect(
      refusal(
        raise(NS, raiseCommand({ actor: worker, immediateRisk: true, startStage: 'stage-2' }), new Date(raisedFriday)),
      ).message,
    ).toMatch(/must be a Second tier manager/);
    expect(
      refusal(
        raise(
          NS,
          raiseCommand({ actor: councilSecondTier, immediateRisk: true, startStage: 'stage-5' }),
          new Date(raisedFriday),
        ),
      ).code,
    ).toBe('not-allowed-here');
  });

  test('the form is checked field by field, and never takes the adult’s name', () => {
    const r = refusal(
      raise(
        NS,
        raiseCommand({ form: { ...form, initials: 'John Smith', category: 'weather', summary: '   ' } }),
        new Date(raisedFriday),
      ),
    );
    expect(r.code).toBe('invalid-input');
    expect(Object.keys(r.fields ?? {}).sort()).toEqual(['category', 'initials', 'summary']);
    expect(r.fields?.initials).toMatch(/initials only/);
    const withName = refusal(
      raise(NS, raiseCommand({ form: { ...form, name: 'John Smith' } as typeof form }), new Date(raisedFriday)),
    );
    expect(Object.values(withName.fields ?? {}).join(' ')).toMatch(/never asked for/);
  });

  test('a disagreement inside one agency, an agency outside the board, and a future date are refused', () => {
    expect(
      refusal(raise(NS, raiseCommand({ respondingAgency: { id: council } }), new Date(raisedFriday))).message,
    ).toMatch(/internal escalation/);
    expect(
      refusal(raise(NS, raiseCommand({ actor: { ...worker, boards: ['camden'] } }), new Date(raisedFriday))).code,
    ).toBe('not-a-party');
    expect(
      refusal(raise(NS, raiseCommand({ respondingAgency: { id: trust, boards: ['luton'] } }), new Date(raisedFriday)))
        .code,
    ).toBe('not-allowed-here');
    expect(
      refusal(raise(NS, raiseCommand({ concernAroseAt: new Date('2026-11-21T10:00:00Z') }), new Date(raisedFriday)))
        .fields,
    ).toHaveProperty('concernAroseAt');
  });
});

describe('working a stage', () => {
  const raised = ok(raise(NS, raiseCommand(), new Date(raisedFriday)));

  test('the counterpart acknowledges once; a start-by stops being pending once both sides are in', () => {
    expect(nextDeadline(raised.state)?.kind).toBe('conclude-by'); // same instant; conclude-by sorts stable first
    const acked = run(raised, [['2026-11-20T11:00:00Z', { type: 'acknowledge', actor: counterpart }]]);
    expect(acked.state.stages[0]?.acknowledged.responding?.by).toBe('ben');
    // its own two, and stage 4's "no longer than 5 working days" from the outset
    expect(acked.state.stages[0]?.deadlines.length).toBe(3);
    expect(
      refusal(decide(acked.state, { type: 'acknowledge', actor: trustManager }, new Date('2026-11-20T12:00:00Z'))).code,
    ).toBe('already-done');
  });

  test('someone from an agency outside the case is refused, with the roles that may act', () => {
    const r = refusal(decide(raised.state, { type: 'acknowledge', actor: stranger }, new Date('2026-11-20T11:00:00Z')));
    expect(r.code).toBe('not-your-role');
    expect(r.message).toMatch(/Only the Worker or Line manager of either agency can acknowledge/);
    expect(
      refusal(
        decide(raised.state, { type: 'add-note', actor: stranger, text: 'hello' }, new Date('2026-11-20T11:00:00Z')),
      ).code,
    ).toBe('not-a-party');
  });

  test('notes need words and are counted', () => {
    expect(
      refusal(decide(raised.state, { type: 'add-note', actor: worker, text: '  ' }, new Date('2026-11-20T11:00:00Z')))
        .fields,
    ).toHaveProperty('text');
    const noted = run(raised, [
      ['2026-11-20T11:00:00Z', { type: 'add-note', actor: counterpart, text: 'Called the GP.' }],
    ]);
    expect(noted.state.notes).toBe(1);
    expect(noted.state.participants).toEqual(['ann', 'ben']);
  });

  test('a written outcome must be confirmed by the other side before the case is resolved', () => {
    const proposed = run(raised, [
      [
        '2026-11-20T13:00:00Z',
        {
          type: 'propose-resolution',
          actor: counterpart,
          outcome: 'Case reopened; joint review on Monday.',
          outstandingIssues: 'Care plan review led by the trust.',
        },
      ],
    ]);
    expect(proposed.state.status).toBe('open');
    expect(
      refusal(
        decide(proposed.state, { type: 'confirm-resolution', actor: trustManager }, new Date('2026-11-20T13:05:00Z')),
      ).code,
    ).toBe('already-done');
    const disputed = run(proposed, [
      ['2026-11-20T14:00:00Z', { type: 'dispute-resolution', actor: worker, reason: 'No date for the review.' }],
    ]);
    expect(disputed.state.proposal).toBeUndefined();
    expect(disputed.state.status).toBe('open');
    const resolved = run(disputed, [
      [
        '2026-11-20T15:00:00Z',
        {
          type: 'propose-resolution',
          actor: counterpart,
          outcome: 'Case reopened; joint review Monday 23 November.',
          outstandingIssues: 'None.',
        },
      ],
      ['2026-11-20T15:30:00Z', { type: 'confirm-resolution', actor: worker }],
    ]);
    expect(resolved.state.status).toBe('resolved');
    expect(resolved.state.outcome).toEqual(
      expect.objectContaining({
        stage: 'stage-1',
        text: 'Case reopened; joint review Monday 23 November.',
        outstandingIssues: 'None.',
      }),
    );
    expect(resolved.events.slice(-2).map((e) => e.type)).toEqual(['resolution-confirmed', 'case-resolved']);
    expect(nextDeadline(resolved.state)).toBeUndefined();
    expect(
      refusal(
        decide(resolved.state, { type: 'add-note', actor: worker, text: 'late' }, new Date('2026-11-20T16:00:00Z')),
      ).code,
    ).toBe('case-closed');
  });

  test('confirming with nothing proposed says so', () => {
    expect(
      refusal(
        decide(raised.state, { type: 'confirm-resolution', actor: counterpart }, new Date('2026-11-20T11:00:00Z')),
      ).code,
    ).toBe('nothing-to-decide');
  });
});

describe('escalating', () => {
  const raised = ok(raise(NS, raiseCommand(), new Date(raisedFriday)));
  const requested = run(raised, [
    [
      '2026-11-23T10:00:00Z',
      { type: 'request-escalation', actor: worker, reason: 'The trust will not reopen the case.' },
    ],
  ]);

  test('needs a reason, and waits for the manager tier', () => {
    expect(
      refusal(
        decide(
          raised.state,
          { type: 'request-escalation', actor: worker, reason: '' },
          new Date('2026-11-23T10:00:00Z'),
        ),
      ).fields,
    ).toHaveProperty('reason');
    expect(requested.state.pendingEscalation).toEqual(expect.objectContaining({ toStage: 'stage-2', side: 'raising' }));
    expect(requested.state.stages.map((s) => s.id)).toEqual(['stage-1']);
    expect(
      refusal(
        decide(
          requested.state,
          { type: 'request-escalation', actor: counterpart, reason: 'Also us' },
          new Date('2026-11-23T10:30:00Z'),
        ),
      ).code,
    ).toBe('already-done');
  });

  test('only the requesting side’s next tier may approve; the others are refused with a reason', () => {
    const at = new Date('2026-11-23T11:00:00Z');
    expect(refusal(decide(requested.state, { type: 'approve-escalation', actor: worker }, at)).message).toMatch(
      /Only the Second tier manager .* of the agency that asked/,
    );
    expect(refusal(decide(requested.state, { type: 'approve-escalation', actor: trustSecondTier }, at)).code).toBe(
      'not-your-role',
    );
    expect(refusal(decide(raised.state, { type: 'approve-escalation', actor: councilSecondTier }, at)).code).toBe(
      'nothing-to-decide',
    );
  });

  test('approval opens the next stage with its own deadlines; a stale card is refused', () => {
    const up = run(requested, [['2026-11-23T11:00:00Z', { type: 'approve-escalation', actor: councilSecondTier }]]);
    expect(up.state.stages.map((s) => [s.id, s.ended ?? 'open'])).toEqual([
      ['stage-1', 'escalated'],
      ['stage-2', 'open'],
    ]);
    expect(up.state.stages[1]?.acknowledged.raising?.by).toBe('eve');
    // From the outset: stage 2 within 2 working days of Friday 20 November.
    expect(london(nextDeadline(up.state)?.at)).toBe('2026-11-24T17:00:00+00:00');
    const stale = refusal(
      decide(
        up.state,
        { type: 'acknowledge', actor: counterpart, expectedStage: 'stage-1' },
        new Date('2026-11-23T12:00:00Z'),
      ),
    );
    expect(stale.code).toBe('stale');
    expect(stale.message).toMatch(/moved on to Discussing the concern/);
    expect(
      refusal(decide(up.state, { type: 'acknowledge', actor: counterpart }, new Date('2026-11-23T12:00:00Z'))).code,
    ).toBe('not-your-role');
    expect(
      ok(
        decide(
          up.state,
          { type: 'acknowledge', actor: trustSecondTier, expectedStage: 'stage-2' },
          new Date('2026-11-23T12:00:00Z'),
        ),
      ).state.stages[1]?.acknowledged.responding?.by,
    ).toBe('fay');
  });

  test('a returned escalation stays at its stage, with the reason recorded', () => {
    const back = run(requested, [
      [
        '2026-11-23T11:00:00Z',
        { type: 'return-escalation', actor: councilSecondTier, reason: 'Speak to the ward manager first.' },
      ],
    ]);
    expect(back.state.pendingEscalation).toBeUndefined();
    expect(back.state.stages.map((s) => s.id)).toEqual(['stage-1']);
    expect(back.events.at(-1)).toEqual(
      expect.objectContaining({ type: 'escalation-returned', reason: 'Speak to the ward manager first.' }),
    );
    expect(
      refusal(
        decide(
          requested.state,
          { type: 'return-escalation', actor: councilSecondTier, reason: '' },
          new Date('2026-11-23T11:00:00Z'),
        ),
      ).fields,
    ).toHaveProperty('reason');
  });

  test('a manager who may approve takes it up at once (Camden: a front-line manager who is also the safeguarding lead)', () => {
    const camden = board('camden');
    const lead = who('hal', council, 'line-manager', 'safeguarding-lead');
    const start = ok(raise(camden, raiseCommand({ actor: lead }), new Date('2026-12-17T11:00:00Z')));
    const up1 = run(start, [
      ['2026-12-17T12:00:00Z', { type: 'request-escalation', actor: lead, reason: 'No agreement.' }],
    ]);
    expect(up1.state.stages.map((s) => s.id)).toEqual(['stage-1', 'stage-2']);
    expect(up1.events.slice(-3).map((e) => e.type)).toEqual([
      'escalation-requested',
      'escalation-approved',
      'stage-entered',
    ]);
    // Camden: one working week from the stage's own start, over Christmas.
    expect(london(nextDeadline(up1.state)?.at)).toBe('2026-12-24T17:00:00+00:00');
  });

  test('the final stage: the board approves going to the panel, whose decision is final and binding', () => {
    const rep = (id: string, agency: string): Actor =>
      who(id, agency, 'board-representative', 'senior-manager', 'second-tier-manager', 'line-manager');
    const councilRep = rep('ivy', council);
    const trustRep = rep('jon', trust);
    const businessManager = who('kim', 'nssab', 'board-business-manager');
    const panel = who('lee', 'nssab', 'panel');
    let state = ok(raise(NS, raiseCommand({ actor: councilRep }), new Date(raisedFriday))).state;
    const step = (at: string, command: CaseCommand): void => {
      state = ok(decide(state, command, new Date(at))).state;
    };
    step('2026-11-20T11:00:00Z', { type: 'request-escalation', actor: councilRep, reason: 'r1' });
    step('2026-11-20T12:00:00Z', { type: 'request-escalation', actor: trustRep, reason: 'r2' });
    step('2026-11-20T13:00:00Z', { type: 'request-escalation', actor: councilRep, reason: 'r3' });
    expect(state.stages.map((s) => s.id)).toEqual(['stage-1', 'stage-2', 'stage-3', 'stage-4']);
    step('2026-11-23T10:00:00Z', {
      type: 'request-escalation',
      actor: trustRep,
      reason: 'Still unresolved at Board level.',
    });
    expect(state.pendingEscalation?.toStage).toBe('stage-5');
    expect(
      refusal(decide(state, { type: 'approve-escalation', actor: councilRep }, new Date('2026-11-23T11:00:00Z')))
        .message,
    ).toMatch(/Business Manager/);
    step('2026-11-23T11:00:00Z', { type: 'approve-escalation', actor: businessManager });
    expect(state.stages.at(-1)?.id).toBe('stage-5');
    expect(
      refusal(
        decide(
          state,
          { type: 'request-escalation', actor: trustRep, reason: 'more' },
          new Date('2026-11-23T12:00:00Z'),
        ),
      ).code,
    ).toBe('no-next-stage');
    expect(
      refusal(
        decide(
          state,
          { type: 'record-final-decision', actor: businessManager, decision: 'x' },
          new Date('2026-11-23T12:00:00Z'),
        ),
      ).message,
    ).toMatch(/Only the NSSAB Mediation Panel/);
    step('2026-11-30T15:00:00Z', {
      type: 'record-final-decision',
      actor: panel,
      decision: 'The trust reopens the case and leads a joint review.',
    });
    expect(state.status).toBe('decided');
    expect(state.decision).toEqual(expect.objectContaining({ finalAndBinding: true, by: 'lee' }));
  });

  test('Lincolnshire: an urgent case goes to the independently chaired meeting (4a), a date set within 24 hours of step 3', () => {
    const li = board('lincolnshire');
    const slo = (id: string, agency: string): Actor =>
      who(id, agency, 'practitioner', 'line-manager', 'senior-liaison-officer');
    const a = slo('mo', council);
    const b = slo('nia', trust);
    const climb = (urgentCase: boolean, urgentChoice?: boolean): CaseState => {
      let state = ok(
        raise(li, raiseCommand({ actor: a, immediateRisk: urgentCase }), new Date('2026-11-20T10:00:00Z')),
      ).state;
      for (const [at, actor] of [
        ['2026-11-20T11:00:00Z', a],
        ['2026-11-20T12:00:00Z', b],
      ] as const)
        state = ok(decide(state, { type: 'request-escalation', actor, reason: 'no plan' }, new Date(at))).state;
      return ok(
        decide(
          state,
          {
            type: 'request-escalation',
            actor: a,
            reason: 'SLOs cannot agree',
            ...(urgentChoice === undefined ? {} : { urgent: urgentChoice }),
          },
          new Date('2026-11-24T16:00:00Z'),
        ),
      ).state;
    };
    const urgent = climb(true);
    expect(urgent.stages.at(-1)?.id).toBe('step-4a');
    const firstDeadline = urgent.stages.at(-1)?.deadlines.find((d) => d.kind === 'start-by');
    expect(london(firstDeadline?.at)).toBe('2026-11-25T16:00:00+00:00');
    expect(climb(false).pendingEscalation?.toStage ?? climb(false).stages.at(-1)?.id).toBe('step-4b');
    expect(climb(false, true).stages.at(-1)?.id).toBe('step-4a');
  });

  test('withdrawing is for the raising side, with a reason', () => {
    expect(
      refusal(
        decide(raised.state, { type: 'withdraw', actor: counterpart, reason: 'x' }, new Date('2026-11-23T10:00:00Z')),
      ).code,
    ).toBe('not-your-role');
    const gone = run(raised, [
      ['2026-11-23T10:00:00Z', { type: 'withdraw', actor: worker, reason: 'The trust reopened the case.' }],
    ]);
    expect(gone.state.status).toBe('withdrawn');
    expect(nextDeadline(gone.state)).toBeUndefined();
  });
});

describe('the procedure is snapshotted into the case', () => {
  test('editing the board’s file later does not move a running case’s deadlines', () => {
    const raised = ok(raise(NS, raiseCommand(), new Date(raisedFriday)));
    const edited: Procedure = structuredClone(NS);
    edited.stages[1]?.timescales.splice(0, 1, {
      kind: 'conclude-by',
      amount: 10,
      unit: 'working-days',
      from: 'raised',
      phrase: '(Within 10 working days)',
    });
    // The running case keeps the procedure it was raised under…
    const up = run(raised, [
      ['2026-11-23T10:00:00Z', { type: 'request-escalation', actor: worker, reason: 'r' }],
      ['2026-11-23T11:00:00Z', { type: 'approve-escalation', actor: councilSecondTier }],
    ]);
    expect(london(nextDeadline(up.state)?.at)).toBe('2026-11-24T17:00:00+00:00');
    // …while a case raised under the edited file counts by it.
    const fresh = ok(raise(edited, raiseCommand(), new Date(raisedFriday)));
    expect(fresh.state.procedure.stages[1]?.timescales[0]?.amount).toBe(10);
  });

  test('the state is the fold of its events', () => {
    const raised = ok(raise(NS, raiseCommand(), new Date(raisedFriday)));
    const later = run(raised, [
      ['2026-11-20T11:00:00Z', { type: 'acknowledge', actor: counterpart }],
      ['2026-11-20T12:00:00Z', { type: 'add-note', actor: councilManager, text: 'Supporting Ann.' }],
      ['2026-11-23T10:00:00Z', { type: 'request-escalation', actor: worker, reason: 'r' }],
      ['2026-11-23T11:00:00Z', { type: 'approve-escalation', actor: councilSecondTier }],
    ]);
    expect(replay(later.events)).toEqual(later.state);
    expect(later.state.version).toBe(later.events.length);
  });

  test('the core decides from its arguments alone: the same command at the same instant gives the same events', () => {
    const a = raise(NS, raiseCommand(), new Date(raisedFriday));
    const b = raise(NS, raiseCommand(), new Date(raisedFriday));
    expect(a).toEqual(b);
    expect(calendarFor(NS).nation).toBe('england-and-wales');
  });
});

describe('a stage held by the board alone', () => {
  test('Cheshire East step 4: the agencies’ board representatives can still propose and confirm an outcome; the Chair records the recommendation', () => {
    const ce = board('cheshire-east');
    const rep = (id: string, agency: string): Actor =>
      who(id, agency, 'practitioner', 'line-manager', 'senior-manager', 'board-representative');
    const a = rep('oli', council);
    const b = rep('pam', trust);
    const businessManager = who('quin', 'cesab', 'board-business-manager');
    let state = ok(raise(ce, raiseCommand({ actor: a }), new Date('2026-11-23T10:00:00Z'))).state;
    const step = (at: string, command: CaseCommand): void => {
      state = ok(decide(state, command, new Date(at))).state;
    };
    step('2026-11-23T11:00:00Z', { type: 'request-escalation', actor: a, reason: 'r1' });
    step('2026-11-24T11:00:00Z', { type: 'request-escalation', actor: b, reason: 'r2' });
    step('2026-11-30T11:00:00Z', { type: 'request-escalation', actor: a, reason: 'r3' });
    expect(state.pendingEscalation?.toStage).toBe('step-4');
    step('2026-11-30T12:00:00Z', { type: 'approve-escalation', actor: businessManager });
    expect(state.stages.at(-1)?.id).toBe('step-4');
    expect(refusal(decide(state, { type: 'acknowledge', actor: a }, new Date('2026-11-30T13:00:00Z'))).code).toBe(
      'not-your-role',
    );
    step('2026-12-01T10:00:00Z', {
      type: 'propose-resolution',
      actor: b,
      outcome: 'Joint review.',
      outstandingIssues: 'None.',
    });
    step('2026-12-01T11:00:00Z', { type: 'confirm-resolution', actor: a });
    expect(state.status).toBe('resolved');
    expect(state.outcome?.stage).toBe('step-4');
  });
});

describe('what each person may do now', () => {
  test('the buttons a card shows follow the rules: worker, counterpart, manager tier and strangers differ', () => {
    const raised = ok(raise(NS, raiseCommand(), new Date(raisedFriday))).state;
    const at = new Date('2026-11-20T11:00:00Z');
    expect(availableCommands(raised, worker, at)).toEqual([
      'add-note',
      'propose-resolution',
      'request-escalation',
      'withdraw',
    ]);
    expect(availableCommands(raised, counterpart, at)).toEqual([
      'acknowledge',
      'add-note',
      'propose-resolution',
      'request-escalation',
    ]);
    expect(availableCommands(raised, stranger, at)).toEqual([]);
    const asked = ok(decide(raised, { type: 'request-escalation', actor: worker, reason: 'r' }, at)).state;
    expect(availableCommands(asked, councilSecondTier, at)).toEqual(['approve-escalation', 'return-escalation']);
    expect(availableCommands(asked, trustSecondTier, at)).toEqual([]);
  });
});

describe('a stage’s start-by is met once everyone taking part has acknowledged it', () => {
  test('Lincolnshire 4a: the date must be set by the chair as well as both Senior Liaison Officers taking it up', () => {
    const li = board('lincolnshire');
    const slo = (id: string, agency: string): Actor =>
      who(id, agency, 'practitioner', 'line-manager', 'senior-liaison-officer');
    const a = slo('mo', council);
    const b = slo('nia', trust);
    const chair = who('ola', 'lsab', 'independent-chair');
    let state = ok(raise(li, raiseCommand({ actor: a, immediateRisk: true }), new Date('2026-11-20T10:00:00Z'))).state;
    for (const [at, actor] of [
      ['2026-11-20T11:00:00Z', a],
      ['2026-11-20T12:00:00Z', b],
      ['2026-11-24T16:00:00Z', a],
    ] as const) {
      state = ok(decide(state, { type: 'request-escalation', actor, reason: 'no agreement' }, new Date(at))).state;
    }
    expect(state.stages.at(-1)?.id).toBe('step-4a');
    expect(nextDeadline(state)?.kind).toBe('start-by');
    state = ok(decide(state, { type: 'acknowledge', actor: b }, new Date('2026-11-24T17:00:00Z'))).state;
    expect(nextDeadline(state)?.kind).toBe('start-by');
    state = ok(decide(state, { type: 'acknowledge', actor: chair }, new Date('2026-11-25T09:00:00Z'))).state;
    // The board default is for 4b only ("Step 4b ... has no timescale in the protocol"): 4a has no limit once begun.
    expect(nextDeadline(state)).toBeUndefined();
    state = ok(
      decide(
        state,
        { type: 'record-final-decision', actor: chair, decision: 'Meeting held; the trust will assess on Friday.' },
        new Date('2026-11-27T12:00:00Z'),
      ),
    ).state;
    expect(state.status).toBe('decided');
    expect(state.decision?.finalAndBinding).toBe(false);
  });
});

describe('refused attempts are on the record', () => {
  test('a refusal becomes a timeline event naming who tried what and why, without making them a party', () => {
    const raised = ok(raise(NS, raiseCommand(), new Date(raisedFriday)));
    const command: CaseCommand = { type: 'approve-escalation', actor: stranger };
    const at = new Date('2026-11-20T11:00:00Z');
    const decision = decide(raised.state, command, at);
    if (decision.ok) throw new Error('accepted');
    const event = refusalEvent(raised.state, command, decision.refusal, at);
    expect(event).toEqual(
      expect.objectContaining({
        type: 'command-refused',
        command: 'approve-escalation',
        code: 'nothing-to-decide',
        stage: 'stage-1',
        at: '2026-11-20T11:00:00.000Z',
      }),
    );
    expect(event.by).toEqual(expect.objectContaining({ personId: 'gus', party: 'outside' }));
    const after = replay([...raised.events, event]);
    expect(after?.version).toBe(raised.state.version + 1);
    expect(after?.participants).toEqual(raised.state.participants);
  });
});
