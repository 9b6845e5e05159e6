/**
 * The shape of a board's procedure file. One YAML file per board, written by people who run
 * the board, read by the bot. Field names follow ../shared/DOMAIN.md.
 */
import { z } from 'zod';
import { NATIONS } from '../calendar/holidays';
import { isLocalDate, WEEKDAY_NAMES } from '../calendar/local-date';

export const slug = z
  .string({ error: 'must be a short name in lower case, like "line-manager"' })
  .regex(/^[a-z0-9][a-z0-9-]*$/, {
    error: 'must be a short name in lower case letters, digits and hyphens, like "line-manager"',
  });

const text = z.string({ error: 'must be some text' }).trim().min(1, { error: 'must not be empty' });
const clock = z
  .string({ error: 'must be a time written HH:MM, like "09:00"' })
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a time written HH:MM on the 24-hour clock, like "17:00"' });

export const ROLE_SCOPES = ['agency', 'board'] as const;

export const roleSchema = z.strictObject({
  id: slug,
  title: text,
  scope: z.enum(ROLE_SCOPES, {
    error: 'must be "agency" (someone in each agency holds it) or "board" (held for the whole board)',
  }),
  description: text.optional(),
});

export const TIMESCALE_KINDS = ['start-by', 'conclude-by'] as const;
export const TIMESCALE_UNITS = [
  'working-days',
  'working-weeks',
  'calendar-days',
  'clock-hours',
  'day-number',
  'same-working-day',
  'without-delay',
] as const;
/** Units that are a moment, not a count: written with no amount. */
export const UNITS_WITHOUT_AMOUNT = ['same-working-day', 'without-delay'] as const;
/** How to write a limit on the same day, for messages about a zero or missing amount. */
export const SAME_DAY_HOW =
  'for "on the same working day" write "unit: same-working-day" with no amount (or "amount: 0" with "unit: working-days"); for "without delay" or "immediately" write "unit: without-delay"';
export const ANCHOR_WORDS = ['raised', 'stage-start'] as const;

const stageAnchor = z.strictObject({
  stage: slug,
  at: z.enum(['start', 'end'], { error: 'must be "start" or "end" (of that stage)' }),
});

/** A milestone of this stage recorded on the card ("outcome letter within a further 2 working days"). */
const milestoneAnchor = z.strictObject({ milestone: slug });

export const anchorSchema = z.union([z.enum(ANCHOR_WORDS), stageAnchor, milestoneAnchor], {
  error:
    'must be "raised" (when the concern arose), "stage-start" (when this stage began), { stage: <stage id>, at: start | end }, or { milestone: <milestone id of this stage> }',
});

export const timescaleSchema = z
  .strictObject({
    kind: z.enum(TIMESCALE_KINDS, {
      error:
        'must be "start-by" (the stage must have begun by then) or "conclude-by" (the stage must be resolved or escalated by then)',
    }),
    amount: z.number({ error: 'must be a number, like 5' }).min(0, { error: 'must be more than zero' }).optional(),
    unit: z.enum(TIMESCALE_UNITS, { error: `must be one of: ${TIMESCALE_UNITS.join(', ')}` }),
    from: anchorSchema,
    phrase: text.describe('the words of the procedure this timescale comes from, verbatim'),
    reading: text.optional(),
    expects: text.optional(),
    /** The limit applies only to cases of these categories (ids under "categories"). */
    categories: z.array(slug).min(1, { error: 'must name at least one category' }).optional(),
    /** Limits of a stage that share this name are one limit: whichever falls first ("whichever is shortest"). */
    shortestOf: slug.optional(),
    /**
     * The two agencies agree the date for the case on the card ("within a time scale which is
     * acceptable to both of them"); amount and unit are then the ceiling the agreed date cannot pass.
     */
    agreed: z.strictObject({ phrase: text }).optional(),
  })
  .superRefine((t, ctx) => {
    const momentOnly = (UNITS_WITHOUT_AMOUNT as readonly string[]).includes(t.unit);
    if (momentOnly && t.amount !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['amount'],
        message: `a "${t.unit}" limit has no amount; remove "amount"`,
      });
    else if (!momentOnly && t.amount === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['amount'],
        message: `needs an amount for "${t.unit}", like 5; ${SAME_DAY_HOW}`,
      });
    else if (!momentOnly && t.amount === 0 && t.unit !== 'working-days')
      ctx.addIssue({ code: 'custom', path: ['amount'], message: `must be more than zero; ${SAME_DAY_HOW}` });
  });

/**
 * Where the procedure points people elsewhere (another policy, a template, who to ask for contact
 * details, advice for one kind of disagreement): its words, a link if it gives one, and where the
 * bot shows them - on the raising form, on the card of some stages (or all), for some kinds of
 * disagreement only.
 */
export const signpostSchema = z.strictObject({
  id: slug,
  words: text,
  url: z.url({ error: 'must be a web address starting https://' }).optional(),
  raising: z.boolean({ error: 'must be true (shown on the raising form) or false' }).default(false),
  stages: z
    .union([z.literal('all'), z.array(slug)], {
      error: 'must be "all" or a list of stage ids, like [stage-1, stage-2]',
    })
    .default([]),
  categories: z.array(slug).optional(),
  /** Shown on the card once the case is closed (advice for afterwards: a debrief). */
  closed: z.boolean({ error: 'must be true (shown once the case is closed) or false' }).default(false),
  phrase: text.describe('the words of the procedure this signpost comes from, verbatim'),
});

/** A date written YYYY-MM-DD (quoted or not in the file). */
const day = z
  .string({ error: 'must be a date written YYYY-MM-DD, like "2027-04-01"' })
  .refine(isLocalDate, { error: 'must be a date written YYYY-MM-DD, like "2027-04-01"' });

export const FIGURES_EVERY = ['month', 'quarter', 'year'] as const;

/**
 * How the board oversees its procedure: when it is next to be reviewed ("This procedure should
 * be reviewed annually"), and who receives its figures, how often ("shared quarterly to the
 * Quality and Performance Subcommittee").
 */
export const oversightSchema = z.strictObject({
  reviewBy: day.optional(),
  figures: z
    .strictObject({
      to: text,
      email: z.email({ error: 'must be an email address' }).optional(),
      every: z.enum(FIGURES_EVERY, { error: `must be one of: ${FIGURES_EVERY.join(', ')}` }).default('quarter'),
    })
    .optional(),
  phrase: text,
});

export const NOTIFICATION_MOMENTS = ['stage-start', 'escalated', 'resolved', 'outcome', 'unresolved'] as const;
export const NOTIFICATION_TARGETS = [
  'own-agency',
  'other-agency',
  'both-agencies',
  'commissioning-body',
  'board',
  'raiser',
] as const;

export const notificationSchema = z.strictObject({
  by: slug.optional(),
  /** The role told; not needed when `where` is "raiser" (the person who raised the concern). */
  to: slug.optional(),
  where: z.enum(NOTIFICATION_TARGETS, {
    error: 'must be one of: own-agency, other-agency, both-agencies, commissioning-body, board, raiser',
  }),
  when: z
    .array(
      z.enum(NOTIFICATION_MOMENTS, {
        error: 'must be one of: stage-start, escalated, resolved, outcome, unresolved',
      }),
    )
    .min(1, { error: 'must name at least one moment' }),
  about: text,
  phrase: text,
  /** How soon the procedure asks for it ("made aware within one working day"): shown, and met when sent. */
  within: z
    .strictObject({
      amount: z.number({ error: 'must be a number, like 1' }).min(0).optional(),
      unit: z.enum(TIMESCALE_UNITS, { error: `must be one of: ${TIMESCALE_UNITS.join(', ')}` }),
      phrase: text.optional(),
    })
    .optional(),
});

export const stageFormSchema = z.strictObject({
  form: slug,
  when: z.enum(['stage-start', 'escalated', 'resolved', 'outcome'], {
    error: 'must be one of: stage-start, escalated, resolved, outcome',
  }),
  completedBy: z.array(slug).min(1).optional(),
  sendTo: z.array(z.strictObject({ role: slug, where: z.enum(NOTIFICATION_TARGETS) })).default([]),
  phrase: text,
});

/**
 * Where a form's field comes from: a fact of the case (documented in src/procedures/README.md,
 * "Form fields"), or `typed` by whoever completes the form.
 */
export const FORM_FIELD_SOURCES = [
  'reference',
  'board',
  'raised-on',
  'adult-initials',
  'adult-name',
  'adult-date-of-birth',
  'adult-address',
  'category',
  'summary',
  'outcome-wanted',
  'safety-meanwhile',
  'disagreement',
  'views',
  'agreed-outcome',
  'outcome',
  'outstanding-issues',
  'escalations',
  'escalated-by',
  'person-name',
  'person-designation',
  'person-agency',
  'person-date',
  'stage-began',
  'stage-concluded',
  'stage-resolved',
  'days-taken',
  'board-members',
  'professionals',
  'methodology',
  'monitoring-comments',
  'send-to',
  'completed-by',
  'typed',
] as const;

/** Sources that name the adult: filled only from the sealed details, for someone entitled to them. */
export const SEALED_FORM_SOURCES = ['adult-name', 'adult-date-of-birth', 'adult-address'] as const;

export const formFieldSchema = z.strictObject({
  key: z.string({ error: 'must be a short name for the field, like "adultsName"' }).regex(/^[a-zA-Z][a-zA-Z0-9-]*$/, {
    error: 'must be a short name in letters, digits and hyphens, like "adultsName"',
  }),
  label: text,
  from: z.enum(FORM_FIELD_SOURCES, {
    error: `is not something the bot can fill a field from; use one of: ${FORM_FIELD_SOURCES.join(', ')}`,
  }),
  /** For the person-* sources: whose side (the agency that raised the concern, or the one it was raised with). */
  side: z.enum(['raising', 'responding'], { error: 'must be "raising" or "responding"' }).optional(),
  /** For sources about a stage: which (person-*: that stage or a later one; escalated-by: escalated from it). */
  stage: slug.optional(),
  /** For `typed`: the question put to whoever completes the form. */
  prompt: text.optional(),
  /** For `typed`: whether it may be left blank. */
  optional: z.boolean().default(false),
});

/**
 * Something a stage's people record on the card as it happens ("outcome letter within a further 2
 * working days", "minutes within 15 working days", a meeting's date set, the meeting held).
 */
export const milestoneSchema = z.strictObject({
  id: slug,
  label: text,
  by: z.array(slug).min(1, { error: 'must name at least one role' }),
  within: z
    .strictObject({
      amount: z.number({ error: 'must be a number, like 5' }).positive({ error: 'must be more than zero' }),
      unit: z.enum(TIMESCALE_UNITS, { error: `must be one of: ${TIMESCALE_UNITS.join(', ')}` }),
      from: z.union([z.enum(['raised', 'stage-start', 'stage-end']), z.strictObject({ milestone: slug })], {
        error:
          'must be "raised", "stage-start", "stage-end" (when the stage was resolved, decided or escalated) or { milestone: <id> }',
      }),
    })
    .optional(),
  /** The card asks for a date with it (the date a meeting is set for). */
  date: z.boolean().default(false),
  /** It may still be recorded after its stage has ended, and after the case has closed. */
  outlives: z.boolean().default(false),
  /** Owed only once the case is resolved or decided at this stage ("When the issue is resolved, …"). */
  afterResolution: z.boolean().default(false),
  phrase: text,
});

export const stageSchema = z.strictObject({
  id: slug,
  number: z
    .number({ error: 'must be the stage number, like 2' })
    .int({ error: 'must be a whole number' })
    .positive({ error: 'must be 1 or more' }),
  branch: z.enum(['urgent', 'non-urgent'], { error: 'must be "urgent" or "non-urgent"' }).optional(),
  name: text,
  achieves: text,
  sides: z
    .strictObject({
      raising: z.array(slug).min(1, { error: 'must name at least one role' }),
      /** Left out for a stage within the raising agency alone (a practitioner and their own line manager). */
      responding: z.array(slug).min(1, { error: 'must name at least one role' }).optional(),
    })
    .optional(),
  board: z.array(slug).min(1, { error: 'must name at least one role' }).optional(),
  approvedBy: z.array(slug).min(1).optional(),
  timescales: z.array(timescaleSchema).default([]),
  notifications: z.array(notificationSchema).default([]),
  forms: z.array(stageFormSchema).default([]),
  /** Someone at this stage confirms the steps taken to keep the adult safe meanwhile (Luton stages 2 and 3). */
  confirmSafety: z
    .strictObject({
      by: z.array(slug).min(1, { error: 'must name at least one role' }),
      from: z
        .enum(['raising', 'either', 'each'], {
          error: 'must be "raising" (the agency that raised it), "either" (one agency) or "each" (both agencies)',
        })
        .default('either'),
      phrase: text,
    })
    .optional(),
  milestones: z.array(milestoneSchema).optional(),
  /** A mutually agreed plan of action with clear timescales can be recorded at this stage (Lincolnshire, North Somerset). */
  plan: z.strictObject({ phrase: text }).optional(),
  decision: z
    .strictObject({
      recordedBy: z.array(slug).min(1),
      finalAndBinding: z.boolean().default(false),
      phrase: text.optional(),
      /** Something recorded beside the decision ("may also agree changes to policies…"): its label and the words. */
      alsoRecord: z.strictObject({ label: text, phrase: text }).optional(),
    })
    .optional(),
});

export const contactSchema = z.strictObject({
  name: text,
  phone: z.string().trim().min(1).optional(),
  email: z.email({ error: 'must be an email address' }).optional(),
  url: z.url({ error: 'must be a web address' }).optional(),
  note: text.optional(),
  /**
   * The number is each agency's own, not the board's: `on-call` shows the raiser's agency's
   * on-call (out of hours) number from the directory (its `onCall`) beside this contact.
   */
  agencyNumber: z
    .enum(['on-call'], {
      error: 'must be "on-call" (the number is each agency\'s own on-call number, from the directory)',
    })
    .optional(),
});

export const readingSchema = z.strictObject({
  id: slug,
  phrase: text,
  question: text,
  chosen: text,
  alternatives: z.array(text).default([]),
  switch: z.string().optional(),
});

/**
 * One of the board's forms: written in its file under `forms`, or in a form file of its own that
 * the board's file names (`forms: [{ file: forms/north-somerset-monitoring.yaml }]`).
 */
export const formDeclarationSchema = z.strictObject({
  id: slug,
  title: text,
  /** How lists name it ("North Somerset's monitoring form (Appendix 2)"); the title where not given. */
  name: text.optional(),
  source: text.optional(),
  sendTo: z.array(contactSchema).default([]),
  /** The form's fields, in order, each filled from the case or typed by whoever completes it. */
  fields: z.array(formFieldSchema).default([]),
});

export const procedureSchema = z.strictObject({
  id: slug,
  name: text,
  shortName: text.optional(),
  nation: z.enum(NATIONS, { error: 'must be one of: england-and-wales, scotland, northern-ireland' }),
  referencePrefix: z.string().regex(/^[A-Z]{2,5}$/, { error: 'must be 2 to 5 capital letters, like "NS"' }),
  source: z
    .strictObject({
      title: text,
      document: text.optional(),
      version: text.optional(),
      url: z.url().optional(),
    })
    .optional(),
  workingHours: z
    .strictObject({
      days: z
        .array(z.enum(WEEKDAY_NAMES, { error: 'must be a day of the week in lower case, like "monday"' }))
        .min(1)
        .default(['monday', 'tuesday', 'wednesday', 'thursday', 'friday']),
      start: clock.default('09:00'),
      end: clock.default('17:00'),
      timeZone: z.string().default('Europe/London'),
    })
    .default({
      days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      start: '09:00',
      end: '17:00',
      timeZone: 'Europe/London',
    }),
  counting: z
    .strictObject({
      dayNumbers: z.enum(['working', 'calendar'], { error: 'must be "working" or "calendar"' }).default('working'),
    })
    .default({ dayNumbers: 'working' }),
  immediateRisk: z
    .strictObject({
      question: text,
      guidance: text,
      onYes: z.enum(['refuse', 'urgent-path'], {
        error: 'must be "refuse" (this procedure is not for immediate risk) or "urgent-path"',
      }),
      contacts: z.array(contactSchema).min(1, { error: 'must list at least one emergency contact' }),
      phrase: text,
    })
    /** Left out where the procedure says nothing about immediate risk: raising then skips the question. */
    .optional(),
  urgentPath: z
    .strictObject({
      description: text,
      startAt: z.array(slug).default([]),
      branch: z.enum(['urgent']).optional(),
      outOfHoursNudges: z.boolean().default(true),
      phrase: text,
    })
    .optional(),
  outOfHours: z
    .strictObject({
      guidance: text,
      phrase: text,
    })
    .optional(),
  roles: z.array(roleSchema).min(1, { error: 'must declare at least one role' }),
  forms: z.array(formDeclarationSchema).default([]),
  categories: z.array(z.strictObject({ id: slug, label: text })).optional(),
  signposts: z.array(signpostSchema).default([]),
  oversight: oversightSchema.optional(),
  defaults: z
    .strictObject({
      timescale: z
        .strictObject({
          amount: z.number().positive({ error: 'must be more than zero' }),
          unit: z.enum(TIMESCALE_UNITS, { error: `must be one of: ${TIMESCALE_UNITS.join(', ')}` }),
          note: text,
          /** The stages the default is for (absent: every stage nothing else bounds). */
          stages: z.array(slug).min(1, { error: 'must name at least one stage' }).optional(),
        })
        .optional(),
      reminder: z
        .strictObject({
          workingDaysBefore: z.number().int().min(0).default(1),
          at: z.enum(['start-of-working-day']).default('start-of-working-day'),
        })
        .default({ workingDaysBefore: 1, at: 'start-of-working-day' }),
      repeatWhileOverdue: z.enum(['each-working-day', 'never']).default('each-working-day'),
    })
    .default({
      reminder: { workingDaysBefore: 1, at: 'start-of-working-day' },
      repeatWhileOverdue: 'each-working-day',
    }),
  readings: z.array(readingSchema).default([]),
  stages: z.array(stageSchema).min(1, { error: 'must list at least one stage' }),
  recording: z.strictObject({ phrase: text }).optional(),
  monitoring: z.strictObject({ phrase: text }).optional(),
});

export type ProcedureFile = z.input<typeof procedureSchema>;
export type Procedure = z.output<typeof procedureSchema>;
export type Stage = Procedure['stages'][number];
export type Timescale = Stage['timescales'][number];
export type Anchor = Timescale['from'];
export type Role = Procedure['roles'][number];
export type Notification = Stage['notifications'][number];
export type FormDeclaration = Procedure['forms'][number];
export type FormFieldDeclaration = FormDeclaration['fields'][number];
export type StageForm = Stage['forms'][number];
export type Signpost = Procedure['signposts'][number];
export type Milestone = NonNullable<Stage['milestones']>[number];

/** The board's short name for sentences ("NSSAB"), or its name where the file gives none. */
export function shortNameOf(procedure: Pick<Procedure, 'name' | 'shortName'>): string {
  return procedure.shortName ?? procedure.name;
}
