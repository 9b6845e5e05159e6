/**
 * Bringing a case stored by an earlier release up to date, every store: `restateCase` rewrites
 * the stored state and index fields from the events (on the version read) and nothing else, and
 * `restateStore` (what each replica runs at start-up, and `audit restate`) uses it so that
 * `audit verify` is clean again, without laundering a timeline that was tampered with.
 */
import { verifyStore } from '../../src/app/audit-verify';
import { restateStore } from '../../src/app/restate';
import { DEVELOPMENT_AUDIT_KEY } from '../../src/app/store/chain';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import { StoreError, type CaseRepository } from '../../src/app/store/repository';
import { calendarFor, nextTimerAt, replay, type CaseState } from '../../src/domain/escalation';
import { act, counterpart, raised } from './fixtures';
import type { ContractTarget } from './repository.contract';

const vault = new PersonalDataVault(Buffer.alloc(32, 5));
const key = DEVELOPMENT_AUDIT_KEY;
/**
 * Raised on Friday 20 November 2026 at 10:00: a release before the morning reminders had the case
 * next due at its first deadline, Monday 23 November 17:00 (after the weekend); this release's
 * first timer is that Monday's morning reminder, at 09:00 (GMT, so 09:00 UTC).
 */
const OLD_DUE = '2026-11-23T17:00:00.000Z';
const NEW_DUE = '2026-11-23T09:00:00.000Z';

/** The state as a release before StageRecord.enteredBy wrote it: no stage says who entered it. */
function oldFold(state: CaseState): CaseState {
  return { ...state, stages: state.stages.map(({ enteredBy: _gone, ...stage }) => stage) };
}

/** Write a case the way the release before this one would have: its own fold and its own due time. */
async function writtenByOldRelease(repo: CaseRepository, sequence: number): Promise<string> {
  const made = raised(sequence);
  await repo.createCase({ state: oldFold(made.state), events: made.events, dueAt: OLD_DUE });
  return made.state.reference;
}

const dueNow = (state: CaseState): string | undefined => nextTimerAt(state, calendarFor(state.procedure));

export interface RestateTarget extends Pick<ContractTarget, 'open' | 'reopen'> {
  tamper: Pick<ContractTarget['tamper'], 'rewriteEvent'>;
}

export function restateContract(target: RestateTarget): void {
  describe('bringing cases stored by an earlier release up to date', () => {
    let repo: CaseRepository;
    beforeEach(async () => {
      repo = await target.open();
    });
    afterEach(async () => {
      await repo.close();
    });

    test('an old release’s stored state and due time are reported, rewritten from the events, then verify clean', async () => {
      const reference = await writtenByOldRelease(repo, 140);
      const before = await verifyStore(repo, { key, vault });
      expect(before.findings.map((f) => f.kind).sort()).toEqual(['record-mismatch', 'state-mismatch']);
      const events = await repo.getEvents(reference);
      const checkpoints = await repo.readCheckpoints();
      // As stored by the old release, the sweeper would not look at it at the morning reminder.
      expect(await repo.dueCases(NEW_DUE, 10)).toEqual([]);

      const report = await restateStore(repo, { key });
      expect(report).toEqual({ checked: 1, restated: 1, raced: 0, refused: [], failed: [] });

      const after = await repo.getCase(reference);
      // "raised" enters the first stage on the raising side's behalf (evolve's enteredBy).
      expect(after?.state.stages[0]?.enteredBy).toBe('raising');
      const derived = replay(events.map((e) => e.event)) as CaseState;
      expect(after?.dueAt).toBe(dueNow(derived));
      expect(after?.dueAt).toBe(NEW_DUE);
      // The sweeper now finds it when this release's first timer falls due, not at the old time.
      expect((await repo.dueCases(NEW_DUE, 10)).map((d) => d.reference)).toEqual([reference]);
      expect(await repo.dueCases('2026-11-23T08:59:59.999Z', 10)).toEqual([]);
      // Its events, their hashes, its version and the anchor are as they were.
      expect(await repo.getEvents(reference)).toEqual(events);
      expect(await repo.readCheckpoints()).toEqual(checkpoints);
      expect(after?.version).toBe(events.length);
      expect(after?.lastHash).toBe(events[events.length - 1]?.hash);
      const verified = await verifyStore(repo, { key, vault });
      expect(verified.findings).toEqual([]);
      expect(verified.warnings).toEqual([]);
      // Nothing differs any more: a second run rewrites nothing.
      expect(await restateStore(repo, { key })).toEqual({ checked: 1, restated: 0, raced: 0, refused: [], failed: [] });
    });

    test('restateCase on a version no longer stored is a conflict, and nothing is written', async () => {
      const made = raised(141);
      await repo.createCase({ state: oldFold(made.state), events: made.events, dueAt: OLD_DUE });
      const acked = act(made.state, { type: 'acknowledge', actor: counterpart }, '2026-11-20T11:00:00Z');
      await repo.appendEvents({
        reference: made.state.reference,
        expectedVersion: made.state.version,
        events: acked.events,
        state: acked.state,
        dueAt: dueNow(acked.state),
      });
      const stored = await repo.getCase(made.state.reference);
      let error: unknown;
      try {
        await repo.restateCase({
          reference: made.state.reference,
          expectedVersion: made.state.version,
          state: made.state,
          dueAt: OLD_DUE,
        });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe('conflict');
      expect(await repo.getCase(made.state.reference)).toEqual(stored);
    });

    test('two replicas at once, and a case written meanwhile: every case ends up as its events give', async () => {
      const refs = [await writtenByOldRelease(repo, 142), await writtenByOldRelease(repo, 143)];
      const second = await target.reopen();
      try {
        // While the first replica replays NS-2026-0142, a person acknowledges it on a replica still
        // running the older release (a rolling upgrade), which stores its own fold: read again, it is restated.
        let interleaved = false;
        const racing = new Proxy(repo, {
          get(obj, prop, receiver) {
            if (prop === 'getEvents')
              return async (reference: string) => {
                const events = await obj.getEvents(reference);
                if (reference === refs[0] && !interleaved) {
                  interleaved = true;
                  const state = replay(events.map((e) => e.event)) as CaseState;
                  const acked = act(state, { type: 'acknowledge', actor: counterpart }, '2026-11-20T11:00:00Z');
                  await second.appendEvents({
                    reference,
                    expectedVersion: state.version,
                    events: acked.events,
                    state: oldFold(acked.state),
                    dueAt: OLD_DUE,
                  });
                }
                return events;
              };
            const value: unknown = Reflect.get(obj, prop, receiver);
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(obj) : value;
          },
        });
        const [one, two] = await Promise.all([restateStore(racing, { key }), restateStore(second, { key })]);
        for (const r of [one, two]) {
          expect(r.refused).toEqual([]);
          expect(r.failed).toEqual([]);
        }
        expect(one.raced).toBeGreaterThanOrEqual(1);
        expect(one.restated + two.restated).toBeGreaterThanOrEqual(1);
        expect((await verifyStore(repo, { key, vault })).findings).toEqual([]);
        for (const reference of refs) {
          const stored = await repo.getCase(reference);
          const derived = replay((await repo.getEvents(reference)).map((e) => e.event)) as CaseState;
          expect(stored?.state.stages[0]?.enteredBy).toBe('raising');
          expect(stored?.dueAt).toBe(dueNow(derived));
        }
        expect((await repo.getCase(refs[0] as string))?.version).toBe(3);
      } finally {
        await second.close();
      }
    });

    test('a case whose events were tampered with is not rewritten, and audit verify still reports it', async () => {
      const reference = await writtenByOldRelease(repo, 144);
      const fine = await writtenByOldRelease(repo, 145);
      await target.tamper.rewriteEvent(reference, 1, (event) => ({ ...event, at: '2026-11-19T10:00:00.000Z' }));
      const stale = await repo.getCase(reference);
      const lines: string[] = [];
      const report = await restateStore(repo, { key, report: (msg, f) => lines.push(`${f.reference}: ${msg}`) });
      expect(report.refused).toEqual([reference]);
      expect(report.restated).toBe(1);
      expect(lines).toEqual([expect.stringMatching(/^NS-2026-0144: .*does not verify.*audit verify/)]);
      expect(await repo.getCase(reference)).toEqual(stale);
      const findings = (await verifyStore(repo, { key, vault })).findings;
      expect(findings.filter((f) => f.reference === reference).map((f) => f.kind)).toContain('event-edited');
      expect(findings.filter((f) => f.reference === fine)).toEqual([]);
    });
  });
}
