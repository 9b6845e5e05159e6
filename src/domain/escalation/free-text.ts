/**
 * Every free-text answer (a note, a reason, an outcome, the raising form's descriptions and
 * record numbers) is checked for the adult's identity before it is stored or shown. The adult's
 * details come in from the caller, opened from the sealed store for this check only.
 */
import { findIdentity, identityMessage, type KnownAdult } from '../personal/identity';
import { recordNumberNamesByInitials } from '../personal/initials';
import { wordsOf } from '../personal/words';
import { initialsOf } from './raise-form';
import type { Refusal } from './types';

export type { KnownAdult } from '../personal/identity';

/** What the check needs beyond the words: the adult's details if the case has them, and the time. */
export interface WordsCheck {
  adult?: KnownAdult;
  now: Date;
  /** The adult's initials ("J.S."): a name starting with them is refused, and they are suggested instead. */
  initials?: string;
}

/** Options for `raise` and `decide` beyond the command itself. */
export interface DecideOptions {
  /** The adult's details the case holds sealed (or that come with the raising form), for checking free text. */
  adult?: KnownAdult;
}

/** The message refusing `value` as the `what` ("note") it was typed as, or undefined if it does not name the adult. */
export function wordsProblem(value: unknown, what: string, check: WordsCheck): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const kind = findIdentity(value, check.adult, check.now, check.initials);
  return kind ? identityMessage(kind, what, check.initials) : undefined;
}

/** A refusal for a field whose words name the adult; never recorded with the words, nor echoed. */
export function namesTheAdult(field: string, message: string): Refusal {
  return { code: 'names-the-adult', message, fields: { [field]: message } };
}

const RAISE_FIELDS: ReadonlyArray<readonly [field: string, what: string]> = [
  ['summary', 'description'],
  ['outcomeWanted', 'answer'],
  ['safetyMeanwhile', 'answer'],
  ['adultWishes', 'answer'],
  ['recordNumbers.raising', 'record number'],
  ['recordNumbers.responding', 'record number'],
];

/**
 * The raising form's fields whose words name the adult, each with its message (keyed as the
 * core names fields: "summary", "recordNumbers.raising"). The initials field has its own rule.
 */
export function raiseFormWordProblems(form: unknown, adult: KnownAdult | undefined, now: Date): Record<string, string> {
  const answers = (typeof form === 'object' && form !== null ? form : {}) as Record<string, unknown>;
  const records = (
    typeof answers.recordNumbers === 'object' && answers.recordNumbers !== null ? answers.recordNumbers : {}
  ) as Record<string, unknown>;
  const initials = initialsOf(answers.initials);
  const check: WordsCheck = { now, ...(adult ? { adult } : {}), ...(initials ? { initials } : {}) };
  const problems: Record<string, string> = {};
  for (const [field, what] of RAISE_FIELDS) {
    const value = field.startsWith('recordNumbers.') ? records[field.slice('recordNumbers.'.length)] : answers[field];
    const problem = wordsProblem(value, what, check);
    if (problem) problems[field] = problem;
    else if (
      what === 'record number' &&
      typeof value === 'string' &&
      recordNumberNamesByInitials(wordsOf(value), initials)
    )
      problems[field] = identityMessage('name-by-initials', what, initials);
  }
  return problems;
}
