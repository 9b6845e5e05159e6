/**
 * The retry budget (OUTBOX_ATTEMPTS) is spent on attempts that ended in an error, not on claims a
 * crash cut short: an item that lived through many restarts still gets every try for a real
 * outage. An item that stops the bot every time it is taken fails for good instead of stopping
 * every replica in turn for ever. The real Delivery on SQLite on disk; the outlet only records.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Delivery, type Outlet, type Reached } from '../../src/app/delivery';
import type { Notice } from '../../src/app/notify';
import { simulationDirectory } from '../../src/app/simulate';
import { outboxId, type NewOutboxItem } from '../../src/app/store/outbox';
import type { StoredCase } from '../../src/app/store/repository';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { NS, raised } from '../contract/fixtures';

const directory = simulationDirectory(NS);
const MAX = 3;

/** Fails the first `failing` 1:1 messages, then delivers. */
class Flaky implements Outlet {
  readonly platform = 'teams' as const;
  readonly told: string[] = [];
  calls = 0;
  constructor(private failing: number) {}
  openThread(): Promise<Record<string, unknown>> {
    return Promise.reject(new Error('not owed here'));
  }
  updateThreads(): Promise<void> {
    return Promise.resolve();
  }
  updateMessage(): Promise<void> {
    return Promise.resolve();
  }
  say(): Promise<void> {
    return Promise.resolve();
  }
  tell(notice: Notice, stored: StoredCase): Promise<Reached> {
    this.calls++;
    if (this.failing-- > 0) return Promise.reject(new Error('Teams answered 502'));
    this.told.push(`${stored.reference}:${notice.person.id}`);
    return Promise.resolve({ channel: 'chat-1' });
  }
}

async function setUp(): Promise<{ repo: SqliteRepository; item: NewOutboxItem; reference: string }> {
  const repo = SqliteRepository.open(join(mkdtempSync(join(tmpdir(), 'outbox-budget-')), 'cases.sqlite'));
  const made = raised(1);
  const reference = made.state.reference;
  await repo.createCase({ state: made.state, events: made.events });
  const at = new Date(Date.now() - 60_000).toISOString();
  const item: NewOutboxItem = {
    id: outboxId(reference, 2, 'tell', 'b-practitioner'),
    reference,
    kind: 'tell',
    platform: 'teams',
    recipient: 'b-practitioner',
    event: 2,
    dependsOn: [],
    payload: { text: 'You are named as the counterpart.', verbs: [] },
    createdAt: at,
    nextAttemptAt: at,
  };
  await repo.enqueue([item]);
  return { repo, item, reference };
}

/** Claims that never came back, as replicas killed while sending would leave them (each lease run out). */
async function crashes(repo: SqliteRepository, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const now = new Date(Date.now() + i).toISOString();
    const taken = await repo.claimOutbox(`killed-${i}`, now, now, 10);
    expect(taken).toHaveLength(1);
  }
}

function worker(repo: SqliteRepository, outlet: Outlet): Delivery {
  const delivery = new Delivery({
    repo,
    directory,
    owner: 'survivor',
    maxAttempts: MAX,
    baseDelayMs: 1,
    maxDelayMs: 5,
  });
  delivery.register(outlet);
  return delivery;
}

async function untilSettled(repo: SqliteRepository, delivery: Delivery): Promise<void> {
  for (let i = 0; i < 200 && (await repo.outboxStats()).pending > 0; i++) {
    await delivery.tick();
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('an item taken by eight replicas that were killed (more than its tries) still has every try: two errors, then it goes', async () => {
  const { repo, reference } = await setUp();
  await crashes(repo, 8);
  const outlet = new Flaky(MAX - 1);
  await untilSettled(repo, worker(repo, outlet));
  expect(outlet.told).toEqual([`${reference}:b-practitioner`]);
  const [item] = await repo.listOutbox();
  expect(item).toMatchObject({ status: 'done', attempts: 11, failures: MAX - 1 });
  await repo.close();
});

test('errors still end it after the last try, whatever crashes came before, and retry starts the count afresh', async () => {
  const { repo, item } = await setUp();
  await crashes(repo, 5);
  const outlet = new Flaky(100);
  const delivery = worker(repo, outlet);
  await untilSettled(repo, delivery);
  expect(outlet.calls).toBe(MAX);
  expect((await repo.listOutbox({ status: 'failed' })).map((i) => [i.id, i.failures, i.lastError])).toEqual([
    [item.id, MAX, 'Teams answered 502'],
  ]);
  expect(await repo.retryOutbox({ ids: [item.id] }, new Date().toISOString())).toBe(1);
  const [again] = await repo.listOutbox({ reference: item.reference, status: 'pending' });
  expect(again).toMatchObject({ attempts: 0, failures: 0 });
  await repo.close();
});

test('an item that stops the bot every time it is taken fails for good without another call, and says why', async () => {
  const { repo, item } = await setUp();
  await crashes(repo, 3 * MAX + 1);
  const outlet = new Flaky(0);
  const delivery = worker(repo, outlet);
  await untilSettled(repo, delivery);
  expect(outlet.calls).toBe(0);
  const [failed] = await repo.listOutbox({ status: 'failed' });
  expect(failed).toMatchObject({ id: item.id, lastError: `the bot stopped ${3 * MAX + 1} times while sending this` });
  expect(delivery.status.failed).toBe(1);
  await repo.close();
});
