/**
 * The plan of action ("a mutually agreed plan of action ... including clear timescales",
 * Lincolnshire step 1) tried through the real receivers: a signed Slack modal submission and a
 * Teams Action.Execute through the CloudAdapter. A forged review date (years of five figures'
 * worth ahead, garbage, in the past) gets plain words on the form, never a crash; nothing of the
 * case changes; then a plan proposed on one side is waiting for the other side, who agrees it.
 */
import { startTestBot, type TestBot } from '../fakes/bot';
import { cardClick, slackPeople, textInput, viewSubmission } from '../fakes/slack-client';
import { teamsPeople } from '../fakes/teams-client';
import { sentToChats } from '../fakes/leaks';

jest.setTimeout(120_000);

const NOW = new Date('2026-04-07T09:00:00.000Z');
let bot: TestBot;
let teamsCase = '';
let slackCase = '';
const where = { channel: 'CCASE14', ts: '14.1' };

/** The case's plan and the events that are not refusals (a party's refusals are recorded on the timeline). */
async function substance(reference: string): Promise<string> {
  const events = (await bot.app.repo.getEvents(reference))
    .map((e) => e.event)
    .filter((e) => e.type !== 'command-refused');
  const stored = await bot.app.repo.getCase(reference);
  return JSON.stringify({ events, plan: stored?.state.plan });
}

function planModal(reference: string, plan: string, reviewOn: string): string {
  return viewSubmission(slackPeople.peter, {
    id: `V-PLAN-${reviewOn}`,
    callback_id: 'case-input:agree-plan',
    private_metadata: JSON.stringify({ reference, stage: 'step-1', ...where }),
    values: {
      plan: { value: textInput(plan) },
      reviewOn: { value: { type: 'datepicker', selected_date: reviewOn } },
    },
  });
}

beforeAll(async () => {
  bot = await startTestBot({ clock: () => NOW });
  ({ teamsCase, slackCase } = await bot.raiseOneEach('V-RAISE-14'));
});

afterAll(async () => {
  await bot?.stop();
});

test('Slack: a forged review date is answered on the form in plain words, never a crash, and nothing changes', async () => {
  const before = await substance(slackCase);
  const bad: Array<[string, string, RegExp]> = [
    // Before the fix, the calendar could not count past the year 9999: the submission failed.
    ['Joint visit this week.', '9999-12-31', /Please choose a review date within a year, no later than 2027-04-08/],
    ['Joint visit this week.', '2027-06-01', /within a year/],
    ['Joint visit this week.', '2026-04-06', /The review date must be today or later/],
    ['Joint visit this week.', 'soon', /Please give the date the plan will be reviewed, like 2026-04-10/],
    ['x'.repeat(4500), '2026-04-10', /Please keep this under 4000 characters/],
  ];
  for (const [plan, reviewOn, words] of bad) {
    const answer = await bot.slack(planModal(slackCase, plan, reviewOn));
    expect(answer.status).toBe(200);
    expect(answer.json?.response_action).toBe('errors');
    expect(JSON.stringify(answer.json?.errors)).toMatch(words);
  }
  expect(await substance(slackCase)).toBe(before);
});

test('Slack: a plan proposed by one agency waits for the other; the proposer cannot agree it for them', async () => {
  const sent = bot.slackApi.calls.length;
  const proposed = await bot.slack(planModal(slackCase, 'Joint visit within 5 working days.', '2026-04-14'));
  expect(proposed.json).toEqual({ response_action: 'clear' });
  // The case's cards, as Slack shows them, carry the plan and that it waits for the other agency
  // (before the fix the card had no place for the plan at all).
  const cards = bot.slackApi
    .since(sent)
    .filter((c) => c.method === 'chat.update' || c.method === 'chat.postMessage')
    .map((c) => JSON.stringify(c.args.blocks ?? ''));
  expect(
    cards.some((b) => /Plan of action \(proposed by [^)]*, waiting for the other agency to agree it\)/.test(b)),
  ).toBe(true);
  const from = bot.slackApi.calls.length;
  await bot.slack(cardClick(slackPeople.peter, 'confirm-plan', slackCase, 'step-1', where));
  const told = bot.slackApi.since(from, 'chat.postEphemeral').map((c) => String(c.args.text));
  expect(told.join(' ')).toMatch(/Your agency proposed this plan; the other agency must agree it/);
  expect((await bot.app.repo.getCase(slackCase))?.state.plan?.agreedAt).toBeUndefined();
  // HealthWatch's practitioner, in another workspace, agrees it.
  await bot.slack(cardClick(slackPeople.megan, 'confirm-plan', slackCase, 'step-1', where));
  expect((await bot.app.repo.getCase(slackCase))?.state.plan?.agreedAt).toBe(NOW.toISOString());
});

test('Teams: a forged review date through the CloudAdapter gets plain words, never a crash, and nothing changes', async () => {
  const before = await substance(teamsCase);
  for (const [reviewOn, words] of [
    ['9999-12-31', /Please choose a review date within a year/],
    ['0000-01-01', /The review date must be today or later/],
    [{ date: '2026-04-10' }, /Please give the date the plan will be reviewed/],
  ] as Array<[unknown, RegExp]>) {
    const answer = await bot.click(teamsPeople.alex, 'agree-plan', {
      reference: teamsCase,
      stage: 'step-1',
      'agree-plan.plan': 'Joint visit this week.',
      'agree-plan.reviewOn': reviewOn,
    });
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(words);
  }
  expect(await substance(teamsCase)).toBe(before);
  // Proposed: Alex's card says it waits for the police; Chris's card says so too and offers to agree it.
  const proposed = await bot.click(teamsPeople.alex, 'agree-plan', {
    reference: teamsCase,
    stage: 'step-1',
    'agree-plan.plan': 'Joint visit this week, then a call.',
    'agree-plan.reviewOn': '2026-04-14',
  });
  expect(proposed.text).toMatch(/Plan of action \(proposed by Alex Morgan, waiting for the other agency to agree it\)/);
  const theirs = await bot.click(teamsPeople.chris, 'refresh', { reference: teamsCase });
  expect(theirs.text).toMatch(/Plan of action \(proposed by Alex Morgan, waiting for the other agency to agree it\)/);
  expect(theirs.text).toMatch(/"verb":"confirm-plan"/);
});

test('Slack: a forged form submission naming a case the person is not in gets the neutral words and is logged', async () => {
  const before = await substance(teamsCase);
  const answer = await bot.slack(
    viewSubmission(slackPeople.peter, {
      id: 'V-FORGED-FORM',
      callback_id: 'case-form',
      private_metadata: JSON.stringify({ reference: teamsCase, stage: 'step-1', form: 'luton-escalation-template' }),
      values: { disagreement: { value: textInput('Forged.') } },
    }),
  );
  expect(answer.status).toBe(200);
  expect(JSON.stringify(answer.json)).toMatch(/This case is not available to you/);
  expect(await substance(teamsCase)).toBe(before);
  // Before the fix, a forged submission went to the service without the security log hearing of it.
  const logged = await bot.app.repo.securityEvents({ personId: 'peter-lawson', reference: teamsCase });
  expect(logged.map((e) => [e.kind, e.action, e.platform])).toEqual([
    ['command-by-non-party', 'complete-form', 'slack'],
  ]);
});

test('Teams: a plan naming the adult, whose details the case holds sealed, is refused and reaches no chat', async () => {
  const NAME = 'Zebedee Quillfeather-Okonkwo';
  // The adult's details, given privately in the documents card.
  await bot.click(teamsPeople.alex, 'send-document', {
    reference: teamsCase,
    verb: 'send-document',
    'documents.kind': 'case-record',
    'documents.format': 'pdf',
    'documents.name': NAME,
    'documents.dateOfBirth': '1950-03-12',
    'documents.address': '14 Elm Road, Lincoln LN2 1PX',
  });
  expect(await bot.app.repo.readPersonalDetails(teamsCase)).toBeDefined();
  const before = await substance(teamsCase);
  // Before the fix, the sealed name was not checked for a plan's words: this was stored and shown on every card.
  const answer = await bot.click(teamsPeople.chris, 'agree-plan', {
    reference: teamsCase,
    stage: 'step-1',
    'agree-plan.plan': `Visit ${NAME} together on Monday.`,
    'agree-plan.reviewOn': '2026-04-14',
  });
  expect(answer.status).toBe(200);
  expect(answer.text).toMatch(/names the adult/);
  expect(await substance(teamsCase)).toBe(before);
  const sent = sentToChats(bot);
  expect(/quillfeather/i.test(sent.teams + sent.slack)).toBe(false);
});
