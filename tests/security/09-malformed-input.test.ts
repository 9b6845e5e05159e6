/**
 * Finding 9: malformed input got a 500 or a silent ~2.9 s timeout (a payload nothing listens
 * for waited out Bolt's no-answer timer); some forged Teams tokens got a 500 with botbuilder's
 * error text; botbuilder wrote multi-line stack traces into the JSON log stream. Now each gets a
 * prompt answer below 500 (200 for what the bot simply does not handle, 400 in words for what is
 * malformed, 401 in words for a forged token), and everything logged is one JSON line.
 */
import { createHmac } from 'node:crypto';
import { startTestBot, type TestBot } from '../fakes/bot';
import { LogLines, rawRequest } from '../fakes/raw-http';
import { blockAction, interaction, slackPeople, slackPost, slashCommand, viewSubmission } from '../fakes/slack-client';
import { executeAction, sendActivity, teamsPeople } from '../fakes/teams-client';

const APP_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const log = new LogLines();
const prodLog = new LogLines();
let bot: TestBot;
let prod: TestBot;
const consoleCalls: string[] = [];
const stderrWrites: string[] = [];
let restore: Array<() => void> = [];

beforeAll(async () => {
  // Whatever reaches the console or standard error, from the bot or the libraries it uses, is kept.
  for (const m of ['error', 'warn', 'log', 'info'] as const) {
    const spy = jest.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      consoleCalls.push(args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(' '));
    });
    restore.push(() => spy.mockRestore());
  }
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    stderrWrites.push(String(chunk));
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  };
  restore.push(() => {
    process.stderr.write = write;
  });
  bot = await startTestBot({ logDestination: log });
  prod = await startTestBot({
    logDestination: prodLog,
    env: { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-password', MicrosoftAppType: 'MultiTenant' },
  });
});
afterAll(async () => {
  await Promise.all([bot.stop(), prod.stop()]);
  for (const r of restore.reverse()) r();
  restore = [];
});

const user = slackPeople.peter;
const where = { channel: 'C1', ts: '1.1' };
const base = { team: { id: user.team }, user: { id: user.id, team_id: user.team }, api_app_id: 'A1' };

/** Payloads the bot has no listener for: answered 200 at once. */
const unhandled: Array<[string, string, string?]> = [
  ['an unknown action id', blockAction(user, 'nothing:here', 'x', where)],
  ['an unknown view callback id', viewSubmission(user, { id: 'V1', callback_id: 'no-such-form', values: {} })],
  [
    'view_closed',
    interaction({ ...base, type: 'view_closed', view: { id: 'V1', callback_id: 'raise-form', state: { values: {} } } }),
  ],
  [
    'block_suggestion',
    interaction({ ...base, type: 'block_suggestion', action_id: 'a', block_id: 'b', value: 'x', view: { id: 'V' } }),
  ],
  ['a global shortcut', interaction({ ...base, type: 'shortcut', callback_id: 'sc', trigger_id: 't' })],
  [
    'a message shortcut',
    interaction({ ...base, type: 'message_action', callback_id: 'mc', channel: { id: 'C1' }, trigger_id: 't' }),
  ],
  ['an unknown payload type', interaction({ ...base, type: 'something_new' })],
  ['an empty form', 'nothing=here'],
  ['another slash command', slashCommand(user).replace('%2Fescalate', '%2Fother')],
  [
    'an unknown event type',
    JSON.stringify({ type: 'event_callback', team_id: user.team, event: { type: 'reaction_added', user: user.id } }),
    'application/json',
  ],
  [
    'an app mention',
    JSON.stringify({
      type: 'event_callback',
      team_id: user.team,
      event: { type: 'app_mention', user: user.id, channel: 'C1', ts: '1.1', text: 'hi' },
    }),
    'application/json',
  ],
  ['a card click with a value that is not JSON', blockAction(user, 'case:acknowledge', '{nope', where)],
  [
    'a card click for a case that does not exist',
    blockAction(user, 'case:acknowledge', '{"reference":"XX-1","stage":"s"}', where),
  ],
  ['the documents button with a junk value', blockAction(user, 'documents:open', '[]', where)],
];

/** Payloads of the wrong shape where Bolt reads into them: 400 in words. */
const malformed: Array<[string, string, string?]> = [
  ['an event that is a string', JSON.stringify({ type: 'event_callback', event: 'x' }), 'application/json'],
  ['an event without a type', JSON.stringify({ type: 'event_callback', event: {} }), 'application/json'],
  [
    'an event with a numeric channel',
    JSON.stringify({ type: 'event_callback', event: { type: 'message', channel: 5, item: 'x' } }),
    'application/json',
  ],
  ['actions that are a string', interaction({ ...base, type: 'block_actions', actions: 'x' })],
  ['actions that are empty', interaction({ ...base, type: 'block_actions', actions: [] })],
  [
    'an action without an id',
    interaction({ ...base, type: 'block_actions', container: {}, actions: [{ type: 'button' }] }),
  ],
  [
    'a click without a user',
    interaction({ type: 'block_actions', container: {}, actions: [{ type: 'button', action_id: 'case:x' }] }),
  ],
  [
    'a click with a null channel',
    interaction({
      ...base,
      type: 'block_actions',
      channel: null,
      container: {},
      actions: [{ type: 'button', action_id: 'x' }],
    }),
  ],
  [
    'a form without its state',
    interaction({ ...base, type: 'view_submission', view: { id: 'V', callback_id: 'raise-form' } }),
  ],
  [
    'a form without a callback id',
    interaction({ ...base, type: 'view_submission', view: { id: 'V', state: { values: {} } } }),
  ],
  [
    'a form whose answers are strings',
    interaction({
      ...base,
      type: 'view_submission',
      view: { id: 'V', callback_id: 'case-input:add-note', state: { values: { text: 'x' } } },
    }),
  ],
  ['a command without a user', 'command=%2Fescalate&text=hi'],
  ['a type that is not a word', interaction({ ...base, type: 7 })],
  [
    'a workspace named __proto__',
    interaction({
      ...base,
      team: { id: '__proto__' },
      type: 'block_actions',
      container: {},
      actions: [{ type: 'button', action_id: 'x' }],
    }),
  ],
  ['a command from a workspace named constructor', slashCommand(user).replace('T0LINCDIO', 'constructor')],
];

test('Slack payloads nothing listens for are answered 200 at once, not after a silent wait', async () => {
  for (const [what, body, type] of unhandled) {
    const answer = await slackPost(bot.slackUrl, body, type ? { headers: { 'content-type': type } } : {});
    expect({ what, status: answer.status, quick: answer.ms < 1000 }).toEqual({ what, status: 200, quick: true });
  }
  const challenge = await slackPost(bot.slackUrl, JSON.stringify({ type: 'url_verification', challenge: 'c-123' }), {
    headers: { 'content-type': 'application/json' },
  });
  expect(challenge.json).toEqual({ challenge: 'c-123' });
  const ssl = await rawRequest(bot.slackUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'ssl_check=1&token=x',
  });
  expect(ssl.status).toBe(200);
  await bot.app.settle();
});

test('Slack payloads of the wrong shape are a 400 in words, at once', async () => {
  for (const [what, body, type] of malformed) {
    const answer = await slackPost(bot.slackUrl, body, type ? { headers: { 'content-type': type } } : {});
    expect({ what, status: answer.status, quick: answer.ms < 1000 }).toEqual({ what, status: 400, quick: true });
    expect(answer.json?.error).toMatch(/^The request body is not a Slack request\./);
  }
});

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
function forgedTokens(): string[] {
  const hs = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iss: 'https://api.botframework.com', aud: APP_ID })}`;
  const rs = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'forged' })}.${b64({ iss: 'https://api.botframework.com', aud: APP_ID, exp: 9999999999 })}`;
  return [
    '',
    'Bearer',
    'Bearer ',
    'Bearer garbage',
    'Bearer a.b.c',
    `Bearer ${hs}.${createHmac('sha256', 'guess').update(hs).digest('base64url')}`,
    `Bearer ${rs}.c2lnbmF0dXJl`,
    `Bearer ${b64({ alg: 'none' })}.${b64({ aud: APP_ID })}.`,
    'Basic dXNlcjpwYXNz',
    `Bearer ${'A'.repeat(5000)}`,
  ];
}

test('forged or garbled Teams tokens get a 401 in words, with no internal error text', async () => {
  for (const token of forgedTokens()) {
    const answer = await sendActivity(
      prod.teamsUrl,
      prod.connector.url,
      teamsPeople.alex,
      { type: 'message', text: 'hello' },
      token ? { authorization: token } : {},
    );
    expect({ token: token.slice(0, 24), status: answer.status }).toEqual({ token: token.slice(0, 24), status: 401 });
    expect(answer.body).toEqual({ error: 'The request does not carry a valid Teams sign-in, so it was not accepted.' });
    expect(answer.ms).toBeLessThan(3000);
  }
  expect(prod.connector.calls).toEqual([]);
});

test('Teams activities the bot does not handle get an answer below 500, promptly', async () => {
  const activities: Array<Record<string, unknown>> = [
    { type: 'invoke', name: 'no/such/invoke', value: {} },
    { type: 'invoke', name: 'adaptiveCard/action', value: 'x' },
    // A dialog's or a message extension's submit with no value at all.
    { type: 'invoke', name: 'task/submit' },
    { type: 'invoke', name: 'composeExtension/submitAction' },
    executeAction('__proto__', {}),
    executeAction('refresh', { reference: 5 }),
    executeAction('no-such-verb', { reference: 'XX-2026-0001', stage: [] }),
    { type: 'event', name: 'something' },
    { type: 'typing' },
    { type: 'messageReaction' },
    { type: 'installationUpdate', action: 'add' },
    { type: 'weird-type' },
  ];
  for (const activity of activities) {
    const answer = await sendActivity(bot.teamsUrl, bot.connector.url, teamsPeople.alex, activity);
    expect({ activity, status: answer.status < 500 }).toEqual({ activity, status: true });
    expect(answer.ms).toBeLessThan(3000);
    expect(answer.text).not.toMatch(/\bat \S+ \(|Error:/);
  }
  await bot.app.settle();
});

test('everything logged is one JSON line: no stack traces, nothing multi-line on the console or stderr', () => {
  for (const lines of [log, prodLog]) {
    expect(lines.lines.length).toBeGreaterThan(0);
    expect(lines.notJson()).toEqual([]);
    expect(lines.stacks()).toEqual([]);
  }
  expect(consoleCalls.filter((c) => c.includes('\n'))).toEqual([]);
  expect(stderrWrites.filter((w) => w.trim().includes('\n') || /\bat \S+ \(/.test(w))).toEqual([]);
});
