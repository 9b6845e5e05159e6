/**
 * `cli personal keys` and `cli personal reseal`, run as a board administrator runs them, on a
 * SQLite file holding adults' details under an old key and the current one: the counts, the
 * records moved, a second run that finds none left, and the refusals (no current key set; a
 * record under a key the configuration does not hold).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import { InstallationSealer } from '../../src/app/store/slack-installations';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { raised } from '../contract/fixtures';
import { runCli } from '../fakes/cli';

const OLD = Buffer.alloc(32, 7);
const NEW = Buffer.alloc(32, 9);
const dir = mkdtempSync(join(tmpdir(), 'personal-cli-'));
const db = join(dir, 'escalations.sqlite');
const ref = (n: number): string => `NS-2026-${String(n).padStart(4, '0')}`;
const env = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'silent',
  PERSONAL_DATA_KEY: NEW.toString('base64'),
  PERSONAL_DATA_OLD_KEYS: ` ${Buffer.alloc(32, 3).toString('base64')}, ${OLD.toString('base64')} `,
};

beforeAll(async () => {
  const repo = SqliteRepository.open(db);
  try {
    for (let i = 1; i <= 5; i++) {
      const m = raised(i);
      await repo.createCase({ state: m.state, events: m.events });
      const vault = new PersonalDataVault(i <= 3 ? OLD : NEW);
      await repo.savePersonalDetails(ref(i), vault.seal(ref(i), { name: `Adult Number ${i}` }));
    }
    // A Slack workspace's installation (its token), sealed under the old key before the change.
    await repo.saveSlackInstallation({
      key: 'team:T0OLDKEY',
      teamId: 'T0OLDKEY',
      installedAt: '2026-01-05T09:00:00.000Z',
      updatedAt: '2026-01-05T09:00:00.000Z',
      sealed: new InstallationSealer(OLD).seal('team:T0OLDKEY', { bot: { token: 'xoxb-old-key-token' } }),
    });
  } finally {
    await repo.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const oldId = new PersonalDataVault(OLD).keyId;
const newId = new PersonalDataVault(NEW).keyId;

test('keys, then reseal in batches (the Slack installations too), then a second run finds none left; no name is printed', async () => {
  const keys = runCli(['personal', 'keys', '--db', db], env);
  expect(keys.stderr).toBe('');
  expect(keys.status).toBe(0);
  expect(keys.stdout).toContain(
    `2 cases' details under the current key (key ${newId}); 3 cases' details under other keys.`,
  );
  expect(keys.stdout).toContain(oldId);

  const first = runCli(['personal', 'reseal', '--db', db, '--batch', '2'], env);
  expect(first.status).toBe(0);
  expect(first.stdout).toContain(
    `Resealed 3 cases' details with the current key (key ${newId}); 2 cases' details already under it were left as they are.`,
  );
  expect(first.stdout).toContain('Resealed 1 Slack workspace installation.');
  expect(first.stdout).toContain('None is left under an old key.');
  expect(first.stdout + first.stderr).not.toMatch(/Adult Number|xoxb-old/);
  // The installation now opens under the new key alone, its token and first install date kept.
  const repo = SqliteRepository.open(db);
  try {
    const stored = await repo.getSlackInstallation('team:T0OLDKEY');
    expect(stored?.installedAt).toBe('2026-01-05T09:00:00.000Z');
    expect(new InstallationSealer(NEW).open('team:T0OLDKEY', stored!.sealed)).toEqual({
      bot: { token: 'xoxb-old-key-token' },
    });
  } finally {
    await repo.close();
  }

  const again = runCli(['personal', 'reseal', '--db', db], { ...env, PERSONAL_DATA_OLD_KEYS: '' });
  expect(again.status).toBe(0);
  expect(again.stdout).toContain("Resealed 0 cases' details");
  expect(again.stdout).toContain('None is left under an old key.');
});

test('a record under a key the configuration does not hold is named, left, and the run ends 1', async () => {
  const repo = SqliteRepository.open(db);
  try {
    const m = raised(6);
    await repo.createCase({ state: m.state, events: m.events });
    await repo.savePersonalDetails(ref(6), new PersonalDataVault(OLD).seal(ref(6), { name: 'Adult Number 6' }));
  } finally {
    await repo.close();
  }
  const run = runCli(['personal', 'reseal', '--db', db], { ...env, PERSONAL_DATA_OLD_KEYS: '' });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain(
    `${ref(6)}: sealed with key ${oldId}, which is neither PERSONAL_DATA_KEY nor in PERSONAL_DATA_OLD_KEYS`,
  );
  expect(run.stdout).toContain("1 case's details are still under other keys: keep PERSONAL_DATA_OLD_KEYS");
  // Without a current key, nothing is resealed (it would be the development key).
  const unset = runCli(['personal', 'reseal', '--db', db], { ...env, PERSONAL_DATA_KEY: '' });
  expect(unset.status).toBe(2);
  expect(unset.stderr).toContain('PERSONAL_DATA_KEY is not set');
});
