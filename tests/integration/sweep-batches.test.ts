/**
 * The sweep as batch work, with the real sweeper, delivery worker, core, calendar and SQLite
 * store on an injected clock: a tick yields to the event loop between its batches; a catch-up
 * after a long outage sends one current nudge per overdue case, saying how long it has been
 * overdue, and records the missed reminders and repeats as skipped; a sweeper that dies between
 * its claim and its commit leaves nothing behind and nothing is sent twice; a timer an earlier
 * release fired but never delivered is delivered once.
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
import type { CaseRepository } from '../../src/app/store/repository';
import { firedEvent, Sweeper } from '../../src/app/sweeper';
import { dueTimers, evolve, nextTimerAt, type CaseEvent } from '../../src/domain/escalation';
import type { Procedure } from '../../src/domain/procedure';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { RecordingOutlet } from '../fakes/outlet';

const lincolnshire = loadProcedures().get('lincolnshire') as Procedure;
const directory = simulationDirectory(lincolnshire);
/** Monday 23 November 2026, 10am: due 5pm Wednesday 25 ("48 hours (2 working days)"). */
const RAISED = new Date('2026-11-23T10:00:00Z');

/** The store, wrapped so a test can count (or fail) the sweeper's commits. */
function wrapped(repo: CaseRepository, onCommit: () => void): CaseRepository {
  return new Proxy(repo, {
    get(target, prop) {
      if (prop === 'appendMany')
        return async (...args: Parameters<CaseRepository['appendMany']>) => {
          onCommit();
          return target.appendMany(...args);
        };
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function harness(cases: number) {
  const repo = SqliteRepository.open(join(mkdtempSync(join(tmpdir(), 'sweep-batches-')), 'cases.sqlite'));
  const clock = { now: RAISED };
  const service = new CaseService(
    repo,
    new Map([[lincolnshire.id, lincolnshire]]),
    new PersonalDataVault(Buffer.alloc(32, 8)),
    () => clock.now,
  );
  const raiser = directory.people.find((p) => p.id === 'a-practitioner');
  if (!raiser) throw new Error('no raiser');
  const references: string[] = [];
  for (let i = 0; i < cases; i++) {
    const outcome = await service.raise({
      boardId: lincolnshire.id,
      command: {
        type: 'raise',
        actor: actorFor(directory, raiser, clock.now),
        immediateRisk: false,
        respondingAgency: { id: 'agency-b', boards: [lincolnshire.id] },
        respondingPersonId: 'b-practitioner',
        form: {
          initials: 'A B',
          category: 'other',
          summary: 'A disagreement about a discharge plan.',
          outcomeWanted: 'A joint plan.',
          safetyMeanwhile: 'Daily visits.',
        },
      },
    });
    if (!outcome.ok) throw new Error(outcome.refusal.message);
    references.push(outcome.case.reference);
  }
  const outlet = new RecordingOutlet();
  const delivery = new Delivery({ repo, directory, owner: 'test' });
  delivery.register(outlet);
  const events = async (reference: string): Promise<CaseEvent[]> =>
    (await repo.getEvents(reference)).map((e) => e.event);
  return { repo, clock, references, outlet, delivery, events };
}

test('a tick takes its batches one at a time, yielding to the event loop between them', async () => {
  const h = await harness(12);
  h.clock.now = new Date('2026-11-24T09:30:00Z'); // the day-before reminder of each
  let commits = 0;
  const sweeper = new Sweeper({
    repo: wrapped(h.repo, () => commits++),
    directory,
    clock: () => h.clock.now,
    owner: 'test',
    batch: 5,
  });
  // Callbacks queued behind the tick see it part-way: some batches committed, not all.
  const seen: number[] = [];
  let ticking = true;
  const look = (): void => {
    seen.push(commits);
    if (ticking) setImmediate(look);
  };
  setImmediate(look);
  const result = await sweeper.tick();
  ticking = false;
  expect(commits).toBe(3); // 5 + 5 + 2
  expect(result).toMatchObject({ due: 12, swept: 12, fired: 12, delivered: 12, skipped: 0 });
  expect(seen.some((n) => n > 0 && n < 3)).toBe(true);
  // Nothing is left due: the next tick claims nothing.
  expect(await sweeper.tick()).toMatchObject({ due: 0, batches: 1 });
  await h.repo.close();
});

test('a stop asked during a long tick ends it after the batch under way', async () => {
  const h = await harness(12);
  h.clock.now = new Date('2026-11-24T09:30:00Z');
  let commits = 0;
  const sweeper = new Sweeper({
    repo: wrapped(h.repo, () => commits++),
    directory,
    clock: () => h.clock.now,
    owner: 'test',
    batch: 5,
  });
  sweeper.start(60_000);
  await new Promise<void>((resolve) => {
    const wait = (): void => (commits > 0 ? resolve() : void setImmediate(wait));
    setImmediate(wait);
  });
  await sweeper.stop();
  expect(commits).toBeLessThan(3);
  expect(sweeper.beat.progressMs).toBeDefined();
  await h.repo.close();
});

test('after ten working days down, each overdue case gets one current nudge that says how long, and the rest are recorded skipped', async () => {
  const h = await harness(20);
  // The bot went down before the first reminder and came back on Wednesday 9 December, 10am:
  // ten working days after the deadline's day (Thursday 26 November to Wednesday 9 December).
  const back = new Date('2026-12-09T10:00:00Z');
  h.clock.now = back;
  const sweeper = new Sweeper({ repo: h.repo, directory, clock: () => h.clock.now, owner: 'test', batch: 8 });
  const result = await sweeper.tick();
  expect(result).toMatchObject({ due: 20, swept: 20, fired: 20, delivered: 20, skipped: 20 * 11 });
  await h.delivery.drain();

  // Step by step, as if the bot had never been down: the nudge due that morning, to that tier.
  const stepByStep = (await simulate(lincolnshire, RAISED, back)).filter((f) => f.kind === 'nudge').at(-1);
  expect(stepByStep?.at).toBe('2026-12-09T09:00:00.000Z');
  for (const reference of h.references) {
    const events = (await h.events(reference)).filter((e) => e.type.startsWith('timer-'));
    const fired = events.filter((e) => e.type === 'timer-fired');
    expect(fired).toHaveLength(1);
    const nudge = fired[0];
    if (nudge?.type !== 'timer-fired') throw new Error('no nudge');
    expect([nudge.kind, nudge.due, nudge.roles]).toEqual(['nudge', stepByStep?.at, stepByStep?.roles]);
    expect(nudge.timer).toBe(`${reference}/step-1/conclude-by-step-1/nudge-9`);
    expect(nudge.text).toMatch(/was due by 5pm Wednesday 25 November .*\. It has been overdue for 10 working days\. /);
    // The two reminders (their deadline had passed) and nudges 0 to 8 (superseded), on the record.
    const skipped = events.filter((e) => e.type === 'timer-skipped');
    expect(skipped.map((e) => (e.type === 'timer-skipped' ? `${e.kind} ${e.reason}` : ''))).toEqual([
      'reminder deadline-passed',
      'reminder deadline-passed',
      ...Array.from({ length: 9 }, () => 'nudge superseded'),
    ]);
    // Sent: the nudge to each of its recipients, once.
    const told = h.outlet.told.filter((t) => t.reference === reference);
    expect(told.map((t) => t.key).sort()).toEqual(nudge.recipients.map((p) => `${nudge.timer}#${p}`).sort());
    expect(told.every((t) => t.text === nudge.text)).toBe(true);
    // Nothing is due until the next working day's repeat.
    const stored = await h.repo.getCase(reference);
    expect(stored?.dueAt).toBe('2026-12-10T09:00:00.000Z');
  }
  // A second sweep straight after sends nothing; the next morning's repeat is one nudge each again.
  expect(await sweeper.tick()).toMatchObject({ due: 0 });
  h.clock.now = new Date('2026-12-10T09:05:00Z');
  expect(await sweeper.tick()).toMatchObject({ due: 20, fired: 20, skipped: 0 });
  const last = (await h.events(h.references[0] ?? '')).at(-1);
  expect(last?.type === 'timer-fired' ? last.text : '').toMatch(/It has been overdue for 11 working days\./);
  await h.repo.close();
});

test('a reminder whose deadline passed while the bot was down is recorded skipped, not sent, and the case is next due at its nudge', async () => {
  const h = await harness(1);
  const reference = h.references[0] ?? '';
  // Back at 5:30pm on Wednesday 25 November: the deadline passed at 5pm; the nudge goes at 9am Thursday.
  h.clock.now = new Date('2026-11-25T17:30:00Z');
  const sweeper = new Sweeper({ repo: h.repo, directory, clock: () => h.clock.now, owner: 'test' });
  expect(await sweeper.tick()).toMatchObject({ due: 1, fired: 0, skipped: 2 });
  await h.delivery.drain();
  expect(h.outlet.told).toEqual([]);
  const events = await h.events(reference);
  expect(events.slice(-2).map((e) => (e.type === 'timer-skipped' ? [e.timer.split('/').pop(), e.reason] : []))).toEqual(
    [
      ['reminder', 'deadline-passed'],
      ['reminder-today', 'deadline-passed'],
    ],
  );
  const stored = await h.repo.getCase(reference);
  expect(stored?.dueAt).toBe('2026-11-26T09:00:00.000Z');
  // Not due again before then (it used to stay due on the stale reminder).
  expect(await sweeper.tick()).toMatchObject({ due: 0 });
  await h.repo.close();
});

test('a sweeper killed between its claim and its commit leaves nothing; another takes over once the leases run out, and each message goes once', async () => {
  const h = await harness(7);
  h.clock.now = new Date('2026-11-24T09:30:00Z');
  let killed = false;
  const dying = new Sweeper({
    repo: wrapped(h.repo, () => {
      if (!killed) {
        killed = true;
        throw new Error('killed');
      }
    }),
    directory,
    clock: () => h.clock.now,
    owner: 'one',
    leaseMs: 60_000,
    batch: 5,
  });
  await expect(dying.tick()).rejects.toThrow('killed');
  for (const reference of h.references)
    expect((await h.events(reference)).map((e) => e.type)).not.toContain('timer-fired');
  expect(await h.repo.listOutbox()).toEqual([]);
  const other = new Sweeper({ repo: h.repo, directory, clock: () => h.clock.now, owner: 'two', batch: 5 });
  // The five it claimed are held until its leases run out; the other two are free.
  expect(await other.tick()).toMatchObject({ due: 2, fired: 2 });
  h.clock.now = new Date(h.clock.now.getTime() + 60_001);
  expect(await other.tick()).toMatchObject({ due: 5, fired: 5 });
  expect(await dying.tick()).toMatchObject({ due: 0 });
  await h.delivery.drain();
  const expected: string[] = [];
  for (const reference of h.references) {
    const fired = (await h.events(reference)).filter((e) => e.type === 'timer-fired');
    expect(fired).toHaveLength(1);
    for (const e of fired) if (e.type === 'timer-fired') expected.push(...e.recipients.map((p) => `${e.timer}#${p}`));
  }
  expect(h.outlet.told.map((t) => t.key).sort()).toEqual(expected.sort());
  await h.repo.close();
});

test('a timer an earlier release fired but did not deliver is handed to the outbox once, looking first for what arrived', async () => {
  const h = await harness(1);
  const reference = h.references[0] ?? '';
  h.clock.now = new Date('2026-11-24T09:30:00Z');
  // As the release before the outbox left it: fired (no outbox), its sweeper stopped before delivering.
  const stored = await h.repo.getCase(reference);
  if (!stored) throw new Error('lost');
  const timer = dueTimers(stored.state, h.clock.now)[0];
  if (!timer) throw new Error('nothing due');
  const { outbox: _none, ...old } = firedEvent(stored.state, timer, directory, h.clock.now);
  const state = evolve(stored.state, old);
  expect(state.timers?.delivered).toEqual([]);
  await h.repo.appendEvents({
    reference,
    expectedVersion: stored.version,
    events: [old],
    state,
    dueAt: nextTimerAt(state) ?? '',
  });
  const sweeper = new Sweeper({ repo: h.repo, directory, clock: () => h.clock.now, owner: 'test' });
  expect(await sweeper.tick()).toMatchObject({ due: 1, fired: 0, delivered: 1 });
  const items = await h.repo.listOutbox({ reference });
  expect(
    items.filter((i) => i.kind === 'tell').map((i) => [i.recipient, i.payload.key, i.payload.recheckSince]),
  ).toEqual(old.recipients.map((p) => [p, `${timer.id}#${p}`, old.at]));
  await h.delivery.drain();
  expect(h.outlet.told.map((t) => t.key).sort()).toEqual(old.recipients.map((p) => `${timer.id}#${p}`).sort());
  const events = await h.events(reference);
  expect(events.filter((e) => e.type === 'timer-fired')).toHaveLength(1);
  expect(events.at(-1)).toMatchObject({ type: 'timer-delivered', timer: timer.id, outbox: true });
  expect(await sweeper.tick()).toMatchObject({ due: 0 });
  await h.repo.close();
});
