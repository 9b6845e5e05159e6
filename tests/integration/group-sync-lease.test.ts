/**
 * Group sync's lease (one replica reads the role groups) on each real store: two SQLite
 * connections to one file, and two Cosmos clients to one Cosmos-protocol server. Its name,
 * `group-sync`, sits among the sweeper's case leases and must not be taken for a case.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GROUP_SYNC_LEASE, GroupSync } from '../../src/app/directory/group-sync';
import type { GroupMember, GroupRoleSync } from '../../src/app/directory/groups-port';
import type { CaseRepository } from '../../src/app/store/repository';
import { loadDirectoryFile, EXAMPLE_DIRECTORY_FILE, loadProcedures } from '../../src/app/procedures';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { cosmosServer } from '../fakes/cosmos-server';

const directory = loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, loadProcedures());
directory.agencies
  .find((a) => a.id === 'diocese-of-lincoln')
  ?.roleGroups.push({ role: 'line-manager', slackUsergroup: 'S0LINCDLM' });

function replica(repo: CaseRepository, owner: string, reads: string[]): GroupSync {
  const sink: GroupRoleSync = { syncRoleFromGroup: () => Promise.resolve({ added: [], removed: [] }) };
  return new GroupSync({
    directory,
    sink,
    sources: {
      slack: {
        members: (): Promise<GroupMember[]> => {
          reads.push(owner);
          return Promise.resolve([]);
        },
      },
    },
    clock: () => new Date(),
    report: () => undefined,
    lease: {
      claim: (until, now) => repo.claimLease(GROUP_SYNC_LEASE, owner, until.toISOString(), now.toISOString()),
      release: () => repo.releaseLease(GROUP_SYNC_LEASE, owner),
    },
  });
}

async function scenario(open: () => Promise<CaseRepository>): Promise<void> {
  const [one, two] = [await open(), await open()];
  const reads: string[] = [];
  const a = replica(one, 'replica-one', reads);
  const b = replica(two, 'replica-two', reads);
  try {
    await a.runOnce();
    await b.runOnce(); // the round is replica-one's
    await a.runOnce(); // renewed by its holder
    expect(reads).toEqual(['replica-one', 'replica-one']);
    await a.stop(); // given back
    await b.runOnce();
    expect(reads).toEqual(['replica-one', 'replica-one', 'replica-two']);
    // Not a case: the store lists none.
    expect(await two.allReferences()).toEqual([]);
  } finally {
    await b.stop();
    await Promise.all([one.close(), two.close()]);
  }
}

test('one SQLite file: one replica reads the groups until it stops', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'group-lease-')), 'cases.sqlite');
  await scenario(() => Promise.resolve(SqliteRepository.open(file)));
});

describe('one Cosmos DB (protocol server)', () => {
  const server = cosmosServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  test('one replica reads the groups until it stops', async () => {
    await scenario(() => server.open('group-lease'));
  });
});
