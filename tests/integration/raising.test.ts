/**
 * Raising, as people meet it, on both platforms through the real bot: Slack's signed requests
 * into Bolt's receiver and Teams' activities into botbuilder's CloudAdapter. The board's own
 * question about immediate risk comes first and on its own (after the board, where an agency
 * works under several); "yes" shows the board's guidance and contacts at once, with numbers (the
 * raiser's agency's own on-call number among them); every problem with the form comes back in
 * one answer, in the same words on both platforms; nothing is stored on a refused form. Every
 * Teams card is parsed with the official Adaptive Cards parser.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { WHICH_BOARD } from '../../src/app/boards';
import { EXAMPLE_DIRECTORY_FILE, loadProcedures } from '../../src/app/procedures';
import { IMMEDIATE_RISK } from '../../src/app/raise-request';
import { SOME_ANSWERS } from '../../src/domain/escalation';
import { parseProblems } from '../fakes/adaptive-cards';
import { startTestBot, type TestBot } from '../fakes/bot';
import {
  raiseFormValues,
  slackPeople,
  slashCommand,
  viewSubmission,
  type SlackUser,
  type ViewValues,
} from '../fakes/slack-client';
import { teamsPeople, teamsRaiseForm, type TeamsUser } from '../fakes/teams-client';

const procedures = loadProcedures();
const question = (board: string): string => procedures.get(board)?.immediateRisk?.question ?? '';

/** Two North Somerset agencies, one on each platform, each with a second tier manager (invented). */
const NORTH_SOMERSET = {
  agencies: [
    {
      id: 'ns-council',
      name: 'North Somerset Council (test)',
      kind: 'local-authority',
      boards: ['north-somerset'],
      platform: 'slack',
      slack: { teamId: 'T0NSCOUN' },
      threads: { mode: 'private-channel-per-case', slackChannelPrefix: 'esc' },
    },
    {
      id: 'ns-trust',
      name: 'Avon NHS Trust (test)',
      kind: 'nhs',
      boards: ['north-somerset'],
      platform: 'teams',
      teams: { tenantId: '5e0d7f4b-1111-4b1d-8e9f-4c3b5a6f7e8d' },
      threads: { mode: 'group-chat' },
    },
  ],
  people: [
    {
      id: 'nina-shaw',
      name: 'Nina Shaw',
      example: true,
      email: 'nina.shaw@ns-council.example.org',
      slackUserId: 'U0NSCOUN01',
      agency: 'ns-council',
      roles: ['second-tier-manager'],
    },
    {
      id: 'owain-price',
      name: 'Owain Price',
      example: true,
      email: 'owain.price@ns-trust.example.org',
      teamsAadObjectId: '8b3f0c7e-1d9f-4e4a-9b2c-7f6e8d9cab1f',
      agency: 'ns-trust',
      roles: ['second-tier-manager'],
    },
  ],
};

/** The example directory with the agencies and people of tests/fixtures/other-boards.yaml added. */
function directoryWithOtherBoards(): string {
  const example = parse(readFileSync(EXAMPLE_DIRECTORY_FILE, 'utf8')) as { agencies: unknown[]; people: unknown[] };
  const other = parse(readFileSync(join(__dirname, '..', 'fixtures', 'other-boards.yaml'), 'utf8')) as typeof example;
  const file = join(mkdtempSync(join(tmpdir(), 'directory-')), 'directory.yaml');
  const merged = {
    agencies: [...example.agencies, ...other.agencies, ...NORTH_SOMERSET.agencies],
    people: [...example.people, ...other.people, ...NORTH_SOMERSET.people],
  };
  writeFileSync(file, stringify(merged));
  return file;
}

const slack = {
  ...slackPeople,
  nadia: { id: 'U0CAMHLT01', team: 'T0CAMHLT' }, // Camden Community Health
  ceri: { id: 'U0CHEHLT01', team: 'T0CHEHLT' }, // Cheshire East Community Health
  gary: { id: 'U0PROBAT01', team: 'T0PROBAT' }, // a probation service under both boards
  nina: { id: 'U0NSCOUN01', team: 'T0NSCOUN' }, // North Somerset, second tier manager
};
const teams = {
  ...teamsPeople,
  tariq: { id: '29:tariq', aadObjectId: '5e0d7f4b-8a6c-4b1d-8e9f-4c3b5a6f7e8d', name: 'Tariq Hussain' }, // Camden
  beth: { id: '29:beth', aadObjectId: '6f1e8a5c-9b7d-4c2e-9f0a-5d4c6b7a8f9e', name: 'Beth Walker' }, // Cheshire East
  lee: { id: '29:lee', aadObjectId: '7a2f9b6d-0c8e-4d3f-8a1b-6e5d7c8b9a0f', name: 'Lee Parker' }, // both boards
  owain: { id: '29:owain', aadObjectId: '8b3f0c7e-1d9f-4e4a-9b2c-7f6e8d9cab1f', name: 'Owain Price' }, // North Somerset
};

let bot: TestBot;

beforeAll(async () => {
  bot = await startTestBot({
    env: { DIRECTORY_FILE: directoryWithOtherBoards() },
    clock: () => new Date('2026-11-23T10:00:00Z'),
  });
});

afterAll(async () => {
  await bot.stop();
});

// ── Slack ──────────────────────────────────────────────────────────────────────────────

interface View {
  callback_id: string;
  private_metadata?: string;
  blocks: Array<{ type: string; block_id?: string; label?: { text: string }; element?: Record<string, unknown> }>;
}

async function until<T>(what: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const got = what();
    if (got !== undefined) return got;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `/escalate` from `user`: the modal it opens. */
async function escalate(user: SlackUser): Promise<View> {
  const before = bot.slackApi.calls.length;
  expect((await bot.slack(slashCommand(user, '', `trigger-${user.id}-${before}`))).status).toBe(200);
  return (await until(() => bot.slackApi.since(before, 'views.open')[0])).args.view as View;
}

/** A modal submitted: Slack's answer (an updated view, or errors by block). */
async function submit(user: SlackUser, view: View, values: ViewValues, id = `V-${view.callback_id}`) {
  const answer = await bot.slack(
    viewSubmission(user, {
      id,
      callback_id: view.callback_id,
      private_metadata: view.private_metadata ?? '',
      values,
    }),
  );
  return { ...answer.json, view: answer.json?.view as View | undefined } as {
    response_action?: string;
    view?: View;
    errors?: Record<string, string>;
  };
}

const radio = (block: string, value: string): ViewValues => ({
  [block]: { value: { type: 'radio_buttons', selected_option: { value } } },
});
const inputs = (view: View | undefined): string[] =>
  (view?.blocks ?? []).filter((b) => b.type === 'input').map((b) => b.block_id ?? '');

describe('Slack: the board’s own question first, on its own', () => {
  test.each([
    ['Camden', slack.nadia, 'camden'],
    ['Cheshire East', slack.ceri, 'cheshire-east'],
    ['Lincolnshire', slack.peter, 'lincolnshire'],
  ])('%s: the first modal asks only the board’s question, verbatim', async (_name, user, board) => {
    const view = await escalate(user);
    expect(view.callback_id).toBe('raise-risk');
    expect(inputs(view)).toEqual(['immediateRisk']);
    expect(view.blocks.find((b) => b.block_id === 'immediateRisk')?.label?.text).toBe(question(board));
    expect(JSON.stringify(view)).toContain(procedures.get(board)?.name);
  });

  test('an agency under two boards: the board is chosen first, then that board’s question', async () => {
    const view = await escalate(slack.gary);
    expect(view.callback_id).toBe('raise-board');
    expect(inputs(view)).toEqual(['board']);
    expect(JSON.stringify(view)).toContain('Cheshire East Safeguarding Adults Board');
    expect((await submit(slack.gary, view, radio('board', 'lincolnshire'))).errors).toEqual({
      board: WHICH_BOARD.problem,
    });
    const next = await submit(slack.gary, view, radio('board', 'cheshire-east'));
    expect(next.view?.callback_id).toBe('raise-risk');
    expect(inputs(next.view)).toEqual(['immediateRisk']);
    expect(next.view?.blocks.find((b) => b.block_id === 'immediateRisk')?.label?.text).toBe(question('cheshire-east'));
    expect(JSON.parse(next.view?.private_metadata ?? '{}')).toEqual(
      expect.objectContaining({ board: 'cheshire-east' }),
    );
  });

  test('Camden, yes: the guidance and every contact with its number at once; no escalation opened, nothing stored', async () => {
    const view = await escalate(slack.nadia);
    const answer = await submit(slack.nadia, view, radio('immediateRisk', 'yes'));
    expect(answer.response_action).toBe('update');
    expect(inputs(answer.view)).toEqual([]);
    const text = JSON.stringify(answer.view);
    for (const n of ['999', '101', '020 7974 4000', '020 7974 6999']) expect(text).toContain(n);
    expect(text).toContain('Camden Child Protection Co-ordinator');
    expect(text).toContain('No escalation has been opened');
    expect(await bot.app.repo.allReferences()).toEqual([]);
  });

  test('Lincolnshire, yes: the contacts with the raiser’s agency’s on-call number at once, then the form marked urgent with them at its top', async () => {
    const view = await escalate(slack.peter);
    const urgent = await submit(slack.peter, view, radio('immediateRisk', 'yes'));
    expect(urgent.view?.callback_id).toBe('raise-urgent');
    expect(inputs(urgent.view)).toEqual([]);
    const text = JSON.stringify(urgent.view);
    expect(text).toContain('999');
    expect(text).toContain('101');
    expect(text).toContain('Diocese of Lincoln, Diocesan safeguarding out-of-hours line: 01632 960109');
    expect(text).toContain(IMMEDIATE_RISK.urgent);
    const form = await submit(slack.peter, urgent.view as View, {});
    expect(form.view?.callback_id).toBe('raise-form');
    expect(JSON.parse(form.view?.private_metadata ?? '{}')).toEqual(expect.objectContaining({ urgent: true }));
    const top =
      form.view?.blocks.slice(
        0,
        form.view.blocks.findIndex((b) => b.type === 'input'),
      ) ?? [];
    expect(JSON.stringify(top)).toContain('01632 960109');
  });

  test('an agency with no on-call number in the directory: words saying where to find it, never a blank', async () => {
    const view = await escalate(slack.megan);
    const text = JSON.stringify((await submit(slack.megan, view, radio('immediateRisk', 'yes'))).view);
    expect(text).toContain(
      "HealthWatch Lincolnshire has not given its on-call number to this bot: use your agency's own out-of-hours list",
    );
  });

  test('the question left unanswered is asked again, in words', async () => {
    const view = await escalate(slack.peter);
    expect((await submit(slack.peter, view, {})).errors).toEqual({ immediateRisk: IMMEDIATE_RISK.unanswered });
  });
});

// ── Teams ──────────────────────────────────────────────────────────────────────────────

type Card = { body: Array<Record<string, unknown>>; actions?: Array<Record<string, unknown>> };

/** The card a dialog answer shows (task module "continue"), or an inline answer's card. */
function cardOf(body: Record<string, unknown> | undefined): Card {
  const task = body?.task as { value?: { card?: { content?: Card } } } | undefined;
  const card = task?.value?.card?.content ?? (body?.value as Card | undefined);
  if (!card?.body) throw new Error(`no card in ${JSON.stringify(body)}`);
  expect(parseProblems(card)).toEqual([]);
  return card;
}

/** Every element of a card in reading order (inside containers and columns too). */
function elements(card: Card): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const walk = (items: unknown): void => {
    for (const e of (items as Array<Record<string, unknown>>) ?? []) {
      out.push(e);
      walk(e.items);
      for (const c of (e.columns as Array<{ items: unknown }> | undefined) ?? []) walk(c.items);
    }
  };
  walk(card.body);
  return out;
}

const inputIds = (card: Card): string[] =>
  elements(card)
    .filter((e) => String(e.type).startsWith('Input.'))
    .map((e) => String(e.id));

/** The problem shown right after the input `id`, before the next input. */
function beside(card: Card, id: string): string | undefined {
  const all = elements(card);
  const at = all.findIndex((e) => e.id === id);
  for (const e of all.slice(at + 1)) {
    if (String(e.type).startsWith('Input.')) return undefined;
    if (e.type === 'TextBlock' && e.color === 'Attention') return String(e.text);
  }
  return undefined;
}

const dialog = (user: TeamsUser, data: Record<string, unknown>, id?: string) =>
  bot.teams(user, { type: 'invoke', name: 'task/submit', value: { data }, ...(id ? { id } : {}) });
const fetchDialog = (user: TeamsUser) =>
  bot.teams(user, { type: 'invoke', name: 'task/fetch', value: { data: { action: 'raise-open' } } });

describe('Teams: the same order in the dialog', () => {
  test.each([
    ['Camden', teams.tariq, 'camden'],
    ['Cheshire East', teams.beth, 'cheshire-east'],
    ['Lincolnshire', teams.alex, 'lincolnshire'],
  ])('%s: the dialog opens on the board’s question alone, verbatim', async (_name, user, board) => {
    const card = cardOf((await fetchDialog(user)).body);
    expect(inputIds(card)).toEqual(['immediateRisk']);
    expect(elements(card).find((e) => e.id === 'immediateRisk')?.label).toBe(question(board));
  });

  test('an agency under two boards: the board first, then its question', async () => {
    const card = cardOf((await fetchDialog(teams.lee)).body);
    expect(inputIds(card)).toEqual(['board']);
    const refused = cardOf((await dialog(teams.lee, { action: 'raise-board', board: 'lincolnshire' })).body);
    expect(JSON.stringify(refused)).toContain(WHICH_BOARD.problem);
    const next = cardOf((await dialog(teams.lee, { action: 'raise-board', board: 'cheshire-east' })).body);
    expect(elements(next).find((e) => e.id === 'immediateRisk')?.label).toBe(question('cheshire-east'));
    expect(JSON.stringify(next.actions)).toContain('"board":"cheshire-east"');
  });

  test('Camden, yes: the guidance and numbers straight away, nothing more to fill in, nothing stored', async () => {
    const card = cardOf(
      (await dialog(teams.tariq, { action: 'raise-risk', board: 'camden', immediateRisk: 'yes' })).body,
    );
    expect(inputIds(card)).toEqual([]);
    expect(card.actions ?? []).toEqual([]);
    const text = JSON.stringify(card);
    for (const n of ['999', '101', '020 7974 4000', '020 7974 6999']) expect(text).toContain(n);
    expect(text).toContain('No escalation has been opened');
    expect(await bot.app.repo.allReferences()).toEqual([]);
  });

  test('Lincolnshire, yes: the contacts and the agency’s on-call number, then the form marked urgent with them at its top; raised urgent', async () => {
    const risk = cardOf(
      (await dialog(teams.alex, { action: 'raise-risk', board: 'lincolnshire', immediateRisk: 'yes' })).body,
    );
    expect(inputIds(risk)).toEqual([]);
    const text = JSON.stringify(risk);
    expect(text).toContain('Lincolnshire County Council, Adult Care Emergency Duty Team: 01632 960101');
    expect(text).toContain('"value":"999"');
    expect(risk.actions?.[0]).toEqual(
      expect.objectContaining({
        title: IMMEDIATE_RISK.goOn,
        data: { board: 'lincolnshire', action: 'raise-urgent', immediateRisk: 'yes' },
      }),
    );
    const form = cardOf((await dialog(teams.alex, { board: 'lincolnshire', action: 'raise-urgent' })).body);
    expect(inputIds(form)).not.toContain('immediateRisk');
    expect(inputIds(form)).toContain('respondingAgency');
    expect(JSON.stringify(form)).not.toMatch(/"title":"Lincolnshire County Council"/); // not their own agency
    expect(JSON.stringify(form.body.slice(0, 2))).toContain('01632 960101');
    expect(form.actions?.[0]?.data).toEqual(expect.objectContaining({ immediateRisk: 'yes', action: 'raise-submit' }));
    const raised = await dialog(teams.alex, { ...teamsRaiseForm, immediateRisk: 'yes', action: 'raise-submit' }, 'r-1');
    expect(JSON.stringify(cardOf(raised.body))).toMatch(/Escalation LI-2026-0001 is raised.*marked urgent/);
  });

  test('where dialogs are not available, the same steps inline on the card', async () => {
    const first = await bot.click(teams.alex, 'raise-form', { action: 'raise-form' });
    expect(cardOf(first.body).actions?.[0]).toEqual(expect.objectContaining({ verb: 'raise-risk' }));
    const unanswered = cardOf((await bot.click(teams.alex, 'raise-risk', { board: 'lincolnshire' })).body);
    expect(beside(unanswered, 'immediateRisk')).toBe(IMMEDIATE_RISK.unanswered);
    const yes = cardOf(
      (await bot.click(teams.alex, 'raise-risk', { board: 'lincolnshire', immediateRisk: 'yes' })).body,
    );
    expect(yes.actions?.[0]).toEqual(expect.objectContaining({ verb: 'raise-urgent' }));
    const no = cardOf((await bot.click(teams.alex, 'raise-risk', { board: 'lincolnshire', immediateRisk: 'no' })).body);
    expect(no.actions?.[0]).toEqual(
      expect.objectContaining({
        verb: 'raise-submit',
        data: expect.objectContaining({ immediateRisk: 'no' }) as unknown,
      }),
    );
  });
});

// ── Every problem at once, in one wording ───────────────────────────────────────────────

describe('every problem with the form at once, in the same words on both platforms', () => {
  const wrong = {
    counterpartEmail: 'nobody@else.example.org',
    initials: 'Rose Taylor',
    recordRaising: 'Rose Taylor',
    category: '',
    summary: '   ',
    outcomeWanted: 'Review at LN2 1PX',
  };
  const fields = ['counterpartEmail', 'initials', 'recordRaising', 'category', 'summary', 'outcomeWanted'];
  let onSlack: Record<string, string> = {};

  test('Slack: one answer, an error beside each question; nothing stored', async () => {
    const before = await bot.app.repo.allReferences();
    const form: View = {
      callback_id: 'raise-form',
      private_metadata: JSON.stringify({ board: 'lincolnshire', channel: 'CGENERAL' }),
      blocks: [],
    };
    const answer = await submit(slack.peter, form, raiseFormValues(wrong), 'V-MANY');
    expect(answer.response_action).toBe('errors');
    onSlack = answer.errors ?? {};
    expect(Object.keys(onSlack).sort()).toEqual([...fields].sort());
    expect(onSlack.counterpartEmail).toMatch(/^Nobody with this email has used the bot yet/);
    expect(onSlack.initials).toMatch(/initials only/);
    expect(onSlack.recordRaising).toMatch(/^A record number is the agency's own reference/);
    expect(onSlack.category).toBe('Please choose the kind of disagreement from the list.');
    expect(onSlack.summary).toBe('Please describe what the disagreement is.');
    expect(onSlack.outcomeWanted).toMatch(/^This answer gives a postcode/);
    expect(await bot.app.repo.allReferences()).toEqual(before);
  });

  test('Teams: the dialog again with every problem beside its field, in the same sentences; nothing stored', async () => {
    const before = await bot.app.repo.allReferences();
    const answer = await dialog(teams.alex, { ...teamsRaiseForm, ...wrong, action: 'raise-submit' });
    const card = cardOf(answer.body);
    expect(JSON.stringify(card)).toContain(SOME_ANSWERS);
    for (const f of fields) expect({ f, problem: beside(card, f) }).toEqual({ f, problem: onSlack[f] });
    for (const f of ['respondingAgency', 'recordResponding', 'safetyMeanwhile'])
      expect({ f, problem: beside(card, f) }).toEqual({ f, problem: undefined });
    expect(await bot.app.repo.allReferences()).toEqual(before);
  });
});

// ── When the concern arose, and the adult's own wishes ──────────────────────────────────

describe('Cheshire East: the timescales run "from CONCERN ARISING", the date asked on the form', () => {
  // Raised on Monday 23 November 2026 at 10am; the concern arose on Friday 20 November.
  const wishes = 'He wants to go on living with his brother.';
  const startBy = async (reference: string) =>
    (await bot.app.repo.getCase(reference))?.state.stages[0]?.deadlines
      .filter((d) => d.kind === 'start-by')
      .map((d) => d.at);
  const raisedNow = async (before: string[]) =>
    (await bot.app.repo.allReferences()).filter((r) => !before.includes(r) && r.startsWith('CE-'));

  test('Slack: the date picker starts at today; the 24 hours count from 9am on the day the concern arose', async () => {
    const view = await escalate(slack.ceri);
    const form = (await submit(slack.ceri, view, radio('immediateRisk', 'no'))).view as View;
    const picker = form.blocks.find((b) => b.block_id === 'concernAroseAt')?.element;
    expect(picker).toEqual({ type: 'datepicker', action_id: 'value', initial_date: '2026-11-23' });
    expect(inputs(form)).toContain('adultWishes');
    const before = await bot.app.repo.allReferences();
    const values: ViewValues = {
      ...raiseFormValues({ respondingAgency: 'cheshire-east-housing', counterpartEmail: '', category: 'other' }),
      adultWishes: { value: { type: 'plain_text_input', value: wishes } },
      concernAroseAt: { value: { type: 'datepicker', selected_date: '2026-11-20' } },
    };
    const future = await submit(
      slack.ceri,
      form,
      { ...values, concernAroseAt: { value: { type: 'datepicker', selected_date: '2026-11-24' } } },
      'V-CE-FUTURE',
    );
    expect(future.errors).toEqual({
      concernAroseAt: 'Give the date the concern arose: today or earlier, within the last year.',
    });
    expect((await submit(slack.ceri, form, values, 'V-CE-1')).response_action).toBe('update');
    const [reference] = await raisedNow(before);
    expect(reference).toBeDefined();
    const stored = await bot.app.repo.getCase(reference as string);
    expect(stored?.state.concernAroseAt).toBe('2026-11-20T09:00:00.000Z');
    expect(stored?.state.concern.adultWishes).toBe(wishes);
    // "TAKE ACTION WITHIN 24 HOURS OF CONCERN ARISING": 9am Saturday 21 November, not 10am Tuesday 24th.
    expect(await startBy(reference as string)).toEqual(['2026-11-21T09:00:00.000Z']);
  });

  test('Teams: the same date on the form’s Input.Date, never later than today; the same deadline', async () => {
    const form = cardOf(
      (await dialog(teams.beth, { action: 'raise-risk', board: 'cheshire-east', immediateRisk: 'no' })).body,
    );
    expect(elements(form).find((e) => e.id === 'concernAroseAt')).toEqual(
      expect.objectContaining({ type: 'Input.Date', value: '2026-11-23', max: '2026-11-23' }),
    );
    const before = await bot.app.repo.allReferences();
    const answers = {
      ...teamsRaiseForm,
      board: 'cheshire-east',
      respondingAgency: 'cheshire-east-community-health',
      counterpartEmail: '',
      category: 'other',
      adultWishes: wishes,
      action: 'raise-submit',
    };
    const refused = cardOf((await dialog(teams.beth, { ...answers, concernAroseAt: '2026-11-30' }, 'r-ce-0')).body);
    expect(beside(refused, 'concernAroseAt')).toBe(
      'Give the date the concern arose: today or earlier, within the last year.',
    );
    await dialog(teams.beth, { ...answers, concernAroseAt: '2026-11-20' }, 'r-ce-1');
    const [reference] = await raisedNow(before);
    expect(reference).toBeDefined();
    expect((await bot.app.repo.getCase(reference as string))?.state.concern.adultWishes).toBe(wishes);
    expect(await startBy(reference as string)).toEqual(['2026-11-21T09:00:00.000Z']);
  });
});

// ── The stage to start at, where the board leaves it to the person raising ──────────────

describe('North Somerset: "discretion should be used as to which stage is initiated"', () => {
  const answers = {
    initials: 'J S',
    category: 'other',
    summary: 'The trust plans to discharge the adult tomorrow to a home that cannot meet his needs.',
    outcomeWanted: 'Hold the discharge until the assessment is done.',
    safetyMeanwhile: 'He stays on the ward; the ward manager is aware.',
  };
  const stagesOf = async (reference: string) => (await bot.app.repo.getCase(reference))?.state.stages.map((s) => s.id);
  const newCase = async (before: string[]) =>
    (await bot.app.repo.allReferences()).find((r) => !before.includes(r) && r.startsWith('NS-')) ?? '';

  test('Slack: the urgent form offers stages 1, 2 and 3, the first chosen; a second tier manager starts at stage 2', async () => {
    const view = await escalate(slack.nina);
    const urgent = await submit(slack.nina, view, radio('immediateRisk', 'yes'));
    const form = (await submit(slack.nina, urgent.view as View, {})).view as View;
    const select = form.blocks.find((b) => b.block_id === 'startStage')?.element as {
      options: Array<{ value: string }>;
      initial_option: { value: string };
    };
    expect(select.options.map((o) => o.value)).toEqual(['stage-1', 'stage-2', 'stage-3']);
    expect(select.initial_option.value).toBe('stage-1');
    const before = await bot.app.repo.allReferences();
    const values: ViewValues = {
      ...raiseFormValues({ respondingAgency: 'ns-trust', counterpartEmail: '', recordRaising: '', ...answers }),
      startStage: { value: { type: 'static_select', selected_option: { value: 'stage-3' } } },
    };
    const refused = await submit(slack.nina, form, values, 'V-NS-0');
    expect(refused.errors?.startStage).toMatch(/^To start at .* you must be a /);
    const sent = await submit(
      slack.nina,
      form,
      { ...values, startStage: { value: { type: 'static_select', selected_option: { value: 'stage-2' } } } },
      'V-NS-1',
    );
    expect(sent.response_action).toBe('update');
    expect(await stagesOf(await newCase(before))).toEqual(['stage-2']);
  });

  test('Teams: the same choice on the urgent form; the ordinary form has none; started at stage 2', async () => {
    const plain = cardOf(
      (await dialog(teams.owain, { action: 'raise-risk', board: 'north-somerset', immediateRisk: 'no' })).body,
    );
    expect(inputIds(plain)).not.toContain('startStage');
    const form = cardOf((await dialog(teams.owain, { board: 'north-somerset', action: 'raise-urgent' })).body);
    const choice = elements(form).find((e) => e.id === 'startStage') as {
      value: string;
      choices: Array<{ value: string }>;
    };
    expect(choice.choices.map((c) => c.value)).toEqual(['stage-1', 'stage-2', 'stage-3']);
    expect(choice.value).toBe('stage-1');
    const before = await bot.app.repo.allReferences();
    await dialog(
      teams.owain,
      {
        board: 'north-somerset',
        immediateRisk: 'yes',
        respondingAgency: 'ns-council',
        ...answers,
        startStage: 'stage-2',
        action: 'raise-submit',
      },
      'r-ns-1',
    );
    expect(await stagesOf(await newCase(before))).toEqual(['stage-2']);
  });
});
