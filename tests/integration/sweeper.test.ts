/**
 * Deadlines that act: the real sweeper, core, calendar and SQLite store with an injected clock.
 * Exact instants are pinned for each of the five boards across Christmas's bank holidays and
 * across the October clock change; then the urgent path out of hours, the notifications stages
 * oblige, deputies, and what reaches people.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseService } from '../../src/app/case-service';
import { Delivery } from '../../src/app/delivery';
import { actorFor } from '../../src/app/people';
import { loadProcedures } from '../../src/app/procedures';
import { simulate, simulationDirectory } from '../../src/app/simulate';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import { Sweeper } from '../../src/app/sweeper';
import type { Directory } from '../../src/domain/directory';
import type { CaseCommand } from '../../src/domain/escalation';
import type { Procedure } from '../../src/domain/procedure';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { RecordingOutlet } from '../fakes/outlet';

const procedures = loadProcedures();
const board = (id: string): Procedure => {
  const p = procedures.get(id);
  if (!p) throw new Error(`no board ${id}`);
  return p;
};
const brief = (fired: Awaited<ReturnType<typeof simulate>>): string[] =>
  fired.map((f) => `${f.at} ${f.kind} ${f.stage} → ${f.roles.join('+')} (${f.to.join('+')})`);

describe('each board, a case nobody acts on, across Christmas (England & Wales: 25 and 28 December and 1 January are bank holidays)', () => {
  const raised = new Date('2026-12-21T10:00:00Z'); // Monday
  const until = new Date('2027-01-05T17:00:00Z');

  test('Lincolnshire: due 5pm Wed 23 Dec ("48 hours (2 working days)"); reminder 9am Tue; nudge the line managers 9am Thu 24, then each working day', async () => {
    expect(brief(await simulate(board('lincolnshire'), raised, until))).toEqual([
      '2026-12-22T09:00:00.000Z reminder step-1 → practitioner (raising+responding)',
      '2026-12-23T09:00:00.000Z reminder step-1 → practitioner (raising+responding)', // "due by 5pm today"
      '2026-12-24T09:00:00.000Z nudge step-1 → line-manager (raising+responding)',
      '2026-12-29T09:00:00.000Z nudge step-1 → line-manager (raising+responding)',
      '2026-12-30T09:00:00.000Z nudge step-1 → line-manager (raising+responding)',
      '2026-12-31T09:00:00.000Z nudge step-1 → line-manager (raising+responding)',
      '2027-01-04T09:00:00.000Z nudge step-1 → line-manager (raising+responding)',
      '2027-01-05T09:00:00.000Z nudge step-1 → line-manager (raising+responding)',
    ]);
  });

  test('Camden: one working week is 5 working days, due 5pm Wed 30 Dec; reminder Tue 29; nudge Thu 31', async () => {
    expect(brief(await simulate(board('camden'), raised, until))).toEqual([
      '2026-12-29T09:00:00.000Z reminder stage-1 → practitioner (raising+responding)',
      '2026-12-30T09:00:00.000Z reminder stage-1 → practitioner (raising+responding)', // "due by 5pm today"
      '2026-12-31T09:00:00.000Z nudge stage-1 → line-manager (raising+responding)',
      '2027-01-04T09:00:00.000Z nudge stage-1 → line-manager (raising+responding)',
      '2027-01-05T09:00:00.000Z nudge stage-1 → line-manager (raising+responding)',
    ]);
  });

  test('Luton: the board default of 5 working days, the same instants as Camden', async () => {
    expect(brief(await simulate(board('luton'), raised, until))).toEqual([
      '2026-12-29T09:00:00.000Z reminder stage-1 → practitioner (raising+responding)',
      '2026-12-30T09:00:00.000Z reminder stage-1 → practitioner (raising+responding)', // "due by 5pm today"
      '2026-12-31T09:00:00.000Z nudge stage-1 → line-manager (raising+responding)',
      '2027-01-04T09:00:00.000Z nudge stage-1 → line-manager (raising+responding)',
      '2027-01-05T09:00:00.000Z nudge stage-1 → line-manager (raising+responding)',
    ]);
  });

  test('Cheshire East: step 1 is 24 clock hours (nudge at 10am Tue 22, in working hours) and step 2 must start by day 3; one nudge a day, not two', async () => {
    expect(brief(await simulate(board('cheshire-east'), raised, until))).toEqual([
      '2026-12-22T09:00:00.000Z reminder step-1 → practitioner (raising+responding)',
      '2026-12-22T10:00:00.000Z nudge step-1 → line-manager+safeguarding-lead (raising+responding)',
      // step 2 "no later than day 3" is due 5pm today: its reminder on the morning of the day
      '2026-12-23T09:00:00.000Z reminder step-1 → practitioner (raising+responding)',
      '2026-12-23T09:00:00.000Z nudge step-1 → line-manager+safeguarding-lead (raising+responding)',
      '2026-12-24T09:00:00.000Z nudge step-1 → line-manager+safeguarding-lead (raising+responding)',
      '2026-12-29T09:00:00.000Z nudge step-1 → line-manager+safeguarding-lead (raising+responding)',
      '2026-12-30T09:00:00.000Z nudge step-1 → line-manager+safeguarding-lead (raising+responding)',
      '2026-12-31T09:00:00.000Z nudge step-1 → line-manager+safeguarding-lead (raising+responding)',
      '2027-01-04T09:00:00.000Z nudge step-1 → line-manager+safeguarding-lead (raising+responding)',
      // step 2 has had as long as its own "day 3 to day 9" (6 working days) since its first nudge:
      // the ladder climbs to step 3's Board representatives and the Senior Managers who escalate to them
      '2027-01-05T09:00:00.000Z nudge step-1 → line-manager+safeguarding-lead+board-representative+senior-manager (raising+responding)',
    ]);
  });

  test('North Somerset: within 1 working day, due 5pm Tue 22 (no reminder: it would come before the case); nudge the second tier 9am Wed 23', async () => {
    expect(brief(await simulate(board('north-somerset'), raised, until))).toEqual([
      // raised 10am Monday, due 5pm Tuesday: no reminder the day before, so one that morning
      '2026-12-22T09:00:00.000Z reminder stage-1 → practitioner+line-manager (raising+responding)',
      '2026-12-23T09:00:00.000Z nudge stage-1 → second-tier-manager (raising+responding)',
      '2026-12-24T09:00:00.000Z nudge stage-1 → second-tier-manager (raising+responding)',
      '2026-12-29T09:00:00.000Z nudge stage-1 → second-tier-manager (raising+responding)',
      // the second tier has had its own 2 working days (24 and 29 December): senior managers too
      '2026-12-30T09:00:00.000Z nudge stage-1 → second-tier-manager+senior-manager (raising+responding)',
      // stage 4's "no longer than 5 working days" from the outset passed at 5pm on the 30th
      '2026-12-31T09:00:00.000Z nudge stage-1 → second-tier-manager+senior-manager (raising+responding)',
      '2027-01-04T09:00:00.000Z nudge stage-1 → second-tier-manager+senior-manager (raising+responding)',
      // and the senior managers their 3 (30, 31 December, 4 January): the Board representatives too
      '2027-01-05T09:00:00.000Z nudge stage-1 → second-tier-manager+senior-manager+board-representative (raising+responding)',
    ]);
  });
});

test('across the clock change (BST ends Sunday 25 October 2026): the reminder at 9am BST, the nudges at 9am GMT', async () => {
  const fired = await simulate(
    board('lincolnshire'),
    new Date('2026-10-22T09:00:00Z'),
    new Date('2026-10-29T17:00:00Z'),
  );
  expect(brief(fired)).toEqual([
    '2026-10-23T08:00:00.000Z reminder step-1 → practitioner (raising+responding)',
    '2026-10-26T09:00:00.000Z reminder step-1 → practitioner (raising+responding)', // the morning of the day, in GMT
    '2026-10-27T09:00:00.000Z nudge step-1 → line-manager (raising+responding)',
    '2026-10-28T09:00:00.000Z nudge step-1 → line-manager (raising+responding)',
    '2026-10-29T09:00:00.000Z nudge step-1 → line-manager (raising+responding)',
  ]);
  expect(fired[1]?.text).toMatch(/due by 5pm today/);
  expect(fired[2]?.text).toMatch(
    /LSAB escalation LI-2026-0001 has passed its deadline: stage 1 \(Direct Professional to Professional Discussion\) was due by 5pm Monday 26 October/,
  );
});

function harness(procedure: Procedure, directory: Directory = simulationDirectory(procedure)) {
  const repo = SqliteRepository.open(join(mkdtempSync(join(tmpdir(), 'sweeper-')), 'cases.sqlite'));
  const clock = { now: new Date('2026-11-23T10:00:00Z') };
  const service = new CaseService(
    repo,
    new Map([[procedure.id, procedure]]),
    new PersonalDataVault(Buffer.alloc(32, 2)),
    () => clock.now,
  );
  // What the timers owe goes through the outbox: the delivery worker sends it to a recording outlet.
  const outlet = new RecordingOutlet();
  const delivery = new Delivery({ repo, directory, owner: 'test' });
  delivery.register(outlet);
  const sweeper = new Sweeper({ repo, directory, clock: () => clock.now, owner: 'test' });
  const person = (id: string) => {
    const p = directory.people.find((x) => x.id === id);
    if (!p) throw new Error(`no ${id}`);
    return actorFor(directory, p, clock.now);
  };
  const act = async (
    reference: string,
    by: string,
    command: Record<string, unknown> & { type: CaseCommand['type'] },
  ): Promise<void> => {
    const outcome = await service.act(reference, { ...command, actor: person(by) } as CaseCommand);
    if (!outcome.ok) throw new Error(outcome.refusal.message);
  };
  const raise = async (by: string, urgent = false): Promise<string> => {
    const outcome = await service.raise({
      boardId: procedure.id,
      command: {
        type: 'raise',
        actor: person(by),
        immediateRisk: urgent,
        respondingAgency: { id: 'agency-b', boards: [procedure.id] },
        respondingPersonId: 'b-practitioner',
        form: {
          initials: 'A B',
          category: procedure.categories?.[0]?.id ?? 'other',
          summary: 'A disagreement about a discharge plan.',
          outcomeWanted: 'A joint plan.',
          safetyMeanwhile: 'Daily visits.',
        },
      },
    });
    if (!outcome.ok) throw new Error(outcome.refusal.message);
    return outcome.case.reference;
  };
  /** Sweep at each due instant up to `until`. */
  const runUntil = async (until: Date, reference: string): Promise<void> => {
    for (let i = 0; i < 200; i++) {
      const due = (await repo.getCase(reference))?.dueAt;
      if (!due || new Date(due) > until) return;
      clock.now = new Date(Math.max(clock.now.getTime(), new Date(due).getTime()));
      await sweeper.tick();
      await delivery.drain();
    }
  };
  const fired = async (reference: string) =>
    (await repo.getEvents(reference)).map((e) => e.event).filter((e) => e.type === 'timer-fired');
  return { repo, clock, service, outlet, sweeper, delivery, act, raise, runUntil, fired };
}

test('Lincolnshire urgent path: nudges go at the deadline itself, out of hours and at weekends, every 24 hours, with the on-call guidance', async () => {
  const h = harness(board('lincolnshire'));
  h.clock.now = new Date('2026-11-27T18:00:00Z'); // Friday evening
  const ref = await h.raise('a-practitioner', true);
  await h.runUntil(new Date('2026-12-04T00:00:00Z'), ref);
  const nudges = (await h.fired(ref)).filter((e) => e.type === 'timer-fired' && e.kind === 'nudge');
  // Raised out of hours on Friday: day 0, then Monday and Tuesday: due 5pm Tuesday 1 December.
  expect(nudges.map((e) => e.at)).toEqual([
    '2026-12-01T17:00:00.000Z',
    '2026-12-02T17:00:00.000Z',
    '2026-12-03T17:00:00.000Z',
  ]);
  const text = nudges[0]?.type === 'timer-fired' ? nudges[0].text : '';
  expect(text).toMatch(/Out of hours: All statutory agencies have an on-call manager and director system/);
});

test('Luton: when stage 2 starts, each line manager’s own safeguarding lead is told of the dispute, as the procedure obliges', async () => {
  const h = harness(board('luton'));
  const ref = await h.raise('a-practitioner');
  await h.act(ref, 'a-practitioner', { type: 'request-escalation', reason: 'No agreement after two calls.' });
  await h.act(ref, 'a-line-manager', { type: 'approve-escalation' });
  await h.runUntil(new Date('2026-11-23T12:00:00Z'), ref);
  const notes = (await h.fired(ref)).filter((e) => e.type === 'timer-fired' && e.kind === 'notification');
  expect(notes.map((e) => (e.type === 'timer-fired' ? [e.stage, e.roles, e.recipients] : []))).toEqual([
    ['stage-2', ['safeguarding-lead'], ['a-safeguarding-lead', 'b-safeguarding-lead']],
  ]);
  expect(h.outlet.told.filter((t) => t.person === 'a-safeguarding-lead').map((t) => t.text)).toEqual([
    expect.stringMatching(/the procedure asks that you are told of the dispute, and then its outcome/),
  ]);
});

test('a nudge goes to a deputy when the role holder is away', async () => {
  const procedure = board('lincolnshire');
  const base = simulationDirectory(procedure);
  const directory: Directory = {
    ...base,
    people: [
      ...base.people.map((p) =>
        p.id === 'a-line-manager' ? { ...p, deputy: 'a-deputy', away: [{ from: '2026-11-20', to: '2026-12-31' }] } : p,
      ),
      {
        id: 'a-deputy',
        name: 'Deputy at A',
        email: 'deputy@a.example.org',
        agency: 'agency-a',
        roles: ['senior-liaison-officer'],
        away: [],
        example: true,
      },
    ],
  };
  const h = harness(procedure, directory);
  const ref = await h.raise('a-practitioner');
  await h.runUntil(new Date('2026-11-26T12:00:00Z'), ref);
  const nudge = (await h.fired(ref)).find((e) => e.type === 'timer-fired' && e.kind === 'nudge');
  expect(nudge?.type === 'timer-fired' ? nudge.recipients.sort() : []).toEqual(['a-deputy', 'b-line-manager']);
});

test('acting stops the nudges: once the stage is escalated, the old stage’s timers go and the new stage’s take over', async () => {
  const h = harness(board('lincolnshire'));
  const ref = await h.raise('a-practitioner');
  await h.runUntil(new Date('2026-11-26T12:00:00Z'), ref); // one nudge on Thursday
  expect((await h.fired(ref)).map((e) => (e.type === 'timer-fired' ? `${e.kind}@${e.at}` : ''))).toEqual([
    'reminder@2026-11-24T09:00:00.000Z',
    'reminder@2026-11-25T09:00:00.000Z', // the morning of the deadline's day
    'nudge@2026-11-26T09:00:00.000Z',
  ]);
  await h.act(ref, 'a-practitioner', { type: 'request-escalation', reason: 'Nothing agreed.' });
  await h.act(ref, 'a-line-manager', { type: 'approve-escalation' });
  const stored = await h.repo.getCase(ref);
  // Step 2 concludes within 5 working days of step 1's start (Mon 23 Nov): 5pm Mon 30 Nov.
  expect(stored?.dueAt).toBe('2026-11-27T09:00:00.000Z'); // its reminder, the working day before
  await h.runUntil(new Date('2026-12-01T12:00:00Z'), ref);
  expect(
    (await h.fired(ref))
      .slice(3)
      .map((e) => (e.type === 'timer-fired' ? `${e.kind}@${e.at} ${e.roles.join('+')}` : '')),
  ).toEqual([
    'reminder@2026-11-27T09:00:00.000Z line-manager',
    'reminder@2026-11-30T09:00:00.000Z line-manager',
    'nudge@2026-12-01T09:00:00.000Z senior-liaison-officer',
  ]);
  // Everything fired was handed to the outbox with its record, and the outbox delivered it.
  const events = (await h.repo.getEvents(ref)).map((e) => e.event);
  const fired = events.filter((e) => e.type === 'timer-fired');
  expect(fired.every((e) => e.type === 'timer-fired' && e.outbox)).toBe(true);
  const after = await h.repo.getCase(ref);
  expect(after?.state.timers?.fired.length).toBeGreaterThan(0);
  expect(after?.state.timers?.delivered).toEqual(expect.arrayContaining(after?.state.timers?.fired ?? []));
  expect(h.outlet.told.map((t) => t.key).sort()).toEqual(
    fired.flatMap((e) => (e.type === 'timer-fired' ? e.recipients.map((p) => `${e.timer}#${p}`) : [])).sort(),
  );
  expect(await h.repo.listOutbox({ status: 'pending' })).toEqual([]);
});

test('the nudged next tier can take the case up: refused before the deadline, then it moves the case to their stage, on the record', async () => {
  const h = harness(board('lincolnshire'));
  const ref = await h.raise('a-practitioner');
  await expect(h.act(ref, 'b-line-manager', { type: 'take-up' })).rejects.toThrow(/not past its deadline/);
  await h.runUntil(new Date('2026-11-26T12:00:00Z'), ref); // the nudge went at 9am Thursday
  const nudge = (await h.fired(ref)).find((e) => e.type === 'timer-fired' && e.kind === 'nudge');
  expect(nudge?.type === 'timer-fired' ? nudge.text : '').toMatch(/press Take it up on the card/);
  await expect(h.act(ref, 'b-senior-liaison-officer', { type: 'take-up' })).rejects.toThrow(
    /Only the Line manager or safeguarding supervisor can take up case LI-2026-0001/,
  );
  await h.act(ref, 'b-line-manager', { type: 'take-up' });
  const stored = await h.repo.getCase(ref);
  expect(stored?.state.stages.map((s) => s.id)).toEqual(['step-1', 'step-2']);
  const events = (await h.repo.getEvents(ref)).map((e) => e.event);
  expect(events.slice(-3).map((e) => `${e.type} by ${e.by.personId}`)).toEqual([
    'escalation-requested by b-line-manager',
    'escalation-approved by b-line-manager',
    'stage-entered by b-line-manager',
  ]);
  const requested = events.at(-3);
  expect(requested?.type === 'escalation-requested' ? requested.reason : '').toMatch(
    /passed its deadline .* taken up by the next tier/,
  );
});
