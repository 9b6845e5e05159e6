/**
 * The outbox's contract, every store: items written with the change that owes them (or not at
 * all when the change fails), claimed under leases once across workers, done in dependency order,
 * retried, failed and sent again.
 */
import { verifyStore } from '../../src/app/audit-verify';
import { DEVELOPMENT_AUDIT_KEY } from '../../src/app/store/chain';
import { outboxId, type NewOutboxItem } from '../../src/app/store/outbox';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import { nextTimerAt } from '../../src/domain/escalation';
import { StoreError, type CaseRepository } from '../../src/app/store/repository';
import { act, counterpart, raised } from './fixtures';
import type { ContractTarget } from './repository.contract';

const T0 = '2026-11-20T10:00:00.000Z';
const at = (seconds: number): string => new Date(Date.parse(T0) + seconds * 1000).toISOString();

function item(
  reference: string,
  event: number,
  kind: NewOutboxItem['kind'],
  recipient: string,
  more: Partial<NewOutboxItem> = {},
): NewOutboxItem {
  return {
    id: outboxId(reference, event, kind, recipient),
    reference,
    kind,
    platform: 'slack',
    recipient,
    event,
    dependsOn: [],
    payload: { text: `to ${recipient}` },
    createdAt: T0,
    nextAttemptAt: T0,
    ...more,
  };
}

export function outboxContract(target: Pick<ContractTarget, 'open' | 'reopen'>): void {
  describe('the outbox', () => {
    let repo: CaseRepository;

    // Inside the describe, so that beside repositoryContract in one block each test opens one store.
    beforeEach(async () => {
      repo = await target.open();
    });
    afterEach(async () => {
      await repo.close();
    });

    test('items are written with the case that owes them, and a second create with the same key adds none', async () => {
      const m = raised(101);
      const ref = m.state.reference;
      const open = item(ref, 2, 'open-thread', 'council');
      const tell = item(ref, 2, 'tell', 'ben', { dependsOn: [open.id] });
      await repo.createCase({ state: m.state, events: m.events, idempotencyKey: 'k-101', outbox: [open, tell] });
      const again = raised(102);
      const made = await repo.createCase({
        state: again.state,
        events: again.events,
        idempotencyKey: 'k-101',
        outbox: [item(again.state.reference, 2, 'open-thread', 'council')],
      });
      expect(made.created).toBe(false);
      const listed = await repo.listOutbox();
      expect(listed.map((i) => i.id)).toEqual([open.id, tell.id]);
      expect(listed[1]).toMatchObject({
        reference: ref,
        kind: 'tell',
        platform: 'slack',
        recipient: 'ben',
        event: 2,
        dependsOn: [open.id],
        payload: { text: 'to ben' },
        status: 'pending',
        attempts: 0,
        failures: 0,
      });
      expect(await repo.outboxStats()).toEqual({ pending: 2, failed: 0, oldestPendingAt: T0 });
    });

    test('an append writes its items in the same step; a refused append writes none', async () => {
      const m = raised(103);
      const ref = m.state.reference;
      await repo.createCase({ state: m.state, events: m.events });
      const acked = act(m.state, { type: 'acknowledge', actor: counterpart }, '2026-11-20T11:00:00Z');
      const owed = item(ref, 3, 'update-cards', 'slack');
      await repo.appendEvents({
        reference: ref,
        expectedVersion: 2,
        events: acked.events,
        state: acked.state,
        outbox: [owed],
      });
      await expect(
        repo.appendEvents({
          reference: ref,
          expectedVersion: 2,
          events: acked.events,
          state: acked.state,
          outbox: [item(ref, 3, 'tell', 'ann')],
        }),
      ).rejects.toBeInstanceOf(StoreError);
      expect((await repo.listOutbox({ reference: ref })).map((i) => i.id)).toEqual([owed.id]);
      // The same id written again is stored once, as it was.
      await repo.enqueue([{ ...owed, payload: { changed: true } }]);
      const listed = await repo.listOutbox({ reference: ref });
      expect(listed).toHaveLength(1);
      expect(listed[0]?.payload).toEqual({ text: 'to slack' });
    });

    test('an item is claimed by one worker at a time, each claim an attempt, and free again once its lease runs out', async () => {
      const ref = 'NS-2026-0104';
      await repo.enqueue([item(ref, 2, 'tell', 'ben'), item(ref, 2, 'tell', 'cat')]);
      const racers = await Promise.all(['a', 'b', 'c', 'd'].map((o) => repo.claimOutbox(o, at(0), at(30), 10)));
      const taken = racers.flat();
      expect(taken.map((i) => i.recipient).sort()).toEqual(['ben', 'cat']);
      expect(new Set(taken.map((i) => i.id)).size).toBe(2);
      expect(taken.every((i) => i.attempts === 1)).toBe(true);
      expect(await repo.claimOutbox('e', at(10), at(40), 10)).toEqual([]);
      const again = await repo.claimOutbox('e', at(30), at(60), 10);
      expect(again.map((i) => [i.leaseOwner, i.attempts])).toEqual([
        ['e', 2],
        ['e', 2],
      ]);
      // The first owner's lease has gone: it can no longer finish the item.
      const first = taken[0];
      if (!first) throw new Error('nothing taken');
      expect(await repo.completeOutbox(first.id, first.leaseOwner, at(31))).toBe(false);
      expect(await repo.completeOutbox(first.id, 'e', at(31), { ts: '1.2' })).toBe(true);
      expect(await repo.completeOutbox(first.id, 'e', at(32))).toBe(false);
      const done = (await repo.listOutbox({ status: 'done' }))[0];
      expect(done).toMatchObject({ id: first.id, status: 'done', result: { ts: '1.2' }, doneAt: at(31) });
    });

    test('claims follow due time and dependencies: nothing before what it waits for is done', async () => {
      const ref = 'NS-2026-0105';
      const open = item(ref, 2, 'open-thread', 'council');
      const card = item(ref, 3, 'update-cards', 'slack', { dependsOn: [open.id] });
      const later = item(ref, 2, 'tell', 'ben', { nextAttemptAt: at(60) });
      const orphan = item(ref, 2, 'tell', 'cat', { dependsOn: ['never-written'] });
      await repo.enqueue([open, card, later, orphan]);
      expect((await repo.claimOutbox('w', at(0), at(100), 10)).map((i) => i.id).sort()).toEqual(
        [open.id, orphan.id].sort(),
      );
      expect(await repo.claimOutbox('w', at(1), at(100), 10)).toEqual([]);
      expect(await repo.progressOutbox(open.id, 'w', { channel: 'C1' })).toBe(true);
      expect(await repo.progressOutbox(open.id, 'x', { channel: 'C2' })).toBe(false);
      expect(await repo.completeOutbox(open.id, 'w', at(2), { ts: '9.9' })).toBe(true);
      expect((await repo.listOutbox({ status: 'done' }))[0]?.result).toEqual({ channel: 'C1', ts: '9.9' });
      expect((await repo.claimOutbox('w', at(3), at(100), 10)).map((i) => i.id)).toEqual([card.id]);
      expect((await repo.claimOutbox('w', at(60), at(120), 10)).map((i) => i.id)).toEqual([later.id]);
    });

    test('a setback is tried again when it says, a final one fails the item, and retry sends failed items again', async () => {
      const ref = 'NS-2026-0106';
      const a = item(ref, 2, 'tell', 'ben');
      const b = item(ref, 2, 'tell', 'cat');
      await repo.enqueue([a, b, item('NS-2026-0107', 2, 'tell', 'dan')]);
      await repo.claimOutbox('w', at(0), at(30), 10);
      expect(await repo.setBackOutbox(a.id, 'other', { error: 'x', retryAt: at(5) })).toBe(false);
      expect(await repo.setBackOutbox(a.id, 'w', { error: 'ratelimited', retryAt: at(5) })).toBe(true);
      expect(await repo.setBackOutbox(b.id, 'w', { error: 'could not be reached' })).toBe(true);
      expect(await repo.claimOutbox('w', at(4), at(30), 10)).toEqual([]);
      const retried = await repo.claimOutbox('v', at(5), at(30), 10);
      expect(retried.map((i) => [i.id, i.attempts, i.failures, i.lastError])).toEqual([[a.id, 2, 1, 'ratelimited']]);
      // An attempt not made (waiting its turn) does not count.
      expect(await repo.setBackOutbox(a.id, 'v', { error: 'waiting', retryAt: at(5), uncounted: true })).toBe(true);
      expect((await repo.claimOutbox('v', at(5), at(30), 10)).map((i) => [i.attempts, i.failures])).toEqual([[2, 1]]);
      const failed = await repo.listOutbox({ status: 'failed' });
      expect(failed.map((i) => [i.id, i.failures, i.lastError])).toEqual([[b.id, 1, 'could not be reached']]);
      expect(await repo.outboxStats()).toMatchObject({ pending: 2, failed: 1 });
      expect(await repo.retryOutbox({ reference: 'NS-2026-0107' }, at(6))).toBe(0);
      expect(await repo.retryOutbox({ reference: ref }, at(6))).toBe(1);
      const back = await repo.claimOutbox('v', at(6), at(30), 10);
      expect(back.map((i) => [i.id, i.attempts, i.failures])).toEqual([[b.id, 1, 0]]);
      expect(await repo.outboxStats()).toMatchObject({ pending: 3, failed: 0 });
    });

    test('an item waiting for one that failed for good goes ahead', async () => {
      const ref = 'NS-2026-0110';
      const open = item(ref, 1, 'open-thread', 'council');
      const tell = item(ref, 2, 'tell', 'ben', { dependsOn: [open.id] });
      await repo.enqueue([open, tell]);
      expect((await repo.claimOutbox('w', at(0), at(30), 10)).map((i) => i.id)).toEqual([open.id]);
      expect(await repo.setBackOutbox(open.id, 'w', { error: 'channel could not be made' })).toBe(true);
      expect((await repo.claimOutbox('w', at(1), at(30), 10)).map((i) => i.id)).toEqual([tell.id]);
    });

    test('items done long ago are forgotten; pending and failed ones are kept', async () => {
      const ref = 'NS-2026-0111';
      const old = item(ref, 2, 'tell', 'ben');
      const recent = item(ref, 2, 'tell', 'cat');
      const stuck = item(ref, 2, 'tell', 'dan');
      const waiting = item(ref, 2, 'tell', 'eve', { nextAttemptAt: at(1000) });
      await repo.enqueue([old, recent, stuck, waiting]);
      await repo.claimOutbox('w', at(0), at(30), 10);
      await repo.completeOutbox(old.id, 'w', at(1));
      await repo.completeOutbox(recent.id, 'w', at(20));
      await repo.setBackOutbox(stuck.id, 'w', { error: 'unreachable' });
      expect(await repo.pruneOutbox(at(10), 100)).toBe(1);
      expect(await repo.pruneOutbox(at(10), 100)).toBe(0);
      expect((await repo.listOutbox()).map((i) => i.recipient).sort()).toEqual(['cat', 'dan', 'eve']);
    });

    test('another handle on the same store sees and claims what was written', async () => {
      const ref = 'NS-2026-0108';
      await repo.enqueue([item(ref, 2, 'tell', 'ben')]);
      await repo.close();
      repo = await target.reopen();
      expect((await repo.claimOutbox('w', at(0), at(30), 10)).map((i) => i.recipient)).toEqual(['ben']);
    });

    test("items are not cases: every reference, a board's cases and audit verify are as without them", async () => {
      const m = raised(110);
      const ref = m.state.reference;
      // A recipient no store id may hold as it is (a Teams id, a slash).
      const odd = item(ref, 2, 'tell', '29:1a/b?c#d');
      await repo.createCase({
        state: m.state,
        events: m.events,
        dueAt: nextTimerAt(m.state),
        outbox: [item(ref, 2, 'open-thread', 'council'), odd],
      });
      const acked = act(m.state, { type: 'acknowledge', actor: counterpart }, '2026-11-20T11:00:00Z');
      await repo.appendEvents({
        reference: ref,
        expectedVersion: 2,
        events: acked.events,
        state: acked.state,
        dueAt: nextTimerAt(acked.state),
        outbox: [item(ref, 3, 'update-cards', 'slack')],
      });
      await repo.enqueue([item('NS-2026-0111', 2, 'tell', 'ben')]);
      expect(await repo.allReferences()).toEqual([ref]);
      expect((await repo.casesOfBoard(m.state.boardId, '2026-01-01', '2027-01-01')).map((c) => c.reference)).toEqual([
        ref,
      ]);
      const report = await verifyStore(repo, {
        key: DEVELOPMENT_AUDIT_KEY,
        vault: new PersonalDataVault(Buffer.alloc(32, 3)),
      });
      expect(report).toMatchObject({ checked: 1, events: 3, findings: [], warnings: [] });
      expect(await repo.completeOutbox(odd.id, undefined, at(1))).toBe(true);
      expect((await repo.listOutbox({ status: 'done' })).map((i) => i.id)).toEqual([odd.id]);
      expect(await repo.outboxStats()).toEqual({ pending: 3, failed: 0, oldestPendingAt: T0 });
    });

    test('a twin done inline is completed only while nobody holds it', async () => {
      const ref = 'NS-2026-0109';
      const twin = item(ref, 2, 'open-thread', 'council', { nextAttemptAt: at(20) });
      const other = item(ref, 2, 'tell', 'ben');
      await repo.enqueue([twin, other]);
      expect(await repo.completeOutbox(twin.id, undefined, at(1), { activityId: 'a1' })).toBe(true);
      await repo.claimOutbox('w', at(2), at(30), 10);
      expect(await repo.completeOutbox(other.id, undefined, at(3))).toBe(false);
      expect((await repo.listOutbox({ status: 'done' })).map((i) => i.id)).toEqual([twin.id]);
    });

    test("a board's figures (no case behind them): written twice, claimed once, done, and not made pending again", async () => {
      const figures: NewOutboxItem = {
        ...item('figures:camden', 0, 'email-figures', 'quality.performance@example.org'),
        id: 'figures:camden:2026-01-01:2026-04-01:email-figures',
        payload: { board: 'camden', from: '2026-01-01', to: '2026-04-01' },
      };
      await repo.enqueue([figures]);
      await repo.enqueue([{ ...figures, createdAt: at(5), nextAttemptAt: at(5) }]);
      const [a, b] = await Promise.all([
        repo.claimOutbox('replica-a', at(10), at(40), 10),
        repo.claimOutbox('replica-b', at(10), at(40), 10),
      ]);
      expect([...a, ...b].map((i) => i.id)).toEqual([figures.id]);
      const owner = a.length ? 'replica-a' : 'replica-b';
      expect(
        await repo.completeOutbox(figures.id, owner, at(11), { accepted: ['quality.performance@example.org'] }),
      ).toBe(true);
      // A replica started again writes the same id: it stays done, and nobody claims it.
      await repo.enqueue([{ ...figures, createdAt: at(20), nextAttemptAt: at(20) }]);
      expect(await repo.claimOutbox('replica-c', at(30), at(60), 10)).toEqual([]);
      expect(await repo.listOutbox({ reference: 'figures:camden' })).toEqual([
        expect.objectContaining({ id: figures.id, status: 'done', attempts: 1 }),
      ]);
    });
  });
}
