/**
 * One contract, every store: the SQLite and Cosmos DB repositories run these same tests.
 */
import { verifyStore } from '../../src/app/audit-verify';
import { checkAnchor } from '../../src/app/store/anchor';
import { AuditKey, chainEvents, DEVELOPMENT_AUDIT_KEY, GENESIS, verifyChain } from '../../src/app/store/chain';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import { StoreError, type CaseRepository } from '../../src/app/store/repository';
import { nextTimerAt, type CaseEvent } from '../../src/domain/escalation';
import { act, counterpart, raised, secondTier, worker, CAMDEN } from './fixtures';

/** What each backend offers the contract: fresh stores, a second handle, and raw access to tamper with. */
export interface ContractTarget {
  /** A new, empty store. */
  open(): Promise<CaseRepository>;
  /** Another handle (SQLite: another process) on the same backing store as the last `open`. */
  reopen(): Promise<CaseRepository>;
  /** Reads a case's version and event count from a separate OS process, if the backend can. */
  readFromAnotherProcess?(reference: string): Promise<{ version: number; events: number; status: string }>;
  tamper: {
    rewriteEvent(reference: string, seq: number, change: (event: CaseEvent) => CaseEvent): Promise<void>;
    removeEvent(reference: string, seq: number): Promise<void>;
    corruptCase(reference: string): Promise<void>;
    /** Change a checkpoint of the anchor in place (as an insider would, past any trigger). */
    editCheckpoint(seq: number, change: (c: Record<string, unknown>) => Record<string, unknown>): Promise<void>;
    /** Delete a case: its record and its events. */
    deleteCase(reference: string): Promise<void>;
  };
}

async function expectStoreError(promise: Promise<unknown>, code: StoreError['code']): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe(code);
    return error as StoreError;
  }
  throw new Error(`expected a StoreError ${code}, but it succeeded`);
}

async function audit(repo: CaseRepository, reference: string): Promise<ReturnType<typeof verifyChain>> {
  return verifyChain(DEVELOPMENT_AUDIT_KEY, await repo.getCase(reference), await repo.getEvents(reference), reference);
}

export function repositoryContract(target: ContractTarget): void {
  let repo: CaseRepository;

  beforeEach(async () => {
    repo = await target.open();
  });
  afterEach(async () => {
    await repo.close();
  });

  describe('case numbers', () => {
    test('count up per board and year, never twice, even when asked at once', async () => {
      expect(await repo.nextSequence('north-somerset', 2026)).toBe(1);
      expect(await repo.nextSequence('north-somerset', 2026)).toBe(2);
      expect(await repo.nextSequence('north-somerset', 2027)).toBe(1);
      expect(await repo.nextSequence('camden', 2026)).toBe(1);
      const many = await Promise.all(Array.from({ length: 12 }, () => repo.nextSequence('luton', 2026)));
      expect([...many].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    });
  });

  describe('creating and reading a case', () => {
    test('the case, its procedure snapshot and its events come back as stored, chained', async () => {
      const made = raised(7);
      const { created, case: stored } = await repo.createCase({
        state: made.state,
        events: made.events,
        dueAt: made.dueAt,
      });
      expect(created).toBe(true);
      expect(stored).toEqual(
        expect.objectContaining({
          reference: 'NS-2026-0007',
          boardId: 'north-somerset',
          version: 2,
          dueAt: '2026-11-23T17:00:00.000Z',
        }),
      );
      const back = await repo.getCase('NS-2026-0007');
      expect(back?.state).toEqual(made.state);
      expect(back?.state.procedure.stages.map((s) => s.id)).toEqual([
        'stage-1',
        'stage-2',
        'stage-3',
        'stage-4',
        'stage-5',
      ]);
      const events = await repo.getEvents('NS-2026-0007');
      expect(events.map((e) => [e.seq, e.event.type])).toEqual([
        [1, 'case-raised'],
        [2, 'stage-entered'],
      ]);
      expect(events[0]?.prevHash).toBe(GENESIS);
      expect(events[1]?.prevHash).toBe(events[0]?.hash);
      expect(back?.lastHash).toBe(events[1]?.hash);
      expect(await repo.getCase('NS-2026-9999')).toBeUndefined();
      expect(await repo.getEvents('NS-2026-9999')).toEqual([]);
    });

    test('a reference already used is refused, and the first case is untouched', async () => {
      const made = raised(8);
      await repo.createCase({ state: made.state, events: made.events });
      const again = raised(8, '2026-11-21T10:00:00Z');
      await expectStoreError(repo.createCase({ state: again.state, events: again.events }), 'conflict');
      expect((await repo.getCase('NS-2026-0008'))?.state.raisedAt).toBe(made.state.raisedAt);
    });

    test('the same idempotency key returns the case the first create made, even at once', async () => {
      const first = raised(10);
      const one = await repo.createCase({
        state: first.state,
        events: first.events,
        idempotencyKey: 'slack:view:V123',
      });
      const second = raised(11);
      const two = await repo.createCase({
        state: second.state,
        events: second.events,
        idempotencyKey: 'slack:view:V123',
      });
      expect(one.created).toBe(true);
      expect(two.created).toBe(false);
      expect(two.case.reference).toBe('NS-2026-0010');
      expect((await repo.findByIdempotencyKey('slack:view:V123'))?.reference).toBe('NS-2026-0010');
      expect(await repo.findByIdempotencyKey('slack:view:unknown')).toBeUndefined();
      expect(await repo.getCase('NS-2026-0011')).toBeUndefined();

      const racers = [20, 21, 22, 23, 24].map((n) => raised(n));
      const results = await Promise.all(
        racers.map((m) => repo.createCase({ state: m.state, events: m.events, idempotencyKey: 'teams:activity:A9' })),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.case.reference)).size).toBe(1);
    });
  });

  describe('appending events', () => {
    test('states the version it read; a stale version is a conflict and nothing is overwritten', async () => {
      const made = raised(30);
      await repo.createCase({ state: made.state, events: made.events, dueAt: made.dueAt });
      const acked = act(made.state, { type: 'acknowledge', actor: counterpart }, '2026-11-20T11:00:00Z');
      const after = await repo.appendEvents({
        reference: 'NS-2026-0030',
        expectedVersion: 2,
        events: acked.events,
        state: acked.state,
        dueAt: acked.dueAt,
      });
      expect(after.version).toBe(3);
      const noted = act(
        made.state,
        { type: 'add-note', actor: worker, text: 'Written on a stale card.' },
        '2026-11-20T11:05:00Z',
      );
      const error = await expectStoreError(
        repo.appendEvents({ reference: 'NS-2026-0030', expectedVersion: 2, events: noted.events, state: noted.state }),
        'conflict',
      );
      expect(error.message).toMatch(/Nothing was overwritten/);
      const stored = await repo.getCase('NS-2026-0030');
      expect(stored?.version).toBe(3);
      expect(stored?.state.stages[0]?.acknowledged.responding?.by).toBe('ben');
      expect((await repo.getEvents('NS-2026-0030')).map((e) => e.event.type)).toEqual([
        'case-raised',
        'stage-entered',
        'stage-acknowledged',
      ]);
    });

    test('two writers at once from the same version: exactly one wins', async () => {
      const made = raised(31);
      await repo.createCase({ state: made.state, events: made.events });
      const a = act(made.state, { type: 'add-note', actor: worker, text: 'A' }, '2026-11-20T11:00:00Z');
      const b = act(made.state, { type: 'add-note', actor: counterpart, text: 'B' }, '2026-11-20T11:00:01Z');
      const outcomes = await Promise.allSettled(
        [a, b].map((m) =>
          repo.appendEvents({ reference: 'NS-2026-0031', expectedVersion: 2, events: m.events, state: m.state }),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(rejected?.reason).toBeInstanceOf(StoreError);
      expect((rejected?.reason as StoreError).code).toBe('conflict');
      expect(await audit(repo, 'NS-2026-0031')).toBeUndefined();
      expect((await repo.getEvents('NS-2026-0031')).length).toBe(3);
    });

    test('appending to a case that does not exist says so', async () => {
      const made = raised(32);
      await expectStoreError(
        repo.appendEvents({ reference: 'NS-2026-0032', expectedVersion: 2, events: made.events, state: made.state }),
        'not-found',
      );
    });
  });

  describe('queries', () => {
    test('the due query returns open cases due at or before an instant, earliest first, and no others', async () => {
      const dues = ['2026-11-23T17:00:00.000Z', '2026-11-24T17:00:00.000Z', '2026-11-25T17:00:00.000Z', undefined];
      for (const [i, dueAt] of dues.entries()) {
        const m = raised(40 + i);
        await repo.createCase({ state: m.state, events: m.events, dueAt });
      }
      expect(await repo.dueCases('2026-11-24T17:00:00.000Z', 10)).toEqual([
        { reference: 'NS-2026-0040', dueAt: '2026-11-23T17:00:00.000Z', version: 2 },
        { reference: 'NS-2026-0041', dueAt: '2026-11-24T17:00:00.000Z', version: 2 },
      ]);
      expect((await repo.dueCases('2027-01-01T00:00:00.000Z', 2)).map((d) => d.reference)).toEqual([
        'NS-2026-0040',
        'NS-2026-0041',
      ]);
      // Closing a case takes it off the due list.
      const stored = await repo.getCase('NS-2026-0040');
      if (!stored) throw new Error('missing');
      const gone = act(
        stored.state,
        { type: 'withdraw', actor: worker, reason: 'Resolved by phone.' },
        '2026-11-21T09:00:00Z',
      );
      await repo.appendEvents({
        reference: 'NS-2026-0040',
        expectedVersion: 2,
        events: gone.events,
        state: gone.state,
      });
      expect((await repo.dueCases('2027-01-01T00:00:00.000Z', 10)).map((d) => d.reference)).toEqual([
        'NS-2026-0041',
        'NS-2026-0042',
      ]);
    });

    test('cases of a board in a date range, and the cases a person took part in', async () => {
      const made = [
        raised(50, '2026-10-01T10:00:00Z'),
        raised(51, '2026-11-01T10:00:00Z'),
        raised(52, '2026-12-01T10:00:00Z'),
        raised(1, '2026-11-05T10:00:00Z', CAMDEN, counterpart, 'zed'),
      ];
      for (const m of made) await repo.createCase({ state: m.state, events: m.events });
      const october = await repo.casesOfBoard('north-somerset', '2026-10-01T00:00:00.000Z', '2026-11-30T00:00:00.000Z');
      expect(october.map((c) => c.reference)).toEqual(['NS-2026-0050', 'NS-2026-0051']);
      expect(october[0]).toEqual({
        reference: 'NS-2026-0050',
        boardId: 'north-somerset',
        status: 'open',
        raisedAt: '2026-10-01T10:00:00.000Z',
        version: 2,
      });
      expect(
        (await repo.casesOfBoard('camden', '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z')).map(
          (c) => c.reference,
        ),
      ).toEqual(['CAM-2026-0001']);
      expect((await repo.casesOfPerson('zed')).map((c) => c.reference)).toEqual(['CAM-2026-0001']);
      expect((await repo.casesOfPerson('ben')).map((c) => c.reference).sort()).toEqual([
        'CAM-2026-0001',
        'NS-2026-0050',
        'NS-2026-0051',
        'NS-2026-0052',
      ]);
      // Someone who joins later is found too.
      const stored = await repo.getCase('NS-2026-0051');
      if (!stored) throw new Error('missing');
      const asked = act(
        stored.state,
        { type: 'request-escalation', actor: worker, reason: 'r' },
        '2026-11-02T10:00:00Z',
      );
      const up = act(asked.state, { type: 'approve-escalation', actor: secondTier }, '2026-11-02T11:00:00Z');
      await repo.appendEvents({
        reference: 'NS-2026-0051',
        expectedVersion: 2,
        events: [...asked.events, ...up.events],
        state: up.state,
      });
      expect((await repo.casesOfPerson('eve')).map((c) => c.reference)).toEqual(['NS-2026-0051']);
      expect((await repo.allReferences()).sort()).toEqual([
        'CAM-2026-0001',
        'NS-2026-0050',
        'NS-2026-0051',
        'NS-2026-0052',
      ]);
    });
  });

  describe('the access log and the security log', () => {
    test('readings are kept apart from the timeline, newest first, and found by case, person and time', async () => {
      const m = raised(70);
      await repo.createCase({ state: m.state, events: m.events });
      const read = (at: string, reference: string, personId: string, what: string, platform?: 'slack' | 'teams') =>
        repo.recordAccess({
          at,
          reference,
          personId,
          agencyId: `${personId}-agency`,
          what,
          ...(platform ? { platform } : {}),
        });
      await read('2026-11-20T10:00:00.000Z', 'NS-2026-0070', 'ann', 'personal-details', 'teams');
      await read('2026-11-21T10:00:00.000Z', 'NS-2026-0070', 'ben', 'form:north-somerset-monitoring', 'slack');
      await read('2026-11-22T10:00:00.000Z', 'NS-2026-0071', 'ann', 'case-record');
      const all = await repo.accessLog();
      expect(all).toEqual([
        {
          at: '2026-11-22T10:00:00.000Z',
          reference: 'NS-2026-0071',
          personId: 'ann',
          agencyId: 'ann-agency',
          what: 'case-record',
        },
        {
          at: '2026-11-21T10:00:00.000Z',
          reference: 'NS-2026-0070',
          personId: 'ben',
          agencyId: 'ben-agency',
          what: 'form:north-somerset-monitoring',
          platform: 'slack',
        },
        {
          at: '2026-11-20T10:00:00.000Z',
          reference: 'NS-2026-0070',
          personId: 'ann',
          agencyId: 'ann-agency',
          what: 'personal-details',
          platform: 'teams',
        },
      ]);
      expect((await repo.accessLog({ reference: 'NS-2026-0070' })).map((e) => e.what)).toEqual([
        'form:north-somerset-monitoring',
        'personal-details',
      ]);
      expect((await repo.accessLog({ personId: 'ann' })).map((e) => e.reference)).toEqual([
        'NS-2026-0071',
        'NS-2026-0070',
      ]);
      expect((await repo.accessLog({ since: '2026-11-21T00:00:00.000Z' })).length).toBe(2);
      expect((await repo.accessLog({ reference: 'NS-2026-0070', personId: 'ann' })).length).toBe(1);
      expect((await repo.accessLog({ limit: 1 })).map((e) => e.at)).toEqual(['2026-11-22T10:00:00.000Z']);
      // The case's timeline is untouched by its readings.
      expect((await repo.getCase('NS-2026-0070'))?.version).toBe(2);
      expect(await audit(repo, 'NS-2026-0070')).toBeUndefined();
    });

    test('refused attempts are kept in the security log, newest first, with only what was given', async () => {
      await repo.recordSecurityEvent({
        at: '2026-11-20T10:00:00.000Z',
        kind: 'read-by-non-party',
        action: 'refresh',
        reference: 'NS-2026-0072',
        personId: 'gus',
        agencyId: 'police',
        platform: 'teams',
      });
      await repo.recordSecurityEvent({ at: '2026-11-20T11:00:00.000Z', kind: 'unknown-command', action: 'unknown' });
      await repo.recordSecurityEvent({
        at: '2026-11-20T12:00:00.000Z',
        kind: 'no-such-case',
        action: 'acknowledge',
        personId: 'gus',
        agencyId: 'police',
        platform: 'slack',
      });
      expect(await repo.securityEvents()).toEqual([
        {
          at: '2026-11-20T12:00:00.000Z',
          kind: 'no-such-case',
          action: 'acknowledge',
          personId: 'gus',
          agencyId: 'police',
          platform: 'slack',
        },
        { at: '2026-11-20T11:00:00.000Z', kind: 'unknown-command', action: 'unknown' },
        {
          at: '2026-11-20T10:00:00.000Z',
          kind: 'read-by-non-party',
          action: 'refresh',
          reference: 'NS-2026-0072',
          personId: 'gus',
          agencyId: 'police',
          platform: 'teams',
        },
      ]);
      expect((await repo.securityEvents({ reference: 'NS-2026-0072' })).map((e) => e.action)).toEqual(['refresh']);
      expect((await repo.securityEvents({ personId: 'gus' })).length).toBe(2);
      expect((await repo.securityEvents({ since: '2026-11-20T10:30:00.000Z' })).length).toBe(2);
      expect((await repo.securityEvents({ limit: 2 })).map((e) => e.kind)).toEqual(['no-such-case', 'unknown-command']);
    });

    test('both logs survive a restart', async () => {
      await repo.recordAccess({
        at: '2026-11-20T10:00:00.000Z',
        reference: 'NS-2026-0073',
        personId: 'ann',
        agencyId: 'council',
        what: 'card',
      });
      await repo.recordSecurityEvent({
        at: '2026-11-20T10:00:00.000Z',
        kind: 'command-by-non-party',
        action: 'withdraw',
      });
      const again = await target.reopen();
      try {
        expect((await again.accessLog()).map((e) => e.what)).toEqual(['card']);
        expect((await again.securityEvents()).map((e) => e.action)).toEqual(['withdraw']);
      } finally {
        await again.close();
      }
    });
  });

  describe('threads, requests and personal details', () => {
    test('thread references are kept per platform and agency, the latest winning', async () => {
      const m = raised(60);
      await repo.createCase({ state: m.state, events: m.events });
      await repo.saveThread('NS-2026-0060', {
        platform: 'teams',
        agencyId: 'council',
        reference: { conversation: { id: '19:a@thread.tacv2' }, serviceUrl: 'https://smba.example/' },
      });
      await repo.saveThread('NS-2026-0060', {
        platform: 'slack',
        agencyId: 'trust',
        reference: { channel: 'C1', ts: '1.2' },
      });
      await repo.saveThread('NS-2026-0060', {
        platform: 'slack',
        agencyId: 'trust',
        reference: { channel: 'C1', ts: '3.4' },
      });
      const threads = await repo.getThreads('NS-2026-0060');
      expect(threads.sort((a, b) => a.platform.localeCompare(b.platform))).toEqual([
        { platform: 'slack', agencyId: 'trust', reference: { channel: 'C1', ts: '3.4' } },
        {
          platform: 'teams',
          agencyId: 'council',
          reference: { conversation: { id: '19:a@thread.tacv2' }, serviceUrl: 'https://smba.example/' },
        },
      ]);
    });

    test("a person's direct contact on each platform is kept, replaced and read back", async () => {
      expect(await repo.getContact('alex-morgan', 'teams')).toBeUndefined();
      await repo.saveContact({
        personId: 'alex-morgan',
        platform: 'teams',
        reference: { conversation: { id: 'a:1' }, serviceUrl: 'https://smba.example/' },
        updatedAt: '2026-11-20T10:00:00.000Z',
      });
      await repo.saveContact({
        personId: 'alex-morgan',
        platform: 'slack',
        reference: { channel: 'D1' },
        updatedAt: '2026-11-20T10:00:00.000Z',
      });
      await repo.saveContact({
        personId: 'alex-morgan',
        platform: 'teams',
        reference: { conversation: { id: 'a:2' }, serviceUrl: 'https://smba.example/' },
        updatedAt: '2026-11-21T10:00:00.000Z',
      });
      expect(await repo.getContact('alex-morgan', 'teams')).toEqual({
        personId: 'alex-morgan',
        platform: 'teams',
        reference: { conversation: { id: 'a:2' }, serviceUrl: 'https://smba.example/' },
        updatedAt: '2026-11-21T10:00:00.000Z',
      });
      expect(await repo.getContact('alex-morgan', 'slack')).toEqual({
        personId: 'alex-morgan',
        platform: 'slack',
        reference: { channel: 'D1' },
        updatedAt: '2026-11-20T10:00:00.000Z',
      });
      expect(await repo.getContact('sam-okafor', 'teams')).toBeUndefined();
      // Contacts are not cases.
      expect(await repo.allReferences()).not.toContain(expect.stringContaining('contact'));
    });

    test('a lease on a case is held by one sweeper at a time, renewed by its owner, and free once run out or given back', async () => {
      const m = raised(62);
      await repo.createCase({ state: m.state, events: m.events });
      const t = (min: number): string => new Date(Date.UTC(2026, 10, 23, 10, min)).toISOString();
      const racers = await Promise.all(['a', 'b', 'c', 'd'].map((o) => repo.claimLease('NS-2026-0062', o, t(1), t(0))));
      expect(racers.filter(Boolean)).toHaveLength(1);
      const owner = ['a', 'b', 'c', 'd'][racers.indexOf(true)] ?? '';
      const other = owner === 'a' ? 'b' : 'a';
      expect(await repo.claimLease('NS-2026-0062', other, t(2), t(0))).toBe(false);
      expect(await repo.claimLease('NS-2026-0062', owner, t(2), t(0))).toBe(true); // renewed
      expect(await repo.claimLease('NS-2026-0062', other, t(3), t(1))).toBe(false); // runs to t(2)
      expect(await repo.claimLease('NS-2026-0062', other, t(4), t(2))).toBe(true); // run out: taken over
      await repo.releaseLease('NS-2026-0062', owner); // not the owner any more: nothing happens
      expect(await repo.claimLease('NS-2026-0062', owner, t(5), t(3))).toBe(false);
      await repo.releaseLease('NS-2026-0062', other);
      expect(await repo.claimLease('NS-2026-0062', owner, t(5), t(3))).toBe(true);
      // Leases are not cases.
      expect(await repo.allReferences()).toEqual(expect.arrayContaining(['NS-2026-0062']));
      expect(await repo.allReferences()).not.toContain('lease');
    });

    test('a request is claimed once', async () => {
      expect(await repo.claimRequest('slack', 'X-1', '2026-11-20T10:00:00.000Z')).toBe(true);
      expect(await repo.claimRequest('slack', 'X-1', '2026-11-20T10:00:01.000Z')).toBe(false);
      expect(await repo.claimRequest('teams', 'X-1', '2026-11-20T10:00:02.000Z')).toBe(true);
      const racers = await Promise.all(
        Array.from({ length: 8 }, () => repo.claimRequest('slack', 'X-2', '2026-11-20T10:00:03.000Z')),
      );
      expect(racers.filter(Boolean)).toHaveLength(1);
    });

    test('personal details are kept sealed, apart from the case, and can be erased', async () => {
      const m = raised(61);
      await repo.createCase({ state: m.state, events: m.events });
      const vault = new PersonalDataVault(Buffer.alloc(32, 7));
      await repo.savePersonalDetails(
        'NS-2026-0061',
        vault.seal('NS-2026-0061', { name: 'Zebedee Quartermaine', dateOfBirth: '1941-02-03', address: '1 Sea View' }),
      );
      const sealed = await repo.readPersonalDetails('NS-2026-0061');
      expect(JSON.stringify(sealed)).not.toMatch(/Zebedee|Quartermaine|Sea View|1941/);
      expect(JSON.stringify(await repo.getCase('NS-2026-0061'))).not.toMatch(/Zebedee/);
      expect(sealed && vault.open('NS-2026-0061', sealed).name).toBe('Zebedee Quartermaine');
      expect(await repo.erasePersonalDetails('NS-2026-0061')).toBe(true);
      expect(await repo.readPersonalDetails('NS-2026-0061')).toBeUndefined();
      expect(await repo.erasePersonalDetails('NS-2026-0061')).toBe(false);
    });
  });

  describe('the hash chain', () => {
    async function threeEventCase(n: number): Promise<string> {
      const m = raised(n);
      await repo.createCase({ state: m.state, events: m.events });
      const acked = act(m.state, { type: 'acknowledge', actor: counterpart }, '2026-11-20T11:00:00Z');
      const noted = act(
        acked.state,
        { type: 'add-note', actor: worker, text: 'Spoke to the GP.' },
        '2026-11-20T12:00:00Z',
      );
      await repo.appendEvents({
        reference: m.state.reference,
        expectedVersion: 2,
        events: [...acked.events, ...noted.events],
        state: noted.state,
      });
      return m.state.reference;
    }

    test('an untouched timeline verifies', async () => {
      const ref = await threeEventCase(70);
      expect(await audit(repo, ref)).toBeUndefined();
      const events = await repo.getEvents(ref);
      expect(
        chainEvents(
          DEVELOPMENT_AUDIT_KEY,
          ref,
          0,
          GENESIS,
          events.map((e) => e.event),
        ).map((e) => e.hash),
      ).toEqual(events.map((e) => e.hash));
    });

    test('an edited event is found, by case and event', async () => {
      const ref = await threeEventCase(71);
      await target.tamper.rewriteEvent(ref, 4, (e) =>
        e.type === 'note-added' ? { ...e, text: 'Nothing was said.' } : e,
      );
      expect(await audit(repo, ref)).toEqual({
        reference: ref,
        seq: 4,
        kind: 'event-edited',
        problem: 'event 4 (note-added) has been changed since it was recorded',
      });
    });

    test('a removed event is found, in the middle or at the end', async () => {
      const middle = await threeEventCase(72);
      await target.tamper.removeEvent(middle, 2);
      expect(await audit(repo, middle)).toEqual(expect.objectContaining({ reference: middle, seq: 2 }));
      const end = await threeEventCase(73);
      await target.tamper.removeEvent(end, 4);
      expect(await audit(repo, end)).toEqual(expect.objectContaining({ reference: end, seq: 4 }));
    });
  });

  describe('the store-wide anchor', () => {
    const vault = new PersonalDataVault(Buffer.alloc(32, 3));
    const verify = (): ReturnType<typeof verifyStore> => verifyStore(repo, { key: DEVELOPMENT_AUDIT_KEY, vault });

    async function twoCases(): Promise<[string, string]> {
      const a = raised(110);
      const b = raised(111);
      await repo.createCase({ state: a.state, events: a.events, dueAt: nextTimerAt(a.state), idempotencyKey: 'k-110' });
      await repo.createCase({ state: b.state, events: b.events, dueAt: nextTimerAt(b.state) });
      const acked = act(a.state, { type: 'acknowledge', actor: counterpart }, '2026-11-20T11:00:00Z');
      await repo.appendEvents({
        reference: a.state.reference,
        expectedVersion: 2,
        events: acked.events,
        state: acked.state,
        dueAt: nextTimerAt(acked.state),
      });
      return [a.state.reference, b.state.reference];
    }

    test('every write appends one sealed checkpoint of the case head, chained to the one before; the count follows creates', async () => {
      const [a, b] = await twoCases();
      // A retried create and a refused append add nothing.
      const again = raised(110);
      await repo.createCase({ state: again.state, events: again.events, idempotencyKey: 'k-110' });
      await expectStoreError(
        repo.appendEvents({ reference: a, expectedVersion: 1, events: [], state: again.state }),
        'conflict',
      );
      const checkpoints = await repo.readCheckpoints();
      expect(checkpoints.map((c) => [c.seq, c.reference, c.version, c.cases])).toEqual([
        [1, a, 2, 1],
        [2, b, 2, 2],
        [3, a, 3, 2],
      ]);
      expect(checkpoints[1]?.prev).toBe(checkpoints[0]?.seal);
      expect(checkpoints[2]?.lastHash).toBe((await repo.getCase(a))?.lastHash);
      expect(checkpoints.every((c) => c.keyId === DEVELOPMENT_AUDIT_KEY.keyId)).toBe(true);
      const reading = checkAnchor(DEVELOPMENT_AUDIT_KEY, checkpoints);
      expect(reading.findings).toEqual([]);
      expect(reading.count).toBe(2);
      expect(await repo.anchorCase(a)).toBe(false);
      const report = await verify();
      expect(report.findings).toEqual([]);
      expect(report.warnings).toEqual([]);
      expect(report).toEqual(expect.objectContaining({ checked: 2, events: 5, checkpoints: 3 }));
      const other = await verifyStore(repo, { key: new AuditKey(Buffer.alloc(32, 9)), vault });
      expect(other.findings.map((f) => f.kind)).toContain('wrong-audit-key');
    });

    test('an edited checkpoint and a deleted case are named', async () => {
      const [a, b] = await twoCases();
      await target.tamper.editCheckpoint(2, (c) => ({ ...c, cases: 1 }));
      await target.tamper.deleteCase(a);
      const report = await verify();
      expect(report.findings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ reference: 'store', kind: 'anchor-broken' }),
          expect.objectContaining({ reference: a, kind: 'case-deleted' }),
          expect.objectContaining({ reference: 'store', kind: 'case-count-mismatch' }),
        ]),
      );
      // The case whose checkpoint was edited is no longer anchored by it.
      expect([...report.findings, ...report.warnings]).toContainEqual(
        expect.objectContaining({ reference: b, kind: 'not-anchored' }),
      );
    });
  });

  describe('bad stored data', () => {
    test('a malformed stored case gives a clear error naming it; other cases still read', async () => {
      const bad = raised(80);
      const good = raised(81);
      await repo.createCase({ state: bad.state, events: bad.events });
      await repo.createCase({ state: good.state, events: good.events });
      await target.tamper.corruptCase('NS-2026-0080');
      const error = await expectStoreError(repo.getCase('NS-2026-0080'), 'corrupt');
      expect(error.message).toMatch(/NS-2026-0080/);
      expect(error.reference).toBe('NS-2026-0080');
      expect((await repo.getCase('NS-2026-0081'))?.version).toBe(2);
      // Writing over a malformed case is refused rather than guessed at.
      const noted = act(bad.state, { type: 'add-note', actor: worker, text: 'x' }, '2026-11-20T11:00:00Z');
      await expectStoreError(
        repo.appendEvents({ reference: 'NS-2026-0080', expectedVersion: 2, events: noted.events, state: noted.state }),
        'corrupt',
      );
      expect((await repo.getEvents('NS-2026-0080')).length).toBe(2);
    });

    test('personal details sealed under another key are refused, not guessed at', async () => {
      const m = raised(82);
      await repo.createCase({ state: m.state, events: m.events });
      await repo.savePersonalDetails(
        'NS-2026-0082',
        new PersonalDataVault(Buffer.alloc(32, 1)).seal('NS-2026-0082', { name: 'Ada Other' }),
      );
      const sealed = await repo.readPersonalDetails('NS-2026-0082');
      if (!sealed) throw new Error('missing');
      expect(() => new PersonalDataVault(Buffer.alloc(32, 2)).open('NS-2026-0082', sealed)).toThrow(
        /sealed with another key/,
      );
      expect(() => new PersonalDataVault(Buffer.alloc(32, 1)).open('NS-2026-0099', sealed)).toThrow(
        /altered or belong to another case/,
      );
      expect(await repo.readPersonalDetails('NS-2026-0082')).toEqual(sealed);
    });
  });

  describe('after a restart', () => {
    test('another handle on the same store sees every case, event and sequence', async () => {
      const m = raised(90);
      await repo.createCase({ state: m.state, events: m.events, idempotencyKey: 'restart-key', dueAt: m.dueAt });
      await repo.nextSequence('camden', 2030);
      await repo.close();
      repo = await target.reopen();
      expect((await repo.getCase('NS-2026-0090'))?.state).toEqual(m.state);
      expect(await audit(repo, 'NS-2026-0090')).toBeUndefined();
      expect(await repo.nextSequence('camden', 2030)).toBe(2);
      const again = raised(91);
      expect(
        (await repo.createCase({ state: again.state, events: again.events, idempotencyKey: 'restart-key' })).case
          .reference,
      ).toBe('NS-2026-0090');
      expect((await repo.dueCases('2026-12-31T00:00:00.000Z', 5)).map((d) => d.reference)).toEqual(['NS-2026-0090']);
      if (target.readFromAnotherProcess) {
        expect(await target.readFromAnotherProcess('NS-2026-0090')).toEqual({ version: 2, events: 2, status: 'open' });
      }
    });
  });
}
