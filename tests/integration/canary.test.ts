/**
 * The canary: an adult with a distinctive name goes through a whole case with one agency on
 * Slack and the other on Teams. The name is given once, privately, in the documents form. It
 * must never appear in any Slack or Teams payload (messages, cards, views, channel names), any
 * log line, or the board's report; and it must appear in the documents a role holder asks for.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { loadProcedures, loadDirectoryFile, EXAMPLE_DIRECTORY_FILE } from '../../src/app/procedures';
import { boardFigures } from '../../src/app/reports/figures';
import { figuresCsv, figuresHtml } from '../../src/app/reports/render';
import { loadConfig } from '../../src/config';
import { start, type Running } from '../../src/main';

const NAME = 'Wilhelmina Aethelstan-Oyelaran';
const SECRET = 'abcdef0123456789abcdef0123456789';

const slackCalls: Array<{ method: string; body: string }> = [];
const teamsCalls: Array<{ method: string; url: string; body: string }> = [];
const uploads: Buffer[] = [];
const logs: string[] = [];
let slackApi: Server;
let teams: Server;
let app: Running;
let base = '';
let now = new Date('2026-11-23T10:00:00Z');

function docxText(docx: Buffer): string {
  const at = docx.indexOf('word/document.xml');
  // The local file header for word/document.xml: inflate what follows it.
  for (let i = at; i >= 0; i = docx.indexOf('word/document.xml', i + 1)) {
    const header = i - 30;
    if (header < 0 || docx.readUInt32LE(header) !== 0x04034b50) continue;
    const size = docx.readUInt32LE(header + 18);
    const start = i + docx.readUInt16LE(header + 26) + docx.readUInt16LE(header + 28);
    const data = docx.subarray(start, start + size);
    return inflateRawSync(data).toString('utf8');
  }
  return '';
}

beforeAll(async () => {
  slackApi = createServer((req, res) => {
    const raw: Buffer[] = [];
    req.on('data', (c: Buffer) => raw.push(c));
    req.on('end', () => {
      const body = Buffer.concat(raw);
      if ((req.url ?? '').startsWith('/upload/')) {
        uploads.push(body);
        res.writeHead(200).end('OK');
        return;
      }
      const method = (req.url ?? '').replace(/^\/api\//, '');
      slackCalls.push({ method, body: decodeURIComponent(body.toString().replace(/\+/g, ' ')) });
      const args = Object.fromEntries(new URLSearchParams(body.toString()));
      const answer: Record<string, unknown> = { ok: true };
      if (method === 'auth.test') Object.assign(answer, { user_id: 'UBOT', team_id: 'T0LINCDIO' });
      if (method === 'conversations.create') Object.assign(answer, { channel: { id: 'CCASE' } });
      if (method === 'conversations.open') Object.assign(answer, { channel: { id: `D${args.users ?? ''}` } });
      if (method === 'chat.postMessage') Object.assign(answer, { ts: `1.${slackCalls.length}`, channel: args.channel });
      if (method === 'files.getUploadURLExternal')
        Object.assign(answer, {
          upload_url: `http://127.0.0.1:${(slackApi.address() as AddressInfo).port}/upload/1`,
          file_id: 'F1',
        });
      if (method === 'files.completeUploadExternal') Object.assign(answer, { files: [{ id: 'F1' }] });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => slackApi.listen(0, '127.0.0.1', () => r()));
  teams = createServer((req, res) => {
    const raw: Buffer[] = [];
    req.on('data', (c: Buffer) => raw.push(c));
    req.on('end', () => {
      const body = Buffer.concat(raw);
      if ((req.url ?? '').startsWith('/upload/')) {
        uploads.push(body);
        res.writeHead(201).end('{}');
        return;
      }
      teamsCalls.push({ method: req.method ?? '', url: req.url ?? '', body: body.toString() });
      const created = req.method === 'POST' && req.url === '/v3/conversations';
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(created ? { id: `a:${teamsCalls.length}` } : { id: `t${teamsCalls.length}` }));
    });
  });
  await new Promise<void>((r) => teams.listen(0, '127.0.0.1', () => r()));
  const env = {
    NODE_ENV: 'test',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'canary-')),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-canary',
    SLACK_API_URL: `http://127.0.0.1:${(slackApi.address() as AddressInfo).port}/api/`,
    TEAMS_SERVICE_URL: `http://127.0.0.1:${(teams.address() as AddressInfo).port}/`,
  };
  const logDestination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  app = await start({ ...loadConfig(env), PORT: 0 }, { clock: () => now, logDestination });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app.stop();
  await new Promise<void>((r) => slackApi.close(() => r()));
  await new Promise<void>((r) => teams.close(() => r()));
});

async function slack(payload: Record<string, unknown> | string): Promise<Record<string, unknown> | undefined> {
  const body =
    typeof payload === 'string' ? payload : new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const r = await fetch(`${base}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`,
    },
    body,
  });
  const text = await r.text();
  return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
}

const peter = { id: 'U0LDIO0001', team_id: 'T0LINCDIO' };
const helen = { id: 'U0LDIO0002', team_id: 'T0LINCDIO' };
const chris = { id: '29:chris', aadObjectId: 'be5872f2-2da6-4ed5-b45d-00fd6347d3f8', name: 'Chris Bennett' };
const fiona = { id: '29:fiona', aadObjectId: '05ae946d-8bac-4621-96fb-9ee8ebf5de3d', name: 'Fiona Walsh' };

const view = (
  user: typeof peter,
  id: string,
  callback: string,
  meta: string,
  values: Record<string, unknown>,
): Record<string, unknown> => ({
  type: 'view_submission',
  team: { id: user.team_id },
  user,
  api_app_id: 'A1',
  view: { id, type: 'modal', callback_id: callback, private_metadata: meta, state: { values }, hash: 'h' },
});
const click = (user: typeof peter, actionId: string, stage: string, channel = 'CCASE'): Record<string, unknown> => ({
  type: 'block_actions',
  team: { id: user.team_id },
  user,
  api_app_id: 'A1',
  trigger_id: `t-${actionId}`,
  container: { type: 'message', channel_id: channel, message_ts: '1.5' },
  actions: [
    {
      type: 'button',
      action_id: actionId,
      block_id: 'b',
      value: JSON.stringify({ reference: 'LI-2026-0001', stage }),
      action_ts: '1',
    },
  ],
});
const txt = (v: string): Record<string, unknown> => ({ value: { type: 'plain_text_input', value: v } });
const sel = (v: string): Record<string, unknown> => ({
  value: { type: 'static_select', selected_option: { value: v } },
});

async function teamsInvoke(
  from: typeof chris,
  name: string,
  value: Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> {
  const r = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'invoke',
      name,
      value,
      channelId: 'msteams',
      serviceUrl: `http://127.0.0.1:${(teams.address() as AddressInfo).port}/`,
      id: `i${Date.now()}${Math.random()}`,
      from,
      recipient: { id: '28:bot', name: 'Escalations' },
      conversation: { id: `personal-${from.id.slice(3)}`, conversationType: 'personal' },
    }),
  });
  const text = await r.text();
  await app.settle();
  return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
}
const execute = (from: typeof chris, verb: string, stage: string, data: Record<string, unknown> = {}) =>
  teamsInvoke(from, 'adaptiveCard/action', {
    action: { type: 'Action.Execute', verb, data: { reference: 'LI-2026-0001', stage, verb, ...data } },
  });

const settle = (): Promise<void> => app.settle();

test('the adult’s name reaches the documents asked for, and nowhere else: no chat payload, channel name, card, log line or report', async () => {
  // Raised on Slack by the diocese against the police (on Teams).
  const meta = JSON.stringify({ board: 'lincolnshire', channel: 'CGENERAL' });
  const raised = await slack(
    view(peter, 'V1', 'raise-form', meta, {
      respondingAgency: sel('lincolnshire-police'),
      counterpartEmail: txt('chris.bennett@police.lincolnshire.example.org'),
      initials: txt('W A'),
      recordRaising: txt('DIO-1'),
      recordResponding: txt(''),
      category: sel('case-closure'),
      summary: txt('The police closed the referral although the adult is still at risk.'),
      outcomeWanted: txt('Reopen it.'),
      safetyMeanwhile: txt('Daily visits.'),
    }),
  );
  expect(JSON.stringify(raised)).toMatch(/LI-2026-0001 is raised/);
  await settle();
  // The adult's details, given privately in the documents modal on Slack.
  await slack(click(peter, 'documents:open', 'step-1'));
  await settle();
  const docMeta = JSON.stringify({ reference: 'LI-2026-0001' });
  const given = await slack(
    view(peter, 'V2', 'case-documents', docMeta, {
      document: sel('case-record-with-details'),
      format: { value: { type: 'radio_buttons', selected_option: { value: 'docx' } } },
      name: txt(NAME),
      dateOfBirth: txt('1936-01-09'),
      address: txt('1 Minster Yard, Lincoln'),
    }),
  );
  expect(given).toEqual({ response_action: 'clear' });
  await settle();
  // The whole case: acknowledged on Teams, escalated on Slack and approved, then resolved across both.
  now = new Date('2026-11-23T12:00:00Z');
  await execute(chris, 'acknowledge', 'step-1');
  now = new Date('2026-11-24T10:00:00Z');
  await slack(
    view(
      peter,
      'V3',
      'case-input:request-escalation',
      JSON.stringify({ reference: 'LI-2026-0001', stage: 'step-1', channel: 'CCASE', ts: '1.5' }),
      { reason: txt('No plan agreed.') },
    ),
  );
  await slack(click(helen, 'case:approve-escalation', 'step-1'));
  await settle();
  await execute(fiona, 'acknowledge', 'step-2');
  await execute(fiona, 'propose-resolution', 'step-2', {
    'propose-resolution.outcome': 'The referral is reopened.',
    'propose-resolution.outstandingIssues': 'None.',
  });
  await slack(click(helen, 'case:confirm-resolution', 'step-2'));
  await settle();
  expect((await app.repo.getCase('LI-2026-0001'))?.state.status).toBe('resolved');
  // On Teams, the police line manager asks for the case record naming the adult, and accepts the file.
  const before = teamsCalls.length;
  await execute(fiona, 'send-document', 'step-2', {
    'documents.kind': 'case-record-with-details',
    'documents.format': 'docx',
  });
  const consent = teamsCalls.slice(before).find((c) => c.body.includes('file.consent'));
  const context = (JSON.parse(consent?.body ?? '{}') as { attachments: Array<{ content: { acceptContext: unknown } }> })
    .attachments[0]?.content.acceptContext;
  await teamsInvoke(fiona, 'fileConsent/invoke', {
    type: 'fileUpload',
    action: 'accept',
    context,
    uploadInfo: {
      name: 'record.docx',
      uploadUrl: `http://127.0.0.1:${(teams.address() as AddressInfo).port}/upload/2`,
      contentUrl: 'https://x.example/f',
      uniqueId: 'u',
      fileType: 'docx',
    },
  });
  await settle();

  // Where the name must be: both documents (Slack DM and Teams OneDrive).
  expect(uploads).toHaveLength(2);
  for (const u of uploads) expect(docxText(u.subarray(u.indexOf('PK'))).replace(/<[^>]+>/g, '')).toContain(NAME);
  // Where it must not be.
  const slackText = JSON.stringify(slackCalls);
  const teamsText = JSON.stringify(teamsCalls);
  expect(slackText).toMatch(/W\.A\. \(initials\)/); // the cards went out…
  expect(teamsText).toMatch(/W\.A\. \(initials\)/);
  for (const [where, text] of [
    ['Slack', slackText],
    ['Teams', teamsText],
    ['logs', logs.join('')],
  ] as const) {
    for (const part of NAME.split(/[\s-]+/))
      expect({ where, found: text.includes(part) }).toEqual({ where, found: false });
  }
  expect(slackCalls.filter((c) => c.method === 'conversations.create').map((c) => c.body)).toEqual([
    expect.stringContaining('name=esc-li-2026-0001'),
  ]);
  expect(logs.length).toBeGreaterThan(3);
  const procedures = loadProcedures();
  const lincolnshire = procedures.get('lincolnshire');
  if (!lincolnshire) throw new Error('no lincolnshire');
  const state = (await app.repo.getCase('LI-2026-0001'))?.state;
  if (!state) throw new Error('lost');
  const figures = boardFigures(
    lincolnshire,
    [state],
    loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, procedures),
    '2026-11-01',
    '2026-12-01',
    now,
  );
  for (const report of [figuresHtml(figures), figuresCsv(figures)])
    for (const part of NAME.split(/[\s-]+/)) expect(report).not.toContain(part);
});
