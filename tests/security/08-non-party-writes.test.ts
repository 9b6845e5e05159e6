/**
 * Finding 8: people who are no party to a case, and buttons that do not exist, cannot write into
 * the case's timeline. Through the real bot on both platforms: their clicks and garbage verbs
 * leave the case's version and timeline as they were, are answered with neutral words that do
 * not give the case's stage, and land in the security log under a known name (or 'unknown'),
 * which stays bounded. A party without the role is still refused and recorded on the timeline.
 */
import { startTestBot, type TestBot } from '../fakes/bot';
import { cardClick, blockAction, slackPeople, textInput, viewSubmission } from '../fakes/slack-client';
import { teamsPeople, type TeamsUser } from '../fakes/teams-client';
import { SECURITY_LOG_CAP } from '../../src/app/store/repository';
import { CASE_COMMANDS } from '../../src/app/commands';

jest.setTimeout(120_000);

/** The security log keeps the newest 10,000 entries. */
const CAP = 10_000;
const NEUTRAL = 'This case is not available to you.';
const GARBAGE = ['__proto__', 'constructor', 'x'.repeat(5000), 'toString', ''];
/** Names a security log entry may carry: never what was sent. */
const KNOWN = new Set([...CASE_COMMANDS, 'refresh', 'documents', 'send-document', 'unknown']);

let bot: TestBot;
let teamsCase = '';
let slackCase = '';
const where = { channel: 'CCASE1', ts: '1.1' };

const teams = (from: TeamsUser, verb: string, data: Record<string, unknown>) => bot.click(from, verb, data);

const slack = (body: string) => bot.slack(body);

/** The case as stored: its version and whole timeline. */
async function snapshot(reference: string): Promise<string> {
  const stored = await bot.app.repo.getCase(reference);
  const events = await bot.app.repo.getEvents(reference);
  return JSON.stringify({ version: stored?.version, events });
}

beforeAll(async () => {
  bot = await startTestBot();
  ({ teamsCase, slackCase } = await bot.raiseOneEach('V-RAISE-8'));
});

afterAll(async () => {
  await bot?.stop();
});

test('Teams: a non-party’s clicks, real and garbage, change nothing, say nothing of the case, and are in the security log', async () => {
  const before = await snapshot(teamsCase);
  const verbs = [...CASE_COMMANDS, ...GARBAGE];
  for (const verb of verbs) {
    const answer = await teams(teamsPeople.kwame, verb, {
      reference: teamsCase,
      stage: 'step-1',
      [`${verb}.text`]: 'A note from outside',
      [`${verb}.reason`]: 'A reason from outside',
    });
    expect(answer.status).toBe(200);
    expect(answer.body?.value).toBe(NEUTRAL);
    // Not the stage, not the status.
    expect(answer.text).not.toMatch(/Direct Professional|step-1|open|resolved|withdrawn/i);
  }
  expect(await snapshot(teamsCase)).toBe(before);
  const logged = await bot.app.repo.securityEvents({ personId: 'kwame-asante', reference: teamsCase });
  expect(logged).toHaveLength(verbs.length);
  expect(logged.every((e) => e.kind === 'command-by-non-party' && e.platform === 'teams')).toBe(true);
  expect(new Set(logged.map((e) => e.action))).toEqual(new Set([...CASE_COMMANDS, 'unknown']));
});

test('Teams: garbage verbs from a party change nothing either and are logged as unknown, not on the timeline', async () => {
  const before = await snapshot(teamsCase);
  for (const verb of GARBAGE.filter(Boolean)) {
    const answer = await teams(teamsPeople.chris, verb, { reference: teamsCase, stage: 'step-1' });
    expect(answer.body?.value).toBe('This button is not one the bot knows; use the latest card.');
  }
  expect(await snapshot(teamsCase)).toBe(before);
  const logged = await bot.app.repo.securityEvents({ personId: 'chris-bennett' });
  expect(logged.map((e) => [e.kind, e.action])).toEqual(
    GARBAGE.filter(Boolean).map(() => ['unknown-command', 'unknown']),
  );
});

test('Slack: a non-party’s clicks and forms on another case change nothing and are answered neutrally', async () => {
  const before = await snapshot(teamsCase);
  const calls = bot.slackApi.calls.length;
  for (const verb of ['acknowledge', 'approve-escalation', 'withdraw', ...GARBAGE])
    await slack(cardClick(slackPeople.megan, verb, teamsCase, 'step-1', where));
  await slack(blockAction(slackPeople.megan, 'case:__proto__', '{"reference":{"__proto__":1}}', where));
  for (const verb of ['add-note', 'withdraw', '__proto__']) {
    const answer = await slack(
      viewSubmission(slackPeople.megan, {
        id: `V-IN-${verb}`,
        callback_id: `case-input:${verb}`,
        private_metadata: JSON.stringify({
          reference: teamsCase,
          stage: 'step-1',
          channel: where.channel,
          ts: where.ts,
        }),
        values: { text: { value: textInput('A note from outside') }, reason: { value: textInput('Because') } },
      }),
    );
    expect(answer.json).toEqual({ response_action: 'errors', errors: { text: NEUTRAL } });
  }
  expect(await snapshot(teamsCase)).toBe(before);
  const said = bot.slackApi.since(calls, 'chat.postEphemeral').map((c) => c.args.text);
  expect(said.length).toBeGreaterThanOrEqual(8);
  expect(new Set(said)).toEqual(new Set([NEUTRAL]));
  const logged = await bot.app.repo.securityEvents({ personId: 'megan-hart' });
  expect(logged.length).toBeGreaterThanOrEqual(12);
  expect(logged.every((e) => e.platform === 'slack' && KNOWN.has(e.action))).toBe(true);
});

test('a party without the role is still refused in words that help, and recorded on the case’s timeline', async () => {
  // Teams: Fiona (the police) may not approve an escalation nobody asked for.
  const teamsAnswer = await teams(teamsPeople.fiona, 'approve-escalation', { reference: teamsCase, stage: 'step-1' });
  expect(String(teamsAnswer.body?.value)).toMatch(/No escalation from Direct Professional/);
  expect((await bot.app.repo.getEvents(teamsCase)).at(-1)?.event).toEqual(
    expect.objectContaining({ type: 'command-refused', command: 'approve-escalation' }),
  );
  // Slack: Owen (HealthWatch's line manager) likewise, on the Slack case.
  const calls = bot.slackApi.calls.length;
  await slack(cardClick(slackPeople.owen, 'approve-escalation', slackCase, 'step-1', where));
  const said = bot.slackApi.since(calls, 'chat.postEphemeral').map((c) => String(c.args.text));
  expect(said).toEqual([expect.stringMatching(/No escalation from Direct Professional/)]);
  expect((await bot.app.repo.getEvents(slackCase)).at(-1)?.event).toEqual(
    expect.objectContaining({ type: 'command-refused', command: 'approve-escalation' }),
  );
});

test('no command name is ever stored as sent, on any timeline or in the security log', async () => {
  const events = [...(await bot.app.repo.getEvents(teamsCase)), ...(await bot.app.repo.getEvents(slackCase))].map(
    (e) => e.event,
  );
  const refused = events.filter((e) => e.type === 'command-refused');
  expect(refused.every((e) => e.type === 'command-refused' && CASE_COMMANDS.has(e.command))).toBe(true);
  const logged = await bot.app.repo.securityEvents({ limit: 100_000 });
  expect(logged.every((e) => KNOWN.has(e.action))).toBe(true);
  expect(JSON.stringify(logged)).not.toMatch(/__proto__|constructor|xxxxx/);
});

test('the security log stays bounded: past its cap, the oldest entries go', async () => {
  expect(SECURITY_LOG_CAP).toBe(CAP);
  const first = (await bot.app.repo.securityEvents({ limit: 100_000 })).at(-1);
  expect(first).toBeDefined();
  const start = Date.parse('2020-01-01T00:00:00Z');
  for (let i = 0; i < CAP + 25; i++) {
    await bot.app.repo.recordSecurityEvent({
      at: new Date(start + i * 1000).toISOString(),
      kind: 'unknown-command',
      action: 'unknown',
    });
    // Let the servers' timers run (SQLite answers synchronously), as they would between requests.
    if (i % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  // And one more through the bot, the newest of all.
  await teams(teamsPeople.kwame, 'withdraw', { reference: teamsCase, stage: 'step-1' });
  const kept = await bot.app.repo.securityEvents({ limit: 100_000 });
  expect(kept).toHaveLength(CAP);
  expect(kept[0]).toEqual(expect.objectContaining({ personId: 'kwame-asante', action: 'withdraw' }));
  expect(kept.some((e) => e.personId === 'megan-hart')).toBe(false);
  expect(kept.at(-1)?.at).toBe(new Date(start + 26 * 1000).toISOString());
});
