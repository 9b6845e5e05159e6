/**
 * Finding 7: a Slack request replayed inside Bolt's five-minute window was taken again (a
 * replayed note was recorded twice), and timestamps in the future (+6 min, +1 year) were taken.
 * Now a signature already seen is acknowledged and ignored (through the store, so every replica
 * knows), a timestamp more than a minute ahead is refused, and Slack's own retries are still
 * acknowledged and ignored.
 */
import { startTestBot, type TestBot } from '../fakes/bot';
import { slackPeople, slackPost, slashCommand, textInput, viewSubmission } from '../fakes/slack-client';

let bot: TestBot;
let reference = '';
let stage = '';

beforeAll(async () => {
  bot = await startTestBot();
  reference = await bot.raiseOnSlack('V-REPLAY-RAISE');
  const stored = await bot.app.repo.getCase(reference);
  stage = stored?.state.stages[stored.state.stages.length - 1]?.id ?? '';
});
afterAll(async () => {
  await bot.stop();
});

function note(text: string): string {
  return viewSubmission(slackPeople.peter, {
    id: `V-NOTE-${text.length}`,
    callback_id: 'case-input:add-note',
    private_metadata: JSON.stringify({ reference, stage, channel: '', ts: '' }),
    values: { text: { value: textInput(text) } },
  });
}

async function notes(): Promise<string[]> {
  return (await bot.app.repo.getEvents(reference)).flatMap((e) =>
    e.event.type === 'note-added' ? [e.event.text] : [],
  );
}

test('a signed note replayed byte for byte is acknowledged and ignored: recorded once', async () => {
  const body = note('The GP has been told.');
  const timestamp = Math.floor(Date.now() / 1000);
  const first = await slackPost(bot.slackUrl, body, { timestamp });
  expect(first.status).toBe(200);
  expect(first.json).toEqual({ response_action: 'clear' });
  await bot.app.settle();
  for (let i = 0; i < 3; i++) {
    const again = await slackPost(bot.slackUrl, body, { timestamp });
    expect(again.status).toBe(200);
    expect(again.text).toBe('');
  }
  await bot.app.settle();
  expect(await notes()).toEqual(['The GP has been told.']);
});

test('timestamps more than a minute ahead (+6 minutes, +1 year) are refused with 401; +30 seconds is fine', async () => {
  const now = Math.floor(Date.now() / 1000);
  const before = bot.slackApi.calls.length;
  for (const ahead of [6 * 60, 365 * 24 * 3600]) {
    const answer = await slackPost(bot.slackUrl, slashCommand(slackPeople.peter), { timestamp: now + ahead });
    expect({ ahead, status: answer.status }).toEqual({ ahead, status: 401 });
    const noted = await slackPost(bot.slackUrl, note(`Ahead by ${ahead}.`), { timestamp: now + ahead });
    expect(noted.status).toBe(401);
  }
  await bot.app.settle();
  expect(bot.slackApi.calls.slice(before).filter((c) => c.method === 'views.open')).toEqual([]);
  expect(await notes()).toEqual(['The GP has been told.']);
  const near = await slackPost(bot.slackUrl, slashCommand(slackPeople.peter), { timestamp: now + 30 });
  expect(near.status).toBe(200);
});

test("Slack's own retries (X-Slack-Retry-Num, signed afresh) are still acknowledged and ignored", async () => {
  const body = note('Strategy meeting booked.');
  const first = await slackPost(bot.slackUrl, body);
  expect(first.status).toBe(200);
  await bot.app.settle();
  const retried = await slackPost(bot.slackUrl, body, { retry: 1, timestamp: Math.floor(Date.now() / 1000) - 2 });
  expect(retried.status).toBe(200);
  expect(retried.text).toBe('');
  await bot.app.settle();
  expect(await notes()).toEqual(['The GP has been told.', 'Strategy meeting booked.']);
});

test('the same signature is refused as a replay by another replica sharing the store', async () => {
  const body = note('Seen by the other replica.');
  const timestamp = Math.floor(Date.now() / 1000);
  const first = await slackPost(bot.slackUrl, body, { timestamp });
  expect(first.status).toBe(200);
  await bot.app.settle();
  const other = await startTestBot({ env: { DATA_DIR: bot.dataDir } });
  try {
    const again = await slackPost(other.slackUrl, body, { timestamp });
    expect(again.status).toBe(200);
    expect(again.text).toBe('');
    await other.app.settle();
  } finally {
    await other.stop();
  }
  expect((await notes()).filter((n) => n === 'Seen by the other replica.')).toHaveLength(1);
});
