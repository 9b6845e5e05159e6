/**
 * A replica running the deadline sweeper, for the crash test: the real sweeper, delivery worker,
 * SQLite store and Slack outlet (the Web API faked by the parent on loopback). The sweeper writes
 * what the timers owe to the outbox; the delivery worker sends it. The parent kills it with SIGKILL
 * at random moments and starts another. Its clock is a virtual one that runs at real speed from
 * an instant the parent gives (the same for every replica), so leases run out as they would.
 *
 * argv: <sqlite file> <Slack API URL> <virtual epoch ISO> <real epoch ms>
 */
import { WebClient } from '@slack/web-api';
import { Delivery } from '../../src/app/delivery';
import { loadProcedures } from '../../src/app/procedures';
import { simulationDirectory } from '../../src/app/simulate';
import { Sweeper } from '../../src/app/sweeper';
import { SlackOutlet } from '../../src/channels/slack/outlet';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';

const [file, apiUrl, virtualEpoch, realEpoch] = process.argv.slice(2);
const procedure = loadProcedures().get('lincolnshire');
if (!file || !apiUrl || !virtualEpoch || !realEpoch || !procedure)
  throw new Error('usage: sweeper-child <file> <api> <virtual epoch> <real epoch>');
const directory = simulationDirectory(procedure, 'slack');
const repo = SqliteRepository.open(file);
const clock = (): Date => new Date(new Date(virtualEpoch).getTime() + (Date.now() - Number(realEpoch)));
const client = new WebClient('xoxb-crash', { slackApiUrl: apiUrl, retryConfig: { retries: 0 } });
const owner = `replica-${process.pid}`;
// Each replica has its own name: a lease left by a killed one must run out before another takes over.
const delivery = new Delivery({ repo, directory, owner, leaseMs: 1500 });
delivery.register(new SlackOutlet({ client, repo, directory, clock, report: () => undefined }));
const sweeper = new Sweeper({ repo, directory, clock, owner, leaseMs: 1500, batch: 5 });

async function main(): Promise<void> {
  for (;;) {
    const result = await sweeper.tick();
    await delivery.drain();
    // Done once nothing is due and the outbox is empty (items a killed replica held wait for its lease).
    if (result.due === 0 && (await repo.outboxStats()).pending === 0) {
      process.stdout.write('IDLE\n');
      await repo.close();
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
void main();
