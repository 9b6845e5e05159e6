/** Block Kit renderings stay within Slack's limits whatever people type. */
import { LIMITS, stageCardBlocks, inputModal, historyModal } from '../../src/channels/slack/blocks';
import type { StageCardView } from '../../src/app/views/stage-card';

const long = (n: number): string => 'word '.repeat(Math.ceil(n / 5)).slice(0, n);

const view: StageCardView = {
  reference: 'LI-2026-0042',
  board: 'LSAB',
  boardName: long(400),
  status: 'open',
  statusText: 'Open',
  statusStyle: 'attention',
  closed: false,
  substance: { summary: long(4000), outcomeWanted: long(4000), safetyMeanwhile: long(4000) },
  positions: [
    { agency: long(200), text: long(4000) },
    { agency: 'Police', text: long(4000) },
  ],
  moves: Array.from({ length: 6 }, () => long(400)),
  approvers: long(800),
  ladder: Array.from({ length: 6 }, () => long(200)),
  next: long(300),
  urgent: true,
  adult: 'J.S.',
  category: long(500),
  stage: { id: 'step-1', number: 1, name: long(300), achieves: long(5000), of: 4 },
  sides: [
    {
      side: 'raising',
      label: 'Raised by',
      agency: long(200),
      recordNumber: 'X-1',
      people: Array.from({ length: 40 }, (_, i) => ({ name: `Person ${i} ${long(80)}`, role: long(60) })),
      acknowledged: true,
    },
    { side: 'responding', label: 'Responding', agency: 'Police', people: [], acknowledged: false },
  ],
  boardPeople: [],
  deadline: {
    words: 'by 5pm Tuesday 29 December',
    at: '2026-12-29T17:00:00Z',
    overdue: true,
    phrase: 'within 2 working days',
  },
  pending: long(4000),
  proposal: { outcome: long(4000), outstandingIssues: long(4000), by: 'Someone' },
  problems: [],
  history: Array.from({ length: 5 }, () => long(4000)),
  allHistory: Array.from({ length: 40 }, () => long(4000)),
  historyCount: 60,
  actions: [
    { verb: 'acknowledge', title: 'Acknowledge', style: 'positive' },
    { verb: 'add-note', title: 'Add note', input: { id: 'text', label: 'Note', placeholder: long(400) } },
    {
      verb: 'withdraw',
      title: long(200),
      style: 'destructive',
      input: { id: 'reason', label: long(3000), placeholder: 'x' },
    },
  ],
  viewer: 'everyone',
};

test('a stage card with very long texts is cut to Block Kit limits, with an ellipsis', () => {
  const { text, blocks } = stageCardBlocks(view);
  expect(text.length).toBeLessThanOrEqual(LIMITS.messageText);
  expect(blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
  const json = blocks as unknown as Array<Record<string, unknown>>;
  let cutSomething = false;
  for (const b of json) {
    const t = (b.text as { text?: string } | undefined)?.text;
    if (t) expect(t.length).toBeLessThanOrEqual(b.type === 'header' ? LIMITS.header : LIMITS.sectionText);
    if (t?.endsWith('…')) cutSomething = true;
    for (const f of (b.fields as Array<{ text: string }> | undefined) ?? [])
      expect(f.text.length).toBeLessThanOrEqual(LIMITS.field);
    for (const e of (b.elements as Array<Record<string, unknown>> | undefined) ?? []) {
      const et = e.text as { text?: string } | string | undefined;
      if (typeof et === 'object' && b.type === 'actions')
        expect((et.text ?? '').length).toBeLessThanOrEqual(LIMITS.buttonText);
      if (typeof et === 'string') expect(et.length).toBeLessThanOrEqual(LIMITS.sectionText);
    }
  }
  expect(cutSomething).toBe(true);
});

test('the modal for a button’s words keeps to the title, label and placeholder limits', () => {
  const action = view.actions[2];
  if (!action) throw new Error('no action');
  const modal = inputModal(action, {
    reference: 'LI-2026-0042',
    stage: 'step-1',
    channel: 'C1',
    ts: '1.2',
  }) as unknown as {
    title: { text: string };
    submit: { text: string };
    blocks: Array<{ label: { text: string }; element: { placeholder: { text: string } } }>;
  };
  expect(modal.title.text.length).toBeLessThanOrEqual(LIMITS.modalTitle);
  expect(modal.submit.text.length).toBeLessThanOrEqual(LIMITS.modalButton);
  expect(modal.blocks[0]?.label.text.length).toBeLessThanOrEqual(LIMITS.label);
});

test('the whole history opens in a modal within Block Kit limits, saying where the rest is', () => {
  const modal = historyModal(view) as unknown as {
    title: { text: string };
    blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }>;
  };
  expect(modal.title.text.length).toBeLessThanOrEqual(LIMITS.modalTitle);
  expect(modal.blocks.length).toBeLessThanOrEqual(100);
  for (const b of modal.blocks) if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
  expect(modal.blocks.at(-1)?.elements?.[0]?.text).toContain('the case record (Documents) has them all');
});

test('a closed card says how it ended and no longer asks anyone to acknowledge', () => {
  const closed: StageCardView = { ...view, status: 'resolved', closed: true, actions: [], moves: [] };
  const json = JSON.stringify(stageCardBlocks(closed).blocks);
  expect(json).not.toContain('Not yet acknowledged');
  expect(json).not.toContain('Acknowledged');
  expect(JSON.stringify(stageCardBlocks(view).blocks)).toContain('Not yet acknowledged');
});
