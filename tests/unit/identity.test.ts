import { findIdentity, identityMessage, postcodesIn, type KnownAdult } from '../../src/domain/personal/identity';
import { writtenDates } from '../../src/domain/personal/dates';
import { looksLikeRecordNumber } from '../../src/domain/escalation/raise-form';
import { recordNumberNamesByInitials } from '../../src/domain/personal/initials';
import { plain, wordsOf } from '../../src/domain/personal/words';

const now = new Date('2026-11-23T10:00:00Z');
const zeb: KnownAdult = {
  name: 'Zebedee Quillfeather-Okonkwo',
  dateOfBirth: '1950-03-12',
  address: '14 Elm Road, Lincoln LN2 1PX',
};
const check = (text: string, adult: KnownAdult = zeb) => findIdentity(text, adult, now);
const shape = (text: string) => findIdentity(text, undefined, now);

describe('the sealed name', () => {
  test.each([
    'Zebedee Quillfeather-Okonkwo was seen at home.',
    'zebedee quillfeather-okonkwo',
    'ZEBEDEE QUILLFEATHER-OKONKWO',
    'Quillfeather-Okonkwo, Zebedee',
    'Okonkwo Zebedee',
    'Zebedee Okonkwo',
    'Zebedee Quillfeather',
    'Mr Zebedee Quillfeather-Okonkwo',
    'Zébédée Quillfeather–Okonkwo',
    'Zebedee Quillfeather Okonkwo',
    'Zebedee QuillfeatherOkonkwo',
    'Zebedee A. Quillfeather-Okonkwo',
    'the visit to zebedee (quillfeather) went well',
    'Miss Zebedee',
  ])('%s names the adult', (text) => expect(check(text)).toBe('name'));

  test.each([
    'Mr Quillfeather-Okonkwo refused the visit.',
    'MR QUILLFEATHER-OKONKWO',
    'quillfeather-okonkwo',
    'Quillfeather said no.',
    'OKONKWO',
    'Dr. Okonkwo',
    "Okonkwo's daughter called.",
  ])('%s gives the surname', (text) => expect(check(text)).toBe('surname'));

  test('accents in the sealed name, none in the note (and the other way round)', () => {
    const adult = { name: 'Zoë Ångström-Nuñez' };
    expect(check('Zoe Angstrom-Nunez', adult)).toBe('name');
    expect(check('Mrs Nunez', adult)).toBe('surname');
    expect(check('Zoë Nuñez', { name: 'Zoe Nunez' })).toBe('name');
    expect(check('Søren Łukasz', { name: 'Soren Lukasz' })).toBe('name');
  });

  test("apostrophes and particles: O'Brien, van der Berg", () => {
    const obrien = { name: "Mrs Siobhan O'Brien" };
    for (const t of ['Siobhan OBrien', 'siobhan o brien', 'Siobhan O’Brien', 'Mrs O’Brien', 'Ms OBrien'])
      expect(check(t, obrien)).toBeDefined();
    const berg = { name: 'Anneke van der Berg' };
    expect(check('Anneke Berg', berg)).toBe('name');
    expect(check('Mrs Van Der Berg', berg)).toBe('surname');
    expect(check('the van arrived late', berg)).toBeUndefined();
  });

  test('the forename alone is allowed (too common); a one-part surname in small letters is allowed', () => {
    expect(check('Zebedee said he felt safe.')).toBeUndefined();
    const young = { name: 'Mary Young' };
    expect(check('Mary said the young carer was kind.', young)).toBe('name');
    expect(check('She said the young carer was kind.', young)).toBeUndefined();
    expect(check('Young carers visit on Fridays.', young)).toBe('surname');
    expect(check('Mary asked for a new carer.', young)).toBeUndefined();
  });

  test('a title in the sealed name is ignored', () => {
    expect(check('Arthur Penhaligon', { name: 'Dr Arthur Penhaligon' })).toBe('name');
  });

  test('nothing to compare without a name', () => {
    expect(shape('Zebedee Quillfeather-Okonkwo')).toBeUndefined();
    expect(check('Zebedee Quillfeather-Okonkwo', {})).toBeUndefined();
  });
});

describe('the date of birth', () => {
  test.each([
    '1950-03-12',
    '12/03/1950',
    '12/3/1950',
    '12.3.50',
    '12-03-50',
    '12 March 1950',
    '12th Mar 1950',
    '12th of March, 1950',
    '12-Mar-1950',
    'March 12, 1950',
    'Mar 12th 1950',
    '03/12/1950',
    'seen on 12 MARCH 1950?',
    '12 Mar 50 in Leeds',
  ])('%s is the adult’s date of birth', (text) => expect(check(`Note: ${text}`)).toBe('date-of-birth'));

  test('another date is not the date of birth (and a recent one passes)', () => {
    expect(check('Met on 12/03/2026.')).toBeUndefined();
    expect(check('Met on 13 March 2026.')).toBeUndefined();
    expect(check('Birthday in March.')).toBeUndefined();
  });
});

describe('the address', () => {
  test.each(['She lives at 14 Elm Road.', '14, elm rd', '14 ELM ROAD', 'LN2 1PX', 'ln21px', 'Ln2   1px'])(
    '%s gives the adult’s address',
    (text) => expect(check(text)).toBe('address'),
  );

  test('the street or the town alone, or another number, is allowed', () => {
    expect(check('The shop on Elm Road in Lincoln.')).toBeUndefined();
    expect(check('Room 14 at the day centre; Elm Road surgery.')).toBeUndefined();
  });

  test('a house name without a number is refused whole', () => {
    expect(check('Seen at Rose Cottage today.', { address: 'Rose Cottage, Lane End, Lincoln' })).toBe('address');
    expect(check('Seen at the cottage today.', { address: 'Rose Cottage, Lane End, Lincoln' })).toBeUndefined();
  });
});

describe('shapes refused even when no details are given', () => {
  test.each(['LN2 1PX', 'sw1a 1aa', 'M1 1AE', 'B33 8TH', 'EC1A1BB'])('%s looks like a postcode', (text) =>
    expect(shape(`Moved to ${text} last week.`)).toBe('postcode'),
  );
  test.each(['DOB 12/03/2010', 'd.o.b.: 1.1.2001', 'date of birth 4 June 2015', 'born on 3 May 1950', 'D.O.B 12.3.50'])(
    '%s is a date of birth',
    (text) => expect(shape(text)).toBe('labelled-birth-date'),
  );
  test.each(['12/03/1950', '1 January 1906', '23 November 2008', '12.3.50'])(
    '%s could be an adult’s date of birth',
    (text) => expect(shape(`Seen ${text}.`)).toBe('adult-birth-date'),
  );
  test.each([
    'Strategy meeting on 12/03/2026 at 10:00.',
    'Visited 3 May 2024 and 24 November 2008.',
    'Last seen 2026-11-20.',
    'Since June 2004 she has lived alone.',
    'NHS 485 777 3456',
    'NHS number 4857773456',
    'J.S. was seen by the GP.',
    'Care Act 2014, section 42.',
    'On the 4th floor of the hospital, ward B12 4th bay.',
    'Called at 10.30 on 3.5.26.',
    'She is 76 and lives alone.',
    'We met on 3 May 45 minutes late.',
    'Police log LAS-123456; case LCC-123456.',
    'The A1 was closed.',
  ])('%s is an ordinary note', (text) => expect(shape(text)).toBeUndefined());

  test('the age window: 18 to 120 at now', () => {
    expect(shape('24 November 2008')).toBeUndefined(); // 17 at now
    expect(shape('23 November 2008')).toBe('adult-birth-date'); // 18 today
    expect(shape('23 November 1906')).toBe('adult-birth-date'); // 120
    expect(shape('22 November 1905')).toBeUndefined(); // 121
  });
});

describe('the words of a refusal', () => {
  test('plain, naming what to do, never quoting the value', () => {
    expect(identityMessage('name', 'note', 'Z.Q.')).toBe('This note names the adult. Use their initials, Z.Q.');
    expect(identityMessage('name', 'reason')).toBe('This reason names the adult. Use their initials.');
    expect(identityMessage('labelled-birth-date', 'reason')).toBe(
      "This reason gives a date of birth. Leave it out: the record keeps the adult's details privately.",
    );
    for (const kind of [
      'name',
      'surname',
      'date-of-birth',
      'labelled-birth-date',
      'adult-birth-date',
      'address',
      'postcode',
      'name-by-initials',
    ] as const)
      expect(identityMessage(kind, 'note', 'Z.Q.')).toMatch(/^This note /);
  });
});

describe('helpers', () => {
  test('written dates, with both readings of an ambiguous number', () => {
    expect(writtenDates('03/12/1950')).toEqual([
      expect.objectContaining({ day: 3, month: 12, year: 1950, monthFirst: { day: 12, month: 3 } }),
    ]);
    expect(writtenDates('31/02/1950')).toEqual([]);
    expect(writtenDates('12/31/1950')).toEqual([expect.objectContaining({ day: 31, month: 12 })]);
  });
  test('postcodes', () => {
    expect(postcodesIn('LN2 1PX and sw1a1aa, not 4th or B12 4th')).toEqual(['LN21PX', 'SW1A1AA']);
  });
  test('record numbers look like record numbers, not words', () => {
    const real = ['NHS 485 777 3456', 'LAS-123456', 'LCC-123456', 'DIO-991', 'MOSAIC 123456', 'Mosaic 1234567'];
    for (const ok of [...real, 'PNC 12/345678A', 'AB123456C', 'LCC/2026/77', '4857773456', 'BBC-77', 'DIO-1'])
      expect({ ok, fine: looksLikeRecordNumber(ok) }).toEqual({ ok, fine: true });
    const names = ['Zebedee Quillfeather-Okonkwo', 'Zebedee', 'Zebedee Okonkwo 1', 'Zebedee 12', 'QUILLFEATHER 1'];
    // More letters than digits (but for a capital code), a long run of letters, or three runs: words.
    for (const bad of [...names, 'Z Quillfeather 7', 'Quill 1', 'Dio-1', 'A B C 123', 'not known', 'J S', 'none'])
      expect({ bad, fine: looksLikeRecordNumber(bad) }).toEqual({ bad, fine: false });
  });
});

/** The attacker's sealed adult: Zebedee Quillfeather-Okonkwo, LN2 1PX, born 3 May 1950. */
const attacked: KnownAdult = {
  name: 'Zebedee Quillfeather-Okonkwo',
  dateOfBirth: '1950-05-03',
  address: '1 Minster Yard, Lincoln LN2 1PX',
};

describe('hidden and look-alike letters are read as what they look like', () => {
  const zw = (s: string) => s.split('').join('\u200b');
  test.each([
    ['Z\u200be\u200bb\u200be\u200bd\u200be\u200be Quillfeather', 'name'],
    [`${zw('Okonkwo')} visited`, 'surname'],
    ['Zebedee \u041ekonkwo', 'name'], // Cyrillic capital O
    ['Z\u0435b\u0435d\u0435\u0435 Quillf\u0435ather', 'name'], // Cyrillic small e
    ['\u0396ebedee \u039fkonkwo', 'name'], // Greek capital Zeta and Omicron
    ['Ｚｅｂｅｄｅｅ Ｑｕｉｌｌｆｅａｔｈｅｒ', 'name'], // full-width
    ['Zebe\u00addee Quill\u00adfeather', 'name'], // soft hyphens
    ['\u202eZebedee\u202c Okonkwo', 'name'], // bidi marks
    ['Zebedee\u2060 Okonkwo', 'name'], // word joiner
    ['Zebedee\u200bQuillfeather rang', 'name'], // the invisible space was the only gap
    ['ZebedeeOkonkwo', 'name'],
    ['LN2\u200b1PX', 'address'],
    ['ＬＮ２ １ＰＸ', 'address'],
    ["Born 3 May '50", 'date-of-birth'],
    ["3 May '50", 'date-of-birth'],
    ['3/5/\u201950', 'date-of-birth'],
    ['3\u200b/05/1950', 'date-of-birth'],
  ] as const)('%j is refused as %s', (text, kind) => expect(findIdentity(text, attacked, now)).toBe(kind));

  test('without the sealed details, the shapes still show through', () => {
    expect(shape('LN2\u200b1PX')).toBe('postcode');
    expect(shape('ln2\u00a01px')).toBe('postcode');
    expect(shape("DOB 3 May '50")).toBe('labelled-birth-date');
    expect(shape("Seen on 3 May '50 at home")).toBe('adult-birth-date');
  });

  test('ordinary words still pass, and plain keeps ordinary text as it is', () => {
    for (const t of ['Met with Lincolnshire Police on 3 May', "Seen in May '25", 'NHS 485 777 3456', 'Café visit'])
      expect({ t, kind: findIdentity(t, attacked, now) }).toEqual({ t, kind: undefined });
    expect(plain('Strategy meeting, 12:00')).toBe('Strategy meeting, 12:00');
  });
});

describe("a name by the adult's initials", () => {
  const byInitials = (text: string, initials = 'Z.Q.', adult?: KnownAdult) => findIdentity(text, adult, now, initials);
  test.each([
    'Zebedee Quillfeather-Okonkwo fell at home.',
    'ZEBEDEE QUILLFEATHER was seen.',
    'Zoe Quinn rang.',
    'Zebedee A. Quill agreed.',
    'Zebedee Arthur Quill agreed.',
    'Z. Quillfeather agreed.',
    'Quillfeather, Zebedee agreed.',
    'Mrs Quinn rang.',
    'Mr. Quillfeather refused.',
    'Z\u200bebedee Q\u200buill rang.',
    'ZebedeeQuill rang.',
    'Zebedee\u200bQuill rang.',
  ])('%j is refused with Z.Q.', (text) => expect(byInitials(text)).toBe('name-by-initials'));

  test('the sealed name comes first when it is known; three initials take any later one', () => {
    expect(byInitials('Zebedee Okonkwo', 'Z.Q.', attacked)).toBe('name');
    expect(byInitials('Zebedee Okonkwo', 'Z.Q.O.')).toBe('name-by-initials');
    expect(byInitials('Zebedee Quillfeather', 'Z.Q.O.')).toBe('name-by-initials');
  });

  test.each([
    ['Met with Lincolnshire Police on 3 May', 'L.P.'],
    ['Lincolnshire Police and Lincoln County Hospital agreed.', 'L.P.'],
    ['The Social Worker visited.', 'S.W.'],
    ['Adult Social Care closed the case.', 'A.S.'],
    ['Spoke to the NHS Trust.', 'N.T.'],
    ['Home Care Services on Monday.', 'H.C.'],
    ['Z.Q. was seen at home.', 'Z.Q.'],
    ['ZQ was seen at home.', 'Z.Q.'],
    ['Mr Q. was seen at home.', 'Z.Q.'],
    ['Zebedee came. Quinn left.', 'Z.Q.'],
    ['Zoe, Quinn and the GP met.', 'Z.Q.'],
    ['Zebedee Quillfeather fell.', 'J.S.'],
    ['Zebedee Quillfeather fell.', 'Z.'],
    ['Zebedee Quillfeather fell.', ''],
    ['MacDonald rang.', 'M.D.'],
    ['McDonald rang.', 'M.D.'],
    ['Joint Strategy meeting held.', 'J.S.'],
    ['Zebedees visit', 'Z.Q.'],
  ])('%j passes with %j', (text, initials) => expect(byInitials(text, initials)).toBeUndefined());

  test('in a record number: a word of three letters or more starting with an initial', () => {
    const names = (value: string, initials = 'Z.Q.') => recordNumberNamesByInitials(wordsOf(value), initials);
    for (const bad of ['Zeb 123', 'Quill-12345', 'QUILL 12345', 'zeb123'])
      expect({ bad, named: names(bad) }).toEqual({ bad, named: true });
    for (const ok of ['ZQ 12345', 'LAS-123456', 'MOSAIC 123456', 'NHS 485 777 3456'])
      expect({ ok, named: names(ok) }).toEqual({ ok, named: false });
    expect(names('LCC-123456', 'L.C.')).toBe(false);
    expect(names('MOSAIC 123456', 'M.S.')).toBe(false);
    expect(names('Mosaic 1234567', 'M.S.')).toBe(false);
    expect(names('Zeb 123', 'J.S.')).toBe(false);
  });

  test('the refusal says what to do, and never quotes the words', () => {
    expect(identityMessage('name-by-initials', 'note', 'Z.Q.')).toBe(
      'This note may name the adult: a name in it starts with their initials, Z.Q. Use the initials instead, and call anyone else by their role (for example "the GP" or "a neighbour").',
    );
    expect(identityMessage('name-by-initials', 'record number', 'Z.Q.')).toBe(
      "This record number may name the adult: a word in it starts with their initials, Z.Q. Give the agency's own reference: digits, with at most a short system code such as 'LAS' or 'MOSAIC'.",
    );
  });
});
