/**
 * The directory: which agencies work under which boards, on which chat platform, where their
 * escalation threads go; and the people in them, the roles they hold and who deputises for them.
 */
import { z } from 'zod';
import { isLocalDate } from '../calendar/local-date';
import { slug } from '../procedure/schema';

const text = z.string({ error: 'must be some text' }).trim().min(1, { error: 'must not be empty' });
const date = z
  .string({ error: 'must be a date written YYYY-MM-DD' })
  .refine(isLocalDate, { error: 'must be a real date written YYYY-MM-DD, like "2026-12-29"' });

export const PLATFORMS = ['slack', 'teams'] as const;
export type Platform = (typeof PLATFORMS)[number];

/**
 * A role whose holders are the members of a group kept on the agency's platform: a Slack user
 * group (its id, "S…") or a Microsoft Entra ID group (its object id, a GUID). Exactly one of the
 * two; the directory check says so, and that it matches the agency's platform.
 */
export const roleGroupSchema = z.strictObject({
  role: slug,
  slackUsergroup: z
    .string({ error: 'must be a Slack user group id, like "S0123ABCD"' })
    .regex(/^S[A-Z0-9]{2,}$/, {
      error: 'must be a Slack user group id, like "S0123ABCD" (not its @handle or name)',
    })
    .optional(),
  entraGroup: z.uuid({ error: "must be the Microsoft Entra ID group's object id (a GUID)" }).optional(),
});

export const agencySchema = z.strictObject({
  id: slug,
  name: text,
  kind: z
    .enum([
      'local-authority',
      'nhs',
      'police',
      'probation',
      'housing',
      'fire-and-rescue',
      'prison',
      'voluntary',
      'faith',
      'commissioner',
      'safeguarding-adults-board',
      'other',
    ])
    .default('other'),
  boards: z.array(slug).min(1, { error: 'must name at least one board the agency works under' }),
  platform: z.enum(PLATFORMS, { error: 'must be "slack" or "teams"' }),
  slack: z
    .strictObject({
      teamId: z.string().regex(/^T[A-Z0-9]{2,}$/, { error: 'must be a Slack workspace id, like "T0123ABCD"' }),
      enterpriseId: z
        .string()
        .regex(/^E[A-Z0-9]{2,}$/)
        .optional(),
    })
    .optional(),
  teams: z
    .strictObject({
      tenantId: z.uuid({ error: 'must be the Microsoft Entra tenant id (a GUID)' }),
    })
    .optional(),
  threads: z
    .strictObject({
      mode: z.enum(['channel', 'group-chat', 'private-channel-per-case'], {
        error: 'must be "channel", "group-chat" or "private-channel-per-case"',
      }),
      teamsTeamId: z.string().optional(),
      teamsChannelId: z.string().optional(),
      slackChannelPrefix: z
        .string()
        .regex(/^[a-z0-9-]{1,20}$/)
        .optional(),
    })
    .optional(),
  commissionedBy: slug.optional(),
  /**
   * The agency's own on-call (out of hours) number, shown to its staff beside a board's contact
   * that is each agency's own ("Your agency's on-call manager"), and who answers it.
   */
  onCall: z
    .strictObject({
      phone: z
        .string({ error: 'must be a telephone number, like "01632 960123"' })
        .trim()
        .regex(/^\+?\d[\d ()-]{4,22}\d$/, {
          error: 'must be a telephone number in digits, spaces and brackets, like "01632 960123"',
        }),
      name: text.optional(),
    })
    .optional(),
  /** What this agency calls each role, e.g. its Senior Liaison Officer's job title. */
  roleTitles: z.record(slug, text).default({}),
  /** Roles whose holders come from a Slack user group or an Entra ID group (synced by the bot). */
  roleGroups: z.array(roleGroupSchema).default([]),
  example: z.boolean().default(false),
});

export const personSchema = z.strictObject({
  id: slug,
  name: text,
  example: z.boolean().default(false),
  email: z.email({ error: 'must be an email address' }),
  slackUserId: z
    .string()
    .regex(/^[UW][A-Z0-9]{2,}$/, { error: 'must be a Slack user id, like "U0123ABCD"' })
    .optional(),
  teamsAadObjectId: z.uuid({ error: "must be the person's Microsoft Entra object id (a GUID)" }).optional(),
  agency: slug,
  /**
   * The roles the person holds: any the procedures of their agency's boards declare, and
   * `directory-admin`, who may name the agency's role holders in chat (`assign <role> to <person>`,
   * `remove <role> from <person>`); a `directory-admin` in a board's own agency (kind
   * safeguarding-adults-board) names the holders of the board's roles, for the board's agencies.
   */
  roles: z.array(slug).min(1, { error: 'must name at least one role' }),
  jobTitle: text.optional(),
  deputy: slug.optional(),
  away: z.array(z.strictObject({ from: date, to: date })).default([]),
  /**
   * The role the bot gave them itself when it learned them from their chat platform (their
   * agency's practitioner role): with it they raise cases and act on the cases they take part in,
   * but it opens no other case of their agency. A role an administrator, a group or a file gives
   * is never this (and giving this same role so clears it).
   */
  learnedRole: slug.optional(),
});

export const directorySchema = z.strictObject({
  description: text.optional(),
  agencies: z.array(agencySchema).min(1, { error: 'must list at least one agency' }),
  people: z.array(personSchema).default([]),
});

export type Directory = z.output<typeof directorySchema>;
export type Agency = Directory['agencies'][number];
export type Person = Directory['people'][number];
export type RoleGroup = Agency['roleGroups'][number];
