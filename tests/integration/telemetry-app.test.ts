/**
 * What the application tells the telemetry port (src/app/telemetry.ts), with the real case
 * service, sweeper, delivery worker and SQLite store: a case raised (counted by board, traced
 * with its outcome), a refused raise and an unknown command (traced under fixed words, never
 * what was sent), a command that changed a case, a reminder the sweeper delivered, and an outbox
 * item that failed for good (counted by platform and kind).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseService } from '../../src/app/case-service';
import { Delivery, type Outlet } from '../../src/app/delivery';
import { actorFor } from '../../src/app/people';
import { loadProcedures } from '../../src/app/procedures';
import { simulationDirectory } from '../../src/app/simulate';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import { Sweeper } from '../../src/app/sweeper';
import type { CaseCommand } from '../../src/domain/escalation';
import type { Procedure } from '../../src/domain/procedure';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { recordingTelemetry } from '../fakes/otlp';

const procedure = loadProcedures().get('lincolnshire') as Procedure;
const directory = simulationDirectory(procedure);
const person = (id: string, at: Date): ReturnType<typeof actorFor> => {
  const p = directory.people.find((x) => x.id === id);
  if (!p) throw new Error(`no ${id}`);
  return actorFor(directory, p, at);
};

/** Teams as far as the worker knows it: every call fails (the connector is down). */
const down: Outlet = {
  platform: 'teams',
  openThread: () => Promise.reject(new Error('connector down for Alex Morgan')),
  updateThreads: () => Promise.reject(new Error('connector down')),
  updateMessage: () => Promise.reject(new Error('connector down')),
  tell: () => Promise.reject(new Error('connector down')),
  say: () => Promise.reject(new Error('connector down')),
};

test('raised, refused, changed, reminded and failed: each counted and traced with fixed words only', async () => {
  const repo = SqliteRepository.open(join(mkdtempSync(join(tmpdir(), 'telemetry-app-')), 'cases.sqlite'));
  const telemetry = recordingTelemetry();
  const clock = { now: new Date('2026-11-23T10:00:00Z') };
  const service = new CaseService(
    repo,
    new Map([[procedure.id, procedure]]),
    new PersonalDataVault(Buffer.alloc(32, 2)),
    () => clock.now,
    directory,
  );
  service.observe(telemetry);
  try {
    const command = {
      type: 'raise' as const,
      actor: person('a-practitioner', clock.now),
      immediateRisk: false,
      respondingAgency: { id: 'agency-b', boards: [procedure.id] },
      respondingPersonId: 'b-practitioner',
      form: {
        initials: 'A B',
        category: procedure.categories?.[0]?.id ?? 'other',
        summary: 'A disagreement about a discharge plan.',
        outcomeWanted: 'A joint plan.',
        safetyMeanwhile: 'Daily visits.',
      },
    };
    const raised = await service.raise({ boardId: procedure.id, command });
    if (!raised.ok) throw new Error(raised.refusal.message);
    const reference = raised.case.reference;
    const refused = await service.raise({ boardId: 'no-such-board-<script>', command });
    expect(refused.ok).toBe(false);
    const unknown = await service.act(reference, {
      type: 'drop-table-cases',
      actor: person('b-practitioner', clock.now),
    } as unknown as CaseCommand);
    expect(unknown.ok).toBe(false);
    const acknowledged = await service.act(reference, {
      type: 'acknowledge',
      actor: person('b-practitioner', clock.now),
    });
    expect(acknowledged.ok).toBe(true);

    expect(telemetry.spans.map((s) => [s.name, s.attributes])).toEqual([
      [
        'case raise',
        {
          'case.board': 'lincolnshire',
          'case.command': 'raise',
          'case.outcome': 'raised',
          'case.reference': reference,
        },
      ],
      ['case raise', { 'case.board': 'unknown', 'case.command': 'raise', 'case.outcome': 'invalid-input' }],
      ['case unknown', { 'case.command': 'unknown', 'case.outcome': 'invalid-input' }],
      [
        'case acknowledge',
        {
          'case.command': 'acknowledge',
          'case.outcome': 'done',
          'case.reference': reference,
          'case.board': 'lincolnshire',
        },
      ],
    ]);

    // The sweeper, on the morning of the first reminder.
    const sweeper = new Sweeper({ repo, directory, clock: () => clock.now, owner: 'test', telemetry });
    for (let i = 0; i < 20 && !telemetry.counts.some((c) => c.metric === 'timer'); i++) {
      const due = (await repo.getCase(reference))?.dueAt;
      if (!due) break;
      clock.now = new Date(Math.max(clock.now.getTime(), Date.parse(due)));
      await sweeper.tick();
    }
    // What the reminder owes is in the outbox, for the delivery worker.
    const owed = await repo.listOutbox({ reference, status: 'pending' });
    expect(owed.filter((i) => i.kind === 'tell' && String(i.payload.key).includes('/reminder'))).not.toEqual([]);

    // Teams is down and an item has one try: it fails for good, counted by platform and kind.
    const delivery = new Delivery({ repo, directory, owner: 'test', maxAttempts: 1, telemetry });
    delivery.register(down);
    await delivery.tick();
    const failedSpans = telemetry.spans.filter((s) => s.name.startsWith('outbox ') && s.failed);
    expect(failedSpans.length).toBeGreaterThan(0);
    expect(failedSpans[0]?.attributes).toEqual(
      expect.objectContaining({ 'outbox.platform': 'teams', 'case.reference': reference }),
    );

    const timerKind: unknown = expect.stringMatching(/^(reminder|nudge|notification)$/);
    const itemKind: unknown = expect.any(String);
    expect(telemetry.counts).toEqual(
      expect.arrayContaining([
        { metric: 'raised', attributes: { board: 'lincolnshire' } },
        { metric: 'transition', attributes: { board: 'lincolnshire', command: 'acknowledge' } },
        {
          metric: 'timer',
          attributes: { board: 'lincolnshire', kind: timerKind },
        },
        { metric: 'delivery-failed', attributes: { platform: 'teams', kind: itemKind, final: true } },
      ]),
    );
    expect(telemetry.counts.filter((c) => c.metric === 'raised')).toHaveLength(1);
    expect(telemetry.counts.filter((c) => c.metric === 'transition')).toHaveLength(1);
    // Nothing of what was sent or failed is in any attribute: no board id made up, no error's words, no person.
    const everything = JSON.stringify([telemetry.spans, telemetry.counts]);
    for (const word of [
      '<script>',
      'drop-table',
      'Alex Morgan',
      'connector down',
      'a-practitioner',
      'b-practitioner',
      'discharge',
    ])
      expect(everything).not.toContain(word);
  } finally {
    await repo.close();
  }
});
