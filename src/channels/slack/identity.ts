/** Who a Slack user is, asked of Slack (users.info with the bot token): the resolver's Slack port. */
import type { WebClient } from '@slack/web-api';
import type { SlackUser, SlackUserLookup } from '../../app/directory/identity';

interface UsersInfoUser {
  id?: string;
  team_id?: string;
  real_name?: string;
  name?: string;
  deleted?: boolean;
  is_bot?: boolean;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  is_stranger?: boolean;
  enterprise_user?: { enterprise_id?: string };
  profile?: { email?: string; real_name?: string; display_name?: string };
}

export function slackUserLookup(client: WebClient): SlackUserLookup {
  return {
    async userInfo(userId: string, signal: AbortSignal): Promise<SlackUser | undefined> {
      let answer;
      try {
        answer = await client.users.info({ user: userId });
      } catch (error) {
        // Slack's own "no such user" is an answer, not a failure.
        const code = (error as { data?: { error?: string } }).data?.error;
        if (code === 'user_not_found' || code === 'users_not_found') return undefined;
        throw error;
      }
      if (signal.aborted) throw new Error('too late');
      const u: UsersInfoUser | undefined = answer.user;
      if (!u?.id) return undefined;
      const email = u.profile?.email?.trim();
      return {
        id: u.id,
        ...(u.team_id ? { teamId: u.team_id } : {}),
        ...(u.enterprise_user?.enterprise_id ? { enterpriseId: u.enterprise_user.enterprise_id } : {}),
        name: (u.real_name ?? u.profile?.real_name ?? u.profile?.display_name ?? u.name ?? u.id).trim() || u.id,
        ...(email ? { email } : {}),
        isBot: Boolean(u.is_bot),
        deleted: Boolean(u.deleted),
        guest: Boolean(u.is_restricted || u.is_ultra_restricted || u.is_stranger),
      };
    },
  };
}
