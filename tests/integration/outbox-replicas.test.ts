/**
 * Two replicas' delivery workers (the real Delivery, different owners) on one store at once: two
 * SQLite connections to one file, and two Cosmos clients to one Cosmos-protocol server. 200
 * items across 40 cases, claimed in small batches by both as fast as they can: every item is
 * delivered exactly once, none is left pending, and 1:1 messages to one person and lines in one
 * thread arrive in the order they were owed even when the two replicas share a case's items.
 * The outlet only records (what is under test is the claim protocol), taking a few
 * milliseconds per call so the two interleave.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Delivery, type Outlet, type Reached } from '../../src/app/delivery';
import type { Notice } from '../../src/app/notify';
import { simulationDirectory } from '../../src/app/simulate';
import { outboxId, type NewOutboxItem } from '../../src/app/store/outbox';
import type { CaseRepository, StoredCase, ThreadReference } from '../../src/app/store/repository';
import { cosmosServer } from '../fakes/cosmos-server';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { NS, raised } from '../contract/fixtures';

jest.setTimeout(300_000);

const directory = simulationDirectory(NS);
const CASES = 40;
/** A lease (OUTBOX_LEASE_SECONDS) longer than the work takes: an item held by the other replica is waited for, not its lease. */
const LEASE_MS = 60_000;

interface Delivered {
  key: string;
  conversation: string;
  by: string;
}

/** What reached the platform, in the order it arrived (one list for both replicas): by item id, a card update by its case. */
class Recording implements Outlet {
  readonly platform = 'teams' as const;
  constructor(
    private readonly by: string,
    private readonly delivered: Delivered[],
  ) {}
  private async pause(): Promise<void> {
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 4)));
  }
  openThread(): Promise<Record<string, unknown>> {
    return Promise.reject(new Error('not owed here'));
  }
  async updateThreads(stored: StoredCase): Promise<void> {
    await this.pause();
    this.delivered.push({ key: `${stored.reference}:cards`, conversation: `${stored.reference}|cards`, by: this.by });
  }
  updateMessage(): Promise<void> {
    return Promise.reject(new Error('not owed here'));
  }
  async tell(notice: Notice, stored: StoredCase): Promise<Reached> {
    await this.pause();
    const conversation = `${stored.reference}|${notice.person.id}`;
    this.delivered.push({ key: notice.key ?? '', conversation, by: this.by });
    return { channel: conversation };
  }
  async say(stored: StoredCase, _threads: readonly ThreadReference[], _text: string, key?: string): Promise<void> {
    await this.pause();
    this.delivered.push({ key: key ?? '', conversation: `${stored.reference}|thread`, by: this.by });
  }
}

/** Five items a case: two DMs to one person, two lines in its thread, its cards brought up to date. */
function owed(reference: string, i: number): NewOutboxItem[] {
  const at = (n: number): string => new Date(Date.UTC(2026, 10, 20, 10, 0, 0, i * 10 + n)).toISOString();
  const item = (kind: NewOutboxItem['kind'], recipient: string, event: number, payload = {}): NewOutboxItem => ({
    id: outboxId(reference, event, kind, recipient),
    reference,
    kind,
    platform: 'teams',
    recipient,
    event,
    dependsOn: [],
    payload,
    createdAt: at(event),
    nextAttemptAt: at(event),
  });
  return [
    item('tell', 'b-practitioner', 2, { text: 'You are named as the counterpart.', verbs: [] }),
    item('say', 'teams', 3, { text: 'A first line.' }),
    item('tell', 'b-practitioner', 4, { text: 'The stage moved on.', verbs: [] }),
    item('say', 'teams', 5, { text: 'A second line.' }),
    item('update-cards', 'teams', 5),
  ];
}

async function scenario(open: () => Promise<CaseRepository>): Promise<void> {
  const [setup, one, two] = [await open(), await open(), await open()];
  const expected: string[] = [];
  const owedOrder = new Map<string, string[]>();
  const all: NewOutboxItem[] = [];
  for (let i = 0; i < CASES; i++) {
    const made = raised(i + 1);
    const reference = made.state.reference;
    await setup.createCase({ state: made.state, events: made.events });
    await setup.saveThread(reference, {
      platform: 'teams',
      agencyId: 'agency-a',
      reference: { conversation: `c${i}` },
    });
    const items = owed(reference, i);
    all.push(...items);
    for (const it of items) {
      expected.push(it.kind === 'update-cards' ? `${reference}:cards` : it.id);
      if (it.kind === 'update-cards') continue;
      const conversation = `${reference}|${it.kind === 'tell' ? it.recipient : 'thread'}`;
      owedOrder.set(conversation, [...(owedOrder.get(conversation) ?? []), it.id]);
    }
  }
  // Enqueued in a shuffled order, in chunks, as changes to many cases would write them.
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [all[i], all[j]] = [all[j] as NewOutboxItem, all[i] as NewOutboxItem];
  }
  for (let i = 0; i < all.length; i += 25) await setup.enqueue(all.slice(i, i + 25));
  expect((await setup.outboxStats()).pending).toBe(CASES * 5);

  const delivered: Delivered[] = [];
  const outlets = [new Recording('replica-one', delivered), new Recording('replica-two', delivered)];
  const workers = [one, two].map((repo, n) => {
    const delivery = new Delivery({
      repo,
      directory,
      owner: `replica-${n === 0 ? 'one' : 'two'}`,
      leaseMs: LEASE_MS,
      batch: 7,
      concurrency: 4,
    });
    delivery.register(outlets[n] as Recording);
    return delivery;
  });
  const deadline = Date.now() + 240_000;
  const work = async (delivery: Delivery, repo: CaseRepository): Promise<void> => {
    while ((await repo.outboxStats()).pending > 0 && Date.now() < deadline) {
      if ((await delivery.tick()) === 0) await new Promise((r) => setTimeout(r, 20));
    }
  };
  const started = Date.now();
  await Promise.all([work(workers[0] as Delivery, one), work(workers[1] as Delivery, two)]);
  const took = Date.now() - started;

  // Exactly once each: the platform saw every item once, and nothing else.
  expect(delivered.map((d) => d.key).sort()).toEqual(expected.sort());
  expect(await setup.outboxStats()).toEqual({ pending: 0, failed: 0 });
  const items = await setup.listOutbox({ limit: 10_000 });
  expect(items.filter((i) => i.status !== 'done')).toEqual([]);
  expect(items).toHaveLength(CASES * 5);
  // Both replicas did some of it: the two really shared the work.
  for (const by of ['replica-one', 'replica-two'])
    expect(delivered.filter((d) => d.by === by).length).toBeGreaterThan(0);
  // Into each conversation, in the order owed.
  const arrived = new Map<string, string[]>();
  for (const d of delivered) arrived.set(d.conversation, [...(arrived.get(d.conversation) ?? []), d.key]);
  for (const [conversation, ids] of owedOrder)
    expect({ conversation, ids: arrived.get(conversation) }).toEqual({ conversation, ids });
  // A DM or line behind one the other replica was sending went once that one was sent, not
  // when the other's lease would have run out.
  expect(took).toBeLessThan(LEASE_MS / 2);
  await Promise.all([setup.close(), one.close(), two.close()]);
}

test('two replicas, one SQLite file: 200 items across 40 cases, each delivered once, none left', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'two-replicas-')), 'cases.sqlite');
  await scenario(() => Promise.resolve(SqliteRepository.open(file)));
});

describe('two replicas, one Cosmos DB (protocol server)', () => {
  const server = cosmosServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  test('200 items across 40 cases, each delivered once, none left', async () => {
    await scenario(() => server.open('replicas'));
  });
});
