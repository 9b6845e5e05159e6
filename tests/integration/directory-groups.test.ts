/**
 * Roles from a group (the entry point group sync calls): members are given the role, members not
 * known yet are learned into the agency, and a member who leaves loses the role only where the
 * group gave it; recorded in the directory's history in SQLite on disk.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersonResolver } from '../../src/app/directory/identity';
import { LiveDirectory } from '../../src/app/directory/live';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';

const procedures = loadProcedures();
const at = new Date('2026-11-23T10:00:00Z');

test('a group gives its role, learns new members, and takes away only what it gave', async () => {
  const repo = SqliteRepository.open(join(mkdtempSync(join(tmpdir(), 'groups-')), 'escalations.sqlite'));
  try {
    const directory = loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, procedures);
    const live = new LiveDirectory({ directory, store: repo, procedures, clock: () => at, report: () => undefined });
    await live.open(EXAMPLE_DIRECTORY_FILE);
    new PersonResolver({ live, security: () => Promise.resolve(), clock: () => at, report: () => undefined });
    const source = 'slack-usergroup:S0MANAGERS';

    const first = await live.syncRoleFromGroup(
      'diocese-of-lincoln',
      'line-manager',
      [
        { platform: 'slack', userId: 'U0LDIO0001' },
        { platform: 'slack', userId: 'U0LDIO0002' },
        { platform: 'slack', userId: 'U0NEW0001', email: 'new.member@diocese.lincoln.example.org', name: 'New Member' },
        // Not the agency's: left alone.
        { platform: 'slack', userId: 'U0LHWL0001' },
      ],
      source,
      at,
    );
    expect(first.added.sort()).toEqual(['helen-marsh', 'new-member-u0new0001', 'peter-lawson']);
    expect(first.removed).toEqual([]);
    expect(live.person('peter-lawson')?.roles).toEqual(['practitioner', 'line-manager']);
    expect(live.person('new-member-u0new0001')).toEqual(
      expect.objectContaining({
        agency: 'diocese-of-lincoln',
        roles: ['practitioner', 'line-manager'],
        slackUserId: 'U0NEW0001',
      }),
    );
    expect(live.person('megan-hart')?.roles).toEqual(['practitioner']);
    // The same members again: nothing to do.
    expect(
      await live.syncRoleFromGroup(
        'diocese-of-lincoln',
        'line-manager',
        [
          { platform: 'slack', userId: 'U0LDIO0001' },
          { platform: 'slack', userId: 'U0LDIO0002' },
          { platform: 'slack', userId: 'U0NEW0001' },
        ],
        source,
        at,
      ),
    ).toEqual({ added: [], removed: [] });

    // Peter and Helen leave the group: Peter loses the role; Helen keeps hers (the file gave it).
    const second = await live.syncRoleFromGroup(
      'diocese-of-lincoln',
      'line-manager',
      [{ platform: 'slack', userId: 'U0NEW0001' }],
      source,
      at,
    );
    expect(second.removed.sort()).toEqual(['helen-marsh', 'peter-lawson']);
    expect(live.person('peter-lawson')?.roles).toEqual(['practitioner']);
    expect(live.person('helen-marsh')?.roles).toEqual(['line-manager']);
    const log = await repo.directoryChanges(0);
    expect(log.filter((e) => e.by === `group:${source}`).map((e) => e.change.kind)).toEqual([
      'role-assigned',
      'role-assigned',
      'person-learned',
      'role-assigned',
      'role-removed',
      'role-removed',
    ]);
    await expect(live.syncRoleFromGroup('diocese-of-lincoln', 'wizard', [], source, at)).rejects.toThrow(/wizard/);
  } finally {
    await repo.close();
  }
});
