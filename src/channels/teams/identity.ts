/**
 * Who a Teams user is: in the directory by their Microsoft Entra object id, or, through the
 * resolver, learned from Teams (the conversation member lookup, TeamsInfo.getMember) when a
 * member of a registered tenant writes for the first time.
 */
import { TeamsInfo, type TurnContext } from 'botbuilder';
import type { TeamsMember } from '../../app/directory/identity';
import type { Directory, Person } from '../../domain/directory';

export { actorFor, NOT_IN_DIRECTORY } from '../../app/people';

export function personByAadId(directory: Directory, aadObjectId: string | undefined): Person | undefined {
  if (!aadObjectId) return undefined;
  const id = aadObjectId.toLowerCase();
  return directory.people.find((p) => p.teamsAadObjectId?.toLowerCase() === id);
}

/** The tenant an activity came from (the conversation's, else the channel data's). */
export function activityTenant(context: TurnContext): string | undefined {
  const { activity } = context;
  const fromConversation = activity.conversation?.tenantId;
  const fromChannel = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  const tenant = fromConversation ?? fromChannel;
  return typeof tenant === 'string' && tenant ? tenant : undefined;
}

/** Ask Teams who the sender of this turn is; undefined when Teams says there is no such member. */
export async function memberOf(context: TurnContext, signal: AbortSignal): Promise<TeamsMember | undefined> {
  const from = context.activity.from;
  const id = from?.id || from?.aadObjectId;
  if (!id) return undefined;
  let member;
  try {
    member = await TeamsInfo.getMember(context, id);
  } catch (error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    if (status === 404) return undefined;
    throw error;
  }
  if (signal.aborted) throw new Error('too late');
  const m = member as Partial<{
    aadObjectId: string;
    name: string;
    email: string;
    userPrincipalName: string;
    tenantId: string;
    userRole: string;
  }>;
  return {
    ...(m.aadObjectId ? { aadObjectId: m.aadObjectId } : {}),
    ...(m.name ? { name: m.name } : {}),
    ...(m.email ? { email: m.email } : {}),
    ...(m.userPrincipalName ? { userPrincipalName: m.userPrincipalName } : {}),
    ...(m.tenantId ? { tenantId: m.tenantId } : {}),
    ...(m.userRole ? { userRole: m.userRole } : {}),
  };
}
