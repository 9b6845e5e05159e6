/**
 * A lean start: with the SQLite store, no Slack and Teams not configured (no Microsoft app id),
 * the bot starts without the Cosmos DB client, @azure/identity, the PDF and Word writers (pdfkit,
 * docx), nodemailer, Bolt, botbuilder or the Adaptive Card templates; each is loaded when first
 * used (src/store/open.ts, src/app/records/documents.ts, src/channels/email/smtp.ts,
 * src/channels/group-sources.ts, src/channels/slack/from-config.ts, src/wiring/teams.ts). A child
 * process starts the bot from the source (tsx) and says which packages were loaded once it listened.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ROOT } from '../../src/tools/build';
import { freePort } from '../fakes/ports';
import { startFakeSlackApi } from '../fakes/slack-api';
import { SLACK_SECRET } from '../fakes/slack-client';

const CHILD = `
const { start } = require(${JSON.stringify(join(ROOT, 'src', 'main.ts'))});
const { loadConfig } = require(${JSON.stringify(join(ROOT, 'src', 'config.ts'))});
start(loadConfig(), { logDestination: { write: () => true } }).then(async (running) => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const found = /node_modules\\/((@[^/]+\\/)?[^/]+)/.exec(file);
    if (found) packages.add(found[1]);
  }
  await running.stop();
  process.stdout.write(JSON.stringify([...packages].sort()));
});
`;

const NOT_AT_START = [
  '@azure/cosmos',
  '@azure/identity',
  'pdfkit',
  'docx',
  'nodemailer',
  '@slack/bolt',
  '@slack/web-api',
  'botbuilder',
  'adaptivecards-templating',
];

async function loadedAtStart(env: Record<string, string>): Promise<string[]> {
  const port = String(await freePort());
  const data = mkdtempSync(join(tmpdir(), 'lean-start-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', CHILD], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: port, DATA_DIR: data, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`the bot did not start: ${err}`);
    return JSON.parse(out) as string[];
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}

test('with SQLite, no Slack and no Microsoft app id, none of the libraries for what is not configured is loaded', async () => {
  const loaded = await loadedAtStart({});
  // What it does load (so the list is real): the store and the procedures' reader.
  expect(loaded).toEqual(expect.arrayContaining(['better-sqlite3', 'yaml', 'zod']));
  expect(NOT_AT_START.filter((p) => loaded.includes(p))).toEqual([]);
}, 90_000);

test('Teams configured (a Microsoft app id) loads botbuilder at start; Slack on loads Bolt; still no Cosmos DB, PDF or Word', async () => {
  const slackApi = await startFakeSlackApi();
  const loaded = await loadedAtStart({
    MicrosoftAppId: randomUUID(),
    MicrosoftAppPassword: 'not-a-secret',
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: slackApi.url,
  }).finally(() => slackApi.close());
  expect(loaded).toEqual(expect.arrayContaining(['botbuilder', '@slack/bolt']));
  expect(['@azure/cosmos', 'pdfkit', 'docx', 'nodemailer'].filter((p) => loaded.includes(p))).toEqual([]);
}, 90_000);
