/**
 * Slack installations, every store: kept per workspace (team or organisation), replaced on a
 * reinstall (keeping when it was first installed), listed without their sealed part, removed on
 * uninstall; sealed so that the token is not in the store and a record moved to another
 * workspace's key does not open.
 */
import { randomBytes } from 'node:crypto';
import type { CaseRepository } from '../../src/app/store/repository';
import { InstallationSealer, installationKey } from '../../src/app/store/slack-installations';
import type { ContractTarget } from './repository.contract';

const TOKEN = 'xoxb-1111-2222-contractsecrettoken';

export function slackInstallationsContract(target: Pick<ContractTarget, 'open' | 'reopen'>): void {
  describe('Slack installations', () => {
    let repo: CaseRepository;
    const sealer = new InstallationSealer(randomBytes(32));

    beforeEach(async () => {
      repo = await target.open();
    });
    afterEach(async () => {
      await repo.close();
    });

    test('kept per workspace, replaced on a reinstall, listed without tokens, removed on uninstall', async () => {
      const team = installationKey({ teamId: 'T0LINCDIO' });
      const org = installationKey({ enterpriseId: 'E0NHS', teamId: 'T0X', isEnterpriseInstall: true });
      expect([team, org]).toEqual(['team:T0LINCDIO', 'enterprise:E0NHS']);
      expect(await repo.getSlackInstallation(team)).toBeUndefined();
      await repo.saveSlackInstallation({
        key: team,
        teamId: 'T0LINCDIO',
        installedAt: '2026-12-01T10:00:00.000Z',
        updatedAt: '2026-12-01T10:00:00.000Z',
        sealed: sealer.seal(team, { bot: { token: TOKEN } }),
      });
      await repo.saveSlackInstallation({
        key: org,
        enterpriseId: 'E0NHS',
        installedAt: '2026-12-01T11:00:00.000Z',
        updatedAt: '2026-12-01T11:00:00.000Z',
        sealed: sealer.seal(org, { bot: { token: 'xoxb-org' } }),
      });
      // A reinstall replaces the tokens and keeps when it was first installed.
      await repo.saveSlackInstallation({
        key: team,
        teamId: 'T0LINCDIO',
        installedAt: '2026-12-02T09:00:00.000Z',
        updatedAt: '2026-12-02T09:00:00.000Z',
        sealed: sealer.seal(team, { bot: { token: `${TOKEN}-new` } }),
      });
      const again = await target.reopen();
      try {
        const stored = await again.getSlackInstallation(team);
        expect(stored).toMatchObject({
          key: team,
          teamId: 'T0LINCDIO',
          installedAt: '2026-12-01T10:00:00.000Z',
          updatedAt: '2026-12-02T09:00:00.000Z',
        });
        expect(JSON.stringify(stored)).not.toContain(TOKEN);
        expect(sealer.open(team, stored!.sealed)).toEqual({ bot: { token: `${TOKEN}-new` } });
        // Sealed to its workspace: under another workspace's key it does not open.
        expect(() => sealer.open(org, stored!.sealed)).toThrow(/cannot be opened/);
        // Under another configured key it says so.
        expect(() => new InstallationSealer(randomBytes(32)).open(team, stored!.sealed)).toThrow(/another key/);
        const listed = await again.listSlackInstallations();
        expect(listed.map((l) => l.key)).toEqual(['enterprise:E0NHS', 'team:T0LINCDIO']);
        expect(JSON.stringify(listed)).not.toContain('ciphertext');
        expect(listed[0]).toEqual({
          key: org,
          enterpriseId: 'E0NHS',
          installedAt: '2026-12-01T11:00:00.000Z',
          updatedAt: '2026-12-01T11:00:00.000Z',
        });
        expect(await again.deleteSlackInstallation(team)).toBe(true);
        expect(await again.deleteSlackInstallation(team)).toBe(false);
        expect(await again.getSlackInstallation(team)).toBeUndefined();
        expect((await again.listSlackInstallations()).map((l) => l.key)).toEqual(['enterprise:E0NHS']);
      } finally {
        await again.close();
      }
    });
  });
}
