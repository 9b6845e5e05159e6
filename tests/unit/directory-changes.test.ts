/**
 * The directory's history folded into people, who gave each role (so a group takes away only
 * what it gave), stable ids for people learned from a platform, and the words people type to set
 * their absence, read as UK dates (the next occurrence, across the year end).
 */
import {
  applyChange,
  foldChanges,
  learnedPersonId,
  noteGrant,
  parseAway,
  type DirectoryChange,
  type Person,
} from '../../src/domain/directory';

const person = (id: string, roles: string[] = ['practitioner']): Person => ({
  id,
  name: id,
  email: `${id}@example.org`,
  agency: 'council',
  roles,
  away: [],
  example: false,
});

describe('parseAway', () => {
  const today = '2026-12-03';
  test.each([
    [
      'away 3 to 7 January, Catherine Doyle covers',
      { from: '2027-01-03', to: '2027-01-07', deputy: 'Catherine Doyle' },
    ],
    ['away until 9 January', { from: '2026-12-03', to: '2027-01-09' }],
    ['away today', { from: '2026-12-03', to: '2026-12-03' }],
    ['away tomorrow', { from: '2026-12-04', to: '2026-12-04' }],
    ['away 28 December to 2 January', { from: '2026-12-28', to: '2027-01-02' }],
    ['away 3-7 Jan covered by <@U0ABC>', { from: '2027-01-03', to: '2027-01-07', deputy: '<@U0ABC>' }],
    ['Away 1st to 4th December.', { from: '2026-12-01', to: '2026-12-04' }],
    ['away 2 December', { from: '2027-12-02', to: '2027-12-02' }],
    [
      'away 10 March 2027 to 12 March 2027, sam@example.org covers',
      { from: '2027-03-10', to: '2027-03-12', deputy: 'sam@example.org' },
    ],
  ])('%s', (text, expected) => {
    expect(parseAway(text, today)).toEqual({ kind: 'away-set', ...expected });
  });

  test('back, away on its own, and what is not about absence', () => {
    expect(parseAway('back', today)).toEqual({ kind: 'back' });
    expect(parseAway("I'm back", today)).toEqual({ kind: 'back' });
    expect(parseAway('away', today)).toEqual({ kind: 'away-show' });
    expect(parseAway('my cases', today)).toBeUndefined();
    expect(parseAway(42, today)).toBeUndefined();
  });

  test.each([
    ['away 31 February', /not a date I can read/],
    ['away soon', /Write it like/],
    ['away 7 to 3 January', /end before it starts/],
    ['away 1 January 2026', /already over/],
    ['away 1 January 2027 to 5 March 2028', /at most a year/],
  ])('%s is refused in words', (text, words) => {
    const got = parseAway(text, today);
    expect(got?.kind).toBe('away-invalid');
    expect(got && 'words' in got ? got.words : '').toMatch(words);
  });
});

describe('the fold', () => {
  test('each kind of change, in order; a change naming nobody known changes nothing', () => {
    const changes: DirectoryChange[] = [
      { kind: 'imported', file: 'a.yaml', people: [person('ann'), person('ben', ['line-manager'])] },
      { kind: 'person-learned', platform: 'slack', via: 'platform', person: { ...person('cat'), slackUserId: 'U1' } },
      { kind: 'role-assigned', personId: 'ann', role: 'line-manager', source: 'ben' },
      { kind: 'role-removed', personId: 'ann', role: 'practitioner', source: 'ben' },
      { kind: 'absence-set', personId: 'ben', from: '2026-12-01', to: '2026-12-05', deputy: 'ann' },
      { kind: 'absence-set', personId: 'ben', from: '2026-12-20', to: '2026-12-24' },
      { kind: 'person-updated', personId: 'cat', before: {}, after: { teamsAadObjectId: 'x' }, why: 'email' },
      { kind: 'role-assigned', personId: 'nobody', role: 'line-manager', source: 'ben' },
    ];
    const people = foldChanges([], changes);
    expect(people.map((p) => p.id)).toEqual(['ann', 'ben', 'cat']);
    expect(people[0]?.roles).toEqual(['line-manager']);
    expect(people[1]).toEqual(
      expect.objectContaining({
        deputy: 'ann',
        away: [
          { from: '2026-12-01', to: '2026-12-05' },
          { from: '2026-12-20', to: '2026-12-24' },
        ],
      }),
    );
    expect(people[2]).toEqual(expect.objectContaining({ slackUserId: 'U1', teamsAadObjectId: 'x' }));
    const back = applyChange(people, { kind: 'absence-cleared', personId: 'ben', on: '2026-12-03' });
    expect(back[1]?.away).toEqual([]);
    // The last role is never taken away.
    expect(
      applyChange(people, { kind: 'role-removed', personId: 'ann', role: 'line-manager', source: 'x' })[0]?.roles,
    ).toEqual(['line-manager']);
  });

  test('an import keeps a chat identity learned since, when the file has none', () => {
    const learned = foldChanges(
      [],
      [{ kind: 'imported', file: 'a', people: [{ ...person('ann'), slackUserId: 'U9' }] }],
    );
    const again = applyChange(learned, { kind: 'imported', file: 'a', people: [{ ...person('ann'), name: 'Ann B' }] });
    expect(again[0]).toEqual(expect.objectContaining({ name: 'Ann B', slackUserId: 'U9' }));
  });

  test('who gave a role: a group takes away only its own grant', () => {
    const grants = new Map<string, Set<string>>();
    noteGrant(grants, { kind: 'imported', file: 'a', people: [person('ann', ['line-manager'])] });
    noteGrant(grants, { kind: 'role-assigned', personId: 'ann', role: 'line-manager', source: 'group:managers' });
    noteGrant(grants, { kind: 'role-removed', personId: 'ann', role: 'line-manager', source: 'group:managers' });
    expect([...(grants.get('ann:line-manager') ?? [])]).toEqual(['file']);
    noteGrant(grants, { kind: 'role-removed', personId: 'ann', role: 'line-manager', source: 'catherine' });
    expect(grants.get('ann:line-manager')).toBeUndefined();
  });
});

test('learned people get stable ids that two people of the same name never share', () => {
  expect(learnedPersonId('Rosa Quinn', 'slack', 'U0LDIO0099')).toBe('rosa-quinn-u0ldio0099');
  expect(learnedPersonId('Rosa Quinn', 'teams', '4B0C7F0E-1d2e-4f3a-9b8c-7d6e5f4a3b2c')).toBe('rosa-quinn-4b0c7f0e');
  expect(learnedPersonId('Zoë O’Brien-Smith', 'slack', 'U1')).toBe('zoe-o-brien-smith-u1');
  expect(learnedPersonId('   ', 'slack', 'U1')).toBe('person-u1');
  expect(learnedPersonId('Rosa Quinn', 'slack', 'U2')).not.toBe(learnedPersonId('Rosa Quinn', 'slack', 'U3'));
});
