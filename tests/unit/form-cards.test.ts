/**
 * A board's form someone is to complete, on their own card (North Somerset's monitoring form: "the
 * senior manager completes the Monitoring Form"): on Slack the line, the button and the modal that
 * asks what the form needs typed; on Teams the line and the "Complete the form" card, parsed by the
 * Adaptive Cards parser with no warnings.
 */
import { loadProcedures } from '../../src/app/procedures';
import { simulationDirectory } from '../../src/app/simulate';
import { stageCardView } from '../../src/app/views/stage-card';
import { FORM_ACTION, formModal, LIMITS, stageCardBlocks } from '../../src/channels/slack/blocks';
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

const viewer = { personId: 'a-senior-manager', agencyId: 'agency-a', roles: ['senior-manager'] };

test('the senior manager’s own card names the form and has its button; the card everyone sees does not', () => {
  const state = resolvedAtStage3();
  const own = stageCardBlocks(stageCardView(state, { viewer, now, directory }));
  const json = JSON.stringify(own.blocks);
  expect(json).toContain(
    "The procedure asks you to complete North Somerset's monitoring form (Appendix 2) for stage 3",
  );
  const button = (own.blocks as unknown as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>)
    .flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id === FORM_ACTION);
  expect(JSON.parse(button?.value ?? '{}')).toEqual({
    reference: state.reference,
    stage: 'stage-3',
    form: 'north-somerset-monitoring',
  });
  const shared = JSON.stringify(stageCardBlocks(stageCardView(state, { now, directory })).blocks);
  expect(shared).not.toContain(FORM_ACTION);
});

test('the form’s modal asks only what the form needs typed, within Block Kit’s limits', () => {
  const prompt = stageCardView(resolvedAtStage3(), { viewer, now, directory }).forms?.[0];
  if (!prompt) throw new Error('no form to complete');
  const modal = formModal(prompt, { reference: 'NS-2026-0001', stage: 'stage-3', form: prompt.form }) as unknown as {
    title: { text: string };
    submit: { text: string };
    blocks: Array<{ type: string; block_id?: string; optional?: boolean; label?: { text: string } }>;
  };
  expect(modal.title.text.length).toBeLessThanOrEqual(LIMITS.modalTitle);
  expect(modal.submit.text.length).toBeLessThanOrEqual(LIMITS.modalButton);
  expect(modal.blocks.filter((b) => b.type === 'input').map((b) => [b.block_id, b.optional])).toEqual([
    ['completerComments', true],
  ]);
});

// ── Teams ──────────────────────────────────────────────────────────────────────────────

/** Every object in a card, depth first. */
function all(node: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(node)) return node.flatMap(all);
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    return [o, ...Object.values(o).flatMap(all)];
  }
  return [];
}

test('Teams: the senior manager’s own card: the line, and Complete the form with its one optional question and the complete-form verb', () => {
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

test('Teams: someone not asked to complete it sees no such line or button', () => {
  const viewer = { personId: 'a-practitioner', agencyId: 'agency-a', roles: ['practitioner'] };
  const card = renderStageCard(stageCardView(resolvedAtStage3(), { viewer, now, directory }), ['29:a']);
  expect(parseProblems(card)).toEqual([]);
  expect(JSON.stringify(card)).not.toContain('complete-form');
});
