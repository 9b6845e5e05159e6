/**
 * Lincolnshire step 4 branches: "Step 4a (Urgent) ... LSAB Independent Chaired Meeting" or
 * "Step 4b (Non-urgent) ... Review and Learning Group". A case raised with "no" to immediate
 * risk can still reach the independently chaired meeting: asking to escalate from step 3 offers
 * the two, on Slack (a select in the modal) and on Teams (an Input.ChoiceSet on the card), and
 * the choice made is where the case goes.
 */
import { startTestBot, type TestBot } from '../fakes/bot';
import { cardClick, choiceInput, slackPeople, slackPost, textInput, viewSubmission } from '../fakes/slack-client';
import { teamsPeople, type TeamsUser } from '../fakes/teams-client';

let bot: TestBot;
let now = new Date('2026-11-23T10:00:00Z');

beforeAll(async () => {
  bot = await startTestBot({ clock: () => now });
});

afterAll(async () => {
  await bot.stop();
});

async function until<T>(what: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const got = what();
    if (got !== undefined) return got;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

type SlackUser = { id: string; team: string };
const catherine: SlackUser = { id: 'U0LDIO0003', team: slackPeople.peter.team }; // Diocese of Lincoln, Senior Liaison Officer
const jordan = { id: '29:jordan', aadObjectId: '8ab10c8a-c471-467c-a84e-c33df54a63ab', name: 'Jordan Hughes' }; // the council's

const where = { channel: 'CCASE9', ts: '9.9' };

/** A Slack button clicked; for a command that asks for words, the modal it opened. */
async function slackClick(user: SlackUser, verb: string, reference: string, stage: string) {
  const before = bot.slackApi.calls.length;
  await slackPost(bot.slackUrl, cardClick(user, verb, reference, stage, where));
  if (verb !== 'request-escalation') return undefined;
  const opened = await until(() => bot.slackApi.since(before, 'views.open')[0]);
  return opened.args.view as {
    callback_id: string;
    private_metadata: string;
    blocks: Array<{ block_id: string; element: Record<string, unknown> }>;
  };
}

async function slackSubmit(user: SlackUser, view: { callback_id: string; private_metadata: string }, values: object) {
  const sent = await slackPost(
    bot.slackUrl,
    viewSubmission(user, {
      id: `V-${Math.random()}`,
      callback_id: view.callback_id,
      private_metadata: view.private_metadata,
      values: values as never,
    }),
  );
  return sent.json;
}

const stageOf = async (reference: string) => {
  const state = (await bot.app.repo.getCase(reference))?.state;
  return state?.pendingEscalation?.toStage ?? state?.stages.at(-1)?.id;
};

/** Waits for the case to be at `stage` (a Slack click is acted on just after it is answered). */
async function reaches(reference: string, stage: string): Promise<void> {
  const end = Date.now() + 5000;
  while ((await stageOf(reference)) !== stage) {
    if (Date.now() > end) throw new Error(`still at ${await stageOf(reference)}, not ${stage}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let cases: { teamsCase: string; slackCase: string };

beforeAll(async () => {
  cases = await bot.raiseOneEach('V-RAISE-1');
});

test('Slack: the modal asks which way, the case’s own answer ("no") chosen to start with; "urgent" takes it to step 4a', async () => {
  const reference = cases.slackCase;
  const reason = (r: string) => ({ reason: { value: textInput(r) } });
  now = new Date('2026-11-23T11:00:00Z');
  const first = await slackClick(slackPeople.peter, 'request-escalation', reference, 'step-1');
  expect(first?.blocks.map((b) => b.block_id)).toEqual(['reason']); // step 2 does not branch
  await slackSubmit(slackPeople.peter, first as never, reason('No plan agreed.'));
  await slackClick(slackPeople.helen, 'approve-escalation', reference, 'step-1');
  await reaches(reference, 'step-2');
  now = new Date('2026-11-24T11:00:00Z');
  await slackSubmit(
    slackPeople.helen,
    (await slackClick(slackPeople.helen, 'request-escalation', reference, 'step-2')) as never,
    reason('The managers disagree.'),
  );
  await slackClick(catherine, 'approve-escalation', reference, 'step-2');
  await reaches(reference, 'step-3');
  now = new Date('2026-11-25T10:00:00Z');
  const view = await slackClick(catherine, 'request-escalation', reference, 'step-3');
  expect(await stageOf(reference)).toBe('step-3');
  expect((await bot.app.repo.getCase(reference))?.state.urgent).toBe(false);
  expect(view?.blocks.map((b) => [b.block_id, b.element.type])).toEqual([
    ['reason', 'plain_text_input'],
    ['urgent', 'static_select'],
  ]);
  const select = view?.blocks[1]?.element as { options: Array<{ value: string; text: { text: string } }> };
  expect(select.options.map((o) => [o.value, o.text.text])).toEqual([
    ['yes', 'Urgent: Urgent resolution required - LSAB Independent Chaired Meeting'],
    ['no', 'Not urgent: Non-urgent and / or lessons learned'],
  ]);
  expect(view?.blocks[1]?.element.initial_option).toEqual(expect.objectContaining({ value: 'no' }));
  const sent = await slackSubmit(catherine, view as never, {
    ...reason('The adult is now at risk of losing her placement this week.'),
    urgent: { value: choiceInput('yes') },
  });
  expect(sent).toEqual({ response_action: 'clear' });
  expect(await stageOf(reference)).toBe('step-4a');
});

test('Teams: the choice on the card reaches the command; "urgent" takes a case not marked urgent to step 4a', async () => {
  const reference = cases.teamsCase;
  const act = async (user: TeamsUser, verb: string, stage: string, words: Record<string, string> = {}) =>
    bot.click(user, verb, { reference, stage, verb, ...words });
  now = new Date('2026-11-23T11:00:00Z');
  await act(teamsPeople.alex, 'request-escalation', 'step-1', { 'request-escalation.reason': 'No plan agreed.' });
  await act(teamsPeople.priya, 'approve-escalation', 'step-1');
  now = new Date('2026-11-24T11:00:00Z');
  await act(teamsPeople.priya, 'request-escalation', 'step-2', { 'request-escalation.reason': 'They disagree.' });
  await act(jordan, 'approve-escalation', 'step-2');
  expect(await stageOf(reference)).toBe('step-3');
  expect((await bot.app.repo.getCase(reference))?.state.urgent).toBe(false);
  now = new Date('2026-11-25T10:00:00Z');
  await act(jordan, 'request-escalation', 'step-3', {
    'request-escalation.reason': 'The adult is now at risk of losing her placement this week.',
    'request-escalation.urgent': 'yes',
  });
  expect(await stageOf(reference)).toBe('step-4a');
});
