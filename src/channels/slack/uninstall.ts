/**
 * A workspace that uninstalls the app (app_uninstalled) or revokes its bot token (tokens_revoked):
 * its installation is removed from the store, and the log says so. Bolt does not authorize these
 * events (the token is already gone); they come signed (or down the socket) like any other.
 */
import type { App } from '@slack/bolt';
import type { SlackWorkspaces } from './workspaces';

export function registerUninstalls(
  app: App,
  workspaces: SlackWorkspaces | undefined,
  report: (message: string, fields: Record<string, unknown>) => void,
): void {
  const remove = async (body: Record<string, unknown>, why: string): Promise<void> => {
    const first = Array.isArray(body.authorizations)
      ? (body.authorizations[0] as { is_enterprise_install?: boolean } | undefined)
      : undefined;
    const ids = {
      ...(typeof body.team_id === 'string' ? { teamId: body.team_id } : {}),
      ...(typeof body.enterprise_id === 'string' ? { enterpriseId: body.enterprise_id } : {}),
      isEnterpriseInstall: first?.is_enterprise_install === true || body.is_enterprise_install === true,
    };
    if (!workspaces) {
      report(`Slack: ${why} (one workspace's token: remove SLACK_BOT_TOKEN if it is no longer valid)`, {
        team: ids.teamId,
      });
      return;
    }
    const removed = await workspaces.removeInstallation(ids);
    report(`Slack: ${why}; ${removed ? 'its installation is removed' : 'it had no installation kept'}`, {
      team: ids.teamId,
      enterprise: ids.enterpriseId,
    });
  };
  app.event('app_uninstalled', async ({ body }) => {
    await remove(body, 'the app was uninstalled from a workspace');
  });
  app.event('tokens_revoked', async ({ body, event }) => {
    // Only the bot's token matters: a user's token revoked leaves the installation as it was.
    if (!event.tokens.bot?.length) return;
    await remove(body, "a workspace revoked the bot's token");
  });
}
