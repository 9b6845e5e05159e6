/**
 * Raising's pieces: each board's contacts with a number or words saying where to find one (the
 * raiser's agency's on-call number from the directory, checked there), every problem with the
 * form at once, and the raising cards of every board through the official Adaptive Cards parser.
 */
import { readFileSync } from 'node:fs';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import { raiseRequestFrom } from '../../src/app/raise-request';
import { boardCard, emergencyCard, raiseFormCard, riskCard } from '../../src/channels/teams/raise-dialog';
import { checkDirectoryText } from '../../src/domain/directory';
import { emergencyContacts, raiseProblems, type Actor } from '../../src/domain/escalation';
import type { Procedure } from '../../src/domain/procedure';
import { parseProblems } from '../fakes/adaptive-cards';

const procedures = loadProcedures();
const directory = loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, procedures);
const board = (id: string): Procedure => {
  const p = procedures.get(id);
  if (!p) throw new Error(`no ${id}`);
  return p;
};
const agency = (id: string) => directory.agencies.find((a) => a.id === id);
const alex = directory.people.find((p) => p.id === 'alex-morgan');
const actor: Actor = { personId: 'alex-morgan', agencyId: 'lincolnshire-county-council', roles: ['practitioner'] };
const now = new Date('2026-11-23T10:00:00Z');

describe('the emergency contacts, each with a number or words saying where to find one', () => {
  test('every board’s contacts, for every agency in the example directory and for none, are never blank', () => {
    for (const procedure of procedures.values())
      for (const a of [...directory.agencies, undefined])
        for (const c of emergencyContacts(procedure, a))
          expect({ c, blank: c.detail.trim() === '' }).toEqual({ c, blank: false });
  });

  test('Lincolnshire’s "your agency’s on-call manager" shows the raiser’s agency’s own number', () => {
    const lines = emergencyContacts(board('lincolnshire'), agency('lincolnshire-police'));
    expect(lines.map((l) => l.detail)).toEqual([
      '999',
      '101',
      'Lincolnshire Police, Force control room, duty inspector: 01632 960114 · All statutory agencies have an on call manager and director system.',
    ]);
    expect(emergencyContacts(board('lincolnshire'), agency('healthwatch-lincolnshire'))[2]?.detail).toMatch(
      /^HealthWatch Lincolnshire has not given its on-call number to this bot: use your agency's own out-of-hours list/,
    );
  });

  test('a contact the board gives no number for says where to find one', () => {
    const li = board('lincolnshire');
    const risk = li.immediateRisk;
    if (!risk) throw new Error('Lincolnshire asks about immediate risk');
    const bare = { ...li, immediateRisk: { ...risk, contacts: [{ name: 'The duty desk' }] } };
    expect(emergencyContacts(bare)[0]?.detail).toMatch(
      /^The Lincolnshire Safeguarding Adults Board's procedure gives no number for this contact: see .+, or ask the board's business unit\.$/,
    );
  });

  test('the directory checks an agency’s on-call number', () => {
    const text = readFileSync(EXAMPLE_DIRECTORY_FILE, 'utf8').replace(
      'phone: "01632 960114"',
      'phone: "ring the desk"',
    );
    const checked = checkDirectoryText(text, procedures);
    expect(checked.ok ? [] : checked.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/must be a telephone number in digits, spaces and brackets, like "01632 960123"/),
    ]);
  });
});

describe('every problem with the raising form at once', () => {
  test('the core’s own problems and the directory’s, for every field together, keyed as the form names them', () => {
    const checked = raiseRequestFrom(
      board('lincolnshire'),
      directory,
      { actor },
      {
        respondingAgency: 'nowhere',
        counterpartEmail: 'nobody@else.example.org',
        initials: 'Rose Taylor',
        recordResponding: 'Rose Taylor',
        category: 'weather',
        summary: '',
        outcomeWanted: 'Born 12.3.50',
        safetyMeanwhile: 'x'.repeat(3001),
      },
      'k',
      now,
    );
    expect(checked.ok ? [] : Object.keys(checked.errors).sort()).toEqual(
      [
        'respondingAgency',
        'counterpartEmail',
        'initials',
        'recordResponding',
        'category',
        'summary',
        'outcomeWanted',
        'safetyMeanwhile',
      ].sort(),
    );
  });

  test('the core finds them all too, and names the adult’s details over another problem of the same field', () => {
    const problems = raiseProblems(
      board('north-somerset'),
      {
        actor: { ...actor, agencyId: 'council' },
        respondingAgency: { id: 'council' },
        form: { initials: 'J S', category: '', summary: 'DOB 12/03/1950', outcomeWanted: '', safetyMeanwhile: 'm' },
      },
      now,
    );
    expect(problems).toEqual({
      respondingAgency: 'Please choose the other agency involved, not your own.',
      category: 'Please choose the kind of disagreement from the list.',
      summary: expect.stringMatching(/^This description gives a date of birth/) as unknown,
      outcomeWanted: 'Please describe the outcome you want.',
    });
  });
});

describe('the raising cards, for every board, through the official parser', () => {
  test.each([...procedures.keys()])(
    '%s: the question, the contacts and (Lincolnshire) the form, urgent, with every problem',
    (id) => {
      if (!alex) throw new Error('no Alex');
      const procedure = board(id);
      const own = agency('lincolnshire-county-council');
      const cards = [
        boardCard([board('camden'), board('cheshire-east')], { problem: 'Please choose a board from the list.' }),
        riskCard(procedure, { inline: true, problem: 'Please answer yes or no.' }),
        emergencyCard(procedure, own, { next: 'What next.' }),
        emergencyCard(procedure, own, { next: 'What next.', goOn: 'Go on to the form', inline: true }),
        // The example directory has agencies to choose from under Lincolnshire only.
        ...(id === 'lincolnshire'
          ? [
              raiseFormCard(procedure, directory, alex, {
                values: { immediateRisk: 'yes' },
                errors: { initials: 'a', recordRaising: 'b', recordResponding: 'c', category: 'd', summary: 'e' },
                problem: 'Some answers need changing.',
              }),
            ]
          : []),
      ];
      for (const card of cards) {
        expect(parseProblems(card)).toEqual([]);
        expect(JSON.stringify(card)).not.toMatch(/\$\{/);
      }
      expect(JSON.stringify(cards[1])).toContain(JSON.stringify(procedure.immediateRisk?.question));
    },
  );
});
