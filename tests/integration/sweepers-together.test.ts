/**
 * Two sweepers against one store, at once, over thousands of timers: each on its own connection
 * (two SQLite connections to one file; two Cosmos clients to one Cosmos-protocol server). Every
 * timer due is fired once and delivered once to each of its recipients; none is missed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Announcer, type TimerOutlet as Outlet } from '../../src/app/announcer';
import { CaseService } from '../../src/app/case-service';
import type { Notice } from '../../src/app/notify';
import { actorFor } from '../../src/app/people';
import { loadProcedures } from '../../src/app/procedures';
import { simulationDirectory } from '../../src/app/simulate';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import type { CaseRepository } from '../../src/app/store/repository';
import { Sweeper } from '../../src/app/sweeper';
import { dueTimers } from '../../src/domain/escalation';
import { cosmosServer } from '../fakes/cosmos-server';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';

jest.setTimeout(300_000);

const lincolnshire = loadProcedures().get('lincolnshire');
if (!lincolnshire) throw new Error('no lincolnshire');
const procedure = lincolnshire;
const directory = simulationDirectory(procedure);

/** Every delivery, as (timer, person): the faked chat platform's view. */
class Deliveries implements Outlet {
  readonly platform = 'teams' as const;
  readonly sent: string[] = [];
  tell(notice: Notice): Promise<{ id?: string }> {
    this.sent.push(notice.key ?? `unkeyed:${notice.person.id}`);
    return Promise.resolve({});
  }
  updateThreads(): Promise<void> {
    return Promise.resolve();
  }
  say(): Promise<void> {
    return Promise.resolve();
  }
}

async function scenario(open: () => Promise<CaseRepository>, cases: number): Promise<void> {
  const [setup, one, two] = [await open(), await open(), await open()];
  let now = new Date('2026-11-02T10:00:00Z');
  const clock = (): Date => now;
  const service = new CaseService(
    setup,
    new Map([[procedure.id, procedure]]),
    new PersonalDataVault(Buffer.alloc(32, 3)),
    clock,
  );
  const raiser = directory.people.find((p) => p.id === 'a-practitioner');
  if (!raiser) throw new Error('no raiser');
  const references: string[] = [];
  for (let i = 0; i < cases; i++) {
    // Cases raised through one working week, so their timers fall on different instants.
    now = new Date(Date.UTC(2026, 10, 2 + (i % 5), 9 + (i % 8), i % 60));
    const raised = await service.raise({
      boardId: procedure.id,
      command: {
        type: 'raise',
        actor: actorFor(directory, raiser, now),
        immediateRisk: false,
        respondingAgency: { id: 'agency-b', boards: [procedure.id] },
        respondingPersonId: 'b-practitioner',
        form: {
          initials: 'A B',
          category: 'other',
          summary: 'A disagreement about a discharge plan.',
          outcomeWanted: 'A plan.',
          safetyMeanwhile: 'Visits.',
        },
      },
    });
    if (!raised.ok) throw new Error(raised.refusal.message);
    references.push(raised.case.reference);
  }
  // Three weeks later, nobody has acted: a reminder and a nudge each working day since, per case.
  now = new Date('2026-11-27T18:00:00Z');
  const outlet = new Deliveries();
  const make = (repo: CaseRepository, owner: string): Sweeper => {
    const announcer = new Announcer(repo, directory, clock);
    announcer.register(outlet);
    return new Sweeper({ repo, directory, announcer, clock, owner, batch: 50 });
  };
  const sweepers = [make(one, 'sweeper-one'), make(two, 'sweeper-two')];
  const untilDone = async (s: Sweeper): Promise<void> => {
    for (let i = 0; i < 10_000; i++) if ((await s.tick()).due === 0) return;
  };
  await Promise.all(sweepers.map(untilDone));

  let timers = 0;
  const expected: string[] = [];
  for (const reference of references) {
    const stored = await setup.getCase(reference);
    if (!stored) throw new Error(`lost ${reference}`);
    expect(dueTimers(stored.state, now)).toEqual([]); // none missed
    const events = (await setup.getEvents(reference)).map((e) => e.event);
    const fired = events.filter((e) => e.type === 'timer-fired');
    const delivered = events.filter((e) => e.type === 'timer-delivered');
    expect(new Set(fired.map((e) => (e.type === 'timer-fired' ? e.timer : ''))).size).toBe(fired.length); // none fired twice
    expect(delivered).toHaveLength(fired.length);
    timers += fired.length;
    for (const e of fired) if (e.type === 'timer-fired') for (const p of e.recipients) expected.push(`${e.timer}#${p}`);
  }
  expect(timers).toBeGreaterThanOrEqual(cases * 15); // 150 cases: over 2,000 timers; 60: over 900
  // What the platform received: each (timer, person) exactly once.
  expect(outlet.sent.length).toBe(expected.length);
  expect([...outlet.sent].sort()).toEqual(expected.sort());
  await Promise.all([setup.close(), one.close(), two.close()]);
}

test('two sweepers, one SQLite file: thousands of timers, none twice, none missed', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'two-sweepers-')), 'cases.sqlite');
  await scenario(() => Promise.resolve(SqliteRepository.open(file)), 150);
});

describe('two sweepers, one Cosmos DB (protocol server)', () => {
  const server = cosmosServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  test('thousands of timers, none twice, none missed', async () => {
    await scenario(() => server.open('sweepers'), 60);
  });
});
