/**
 * The raising form, checked field by field in words a social worker would understand. It never
 * asks for the adult's name: initials and each agency's own record number identify the adult.
 */
import { z } from 'zod';
import type { Procedure } from '../procedure/schema';
import type { RaiseForm } from './types';

/** Examples of disagreement from Lincolnshire's protocol (section 3), the default list. */
export const DEFAULT_CATEGORIES: ReadonlyArray<{ id: string; label: string }> = [
  {
    id: 'threshold-for-safeguarding-concern',
    label: 'Whether the adult meets the criteria for a safeguarding concern',
  },
  { id: 'referral-handling', label: 'How a referral between agencies was handled' },
  { id: 'strategy-meeting', label: 'The need for, or attendance at, a strategy meeting' },
  { id: 'care-setting', label: 'The right setting for an adult with multiple care and support needs' },
  { id: 'care-plan', label: "The adult's care plan" },
  { id: 'assessment-outcome', label: 'The outcome of an assessment' },
  { id: 'action-or-inaction', label: 'Action or inaction of another professional' },
  { id: 'information-sharing-or-services', label: 'Sharing information, or providing services' },
  { id: 'medical-examination', label: 'The outcome of a medical examination' },
  { id: 'case-closure', label: "Another agency's decision or reasoning to close a case" },
  { id: 'transition', label: "Transition, for example from children's to adult services" },
  { id: 'agreed-action-not-completed', label: 'An agreed action not completed without a good reason' },
  { id: 'other', label: 'Something else about how the case is being handled (for example timeliness or priority)' },
];

export function categoriesOf(procedure: Procedure): ReadonlyArray<{ id: string; label: string }> {
  const own = procedure.categories ?? [];
  if (own.length === 0) return DEFAULT_CATEGORIES;
  return own.some((c) => c.id === 'other') ? own : [...own, { id: 'other', label: 'Something else' }];
}

const LIMIT = 3000;

const longText = (what: string) =>
  z
    .string({ error: `Please describe ${what}.` })
    .trim()
    .min(1, { error: `Please describe ${what}.` })
    .max(LIMIT, {
      error: `Please keep this under ${LIMIT} characters; attach longer notes to the agency's own record.`,
    });

/** Two to four letters, optionally with full stops or spaces: "J.S.", "JS", "J S". */
const INITIALS = /^\s*[A-Za-z](?:[.\s]*[A-Za-z]){0,3}[.\s]*$/;
const RECORD_NUMBER = /^[A-Za-z0-9][A-Za-z0-9 /_-]{0,39}$/;
const RECORD_NUMBER_RULE =
  "A record number is the agency's own reference: mostly digits, with at most a short system code before or after, such as 'NHS 485 777 3456', 'LAS-123456' or 'PNC 12/345678A'. Never put the adult's name here.";

/**
 * Whether a value reads as a record number, not words: digits with at most a short system code
 * before or after. At most two runs of letters, each of six letters or fewer, and no more
 * letters than digits, unless the letters are one code of up to three capitals ("BBC-77",
 * "DIO-1"): "NHS 485 777 3456", "LAS-123456", "MOSAIC 123456", "PNC 12/345678A" and "AB123456C"
 * (a National Insurance number) pass; "Zebedee 12", "QUILLFEATHER 1", "Z Quillfeather 7" and
 * "Quill 1" do not.
 */
export function looksLikeRecordNumber(value: string): boolean {
  if (!RECORD_NUMBER.test(value) || !/\d/.test(value)) return false;
  const runs = value.match(/[A-Za-z]+/g) ?? [];
  const letters = runs.join('').length;
  const digits = (value.match(/\d/g) ?? []).length;
  const code = runs.length === 1 && /^[A-Z]{1,3}$/.test(runs[0] ?? '');
  return runs.length <= 2 && runs.every((r) => r.length <= 6) && (digits >= letters || code);
}

/** The initials as the case records them ("J.S."), or undefined if the value is not initials. */
export function initialsOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || !INITIALS.test(value)) return undefined;
  return (
    value
      .replace(/[^A-Za-z]/g, '')
      .toUpperCase()
      .split('')
      .join('.') + '.'
  );
}

export function raiseFormSchema(procedure: Procedure) {
  const categories = categoriesOf(procedure).map((c) => c.id);
  const recordNumber = z
    .string()
    .trim()
    .refine(looksLikeRecordNumber, { error: RECORD_NUMBER_RULE })
    .optional()
    .or(z.literal('').transform(() => undefined));
  return z.strictObject({
    initials: z
      .string({ error: "Please give the adult's initials (not their name)." })
      .regex(INITIALS, {
        error: "Please give the adult's initials only, one to four letters such as 'J.S.' — never their full name.",
      })
      .transform((s) => initialsOf(s) ?? ''),
    recordNumbers: z.strictObject({ raising: recordNumber, responding: recordNumber }).default({}),
    category: z.enum(categories as [string, ...string[]], {
      error: 'Please choose the kind of disagreement from the list.',
    }),
    summary: longText('what the disagreement is'),
    outcomeWanted: longText('the outcome you want'),
    safetyMeanwhile: longText('what is keeping the adult safe while this is resolved'),
    adultWishes: z
      .string()
      .trim()
      .max(LIMIT, {
        error: `Please keep this under ${LIMIT} characters; attach longer notes to the agency's own record.`,
      })
      .optional()
      .transform((s) => (s ? s : undefined)),
  });
}

export type CheckedForm = { ok: true; form: RaiseForm } | { ok: false; fields: Record<string, string> };

const schemas = new WeakMap<Procedure, ReturnType<typeof raiseFormSchema>>();

export function checkRaiseForm(procedure: Procedure, input: unknown): CheckedForm {
  let schema = schemas.get(procedure);
  if (!schema) {
    schema = raiseFormSchema(procedure);
    schemas.set(procedure, schema);
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, form: parsed.data };
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.') || 'form';
    fields[key] ??=
      issue.code === 'unrecognized_keys'
        ? "This form does not take this field (the adult's name, date of birth or address are never asked for here)."
        : issue.message;
  }
  return { ok: false, fields };
}
