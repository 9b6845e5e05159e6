/**
 * What the bot still owes people, as an administrator sees it: `outbox`, `outbox --failed`,
 * `outbox retry`, run as a user runs them (`npm run --silent cli -- …`) on a store on disk, and
 * /healthz's outbox depth and age.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outboxId, type NewOutboxItem } from '../../src/app/store/outbox';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { startTestBot } from '../fakes/bot';
import { rawRequest } from '../fakes/raw-http';
import { runCli, type CliRun } from '../fakes/cli';

const dir = mkdtempSync(join(tmpdir(), 'outbox-cli-'));
const file = join(dir, 'escalations.sqlite');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: readonly string[]): CliRun => runCli(args, { DATA_DIR: dir });

const at = new Date(Date.now() - 90_000).toISOString();
function item(reference: string, kind: NewOutboxItem['kind'], recipient: string): NewOutboxItem {
  return {
    id: outboxId(reference, 3, kind, recipient),
    reference,
    kind,
    platform: 'teams',
    recipient,
    event: 3,
    dependsOn: [],
    payload: { text: 'LSAB escalation needs you. (words never shown by the CLI)' },
    createdAt: at,
    nextAttemptAt: at,
  };
}

test('outbox lists what is pending and what failed, without the words of any message; retry sends failed ones again', async () => {
  const repo = SqliteRepository.open(file);
  const failed = item('LI-2026-0001', 'tell', 'fiona-walsh');
  await repo.enqueue([failed, item('LI-2026-0001', 'update-cards', 'teams'), item('LI-2026-0002', 'tell', 'sam')]);
  await repo.claimOutbox('replica-a', new Date().toISOString(), new Date(Date.now() + 30_000).toISOString(), 1);
  await repo.setBackOutbox(failed.id, 'replica-a', { error: 'could not be reached' });
  await repo.close();

  const pending = cli(['outbox', '--db', file]);
  expect(pending.status).toBe(0);
  expect(pending.stdout).toMatch(/^2 pending, the oldest written \d+ s ago; 1 failed\./);
  expect(pending.stdout).toMatch(/LI-2026-0001:3:update-cards:teams\tpending\tteams\tupdate the case's cards/);
  expect(pending.stdout).toMatch(/LI-2026-0002:3:tell:sam\tpending\tteams\tmessage a person 1:1\tto sam/);
  expect(pending.stdout).not.toMatch(/fiona/);
  expect(pending.stdout).not.toMatch(/never shown/);

  const onlyFailed = cli(['outbox', '--failed', '--case', 'li-2026-0001', '--db', file]);
  expect(onlyFailed.status).toBe(0);
  expect(onlyFailed.stdout).toMatch(
    /LI-2026-0001:3:tell:fiona-walsh\tfailed\tteams\tmessage a person 1:1\tto fiona-walsh\tattempts 1 \(1 failed\)\tlast error: could not be reached/,
  );
  expect(onlyFailed.stdout).not.toMatch(/LI-2026-0002/);

  const badCase = cli(['outbox', '--case', 'nonsense', '--db', file]);
  expect(badCase.status).toBe(2);
  expect(badCase.stderr).toMatch(/--case must be a case reference such as NS-2026-0042/);

  const again = cli(['outbox', 'retry', '--case', 'LI-2026-0001', '--db', file]);
  expect(again.status).toBe(0);
  expect(again.stdout).toMatch(/1 failed item will be sent again/);
  const none = cli(['outbox', 'retry', '--db', file]);
  expect(none.stdout).toMatch(/No failed items matched/);

  const after = SqliteRepository.open(file);
  expect(await after.outboxStats()).toMatchObject({ pending: 3, failed: 0 });
  await after.close();
}, 120_000);

test('/healthz shows the outbox depth and the age of the oldest pending item', async () => {
  // Slack is down: what the raising owes stays pending (the answers still come from the store).
  const bot = await startTestBot({ env: { OUTBOX_RETRY_SECONDS: '60' } });
  try {
    bot.slackApi.outage = { status: 503, until: Date.now() + 60_000 };
    await bot.raiseOnSlack('V-HEALTH-1');
    const health = await rawRequest(`${bot.base}/healthz`);
    expect(health.status).toBe(200);
    const body = JSON.parse(health.text) as {
      outbox: { pending: number; failed: number; oldestPendingSeconds: number };
    };
    expect(body.outbox.pending).toBeGreaterThanOrEqual(2);
    expect(body.outbox.failed).toBe(0);
    expect(body.outbox.oldestPendingSeconds).toBeGreaterThanOrEqual(0);
    bot.slackApi.outage = undefined;
    await bot.app.repo.retryOutbox({}, new Date().toISOString());
  } finally {
    await bot.stop();
  }
});
