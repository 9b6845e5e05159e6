/**
 * Free text as words to compare. First invisible format characters are removed (zero-width
 * spaces and joiners, soft hyphens, bidi marks: \p{Cf}), so "Z\u200bebedee" reads "Zebedee";
 * then compatibility forms are read as plain ones (NFKC: full-width "Ｚｅｂ", ligatures); then
 * accents and other marks taken off (NFD, marks stripped); Cyrillic and Greek letters that look
 * like Latin ones read as those (Cyrillic "О" as "O"); apostrophes dropped (O'Brien and OBrien read alike, a possessive 's is dropped), everything
 * that is not a letter or digit a gap. Each word keeps how it was written (for capitals).
 */

/** Letters that NFD does not split into a base letter and a mark. */
const FOLD: Readonly<Record<string, string>> = {
  ø: 'o',
  Ø: 'O',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ß: 'ss',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ı: 'i',
  þ: 'th',
  Þ: 'TH',
};

export interface Word {
  /** Lower case, no marks. */
  text: string;
  /** As written (marks stripped): for telling a capitalised name from an ordinary word. */
  written: string;
  /** What stands between this word and the one before it (" ", ", ", ". "), after cleaning. */
  gap: string;
}

/** Cyrillic and Greek letters written like Latin ones, as those (a look-alike hides a name). */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  // Cyrillic
  А: 'A',
  В: 'B',
  С: 'C',
  Е: 'E',
  Н: 'H',
  І: 'I',
  Ј: 'J',
  К: 'K',
  М: 'M',
  О: 'O',
  Р: 'P',
  Ѕ: 'S',
  Т: 'T',
  Х: 'X',
  У: 'Y',
  Ү: 'Y',
  Ԛ: 'Q',
  Ԝ: 'W',
  а: 'a',
  с: 'c',
  е: 'e',
  һ: 'h',
  і: 'i',
  ј: 'j',
  к: 'k',
  о: 'o',
  р: 'p',
  ԛ: 'q',
  ѕ: 's',
  ԝ: 'w',
  х: 'x',
  у: 'y',
  ү: 'y',
  ԁ: 'd',
  // Greek
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
  α: 'a',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  υ: 'u',
  χ: 'x',
};
const LOOK_ALIKE = new RegExp(`[${Object.keys(LOOK_ALIKES).join('')}]`, 'g');

/**
 * The text with invisible characters removed, compatibility forms read plainly, marks stripped,
 * look-alike and odd letters folded, case kept. Postcodes and dates are read from this too.
 */
export function plain(text: string): string {
  return text
    .replace(/\p{Cf}+/gu, '')
    .normalize('NFKC')
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(LOOK_ALIKE, (c) => LOOK_ALIKES[c] ?? c)
    .replace(/[øØæÆœŒßłŁđĐıþÞ]/g, (c) => FOLD[c] ?? c);
}

const APOSTROPHES = /['’‘`ʼ]/g;

export function wordsOf(text: string): Word[] {
  const cleaned = plain(text)
    .replace(/['’‘`ʼ]s\b/gi, '')
    .replace(APOSTROPHES, '');
  let end = 0;
  return [...cleaned.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => {
    const gap = cleaned.slice(end, m.index);
    end = m.index + m[0].length;
    return { text: m[0].toLowerCase(), written: m[0], gap };
  });
}

/**
 * Whether `target` (already lower case, no gaps) is written at word `i` as one word or as the
 * next few words run together ("Quillfeather-Okonkwo", "Quillfeather Okonkwo",
 * "QuillfeatherOkonkwo"). Returns how many words it takes, or 0.
 */
export function spelledAt(words: readonly Word[], i: number, target: string, most = 4): number {
  let joined = '';
  for (let k = i; k < words.length && k < i + most; k++) {
    joined += (words[k] as Word).text;
    if (joined === target) return k - i + 1;
    if (!target.startsWith(joined)) return 0;
  }
  return 0;
}

/** Titles written before a name: stripped from the sealed name, and a sign of a name in text. */
export const TITLES: ReadonlySet<string> = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'mx',
  'dr',
  'doctor',
  'prof',
  'professor',
  'sir',
  'dame',
  'lady',
  'lord',
  'rev',
  'revd',
  'reverend',
  'fr',
  'master',
]);

/** Street words and their usual short forms, read alike. */
const STREET_WORDS: Readonly<Record<string, string>> = {
  rd: 'road',
  st: 'street',
  str: 'street',
  ave: 'avenue',
  av: 'avenue',
  ln: 'lane',
  cl: 'close',
  dr: 'drive',
  cres: 'crescent',
  pl: 'place',
  sq: 'square',
  gdns: 'gardens',
  ct: 'court',
  tce: 'terrace',
  terr: 'terrace',
  gr: 'grove',
  pk: 'park',
  wy: 'way',
  hse: 'house',
};

export function streetWord(word: string): string {
  return STREET_WORDS[word] ?? word;
}
