/**
 * The card's newer verbs (agree-plan / confirm-plan, confirm-safety, agree-timescale /
 * confirm-timescale, record-milestone, complete-form) tried by an attacker and seen by the other
 * side, through the shared service with the real core and store (SQLite on disk) and the adult's
 * details sealed. Every bad input gets plain words, nothing about the case changes (a party's
 * refusal is recorded on the timeline, anyone else's goes to the security log), and what one
 * side does is shown to the other as waiting for them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseService } from '../../src/app/case-service';
import { actorFor } from '../../src/app/people';
import { loadProcedures } from '../../src/app/procedures';
import { simulationDirectory } from '../../src/app/simulate';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import { stageCardView, type StageCardView } from '../../src/app/views/stage-card';
import { stageCardBlocks } from '../../src/channels/slack/blocks';
import { renderStageCard } from '../../src/channels/teams/stage-card';
import { parseProblems } from '../fakes/adaptive-cards';
import { availableCommands, type CaseCommand } from '../../src/domain/escalation';
import type { Directory } from '../../src/domain/directory';
import type { Procedure } from '../../src/domain/procedure';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';

const procedures = loadProcedures();
const NAME = 'Zebedee Quillfeather-Okonkwo';
const ADULT = { name: NAME, dateOfBirth: '1950-03-12', address: '14 Elm Road, Lincoln LN2 1PX' };
const NEUTRAL = 'This case is not available to you.';

type Harness = Awaited<ReturnType<typeof raisedOn>>;

/** A case raised on `boardId` by Agency A's practitioner with Agency B, the adult's details sealed. */
async function raisedOn(board: string | Procedure, at = '2026-04-07T09:00:00.000Z') {
  const procedure = typeof board === 'string' ? procedures.get(board) : board;
  if (!procedure) throw new Error(`no board ${typeof board === 'string' ? board : board.id}`);
  const simulated = simulationDirectory(procedure);
  // Someone of a third agency, in the directory with a role the procedure knows, but not in the case.
  const directory: Directory = {
    ...simulated,
    agencies: [...simulated.agencies, { ...simulated.agencies[0]!, id: 'agency-c', name: 'Agency C' }],
    people: [
      ...simulated.people,
      ...simulated.people
        .filter((p) => p.agency === 'agency-a')
        .map((p) => ({ ...p, id: p.id.replace(/^a-/, 'c-'), agency: 'agency-c', email: `c-${p.email}` })),
    ],
  };
  const repo = SqliteRepository.open(join(mkdtempSync(join(tmpdir(), 'verbs-')), 'cases.sqlite'));
  const clock = { now: new Date(at) };
  const service = new CaseService(
    repo,
    new Map([[procedure.id, procedure]]),
    new PersonalDataVault(Buffer.alloc(32, 7)),
    () => clock.now,
    directory,
  );
  const actor = (id: string) => {
    const p = directory.people.find((x) => x.id === id);
    if (!p) throw new Error(`no ${id}`);
    return actorFor(directory, p, clock.now);
  };
  const raised = await service.raise({
    boardId: procedure.id,
    personal: ADULT,
    command: {
      type: 'raise',
      actor: actor('a-practitioner'),
      immediateRisk: false,
      respondingAgency: { id: 'agency-b', boards: [procedure.id] },
      respondingPersonId: 'b-practitioner',
      form: {
        initials: 'Z Q',
        recordNumbers: { raising: 'A-100', responding: 'B-200' },
        category: procedure.categories?.[0]?.id ?? 'other',
        summary: 'Agency B closed its involvement although the adult is still at risk at home.',
        outcomeWanted: 'Agency B to reopen its involvement and join a planning meeting.',
        safetyMeanwhile: 'Daily care visits.',
      },
    },
  });
  if (!raised.ok) throw new Error(raised.refusal.message);
  const reference = raised.case.reference;
  const stored = async () => {
    const s = await repo.getCase(reference);
    if (!s) throw new Error('lost');
    return s;
  };
  const act = (by: string, command: Record<string, unknown> & { type: CaseCommand['type'] }) =>
    service.act(reference, { ...command, actor: actor(by) } as CaseCommand);
  /** The first person (Agency A first) for whom the card offers `type`. */
  const anyone = async (type: CaseCommand['type']): Promise<string> => {
    const { state } = await stored();
    const found = directory.people.find((p) =>
      availableCommands(state, actorFor(directory, p, clock.now), clock.now).includes(type),
    );
    if (!found) throw new Error(`nobody may ${type}`);
    return found.id;
  };
  /** Up one stage: asked for, and approved where it waits for approval. */
  const climb = async (reason = 'Not agreed at this stage.', urgent?: boolean) => {
    const from = (await stored()).state.stages.length;
    const asked = await act(await anyone('request-escalation'), {
      type: 'request-escalation',
      reason,
      ...(urgent === undefined ? {} : { urgent }),
    });
    if (!asked.ok) throw new Error(asked.refusal.message);
    if ((await stored()).state.stages.length === from) {
      const approved = await act(await anyone('approve-escalation'), { type: 'approve-escalation' });
      if (!approved.ok) throw new Error(approved.refusal.message);
    }
  };
  /** The case card as `id` sees it, as text. */
  const cardOf = async (id: string): Promise<string> => {
    const { state } = await stored();
    const events = (await repo.getEvents(reference)).map((e) => e.event);
    return JSON.stringify(stageCardView(state, { now: clock.now, directory, viewer: actor(id), events }));
  };
  /** The case as stored, but for refusals recorded on its timeline. */
  const substance = async (): Promise<string> => {
    const events = (await repo.getEvents(reference)).map((e) => e.event).filter((e) => e.type !== 'command-refused');
    const { state } = await stored();
    return JSON.stringify({ events, state: { ...state, version: 0 } });
  };
  const refusals = async () =>
    (await repo.getEvents(reference)).map((e) => e.event).filter((e) => e.type === 'command-refused');
  return {
    procedure,
    directory,
    repo,
    service,
    clock,
    actor,
    reference,
    stored,
    act,
    anyone,
    climb,
    cardOf,
    substance,
    refusals,
  };
}

/** `run` refused with `code` (and words matching `words`), and nothing of the case changed. */
async function refusedWithoutChange(
  h: Harness,
  run: () => ReturnType<Harness['act']>,
  code: string,
  words: RegExp,
): Promise<void> {
  const before = await h.substance();
  const outcome = await run();
  expect(outcome.ok).toBe(false);
  if (outcome.ok) return;
  expect(outcome.refusal.code).toBe(code);
  expect(outcome.refusal.message).toMatch(words);
  expect(await h.substance()).toBe(before);
}

describe('Lincolnshire step 1: "a mutually agreed plan of action ... including clear timescales"', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await raisedOn('lincolnshire');
  });

  test('a plan naming the adult (whose details the case holds sealed) is refused and not stored', async () => {
    // Before the fix, the adult's sealed name was not opened for a plan's words: this was stored.
    await refusedWithoutChange(
      h,
      () =>
        h.act('a-practitioner', {
          type: 'agree-plan',
          plan: `Visit ${NAME} weekly for a month.`,
          reviewOn: '2026-04-10',
        }),
      'names-the-adult',
      /names the adult/,
    );
  });

  test('a forged review date (garbage, no such day, in the past) or a huge plan: plain words, nothing stored', async () => {
    const plan = 'Joint visit within 5 working days, then a call.';
    const bad: Array<[string, string, RegExp]> = [
      [plan, 'next week', /Please give the date the plan will be reviewed, like 2026-04-10/],
      [plan, '2026-02-30', /Please give the date the plan will be reviewed/],
      [plan, '2026-04-06', /The review date must be today or later/],
      [plan, '<script>', /Please give the date/],
      ['x'.repeat(5000), '2026-04-10', /Please keep this under 4000 characters/],
    ];
    const before = (await h.refusals()).length;
    for (const [text, reviewOn] of bad) {
      const i = bad.findIndex((b) => b[0] === text && b[1] === reviewOn);
      await refusedWithoutChange(
        h,
        () => h.act('a-practitioner', { type: 'agree-plan', plan: text, reviewOn }),
        'invalid-input',
        bad[i]![2],
      );
    }
    // Each refusal is on the timeline, as a party's refusals are.
    expect((await h.refusals()).slice(before).map((e) => (e.type === 'command-refused' ? e.code : ''))).toEqual(
      bad.map(() => 'invalid-input'),
    );
  });

  test('a stale card (expectedStage of another stage) is refused as out of date', async () => {
    await refusedWithoutChange(
      h,
      () =>
        h.act('a-practitioner', {
          type: 'agree-plan',
          plan: 'Joint visit.',
          reviewOn: '2026-04-10',
          expectedStage: 'step-2',
        }),
      'stale',
      /This card is out of date/,
    );
  });

  test('someone of a third agency, in the directory with the role, gets the neutral words and the security log', async () => {
    const before = await h.substance();
    for (const command of [
      { type: 'agree-plan' as const, plan: 'Joint visit.', reviewOn: '2026-04-10' },
      { type: 'confirm-plan' as const },
      { type: 'agree-timescale' as const, date: '2026-04-08' },
      { type: 'confirm-timescale' as const },
      { type: 'confirm-safety' as const, steps: 'Visited.' },
      { type: 'record-milestone' as const, note: 'Done.' },
    ]) {
      const outcome = await h.act('c-practitioner', command);
      expect(outcome.ok ? '' : outcome.refusal.message).toBe(NEUTRAL);
    }
    expect(await h.substance()).toBe(before);
    const logged = await h.repo.securityEvents({ personId: 'c-practitioner' });
    // Newest first.
    expect(logged.map((e) => [e.kind, e.action]).reverse()).toEqual(
      ['agree-plan', 'confirm-plan', 'agree-timescale', 'confirm-timescale', 'confirm-safety', 'record-milestone'].map(
        (a) => ['command-by-non-party', a],
      ),
    );
  });

  test('a plan proposed by one agency is shown to the other as waiting for them; only they can agree it', async () => {
    const proposed = await h.act('a-practitioner', {
      type: 'agree-plan',
      plan: 'Joint visit within 5 working days, then a call to review.',
      reviewOn: '2026-04-14',
    });
    expect(proposed.ok).toBe(true);
    const theirs = await h.cardOf('b-practitioner');
    expect(theirs).toMatch(
      /Plan of action \(proposed by practitioner at A, waiting for the other agency to agree it\)/,
    );
    const verbs = (card: string): string[] =>
      (JSON.parse(card) as { actions: Array<{ verb: string }> }).actions.map((a) => a.verb);
    expect(verbs(theirs)).toContain('confirm-plan');
    expect(verbs(await h.cardOf('a-practitioner'))).not.toContain('confirm-plan');
    // The proposer cannot agree their own plan; someone without a role at this step cannot either.
    await refusedWithoutChange(
      h,
      () => h.act('a-practitioner', { type: 'confirm-plan' }),
      'already-done',
      /other agency/,
    );
    await refusedWithoutChange(h, () => h.act('b-line-manager', { type: 'confirm-plan' }), 'not-your-role', /Only/);
    // The same proposal again (a double click, a replayed request) is recorded once.
    const again = { type: 'agree-plan' as const, plan: 'Joint visit within 5 working days, then a call to review.' };
    await refusedWithoutChange(
      h,
      () => h.act('a-practitioner', { ...again, reviewOn: '2026-04-14' }),
      'already-done',
      /Your agency has already proposed this plan; the other agency must agree it/,
    );
    const agreed = await h.act('b-practitioner', { type: 'confirm-plan' });
    expect(agreed.ok).toBe(true);
    expect(await h.cardOf('a-practitioner')).toMatch(/Plan of action \(agreed by both agencies\)/);
    // Replayed after the other agency agreed: before the fix, it set the agreed plan back to waiting.
    await refusedWithoutChange(
      h,
      () => h.act('a-practitioner', { ...again, reviewOn: '2026-04-14' }),
      'already-done',
      /This plan of action is already agreed by both agencies/,
    );
    expect((await h.stored()).state.plan?.agreedAt).toBeDefined();
    // Replayed: the plan is agreed already, nothing more to agree.
    await refusedWithoutChange(
      h,
      () => h.act('b-practitioner', { type: 'confirm-plan' }),
      'nothing-to-decide',
      /no proposed plan/,
    );
  });

  test('no agreed limit on this stage: agree-timescale and confirm-timescale are refused in plain words', async () => {
    await refusedWithoutChange(
      h,
      () => h.act('a-practitioner', { type: 'agree-timescale', date: '2026-04-08' }),
      'not-allowed-here',
      /has no time limit for the agencies to agree/,
    );
    await refusedWithoutChange(
      h,
      () => h.act('b-practitioner', { type: 'confirm-timescale' }),
      'nothing-to-decide',
      /no proposed date/,
    );
  });

  test('"an urgent choice" forged on a stage that does not branch: the case still goes to the one next stage', async () => {
    const asked = await h.act('a-practitioner', {
      type: 'request-escalation',
      reason: 'The plan was not followed.',
      urgent: true,
    });
    expect(asked.ok).toBe(true);
    const pending = (await h.stored()).state.pendingEscalation;
    expect(pending?.toStage ?? (await h.stored()).state.stages.at(-1)?.id).toBe('step-2');
  });
});

describe('Luton stage 2: "confirm that steps have been taken to ensure the safety of the adult"', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await raisedOn('luton');
    await h.climb();
    expect((await h.stored()).state.stages.at(-1)?.id).toBe('stage-2');
  });

  test('the steps naming the adult are refused and not stored', async () => {
    // Before the fix, the adult's sealed details were not opened for the steps' words.
    await refusedWithoutChange(
      h,
      () => h.act('a-line-manager', { type: 'confirm-safety', steps: `${NAME} is visited daily by home care.` }),
      'names-the-adult',
      /names the adult/,
    );
    await refusedWithoutChange(
      h,
      () => h.act('a-line-manager', { type: 'confirm-safety', steps: 'Visits to 14 Elm Road daily.' }),
      'names-the-adult',
      /address/,
    );
  });

  test('steps of more than 4000 characters are refused in plain words', async () => {
    await refusedWithoutChange(
      h,
      () => h.act('a-line-manager', { type: 'confirm-safety', steps: 'Visited. '.repeat(500) }),
      'invalid-input',
      /Please keep this under 4000 characters/,
    );
  });

  test('"from: raising": the other agency\'s line manager, and a practitioner, cannot confirm it', async () => {
    await refusedWithoutChange(
      h,
      () => h.act('b-line-manager', { type: 'confirm-safety', steps: 'Visited.' }),
      'not-your-role',
      /of the agency that raised it can confirm the steps taken to keep the adult safe/,
    );
    await refusedWithoutChange(
      h,
      () => h.act('a-practitioner', { type: 'confirm-safety', steps: 'Visited.' }),
      'not-your-role',
      /Only the/,
    );
  });

  test('confirmed once: the other agency sees it; a replay is refused as already done', async () => {
    const done = await h.act('a-line-manager', { type: 'confirm-safety', steps: 'Daily home care visits; GP aware.' });
    expect(done.ok).toBe(true);
    expect(await h.cardOf('b-line-manager')).toMatch(
      /Steps taken to keep the adult safe, confirmed by line-manager at A/,
    );
    // As each platform shows the card (before the fix, neither showed what the stage owes or was given).
    const view = JSON.parse(await h.cardOf('b-line-manager')) as StageCardView;
    const teams = renderStageCard(view, []);
    expect(parseProblems(teams)).toEqual([]);
    expect(JSON.stringify(teams)).not.toMatch(/\$\{/);
    expect(JSON.stringify(teams)).toMatch(/Steps taken to keep the adult safe, confirmed by line-manager at A/);
    expect(JSON.stringify(stageCardBlocks(view).blocks)).toMatch(
      /Steps taken to keep the adult safe, confirmed by line-manager at A/,
    );
    await refusedWithoutChange(
      h,
      () => h.act('a-line-manager', { type: 'confirm-safety', steps: 'Again.' }),
      'already-done',
      /already been confirmed/,
    );
  });

  test('the escalation template: a forged form or stage, a huge answer, a name by the initials: plain words, nothing stored', async () => {
    const form = { form: 'luton-escalation-template', stage: 'stage-2' };
    const declared = h.procedure.forms.find((f) => f.id === form.form);
    const typed = (declared?.fields ?? []).filter((f) => f.from === 'typed').map((f) => f.key);
    expect(typed.length).toBeGreaterThan(0);
    const answers = (text: string) => Object.fromEntries(typed.map((k) => [k, text]));
    const complete = (by: string, f: { form: string; stage: string }, a: Record<string, string>) =>
      h.service.completeForm(h.reference, h.actor(by), { ...f, answers: a });
    const before = await h.substance();
    const refusedBefore = (await h.refusals()).length;
    const forged = await complete('a-line-manager', { ...form, form: 'not-a-form' }, answers('Fine.'));
    expect(forged.ok ? '' : forged.refusal.message).toMatch(/There is no form for you to complete/);
    const wrongStage = await complete('a-line-manager', { ...form, stage: 'stage-4' }, answers('Fine.'));
    expect(wrongStage.ok ? '' : wrongStage.refusal.message).toMatch(/There is no form for you to complete/);
    const wrongRole = await complete('a-practitioner', form, answers('Fine.'));
    expect(wrongRole.ok ? '' : wrongRole.refusal.message).toMatch(/There is no form for you to complete/);
    const outsider = await complete('c-line-manager', form, answers('Fine.'));
    expect(outsider.ok ? '' : outsider.refusal.message).toBe(NEUTRAL);
    // In the security log, as every other write by someone who may not see the case (before the fix, not logged).
    expect(
      (await h.repo.securityEvents({ personId: 'c-line-manager' })).map((e) => [e.kind, e.action, e.reference]),
    ).toEqual([['command-by-non-party', 'complete-form', h.reference]]);
    // Before the fix, an answer of any length was stored and sent.
    const huge = await complete('a-line-manager', form, answers('x'.repeat(20_000)));
    expect(huge.ok).toBe(false);
    if (!huge.ok) {
      expect(huge.refusal.message).toMatch(/keep each answer under 4000 characters/);
      expect(huge.refusal.fields?.[typed[0]!]).toMatch(/Please keep this under 4000 characters/);
    }
    // The adult's name by their initials (Z Q), as the card's words are checked; before the fix, stored.
    const byInitials = await complete('a-line-manager', form, answers('Zak Quinn says the visits stopped.'));
    expect(byInitials.ok ? '' : byInitials.refusal.code).toBe('names-the-adult');
    const named = await complete('a-line-manager', form, answers(`${NAME} says the visits stopped.`));
    expect(named.ok ? '' : named.refusal.code).toBe('names-the-adult');
    expect(await h.substance()).toBe(before);
    // A party's refusals are on the timeline, as refused commands are (before the fix, none was recorded);
    // words naming the adult are not kept anywhere, and the outsider's attempt is in the security log only.
    expect(
      (await h.refusals())
        .slice(refusedBefore)
        .map((e) => (e.type === 'command-refused' ? [e.by.personId, e.command, e.code] : [])),
    ).toEqual([
      ['a-line-manager', 'complete-form', 'nothing-to-decide'],
      ['a-line-manager', 'complete-form', 'nothing-to-decide'],
      ['a-practitioner', 'complete-form', 'nothing-to-decide'],
      ['a-line-manager', 'complete-form', 'invalid-input'],
    ]);
  });
});

describe('North Somerset stage 1: "any general safeguarding issues should be identified and referred"', () => {
  test('recorded after the case is resolved, the note naming the adult is refused and not stored', async () => {
    const h = await raisedOn('north-somerset');
    const proposed = await h.act('a-practitioner', {
      type: 'propose-resolution',
      outcome: 'Agency B reopens its involvement.',
      outstandingIssues: 'none',
    });
    expect(proposed.ok).toBe(true);
    const resolved = await h.act('b-practitioner', { type: 'confirm-resolution' });
    expect(resolved.ok).toBe(true);
    expect((await h.stored()).state.status).toBe('resolved');
    // Before the fix, the adult's sealed name was not opened for a milestone's note.
    await refusedWithoutChange(
      h,
      () =>
        h.act('a-practitioner', {
          type: 'record-milestone',
          milestone: 'general-safeguarding-issues',
          note: `Referred the care home's handling of ${NAME} to the board.`,
        }),
      'names-the-adult',
      /names the adult/,
    );
    // Someone of a third agency: neutral words, nothing recorded.
    const outsider = await h.act('c-practitioner', { type: 'record-milestone', note: 'None.' });
    expect(outsider.ok ? '' : outsider.refusal.message).toBe(NEUTRAL);
    const done = await h.act('a-practitioner', {
      type: 'record-milestone',
      milestone: 'general-safeguarding-issues',
      note: 'None identified.',
    });
    expect(done.ok).toBe(true);
    await refusedWithoutChange(
      h,
      () => h.act('b-practitioner', { type: 'record-milestone', milestone: 'general-safeguarding-issues', note: 'x' }),
      'case-closed',
      /nothing more is owed/,
    );
  });
});

describe('a limit agreed for the case "within a time scale which is acceptable to both of them", within its ceiling', () => {
  /** Lincolnshire's step 1 with its limit made one the agencies agree, up to 10 working days. */
  const agreedBoard = (): Procedure => {
    const base = procedures.get('lincolnshire');
    if (!base) throw new Error('no lincolnshire');
    return {
      ...base,
      stages: base.stages.map((s) =>
        s.id !== 'step-1'
          ? s
          : {
              ...s,
              timescales: s.timescales.map((t) => ({
                ...t,
                amount: 10,
                agreed: { phrase: 'within a time scale which is acceptable to both of them' },
              })),
            },
      ),
    };
  };

  test('a forged date (the year 0, the year 9999, before today, past the ceiling) is refused in words, never a crash', async () => {
    const h = await raisedOn(agreedBoard());
    const bad: Array<[string, RegExp]> = [
      // Before the fix, these three threw (the calendar cannot count working days in such years).
      ['0000-01-01', /The date agreed must be later than now/],
      ['0000-01-03', /The date agreed must be later than now/],
      ['9999-12-31', /The procedure allows no later than 2026-04-21/],
      ['2026-04-06', /The date agreed must be later than now/],
      ['2026-04-22', /The procedure allows no later than 2026-04-21/],
      ['22/04/2026', /Please give the date agreed, like 2026-04-10/],
    ];
    for (const [date, words] of bad)
      await refusedWithoutChange(
        h,
        () => h.act('a-practitioner', { type: 'agree-timescale', date }),
        'invalid-input',
        words,
      );
    // A Sunday typed is the Friday before: the history says the limit as it falls (before the fix, "proposed 2026-04-12").
    expect((await h.act('a-practitioner', { type: 'agree-timescale', date: '2026-04-12' })).ok).toBe(true);
    expect(await h.cardOf('b-practitioner')).toMatch(/proposed the date for this stage: by 5pm Friday 10 April/);
    // Within the ceiling: proposed by one agency, agreed by the other only.
    expect((await h.act('a-practitioner', { type: 'agree-timescale', date: '2026-04-15' })).ok).toBe(true);
    // The other agency sees the date proposed as waiting for them (before the fix, only a history line gave the typed date).
    expect((JSON.parse(await h.cardOf('b-practitioner')) as { owed?: string[] }).owed).toContain(
      'Date proposed for this stage (within 48 hours (2 working days) of the initial discussion): by 5pm Wednesday 15 April, proposed by practitioner at A, waiting for the other agency to agree it',
    );
    await refusedWithoutChange(
      h,
      () => h.act('a-practitioner', { type: 'confirm-timescale' }),
      'already-done',
      /other agency/,
    );
    await refusedWithoutChange(
      h,
      () => h.act('b-line-manager', { type: 'confirm-timescale' }),
      'not-your-role',
      /Only/,
    );
    expect((await h.act('b-practitioner', { type: 'confirm-timescale' })).ok).toBe(true);
    expect((await h.stored()).state.stages[0]?.deadlines[0]?.at).toBe('2026-04-15T16:00:00.000Z');
  });
});

describe('Lincolnshire step 4a: "a date set within 24 hours of step 3"', () => {
  test("the meeting's date: before the concern arose, or years ahead, is refused in words; nothing is recorded", async () => {
    const h = await raisedOn('lincolnshire');
    await h.climb();
    await h.climb();
    await h.climb('Urgent: the Senior Liaison Officers could not resolve it.', true);
    expect((await h.stored()).state.stages.at(-1)?.id).toBe('step-4a');
    const chair = 'board-independent-chair';
    const bad: Array<[string, RegExp]> = [
      // Before the fix, these were recorded as the meeting's date.
      ['2026-04-06', /cannot be before the concern arose \(2026-04-07\)/],
      ['1900-01-01', /cannot be before the concern arose/],
      ['9999-12-31', /within a year, no later than 2027-04-08/],
      ['next Tuesday', /Please give the date for "Date set for the independently chaired meeting", like 2026-04-10/],
    ];
    for (const [date, words] of bad)
      await refusedWithoutChange(
        h,
        () => h.act(chair, { type: 'record-milestone', milestone: 'meeting-date-set', note: 'Date set.', date }),
        'invalid-input',
        words,
      );
    // A milestone the file does not declare, or someone without the role: plain words, nothing recorded.
    await refusedWithoutChange(
      h,
      () => h.act(chair, { type: 'record-milestone', milestone: '__proto__', note: 'Set.', date: '2026-04-09' }),
      'nothing-to-decide',
      /Nothing is waiting to be recorded at this stage/,
    );
    await refusedWithoutChange(
      h,
      () =>
        h.act('a-practitioner', {
          type: 'record-milestone',
          milestone: 'meeting-date-set',
          note: 'Set.',
          date: '2026-04-09',
        }),
      'not-your-role',
      /Only the Independent chair selected from the LSAB partner organisations or Senior Liaison Officer \(SLO\) can record/,
    );
    const set = await h.act(chair, {
      type: 'record-milestone',
      milestone: 'meeting-date-set',
      note: 'Meeting set for Thursday.',
      date: '2026-04-09',
    });
    expect(set.ok).toBe(true);
  });
});

describe('Cheshire East step 3: "escalated by a Senior Manager to the CESAB Board representative", taken up when step 2 is overdue', () => {
  test('the board representative asks; only the Senior Manager of that agency approves; replays and others are refused', async () => {
    const h = await raisedOn('cheshire-east');
    await h.climb();
    expect((await h.stored()).state.stages.at(-1)?.id).toBe('step-2');
    // Not yet overdue: nobody takes it up.
    await refusedWithoutChange(
      h,
      () => h.act('a-board-representative', { type: 'take-up' }),
      'not-allowed-here',
      /is not past its deadline/,
    );
    h.clock.now = new Date('2026-05-01T10:00:00.000Z');
    const asked = await h.act('a-board-representative', { type: 'take-up' });
    expect(asked.ok).toBe(true);
    const state = (await h.stored()).state;
    // Waiting for the Senior Manager: the case has not moved.
    expect(state.stages.at(-1)?.id).toBe('step-2');
    expect(state.pendingEscalation?.toStage).toBe('step-3');
    await refusedWithoutChange(
      h,
      () => h.act('a-board-representative', { type: 'take-up' }),
      'already-done',
      /already waiting for approval/,
    );
    await refusedWithoutChange(
      h,
      () => h.act('a-board-representative', { type: 'approve-escalation' }),
      'not-your-role',
      /Senior Manager/,
    );
    // Someone of the other agency without the Senior Manager's role cannot approve it either.
    await refusedWithoutChange(
      h,
      () => h.act('b-line-manager', { type: 'approve-escalation' }),
      'not-your-role',
      /Senior Manager/,
    );
    await refusedWithoutChange(
      h,
      () => h.act('c-senior-manager', { type: 'approve-escalation' }),
      'not-a-party',
      /not available to you/,
    );
    // The other agency sees that it waits for approval.
    expect(JSON.parse(await h.cardOf('b-board-representative')) as { pending?: string }).toHaveProperty('pending');
    const approved = await h.act('a-senior-manager', { type: 'approve-escalation' });
    expect(approved.ok).toBe(true);
    expect((await h.stored()).state.stages.at(-1)?.id).toBe('step-3');
  });
});
