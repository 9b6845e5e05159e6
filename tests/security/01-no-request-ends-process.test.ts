/**
 * Finding 1: one unauthenticated request ended the process (GET /slack/events; a signed
 * `payload=null`). Every method on every route now gets an answer of its own, malformed bodies
 * get a 400 in words, and a handler that throws (or a busy store) is answered by the server's
 * guard, logged on one line, while the bot carries on. (The guard alone: tests/unit/http-server.test.ts.)
 */
import { StoreError } from '../../src/app/store/repository';
import { startTestBot, type TestBot } from '../fakes/bot';
import { LogLines, rawRequest } from '../fakes/raw-http';
import { slackPeople, slackPost, textInput, viewSubmission } from '../fakes/slack-client';

let bot: TestBot;
const log = new LogLines();

beforeAll(async () => {
  bot = await startTestBot({ logDestination: log });
});
afterAll(async () => {
  await bot.stop();
});

async function healthy(): Promise<void> {
  const health = await rawRequest(`${bot.base}/healthz`);
  expect(health.status).toBe(200);
}

const METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH', 'POST'];
const PATHS = [
  '/slack/events',
  '/api/messages',
  '/healthz',
  '/',
  '/livez',
  '/readyz',
  '/readyz?details=1',
  '/nothing-here',
  '/slack/events/x',
  '/api/messages?x=1',
];

test('every method on every route gets an answer below 500, and the bot still answers afterwards', async () => {
  for (const path of PATHS)
    for (const method of METHODS) {
      const answer = await rawRequest(`${bot.base}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(method === 'GET' || method === 'HEAD' ? {} : { body: '{}' }),
      });
      expect({ path, method, status: answer.status < 500 }).toEqual({ path, method, status: true });
      await healthy();
    }
});

test('a method a route does not take is a 405 naming the ones it does; an unknown path is a 404', async () => {
  for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']) {
    const slack = await rawRequest(bot.slackUrl, { method });
    expect(slack.status).toBe(405);
    expect(slack.headers.allow).toBe('POST');
    const teams = await rawRequest(bot.teamsUrl, { method });
    expect(teams.status).toBe(405);
    expect(teams.headers.allow).toBe('POST');
  }
  const health = await rawRequest(`${bot.base}/healthz`, { method: 'POST', body: 'x' });
  expect(health.status).toBe(405);
  expect(health.headers.allow).toMatch(/GET/);
  const nothing = await rawRequest(`${bot.base}/nothing-here`);
  expect(nothing.status).toBe(404);
  expect(JSON.parse(nothing.text)).toEqual({ error: expect.any(String) as string });
  await healthy();
});

test('signed but malformed Slack bodies (payload=null, [], "x", junk, junk JSON) are a 400 in words', async () => {
  const bodies: Array<[string, string]> = [
    ['application/x-www-form-urlencoded', 'payload=null'],
    ['application/x-www-form-urlencoded', 'payload=%5B%5D'],
    ['application/x-www-form-urlencoded', 'payload=%22x%22'],
    ['application/x-www-form-urlencoded', 'payload=12'],
    ['application/x-www-form-urlencoded', 'payload=%7Bnot%20json'],
    ['application/x-www-form-urlencoded', 'payload=a&payload=b'],
    ['application/json', '{not json'],
    ['application/json', 'null'],
    ['application/json', '[1,2]'],
    ['text/plain', 'hello'],
  ];
  for (const [type, body] of bodies) {
    const answer = await slackPost(bot.slackUrl, body, { headers: { 'content-type': type } });
    expect({ body, status: answer.status }).toEqual({ body, status: 400 });
    expect(answer.json).toEqual({ error: expect.stringMatching(/not a Slack request/) as string });
    await healthy();
  }
});

test('malformed Teams bodies are a 400 in words', async () => {
  for (const body of ['', '{not json', 'null', '[]', '"x"', '{}', '{"type":5}', '{"type":"message","serviceUrl":7}']) {
    const answer = await rawRequest(bot.teamsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect({ body, status: answer.status }).toEqual({ body, status: 400 });
    expect(JSON.parse(answer.text)).toEqual({ error: 'The request body is not a Teams activity.' });
  }
  await healthy();
});

function noteSubmission(reference: string): string {
  return viewSubmission(slackPeople.peter, {
    id: `V-NOTE-${Date.now()}-${Math.random()}`,
    callback_id: 'case-input:add-note',
    private_metadata: JSON.stringify({ reference, stage: 'stage-1', channel: 'C1', ts: '1.1' }),
    values: { text: { value: textInput('A note.') } },
  });
}

/** A documents form sent: its handler reads the case before it answers, so a busy store escapes it. */
function documentsSubmission(reference: string): string {
  return viewSubmission(slackPeople.peter, {
    id: `V-DOCS-${Date.now()}-${Math.random()}`,
    callback_id: 'case-documents',
    private_metadata: JSON.stringify({ reference }),
    values: { document: { value: { type: 'static_select', selected_option: { value: 'case-record' } } } },
  });
}

test('a handler that throws is a logged 500 (one line, no stack), and the bot still answers', async () => {
  const repo = bot.app.repo;
  const getCase = repo.getCase.bind(repo);
  repo.getCase = () => {
    throw new Error('a bug in a handler\n    at somewhere (file.ts:1:1)');
  };
  try {
    const answer = await slackPost(bot.slackUrl, noteSubmission('LI-2026-0999'));
    expect(answer.status).toBe(500);
    expect(answer.json).toEqual({ error: expect.stringMatching(/Something went wrong on our side/) as string });
    expect(answer.text).not.toMatch(/a bug in a handler|somewhere/);
  } finally {
    repo.getCase = getCase;
  }
  await healthy();
  const failed = log.lines.filter((l) => l.includes('a bug in a handler'));
  expect(failed).toHaveLength(1);
  expect(failed[0]).not.toMatch(/somewhere|\\n/);
  expect(log.notJson()).toEqual([]);
});

test('a busy store escaping a handler is a 503 asking to try again; /healthz says 503 at once', async () => {
  const repo = bot.app.repo;
  const getCase = repo.getCase.bind(repo);
  const dueCases = repo.dueCases.bind(repo);
  const busy = (): never => {
    throw new StoreError('unavailable', 'database is locked');
  };
  repo.getCase = busy;
  repo.dueCases = busy;
  try {
    const answer = await slackPost(bot.slackUrl, documentsSubmission('LI-2026-0998'));
    expect(answer.status).toBe(503);
    expect(answer.json).toEqual({ error: 'The record is busy; please try again in a moment. Nothing was saved.' });
    const health = await rawRequest(`${bot.base}/healthz`);
    expect(health.status).toBe(503);
    expect(health.headers['retry-after']).toBeDefined();
    expect(health.ms).toBeLessThan(1000);
    // A store that does not answer at all: /healthz still answers 503 within seconds.
    repo.dueCases = () => new Promise(() => undefined);
    const hung = await rawRequest(`${bot.base}/healthz`);
    expect(hung.status).toBe(503);
    expect(hung.ms).toBeLessThan(3000);
  } finally {
    repo.getCase = getCase;
    repo.dueCases = dueCases;
  }
  await healthy();
});
