/**
 * Each person's own card of a case, every store: kept per case, platform and person, replaced with
 * the copies it retired, read back.
 */
import type { CaseRepository } from '../../src/app/store/repository';
import { raised } from './fixtures';
import type { ContractTarget } from './repository.contract';

export function personalCardsContract(target: Pick<ContractTarget, 'open'>): void {
  describe("each person's own card of a case", () => {
    let repo: CaseRepository;

    beforeEach(async () => {
      repo = await target.open();
    });
    afterEach(async () => {
      await repo.close();
    });

    test("each person's own card of a case is kept per platform, replaced with its retired copies, and read back", async () => {
      const m = raised(61);
      await repo.createCase({ state: m.state, events: m.events });
      expect(await repo.getPersonalCards('NS-2026-0061')).toEqual([]);
      await repo.savePersonalCard('NS-2026-0061', {
        platform: 'slack',
        personId: 'chris-bennett',
        message: { channel: 'D1', ts: '1.1' },
        retired: [],
        updatedAt: '2026-12-01T10:00:00.000Z',
      });
      await repo.savePersonalCard('NS-2026-0061', {
        platform: 'teams',
        personId: 'alex-morgan',
        message: { activityId: 'a1', conversation: { id: 'a:1' } },
        retired: [],
        updatedAt: '2026-12-01T10:00:00.000Z',
      });
      await repo.savePersonalCard('NS-2026-0061', {
        platform: 'slack',
        personId: 'chris-bennett',
        message: { channel: 'D1', ts: '2.2' },
        retired: [{ channel: 'D1', ts: '1.1' }],
        updatedAt: '2026-12-02T10:00:00.000Z',
      });
      expect(await repo.getPersonalCards('NS-2026-0061')).toEqual([
        {
          platform: 'slack',
          personId: 'chris-bennett',
          message: { channel: 'D1', ts: '2.2' },
          retired: [{ channel: 'D1', ts: '1.1' }],
          updatedAt: '2026-12-02T10:00:00.000Z',
        },
        {
          platform: 'teams',
          personId: 'alex-morgan',
          message: { activityId: 'a1', conversation: { id: 'a:1' } },
          retired: [],
          updatedAt: '2026-12-01T10:00:00.000Z',
        },
      ]);
      // Another case's cards are its own.
      expect(await repo.getPersonalCards('NS-2026-0060')).toEqual([]);
    });
  });
}
