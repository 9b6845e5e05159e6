/**
 * Where group sync reads a group's members: a port per platform (Slack user groups, Microsoft
 * Entra ID groups), implemented in src/channels. A source answers with every member of the group
 * or throws: it never answers with part of a group (a page it could not read, a member it could
 * not look up), because a missing member would lose their role.
 */
import type { Agency, RoleGroup } from '../../domain/directory';
import type { GroupMember } from './groups-port';

export interface GroupSource {
  /**
   * Every member of `group` who may hold a role in `agency`: people of the agency's own workspace
   * or tenant, without bots, deactivated accounts, guests or people from other organisations.
   * Throws GroupFetchError (or any error) when it cannot say; stops when `signal` aborts.
   */
  members(agency: Agency, group: RoleGroup, signal: AbortSignal): Promise<GroupMember[]>;
}

/** Why a group could not be read, in words for the log (no token, no personal details). */
export class GroupFetchError extends Error {
  constructor(
    message: string,
    /** Worth trying again at the next sync (an outage, a rate limit) rather than a setting to fix. */
    readonly passing = true,
  ) {
    super(message);
    this.name = 'GroupFetchError';
  }
}

/** How group sync names a group as the source of a role (recorded with each change). */
export function groupSourceName(group: RoleGroup): string {
  if (group.slackUsergroup !== undefined) return `slack-usergroup:${group.slackUsergroup}`;
  if (group.entraGroup !== undefined) return `entra-group:${group.entraGroup}`;
  throw new Error(`the group for the role "${group.role}" names neither a Slack user group nor an Entra ID group`);
}

/** The platform whose source reads `group`. */
export function groupPlatform(group: RoleGroup): 'slack' | 'teams' {
  return group.slackUsergroup !== undefined ? 'slack' : 'teams';
}
