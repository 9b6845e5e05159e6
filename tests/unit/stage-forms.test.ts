/**
 * Forms as data: when a stage's form falls due and for whom (formsDue), where the completed form
 * goes (formAudience), what `procedure check` says of a form's fields, and typed fields filled.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProcedures, SHIPPED_PROCEDURES_DIR } from '../../src/app/procedures';
import { completionFor, fillForm, NOT_TYPED } from '../../src/app/records/forms';
import { simulationDirectory } from '../../src/app/simulate';
import {
  evolve,
  formAudience,
  formsDue,
  raise,
  stageFormOf,
  type Actor,
  type CaseEvent,
  type CaseState,
} from '../../src/domain/escalation';
import { checkProcedureText, type Procedure } from '../../src/domain/procedure';

const procedures = loadProcedures();
const get = (id: string): Procedure => {
  const p = procedures.get(id);
  if (!p) throw new Error(`no ${id}`);
  return p;
};

function raisedCase(procedure: Procedure): { state: CaseState; events: CaseEvent[] } {
  const d = raise(
    procedure,
    {
      type: 'raise',
      actor: { personId: 'ann', agencyId: 'council', roles: ['practitioner'] },
      sequence: 1,
      immediateRisk: false,
      respondingAgency: { id: 'trust' },
      respondingPersonId: 'ben',
      form: {
        initials: 'JS',
        category: procedure.categories?.[0]?.id ?? 'other',
        summary: 'The trust closed the case.',
        outcomeWanted: 'Reopen it.',
        safetyMeanwhile: 'Daily visits.',
      },
    },
    new Date('2026-11-23T10:00:00.000Z'),
  );
  if (!d.ok) throw new Error(d.refusal.message);
  return { state: d.state, events: d.events };
}

/** The case moved (by escalation) to `stage`, as the record would have it. */
function at(state: CaseState, stage: string, status: CaseState['status'] = 'open'): CaseState {
  const s = state.procedure.stages.find((x) => x.id === stage);
  if (!s) throw new Error(stage);
  const prior = state.stages.map((r) => ({ ...r, ended: 'escalated' as const, endedAt: '2026-11-30T10:00:00.000Z' }));
  return {
    ...state,
    status,
    stages: [
      ...prior,
      { id: s.id, number: s.number, startedAt: '2026-11-30T10:00:00.000Z', acknowledged: {}, deadlines: [] },
    ],
  };
}

const rep = (agencyId: string): Actor => ({ personId: `${agencyId}-rep`, agencyId, roles: ['board-representative'] });
const senior = (agencyId: string): Actor => ({ personId: `${agencyId}-sm`, agencyId, roles: ['senior-manager'] });

describe('when a stage’s form falls due, and for whom', () => {
  test('Cheshire East: “If concerns persist following Step 3 the matter must be raised, via the form at Appendix A”: due to the board representatives once step 4 begins, not before', () => {
    const { state } = raisedCase(get('cheshire-east'));
    expect(formsDue(state, rep('council'))).toEqual([]);
    const step4 = at(state, 'step-4');
    expect(formsDue(step4, rep('council')).map((d) => [d.form, d.stage, d.party, d.roles])).toEqual([
      ['cheshire-east-step-4-referral', 'step-4', 'raising', ['board-representative']],
    ]);
    expect(formsDue(step4, rep('trust')).map((d) => d.party)).toEqual(['responding']);
    expect(formsDue(step4, { personId: 'ann', agencyId: 'council', roles: ['practitioner'] })).toEqual([]);
    // Someone of another agency altogether is never asked.
    expect(formsDue(step4, rep('elsewhere'))).toEqual([]);
  });

  test('North Somerset: “after the issue has been resolved the monitoring form must be sent”: not while stage 3 is open, nor for a case resolved at stage 2', () => {
    const { state } = raisedCase(get('north-somerset'));
    expect(formsDue(at(state, 'stage-3'), senior('council'))).toEqual([]);
    expect(formsDue(at(state, 'stage-3', 'resolved'), senior('council')).map((d) => [d.form, d.stage])).toEqual([
      ['north-somerset-monitoring', 'stage-3'],
    ]);
    expect(formsDue(at(state, 'stage-2', 'resolved'), senior('council'))).toEqual([]);
    // "This form to be used at stage three and stage four": at stage 4 it is the board representatives'.
    expect(formsDue(at(state, 'stage-4', 'decided'), rep('trust')).map((d) => d.stage)).toEqual(['stage-4']);
  });

  test('once completed for an agency, it is not asked of that agency again; the other agency still is', () => {
    const { state } = raisedCase(get('north-somerset'));
    const resolved = at(state, 'stage-3', 'resolved');
    const done = evolve(resolved, {
      type: 'form-completed',
      at: '2026-12-01T10:00:00.000Z',
      by: { personId: 'council-sm', agencyId: 'council', party: 'raising', roles: ['senior-manager'] },
      form: 'north-somerset-monitoring',
      stage: 'stage-3',
      answers: {},
    });
    expect(done.formsCompleted).toEqual([
      {
        form: 'north-somerset-monitoring',
        stage: 'stage-3',
        personId: 'council-sm',
        agencyId: 'council',
        at: '2026-12-01T10:00:00.000Z',
      },
    ]);
    expect(done.version).toBe(resolved.version + 1);
    expect(formsDue(done, senior('council'))).toEqual([]);
    expect(formsDue(done, senior('trust'))).toHaveLength(1);
  });
});

test('North Somerset: “the stage 4 representative of your own agency”: own-agency is the completer’s agency, for either side', () => {
  const { state } = raisedCase(get('north-somerset'));
  const sendTo = stageFormOf(state, 'stage-3', 'north-somerset-monitoring')?.sendTo ?? [];
  expect(formAudience(state, sendTo, 'council')).toEqual([
    { agencyId: 'council', role: 'board-representative' },
    { agencyId: 'board', role: 'board-business-manager' },
  ]);
  expect(formAudience(state, sendTo, 'trust')).toEqual([
    { agencyId: 'trust', role: 'board-representative' },
    { agencyId: 'board', role: 'board-business-manager' },
  ]);
  expect(formAudience(state, [{ role: 'line-manager', where: 'other-agency' }], 'trust')).toEqual([
    { agencyId: 'council', role: 'line-manager' },
  ]);
});

test('Luton’s escalation template, from the procedure’s words: “the person’s desired outcomes” typed by the line manager, the rest from the case', () => {
  const luton = get('luton');
  const { state, events } = raisedCase(luton);
  const directory = simulationDirectory(luton);
  const now = new Date('2026-11-24T10:00:00.000Z');
  const before = fillForm('luton-escalation-template', state, events, undefined, directory, now);
  const value = (f: typeof before, key: string) => f.fields.find((x) => x.key === key)?.value;
  expect(value(before, 'desiredOutcomes')).toBe(NOT_TYPED);
  expect(value(before, 'disagreement')).toMatch(/The trust closed the case\. .* wanted: Reopen it\.$/);
  expect(value(before, 'safetyMeanwhile')).toBe('Daily visits.');
  expect(value(before, 'completedBy')).toBe('Not completed yet');
  const after = fillForm('luton-escalation-template', state, events, undefined, directory, now, {
    answers: { desiredOutcomes: 'To stay at home with more support.', safetyConfirmed: 'Daily visits continue.' },
  });
  expect(value(after, 'desiredOutcomes')).toBe('To stay at home with more support.');
  expect(value(after, 'safetyConfirmed')).toBe('Daily visits continue.');
  // The line manager is asked at stage 2, as "The line manager should raise the concerns".
  expect(formsDue(at(state, 'stage-2'), { personId: 'lm', agencyId: 'council', roles: ['line-manager'] })).toEqual([
    expect.objectContaining({ form: 'luton-escalation-template', stage: 'stage-2' }),
  ]);
});

describe('procedure check, on a form’s fields', () => {
  // North Somerset's monitoring form is kept in a file of its own, named by the board's file.
  const board = readFileSync(join(SHIPPED_PROCEDURES_DIR, 'north-somerset.yaml'), 'utf8');
  const FORM_FILE = 'forms/north-somerset-monitoring.yaml';
  const good = readFileSync(join(SHIPPED_PROCEDURES_DIR, FORM_FILE), 'utf8');
  const problems = (formText: string): string[] => {
    const result = checkProcedureText(board, { formFile: (name) => (name === FORM_FILE ? formText : undefined) });
    return result.ok ? [] : result.problems.map((p) => `${p.where}: ${p.message}`);
  };

  test('the shipped file is clean', () => {
    expect(problems(good)).toEqual([]);
  });

  test('a field source that does not exist is said in plain words, with the form file, its line and the ones there are', () => {
    const found = problems(good.replace('from: days-taken', 'from: days-spent'));
    expect(found).toEqual([
      expect.stringMatching(
        /^forms › 1st › file: forms\/north-somerset-monitoring\.yaml, line \d+, fields › 13th › from: is not something the bot can fill a field from; use one of: reference, board, .*typed \(it is "days-spent"\)\.$/,
      ),
    ]);
  });

  test('a stage that is not in the file, a typed field with no question, a "side" where there is none', () => {
    const found = problems(
      good
        .replace('    side: raising\n    stage: stage-3\n', '    side: raising\n    stage: stage-9\n')
        .replace('    prompt: Anything to add about how effective the policy was, and how it could be improved?\n', '')
        .replace(
          '  - { key: timeTaken, label: Time taken to reach resolution (No of days), from: days-taken }',
          '  - { key: timeTaken, label: Time taken to reach resolution (No of days), from: days-taken, side: raising }',
        ),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/fields › 4th › stage: names the stage "stage-9", which is not in "stages"/),
        expect.stringMatching(/fields › 15th › prompt: a typed field needs the question put to whoever completes/),
        expect.stringMatching(/fields › 13th › side: "side" says whose person fills the field/),
      ]),
    );
    expect(found).toHaveLength(3);
  });

  test('a stage naming a form that has no fields: the bot cannot fill or send it', () => {
    const stripped = good.replace(/\nfields:\n[\s\S]*$/, '\n');
    expect(problems(stripped)).toEqual([
      expect.stringMatching(
        /^stages › 3rd \(stage-3\) › forms › 1st › form: names the form "north-somerset-monitoring", which has no "fields"/,
      ),
      expect.stringMatching(/^stages › 4th \(stage-4\) › forms › 1st › form: names the form/),
    ]);
  });

  test('a form file that is missing, outside the board’s folder, or written beside more fields, is said in words', () => {
    const named = (entry: string): string[] => {
      const result = checkProcedureText(board.replace(`  - file: ${FORM_FILE}`, entry), {
        formFile: (name) => (name === FORM_FILE ? good : undefined),
      });
      return result.ok ? [] : result.problems.map((p) => `${p.where}: ${p.message}`);
    };
    expect(named('  - file: forms/monitoring.yaml')).toEqual([
      'forms › 1st › file: names the form file "forms/monitoring.yaml", which is not beside the board\'s file',
    ]);
    expect(named('  - file: ../../secrets.yaml')).toEqual([
      expect.stringMatching(/^forms › 1st › file: must name a form file beside the board's file/),
    ]);
    expect(named(`  - { file: ${FORM_FILE}, title: Monitoring }`)).toEqual([
      expect.stringMatching(/give only "file" here \(not title\)$/),
    ]);
  });
});

test('Cheshire East’s “Name of Board Members, Roles and Agencies Involved”: the board representatives at step 3 and the board’s own, never a refused outsider', () => {
  const ce = get('cheshire-east');
  const { state, events } = raisedCase(ce);
  const step3 = at(state, 'step-3');
  const directory = simulationDirectory(ce);
  const by = (personId: string, agencyId: string, party: 'raising' | 'board' | 'outside', roles: string[]) => ({
    personId,
    agencyId,
    party,
    roles,
  });
  const more: CaseEvent[] = [
    {
      type: 'note-added',
      at: '2026-12-01T10:00:00.000Z',
      by: by('a-board-representative', 'agency-a', 'raising', ['board-representative']),
      stage: 'step-3',
      text: 'We met.',
    },
    {
      type: 'command-refused',
      at: '2026-12-01T11:00:00.000Z',
      by: by('a-practitioner-elsewhere', 'elsewhere', 'outside', []),
      stage: 'step-3',
      command: 'add-note',
      code: 'not-a-party',
      reason: 'Not a party.',
    },
  ];
  const form = fillForm('cheshire-east-step-4-referral', step3, [...events, ...more], undefined, directory, new Date());
  const members = form.fields.find((f) => f.key === 'boardMembers')?.value ?? '';
  expect(members).toMatch(/^board-representative at A, \(CESAB Board representative\), Agency A \(raising\)$/m);
  expect(members).not.toMatch(/elsewhere/);
});

test('each agency asking for a form it completed gets its own completion, not the other agency’s later one', () => {
  const completed = (agencyId: string, words: string, at: string): CaseEvent => ({
    type: 'form-completed',
    at,
    by: { personId: `${agencyId}-senior`, agencyId, party: 'raising', roles: ['senior-manager'] },
    form: 'north-somerset-monitoring',
    stage: 'stage-3',
    answers: { completerComments: words },
  });
  const events = [
    completed('agency-a', 'Worked well for us.', '2026-11-25T10:00:00.000Z'),
    completed('agency-b', 'Too slow at stage 2.', '2026-11-25T11:00:00.000Z'),
  ];
  expect(completionFor(events, 'north-somerset-monitoring', 'agency-a')?.answers).toEqual({
    completerComments: 'Worked well for us.',
  });
  expect(completionFor(events, 'north-somerset-monitoring', 'agency-b')?.answers).toEqual({
    completerComments: 'Too slow at stage 2.',
  });
  // The board's own staff (neither agency) get the latest.
  expect(completionFor(events, 'north-somerset-monitoring', 'the-board')?.answers).toEqual({
    completerComments: 'Too slow at stage 2.',
  });
});
