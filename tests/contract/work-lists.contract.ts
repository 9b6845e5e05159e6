/**
 * The lists of people's work, every store: the open cases of an agency (raising or responding)
 * and of a board, oldest first; a case that closes drops out.
 */
import type { CaseRepository } from '../../src/app/store/repository';
import { act, counterpart, raised, worker, CAMDEN } from './fixtures';
import type { ContractTarget } from './repository.contract';

export function workListsContract(target: Pick<ContractTarget, 'open'>): void {
  describe("an agency's and a board's open cases", () => {
    let repo: CaseRepository;

    beforeEach(async () => {
      repo = await target.open();
    });
    afterEach(async () => {
      await repo.close();
    });

    test('each agency finds the open cases it raised or answers, the board all its open ones; closed cases drop out', async () => {
      const made = [
        raised(60, '2026-10-01T10:00:00Z'),
        raised(61, '2026-11-01T10:00:00Z'),
        raised(2, '2026-11-05T10:00:00Z', CAMDEN, counterpart, 'zed'),
      ];
      for (const m of made) await repo.createCase({ state: m.state, events: m.events });
      const refs = (rows: Array<{ reference: string }>): string[] => rows.map((r) => r.reference);
      // North Somerset: the council raised them with the trust; Camden: the trust raised it with the council.
      expect(refs(await repo.openCasesOfAgency('council'))).toEqual(['NS-2026-0060', 'NS-2026-0061', 'CAM-2026-0002']);
      expect(refs(await repo.openCasesOfAgency('trust'))).toEqual(['NS-2026-0060', 'NS-2026-0061', 'CAM-2026-0002']);
      expect(await repo.openCasesOfAgency('police')).toEqual([]);
      expect(refs(await repo.openCasesOfBoard('north-somerset'))).toEqual(['NS-2026-0060', 'NS-2026-0061']);
      expect(refs(await repo.openCasesOfBoard('camden'))).toEqual(['CAM-2026-0002']);
      expect((await repo.openCasesOfBoard('north-somerset'))[0]).toEqual({
        reference: 'NS-2026-0060',
        boardId: 'north-somerset',
        status: 'open',
        raisedAt: '2026-10-01T10:00:00.000Z',
        version: 2,
      });
      const first = made[0] as (typeof made)[number];
      const gone = act(
        first.state,
        { type: 'withdraw', actor: worker, reason: 'resolved by phone' },
        '2026-10-02T10:00:00Z',
      );
      await repo.appendEvents({
        reference: 'NS-2026-0060',
        expectedVersion: 2,
        events: gone.events,
        state: gone.state,
      });
      expect(refs(await repo.openCasesOfAgency('council'))).toEqual(['NS-2026-0061', 'CAM-2026-0002']);
      expect(refs(await repo.openCasesOfAgency('trust'))).toEqual(['NS-2026-0061', 'CAM-2026-0002']);
      expect(refs(await repo.openCasesOfBoard('north-somerset'))).toEqual(['NS-2026-0061']);
    });
  });
}
