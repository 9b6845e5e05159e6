/**
 * Finding 10 (the Teams half): without a MicrosoftAppId the bot runs in local development mode
 * and authenticates nothing, yet it took Teams requests from any address while its log said
 * "from a local client only". Now such a request from anywhere but this computer is refused
 * (403, in words), and the start-up line says what is true. The bot is bound to 0.0.0.0 here and
 * reached through this machine's own non-loopback address, so the refusal is seen end to end.
 */
import { networkInterfaces } from 'node:os';
import { FORWARDED, isLoopback } from '../../src/channels/teams/http';
import { startTestBot, type TestBot } from '../fakes/bot';
import { LogLines } from '../fakes/raw-http';
import { sendActivity, teamsPeople } from '../fakes/teams-client';

const log = new LogLines();
let bot: TestBot;

/** This machine's first non-loopback IPv4 address (the test machine has one: see the last test). */
function outsideAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

beforeAll(async () => {
  bot = await startTestBot({ env: { HOST: '0.0.0.0' }, logDestination: log });
});
afterAll(async () => {
  await bot.stop();
});

test('the address check: loopback in its forms is this computer; anything else is not', () => {
  for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])
    expect({ a, local: isLoopback(a) }).toEqual({ a, local: true });
  for (const a of [
    '192.0.2.2',
    '10.0.0.1',
    '::ffff:10.0.0.1',
    'fd00::2',
    '::',
    '0.0.0.0',
    '',
    undefined,
    '127.0.0.1.evil',
    '::ffff:128.0.0.1',
  ])
    expect({ a, local: isLoopback(a) }).toEqual({ a, local: false });
});

test('a Teams request from another address is refused with 403 in words, and nothing is done', async () => {
  const address = outsideAddress();
  expect(address).toBeDefined(); // if this machine had none, the address check above is what proves the rule
  const port = new URL(bot.base).port;
  const before = bot.connector.calls.length;
  const answer = await sendActivity(`http://${address}:${port}/api/messages`, bot.connector.url, teamsPeople.alex, {
    type: 'message',
    text: 'help',
  });
  expect(answer.status).toBe(403);
  expect(answer.body).toEqual({
    error: expect.stringMatching(/local development mode.*only takes requests from this computer/) as string,
  });
  await bot.app.settle();
  expect(bot.connector.calls.length).toBe(before);
});

test('the same request from this computer is taken', async () => {
  const answer = await sendActivity(bot.teamsUrl, bot.connector.url, teamsPeople.alex, {
    type: 'message',
    text: 'help',
  });
  expect(answer.status).toBe(200);
  await bot.app.settle();
});

test('a request from this computer that came through a proxy or tunnel is refused with 403 in words', async () => {
  const before = bot.connector.calls.length;
  const forwardedHeaders: Array<Record<string, string>> = [
    { 'x-forwarded-for': '203.0.113.9' },
    { forwarded: 'for=203.0.113.9;proto=https' },
    { 'x-forwarded-host': 'abc123.ngrok.app' },
  ];
  for (const forwarded of forwardedHeaders) {
    const answer = await sendActivity(
      bot.teamsUrl,
      bot.connector.url,
      teamsPeople.alex,
      { type: 'message', text: 'help' },
      forwarded,
    );
    expect({ forwarded, status: answer.status }).toEqual({ forwarded, status: 403 });
    expect(answer.body).toEqual({ error: FORWARDED });
  }
  expect(FORWARDED).toMatch(/local development mode and takes requests from this computer only.*Set MicrosoftAppId/);
  await bot.app.settle();
  expect(bot.connector.calls.length).toBe(before);
});

test('the start-up line says what is true', () => {
  const line = log.lines.find((l) => l.includes('local development mode'));
  expect(line).toMatch(/this computer only.*refuses any other/);
});
