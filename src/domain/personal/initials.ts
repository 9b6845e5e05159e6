/**
 * A name found by the adult's initials, when the case has no sealed name to compare with (at
 * raising) or as well as it. The rule is set out at the top of identity.ts; tests/unit/identity.test.ts
 * holds each part of it.
 */
import { TITLES, type Word } from './words';

/**
 * Capitalised words that are not names: agencies, places of care, roles, days and months.
 * A run with one of these in it is not read as a name ("Lincolnshire Police" when the adult is
 * L.P.). Months that are also forenames (April, May, June, August) are not here.
 */
const NOT_NAMES: ReadonlySet<string> = new Set(
  (
    'police council trust nhs hospital hospitals team teams service services care carer carers home homes house ' +
    'court road street lane avenue close drive way board partnership partnerships social health adult adults ' +
    'county city borough district parish lincolnshire lincoln safeguarding community mental general practice ' +
    'surgery centre center clinic ward unit group housing ambulance fire rescue department authority royal ' +
    'university school college primary foundation association charity church diocese agency office officer ' +
    'worker workers manager nurse nursing probation prison children childrens family families support advocacy ' +
    'age uk england britain national hub review panel meeting plan act section capacity assessment emergency ' +
    'accident east west north south united integrated commissioning gp practitioner sergeant constable ' +
    'strategy joint discussion conference referral concern enquiry risk multi duty desk front door ' +
    'professional professionals senior liaison independent chair business learning step stage urgent ' +
    'domestic abuse violence mash marac mappa dols ' +
    'inspector detective ltd limited and the of for at on in to with from by a an ' +
    'monday tuesday wednesday thursday friday saturday sunday january february march july september october ' +
    'november december jan feb mar apr jun jul aug sep sept oct nov dec'
  ).split(' '),
);

/** Words that are record systems, not names ("Mosaic 123456" when the adult is M.S.). */
const RECORD_SYSTEMS: ReadonlySet<string> = new Set(
  'mosaic emis systmone rio liquidlogic eclipse lcs carefirst protocol paris azeus frameworki niche athena pnc nhs case ref'.split(
    ' ',
  ),
);

/** The initials' letters, lower case ("Z.Q." → ["z", "q"]); fewer than two tell nothing. */
function lettersOf(initials: string | undefined): string[] {
  const letters = (initials ?? '').replace(/[^A-Za-z]/g, '').toLowerCase();
  return letters.length >= 2 ? letters.split('') : [];
}

const capitalised = (w: Word | undefined): w is Word => w !== undefined && /^\p{Lu}\p{L}*$/u.test(w.written);
/** A capitalised word that could be a name part: two letters or more, not an agency word. */
const namePart = (w: Word | undefined): w is Word =>
  capitalised(w) && w.text.length >= 2 && !NOT_NAMES.has(w.text) && !TITLES.has(w.text);
/** Written next to the word before: a space, a hyphen, or the full stop after a one-letter initial. */
const nextTo = (w: Word, before: Word): boolean =>
  /^\s+$|^\s*-\s*$/.test(w.gap) || (before.text.length === 1 && /^\.\s*$/.test(w.gap));

/**
 * Whether `words` hold a name with the adult's `initials`: two or three neighbouring capitalised
 * words, the first starting with the first initial and the last with a later one ("Zebedee
 * Quillfeather", "Zebedee A. Okonkwo", "Z. Quillfeather"); the same the other way round with a
 * comma ("Quillfeather, Zebedee"); the two run together ("ZebedeeQuillfeather", not "MacDonald");
 * or a title before a capitalised word starting with a later
 * initial ("Mrs Quillfeather", "Mr. Q").
 */
export function namedByInitials(words: readonly Word[], initials: string | undefined): boolean {
  const [first, ...rest] = lettersOf(initials);
  if (!first) return false;
  const later = (w: Word | undefined): boolean => rest.includes(w?.text[0] ?? '');
  const firstOf = (w: Word | undefined): w is Word =>
    capitalised(w) && w.text[0] === first && (w.text.length === 1 || namePart(w));
  for (let i = 0; i < words.length; i++) {
    const [a, b, c] = [words[i] as Word, words[i + 1], words[i + 2]];
    // "ZebedeeQuillfeather" (written as one word, or with an invisible space between)
    const joined = /^(\p{Lu}\p{Ll}{2,})(\p{Lu}\p{Ll}+)$/u.exec(a.written);
    if (
      joined &&
      joined[1]?.toLowerCase() !== 'mac' &&
      a.text[0] === first &&
      later({ ...a, text: joined[2]?.toLowerCase() ?? '' })
    )
      return true;
    if (TITLES.has(a.text) && namePart(b) && later(b) && /^\.?\s+$/.test(b.gap)) return true;
    if (!firstOf(a)) continue;
    // "Zebedee Quillfeather", "Z. Quillfeather"
    if (namePart(b) && later(b) && nextTo(b, a)) return true;
    // "Zebedee A. Okonkwo", "Zebedee Quill Okonkwo"
    const middle = b && capitalised(b) && (b.text.length === 1 || namePart(b)) && nextTo(b, a);
    if (middle && namePart(c) && later(c) && nextTo(c, b)) return true;
    // "Quillfeather, Zebedee"
    const before = words[i - 1];
    if (a.text.length >= 2 && namePart(before) && later(before) && /^\s*,\s*$/.test(a.gap)) return true;
  }
  return false;
}

/**
 * Whether a record number holds a word starting with one of the adult's initials that could be
 * their name: three letters or more, unless written in capitals and no longer than three (a
 * system's abbreviation, such as "LCC" or "LAS") or a record system's name ("Mosaic").
 */
export function recordNumberNamesByInitials(words: readonly Word[], initials: string | undefined): boolean {
  const letters = lettersOf(initials);
  if (letters.length === 0) return false;
  return words.some((w) => {
    const run = w.text.replace(/\d+/g, ' ').trim();
    return run
      .split(' ')
      .some(
        (part) =>
          part.length >= 3 &&
          /^[a-z]+$/.test(part) &&
          letters.includes(part[0] ?? '') &&
          !RECORD_SYSTEMS.has(part) &&
          !(part.length <= 3 && w.written.toUpperCase() === w.written),
      );
  });
}
