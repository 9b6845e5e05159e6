/**
 * The store failing while someone new is learned, or while a directory command changes
 * something: a plain "try again" answer, never a crash, and nothing half-remembered. The real
 * resolver and Slack lookup (WebClient against the fake Slack Web API), SQLite on disk.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { DirectoryCommands, STORE_BUSY } from '../../src/app/directory/commands';
import { NOT_REMEMBERED, PersonResolver } from '../../src/app/directory/identity';
import { LiveDirectory } from '../../src/app/directory/live';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import { slackUserLookup } from '../../src/channels/slack/identity';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { startFakeSlackApi } from '../fakes/slack-api';

test('the store gone: the newcomer and the administrator are told to try again; nobody is learned', async () => {
  const slackApi = await startFakeSlackApi();
  const repo = SqliteRepository.open(join(mkdtempSync(join(tmpdir(), 'down-')), 'escalations.sqlite'));
  try {
    const procedures = loadProcedures();
    const directory = loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, procedures);
    const clock = () => new Date('2026-11-23T10:00:00Z');
    const live = new LiveDirectory({ directory, store: repo, procedures, clock, report: () => undefined });
    await live.open(EXAMPLE_DIRECTORY_FILE);
    const reported: string[] = [];
    const resolver = new PersonResolver({
      live,
      slack: slackUserLookup(new WebClient('xoxb-test', { slackApiUrl: slackApi.url, retryConfig: { retries: 0 } })),
      security: () => Promise.resolve(),
      clock,
      report: (msg) => reported.push(msg),
    });
    const commands = new DirectoryCommands({ live, procedures, clock, security: () => Promise.resolve() });
    slackApi.addUser({ id: 'U0LDIO0042', teamId: 'T0LINCDIO', name: 'New Person', email: 'new@diocese.example.org' });
    const people = directory.people.length;
    await repo.close();
    expect(await resolver.slack('U0LDIO0042', 'T0LINCDIO')).toEqual({ refused: NOT_REMEMBERED });
    expect(directory.people).toHaveLength(people);
    expect(reported).toContain('Someone new could not be remembered in the directory');
    const catherine = live.person('catherine-doyle');
    expect(await commands.answer({ kind: 'away', text: 'away today' }, catherine, '')).toBe(STORE_BUSY);
    expect(live.person('catherine-doyle')?.away).toEqual([]);
  } finally {
    await slackApi.close();
  }
});
