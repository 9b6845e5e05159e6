/**
 * A Slack user group's members, for group sync: `usergroups.users.list` with the workspace's bot
 * token (scope usergroups:read), then `users.info` of each member (users:read, users:read.email)
 * for their name and work email. Bots, deactivated accounts, guests and people from another
 * organisation (Slack Connect) are left out. Any call that fails fails the whole read: a group is
 * answered whole or not at all.
 */
import type { Agency, RoleGroup } from '../../domain/directory';
import type { GroupMember } from '../../app/directory/groups-port';
import { GroupFetchError, type GroupSource } from '../../app/directory/group-sources';
import { boundedFetch, jsonOf } from '../group-fetch';

export interface SlackUserGroupsOptions {
  /** Slack's Web API base address (SLACK_API_URL), ending in /api/. */
  apiUrl?: string;
  /** The bot token for the agency's workspace, if the bot has one. */
  tokenFor: (agency: Agency) => string | undefined | Promise<string | undefined>;
  /** Each call's limit (default 10 seconds). */
  timeoutMs?: number;
  /** How many users.info calls at once (default 4; Slack allows about 100 a minute). */
  concurrency?: number;
}

/** What users.info says about a user, as far as group sync reads it. */
export interface SlackUser {
  id?: unknown;
  team_id?: unknown;
  deleted?: unknown;
  is_bot?: unknown;
  is_app_user?: unknown;
  is_restricted?: unknown;
  is_ultra_restricted?: unknown;
  is_stranger?: unknown;
  real_name?: unknown;
  name?: unknown;
  enterprise_user?: { enterprise_id?: unknown };
  profile?: { email?: unknown; real_name?: unknown; display_name?: unknown };
}

/** Why a member of a group holds no role from it, or the member as group sync hands them on. */
export type SlackMemberVerdict = { member: GroupMember } | { skipped: 'bot' | 'deactivated' | 'guest' | 'external' };

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** Whether `user` may hold a role in `agency` from a group, and as whom. */
export function slackMemberOf(agency: Agency, userId: string, user: SlackUser): SlackMemberVerdict {
  if (user.is_bot === true || user.is_app_user === true || userId === 'USLACKBOT') return { skipped: 'bot' };
  if (user.deleted === true) return { skipped: 'deactivated' };
  if (user.is_restricted === true || user.is_ultra_restricted === true) return { skipped: 'guest' };
  const home = text(user.team_id);
  const enterprise = text(user.enterprise_user?.enterprise_id);
  const ours =
    home === agency.slack?.teamId ||
    (agency.slack?.enterpriseId !== undefined && enterprise === agency.slack.enterpriseId);
  if (user.is_stranger === true || !ours) return { skipped: 'external' };
  const name = text(user.real_name) ?? text(user.profile?.real_name) ?? text(user.profile?.display_name);
  const email = text(user.profile?.email);
  return {
    member: { platform: 'slack', userId, ...(email ? { email: email.toLowerCase() } : {}), ...(name ? { name } : {}) },
  };
}

/** Slack errors that mean a setting is wrong (worth saying as such), not an outage. */
const SETTING_ERRORS = new Set([
  'no_such_subteam',
  'subteam_not_found',
  'missing_scope',
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'team_access_not_granted',
  'not_allowed_token_type',
]);

export class SlackUserGroups implements GroupSource {
  private readonly apiUrl: string;
  private readonly timeoutMs: number;
  private readonly concurrency: number;

  constructor(private readonly options: SlackUserGroupsOptions) {
    const base = options.apiUrl ?? 'https://slack.com/api/';
    this.apiUrl = base.endsWith('/') ? base : `${base}/`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
  }

  async members(agency: Agency, group: RoleGroup, signal: AbortSignal): Promise<GroupMember[]> {
    const usergroup = group.slackUsergroup;
    if (usergroup === undefined) throw new GroupFetchError('not a Slack user group', false);
    if (agency.platform !== 'slack' || !agency.slack)
      throw new GroupFetchError(`${agency.name} does not work in Slack`, false);
    const token = await this.options.tokenFor(agency);
    if (!token)
      throw new GroupFetchError(
        `the bot has no Slack token for ${agency.name}'s workspace (${agency.slack.teamId}): install the app there`,
        false,
      );
    const list = await this.call('usergroups.users.list', { usergroup }, token, signal);
    const users = list.users;
    if (!Array.isArray(users) || !users.every((u): u is string => typeof u === 'string' && /^[UW][A-Z0-9]+$/.test(u)))
      throw new GroupFetchError('usergroups.users.list: answered without a list of user ids');
    const ids = [...new Set(users)];
    const verdicts = await this.lookUp(agency, ids, token, signal);
    return verdicts.flatMap((v) => ('member' in v ? [v.member] : []));
  }

  /** users.info of each id, a few at a time; a user Slack no longer knows holds nothing. */
  private async lookUp(
    agency: Agency,
    ids: readonly string[],
    token: string,
    signal: AbortSignal,
  ): Promise<SlackMemberVerdict[]> {
    const verdicts: SlackMemberVerdict[] = new Array<SlackMemberVerdict>(ids.length);
    let next = 0;
    // One failure fails the read: the other workers stop asking.
    let failed = false;
    const worker = async (): Promise<void> => {
      while (next < ids.length && !failed) {
        const i = next++;
        const id = ids[i] as string;
        const info = await this.call('users.info', { user: id }, token, signal, ['user_not_found']).catch(
          (error: unknown) => {
            failed = true;
            throw error;
          },
        );
        verdicts[i] =
          info.ok === true && typeof info.user === 'object' && info.user !== null
            ? slackMemberOf(agency, id, info.user)
            : { skipped: 'deactivated' };
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, ids.length) }, worker));
    return verdicts;
  }

  /** One Web API call; its answer when ok (or when its error is one of `tolerated`), else a GroupFetchError. */
  private async call(
    method: string,
    args: Record<string, string>,
    token: string,
    signal: AbortSignal,
    tolerated: readonly string[] = [],
  ): Promise<Record<string, unknown>> {
    signal.throwIfAborted();
    const res = await boundedFetch(
      `Slack ${method}`,
      `${this.apiUrl}${method}`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        },
        body: new URLSearchParams(args).toString(),
      },
      signal,
      this.timeoutMs,
    );
    if (res.status === 429) {
      await res.body?.cancel();
      throw new GroupFetchError(`Slack ${method}: Slack asked the bot to slow down (rate limited)`);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new GroupFetchError(`Slack ${method}: answered ${res.status}`);
    }
    const body = await jsonOf(`Slack ${method}`, res);
    if (body.ok === true) return body;
    const error = typeof body.error === 'string' ? body.error.slice(0, 80) : 'no reason given';
    if (tolerated.includes(error)) return body;
    throw new GroupFetchError(`Slack ${method}: Slack said "${error}"`, !SETTING_ERRORS.has(error));
  }
}
