/**
 * One render per card state: the Teams stage card for a view the bot rendered a moment ago (a
 * click's answer, then the update of the clicker's own copy) is not expanded from the template
 * again; a different state (another viewer's buttons, a new note, other refreshing users) is.
 * The card kept is shared, so it is frozen.
 */
import { Template } from 'adaptivecards-templating';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import { stageCardView } from '../../src/app/views/stage-card';
import { renderStageCard } from '../../src/channels/teams/stage-card';
import { decide, raise, type Actor } from '../../src/domain/escalation';

const procedures = loadProcedures();
const directory = loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, procedures);
const alex: Actor = { personId: 'alex-morgan', agencyId: 'lincolnshire-county-council', roles: ['practitioner'] };
const chris: Actor = { personId: 'chris-bennett', agencyId: 'lincolnshire-police', roles: ['practitioner'] };

test('the same card state is expanded once; another state, or other refreshing users, again', () => {
  const li = procedures.get('lincolnshire');
  if (!li) throw new Error('no lincolnshire');
  const raised = raise(
    li,
    {
      type: 'raise',
      actor: alex,
      sequence: 7,
      immediateRisk: false,
      respondingAgency: { id: 'lincolnshire-police' },
      respondingPersonId: 'chris-bennett',
      form: {
        initials: 'JS',
        recordNumbers: { raising: 'LCC-1', responding: '' },
        category: 'case-closure',
        summary: 's',
        outcomeWanted: 'o',
        safetyMeanwhile: 'm',
      },
    },
    new Date('2026-12-24T10:00:00Z'),
  );
  if (!raised.ok) throw new Error(raised.refusal.message);
  const now = new Date('2026-12-24T12:00:00Z');
  const view = (viewer: Actor, events = raised.events, state = raised.state): ReturnType<typeof stageCardView> =>
    stageCardView(state, { viewer, now, directory, events });
  const expand = jest.spyOn(Template.prototype, 'expand');
  try {
    const first = renderStageCard(view(alex), ['29:alex']);
    expect(expand).toHaveBeenCalledTimes(1);
    const again = renderStageCard(view(alex), ['29:alex']);
    expect(expand).toHaveBeenCalledTimes(1);
    expect(again).toEqual(first);
    // Shared, so frozen all the way down: a caller changing it would change the others' cards.
    expect(Object.isFrozen(again)).toBe(true);
    expect(Object.isFrozen((again as { body: unknown[] }).body)).toBe(true);
    expect(() => ((again as { body: unknown[] }).body.length = 0)).toThrow(TypeError);
    // Chris's buttons, other refreshing users, and a note since: each a state of its own.
    expect(renderStageCard(view(chris), ['29:alex'])).not.toEqual(first);
    expect(expand).toHaveBeenCalledTimes(2);
    renderStageCard(view(alex), ['29:alex', '29:chris']);
    expect(expand).toHaveBeenCalledTimes(3);
    const noted = decide(raised.state, { type: 'add-note', actor: chris, text: 'Visited today.' }, now);
    if (!noted.ok) throw new Error(noted.refusal.message);
    const withNote = renderStageCard(view(alex, [...raised.events, ...noted.events], noted.state), ['29:alex']);
    expect(expand).toHaveBeenCalledTimes(4);
    expect(JSON.stringify(withNote)).toContain('Visited today.');
  } finally {
    expand.mockRestore();
  }
});
