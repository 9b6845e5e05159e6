/**
 * The compiled bot (`npm run build`, then `node dist/main.js`, with no src/ and no tsx) through a
 * real journey: a case raised in Teams and acknowledged by the other agency's counterpart, through
 * the loopback Teams connector; a signed Slack command through Bolt; its health answered; its command line run compiled too
 * (`npm run cli`); and a clean stop on SIGTERM.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answered, compiledApp, READY_PATH, startCompiled, type RunningBot } from '../deploy/compiled';
import { freePort } from '../fakes/ports';
import { sendActivity, teamsPeople as people, teamsRaiseForm } from '../fakes/teams-client';
import { startFakeConnector, type FakeConnector } from '../fakes/teams-connector';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api';
import { SLACK_SECRET, slackPeople, slackPost, slashCommand } from '../fakes/slack-client';

let app: string;
let connector: FakeConnector;
let slackApi: FakeSlackApi;
let bot: RunningBot;
const data = mkdtempSync(join(tmpdir(), 'compiled-data-'));

beforeAll(async () => {
  app = compiledApp();
  connector = await startFakeConnector();
  slackApi = await startFakeSlackApi();
  bot = startCompiled(app, await freePort(), {
    DATA_DIR: data,
    TEAMS_SERVICE_URL: connector.url,
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_API_URL: slackApi.url,
    OUTBOX_RETRY_SECONDS: '0.1',
  });
  const ready = await answered(`${bot.url}${READY_PATH}`, 200, 30_000);
  if (!ready) throw new Error(`the compiled bot did not answer:\n${bot.stderr()}${bot.stdout()}`);
}, 60_000);

afterAll(async () => {
  await bot?.stop();
  await connector?.close();
  await slackApi?.close();
});

test('what was built: JavaScript with source maps, and the files the bot reads, with no TypeScript and no src/', () => {
  for (const file of [
    'dist/main.js',
    'dist/main.js.map',
    'dist/cli/main.js',
    'dist/procedures/lincolnshire.yaml',
    'dist/procedures/forms/cheshire-east-step-4-referral.yaml',
    'dist/directory/lincolnshire-example.yaml',
    'dist/adaptive-cards/stage-card.json',
  ])
    expect({ file, there: existsSync(join(app, file)) }).toEqual({ file, there: true });
  expect(existsSync(join(app, 'src'))).toBe(false);
  expect(existsSync(join(app, 'dist', 'main.ts'))).toBe(false);
  expect(existsSync(join(app, 'dist', 'tools', 'build.js'))).toBe(true);
});

test('Teams: a case raised and acknowledged, its card sent through the connector and updated in place', async () => {
  const messages = `${bot.url}/api/messages`;
  const raised = await sendActivity(messages, connector.url, people.alex, {
    type: 'invoke',
    name: 'task/submit',
    value: { data: teamsRaiseForm },
  });
  expect(raised.status).toBe(200);
  expect(raised.text).toMatch(/Escalation LI-2026-0001 is raised/);
  // The thread's stage card is posted to the agency's channel (from the outbox, after the answer).
  const until = Date.now() + 15_000;
  while (Date.now() < until && !connector.calls.some((c) => JSON.stringify(c.body).includes('LI-2026-0001')))
    await new Promise((r) => setTimeout(r, 50));
  const card = connector.calls.find((c) => c.method === 'POST' && c.body?.isGroup === true);
  expect(JSON.stringify(card?.body)).toMatch(/LSAB escalation LI-2026-0001/);

  const acknowledged = await sendActivity(messages, connector.url, people.chris, {
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: {
      action: {
        type: 'Action.Execute',
        verb: 'acknowledge',
        data: { reference: 'LI-2026-0001', stage: 'step-1', verb: 'acknowledge' },
      },
    },
  });
  expect(acknowledged.status).toBe(200);
  // The card the bot answers with is the Adaptive Card template read from dist/adaptive-cards.
  expect(acknowledged.body?.type).toBe('application/vnd.microsoft.card.adaptive');
  expect(acknowledged.text).toMatch(/Chris Bennett: acknowledged the stage/);
  const updated = Date.now() + 15_000;
  while (Date.now() < updated && !connector.calls.some((c) => c.method === 'PUT'))
    await new Promise((r) => setTimeout(r, 50));
  expect(JSON.stringify(connector.calls.find((c) => c.method === 'PUT')?.body)).toMatch(/"Acknowledged"/);
}, 45_000);

test('Slack: a signed /escalate is answered and opens the board’s raising form; one signed with another secret is refused', async () => {
  const before = slackApi.calls.length;
  const reply = await slackPost(`${bot.url}/slack/events`, slashCommand(slackPeople.peter, '<@U0LHWL0001|megan>'));
  expect(reply.status).toBe(200);
  const until = Date.now() + 10_000;
  while (Date.now() < until && !slackApi.since(before, 'views.open').length)
    await new Promise((r) => setTimeout(r, 50));
  const view = slackApi.since(before, 'views.open')[0]?.args.view as { callback_id?: string } | undefined;
  expect(view?.callback_id).toBe('raise-risk');
  const forged = await slackPost(`${bot.url}/slack/events`, slashCommand(slackPeople.peter), {
    secret: 'f'.repeat(32),
  });
  expect(forged.status).toBe(401);
});

test('health answered, with the store and the boards the build carried', async () => {
  const health = await fetch(`${bot.url}/healthz`);
  expect(health.status).toBe(200);
  const body = (await health.json()) as { status: string; store: { kind: string }; boards: string[] };
  expect(body.status).toBe('ok');
  expect(body.store.kind).toBe('sqlite');
  expect(body.boards).toEqual(expect.arrayContaining(['lincolnshire', 'camden', 'cheshire-east']));
});

test('the compiled command line: `npm run cli` checks a shipped board, verifies the record it kept and writes it as a document', () => {
  const npm = (args: string[]) =>
    spawnSync('npm', ['run', '--silent', 'cli', '--', ...args], {
      cwd: app,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', DATA_DIR: data },
      timeout: 30_000,
    });
  const check = npm(['procedure', 'check', join(app, 'dist', 'procedures', 'camden.yaml')]);
  expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  expect(check.stdout).toMatch(/camden\.yaml: ok/);
  const verify = npm(['audit', 'verify']);
  expect({ status: verify.status, stderr: verify.stderr }).toEqual({ status: 0, stderr: '' });
  expect(verify.stdout).toMatch(/^ok: 1 case and 3 events verified/);
  // The case record as PDF (its fonts from the installed packages) and Word, compiled.
  for (const format of ['pdf', 'docx']) {
    const out = join(data, `record.${format}`);
    const made = npm(['document', '--case', 'LI-2026-0001', '--kind', 'case-record', '--format', format, '--out', out]);
    expect({ format, status: made.status, stderr: made.stderr }).toEqual({ format, status: 0, stderr: '' });
    expect(readFileSync(out).subarray(0, 4).toString('latin1')).toBe(format === 'pdf' ? '%PDF' : 'PK\u0003\u0004');
  }
});

test('SIGTERM: the compiled bot finishes and exits 0, having said nothing on standard error', async () => {
  expect(await bot.stop()).toBe(0);
  expect(bot.stderr()).toBe('');
});
