/**
 * Who a chat user is: the one resolver every Slack and Teams path asks. A person already in the
 * directory is known at once; anyone else is looked up on their platform (an outside call, with
 * a time limit) and, when they are a full member of a registered workspace or tenant, learned as
 * a practitioner of that agency, or matched by their work email to the person they already are
 * on the other platform. Bots, deactivated accounts, guests and external accounts, and users of
 * a workspace or tenant no agency registered are refused in plain words and in the security log.
 */
import type { Agency, Person } from '../../domain/directory';
import { NOT_IN_DIRECTORY } from '../people';
import { learnedPersonId, personSchema } from '../../domain/directory';
import type { SecurityEvent } from '../store/repository';
import type { LiveDirectory } from './live';
import type { GroupMember } from './groups-port';

/** What Slack's users.info says of a user (only what the bot uses). */
export interface SlackUser {
  id: string;
  /** The user's home workspace. */
  teamId?: string;
  enterpriseId?: string;
  name: string;
  /** Only when the profile gives it. */
  email?: string;
  isBot: boolean;
  deleted: boolean;
  /** A guest (single- or multi-channel). */
  guest: boolean;
}

/** What Teams says of a conversation member (TeamsInfo.getMember). */
export interface TeamsMember {
  aadObjectId?: string;
  name?: string;
  email?: string;
  userPrincipalName?: string;
  tenantId?: string;
  userRole?: string;
}

/** Looking a user up on Slack: undefined when Slack has no such user. */
export interface SlackUserLookup {
  userInfo(userId: string, signal: AbortSignal): Promise<SlackUser | undefined>;
}

export type Resolved = { person: Person } | { refused: string };

export const CHECK_FAILED = {
  slack: 'The bot could not check who you are with Slack just now; try again in a minute.',
  teams: 'The bot could not check who you are with Teams just now; try again in a minute.',
} as const;

export const REFUSED = {
  /** The platform does not know them (or says nothing of them). */
  unknown: NOT_IN_DIRECTORY,
  bot: 'The bot answers people, not other apps or bots.',
  deleted: 'This account is deactivated, so the bot cannot take it as a member of staff.',
  guest:
    "The bot works with staff of the agencies only, and this is a guest or external account. Ask your agency's safeguarding lead if you should have a full account.",
  unregistered:
    "Your Slack workspace is not registered with the escalation bot, so it cannot tell which agency you work for. Ask your agency's safeguarding lead or the board's business unit to register it.",
  unregisteredTeams:
    "Your organisation's Microsoft Teams is not registered with the escalation bot, so it cannot tell which agency you work for. Ask your agency's safeguarding lead or the board's business unit to register it.",
  tenantMismatch:
    'This message came from a different organisation than your account belongs to, so the bot cannot take it. Use the bot from your own organisation.',
  noEmail:
    'The bot could not read your work email address from Slack, which it needs to know you. Ask whoever runs your Slack workspace to let the app read email addresses.',
  noEmailTeams:
    'The bot could not read your work email address from Microsoft Teams, which it needs to know you. Ask your IT service desk to check your account has one.',
  otherAgency:
    "Your work email address belongs to someone of another agency in the bot, so it cannot take you as a member of this agency. Ask the board's business unit to check.",
  emailTaken:
    "Your work email address is already linked to another account of yours on this platform, so the bot cannot link this one too. Use that account, or ask the board's business unit to check.",
  unreadable:
    'Your account does not give a name and work email address in a form the bot can keep. Ask your IT service desk to check your profile.',
  noRole:
    "Your agency's board procedures name no role for raising a case, so the bot cannot add you. Ask the board's business unit to check the procedure.",
} as const;

export const NOT_REMEMBERED = 'The bot could not note who you are just now (its store is busy); try again in a minute.';

export interface ResolverDeps {
  live: LiveDirectory;
  slack?: SlackUserLookup;
  security: (event: SecurityEvent) => Promise<void>;
  clock: () => Date;
  /** How long a platform lookup may take (2.5 seconds unless given: Slack wants an answer within 3). */
  timeoutMs?: number;
  report: (msg: string, fields: Record<string, unknown>) => void;
}

/** The member of a Teams conversation, asked of Teams by the channel (bounded by `signal`). */
export type TeamsMemberFetch = (signal: AbortSignal) => Promise<TeamsMember | undefined>;

export class PersonResolver {
  constructor(private readonly deps: ResolverDeps) {
    deps.live.learnMember = (agencyId, member, source) => this.learnMember(agencyId, member, source);
  }

  /** Slack lookups through this port from now on (the Slack adapter gives its client once it has one). */
  useSlack(lookup: SlackUserLookup): void {
    this.deps.slack = lookup;
  }

  /** Who the Slack user `userId` is; `claimedTeam` is the workspace the request came from, if given. */
  async slack(userId: string | undefined, claimedTeam?: string): Promise<Resolved> {
    if (!userId) return { refused: REFUSED.unknown };
    const { live } = this.deps;
    const known = live.bySlack(userId) ?? ((await this.refreshed()) ? live.bySlack(userId) : undefined);
    if (known) return { person: known };
    if (!this.deps.slack) return { refused: REFUSED.unknown };
    let user: SlackUser | undefined;
    try {
      user = await this.bounded((signal) => this.deps.slack!.userInfo(userId, signal));
    } catch (error) {
      this.deps.report('Slack could not say who a user is', { error: errorText(error) });
      return { refused: CHECK_FAILED.slack };
    }
    if (!user) return this.refuse('unknown', 'slack', 'not-found');
    if (user.isBot) return this.refuse('bot', 'slack', 'bot');
    if (user.deleted) return this.refuse('deleted', 'slack', 'deactivated');
    if (user.guest) return this.refuse('guest', 'slack', 'guest');
    const agencies = live.directory.agencies.filter(
      (a) =>
        (user.teamId !== undefined && a.slack?.teamId === user.teamId) ||
        (user.enterpriseId !== undefined && a.slack?.enterpriseId === user.enterpriseId),
    );
    // A user whose home workspace is registered to no agency is an external (Slack Connect) account here.
    if (!agencies.length)
      return this.refuse(claimedTeam && claimedTeam !== user.teamId ? 'guest' : 'unregistered', 'slack', 'workspace');
    // By the user's own workspace: another workspace of the same Enterprise Grid is not the agency's.
    const agency = agencies.find((a) => a.slack?.teamId === user.teamId);
    if (!agency) return this.refuse('unregistered', 'slack', 'workspace');
    if (!user.email) return this.refuse('noEmail', 'slack', 'no-email', agency.id);
    return this.learn(agency, { platform: 'slack', userId, name: user.name, email: user.email }, 'platform');
  }

  /**
   * Who the Teams user with Entra object id `aadObjectId` is, the activity having come from
   * `activityTenant`; `fetch` asks Teams for the member when they are not known yet.
   */
  async teams(
    aadObjectId: string | undefined,
    activityTenant: string | undefined,
    fetch: TeamsMemberFetch,
  ): Promise<Resolved> {
    if (!aadObjectId) return { refused: REFUSED.unknown };
    const { live } = this.deps;
    const known = live.byAad(aadObjectId) ?? ((await this.refreshed()) ? live.byAad(aadObjectId) : undefined);
    if (known) {
      const agency = live.directory.agencies.find((a) => a.id === known.agency);
      // Someone known, writing from another organisation's tenant than their agency's.
      if (activityTenant && agency?.teams?.tenantId && !sameId(agency.teams.tenantId, activityTenant))
        return this.refuse('tenantMismatch', 'teams', 'tenant', agency.id, known.id);
      return { person: known };
    }
    let member: TeamsMember | undefined;
    try {
      member = await this.bounded(fetch);
    } catch (error) {
      this.deps.report('Teams could not say who a user is', { error: errorText(error) });
      return { refused: CHECK_FAILED.teams };
    }
    if (!member) return this.refuse('unknown', 'teams', 'not-found');
    if (member.aadObjectId && !sameId(member.aadObjectId, aadObjectId))
      return this.refuse('tenantMismatch', 'teams', 'object-id');
    const upn = member.userPrincipalName ?? '';
    if ((member.userRole ?? '').toLowerCase() === 'guest' || /#ext#/i.test(upn) || /#ext#/i.test(member.email ?? ''))
      return this.refuse('guest', 'teams', 'guest');
    const tenant = member.tenantId ?? activityTenant;
    if (!tenant) return this.refuse('unregisteredTeams', 'teams', 'no-tenant');
    if (activityTenant && member.tenantId && !sameId(activityTenant, member.tenantId))
      return this.refuse('tenantMismatch', 'teams', 'tenant');
    const agency = live.directory.agencies.find((a) => a.teams?.tenantId && sameId(a.teams.tenantId, tenant));
    if (!agency) return this.refuse('unregisteredTeams', 'teams', 'tenant');
    const email = member.email ?? (upn.includes('@') ? upn : undefined);
    if (!email) return this.refuse('noEmailTeams', 'teams', 'no-email', agency.id);
    return this.learn(
      agency,
      { platform: 'teams', userId: aadObjectId, name: member.name ?? email, email },
      'platform',
    );
  }

  /** A group member the directory does not know yet (group sync), learned into `agencyId`. */
  private async learnMember(agencyId: string, member: GroupMember, source: string): Promise<Person | undefined> {
    const agency = this.deps.live.directory.agencies.find((a) => a.id === agencyId);
    if (!agency || !member.email) return undefined;
    const result = await this.learn(
      agency,
      { platform: member.platform, userId: member.userId, name: member.name ?? member.email, email: member.email },
      source,
    );
    return 'person' in result ? result.person : undefined;
  }

  /** Match by work email in the same agency, or learn a new person with the agency's practitioner role. */
  private async learn(
    agency: Agency,
    who: { platform: 'slack' | 'teams'; userId: string; name: string; email: string },
    via: string,
  ): Promise<Resolved> {
    try {
      return await this.learnOrMatch(agency, who, via);
    } catch (error) {
      // The store could not take it: nothing is half-remembered, and they may simply try again.
      this.deps.report('Someone new could not be remembered in the directory', { error: errorText(error) });
      return { refused: NOT_REMEMBERED };
    }
  }

  private async learnOrMatch(
    agency: Agency,
    who: { platform: 'slack' | 'teams'; userId: string; name: string; email: string },
    via: string,
  ): Promise<Resolved> {
    const { live } = this.deps;
    const idField = who.platform === 'slack' ? 'slackUserId' : 'teamsAadObjectId';
    const byEmail = live.byEmail(who.email);
    const elsewhere = byEmail.find((p) => p.agency !== agency.id);
    if (elsewhere) return this.refuse('otherAgency', who.platform, 'email-other-agency', agency.id, elsewhere.id);
    const same = byEmail.find((p) => p.agency === agency.id);
    if (same) {
      if (same[idField] && same[idField]?.toLowerCase() !== who.userId.toLowerCase())
        // The email is someone's who already has another account on this platform.
        return this.refuse('emailTaken', who.platform, 'email-taken', agency.id, same.id);
      await live.record(same.id, {
        kind: 'person-updated',
        personId: same.id,
        before: same[idField] ? { [idField]: same[idField] } : {},
        after: { [idField]: who.userId },
        why: `matched by work email on ${who.platform === 'slack' ? 'Slack' : 'Teams'}`,
      });
      return { person: live.person(same.id) ?? same };
    }
    const role = live.practitionerRole(agency.id);
    if (!role) return this.refuse('noRole', who.platform, 'no-role', agency.id);
    const person: Person = {
      id: learnedPersonId(who.name, who.platform, who.userId),
      name: plainName(who.name) || who.email,
      email: who.email,
      agency: agency.id,
      roles: [role],
      learnedRole: role,
      away: [],
      example: false,
      [idField]: who.userId,
    };
    // What the platform gave must be a person the directory file could hold (so an export checks).
    if (!personSchema.safeParse(person).success)
      return this.refuse('unreadable', who.platform, 'unreadable', agency.id);
    await live.record(via === 'platform' ? person.id : via, {
      kind: 'person-learned',
      person,
      platform: who.platform,
      via,
    });
    return { person: live.person(person.id) ?? person };
  }

  private async refreshed(): Promise<boolean> {
    try {
      return (await this.deps.live.refresh()) > 0;
    } catch (error) {
      this.deps.report('The directory could not be read from the store', { error: errorText(error) });
      return false;
    }
  }

  private async refuse(
    why: keyof typeof REFUSED,
    platform: 'slack' | 'teams',
    action: string,
    agencyId?: string,
    personId?: string,
  ): Promise<Resolved> {
    await this.deps
      .security({
        at: this.deps.clock().toISOString(),
        kind: 'identity-refused',
        action,
        platform,
        ...(agencyId ? { agencyId } : {}),
        ...(personId ? { personId } : {}),
      })
      .catch((error: unknown) => this.deps.report('A refusal could not be logged', { error: errorText(error) }));
    return { refused: REFUSED[why] };
  }

  private async bounded<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const ms = this.deps.timeoutMs ?? 2500;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${ms} ms`));
      }, ms);
    });
    try {
      return await Promise.race([work(controller.signal), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A name as people chose it on their platform, made plain before it is kept and shown on cards:
 * no markup (links, emphasis, headings, mentions) and no control characters, at most 120 characters.
 */
export function plainName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/[[\]()<>*_~`#|\\{}]/g, ' ')
    .replace(/https?:\/\/\S*/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120);
}
