/**
 * The delivery worker works through a backlog a batch at a time and gives the event loop a turn
 * between batches, even when every item ends without any I/O (here: for a platform this replica
 * has not set up), so requests are answered meanwhile. The real Delivery on SQLite on disk.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Delivery } from '../../src/app/delivery';
import { simulationDirectory } from '../../src/app/simulate';
import { outboxId, type NewOutboxItem } from '../../src/app/store/outbox';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { NS, raised } from '../contract/fixtures';

test('a backlog of 300 items, 50 a batch: other work runs between the batches', async () => {
  const repo = SqliteRepository.open(join(mkdtempSync(join(tmpdir(), 'delivery-yields-')), 'cases.sqlite'));
  const made = raised(1);
  const reference = made.state.reference;
  await repo.createCase({ state: made.state, events: made.events });
  const at = new Date(Date.now() - 60_000).toISOString();
  const items: NewOutboxItem[] = Array.from({ length: 300 }, (_, i) => ({
    id: outboxId(reference, 2, 'tell', `person-${i}`),
    reference,
    kind: 'tell',
    platform: 'slack',
    recipient: `person-${i}`,
    event: 2,
    dependsOn: [],
    payload: { text: 'A reminder.' },
    createdAt: at,
    nextAttemptAt: at,
  }));
  await repo.enqueue(items);
  const attempted = (): number =>
    (repo.connection.prepare('SELECT count(*) AS n FROM outbox WHERE attempts > 0').get() as { n: number }).n;
  // No Slack outlet in this replica: each item is set back at once, without waiting on anything.
  const delivery = new Delivery({ repo, directory: simulationDirectory(NS), owner: 'test', batch: 50 });
  const seen: number[] = [];
  delivery.start();
  try {
    for (let turn = 0; turn < 10_000 && attempted() < items.length; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      seen.push(attempted());
    }
    expect(attempted()).toBe(items.length);
    // Between batches, this code ran with part of the backlog done: the worker did not take it all in one block.
    expect(seen.some((n) => n > 0 && n < items.length)).toBe(true);
  } finally {
    await delivery.stop();
    await repo.close();
  }
});
