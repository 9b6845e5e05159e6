/**
 * An outage: the fake Slack API answers 500 for half a minute, then 429 with a Retry-After of
 * several seconds for another half minute, then recovers. A Slack case raised just before is
 * acknowledged, noted, escalated, returned, escalated again, approved, noted again and an
 * outcome proposed during it (the last just before recovery, owing Helen a DM behind two still
 * waiting). Every request to the bot answers at once from the store; after recovery everything
 * owed is delivered, each message once, messages into one conversation in the order they were owed, the
 * channel card in the case's latest state, and no item calls Slack again sooner than the
 * Retry-After it was given. One person's DM can never be opened: their message fails after its
 * attempts, is logged by ids, and the case's channel and card say so.
 *
 * The arithmetic (src/app/delivery.ts): the delay before attempt n+1 is at least
 * max(Retry-After, 0.8 · base · 2^(n−1)), so an item first failing at the outage's first instant
 * is still being tried at 0.8 · base · (2^(attempts−1) − 1). With the defaults (2 s, 8 attempts)
 * that is ≥ 203 s, which survives a minute; here base 0.375 s and 9 attempts give ≥ 76.5 s (the
 * undeliverable item fails after about 100 s, a little more where a Retry-After lengthened a
 * wait), so items survive the minute with room and the test takes a little over two minutes.
 *
 * Which item each Slack call belongs to: the worker's (private) perform is wrapped to note when
 * it worked on which item; from the outage on, one case's items are worked one at a time.
 */
import { Delivery } from '../../src/app/delivery';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import type { OutboxItem } from '../../src/app/store/outbox';
import { stageCardView } from '../../src/app/views/stage-card';
import { stageCardBlocks } from '../../src/channels/slack/blocks';
import { startTestBot, type TestBot } from '../fakes/bot';
import { captureLogs } from '../fakes/leaks';
import type { ApiCall } from '../fakes/slack-api';
import {
  cardClick,
  slackPeople as people,
  slackPost,
  textInput,
  viewSubmission,
  type SlackAnswer,
  type SlackUser,
} from '../fakes/slack-client';

jest.setTimeout(300_000);

const BASE_SECONDS = 0.375;
const ATTEMPTS = 9;
const RETRY_AFTER = 5;
const PROBLEM = 'Owen Pritchard could not be reached on Slack. Ask them to open the app once.';
const ADULT = [/R\.T\.|\bR T\b/, /rough handling/, /Reopen the concern/, /chaplain visits/];

const directory = loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, loadProcedures());
const logs = captureLogs();
let bot: TestBot;
let now = new Date('2026-11-23T10:00:00Z');

/** Each attempt the worker made at an item, as a window in time: the Slack calls inside it are that item's. */
interface Attempt {
  id: string;
  start: number;
  end: number;
}
const attempts: Attempt[] = [];
type Perform = (this: Delivery, item: OutboxItem, ...rest: unknown[]) => Promise<Record<string, unknown>>;
const worker = Delivery.prototype as unknown as { perform: Perform };
const perform = worker.perform;

beforeAll(async () => {
  worker.perform = async function (this: Delivery, item: OutboxItem, ...rest: unknown[]) {
    const attempt: Attempt = { id: item.id, start: Date.now(), end: Number.POSITIVE_INFINITY };
    attempts.push(attempt);
    try {
      return await perform.call(this, item, ...rest);
    } finally {
      attempt.end = Date.now();
    }
  };
  bot = await startTestBot({
    env: { OUTBOX_RETRY_SECONDS: String(BASE_SECONDS), OUTBOX_ATTEMPTS: String(ATTEMPTS) },
    clock: () => now,
    logDestination: logs.destination,
  });
});

afterAll(async () => {
  worker.perform = perform;
  await bot.stop();
});

async function until<T>(what: () => Promise<T | undefined> | T | undefined, ms: number, why: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const got = await what();
    if (got !== undefined && got !== false) return got;
    if (Date.now() > end) throw new Error(`timed out waiting: ${why}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ok = (c: ApiCall): boolean => !c.method.includes(' (');
const keyOf = (c: ApiCall): string =>
  String((c.args.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key ?? '');

describe('an outage of a minute (500s, then 429s with Retry-After), then recovery', () => {
  let reference = '';
  let thread = { channel: '', ts: '' };
  let outageFrom = 0;
  const answers: Array<{ what: string; answer: SlackAnswer }> = [];

  /** A modal's words submitted (the modal was opened before the outage, or Slack shows it from its own side). */
  const submit = (
    user: SlackUser,
    verb: string,
    values: Record<string, string>,
    where: typeof thread,
    stage = 'step-1',
  ): string =>
    viewSubmission(user, {
      id: `V-${verb}-${answers.length}`,
      callback_id: `case-input:${verb}`,
      private_metadata: JSON.stringify({ reference, stage, ...where }),
      values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: textInput(v) }])),
    });

  test('a Slack case is raised and its channel opened before the outage; Owen can never be messaged directly', async () => {
    bot.slackApi.refusals.push({
      method: 'conversations.open',
      error: 'user_not_visible',
      args: { users: people.owen.id },
    });
    reference = await bot.raiseOnSlack('V-OUTAGE-RAISE');
    const threads = await bot.app.repo.getThreads(reference);
    thread = threads[0]?.reference as typeof thread;
    expect(thread.channel).toMatch(/^CCASE/);
    expect((await bot.app.repo.outboxStats()).pending).toBe(0);
  });

  test('during the outage every request is answered at once from the store', async () => {
    const meganDm = (await bot.app.repo.listOutbox({ reference })).find(
      (i) => i.id === `${reference}:2:tell:megan-hart`,
    )?.result as { channel: string; ts: string };
    expect(meganDm.channel).toBe('DU0LHWL0001');
    outageFrom = Date.now();
    const at = (ms: number): Promise<void> =>
      new Promise((r) => setTimeout(r, Math.max(0, outageFrom + ms - Date.now())));
    bot.slackApi.outage = { status: 500, until: outageFrom + 40_000 };
    // The 429s take over at 30 s (before the 500s would end, so no call slips through between them).
    const switchover = setTimeout(() => {
      bot.slackApi.outage = { status: 429, until: outageFrom + 60_000, retryAfter: RETRY_AFTER };
    }, 30_000);
    const send = async (what: string, minutes: number, body: string, expected: unknown): Promise<void> => {
      now = new Date(now.getTime() + minutes * 60_000);
      const events = (await bot.app.repo.getEvents(reference)).length;
      const answer = await slackPost(bot.slackUrl, body);
      answers.push({ what, answer });
      expect({ what, status: answer.status, json: answer.json }).toEqual({ what, status: 200, json: expected });
      // A click is acknowledged first and recorded straight after; a modal's words before the answer.
      await until(async () => (await bot.app.repo.getEvents(reference)).length > events, 2000, `${what} recorded`);
    };
    const clear = { response_action: 'clear' };
    await at(1000);
    await send(
      'Megan acknowledges from her DM',
      60,
      cardClick(people.megan, 'acknowledge', reference, 'step-1', meganDm),
      undefined,
    );
    await at(5000);
    await send(
      'Peter adds a note',
      10,
      submit(people.peter, 'add-note', { text: 'Spoke to the home manager.' }, thread),
      clear,
    );
    await at(10_000);
    await send(
      'Peter asks to escalate',
      10,
      submit(people.peter, 'request-escalation', { reason: 'No plan agreed.' }, thread),
      clear,
    );
    await at(15_000);
    await send(
      'Helen returns it',
      10,
      submit(people.helen, 'return-escalation', { reason: 'Try once more.' }, thread),
      clear,
    );
    await at(20_000);
    await send(
      'Peter asks again',
      10,
      submit(people.peter, 'request-escalation', { reason: 'Still no plan.' }, thread),
      clear,
    );
    await at(25_000);
    await send(
      'Helen approves',
      10,
      cardClick(people.helen, 'approve-escalation', reference, 'step-1', thread),
      undefined,
    );
    await at(35_000);
    await send(
      'Megan adds a note from her DM',
      10,
      submit(people.megan, 'add-note', { text: 'Manager agrees.' }, meganDm, 'step-2'),
      clear,
    );
    await at(45_000);
    await send(
      'Peter adds a note',
      10,
      submit(people.peter, 'add-note', { text: 'Meeting booked.' }, thread, 'step-2'),
      clear,
    );
    // Just before recovery: word to Helen and Peter, whose earlier DMs are still waiting out
    // their backoff. Tried first, this one would arrive before them.
    await at(55_000);
    await send(
      'Owen proposes an outcome',
      10,
      submit(
        people.owen,
        'propose-resolution',
        { outcome: 'The concern is reopened.', outstandingIssues: 'None.' },
        thread,
        'step-2',
      ),
      clear,
    );
    await at(60_000);
    clearTimeout(switchover);
    for (const { what, answer } of answers) expect({ what, slow: answer.ms >= 1000 }).toEqual({ what, slow: false });
    const failedCalls = bot.slackApi.calls.filter((c) => c.at >= outageFrom && !ok(c));
    expect(failedCalls.filter((c) => c.method.endsWith('(500)')).length).toBeGreaterThanOrEqual(10);
    expect(failedCalls.filter((c) => c.method.endsWith('(429)')).length).toBeGreaterThanOrEqual(5);
    // Nothing got through while Slack was down.
    expect(bot.slackApi.calls.filter((c) => c.at >= outageFrom && c.at < outageFrom + 60_000 && ok(c))).toEqual([]);
    expect((await bot.app.repo.getCase(reference))?.state.stages).toHaveLength(2);
  });

  test('after recovery everything owed is delivered; only Owen’s DM failed, after every attempt', async () => {
    const settled = await until(
      async () =>
        (await bot.app.repo.outboxStats()).pending === 0 ? bot.app.repo.listOutbox({ reference }) : undefined,
      200_000,
      'the outbox to empty',
    );
    const failed = settled.filter((i) => i.status !== 'done');
    expect(failed.map((i) => [i.id, i.status, i.attempts])).toEqual([
      [`${reference}:9:tell:owen-pritchard`, 'failed', ATTEMPTS],
    ]);
    expect((await bot.app.repo.outboxStats()).failed).toBe(1);
  });

  test('each message arrived once, and the messages into each conversation in the order they were owed', async () => {
    const items = await bot.app.repo.listOutbox({ reference });
    const byId = new Map(items.map((i) => [i.id, i]));
    const posted = bot.slackApi.calls.filter((c) => c.method === 'chat.postMessage' && keyOf(c));
    const keys = posted.map(keyOf);
    expect(keys.length).toBe(new Set(keys).size);
    // Every message owed (a card, a note, a line, a DM) arrived.
    const owed = items.filter(
      (i) => i.status === 'done' && (i.kind === 'tell' || i.kind === 'say' || i.kind === 'open-thread'),
    );
    for (const item of owed)
      if (item.result?.threads !== 0) expect(keys.filter((k) => k.split('#')[0] === item.id)).not.toHaveLength(0);
    const conversations = new Map<string, string[]>();
    for (const c of posted) {
      const id = keyOf(c).split('#')[0] ?? '';
      const seen = conversations.get(String(c.args.channel)) ?? [];
      if (seen.at(-1) !== id) seen.push(id);
      conversations.set(String(c.args.channel), seen);
    }
    const owedOrder = (a: string, b: string): number => {
      const [x, y] = [byId.get(a), byId.get(b)];
      if (!x || !y) throw new Error(`unknown item ${a} or ${b}`);
      return x.createdAt.localeCompare(y.createdAt) || x.event - y.event;
    };
    for (const [channel, ids] of conversations)
      expect({ channel, ids }).toEqual({ channel, ids: [...ids].sort(owedOrder) });
    // Helen was messaged three times during the outage (the last just before recovery, while the
    // first two waited out their backoff); the case's channel had its card and its note, then the line.
    expect(conversations.get('DU0LDIO0002')).toEqual([
      `${reference}:5:tell:helen-marsh`,
      `${reference}:7:tell:helen-marsh`,
      expect.stringMatching(/:tell:helen-marsh$/),
    ]);
    expect(conversations.get(thread.channel)).toHaveLength(2);
  });

  test('no item called Slack again sooner than the Retry-After it was given', () => {
    const during = attempts.filter((a) => a.end >= outageFrom);
    const sorted = [...during].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]?.start).toBeGreaterThanOrEqual(sorted[i - 1]?.end ?? 0);
    const calls = bot.slackApi.calls.filter((c) => c.at >= outageFrom && c.method !== 'auth.test');
    const owner = (c: ApiCall): string | undefined => during.find((a) => a.start <= c.at && c.at <= a.end)?.id;
    // Every call Slack saw from the outage on was the worker's (no request to the bot called Slack).
    expect(calls.filter((c) => !owner(c))).toEqual([]);
    const limited = calls.filter((c) => c.method.endsWith('(429)'));
    expect(limited.length).toBeGreaterThanOrEqual(5);
    const gaps = limited.map((c) => {
      const item = owner(c);
      const next = calls.find((n) => n.at > c.at && owner(n) === item);
      return { item, method: c.method, gap: next ? next.at - c.at : Number.POSITIVE_INFINITY };
    });
    for (const g of gaps) expect({ ...g, honoured: g.gap >= RETRY_AFTER * 1000 }).toEqual({ ...g, honoured: true });
    expect(gaps.filter((g) => Number.isFinite(g.gap)).length).toBeGreaterThanOrEqual(3);
    // The wait is for the whole platform, not only the item told: after a 429, no item calls Slack
    // before its Retry-After has passed (the attempts never overlap, see above).
    const quiet = limited.map((c) => {
      const next = calls.find((n) => n.at > c.at);
      return { method: c.method, gap: next ? next.at - c.at : Number.POSITIVE_INFINITY };
    });
    for (const q of quiet) expect({ ...q, waited: q.gap >= RETRY_AFTER * 1000 }).toEqual({ ...q, waited: true });
  });

  test('the channel card ends in the latest state, saying who could not be reached; so does the channel', async () => {
    const stored = await bot.app.repo.getCase(reference);
    if (!stored) throw new Error('the case is gone');
    const events = (await bot.app.repo.getEvents(reference)).map((e) => e.event);
    const updates = bot.slackApi.calls.filter(
      (c) => c.method === 'chat.update' && c.args.channel === thread.channel && c.args.ts === thread.ts,
    );
    const last = updates.at(-1);
    expect(JSON.stringify(last?.args.blocks)).toContain(PROBLEM);
    const expected = stageCardBlocks(stageCardView(stored.state, { now, directory, events, problems: [PROBLEM] }));
    expect({ text: last?.args.text, blocks: last?.args.blocks }).toEqual(JSON.parse(JSON.stringify(expected)));
    const line = bot.slackApi.calls.filter(
      (c) => ok(c) && c.method === 'chat.postMessage' && c.args.channel === thread.channel && c.args.text === PROBLEM,
    );
    expect(line).toHaveLength(1);
  });

  test('the failure is in the log: people by id, none of the adult’s details', () => {
    const lines = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const failure = lines.filter((l) => l.msg === 'Could not deliver a message after every attempt');
    expect(failure).toEqual([
      expect.objectContaining({
        reference,
        kind: 'tell',
        platform: 'slack',
        person: 'owen-pritchard',
        attempts: ATTEMPTS,
        error: expect.stringContaining('user_not_visible') as string,
      }),
    ]);
    expect(JSON.stringify(failure)).not.toMatch(/Owen Pritchard|owen\.pritchard@/);
    for (const pattern of ADULT) expect(logs.lines.join('\n')).not.toMatch(pattern);
  });
});
