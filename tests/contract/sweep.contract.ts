/**
 * The deadline sweeper's batch work, every store: `claimDueCases` takes due cases with their
 * state and their leases in one go (never a case another sweeper holds, never one case to two),
 * and `appendMany` writes a batch of appends, each conditional on its own version (a conflict on
 * one leaves the others written, with their outbox items), giving the leases back with them.
 */
import { outboxId, type NewOutboxItem } from '../../src/app/store/outbox';
import type { Append, CaseRepository, StoredCase } from '../../src/app/store/repository';
import { evolve, SWEEPER, type CaseEvent } from '../../src/domain/escalation';
import { raised } from './fixtures';
import type { ContractTarget } from './repository.contract';

const t = (min: number): string => new Date(Date.UTC(2026, 10, 23, 10, min)).toISOString();

/** Store a case raised with sequence `n`, due at `dueAt` (or not due). */
async function stored(repo: CaseRepository, n: number, dueAt?: string): Promise<StoredCase> {
  const m = raised(n);
  return (await repo.createCase({ state: m.state, events: m.events, ...(dueAt ? { dueAt } : {}) })).case;
}

/** A sweep's append: a timer recorded skipped, and one outbox item owed by it. */
function sweepAppend(c: StoredCase, expectedVersion = c.version): Append {
  const event: CaseEvent = {
    type: 'timer-skipped',
    at: t(5),
    by: SWEEPER,
    timer: `${c.reference}/stage-1/conclude-by-stage-1/reminder`,
    kind: 'reminder',
    stage: 'stage-1',
    due: t(0),
    reason: 'deadline-passed',
  };
  const state = evolve(c.state, event);
  const item: NewOutboxItem = {
    id: outboxId(c.reference, state.version, 'say', 'teams'),
    reference: c.reference,
    kind: 'say',
    platform: 'teams',
    recipient: 'teams',
    event: state.version,
    dependsOn: [],
    payload: { text: 'A line.' },
    createdAt: t(5),
    nextAttemptAt: t(5),
  };
  return { reference: c.reference, expectedVersion, events: [event], state, dueAt: t(600), outbox: [item] };
}

export type SweepTarget = Pick<ContractTarget, 'open'> & { tamper: Pick<ContractTarget['tamper'], 'corruptCase'> };

export function sweepContract(target: SweepTarget): void {
  describe("the sweeper's batches", () => {
    let repo: CaseRepository;
    beforeEach(async () => {
      repo = await target.open();
    });
    afterEach(async () => {
      await repo.close();
    });

    test('due cases are claimed with their state and leases, earliest first, never one another holds', async () => {
      await stored(repo, 170, t(3));
      await stored(repo, 171, t(1));
      await stored(repo, 172, t(2));
      await stored(repo, 173, t(30)); // not due yet
      await stored(repo, 174); // owes nothing
      await stored(repo, 175, t(0));
      expect(await repo.claimLease('NS-2026-0175', 'other', t(20), t(10))).toBe(true);

      const claimed = await repo.claimDueCases(t(10), 'me', t(20), 2);
      expect(claimed.map((c) => [c.reference, c.dueAt, c.version, c.state.reference])).toEqual([
        ['NS-2026-0171', t(1), 2, 'NS-2026-0171'],
        ['NS-2026-0172', t(2), 2, 'NS-2026-0172'],
      ]);
      expect(claimed[0]?.state.stages.map((s) => s.id)).toEqual(['stage-1']);
      // Held: nobody else takes them, nor claims them again; the rest due are left to others.
      expect(await repo.claimLease('NS-2026-0171', 'other', t(20), t(10))).toBe(false);
      expect((await repo.claimDueCases(t(10), 'other', t(20), 10)).map((c) => c.reference)).toEqual([
        'NS-2026-0175', // its own
        'NS-2026-0170',
      ]);
      // Its owner may claim again (a renewal); a lease run out is anyone's.
      expect((await repo.claimDueCases(t(10), 'me', t(20), 10)).map((c) => c.reference)).toEqual([
        'NS-2026-0171',
        'NS-2026-0172',
      ]);
      expect((await repo.claimDueCases(t(25), 'third', t(40), 10)).map((c) => c.reference)).toEqual([
        'NS-2026-0175',
        'NS-2026-0171',
        'NS-2026-0172',
        'NS-2026-0170',
      ]);
      expect(await repo.claimDueCases(t(25), 'third', t(40), 0)).toEqual([]);
    });

    test('a due case whose stored record is malformed is left alone; the others are claimed', async () => {
      await stored(repo, 176, t(1));
      await stored(repo, 177, t(2));
      await target.tamper.corruptCase('NS-2026-0176');
      expect((await repo.claimDueCases(t(10), 'me', t(20), 10)).map((c) => c.reference)).toEqual(['NS-2026-0177']);
      expect(await repo.claimLease('NS-2026-0176', 'other', t(20), t(10))).toBe(true);
    });

    test('two sweepers claiming at once never get the same case', async () => {
      for (let i = 0; i < 8; i++) await stored(repo, 180 + i, t(i));
      const [a, b] = await Promise.all([
        repo.claimDueCases(t(10), 'a', t(20), 5),
        repo.claimDueCases(t(10), 'b', t(20), 5),
      ]);
      const both = [...(a ?? []), ...(b ?? [])].map((c) => c.reference);
      expect(new Set(both).size).toBe(both.length);
      expect(both.length).toBeGreaterThanOrEqual(5);
    });

    test('a batch of appends: each on its own version, a conflict leaves the others written, the leases given back', async () => {
      const cases = [await stored(repo, 190, t(1)), await stored(repo, 191, t(2)), await stored(repo, 192, t(3))];
      const claimed = await repo.claimDueCases(t(10), 'me', t(20), 10);
      expect(claimed).toHaveLength(3);
      const [one, two, three] = cases as [StoredCase, StoredCase, StoredCase];
      const outcomes = await repo.appendMany(
        [sweepAppend(one), sweepAppend(two, two.version - 1), sweepAppend(three)],
        {
          owner: 'me',
          references: cases.map((c) => c.reference),
        },
      );
      expect(outcomes.map((o) => [o.reference, 'error' in o ? o.error.code : o.stored.version])).toEqual([
        ['NS-2026-0190', 3],
        ['NS-2026-0191', 'conflict'],
        ['NS-2026-0192', 3],
      ]);
      const written = outcomes[0];
      expect(written && 'stored' in written ? [written.stored.dueAt, written.stored.state.timers] : []).toEqual([
        t(600),
        {
          fired: [`NS-2026-0190/stage-1/conclude-by-stage-1/reminder`],
          delivered: [`NS-2026-0190/stage-1/conclude-by-stage-1/reminder`],
        },
      ]);
      // As stored: the written ones moved on, with their events and outbox items; the other is as it was.
      expect((await repo.getCase('NS-2026-0190'))?.version).toBe(3);
      expect((await repo.getCase('NS-2026-0192'))?.dueAt).toBe(t(600));
      expect((await repo.getEvents('NS-2026-0192')).map((e) => e.event.type)).toEqual([
        'case-raised',
        'stage-entered',
        'timer-skipped',
      ]);
      expect((await repo.getCase('NS-2026-0191'))?.version).toBe(2);
      expect((await repo.getCase('NS-2026-0191'))?.dueAt).toBe(t(2));
      expect((await repo.listOutbox()).map((i) => i.id).sort()).toEqual([
        'NS-2026-0190:3:say:teams',
        'NS-2026-0192:3:say:teams',
      ]);
      // Every lease given back, the conflicting case's too: another sweeper may take each at once.
      for (const c of cases) expect(await repo.claimLease(c.reference, 'other', t(20), t(11))).toBe(true);
      // The anchor has each written case's new head, and not the other's.
      const heads = (await repo.readCheckpoints()).filter((c) => c.version === 3).map((c) => c.reference);
      expect(heads.sort()).toEqual(['NS-2026-0190', 'NS-2026-0192']);
      // Unbroken across the batch (the conflict undone between two written): each follows the one before.
      const anchor = await repo.readCheckpoints();
      expect(anchor.slice(1).map((c) => [c.seq, c.prev])).toEqual(anchor.slice(0, -1).map((c) => [c.seq + 1, c.seal]));
      // Nothing to write is nothing written; leases given back all the same.
      await repo.claimDueCases(t(30), 'me', t(40), 10);
      expect(await repo.appendMany([], { owner: 'me', references: ['NS-2026-0191'] })).toEqual([]);
      expect(await repo.claimLease('NS-2026-0191', 'other', t(45), t(31))).toBe(true);
    });
  });
}
