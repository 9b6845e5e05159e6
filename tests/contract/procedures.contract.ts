/**
 * The procedure stored once per version (src/store/procedure-refs.ts), on every store: cases read
 * back exactly as written while each distinct procedure is stored once; a case keeps the version
 * it was raised under; a board's cases come back whole in one query, with the same figures as
 * reading them one by one; an edited stored procedure is found by `audit verify`; cases stored
 * with a full copy (before) still read.
 */
import { verifyStore } from '../../src/app/audit-verify';
import { boardFigures } from '../../src/app/reports/figures';
import { figuresOfPeriod } from '../../src/app/reports/schedule';
import { simulationDirectory } from '../../src/app/simulate';
import { DEVELOPMENT_AUDIT_KEY } from '../../src/app/store/chain';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import type { CaseRepository, StoredCase } from '../../src/app/store/repository';
import { nextTimerAt, type CaseState } from '../../src/domain/escalation';
import type { Procedure } from '../../src/domain/procedure';
import { describeProcedure } from '../../src/store/procedure-refs';
import { act, CAMDEN, counterpart, NS, raised, worker, type Made } from './fixtures';

/** What each backend offers: fresh stores, a second handle (its own cache), and raw access. */
export interface ProceduresTarget {
  open(): Promise<CaseRepository>;
  /** Another handle on the store the last `open` made, with nothing cached. */
  reopen(): Promise<CaseRepository>;
  raw: {
    /** The stored procedures: their keys, boards and labels. */
    procedures(): Promise<Array<{ key: string; boardId: string; label: string }>>;
    /** A case's state as stored (parsed), and its first event's. */
    stored(reference: string): Promise<{ state: Record<string, unknown>; raisedEvent: Record<string, unknown> }>;
    /** Change a stored procedure in place (as an insider would, past any trigger). */
    editProcedure(key: string, change: (p: Procedure) => Procedure): Promise<void>;
    /** Remove a stored procedure (as an insider would, past any trigger). */
    deleteProcedure(key: string): Promise<void>;
    /** Store a case's state and first event with full copies of `procedure`, as the release before did. */
    writeFullCopies(reference: string, state: CaseState, procedure: Procedure): Promise<void>;
  };
}

const vault = new PersonalDataVault(Buffer.alloc(32, 3));

/** North Somerset's file after an edit: a stage renamed and a new version label. */
const REVISED: Procedure = {
  ...NS,
  source: { ...(NS.source ?? { title: 'North Somerset' }), version: 'revised 2027' },
  stages: NS.stages.map((s, i) => (i === 0 ? { ...s, name: `${s.name} (revised)` } : s)),
};

async function create(repo: CaseRepository, made: Made): Promise<StoredCase> {
  return (await repo.createCase({ state: made.state, events: made.events, dueAt: nextTimerAt(made.state) })).case;
}

export function proceduresContract(target: ProceduresTarget): void {
  describe('the procedure stored once per version', () => {
    let repo: CaseRepository;
    beforeEach(async () => {
      repo = await target.open();
    });
    afterEach(async () => {
      await repo.close();
    });

    test('cases read back exactly as written, state and events, while their procedure is stored once', async () => {
      const a = raised(201, '2026-11-20T10:00:00Z');
      const b = raised(202, '2026-11-21T10:00:00Z');
      await create(repo, a);
      await create(repo, b);
      const acked = act(a.state, { type: 'acknowledge', actor: counterpart }, '2026-11-20T11:00:00Z');
      const written = await repo.appendEvents({
        reference: a.state.reference,
        expectedVersion: a.state.version,
        events: acked.events,
        state: acked.state,
        dueAt: nextTimerAt(acked.state),
      });
      expect(written.state).toEqual(acked.state);

      const key = describeProcedure(NS).key;
      const stored = await target.raw.procedures();
      expect(stored.map((p) => [p.key, p.boardId])).toEqual([[key, 'north-somerset']]);
      // North Somerset's file gives no version: the label is the start of the key.
      expect(stored[0]?.label).toBe(`#${key.slice(0, 12)}`);
      for (const reference of [a.state.reference, b.state.reference]) {
        const row = await target.raw.stored(reference);
        expect(row.state.procedure).toEqual({ $procedure: key });
        expect(row.raisedEvent.procedure).toEqual({ $procedure: key });
        // A fraction of what a full copy took.
        expect(JSON.stringify(row.state).length * 4).toBeLessThan(JSON.stringify(NS).length);
      }

      // Read by this handle, and by another that has nothing cached: the same as written.
      const other = await target.reopen();
      try {
        for (const handle of [repo, other]) {
          expect((await handle.getCase(a.state.reference))?.state).toEqual(acked.state);
          expect((await handle.getCase(b.state.reference))?.state).toEqual(b.state);
          expect((await handle.getEvents(a.state.reference)).map((e) => e.event)).toEqual([
            ...a.events,
            ...acked.events,
          ]);
          expect((await handle.getEvents(b.state.reference)).map((e) => e.event)).toEqual(b.events);
          const viaKey = await handle.readCasesOfBoard('north-somerset', '2026-01-01', '2027-01-01');
          expect(viaKey.map((c) => c.state)).toEqual([acked.state, b.state]);
        }
        const report = await verifyStore(other, { key: DEVELOPMENT_AUDIT_KEY, vault });
        expect(report.findings).toEqual([]);
      } finally {
        await other.close();
      }
    });

    test("a case raised after the board's file changed keeps its own version, and so does the one before", async () => {
      const before = raised(211, '2026-11-20T10:00:00Z');
      const after = raised(212, '2026-11-22T10:00:00Z', REVISED);
      await create(repo, before);
      await create(repo, after);
      // The earlier case, written to after the change, still has the procedure it was raised under.
      const noted = act(
        before.state,
        { type: 'add-note', actor: worker, text: 'Still on it.' },
        '2026-11-23T10:00:00Z',
      );
      await repo.appendEvents({
        reference: before.state.reference,
        expectedVersion: before.state.version,
        events: noted.events,
        state: noted.state,
        dueAt: nextTimerAt(noted.state),
      });
      const stored = await target.raw.procedures();
      expect(stored.map((p) => p.key).sort()).toEqual(
        [describeProcedure(NS).key, describeProcedure(REVISED).key].sort(),
      );
      expect(stored.find((p) => p.key === describeProcedure(REVISED).key)?.label).toBe('revised 2027');
      const other = await target.reopen();
      try {
        const first = await other.getCase(before.state.reference);
        const second = await other.getCase(after.state.reference);
        expect(first?.state.procedure).toEqual(NS);
        expect(first?.state).toEqual(noted.state);
        expect(second?.state.procedure).toEqual(REVISED);
        expect(second?.state.procedure.stages[0]?.name).toMatch(/\(revised\)$/);
        expect((await other.getEvents(after.state.reference))[0]?.event).toEqual(after.events[0]);
      } finally {
        await other.close();
      }
    });

    test("a board's cases in one query: the same cases and figures as reading them one by one", async () => {
      const made = [
        raised(221, '2026-03-02T10:00:00Z'),
        raised(222, '2026-04-06T10:00:00Z'),
        raised(223, '2026-05-04T10:00:00Z', REVISED),
        raised(224, '2026-12-01T10:00:00Z'),
        raised(5, '2026-04-07T10:00:00Z', CAMDEN, counterpart, 'zed'),
      ];
      for (const m of made) await create(repo, m);
      const second = made[1] as Made;
      const acked = act(second.state, { type: 'acknowledge', actor: counterpart }, '2026-04-06T12:00:00Z');
      await repo.appendEvents({
        reference: second.state.reference,
        expectedVersion: second.state.version,
        events: acked.events,
        state: acked.state,
        dueAt: nextTimerAt(acked.state),
      });
      const from = '2026-03-01T00:00:00.000Z';
      const to = '2026-07-01T00:00:00.000Z';
      const other = await target.reopen();
      try {
        // As the figures were read before: the list, then each case.
        const oneByOne: StoredCase[] = [];
        for (const s of await other.casesOfBoard('north-somerset', from, to)) {
          const stored = await other.getCase(s.reference);
          if (stored) oneByOne.push(stored);
        }
        const whole = await other.readCasesOfBoard('north-somerset', from, to);
        expect(whole.map((c) => c.reference)).toEqual(['NS-2026-0221', 'NS-2026-0222', 'NS-2026-0223']);
        expect(whole).toEqual(oneByOne);
        const directory = simulationDirectory(NS);
        const asOf = new Date('2026-07-15T12:00:00Z');
        const figures = await figuresOfPeriod(other, NS, directory, '2026-03-01', '2026-07-01', asOf);
        expect(figures).toEqual(
          boardFigures(
            NS,
            oneByOne.map((c) => c.state),
            directory,
            '2026-03-01',
            '2026-07-01',
            asOf,
          ),
        );
        expect(figures.raised).toBe(3);
      } finally {
        await other.close();
      }
    });

    test('an edited stored procedure is found by audit verify', async () => {
      const a = raised(231);
      const b = raised(5, '2026-11-20T10:00:00Z', CAMDEN, counterpart, 'zed');
      await create(repo, a);
      await create(repo, b);
      expect((await verifyStore(repo, { key: DEVELOPMENT_AUDIT_KEY, vault })).findings).toEqual([]);
      // Someone shortens a stage's deadline in the stored copy the case refers to.
      await target.raw.editProcedure(describeProcedure(NS).key, (p) => ({
        ...p,
        stages: p.stages.map((s, i) => (i === 0 ? { ...s, name: 'Quietly renamed' } : s)),
      }));
      const other = await target.reopen();
      try {
        const report = await verifyStore(other, { key: DEVELOPMENT_AUDIT_KEY, vault });
        expect(report.findings).toContainEqual(
          expect.objectContaining({ reference: a.state.reference, seq: 1, kind: 'event-edited' }),
        );
        // The other board's case, whose procedure is untouched, is not named.
        expect(report.findings.filter((f) => f.reference === b.state.reference)).toEqual([]);
      } finally {
        await other.close();
      }
    });

    test('a stored procedure removed: its cases are named unreadable, the others still read and verify', async () => {
      const a = raised(235);
      const b = raised(5, '2026-11-20T10:00:00Z', CAMDEN, counterpart, 'zed');
      await create(repo, a);
      await create(repo, b);
      await target.raw.deleteProcedure(describeProcedure(NS).key);
      const other = await target.reopen();
      try {
        await expect(other.getCase(a.state.reference)).rejects.toMatchObject({
          code: 'corrupt',
          message: expect.stringMatching(/procedure it was raised under .* is missing/) as unknown,
        });
        await expect(other.getEvents(a.state.reference)).rejects.toMatchObject({ code: 'corrupt' });
        expect((await other.getCase(b.state.reference))?.state).toEqual(b.state);
        const report = await verifyStore(other, { key: DEVELOPMENT_AUDIT_KEY, vault });
        expect(report.findings).toContainEqual(
          expect.objectContaining({ reference: a.state.reference, kind: 'case-unreadable' }),
        );
        expect(report.findings.filter((f) => f.reference === b.state.reference)).toEqual([]);
      } finally {
        await other.close();
      }
    });

    test('a case stored with full copies of its procedure (before) reads as it is and verifies', async () => {
      const a = raised(241);
      await create(repo, a);
      await target.raw.writeFullCopies(a.state.reference, a.state, NS);
      expect((await target.raw.stored(a.state.reference)).state.procedure).toEqual(
        expect.objectContaining({ id: 'north-somerset' }),
      );
      const other = await target.reopen();
      try {
        expect((await other.getCase(a.state.reference))?.state).toEqual(a.state);
        expect((await other.getEvents(a.state.reference)).map((e) => e.event)).toEqual(a.events);
        expect((await verifyStore(other, { key: DEVELOPMENT_AUDIT_KEY, vault })).findings).toEqual([]);
        // Its next write refers to the stored procedure.
        const acked = act(a.state, { type: 'acknowledge', actor: counterpart }, '2026-11-20T11:00:00Z');
        await other.appendEvents({
          reference: a.state.reference,
          expectedVersion: a.state.version,
          events: acked.events,
          state: acked.state,
          dueAt: nextTimerAt(acked.state),
        });
        expect((await target.raw.stored(a.state.reference)).state.procedure).toEqual({
          $procedure: describeProcedure(NS).key,
        });
        expect((await other.getCase(a.state.reference))?.state).toEqual(acked.state);
      } finally {
        await other.close();
      }
    });
  });
}
