/** The read policy (src/app/access.ts): who may see a case, and what the security log may name. */
import { actionName, mayAccess, NOT_AVAILABLE, notAvailable } from '../../src/app/access';
import { loadDirectoryFile, loadProcedures, EXAMPLE_DIRECTORY_FILE } from '../../src/app/procedures';
import { actorFor } from '../../src/app/people';
import { raise, type Actor, type CaseState } from '../../src/domain/escalation';
import { calendarFor } from '../../src/domain/escalation';

const procedures = loadProcedures();
const directory = loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, procedures);
const now = new Date('2026-11-23T10:00:00Z');
const lincolnshire = procedures.get('lincolnshire');
if (!lincolnshire) throw new Error('no lincolnshire procedure');

const actor = (id: string): Actor => {
  const person = directory.people.find((p) => p.id === id);
  if (!person) throw new Error(`no ${id}`);
  return actorFor(directory, person, now);
};

function raised(): CaseState {
  const decision = raise(
    lincolnshire as NonNullable<typeof lincolnshire>,
    {
      type: 'raise',
      sequence: 1,
      actor: actor('alex-morgan'),
      immediateRisk: false,
      respondingAgency: { id: 'lincolnshire-police', boards: ['lincolnshire'] },
      respondingPersonId: 'chris-bennett',
      form: {
        initials: 'J S',
        category: 'case-closure',
        summary: 'The police closed the referral.',
        outcomeWanted: 'Reopen it.',
        safetyMeanwhile: 'Daily visits.',
      },
    },
    now,
    calendarFor(lincolnshire as NonNullable<typeof lincolnshire>),
  );
  if (!decision.ok) throw new Error(decision.refusal.message);
  return decision.state;
}

describe('who may see a case', () => {
  const state = raised();

  test('its parties and the role holders of its two agencies', () => {
    expect(mayAccess(state, actor('alex-morgan'), directory)).toBe(true);
    expect(mayAccess(state, actor('chris-bennett'), directory)).toBe(true);
    expect(mayAccess(state, actor('fiona-walsh'), directory)).toBe(true);
  });

  test('not someone of a third agency under the same board, nor anyone with no roles', () => {
    expect(mayAccess(state, actor('kwame-asante'), directory)).toBe(false);
    expect(mayAccess(state, { personId: 'someone', agencyId: 'lincolnshire-police', roles: [] }, directory)).toBe(
      false,
    );
  });

  test('a board role counts only in the board’s own agency, or (without a directory) for that board', () => {
    const boardRole = lincolnshire?.roles.find((r) => r.scope === 'board')?.id ?? '';
    expect(boardRole).not.toBe('');
    const elsewhere: Actor = { personId: 'b', agencyId: 'boston-borough-council', roles: [boardRole] };
    expect(mayAccess(state, elsewhere, directory)).toBe(false);
    expect(mayAccess(state, { ...elsewhere, boards: ['lincolnshire'] })).toBe(true);
    expect(mayAccess(state, { ...elsewhere, boards: ['camden'] })).toBe(false);
  });
});

test('the neutral refusal says nothing of the case', () => {
  expect(notAvailable()).toEqual({ code: 'not-a-party', message: NOT_AVAILABLE });
  expect(NOT_AVAILABLE).toBe('This case is not available to you.');
});

test('the security log names only actions the bot knows', () => {
  expect(actionName('acknowledge')).toBe('acknowledge');
  expect(actionName('refresh')).toBe('refresh');
  for (const sent of ['__proto__', 'constructor', 'x'.repeat(5000), '', 42, undefined, { a: 1 }])
    expect(actionName(sent)).toBe('unknown');
});
