import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import {
  checkDirectoryText,
  roleHolders,
  rolesActingIn,
  type Directory,
  type RoleHolder,
} from '../../src/domain/directory';
import type { Problem } from '../../src/domain/files/problems';

const procedures = loadProcedures();
const exampleText = readFileSync(EXAMPLE_DIRECTORY_FILE, 'utf8');
const example = loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, procedures);

/** The directory in `text`, which must pass every check. */
function directoryOf(text: string): Directory {
  const checked = checkDirectoryText(text, procedures);
  if (!checked.ok)
    throw new Error(
      `expected a valid directory, got:\n${checked.problems.map((p) => `line ${p.line ?? '?'}: ${p.message}`).join('\n')}`,
    );
  return checked.value;
}

/** The problems with `text`, which must fail the checks. */
function problemsOf(text: string): Problem[] {
  const checked = checkDirectoryText(text, procedures);
  if (checked.ok) throw new Error('expected the directory to have problems');
  return checked.problems;
}

/**
 * Replace `from` with `to` inside the block of the agency or person `id` in the example text
 * (blocks are separated by blank lines). Fails loudly if `from` is not there exactly once, so
 * a change to the example file cannot silently turn a broken variant into a valid one.
 */
function edit(text: string, id: string, from: string, to: string): string {
  const start = text.indexOf(`  - id: ${id}\n`);
  if (start < 0) throw new Error(`no block "${id}" in the directory text`);
  const blankLine = text.indexOf('\n\n', start);
  const end = blankLine < 0 ? text.length : blankLine;
  const block = text.slice(start, end);
  if (block.split(from).length !== 2) throw new Error(`"${from}" is not in the block "${id}" exactly once`);
  return text.slice(0, start) + block.replace(from, to) + text.slice(end);
}

const lineOf = (text: string, line: number | undefined): string => {
  if (line === undefined) throw new Error('the problem has no line number');
  return text.split('\n')[line - 1] ?? '';
};

/** The one problem whose message matches. */
function theProblem(problems: readonly Problem[], message: RegExp): Problem {
  const matching = problems.filter((p) => message.test(p.message));
  if (matching.length !== 1)
    throw new Error(
      `expected one problem matching ${String(message)}, found ${matching.length}:\n${problems.map((p) => p.message).join('\n')}`,
    );
  return matching[0] as Problem;
}

const ids = (holders: readonly RoleHolder[]): string[] =>
  holders.map((h) =>
    h.actingFor.length > 0 ? `${h.person.id} (acting for ${h.actingFor.map((p) => p.id).join(', ')})` : h.person.id,
  );

describe('the shipped example directory (Lincolnshire, Appendix 2)', () => {
  const appendix2 = example.agencies.filter((a) => a.id !== 'lincolnshire-sab');

  test('loads against the shipped procedures: 22 agencies (21 from Appendix 2 and the board business unit), all under Lincolnshire', () => {
    expect(checkDirectoryText(exampleText, procedures).ok).toBe(true);
    expect(example.agencies).toHaveLength(22);
    expect(appendix2).toHaveLength(21);
    expect(new Set(example.agencies.map((a) => a.id)).size).toBe(22);
    expect(example.agencies.every((a) => a.boards.length === 1 && a.boards[0] === 'lincolnshire')).toBe(true);
  });

  test('agency names and Senior Liaison Officer titles are exactly those of Appendix 2 (grouped by kind, so compared as a set)', () => {
    const seed = readFileSync(join(__dirname, '..', 'fixtures', 'seeds', '003_abd5cd6b3900292a.txt'), 'utf8');
    const section = seed.slice(seed.indexOf('Appendix 2:'), seed.indexOf('Version Control'));
    const rows = section
      .split('\n')
      .map((line) => /^([^\t]+)\t([^\t]+?)\s*$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => `${m[1]} | ${m[2]}`);
    expect(rows).toHaveLength(21);
    expect(appendix2.map((a) => `${a.name} | ${a.roleTitles['senior-liaison-officer']}`).sort()).toEqual(
      [...rows].sort(),
    );
  });

  test.each([
    ['lincolnshire-police', 'Lincolnshire Police', 'Head of Public Protection Unit'],
    ['lincolnshire-county-council', 'Lincolnshire County Council', 'County Manager for Adult Safeguarding'],
    [
      'humberside-lincolnshire-north-yorkshire-crc',
      'HumberSide Lincolnshire North Yorkshire CRC',
      'Lead for Safeguarding Children and Adults',
    ],
    ['irc-morton-hall', 'Immigration Removal Centre (IRC) Morton Hall', 'Centre Manager'],
    [
      'lincolnshire-fire-and-rescue',
      'Lincolnshire Fire and Rescue',
      'Area Manager, Planning, Prevention and Protection.',
    ],
    ['diocese-of-lincoln', 'Diocese of Lincoln', "Bishop's Safeguarding Advisor"],
    ['united-lincolnshire-hospitals', 'United Lincolnshire Health Trust', 'Named Professional Adult Safeguarding'],
  ])('%s is "%s", its SLO the "%s"', (id, name, slo) => {
    const agency = example.agencies.find((a) => a.id === id);
    expect(agency?.name).toBe(name);
    expect(agency?.roleTitles['senior-liaison-officer']).toBe(slo);
  });

  test('every person is invented and marked example: true', () => {
    expect(example.people).toHaveLength(22);
    expect(example.people.filter((p) => !p.example).map((p) => p.id)).toEqual([]);
    expect(example.people.every((p) => p.email.endsWith('.example.org'))).toBe(true);
  });
});

describe('checkDirectoryText lists every problem, with its line and what to change', () => {
  const broken = [
    (t: string) =>
      edit(
        t,
        'boston-borough-council',
        'senior-liaison-officer: Safeguarding Lead',
        'senior-liaison-officer: Safeguarding Lead\n      second-tier-manager: Head of Service',
      ),
    (t: string) => edit(t, 'lincolnshire-police', 'boards: [lincolnshire]', 'boards: [lincolnshire, fenland]'),
    (t: string) =>
      edit(t, 'priya-shah', '{ from: 2026-12-21, to: 2027-01-01 }', '{ from: 2026-12-21, to: 2026-12-01 }'),
    (t: string) => edit(t, 'chris-bennett', 'agency: lincolnshire-police', 'agency: lincolnshire-constabulary'),
    (t: string) => edit(t, 'fiona-walsh', 'deputy: mark-ellison', 'deputy: grace-adeyemi'),
    (t: string) => edit(t, 'mark-ellison', 'roles: [senior-liaison-officer]', 'roles: [senior-liaison-officer, panel]'),
    (t: string) => edit(t, 'hannah-price', '    teamsAadObjectId: 13275b82-85e8-4178-a27d-e453b4fec754\n', ''),
    (t: string) => edit(t, 'daniel-reeve', 'deputy: grace-adeyemi', 'deputy: grace-adeymi'),
    (t: string) => edit(t, 'aisha-khan', 'deputy: ruth-gallagher', 'deputy: aisha-khan'),
    (t: string) =>
      edit(t, 'ruth-gallagher', 'email: ruth.gallagher@lpft.nhs.example.org', 'email: Aisha.Khan@LPFT.nhs.example.org'),
    (t: string) => edit(t, 'megan-hart', '    slackUserId: U0LHWL0001\n', ''),
  ].reduce((text, change) => change(text), exampleText);
  const problems = problemsOf(broken);

  test.each<[string, RegExp, RegExp, string]>([
    [
      'a role title for a role the boards do not use',
      /^gives a title for the role "second-tier-manager", which no procedure of this agency's boards uses$/,
      /\(boston-borough-council\) › roleTitles › second-tier-manager$/,
      'second-tier-manager: Head of Service',
    ],
    [
      'an unknown board',
      /^names the board "fenland", which has no procedure file \(boards: camden, cheshire-east, lincolnshire, luton, north-somerset\)$/,
      /\(lincolnshire-police\) › boards › 2nd$/,
      'fenland',
    ],
    [
      'an absence that ends before it starts',
      /^the absence ends \(2026-12-01\) before it starts \(2026-12-21\)$/,
      /\(priya-shah\) › away › 1st$/,
      'to: 2026-12-01',
    ],
    [
      'a person in an unknown agency',
      /^names the agency "lincolnshire-constabulary", which is not in "agencies"$/,
      /\(chris-bennett\) › agency$/,
      'agency: lincolnshire-constabulary',
    ],
    [
      'a deputy in another agency',
      /^names the deputy "grace-adeyemi", who works in another agency; a deputy must be in the same agency$/,
      /\(fiona-walsh\) › deputy$/,
      'deputy: grace-adeyemi',
    ],
    [
      'a role no procedure of the agency’s boards uses',
      /^holds the role "panel", which no procedure of Lincolnshire Police's boards uses \(roles there: practitioner, line-manager, senior-liaison-officer, independent-chair, review-and-learning-group, directory-admin\)$/,
      /\(mark-ellison\) › roles › 2nd$/,
      'roles: [senior-liaison-officer, panel]',
    ],
    [
      'a Teams agency person without teamsAadObjectId',
      /^works at United Lincolnshire Health Trust, which uses Microsoft Teams, so they need a "teamsAadObjectId"$/,
      /\(hannah-price\)$/,
      'id: hannah-price',
    ],
    [
      'a deputy who does not exist',
      /^names the deputy "grace-adeymi", who is not in "people"$/,
      /\(daniel-reeve\) › deputy$/,
      'deputy: grace-adeymi',
    ],
    [
      'a person who is their own deputy',
      /^a person cannot be their own deputy$/,
      /\(aisha-khan\) › deputy$/,
      'deputy: aisha-khan',
    ],
    [
      'an email address given twice (in any case)',
      /^the email address Aisha\.Khan@LPFT\.nhs\.example\.org is also given for "aisha-khan"; each person needs their own$/,
      /\(ruth-gallagher\) › email$/,
      'Aisha.Khan@LPFT.nhs.example.org',
    ],
    [
      'a Slack agency person without slackUserId',
      /^works at HealthWatch Lincolnshire, which uses Slack, so they need a "slackUserId"$/,
      /\(megan-hart\)$/,
      'id: megan-hart',
    ],
  ])('%s', (_what, message, where, onLine) => {
    const problem = theProblem(problems, message);
    expect(problem.where).toMatch(where);
    expect(lineOf(broken, problem.line)).toContain(onLine);
  });

  test('all eleven are reported together, in the order of the file', () => {
    expect(problems).toHaveLength(11);
    const lines = problems.map((p) => p.line ?? 0);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(new Set(lines).size).toBe(11);
  });

  test('GUIDs that are not GUIDs (a person’s Entra object id, an agency’s tenant id) are shape problems, each on its line', () => {
    const text = [
      (t: string) =>
        edit(
          t,
          'boston-borough-council',
          'tenantId: 4d823698-5f02-48ab-b2ec-f0724a3d1e9b',
          'tenantId: 4d823698-5f02-48ab-b2ec-f0724a3d1e9',
        ),
      (t: string) =>
        edit(
          t,
          'sam-okafor',
          'teamsAadObjectId: 542121c7-bc68-489c-887a-17a02a107888',
          'teamsAadObjectId: 542121c7-bc68-489c-887a-17a02a10788z',
        ),
    ].reduce((t, change) => change(t), exampleText);
    const found = problemsOf(text);
    expect(found).toHaveLength(2);
    const tenant = theProblem(
      found,
      /^must be the Microsoft Entra tenant id \(a GUID\) \(it is "4d823698-5f02-48ab-b2ec-f0724a3d1e9"\)\.$/,
    );
    expect(tenant.where).toBe('agencies › 2nd (boston-borough-council) › teams › tenantId');
    expect(lineOf(text, tenant.line)).toContain('4d823698-5f02-48ab-b2ec-f0724a3d1e9 }');
    const person = theProblem(
      found,
      /^must be the person's Microsoft Entra object id \(a GUID\) \(it is "542121c7-bc68-489c-887a-17a02a10788z"\)\.$/,
    );
    expect(person.where).toBe('people › 3rd (sam-okafor) › teamsAadObjectId');
    expect(lineOf(text, person.line)).toContain('542121c7-bc68-489c-887a-17a02a10788z');
  });

  test('a shape problem does not hide cross-reference problems in the same file', () => {
    const text = [
      (t: string) =>
        edit(t, 'sam-okafor', 'teamsAadObjectId: 542121c7-bc68-489c-887a-17a02a107888', 'teamsAadObjectId: not-a-guid'),
      (t: string) => edit(t, 'lincolnshire-police', 'boards: [lincolnshire]', 'boards: [lincolnshire, fenland]'),
    ].reduce((t, change) => change(t), exampleText);
    const found = problemsOf(text);
    expect(found.map((p) => p.message)).toEqual([
      expect.stringMatching(/board "fenland"/),
      expect.stringMatching(/GUID/),
    ]);
  });
});

describe('who holds a role on a date: deputies stand in for people who are away', () => {
  const lcc = 'lincolnshire-county-council';

  test('Priya Shah (away 21 December 2026 to 1 January 2027) is replaced by her deputy Sam Okafor while away', () => {
    expect(ids(roleHolders(example, lcc, 'line-manager', '2026-12-18'))).toEqual(['priya-shah', 'sam-okafor']);
    expect(ids(roleHolders(example, lcc, 'line-manager', '2026-12-22'))).toEqual([
      'sam-okafor (acting for priya-shah)',
    ]);
    const [holder] = roleHolders(example, lcc, 'line-manager', '2026-12-22');
    expect(holder?.person.name).toBe('Sam Okafor');
    expect(holder?.actingFor.map((p) => p.name)).toEqual(['Priya Shah']);
    // The absence includes its first and last days.
    expect(ids(roleHolders(example, lcc, 'line-manager', '2026-12-21'))).toEqual([
      'sam-okafor (acting for priya-shah)',
    ]);
    expect(ids(roleHolders(example, lcc, 'line-manager', '2027-01-01'))).toEqual([
      'sam-okafor (acting for priya-shah)',
    ]);
    expect(ids(roleHolders(example, lcc, 'line-manager', '2027-01-04'))).toEqual(['priya-shah', 'sam-okafor']);
  });

  test('roles are per agency: another agency’s role holders are untouched', () => {
    expect(ids(roleHolders(example, 'lincolnshire-police', 'line-manager', '2026-12-22'))).toEqual(['fiona-walsh']);
    expect(ids(roleHolders(example, lcc, 'senior-liaison-officer', '2026-12-22'))).toEqual(['jordan-hughes']);
    expect(roleHolders(example, lcc, 'panel', '2026-12-22')).toEqual([]);
  });

  test('rolesActingIn: the deputy takes on the absent person’s roles only while they are away', () => {
    expect(rolesActingIn(example, 'sam-okafor', '2026-12-22')).toEqual({
      roles: ['line-manager'],
      actingFor: ['priya-shah'],
    });
    expect(rolesActingIn(example, 'sam-okafor', '2026-12-18')).toEqual({ roles: ['line-manager'], actingFor: [] });
    expect(rolesActingIn(example, 'nobody', '2026-12-22')).toEqual({ roles: [], actingFor: [] });
  });

  test('following the chain: with Jordan Hughes away too, Sam Okafor acts as senior liaison officer for him (Jordan → Priya, away → Sam)', () => {
    const text = edit(
      exampleText,
      'jordan-hughes',
      'deputy: priya-shah',
      'deputy: priya-shah\n    away:\n      - { from: 2026-12-22, to: 2026-12-23 }',
    );
    const d = directoryOf(text);
    expect(ids(roleHolders(d, lcc, 'senior-liaison-officer', '2026-12-22'))).toEqual([
      'sam-okafor (acting for jordan-hughes)',
    ]);
    const acting = rolesActingIn(d, 'sam-okafor', '2026-12-22');
    expect([...acting.roles].sort()).toEqual(['line-manager', 'senior-liaison-officer']);
    expect(acting.actingFor).toEqual(['priya-shah', 'jordan-hughes']);
    // Before Priya's absence, Jordan's deputy is Priya herself.
    const early = edit(
      exampleText,
      'jordan-hughes',
      'deputy: priya-shah',
      'deputy: priya-shah\n    away:\n      - { from: 2026-12-17, to: 2026-12-18 }',
    );
    expect(ids(roleHolders(directoryOf(early), lcc, 'senior-liaison-officer', '2026-12-18'))).toEqual([
      'priya-shah (acting for jordan-hughes)',
    ]);
    expect(rolesActingIn(directoryOf(early), 'priya-shah', '2026-12-18')).toEqual({
      roles: ['line-manager', 'senior-liaison-officer'],
      actingFor: ['jordan-hughes'],
    });
  });

  describe('a small agency whose deputies form a circle (Ann → Ben → Cat → Ann)', () => {
    const person = (id: string, role: string, deputy: string, from: string, to: string): string =>
      [
        `  - id: ${id}`,
        `    name: ${id[0]?.toUpperCase() ?? ''}${id.slice(1)}`,
        `    email: ${id}@tiny.example.org`,
        `    slackUserId: U0${id.toUpperCase()}`,
        '    agency: tiny-trust',
        `    roles: [${role}]`,
        `    deputy: ${deputy}`,
        `    away: [{ from: ${from}, to: ${to} }]`,
      ].join('\n');
    const tiny = directoryOf(
      [
        'agencies:',
        '  - id: tiny-trust',
        '    name: Tiny Trust',
        '    boards: [lincolnshire]',
        '    platform: slack',
        '    slack: { teamId: T0TINY }',
        'people:',
        person('ann', 'line-manager', 'ben', '2026-12-21', '2027-01-01'),
        person('ben', 'practitioner', 'cat', '2026-12-24', '2026-12-31'),
        person('cat', 'senior-liaison-officer', 'ann', '2026-12-21', '2026-12-24'),
        '',
      ].join('\n'),
    );

    test('when everyone in the chain is away, nobody holds the role (and the circle ends)', () => {
      expect(roleHolders(tiny, 'tiny-trust', 'line-manager', '2026-12-24')).toEqual([]);
      expect(roleHolders(tiny, 'tiny-trust', 'practitioner', '2026-12-24')).toEqual([]);
      expect(roleHolders(tiny, 'tiny-trust', 'senior-liaison-officer', '2026-12-24')).toEqual([]);
      expect(rolesActingIn(tiny, 'ben', '2026-12-24')).toEqual({ roles: ['practitioner'], actingFor: [] });
    });

    test('the first one in the chain who is at work acts, for the person who holds the role', () => {
      expect(ids(roleHolders(tiny, 'tiny-trust', 'line-manager', '2026-12-22'))).toEqual(['ben (acting for ann)']);
      expect(ids(roleHolders(tiny, 'tiny-trust', 'senior-liaison-officer', '2026-12-22'))).toEqual([
        'ben (acting for cat)',
      ]);
      // Ann and Ben away, Cat back: Cat acts for Ann (through Ben) and for Ben.
      expect(ids(roleHolders(tiny, 'tiny-trust', 'line-manager', '2026-12-28'))).toEqual(['cat (acting for ann)']);
      const cat = rolesActingIn(tiny, 'cat', '2026-12-28');
      expect([...cat.roles].sort()).toEqual(['line-manager', 'practitioner', 'senior-liaison-officer']);
      expect(cat.actingFor).toEqual(['ann', 'ben']);
      // Everyone back.
      expect(ids(roleHolders(tiny, 'tiny-trust', 'line-manager', '2027-01-04'))).toEqual(['ann']);
    });
  });

  test('the answer does not depend on the order of people in the file', () => {
    const sam = example.people.find((p) => p.id === 'sam-okafor');
    if (!sam) throw new Error('no sam-okafor');
    const reordered: Directory = { ...example, people: [sam, ...example.people.filter((p) => p !== sam)] };
    expect(rolesActingIn(reordered, 'sam-okafor', '2026-12-22')).toEqual(
      rolesActingIn(example, 'sam-okafor', '2026-12-22'),
    );
  });
});
