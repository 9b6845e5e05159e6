/**
 * What the platforms let people say when raising and escalating: when the concern arose (the
 * timescales count from it), the adult's own wishes, the stage to start at where the board leaves
 * it to the person raising, and the urgent or non-urgent way where the next stage branches; and
 * the card's inputs of each kind (words, a date, a choice) on Slack and Teams.
 */
import { commandFrom, dateOf } from '../../src/app/commands';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import { raiseRequestFrom, startStageOptions } from '../../src/app/raise-request';
import { caseRecordDocument } from '../../src/app/records/case-record';
import { stageCardView, WHICH_WAY, type ActionView } from '../../src/app/views/stage-card';
import { inputModal, stageCardBlocks } from '../../src/channels/slack/blocks';
import { raiseFormModal } from '../../src/channels/slack/raise-modals';
import { raiseFormCard } from '../../src/channels/teams/raise-dialog';
import { renderStageCard } from '../../src/channels/teams/stage-card';
import {
  concernAroseFrom,
  decide,
  raise,
  type CaseCommand,
  type CaseEvent,
  type CaseState,
  type RaiseCommand,
} from '../../src/domain/escalation';
import { parseProblems } from '../fakes/adaptive-cards';
import { ok, who, shippedBoard } from '../fakes/cases';

const procedures = loadProcedures();
const board = shippedBoard;
const directory = loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, procedures);

const form = {
  initials: 'j s',
  recordNumbers: { raising: 'LAS-123456' },
  category: 'case-closure',
  summary: 'The trust closed the case although the adult is still losing weight.',
  outcomeWanted: 'Keep the case open and review the care plan together.',
  safetyMeanwhile: 'Daily visits by the home care agency continue.',
};

// ── When the concern arose ──────────────────────────────────────────────────────────────

describe('the date the concern arose: the timescales count from it', () => {
  const cheshire = board('cheshire-east');
  const ceri = who('ceri', 'cheshire-east-community-health', 'practitioner');
  const values = {
    immediateRisk: 'no',
    respondingAgency: 'cheshire-east-housing',
    initials: 'J S',
    category: 'other',
    summary: form.summary,
    outcomeWanted: form.outcomeWanted,
    safetyMeanwhile: form.safetyMeanwhile,
  };
  const cheshireDirectory = {
    ...directory,
    agencies: [
      ...directory.agencies,
      { id: 'cheshire-east-housing', name: 'Cheshire East Housing', boards: ['cheshire-east'] },
    ],
  } as typeof directory;
  const raiseOn = (now: string, concernAroseAt?: Date): CaseState =>
    ok(
      raise(
        cheshire,
        {
          type: 'raise',
          actor: ceri,
          sequence: 1,
          immediateRisk: false,
          respondingAgency: { id: 'cheshire-east-housing' },
          form,
          ...(concernAroseAt ? { concernAroseAt } : {}),
        },
        new Date(now),
      ),
    ).state;

  test('an earlier date is the start of that day’s working hours, in London time either side of the clock change', () => {
    // Clocks go forward on Sunday 29 March 2026: 9am is 09:00 GMT on the Friday, 08:00 UTC on the Monday.
    const now = new Date('2026-03-31T10:00:00.000Z');
    expect(concernAroseFrom(cheshire, '2026-03-27', now)).toEqual({
      ok: true,
      at: new Date('2026-03-27T09:00:00.000Z'),
    });
    expect(concernAroseFrom(cheshire, '2026-03-30', now)).toEqual({
      ok: true,
      at: new Date('2026-03-30T08:00:00.000Z'),
    });
    // Today, or nothing given: the moment of raising.
    expect(concernAroseFrom(cheshire, '2026-03-31', now)).toEqual({ ok: true, at: now });
    expect(concernAroseFrom(cheshire, '', now)).toEqual({ ok: true, at: now });
  });

  test('a date in the future, or not a date, is refused in words', () => {
    const now = new Date('2026-03-31T10:00:00.000Z');
    for (const date of ['2026-04-01', '31/03/2026', '2026-02-30'])
      expect(concernAroseFrom(cheshire, date, now)).toEqual({
        ok: false,
        problem: 'Give the date the concern arose: today or earlier, within the last year.',
      });
  });

  test('Cheshire East "TAKE ACTION WITHIN 24 HOURS OF CONCERN ARISING": 24 hours from the concern, not from the raising', () => {
    // The concern arose on Friday 27 March 2026; it is raised on Monday 30 March at 11am (BST).
    const now = new Date('2026-03-30T10:00:00.000Z');
    const built = raiseRequestFrom(
      cheshire,
      cheshireDirectory,
      { actor: ceri },
      { ...values, concernAroseAt: '2026-03-27' },
      'k1',
      now,
    );
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    expect(built.request.command.concernAroseAt).toEqual(new Date('2026-03-27T09:00:00.000Z'));
    const state = ok(raise(cheshire, { ...built.request.command, sequence: 1 }, now)).state;
    expect(state.concernAroseAt).toBe('2026-03-27T09:00:00.000Z');
    // 24 clock hours from 9am Friday: 9am Saturday, already past when it is raised (the old code: Tuesday 11am).
    const startBy = (s: CaseState) => s.stages[0]?.deadlines.filter((d) => d.kind === 'start-by').map((d) => d.at);
    expect(startBy(state)).toEqual(['2026-03-28T09:00:00.000Z']);
    expect(startBy(raiseOn('2026-03-30T10:00:00.000Z'))).toEqual(['2026-03-31T10:00:00.000Z']);
  });

  test('Cheshire East "STEP 2 (NO LATER THAN DAY 3- TO BE CONCLUDED BY DAY 9)": day 1 is the day the concern arose', () => {
    // The concern arose on Friday 27 March 2026, raised Monday 30 March; Good Friday (3 April) and
    // Easter Monday (6 April) are bank holidays, and the clocks went forward on 29 March.
    const now = new Date('2026-03-30T10:00:00.000Z');
    const form27 = raiseRequestFrom(
      cheshire,
      cheshireDirectory,
      { actor: ceri },
      { ...values, concernAroseAt: '2026-03-27' },
      'k3',
      now,
    );
    if (!form27.ok) throw new Error(JSON.stringify(form27.errors));
    const raised = ok(raise(cheshire, { ...form27.request.command, sequence: 2 }, now)).state;
    const requested = ok(
      decide(
        raised,
        { type: 'request-escalation', actor: ceri, reason: 'No agreement.' },
        new Date('2026-03-30T11:00:00.000Z'),
      ),
    ).state;
    const manager = who('lm', 'cheshire-east-community-health', 'line-manager', 'safeguarding-lead');
    const step2 = ok(
      decide(requested, { type: 'approve-escalation', actor: manager }, new Date('2026-03-30T12:00:00.000Z')),
    ).state;
    expect(step2.stages.at(-1)?.id).toBe('step-2');
    // Day 3 is Tuesday 31 March and day 9 is Friday 10 April, each by 5pm (BST); counted from the
    // raising (Monday 30th as day 1) they would be Wednesday 1 April and Monday 13 April.
    expect(step2.stages.at(-1)?.deadlines.map((d) => [d.kind, d.at])).toEqual([
      ['start-by', '2026-03-31T16:00:00.000Z'],
      ['conclude-by', '2026-04-10T16:00:00.000Z'],
      ['conclude-by', '2026-04-10T16:00:00.000Z'], // step 3 "NO LATER THAN DAY 9", due at step 2
      ['conclude-by', '2026-04-21T16:00:00.000Z'], // step 4 "NO LATER THAN DAY 16", a limit from the outset
    ]);
  });

  test('a future date on the form is refused beside its question, with every other problem', () => {
    const now = new Date('2026-03-30T10:00:00.000Z');
    const built = raiseRequestFrom(
      cheshire,
      directory,
      { actor: ceri },
      { immediateRisk: 'no', concernAroseAt: '2026-04-02', initials: 'J S' },
      'k2',
      now,
    );
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.errors.concernAroseAt).toBe(
      'Give the date the concern arose: today or earlier, within the last year.',
    );
    expect(built.errors.summary).toBe('Please describe what the disagreement is.');
  });

  test('a date more than a year ago (2016 typed for 2026) is refused: every limit would be long past', () => {
    const now = new Date('2026-03-30T10:00:00.000Z');
    const typed = (date: string) =>
      raiseRequestFrom(cheshire, directory, { actor: ceri }, { immediateRisk: 'no', concernAroseAt: date }, 'k3', now);
    const wrong = typed('2016-03-30');
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.errors.concernAroseAt).toMatch(/within the last year/);
    const lastYear = typed('2025-04-01');
    if (!lastYear.ok) expect(lastYear.errors.concernAroseAt).toBeUndefined();
  });

  test('the form asks for the date on both platforms, today (London) to start with and never later', () => {
    const now = new Date('2026-03-29T23:30:00.000Z'); // 00:30 BST on Monday 30 March
    const raiser = directory.people[0];
    if (!raiser) throw new Error('no people');
    const lincs = board('lincolnshire');
    const modal = JSON.stringify(raiseFormModal(lincs, directory, raiser, { board: 'lincolnshire' }, now));
    expect(modal).toContain('"block_id":"concernAroseAt"');
    expect(modal).toContain('"type":"datepicker","action_id":"value","initial_date":"2026-03-30"');
    const card = raiseFormCard(lincs, directory, raiser, { now });
    expect(parseProblems(card)).toEqual([]);
    const date = JSON.stringify(card).match(/\{"type":"Input.Date"[^}]*\}/)?.[0];
    expect(JSON.parse(date ?? '{}')).toEqual(
      expect.objectContaining({ id: 'concernAroseAt', max: '2026-03-30', value: '2026-03-30' }),
    );
  });
});

// ── The adult's own wishes ──────────────────────────────────────────────────────────────

describe('the adult’s own wishes and desired outcomes', () => {
  // Luton (seed 001): "the person's desired outcomes should be the primary considerations".
  const lincs = board('lincolnshire');
  const alex = who('alex', 'lincolnshire-county-council', 'practitioner');
  const command = (adultWishes?: string): RaiseCommand => ({
    type: 'raise',
    actor: alex,
    sequence: 7,
    immediateRisk: false,
    respondingAgency: { id: 'healthwatch-lincolnshire' },
    form: { ...form, ...(adultWishes === undefined ? {} : { adultWishes }) },
  });
  const now = new Date('2026-04-10T10:00:00.000Z');

  test('asked on the form, kept with the concern, shown on the card and in the case record', () => {
    const wishes = 'She wants to stay in her own flat and to keep seeing her daughter.';
    const { state, events } = ok(raise(lincs, command(wishes), now));
    expect(state.concern.adultWishes).toBe(wishes);
    const view = stageCardView(state, { now, directory, events });
    expect(view.substance.adultWishes).toBe(wishes);
    expect(JSON.stringify(stageCardBlocks(view).blocks)).toContain("The adult's own wishes and desired outcomes");
    const card = renderStageCard(view, []);
    expect(parseProblems(card)).toEqual([]);
    expect(JSON.stringify(card)).toContain(wishes);
    expect(JSON.stringify(caseRecordDocument(state, events, directory, now))).toContain(wishes);
  });

  test('optional: a case raised without it (and every older case) has none, and the card leaves it out', () => {
    const { state, events } = ok(raise(lincs, command(''), now));
    expect(state.concern).not.toHaveProperty('adultWishes');
    const card = JSON.stringify(renderStageCard(stageCardView(state, { now, directory, events }), []));
    expect(card).not.toContain("The adult's own wishes");
  });

  test('words that give the adult’s details are refused there too', () => {
    const refused = raise(lincs, command('She wants to go back to LN2 1PX.'), now);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.refusal.code).toBe('names-the-adult');
    expect(Object.keys(refused.refusal.fields ?? {})).toEqual(['adultWishes']);
  });
});

// ── The stage to start at ───────────────────────────────────────────────────────────────

describe('North Somerset: "discretion should be used as to which stage is initiated"', () => {
  const ns = board('north-somerset');
  const nsDirectory = {
    ...directory,
    agencies: [
      { id: 'north-somerset-council', name: 'North Somerset Council', boards: ['north-somerset'] },
      { id: 'avon-nhs-trust', name: 'Avon NHS Trust', boards: ['north-somerset'] },
    ],
  } as typeof directory;

  test('the urgent path offers stages 1, 2 and 3; a board without that choice offers none', () => {
    expect(startStageOptions(ns).map((o) => o.value)).toEqual(['stage-1', 'stage-2', 'stage-3']);
    expect(startStageOptions(board('camden'))).toEqual([]);
  });

  test('the choice is on the urgent form on both platforms, and not on the ordinary form', () => {
    const raiser = { ...(directory.people[0] as (typeof directory.people)[number]), agency: 'north-somerset-council' };
    const urgentModal = raiseFormModal(ns, nsDirectory, raiser, { board: 'north-somerset', urgent: true });
    expect(JSON.stringify(urgentModal)).toContain('"block_id":"startStage"');
    expect(JSON.stringify(raiseFormModal(ns, nsDirectory, raiser, { board: 'north-somerset' }))).not.toContain(
      'startStage',
    );
    const card = raiseFormCard(ns, nsDirectory, raiser, { values: { immediateRisk: 'yes' } });
    expect(parseProblems(card)).toEqual([]);
    const choice = JSON.stringify(card).match(/\{"type":"Input.ChoiceSet","id":"startStage"[^\]]*\]/)?.[0] ?? '';
    expect(choice).toContain('"value":"stage-2"');
    expect(JSON.stringify(raiseFormCard(ns, nsDirectory, raiser, { values: { immediateRisk: 'no' } }))).not.toContain(
      '"id":"startStage"',
    );
  });

  test('the stage chosen on the form is where the case starts; someone without its role is told beside the question', () => {
    const values = {
      immediateRisk: 'yes',
      respondingAgency: 'avon-nhs-trust',
      initials: 'J S',
      category: 'other',
      summary: form.summary,
      outcomeWanted: form.outcomeWanted,
      safetyMeanwhile: form.safetyMeanwhile,
      startStage: 'stage-2',
    };
    const now = new Date('2026-04-10T10:00:00.000Z');
    const worker = who('ann', 'north-somerset-council', 'practitioner');
    const refused = raiseRequestFrom(ns, nsDirectory, { actor: worker }, values, 'k', now);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.errors.startStage).toMatch(/^To start at .* you must be a /);
    const manager = who('cat', 'north-somerset-council', 'second-tier-manager');
    const built = raiseRequestFrom(ns, nsDirectory, { actor: manager }, values, 'k', now);
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    const { state } = ok(raise(ns, { ...built.request.command, sequence: 1 }, now));
    expect(state.stages.map((s) => s.id)).toEqual(['stage-2']);
  });
});

// ── The urgent or non-urgent way at a branching step ────────────────────────────────────

describe('Lincolnshire step 4: "Step 4a (Urgent)" or "Step 4b (Non-urgent)", chosen when asking to escalate', () => {
  const lincs = board('lincolnshire');
  const council = 'lincolnshire-county-council';
  const other = 'healthwatch-lincolnshire';
  const slo = who('sue', council, 'senior-liaison-officer');

  /** A case raised with "no" to immediate risk, taken by the managers and the Senior Liaison Officers to step 3. */
  function atStep3(): { state: CaseState; events: CaseEvent[] } {
    let { state, events } = ok(
      raise(
        lincs,
        {
          type: 'raise',
          actor: who('alex', council, 'practitioner'),
          sequence: 3,
          immediateRisk: false,
          respondingAgency: { id: other },
          form,
        },
        new Date('2026-04-06T09:30:00.000Z'),
      ),
    );
    const alex = who('alex', council, 'practitioner');
    const manager = who('lm', council, 'line-manager');
    const steps: Array<[string, CaseCommand]> = [
      ['2026-04-07T10:00:00.000Z', { type: 'request-escalation', actor: alex, reason: 'No plan agreed.' }],
      ['2026-04-07T11:00:00.000Z', { type: 'approve-escalation', actor: manager }],
      ['2026-04-08T10:00:00.000Z', { type: 'request-escalation', actor: manager, reason: 'The managers disagree.' }],
      ['2026-04-08T11:00:00.000Z', { type: 'approve-escalation', actor: slo }],
    ];
    for (const [at, command] of steps) {
      const next = ok(decide(state, command, new Date(at)));
      state = next.state;
      events = [...events, ...next.events];
    }
    expect(state.stages.map((s) => s.id)).toEqual(['step-1', 'step-2', 'step-3']);
    return { state, events };
  }

  const escalateAction = (state: CaseState, now: Date): ActionView | undefined =>
    stageCardView(state, { now, directory, viewer: slo }).actions.find((a) => a.verb === 'request-escalation');

  test('asking to escalate from step 3 offers the two, the answer given at raising chosen to start with', () => {
    const { state } = atStep3();
    const action = escalateAction(state, new Date('2026-04-09T10:00:00.000Z'));
    expect(action?.input?.second).toEqual({
      ...WHICH_WAY,
      kind: 'choice',
      options: [
        { value: 'yes', title: 'Urgent: Urgent resolution required - LSAB Independent Chaired Meeting' },
        { value: 'no', title: 'Not urgent: Non-urgent and / or lessons learned' },
      ],
      initial: 'no',
    });
  });

  test('a case not flagged urgent at raising reaches the independently chaired meeting when "urgent" is chosen', () => {
    const { state } = atStep3();
    const data = {
      stage: 'step-3',
      'request-escalation.reason': 'The adult is now at risk.',
      'request-escalation.urgent': 'yes',
    };
    const command = commandFrom('request-escalation', data, slo);
    expect(command).toEqual(expect.objectContaining({ type: 'request-escalation', urgent: true }));
    const after = ok(decide(state, command, new Date('2026-04-09T10:00:00.000Z'))).state;
    expect(after.stages.at(-1)?.id).toBe('step-4a');
    const nonUrgent = commandFrom('request-escalation', { ...data, 'request-escalation.urgent': 'no' }, slo);
    expect(nonUrgent).toEqual(expect.objectContaining({ urgent: false }));
    const referred = ok(decide(state, nonUrgent, new Date('2026-04-09T10:00:00.000Z'))).state;
    expect(referred.stages.at(-1)?.id ?? referred.pendingEscalation?.toStage).not.toBe('step-4a');
  });

  test('a stage that does not branch asks only for the reason, and no choice reaches the command', () => {
    const { state } = atStep3();
    const step1 = { ...state, stages: state.stages.slice(0, 1) };
    const practitioner = who('alex', council, 'practitioner');
    const action = stageCardView(step1, {
      now: new Date('2026-04-07T09:00:00.000Z'),
      directory,
      viewer: practitioner,
    }).actions.find((a) => a.verb === 'request-escalation');
    expect(action?.input?.second).toBeUndefined();
    expect(commandFrom('request-escalation', { 'request-escalation.reason': 'x' }, practitioner)).not.toHaveProperty(
      'urgent',
    );
  });

  test('Slack: the choice is a select with the case’s answer chosen; Teams: an Input.ChoiceSet the parser accepts', () => {
    const { state, events } = atStep3();
    const now = new Date('2026-04-09T10:00:00.000Z');
    const action = escalateAction(state, now) as ActionView;
    const modal = inputModal(action, {
      reference: state.reference,
      stage: 'step-3',
      channel: '',
      ts: '',
    }) as unknown as {
      blocks: Array<{ block_id: string; element: Record<string, unknown> }>;
    };
    expect(modal.blocks.map((b) => [b.block_id, b.element.type])).toEqual([
      ['reason', 'plain_text_input'],
      ['urgent', 'static_select'],
    ]);
    expect(modal.blocks[1]?.element.initial_option).toEqual(expect.objectContaining({ value: 'no' }));
    const card = renderStageCard(stageCardView(state, { now, directory, viewer: slo, events }), []);
    expect(parseProblems(card)).toEqual([]);
    const text = JSON.stringify(card);
    expect(text).toContain('"type":"Input.ChoiceSet","id":"request-escalation.urgent"');
    expect(text).toContain('"value":"no"');
    expect(text).not.toContain('${');
  });
});

describe('a date input, for any command that asks for one', () => {
  const dated: ActionView = {
    verb: 'add-note',
    title: 'Add note',
    input: { id: 'on', label: 'The date', placeholder: '', kind: 'date', initial: '2026-10-25' },
  };

  test('Slack: a date picker, whose answer is the date as YYYY-MM-DD', () => {
    const modal = inputModal(dated, {}) as unknown as { blocks: Array<{ element: Record<string, unknown> }> };
    expect(modal.blocks[0]?.element).toEqual({ type: 'datepicker', action_id: 'value', initial_date: '2026-10-25' });
    expect(dateOf({ 'add-note.on': '2026-10-25' }, 'add-note', 'on')).toBe('2026-10-25');
    expect(dateOf({ 'add-note.on': '25/10/2026' }, 'add-note', 'on')).toBe('');
  });
});
