/**
 * Two sweepers against one store, at once, over thousands of timers: each on its own connection
 * (two SQLite connections to one file; two Cosmos clients to one Cosmos-protocol server), each
 * with its own delivery worker sending what the timers left in the outbox. Every timer due is
 * fired once and delivered once to each of its recipients; none is missed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseService } from '../../src/app/case-service';
import { Delivery } from '../../src/app/delivery';
import { actorFor } from '../../src/app/people';
import { loadProcedures } from '../../src/app/procedures';
import { simulationDirectory } from '../../src/app/simulate';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import type { CaseRepository } from '../../src/app/store/repository';
import { Sweeper } from '../../src/app/sweeper';
import { dueTimers } from '../../src/domain/escalation';
import { cosmosServer } from '../fakes/cosmos-server';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { RecordingOutlet } from '../fakes/outlet';

jest.setTimeout(300_000);

const lincolnshire = loadProcedures().get('lincolnshire');
if (!lincolnshire) throw new Error('no lincolnshire');
const procedure = lincolnshire;
const directory = simulationDirectory(procedure);

/**
 * `deliver`: run the delivery workers too (SQLite). On the Cosmos-protocol server, which scans
 * every document on every query, the outbox items are counted instead (the delivery workers'
 * own exactly-once across replicas is tested in outbox-replicas).
 */
async function scenario(open: () => Promise<CaseRepository>, cases: number, deliver: boolean): Promise<void> {
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
  // For three weeks nobody acts: a reminder or a nudge each working day, per case. Both sweepers
  // sweep at once each morning, and both delivery workers send what they left in the outbox.
  const outlet = new RecordingOutlet();
  const make = (repo: CaseRepository, owner: string): { sweeper: Sweeper; delivery: Delivery } => {
    const delivery = new Delivery({ repo, directory, owner });
    delivery.register(outlet);
    return { sweeper: new Sweeper({ repo, directory, clock, owner, batch: 50 }), delivery };
  };
  const replicas = [make(one, 'replica-one'), make(two, 'replica-two')];
  for (let day = 3; day <= 27; day++) {
    now = new Date(Date.UTC(2026, 10, day, 9, 30));
    await Promise.all(replicas.map(({ sweeper }) => sweeper.tick()));
    if (deliver) await Promise.all(replicas.map(({ delivery }) => delivery.drain()));
  }
  now = new Date('2026-11-27T18:00:00Z');
  await Promise.all(replicas.map(({ sweeper }) => sweeper.tick()));
  if (deliver) await Promise.all(replicas.map(({ delivery }) => delivery.drain()));

  let timers = 0;
  const expected: string[] = [];
  for (const reference of references) {
    const stored = await setup.getCase(reference);
    if (!stored) throw new Error(`lost ${reference}`);
    expect(dueTimers(stored.state, now)).toEqual([]); // none missed
    const events = (await setup.getEvents(reference)).map((e) => e.event);
    const fired = events.filter((e) => e.type === 'timer-fired');
    expect(new Set(fired.map((e) => (e.type === 'timer-fired' ? e.timer : ''))).size).toBe(fired.length); // none fired twice
    expect(fired.every((e) => e.type === 'timer-fired' && e.outbox)).toBe(true); // each handed to the outbox with its record
    timers += fired.length;
    for (const e of fired) if (e.type === 'timer-fired') for (const p of e.recipients) expected.push(`${e.timer}#${p}`);
  }
  expect(timers).toBeGreaterThanOrEqual(cases * 15); // 150 cases: over 2,000 timers; 60: over 900
  // What the platform received (or the outbox holds for it): each (timer, person) exactly once.
  const sent = deliver
    ? outlet.told.filter((t) => references.includes(t.reference) && t.key?.includes('#')).map((t) => t.key)
    : (await setup.listOutbox({ limit: 100_000 }))
        .filter((i) => i.kind === 'tell' && String(i.payload.key).includes('#'))
        .map((i) => String(i.payload.key));
  expect(sent.length).toBe(expected.length);
  expect([...sent].sort()).toEqual(expected.sort());
  expect(await setup.listOutbox({ status: 'failed' })).toEqual([]);
  await Promise.all([setup.close(), one.close(), two.close()]);
}

test('two sweepers, one SQLite file: thousands of timers, none twice, none missed', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'two-sweepers-')), 'cases.sqlite');
  await scenario(() => Promise.resolve(SqliteRepository.open(file)), 150, true);
});

describe('two sweepers, one Cosmos DB (protocol server)', () => {
  const server = cosmosServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  test('thousands of timers, none twice, none missed', async () => {
    await scenario(() => server.open('sweepers'), 60, false);
  });
});
