/**
 * Does a piece of free text name the adult? Checked before any note, reason or answer is stored
 * or shown, against the adult's details the case holds sealed (when there are any) and against
 * the shapes such details take even when none have been given. Pure: the details and `now` come in.
 *
 * The rules, as decided (tests/unit/identity.test.ts holds each one):
 * - Name. Compared without case, accents, apostrophes or hyphens ("O'Brien" = "OBrien" =
 *   "O Brien"; "Quillfeather-Okonkwo" = "Quillfeather Okonkwo" = "QuillfeatherOkonkwo"). Titles
 *   (Mr, Mrs, Ms, Miss, Mx, Dr, …) are ignored in the sealed name. The forename is the first word,
 *   the surname the last (with any particles before it: van, de, al, …); middle names are not
 *   compared. Refused: the forename with any part of the surname within three words of it, in
 *   either order ("Zebedee Quillfeather-Okonkwo", "QUILLFEATHER-OKONKWO, Zebedee", "Zebedee A.
 *   Okonkwo"); the two run together ("ZebedeeQuillfeather", as when an invisible space was
 *   between them); a title before the surname or the forename ("Mrs Smith", "Miss Zebedee"); a surname
 *   of two or more parts written whole, in any case ("quillfeather-okonkwo"); the surname, or any
 *   part of it of three letters or more, written with a capital ("Quillfeather", "SMITH", "Li").
 *   Allowed: the forename alone (too common to tell the adult from the GP or a carer), and a
 *   one-part surname written all in small letters ("the young carer" when the adult is Mary
 *   Young). The price: a surname that is also a place or a word at the start of a sentence
 *   ("Lincoln", "Young carers…") is refused too, with words saying to use initials and roles.
 * - Date of birth, when given: that date written in any common way (see dates.ts), a two-digit
 *   year matching its last two digits, and numbers read day first or month first.
 * - Address, when given: its postcode in any spacing or case, and its house number with the
 *   street ("1 Minster Yard", "1, minster yd"); a first line with no number (a house name) whole.
 *   The street or the town alone is allowed: many people share them.
 * - Always, details given or not: anything shaped like a UK postcode ("LN2 1PX", "ln21px"), a
 *   full date labelled as a birth date ("DOB 12/03/2010", "born on 3 May 1950"), and any other
 *   full date at which a person born then would be an adult of 18 to 120 at `now`. Recent dates
 *   (meetings, visits) and a month with a year ("June 2004") pass.
 * - Name by the adult's initials, when the case knows them (the raising form's, or the case's
 *   "Z.Q."), with or without sealed details: two or three neighbouring capitalised words, the
 *   first starting with the first initial and the last with a later one ("Zebedee Quillfeather",
 *   "Zebedee A. Okonkwo", "Z. Quillfeather"), the same reversed with a comma ("Quillfeather,
 *   Zebedee") or run together ("ZebedeeQuillfeather"; not "MacDonald"), and a title before a
 *   capitalised word of two letters or more starting with a later initial ("Mrs Quillfeather";
 *   "Mr Q." alone is initials and passes). Not a name: a run
 *   with an agency, care, place or role word in it, or a day or month ("Lincolnshire Police" when
 *   the adult is L.P., "Social Worker" for S.W.; the list is in initials.ts). The price: another
 *   person who shares the adult's initials ("Dr Quinn" for Z.Q.) is refused too, with words
 *   saying to call them by their role. In a record number: a word of three letters or more
 *   starting with an initial ("Zeb 123"), unless a record system's name ("Mosaic") or a capital
 *   abbreviation of three letters or fewer ("LCC", "LAS").
 * - Before any of this, the text is cleaned (words.ts): invisible characters removed, full-width
 *   and look-alike (Cyrillic, Greek) letters read as Latin ones, accents taken off. Postcodes and
 *   dates are read from the cleaned text too.
 */
import { ageAt, fullYear, labelledAsBirth, writtenDates, type WrittenDate } from './dates';
import { namedByInitials } from './initials';
import { plain, spelledAt, streetWord, TITLES, wordsOf, type Word } from './words';

/** What the case knows of the adult, opened from its sealed store for the check (nothing is kept). */
export interface KnownAdult {
  name?: string;
  /** YYYY-MM-DD */
  dateOfBirth?: string;
  address?: string;
}

export type IdentityKind =
  | 'name'
  | 'name-by-initials'
  | 'surname'
  | 'date-of-birth'
  | 'labelled-birth-date'
  | 'adult-birth-date'
  | 'address'
  | 'postcode';

const PARTICLES: ReadonlySet<string> = new Set([
  'van',
  'von',
  'der',
  'den',
  'de',
  'del',
  'della',
  'di',
  'da',
  'du',
  'la',
  'le',
  'st',
  'al',
  'el',
  'bin',
  'ben',
  'ap',
  'mac',
  'mc',
  'o',
]);

/** "LN2 1PX", "SW1A 1AA", "M1 1AE"; a lower-case "4th" after a road number is read as a word. */
const POSTCODE = /\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b/gi;

export function postcodesIn(text: string): string[] {
  const found: string[] = [];
  for (const m of plain(text).matchAll(POSTCODE)) {
    const inward = m[2] ?? '';
    if (/^\d(?:st|nd|rd|th)$/.test(inward)) continue;
    found.push(`${m[1] ?? ''}${inward}`.toUpperCase());
  }
  return found;
}

interface NameParts {
  forename?: string;
  /** Each part of the surname ("quillfeather", "okonkwo"), and the whole of it run together. */
  surnameParts: string[];
  surname: string;
}

function nameParts(name: string): NameParts | undefined {
  const words = name
    .trim()
    .split(/\s+/)
    .map((w) => wordsOf(w).map((x) => x.text))
    .filter((w) => w.length > 0);
  while (words.length > 1 && TITLES.has(words[0]?.join('') ?? '')) words.shift();
  if (words.length === 0) return undefined;
  let first = words.length - 1;
  while (first > 1 && PARTICLES.has(words[first - 1]?.join('') ?? '')) first--;
  const surnameParts = words.slice(first).flat();
  const forename = words.length > 1 ? words[0]?.join('') : undefined;
  return { ...(forename ? { forename } : {}), surnameParts, surname: surnameParts.join('') };
}

const capitalised = (w: Word): boolean => /^\p{Lu}/u.test(w.written);

const joinedName = (word: string, forename: string, surnames: readonly string[]): boolean =>
  word.length > forename.length &&
  word.startsWith(forename) &&
  surnames.some((p) => p.length >= 3 && word.slice(forename.length).startsWith(p));

function findName(words: readonly Word[], parts: NameParts): 'name' | 'surname' | undefined {
  const { forename, surnameParts, surname } = parts;
  const own = surnameParts.filter((p) => p.length >= 2 && !PARTICLES.has(p));
  const surnameAt = (i: number): number =>
    spelledAt(words, i, surname) || Math.max(0, ...own.map((p) => spelledAt(words, i, p)));
  const forenames = forename ? words.flatMap((_, i) => (spelledAt(words, i, forename) ? [i] : [])) : [];
  // "ZebedeeQuillfeather": the forename and the surname (or a part of it) written as one word.
  if (forename && words.some((w) => joinedName(w.text, forename, [surname, ...own]))) return 'name';
  for (const f of forenames) {
    for (let j = Math.max(0, f - 4); j <= f + 4 && j < words.length; j++) if (j !== f && surnameAt(j)) return 'name';
    if (f > 0 && TITLES.has(words[f - 1]?.text ?? '')) return 'name';
  }
  for (let i = 0; i < words.length; i++) {
    const whole = spelledAt(words, i, surname);
    if (whole && surnameParts.length > 1) return 'surname';
    const part = surnameAt(i);
    if (!part) continue;
    if (i > 0 && TITLES.has(words[i - 1]?.text ?? '')) return 'surname';
    const word = words[i] as Word;
    if (capitalised(word) && ((whole && surname.length >= 2) || word.text.length >= 3)) return 'surname';
  }
  return undefined;
}

function sameDate(written: WrittenDate, dob: { year: number; month: number; day: number }): boolean {
  const year = written.twoDigitYear ? written.year === dob.year % 100 : written.year === dob.year;
  if (!year) return false;
  if (written.day === dob.day && written.month === dob.month) return true;
  return written.monthFirst?.day === dob.day && written.monthFirst.month === dob.month;
}

/** The house number and street of an address ("1 Minster Yard"), or a house name, as words. */
function firstLine(address: string): string[] | undefined {
  const segments = address.split(/[,\n]/).map((s) => wordsOf(s).map((w) => streetWord(w.text)));
  for (const words of segments) {
    const at = words.findIndex((w, i) => /^\d+[a-z]?$/.test(w) && /^[a-z]/.test(words[i + 1] ?? ''));
    if (at >= 0) {
      const street = words.slice(at + 1);
      const end = street.findIndex((w) => !/^[a-z]+$/.test(w));
      return [words[at] as string, ...(end < 0 ? street : street.slice(0, end))];
    }
  }
  const name = segments.find((w) => w.length > 0);
  return name && (name.length >= 2 || (name[0]?.length ?? 0) >= 6) ? name : undefined;
}

function hasRun(words: readonly Word[], run: readonly string[]): boolean {
  const texts = words.map((w) => streetWord(w.text));
  return texts.some((_, i) => run.every((r, k) => texts[i + k] === r));
}

/**
 * Whether `text` names the adult, and how; undefined when it does not. The value itself is never
 * part of the answer. `initials`: the adult's, as the case or the raising form records them.
 */
export function findIdentity(
  text: string,
  adult: KnownAdult | undefined,
  now: Date,
  initials?: string,
): IdentityKind | undefined {
  const words = wordsOf(text);
  const parts = adult?.name ? nameParts(adult.name) : undefined;
  const name = parts ? findName(words, parts) : undefined;
  if (name) return name;
  if (namedByInitials(words, initials)) return 'name-by-initials';
  const dates = writtenDates(text);
  const dob = /^(\d{4})-(\d{2})-(\d{2})$/.exec(adult?.dateOfBirth ?? '');
  if (dob) {
    const known = { year: Number(dob[1]), month: Number(dob[2]), day: Number(dob[3]) };
    if (dates.some((d) => sameDate(d, known))) return 'date-of-birth';
  }
  const postcodes = postcodesIn(text);
  if (adult?.address) {
    const own = postcodesIn(adult.address);
    const line = firstLine(adult.address);
    if (postcodes.some((p) => own.includes(p)) || (line && hasRun(words, line))) return 'address';
  }
  if (postcodes.length > 0) return 'postcode';
  for (const d of dates) {
    if (labelledAsBirth(text, d.index)) return 'labelled-birth-date';
    if (d.doubtful || fullYear(d, now) > now.getUTCFullYear()) continue;
    const age = ageAt(d, now);
    if (age >= 18 && age <= 120) return 'adult-birth-date';
  }
  return undefined;
}

/**
 * The refusal, in words for the person who typed it: what the text does and what to do instead.
 * `what` names the field ("note", "reason"); `initials` are the adult's, as the case records them.
 */
export function identityMessage(kind: IdentityKind, what: string, initials?: string): string {
  const use = initials ? `Use their initials, ${initials}` : 'Use their initials';
  const end = use.endsWith('.') ? '' : '.';
  const kept = "the record keeps the adult's details privately.";
  switch (kind) {
    case 'name':
      return `This ${what} names the adult. ${use}${end}`;
    case 'name-by-initials': {
      const theirs = `their initials${initials ? `, ${initials.replace(/\.$/, '')}` : ''}`;
      if (what === 'record number')
        return `This record number may name the adult: a word in it starts with ${theirs}. Give the agency's own reference: digits, with at most a short system code such as 'LAS' or 'MOSAIC'.`;
      return `This ${what} may name the adult: a name in it starts with ${theirs}. Use the initials instead, and call anyone else by their role (for example "the GP" or "a neighbour").`;
    }
    case 'surname':
      return `This ${what} gives the adult's surname. ${use}, and call anyone else by their role (for example "the GP" or "a neighbour").`;
    case 'date-of-birth':
      return `This ${what} gives the adult's date of birth. Leave it out: ${kept}`;
    case 'labelled-birth-date':
      return `This ${what} gives a date of birth. Leave it out: ${kept}`;
    case 'adult-birth-date':
      return `This ${what} gives a full date from long ago, which could be a date of birth. Leave it out, or give just the month and year (for example "June 2004"): ${kept}`;
    case 'address':
      return `This ${what} gives the adult's address. Leave it out: ${kept}`;
    case 'postcode':
      return `This ${what} gives a postcode. Leave it out: the record keeps the adult's address privately.`;
  }
}
