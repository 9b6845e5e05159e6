/**
 * An Entra ID group's members, for group sync, from Microsoft Graph:
 * `GET /v1.0/groups/{id}/transitiveMembers/microsoft.graph.user` (people in nested groups too),
 * page after page by `@odata.nextLink`, with an app-only token for the agency's tenant
 * (application permissions GroupMember.Read.All and User.Read.All, consented in that tenant).
 * Guests (userType Guest, or a user principal name with #EXT#) and disabled accounts are left
 * out. A page that fails fails the whole read: a group is answered whole or not at all.
 */
import type { Agency, RoleGroup } from '../../domain/directory';
import type { GroupMember } from '../../app/directory/groups-port';
import { GroupFetchError, type GroupSource } from '../../app/directory/group-sources';
import { boundedFetch, jsonOf } from '../group-fetch';
import type { GraphTokens } from './graph-token';

export interface EntraGroupsOptions {
  /** Microsoft Graph's base address (GRAPH_API_URL), default https://graph.microsoft.com/. */
  graphUrl?: string;
  tokens: GraphTokens;
  /** Each call's limit (default 15 seconds). */
  timeoutMs?: number;
  /** The most pages read of one group (999 people each; default 100). */
  maxPages?: number;
}

/** A user as Graph gives them with the fields group sync selects. */
export interface GraphUser {
  id?: unknown;
  displayName?: unknown;
  mail?: unknown;
  userPrincipalName?: unknown;
  userType?: unknown;
  accountEnabled?: unknown;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const SELECT = 'id,displayName,mail,userPrincipalName,userType,accountEnabled';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A member of the tenant who may hold a role from a group, or undefined (a guest, disabled, no id). */
export function entraMemberOf(user: GraphUser): GroupMember | undefined {
  const id = text(user.id);
  if (!id || !GUID.test(id)) return undefined;
  const upn = text(user.userPrincipalName);
  if (user.userType === 'Guest' || upn?.includes('#EXT#')) return undefined;
  if (user.accountEnabled === false) return undefined;
  const email = text(user.mail) ?? (upn && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(upn) ? upn : undefined);
  const name = text(user.displayName);
  return {
    platform: 'teams',
    userId: id.toLowerCase(),
    ...(email ? { email: email.toLowerCase() } : {}),
    ...(name ? { name } : {}),
  };
}

export class EntraGroups implements GroupSource {
  private readonly graph: URL;

  constructor(private readonly options: EntraGroupsOptions) {
    const base = options.graphUrl ?? 'https://graph.microsoft.com/';
    this.graph = new URL(base.endsWith('/') ? base : `${base}/`);
  }

  async members(agency: Agency, group: RoleGroup, signal: AbortSignal): Promise<GroupMember[]> {
    const groupId = group.entraGroup;
    if (groupId === undefined) throw new GroupFetchError('not an Entra ID group', false);
    const tenantId = agency.teams?.tenantId;
    if (agency.platform !== 'teams' || !tenantId)
      throw new GroupFetchError(`${agency.name} does not work in Microsoft Teams`, false);
    // Written as Graph's documentation writes it ($ and commas as they are); ConsistencyLevel and
    // $count let the cast to users work on every kind of group.
    const first = new URL(
      `v1.0/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user?$select=${SELECT}&$top=999&$count=true`,
      this.graph,
    );
    const members = new Map<string, GroupMember>();
    let next: string | undefined = first.toString();
    const maxPages = this.options.maxPages ?? 100;
    for (let page = 1; next !== undefined; page++) {
      if (page > maxPages)
        throw new GroupFetchError(`the Entra ID group ${groupId} has more than ${maxPages} pages of members`, false);
      const body = await this.page(tenantId, groupId, next, signal);
      if (!Array.isArray(body.value))
        throw new GroupFetchError(`Microsoft Graph: a page of the group ${groupId} had no list of members`);
      for (const user of body.value as GraphUser[]) {
        const member = entraMemberOf(user);
        if (member) members.set(member.userId, member);
      }
      next = this.nextLink(body['@odata.nextLink']);
    }
    return [...members.values()];
  }

  /** The next page's address, only if it is on Graph itself (the token goes nowhere else). */
  private nextLink(link: unknown): string | undefined {
    if (link === undefined || link === null) return undefined;
    if (typeof link !== 'string') throw new GroupFetchError('Microsoft Graph: the next page was not an address');
    let url: URL;
    try {
      url = new URL(link);
    } catch {
      throw new GroupFetchError('Microsoft Graph: the next page was not an address');
    }
    if (url.origin !== this.graph.origin)
      throw new GroupFetchError(`Microsoft Graph: the next page pointed away from Graph (${url.origin})`);
    return url.toString();
  }

  private async page(
    tenantId: string,
    groupId: string,
    url: string,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const token = await this.options.tokens.token(tenantId, signal);
    const what = `Microsoft Graph (members of the group ${groupId})`;
    const res = await boundedFetch(
      what,
      url,
      { headers: { authorization: `Bearer ${token}`, consistencylevel: 'eventual', accept: 'application/json' } },
      signal,
      this.options.timeoutMs ?? 15_000,
    );
    if (res.ok) return jsonOf(what, res);
    await res.body?.cancel();
    if (res.status === 401) {
      this.options.tokens.forget(tenantId);
      throw new GroupFetchError(`${what}: the token was refused (401); a new one is asked for next time`);
    }
    if (res.status === 403)
      throw new GroupFetchError(
        `${what}: not allowed (403): an administrator of the tenant ${tenantId} must grant the bot's app GroupMember.Read.All and User.Read.All`,
        false,
      );
    if (res.status === 404)
      throw new GroupFetchError(`${what}: there is no such group in the tenant ${tenantId}`, false);
    throw new GroupFetchError(`${what}: answered ${res.status}`, res.status >= 500 || res.status === 429);
  }
}
