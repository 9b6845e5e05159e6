/**
 * Teams: the line and the "Complete the form" card on someone's own view of the stage card, for
 * a board's form they are to complete (North Somerset: "the senior manager completes the
 * Monitoring Form"), parsed by the Adaptive Cards parser with no warnings.
 */
import { loadProcedures } from '../../src/app/procedures';
import { simulationDirectory } from '../../src/app/simulate';
import { stageCardView } from '../../src/app/views/stage-card';
import { renderStageCard } from '../../src/channels/teams/stage-card';
import { raise, type CaseState } from '../../src/domain/escalation';
import { parseProblems } from '../fakes/adaptive-cards';

const ns = loadProcedures().get('north-somerset');
if (!ns) throw new Error('no north-somerset');
const directory = simulationDirectory(ns);
const now = new Date('2026-11-26T10:00:00.000Z');

function resolvedAtStage3(): CaseState {
  const d = raise(
    ns as NonNullable<typeof ns>,
    {
      type: 'raise',
      actor: { personId: 'a-practitioner', agencyId: 'agency-a', roles: ['practitioner'] },
      sequence: 1,
      immediateRisk: false,
      respondingAgency: { id: 'agency-b' },
      respondingPersonId: 'b-practitioner',
      form: {
        initials: 'JS',
        category: ns?.categories?.[0]?.id ?? 'other',
        summary: 'The trust closed the case.',
        outcomeWanted: 'Reopen it.',
        safetyMeanwhile: 'Daily visits.',
      },
    },
    new Date('2026-11-23T10:00:00.000Z'),
  );
  if (!d.ok) throw new Error(d.refusal.message);
  const prior = d.state.stages.map((r) => ({ ...r, ended: 'escalated' as const, endedAt: '2026-11-24T10:00:00Z' }));
  return {
    ...d.state,
    status: 'resolved',
    outcome: { stage: 'stage-3', text: 'Reopened.', outstandingIssues: 'None.', at: '2026-11-25T10:00:00.000Z' },
    stages: [
      ...prior,
      {
        id: 'stage-3',
        number: 3,
        startedAt: '2026-11-24T10:00:00.000Z',
        endedAt: '2026-11-25T10:00:00.000Z',
        ended: 'resolved',
        acknowledged: {},
        deadlines: [],
      },
    ],
  };
}

/** Every object in a card, depth first. */
function all(node: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(node)) return node.flatMap(all);
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    return [o, ...Object.values(o).flatMap(all)];
  }
  return [];
}

test('the senior manager’s own card: the line, and Complete the form with its one optional question and the complete-form verb', () => {
  const state = resolvedAtStage3();
  const viewer = { personId: 'a-senior-manager', agencyId: 'agency-a', roles: ['senior-manager'] };
  const card = renderStageCard(stageCardView(state, { viewer, now, directory }), ['29:a']);
  expect(parseProblems(card)).toEqual([]);
  const nodes = all(card);
  expect(
    nodes.some(
      (n) =>
        n.type === 'TextBlock' &&
        String(n.text).startsWith("The procedure asks you to complete North Somerset's monitoring form (Appendix 2)"),
    ),
  ).toBe(true);
  const inputs = nodes.filter((n) => n.type === 'Input.Text' && String(n.id).startsWith('complete-form.'));
  expect(inputs.map((i) => [i.id, i.isRequired])).toEqual([['complete-form.completerComments', false]]);
  const submit = nodes.find((n) => n.type === 'Action.Execute' && n.verb === 'complete-form');
  expect(submit?.data).toEqual({
    reference: state.reference,
    stage: 'stage-3',
    form: 'north-somerset-monitoring',
    verb: 'complete-form',
  });
});

test('someone not asked to complete it sees no such line or button', () => {
  const viewer = { personId: 'a-practitioner', agencyId: 'agency-a', roles: ['practitioner'] };
  const card = renderStageCard(stageCardView(resolvedAtStage3(), { viewer, now, directory }), ['29:a']);
  expect(parseProblems(card)).toEqual([]);
  expect(JSON.stringify(card)).not.toContain('complete-form');
});
