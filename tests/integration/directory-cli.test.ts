/**
 * `cli directory import <file>` and `cli directory export`, run as an administrator would (a
 * child process, SQLite on disk): an import is recorded and says who was added or changed (and
 * that nobody else is removed); an export is a directory file that `directory check` accepts and
 * that imports again as no change at all.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_DIRECTORY_FILE } from '../../src/app/procedures';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { runCli } from '../fakes/cli';

const dir = mkdtempSync(join(tmpdir(), 'directory-cli-'));
const env = { DATA_DIR: join(dir, 'data'), NODE_ENV: 'test' };

test('import, import again, import a changed file, export, check the export, import the export', async () => {
  const first = runCli(['directory', 'import', EXAMPLE_DIRECTORY_FILE], env);
  expect(first.stderr).toBe('');
  expect(first.status).toBe(0);
  expect(first.stdout).toMatch(/imported \(directory change 1, by cli\):\n {2}added 22: alex-morgan, priya-shah/);

  const again = runCli(['directory', 'import', EXAMPLE_DIRECTORY_FILE], env);
  expect(again.stdout).toMatch(/nothing to import - all 22 people are already in the store/);

  const changed = join(dir, 'changed.yaml');
  writeFileSync(
    changed,
    readFileSync(EXAMPLE_DIRECTORY_FILE, 'utf8')
      .replace('jobTitle: Independent Chair', 'jobTitle: Independent Chair of the Board')
      .concat(
        '\n  - id: zara-new\n    name: Zara New\n    example: true\n    email: zara.new@diocese.lincoln.example.org\n    slackUserId: U0LDIO0050\n    agency: diocese-of-lincoln\n    roles: [practitioner]\n',
      ),
  );
  const third = runCli(['directory', 'import', changed, '--by', 'business-unit'], env);
  expect(third.status).toBe(0);
  expect(third.stdout).toMatch(/imported \(directory change 2, by business-unit\):/);
  expect(third.stdout).toMatch(/added 1: zara-new/);
  expect(third.stdout).toMatch(/changed 1: margaret-finch/);
  expect(third.stdout).toMatch(/unchanged 21/);

  const out = join(dir, 'export.yaml');
  const exported = runCli(['directory', 'export', '--out', out], env);
  expect(exported.status).toBe(0);
  expect(exported.stderr).toMatch(/22 agencies, 23 people/);
  const text = readFileSync(out, 'utf8');
  expect(text).toMatch(/jobTitle: Independent Chair of the Board/);
  expect(text).toMatch(/id: zara-new/);
  expect(text).toMatch(/directory-admin/);

  const checked = runCli(['directory', 'check', out], env);
  expect(checked.stdout).toMatch(/ok - 22 agencies, 23 people/);
  expect(runCli(['directory', 'import', out], env).stdout).toMatch(/nothing to import - all 23 people/);

  const repo = SqliteRepository.open(join(env.DATA_DIR, 'escalations.sqlite'));
  try {
    const log = await repo.directoryChanges(0);
    expect(log.map((e) => [e.seq, e.by, e.change.kind])).toEqual([
      [1, 'cli', 'imported'],
      [2, 'business-unit', 'imported'],
    ]);
  } finally {
    await repo.close();
  }
});

test('a file with problems is refused with them, and nothing is recorded', () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, readFileSync(EXAMPLE_DIRECTORY_FILE, 'utf8').replace('roles: [practitioner]', 'roles: [wizard]'));
  const run = runCli(['directory', 'import', bad], { ...env, DATA_DIR: join(dir, 'other') });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/holds the role "wizard"/);
});
