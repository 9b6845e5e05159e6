/**
 * The directory's history, every store: changes numbered 1, 2, 3… in the order taken, read back
 * after any number, the same from another handle (another replica), and none lost or doubled
 * when two handles append at once.
 */
import type { CaseRepository } from '../../src/app/store/repository';
import type { DirectoryChange } from '../../src/domain/directory';
import type { ContractTarget } from './repository.contract';

const learned = (id: string): DirectoryChange => ({
  kind: 'person-learned',
  platform: 'slack',
  via: 'platform',
  person: {
    id,
    name: `Person ${id}`,
    email: `${id}@example.org`,
    agency: 'council',
    roles: ['practitioner'],
    away: [],
    example: false,
    slackUserId: 'U0TEST1',
  },
});

export function directoryContract(target: Pick<ContractTarget, 'open' | 'reopen'>): void {
  describe("the directory's history", () => {
    let repo: CaseRepository;
    beforeEach(async () => {
      repo = await target.open();
    });
    afterEach(async () => {
      await repo.close();
    });

    test('changes are numbered in order and read back after any number, from another handle too', async () => {
      expect(await repo.directoryChanges(0)).toEqual([]);
      const a = await repo.appendDirectoryChange({ at: '2026-12-01T10:00:00.000Z', by: 'cli', change: learned('ann') });
      const b = await repo.appendDirectoryChange({
        at: '2026-12-01T10:01:00.000Z',
        by: 'ann',
        change: { kind: 'role-assigned', personId: 'ann', role: 'line-manager', source: 'ann' },
      });
      expect([a.seq, b.seq]).toEqual([1, 2]);
      const all = await repo.directoryChanges(0);
      expect(all.map((e) => e.seq)).toEqual([1, 2]);
      expect(all[0]).toEqual({ seq: 1, at: '2026-12-01T10:00:00.000Z', by: 'cli', change: learned('ann') });
      expect((await repo.directoryChanges(1)).map((e) => e.change.kind)).toEqual(['role-assigned']);
      expect(await repo.directoryChanges(2)).toEqual([]);
      expect((await repo.directoryChanges(0, 1)).map((e) => e.seq)).toEqual([1]);
      const other = await target.reopen();
      try {
        expect((await other.directoryChanges(0)).map((e) => e.seq)).toEqual([1, 2]);
        const c = await other.appendDirectoryChange({
          at: '2026-12-01T10:02:00.000Z',
          by: 'cli',
          change: learned('ben'),
        });
        expect(c.seq).toBe(3);
        expect((await repo.directoryChanges(2)).map((e) => e.seq)).toEqual([3]);
      } finally {
        await other.close();
      }
    });

    test('two handles appending at once: every change kept, numbered without gaps or repeats', async () => {
      const other = await target.reopen();
      try {
        const ids = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
        const made = await Promise.all(
          ids.map((id, i) =>
            (i % 2 ? other : repo).appendDirectoryChange({
              at: '2026-12-01T10:00:00.000Z',
              by: 'cli',
              change: learned(id),
            }),
          ),
        );
        expect(made.map((e) => e.seq).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
        const read = await repo.directoryChanges(0);
        expect(read.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
        expect(read.map((e) => (e.change.kind === 'person-learned' ? e.change.person.id : '')).sort()).toEqual(ids);
      } finally {
        await other.close();
      }
    });
  });
}
