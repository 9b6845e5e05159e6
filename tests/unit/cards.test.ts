import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import { stageCardView } from '../../src/app/views/stage-card';
import { cardTemplate, CARDS_DIR, renderStageCard } from '../../src/channels/teams/stage-card';
import { decide, raise, type Actor, type CaseEvent, type CaseState } from '../../src/domain/escalation';
import { parseProblems } from '../fakes/adaptive-cards';

const procedures = loadProcedures();
const directory = loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, procedures);

/** Every action title on the card, including those inside show-cards. */
function actionTitles(card: Record<string, unknown>): string[] {
  return ((card.actions ?? []) as Array<{ type: string; title: string }>).map((a) => `${a.type}:${a.title}`);
}

const alex: Actor = { personId: 'alex-morgan', agencyId: 'lincolnshire-county-council', roles: ['practitioner'] };
const chris: Actor = { personId: 'chris-bennett', agencyId: 'lincolnshire-police', roles: ['practitioner'] };
const priya: Actor = { personId: 'priya-shah', agencyId: 'lincolnshire-county-council', roles: ['line-manager'] };

function lincolnshireCase(): { raised: CaseState; state: CaseState; events: CaseEvent[] } {
  const li = procedures.get('lincolnshire');
  if (!li) throw new Error('no lincolnshire');
  const r = raise(
    li,
    {
      type: 'raise',
      actor: alex,
      sequence: 42,
      immediateRisk: true,
      respondingAgency: { id: 'lincolnshire-police' },
      respondingPersonId: 'chris-bennett',
      form: {
        initials: 'JS',
        recordNumbers: { raising: 'LCC-123456', responding: 'LP-2026-778' },
        category: 'case-closure',
        summary: 's',
        outcomeWanted: 'o',
        safetyMeanwhile: 'm',
      },
    },
    new Date('2026-12-24T10:00:00Z'),
  );
  if (!r.ok) throw new Error(r.refusal.message);
  const asked = decide(
    r.state,
    { type: 'request-escalation', actor: alex, reason: 'No plan agreed.' },
    new Date('2026-12-24T11:00:00Z'),
  );
  if (!asked.ok) throw new Error(asked.refusal.message);
  return { raised: r.state, state: asked.state, events: [...r.events, ...asked.events] };
}

describe('Adaptive Card templates', () => {
  test('every template in adaptive-cards/, expanded with its sample data, parses with zero warnings', () => {
    const samples = readdirSync(CARDS_DIR)
      .filter((f) => f.endsWith('.sample.json'))
      .map((f) => f.replace('.sample.json', ''));
    expect(samples.sort()).toEqual(['documents', 'emergency', 'raise-board', 'raise-form', 'raise-risk', 'stage-card']);
    for (const name of samples) {
      const sample = JSON.parse(readFileSync(join(CARDS_DIR, `${name}.sample.json`), 'utf8')) as Record<
        string,
        unknown
      >;
      const card = cardTemplate(name).expand({ $root: sample }) as Record<string, unknown>;
      expect(card.version).toBe('1.5');
      expect(parseProblems(card)).toEqual([]);
      expect(JSON.stringify(card)).not.toMatch(/\$\{/);
    }
  });

  test('words people typed are shown as written: a link in a note is text, not a link (no markdown)', () => {
    const { state, events } = lincolnshireCase();
    const bait = '[Verify your account here](https://example.invalid/login) **now**';
    const noted = decide(state, { type: 'add-note', actor: chris, text: bait }, new Date('2026-12-24T11:30:00Z'));
    if (!noted.ok) throw new Error(noted.refusal.message);
    const card = renderStageCard(
      stageCardView(noted.state, {
        viewer: alex,
        now: new Date('2026-12-24T12:00:00Z'),
        directory,
        events: [...events, ...noted.events],
      }),
      ['29:alex-morgan'],
    );
    expect(parseProblems(card)).toEqual([]);
    const holders: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (typeof o.text === 'string' && o.text.includes(bait)) holders.push(String(o.type));
      Object.values(o).forEach(walk);
    };
    walk(card);
    expect(holders.length).toBeGreaterThan(0);
    expect(new Set(holders)).toEqual(new Set(['TextRun']));
  });

  test('the parser would catch a broken card', () => {
    expect(
      parseProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'NoSuchElement' }, { type: 'Input.Text' }] })
        .length,
    ).toBeGreaterThan(0);
  });

  test('a live stage card: the viewer’s own buttons, the deadline in words, no adult’s name', () => {
    const { raised, state, events } = lincolnshireCase();
    const now = new Date('2026-12-24T12:00:00Z');
    const forPriya = renderStageCard(stageCardView(state, { viewer: priya, now, directory, events }), [
      '29:priya-shah',
    ]);
    expect(parseProblems(forPriya)).toEqual([]);
    expect(actionTitles(forPriya)).toEqual(['Action.Execute:Approve escalation', 'Action.ShowCard:Return escalation']);
    const text = JSON.stringify(forPriya);
    expect(text).toMatch(/by 5pm Wednesday 30 December/);
    expect(text).toMatch(/Urgent: the adult was said to be at risk of immediate harm/);
    expect(text).toMatch(/J\.S\. \(initials\)/);
    expect(text).toMatch(
      /Waiting for approval: Alex Morgan asked to escalate to Direct Manager to Manager Discussion: No plan agreed\./,
    );
    expect((forPriya.refresh as { userIds: string[] }).userIds).toEqual(['29:priya-shah']);

    const forChris = renderStageCard(stageCardView(state, { viewer: chris, now, directory, events }), [
      '29:chris-bennett',
    ]);
    expect(parseProblems(forChris)).toEqual([]);
    expect(actionTitles(forChris)).toEqual([
      'Action.Execute:Acknowledge',
      'Action.ShowCard:Add note',
      'Action.ShowCard:Propose resolution',
      // Lincolnshire step 1: "a mutually agreed plan of action should be developed".
      'Action.ShowCard:Propose plan of action',
    ]);
    // The raiser's card asks for a reason in three places: each input has its own id.
    const forAlex = renderStageCard(stageCardView(state, { viewer: alex, now, directory, events }), ['29:alex-morgan']);
    expect(parseProblems(forAlex)).toEqual([]);
    expect(actionTitles(forAlex)).toEqual([
      'Action.ShowCard:Add note',
      'Action.ShowCard:Propose resolution',
      'Action.ShowCard:Propose plan of action',
      'Action.ShowCard:Withdraw',
    ]);
    const beforeAsking = renderStageCard(stageCardView(raised, { viewer: alex, now, directory }), ['29:alex-morgan']);
    expect(actionTitles(beforeAsking)).toEqual([
      'Action.ShowCard:Add note',
      'Action.ShowCard:Propose resolution',
      'Action.ShowCard:Propose plan of action',
      'Action.ShowCard:Request escalation',
      'Action.ShowCard:Withdraw',
    ]);
    expect(parseProblems(beforeAsking)).toEqual([]);
    expect(JSON.stringify(beforeAsking)).toMatch(/"id":"request-escalation.reason".*"id":"withdraw.reason"/);

    const execute = (forChris.actions as Array<{ verb?: string; data?: unknown; fallback?: { type: string } }>)[0];
    expect(execute).toEqual(
      expect.objectContaining({
        verb: 'acknowledge',
        data: { reference: 'LI-2026-0042', stage: 'step-1', verb: 'acknowledge' },
      }),
    );
    expect(execute?.fallback?.type).toBe('Action.Submit');
  });
});

describe('the card for everyone', () => {
  test('offers what anyone taking part could do now; each click is still decided for the person', () => {
    const li = procedures.get('lincolnshire');
    if (!li) throw new Error('no lincolnshire');
    const r = raise(
      li,
      {
        type: 'raise',
        actor: alex,
        sequence: 1,
        immediateRisk: false,
        respondingAgency: { id: 'lincolnshire-police' },
        respondingPersonId: 'chris-bennett',
        form: { initials: 'JS', category: 'case-closure', summary: 's', outcomeWanted: 'o', safetyMeanwhile: 'm' },
      },
      new Date('2026-11-23T10:00:00Z'),
    );
    if (!r.ok) throw new Error(r.refusal.message);
    const view = stageCardView(r.state, { now: new Date('2026-11-23T11:00:00Z'), directory });
    expect(view.actions.map((a) => a.verb)).toEqual([
      'acknowledge',
      'add-note',
      'propose-resolution',
      'agree-plan',
      'request-escalation',
      'withdraw',
    ]);
    expect(view.viewer).toBe('everyone');
    const card = renderStageCard(view, []);
    expect(parseProblems(card)).toEqual([]);
    // Six buttons: Teams shows five at most, so the last ones sit under "More", none lost.
    const actions = card.actions as Array<{ title: string; card?: { actions: Array<{ title: string }> } }>;
    expect(actions.map((a) => a.title)).toHaveLength(5);
    expect(actions.at(-1)?.title).toBe('More');
    const titles = [...actions.slice(0, -1), ...(actions.at(-1)?.card?.actions ?? [])].map((a) => a.title);
    expect(titles.sort()).toEqual(view.actions.map((a) => a.title).sort());
    // The moves of the moment stay in the row; a note and withdrawing are what go under "More".
    expect(actions.at(-1)?.card?.actions.map((a) => a.title)).toEqual(['Add note', 'Withdraw']);
  });
});
