/**
 * The bot after a change of PERSONAL_DATA_KEY: at start it says in its log how many adults'
 * details are still under an old key (and when none is, that the old keys can go), without
 * holding up the start.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resealPersonalDetails } from '../../src/app/personal-reseal';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { raised } from '../contract/fixtures';
import { startTestBot } from '../fakes/bot';
import { captureLogs } from '../fakes/leaks';

const OLD = Buffer.alloc(32, 7);
const NEW = Buffer.alloc(32, 9);

test('the start says how many are under an old key, and when none is', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keys-bot-'));
  const file = join(dataDir, 'escalations.sqlite');
  const seed = SqliteRepository.open(file);
  for (const n of [1, 2]) {
    const m = raised(n);
    await seed.createCase({ state: m.state, events: m.events });
    const reference = `NS-2026-000${n}`;
    await seed.savePersonalDetails(reference, new PersonalDataVault(OLD).seal(reference, { name: 'Someone' }));
  }
  await seed.close();
  const env = {
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    PERSONAL_DATA_KEY: NEW.toString('base64'),
    PERSONAL_DATA_OLD_KEYS: OLD.toString('base64'),
    // Slack off: a bot stopped at once would leave Bolt's first call to Slack to fail after the test.
    SLACK_SIGNING_SECRET: '',
    SLACK_BOT_TOKEN: '',
  };
  const first = captureLogs();
  const before = await startTestBot({ env, logDestination: first.destination });
  await before.stop();
  const warned = first.lines.map((l) => JSON.parse(l) as { msg: string; notUnder?: number });
  expect(warned).toContainEqual(
    expect.objectContaining({
      msg: "2 cases' details are under a key other than PERSONAL_DATA_KEY: run `cli personal reseal` to move them to it.",
      notUnder: 2,
    }),
  );
  expect(first.lines.join('\n')).not.toContain(OLD.toString('base64'));

  const repo = SqliteRepository.open(file);
  expect((await resealPersonalDetails(repo, new PersonalDataVault(NEW, [OLD]))).notUnder).toBe(0);
  await repo.close();
  const second = captureLogs();
  const after = await startTestBot({ env, logDestination: second.destination });
  await after.stop();
  expect(second.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain(
    'Every adult’s details are under PERSONAL_DATA_KEY: PERSONAL_DATA_OLD_KEYS is needed only while a key change is under way.',
  );
});
