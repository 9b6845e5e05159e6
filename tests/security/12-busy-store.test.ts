/**
 * Finding 12: another process holding the SQLite file's write lock froze the whole bot for 5 s
 * per write (better-sqlite3 is synchronous; busy_timeout was 5000). Here a second process holds
 * `BEGIN IMMEDIATE` on the bot's own file while the bot serves: /healthz, a Teams click, a Slack
 * click and a Slack form must all answer quickly, the person is told the record is busy, the
 * event loop never stalls, nothing is half-saved, and the same action succeeds once it is free.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startTestBot, type TestBot } from '../fakes/bot';
import { cardClick, raiseFormValues, slackPeople, slackPost, viewSubmission } from '../fakes/slack-client';
import { executeAction, sendActivity, teamsPeople, teamsRaiseForm } from '../fakes/teams-client';

jest.setTimeout(60_000);

const BUSY = 'The record is busy; please try again in a moment. Nothing was saved.';
const SLACK_META = JSON.stringify({
  board: 'lincolnshire',
  channel: 'CGENERAL',
  counterpartEmail: 'megan.hart@healthwatch.lincolnshire.example.org',
});

/** Another process on the same file: it takes the write lock and keeps it until told to let go. */
async function holdLock(file: string): Promise<{ child: ChildProcess; release(): Promise<void> }> {
  const script = `
    const Database = require(process.argv[1]);
    const db = new Database(process.argv[2]);
    db.pragma('busy_timeout = 5000');
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('LOCKED\\n');
    process.stdin.once('data', () => { db.exec('ROLLBACK'); db.close(); process.stdout.write('RELEASED\\n'); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['-e', script, require.resolve('better-sqlite3'), file], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const said = (word: string): Promise<void> =>
    new Promise((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes(word)) resolve();
      });
      child.once('exit', (code) => (out.includes(word) ? resolve() : reject(new Error(`lock holder exited ${code}`))));
    });
  await said('LOCKED');
  return {
    child,
    release: async () => {
      const released = said('RELEASED');
      child.stdin?.write('go\n');
      await released;
    },
  };
}

/** How long the event loop was held up, at most, while `work` ran (a timer drift probe). */
async function loopStallDuring<T>(work: () => Promise<T>): Promise<{ result: T; maxStallMs: number; p99Ms: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let last = performance.now();
  let maxStallMs = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    maxStallMs = Math.max(maxStallMs, now - last - 20);
    last = now;
  }, 20);
  try {
    const result = await work();
    return { result, maxStallMs, p99Ms: histogram.percentile(99) / 1e6 };
  } finally {
    clearInterval(probe);
    histogram.disable();
  }
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

/** What `find` finds within `ms`, or undefined. */
async function seen<T>(find: () => T | undefined, ms = 6000): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = find();
    if (found !== undefined || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
}

let bot: TestBot;
let file = '';
const teamsClick = (): ReturnType<typeof sendActivity> =>
  sendActivity(
    bot.teamsUrl,
    bot.connector.url,
    teamsPeople.chris,
    executeAction('acknowledge', { reference: 'LI-2026-0001', stage: 'step-1', verb: 'acknowledge' }),
  );
const slackClick = (): ReturnType<typeof slackPost> =>
  slackPost(
    bot.slackUrl,
    cardClick(slackPeople.megan, 'acknowledge', 'LI-2026-0002', 'step-1', { channel: 'DU0LHWL0001', ts: '1.1' }),
  );
const slackRaise = (id: string): ReturnType<typeof slackPost> =>
  slackPost(
    bot.slackUrl,
    viewSubmission(slackPeople.peter, {
      id,
      callback_id: 'raise-form',
      private_metadata: SLACK_META,
      values: raiseFormValues(),
    }),
  );
const types = async (reference: string): Promise<string[]> =>
  (await bot.app.repo.getEvents(reference)).map((e) => e.event.type);

beforeAll(async () => {
  bot = await startTestBot();
  file = join(bot.dataDir, 'escalations.sqlite');
  // One case raised in Teams (Alex → Chris), one in Slack (Peter → Megan).
  const teams = await sendActivity(
    bot.teamsUrl,
    bot.connector.url,
    teamsPeople.alex,
    executeAction('raise-submit', teamsRaiseForm),
  );
  expect(JSON.stringify(teams.body)).toMatch(/Escalation LI-2026-0001 is raised/);
  const slack = await slackRaise('VRAISE1');
  expect(JSON.stringify(slack.json)).toMatch(/Escalation LI-2026-0002 is raised/);
  await bot.app.settle();
});

afterAll(async () => {
  await bot.stop();
});

test('while another process holds the write lock: quick answers in plain words, no stalled event loop, nothing saved; once it lets go, the same clicks work', async () => {
  const before = { teams: await types('LI-2026-0001'), slack: await types('LI-2026-0002') };
  const references = await bot.app.repo.allReferences();
  const lock = await holdLock(file);
  let released = false;
  try {
    const mark = bot.slackApi.calls.length;
    const { result, maxStallMs, p99Ms } = await loopStallDuring(() =>
      Promise.all([
        timed(() => fetch(`${bot.base}/healthz`).then(async (r) => ({ status: r.status, body: await r.text() }))),
        timed(teamsClick),
        timed(async () => {
          const answer = await slackClick();
          const told = await seen(() =>
            bot.slackApi
              .since(mark, 'chat.postEphemeral')
              .find((c) => c.args.user === slackPeople.megan.id && c.args.channel === 'DU0LHWL0001'),
          );
          return { answer, told };
        }),
        timed(() => slackRaise('VRAISE2')),
      ]),
    );
    const [health, teams, slack, form] = result;
    process.stdout.write(
      `busy store: event loop max stall ${maxStallMs.toFixed(0)} ms (p99 ${p99Ms.toFixed(0)} ms); /healthz ${health.ms} ms (${health.value.status}); Teams click ${teams.ms} ms; Slack click told in ${slack.ms} ms; Slack form ${form.ms} ms\n`,
    );

    // /healthz: quickly, ok (the file can still be read) or 503.
    expect(health.ms).toBeLessThan(1000);
    expect([200, 503]).toContain(health.value.status);
    // Teams: the click is answered with the words, in time for Teams.
    expect(teams.value.status).toBe(200);
    expect(teams.value.body).toEqual(
      expect.objectContaining({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: BUSY }),
    );
    expect(teams.ms).toBeLessThan(2500);
    // Slack: the click is acknowledged, and the person is told privately.
    expect(slack.value.answer.status).toBe(200);
    expect(slack.value.told?.args.text).toBe(BUSY);
    expect(slack.ms).toBeLessThan(2500);
    // Slack's form: an error on the form (Slack waits 3 s), nothing raised.
    expect(form.value.json).toEqual({ response_action: 'errors', errors: { summary: BUSY } });
    expect(form.ms).toBeLessThan(2500);
    // Never a stalled process: the other requests went on being served meanwhile. The bound is
    // loose on purpose (a busy wait inside the store, 5 s by SQLite's default, is what it
    // catches); how long the loop is held under load is a figure of `npm run bench`, not a test.
    expect(maxStallMs).toBeLessThan(1000);

    // Nothing half-saved: the timelines and the cases are as they were.
    expect(await types('LI-2026-0001')).toEqual(before.teams);
    expect(await types('LI-2026-0002')).toEqual(before.slack);
    expect(await bot.app.repo.allReferences()).toEqual(references);

    await lock.release();
    released = true;

    // The same actions, now the record is free: done once each.
    const again = await teamsClick();
    expect(again.body).toEqual(expect.objectContaining({ type: 'application/vnd.microsoft.card.adaptive' }));
    expect(await types('LI-2026-0001')).toEqual([...before.teams, 'stage-acknowledged']);
    expect((await slackClick()).status).toBe(200);
    await bot.app.settle();
    expect(await types('LI-2026-0002')).toEqual([...before.slack, 'stage-acknowledged']);
    const raised = await slackRaise('VRAISE2');
    expect(JSON.stringify(raised.json)).toMatch(/Escalation LI-2026-0003 is raised/);
    await bot.app.settle();
  } finally {
    if (!released) await lock.release();
  }
});
