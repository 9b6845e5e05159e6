/**
 * restateStore's order and bounds (the store contract covers the writes themselves): open cases
 * before closed ones, closed ones too (their state can differ), a pause after each batch, and a
 * stop half-way that leaves every case as it was or up to date, for the next start to finish.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyStore } from '../../src/app/audit-verify';
import { restateStore } from '../../src/app/restate';
import { DEVELOPMENT_AUDIT_KEY } from '../../src/app/store/chain';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import type { CaseRepository, Restate } from '../../src/app/store/repository';
import type { CaseState } from '../../src/domain/escalation';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { act, raised, worker } from '../contract/fixtures';

const key = DEVELOPMENT_AUDIT_KEY;
const vault = new PersonalDataVault(Buffer.alloc(32, 5));
const oldFold = (state: CaseState): CaseState => ({
  ...state,
  stages: state.stages.map(({ enteredBy: _gone, ...stage }) => stage),
});

let dir = '';
let repo: CaseRepository;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'restate-'));
  repo = SqliteRepository.open(join(dir, 'escalations.sqlite'));
});
afterEach(async () => {
  await repo.close();
  rmSync(dir, { recursive: true, force: true });
});

async function oldOpenCase(sequence: number): Promise<string> {
  const made = raised(sequence);
  await repo.createCase({ state: oldFold(made.state), events: made.events, dueAt: '2026-11-23T17:00:00.000Z' });
  return made.state.reference;
}

test('open cases are brought up to date first; a withdrawn (closed) case is too', async () => {
  const made = raised(150);
  const withdrawn = act(
    made.state,
    { type: 'withdraw', actor: worker, reason: 'Resolved by phone.' },
    '2026-11-21T09:00:00Z',
  );
  await repo.createCase({ state: oldFold(withdrawn.state), events: [...made.events, ...withdrawn.events] });
  const open = await oldOpenCase(151);
  const order: string[] = [];
  const recording = new Proxy(repo, {
    get(obj, prop, receiver) {
      if (prop === 'restateCase')
        return (input: Restate) => {
          order.push(input.reference);
          return obj.restateCase(input);
        };
      const value: unknown = Reflect.get(obj, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(obj) : value;
    },
  });
  expect(await repo.allReferences()).toEqual(['NS-2026-0150', open]);
  const report = await restateStore(recording, { key });
  expect(order).toEqual([open, 'NS-2026-0150']);
  expect(report).toEqual({ checked: 2, restated: 2, raced: 0, refused: [], failed: [] });
  const closed = await repo.getCase('NS-2026-0150');
  expect(closed?.state.status).toBe('withdrawn');
  expect(closed?.state.stages[0]?.enteredBy).toBe('raising');
  expect((await verifyStore(repo, { key, vault })).findings).toEqual([]);
});

test('work pauses after each batch; a stop half-way leaves the rest stale, not wrong, and the next run finishes', async () => {
  const refs = [await oldOpenCase(160), await oldOpenCase(161), await oldOpenCase(162)];
  const stop = new AbortController();
  let pauses = 0;
  const first = await restateStore(repo, {
    key,
    batchSize: 2,
    signal: stop.signal,
    pause: () => {
      pauses++;
      stop.abort();
      return Promise.resolve();
    },
  });
  expect(pauses).toBe(1);
  expect(first).toEqual({ checked: 2, restated: 2, raced: 0, refused: [], failed: [] });
  const between = (await verifyStore(repo, { key, vault })).findings;
  // Only the case not reached yet differs, and only as an older release stored it.
  expect(new Set(between.map((f) => f.reference))).toEqual(new Set([refs[2]]));
  expect(between.map((f) => f.kind).sort()).toEqual(['record-mismatch', 'state-mismatch']);
  const second = await restateStore(repo, { key });
  expect(second).toEqual({ checked: 3, restated: 1, raced: 0, refused: [], failed: [] });
  expect((await verifyStore(repo, { key, vault })).findings).toEqual([]);
});
