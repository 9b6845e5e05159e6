/**
 * Free text as words to compare: accents and other marks taken off (NFD, marks stripped),
 * apostrophes dropped (O'Brien and OBrien read alike, a possessive 's is dropped), everything
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
}

/** The text with marks stripped and odd letters folded, case kept. */
export function plain(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[øØæÆœŒßłŁđĐıþÞ]/g, (c) => FOLD[c] ?? c);
}

const APOSTROPHES = /['’‘`ʼ]/g;

export function wordsOf(text: string): Word[] {
  const cleaned = plain(text)
    .replace(/['’‘`ʼ]s\b/gi, '')
    .replace(APOSTROPHES, '');
  return [...cleaned.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => ({ text: m[0].toLowerCase(), written: m[0] }));
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
