/**
 * Slack as Slack sends it: signed form bodies POSTed to /slack/events on the real app (Bolt's
 * HTTPReceiver, the real store), with Slack's Web API faked on loopback (SLACK_API_URL) and
 * every call it receives recorded.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config';
import { start, type Running } from '../../src/main';
import { LIMITS } from '../../src/channels/slack/blocks';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5'.replace(/[^0-9a-f]/g, 'a');

interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
}

const calls: ApiCall[] = [];
/** Files uploaded to the (fake) upload URL. */
const uploads: Buffer[] = [];
let apiBase = '';
/** What Teams' connector (faked on loopback) was asked: a case may have a Teams side. */
const teamsCalls: Array<{ method: string; url: string; body: Record<string, unknown> | undefined }> = [];
let teams: Server;
/** Methods that answer 429 once (with Retry-After: 1) before they succeed. */
const rateLimitOnce = new Set<string>();
let api: Server;
let app: Running;
let slackUrl = '';
let now = new Date('2026-11-23T10:00:00Z');
let channelCount = 0;

const people = {
  peter: { id: 'U0LDIO0001', team: 'T0LINCDIO' }, // Diocese of Lincoln, practitioner
  helen: { id: 'U0LDIO0002', team: 'T0LINCDIO' }, // Diocese of Lincoln, line manager
  megan: { id: 'U0LHWL0001', team: 'T0LINCHWL' }, // HealthWatch Lincolnshire, practitioner (another workspace)
  owen: { id: 'U0LHWL0002', team: 'T0LINCHWL' }, // HealthWatch Lincolnshire, line manager
  stranger: { id: 'U0NOBODY01', team: 'T0LINCDIO' },
};

function answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
  switch (method) {
    case 'auth.test':
      return { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0LINCDIO' };
    case 'conversations.create':
      return { ok: true, channel: { id: `CCASE${++channelCount}`, name: args.name } };
    case 'conversations.open':
      return { ok: true, channel: { id: `D${String(args.users)}` } };
    case 'files.getUploadURLExternal':
      return { ok: true, upload_url: `${apiBase}/upload/F${calls.length}`, file_id: `F${calls.length}` };
    case 'files.completeUploadExternal':
      return { ok: true, files: [{ id: 'F1', title: 'x' }] };
    case 'chat.postMessage':
      return { ok: true, channel: args.channel, ts: `1700000000.${String(calls.length).padStart(6, '0')}` };
    default:
      return { ok: true };
  }
}

beforeAll(async () => {
  api = createServer((req, res) => {
    let body = '';
    const raw: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      raw.push(c);
      body += c.toString();
    });
    req.on('end', () => {
      if ((req.url ?? '').startsWith('/upload/')) {
        uploads.push(Buffer.concat(raw));
        res.writeHead(200).end('OK');
        return;
      }
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const params = new URLSearchParams(body);
      const args: Record<string, unknown> = {};
      for (const [k, v] of params) {
        try {
          args[k] = k === 'blocks' || k === 'view' || k === 'user_ids' || k === 'emails' ? JSON.parse(v) : v;
        } catch {
          args[k] = v;
        }
      }
      if (rateLimitOnce.delete(method)) {
        calls.push({ method: `${method} (429)`, args, at: Date.now() });
        res
          .writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' })
          .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      calls.push({ method, args, at: Date.now() });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(method, args)));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', () => resolve()));
  apiBase = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  teams = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const parsed = body ? (JSON.parse(body) as Record<string, unknown>) : undefined;
      teamsCalls.push({ method: req.method ?? '', url: req.url ?? '', body: parsed });
      const created = req.method === 'POST' && req.url === '/v3/conversations';
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(
          JSON.stringify(
            created
              ? { id: `a:${String((parsed?.members as Array<{ id: string }> | undefined)?.[0]?.id)}` }
              : { id: `t${teamsCalls.length}` },
          ),
        );
    });
  });
  await new Promise<void>((resolve) => teams.listen(0, '127.0.0.1', () => resolve()));
  const dir = mkdtempSync(join(tmpdir(), 'slack-'));
  const env = {
    NODE_ENV: 'test',
    DATA_DIR: dir,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_API_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}/api/`,
    TEAMS_SERVICE_URL: `http://127.0.0.1:${(teams.address() as AddressInfo).port}/`,
  };
  app = await start({ ...loadConfig(env), PORT: 0 }, { clock: () => now });
  slackUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/slack/events`;
});

afterAll(async () => {
  await app.stop();
  await new Promise<void>((resolve) => api.close(() => resolve()));
  await new Promise<void>((resolve) => teams.close(() => resolve()));
});

function sign(body: string, timestamp: number, secret = SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

async function post(
  body: string,
  options: { timestamp?: number; secret?: string; retry?: number } = {},
): Promise<{ status: number; text: string; json: Record<string, unknown> | undefined }> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const response = await fetch(slackUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': sign(body, timestamp, options.secret),
      ...(options.retry ? { 'x-slack-retry-num': String(options.retry), 'x-slack-retry-reason': 'http_timeout' } : {}),
    },
    body,
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

function slash(user: (typeof people)[keyof typeof people], text = ''): string {
  return new URLSearchParams({
    command: '/escalate',
    text,
    user_id: user.id,
    team_id: user.team,
    channel_id: 'CGENERAL',
    trigger_id: `trigger-${Date.now()}`,
    response_url: 'http://127.0.0.1:9/unused',
    token: 'legacy',
    api_app_id: 'A1',
  }).toString();
}

function interaction(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

type Values = Record<string, Record<string, { type: string; value?: string; selected_option?: { value: string } }>>;

function viewSubmission(
  user: (typeof people)[keyof typeof people],
  view: { id: string; callback_id: string; private_metadata?: string; values: Values },
): string {
  return interaction({
    type: 'view_submission',
    team: { id: user.team },
    user: { id: user.id, team_id: user.team },
    api_app_id: 'A1',
    trigger_id: `trigger-${Date.now()}`,
    view: {
      id: view.id,
      type: 'modal',
      callback_id: view.callback_id,
      private_metadata: view.private_metadata ?? '',
      hash: 'h',
      state: { values: view.values },
      team_id: user.team,
      app_id: 'A1',
      bot_id: 'BBOT',
    },
  });
}

function click(
  user: (typeof people)[keyof typeof people],
  verb: string,
  reference: string,
  stage: string,
  where: { channel: string; ts: string },
): string {
  return interaction({
    type: 'block_actions',
    team: { id: user.team },
    user: { id: user.id, team_id: user.team },
    api_app_id: 'A1',
    trigger_id: `trigger-${verb}-${Date.now()}`,
    container: { type: 'message', channel_id: where.channel, message_ts: where.ts, is_ephemeral: false },
    channel: { id: where.channel },
    message: { ts: where.ts, type: 'message' },
    actions: [
      {
        type: 'button',
        action_id: `case:${verb}`,
        block_id: `case-actions:${reference}`,
        value: JSON.stringify({ reference, stage }),
        action_ts: '1',
      },
    ],
  });
}

const text = (v: string): { type: string; value: string } => ({ type: 'plain_text_input', value: v });
const choice = (v: string): { type: string; selected_option: { value: string } } => ({
  type: 'static_select',
  selected_option: { value: v },
});

function form(overrides: Partial<Record<string, string>> = {}): Values {
  const v = {
    respondingAgency: 'healthwatch-lincolnshire',
    counterpartEmail: 'megan.hart@healthwatch.lincolnshire.example.org',
    initials: 'R T',
    recordRaising: 'DIO-991',
    recordResponding: '',
    category: 'case-closure',
    summary: 'HealthWatch closed the concern about the care home although the adult still reports rough handling.',
    outcomeWanted: 'Reopen the concern and share it with the local authority.',
    safetyMeanwhile: 'The chaplain visits twice a week; the home manager is aware.',
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(v).map(([k, val]) => [
      k,
      { value: k === 'respondingAgency' || k === 'category' ? choice(val ?? '') : text(val ?? '') },
    ]),
  );
}

const since = (from: number, method?: string): ApiCall[] =>
  calls.slice(from).filter((c) => !method || c.method === method);

async function until<T>(what: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const got = what();
    if (got !== undefined && got !== false) return got;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every message and view sent stays within Block Kit's limits. */
function withinLimits(c: ApiCall): void {
  const blocks = (c.args.blocks ?? (c.args.view as { blocks?: unknown[] } | undefined)?.blocks ?? []) as Array<
    Record<string, unknown>
  >;
  expect(blocks.length).toBeLessThanOrEqual(c.args.view ? LIMITS.blocksPerModal : LIMITS.blocksPerMessage);
  for (const b of blocks) {
    const t = (b.text as { text?: string } | undefined)?.text ?? '';
    expect(t.length).toBeLessThanOrEqual(b.type === 'header' ? LIMITS.header : LIMITS.sectionText);
    for (const f of (b.fields as Array<{ text: string }> | undefined) ?? [])
      expect(f.text.length).toBeLessThanOrEqual(LIMITS.field);
    for (const e of (b.elements as Array<{ text?: { text?: string } | string; value?: string }> | undefined) ?? []) {
      if (b.type === 'actions' && typeof e.text === 'object')
        expect((e.text.text ?? '').length).toBeLessThanOrEqual(LIMITS.buttonText);
      if (typeof e.value === 'string') expect(e.value.length).toBeLessThanOrEqual(LIMITS.buttonValue);
    }
  }
}

describe('Slack: /escalate, the case channel, the stage card and its buttons', () => {
  let riskView = { id: 'V-RISK-1', private_metadata: '' };
  let thread = { channel: '', ts: '' };

  test('a forged signature and a request six minutes old are refused with 401, and nothing happens', async () => {
    const before = calls.length;
    expect((await post(slash(people.peter), { secret: 'ffffffffffffffffffffffffffffffff' })).status).toBe(401);
    expect((await post(slash(people.peter), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(since(before, 'views.open')).toEqual([]);
  });

  test('/escalate @counterpart acks at once and opens the modal that asks about immediate risk first', async () => {
    const before = calls.length;
    const t0 = Date.now();
    const reply = await post(slash(people.peter, '<@U0LHWL0001|megan>'));
    expect(reply.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(3000);
    const opened = await until(() => since(before, 'views.open')[0]);
    const view = opened.args.view as {
      callback_id: string;
      private_metadata: string;
      blocks: Array<{ block_id?: string; label?: { text: string } }>;
    };
    expect(view.callback_id).toBe('raise-risk');
    expect(view.blocks.find((b) => b.block_id === 'immediateRisk')?.label?.text).toBe(
      'First: is the adult at risk of immediate harm?',
    );
    expect(JSON.parse(view.private_metadata)).toEqual(
      expect.objectContaining({
        board: 'lincolnshire',
        counterpartEmail: 'megan.hart@healthwatch.lincolnshire.example.org',
      }),
    );
    riskView = { id: 'V-RAISE-1', private_metadata: view.private_metadata };
    withinLimits(opened);
  });

  test('someone not in the directory is told how to get added', async () => {
    const reply = await post(slash(people.stranger));
    expect(reply.json).toEqual(
      expect.objectContaining({
        response_type: 'ephemeral',
        text: expect.stringMatching(/not in the escalation directory/) as string,
      }),
    );
  });

  test('no immediate risk: the form follows; mistakes come back field by field and nothing is stored', async () => {
    const next = await post(
      viewSubmission(people.peter, {
        id: riskView.id,
        callback_id: 'raise-risk',
        private_metadata: riskView.private_metadata,
        values: { immediateRisk: { value: { type: 'radio_buttons', selected_option: { value: 'no' } } } },
      }),
    );
    expect(next.json?.response_action).toBe('update');
    const formView = next.json?.view as {
      callback_id: string;
      blocks: Array<{ block_id?: string; element?: { initial_value?: string } }>;
      private_metadata: string;
    };
    expect(formView.callback_id).toBe('raise-form');
    expect(formView.blocks.find((b) => b.block_id === 'counterpartEmail')?.element?.initial_value).toBe(
      'megan.hart@healthwatch.lincolnshire.example.org',
    );
    expect(JSON.stringify(formView)).not.toMatch(/name of the adult|adult's name/i);
    riskView.private_metadata = formView.private_metadata;

    const wrong = await post(
      viewSubmission(people.peter, {
        id: riskView.id,
        callback_id: 'raise-form',
        private_metadata: riskView.private_metadata,
        values: form({ initials: 'Rose Taylor', summary: '' }),
      }),
    );
    expect(wrong.json?.response_action).toBe('errors');
    const errors = wrong.json?.errors as Record<string, string>;
    expect(errors.initials).toMatch(/initials only/);
    expect(errors.summary).toMatch(/Please describe what the disagreement is/);
    expect(await app.repo.allReferences()).toEqual([]);
  });

  test('a good submission raises the case, opens a private channel named from its reference, invites the raiser, invites the other workspace through Slack Connect, posts the card and DMs the counterpart; a retry makes nothing twice', async () => {
    const before = calls.length;
    const body = viewSubmission(people.peter, {
      id: riskView.id,
      callback_id: 'raise-form',
      private_metadata: riskView.private_metadata,
      values: form(),
    });
    const reply = await post(body);
    expect(reply.json?.response_action).toBe('update');
    expect(JSON.stringify(reply.json?.view)).toMatch(/Escalation LI-2026-0001 is raised/);

    const created = await until(() => since(before, 'conversations.create')[0]);
    expect(created.args).toEqual(expect.objectContaining({ name: 'esc-li-2026-0001', is_private: 'true' }));
    const invited = await until(() => since(before, 'conversations.invite')[0]);
    expect(invited.args).toEqual(expect.objectContaining({ channel: 'CCASE1', users: 'U0LDIO0001' }));
    const shared = await until(() => since(before, 'conversations.inviteShared')[0]);
    expect(shared.args).toEqual(expect.objectContaining({ channel: 'CCASE1', user_ids: ['U0LHWL0001'] }));
    const card = await until(() =>
      since(before, 'chat.postMessage').find(
        (c) => c.args.channel === 'CCASE1' && JSON.stringify(c.args.blocks).includes('LSAB escalation LI-2026-0001'),
      ),
    );
    expect(JSON.stringify(card.args.blocks)).toMatch(/by 5pm Wednesday 25 November/);
    expect(JSON.stringify(card.args.blocks)).toMatch(/R\.T\. \(initials\)/);
    expect(JSON.stringify(calls)).not.toMatch(/Rose Taylor/);
    withinLimits(card);
    await until(() =>
      since(before, 'chat.postMessage').find(
        (c) => c.args.channel === 'CCASE1' && /Slack Connect/.test(String(c.args.text)),
      ),
    );
    // The counterpart hears of it directly, with their own buttons.
    const dm = await until(() => since(before, 'chat.postMessage').find((c) => c.args.channel === 'DU0LHWL0001'));
    expect(String(dm.args.text)).toMatch(
      /Peter Lawson has raised LSAB escalation LI-2026-0001 with HealthWatch Lincolnshire and named you as their counterpart/,
    );
    expect(JSON.stringify(dm.args.blocks)).toMatch(/"action_id":"case:acknowledge"/);
    withinLimits(dm);
    thread = { channel: 'CCASE1', ts: '' };
    const threads = await app.repo.getThreads('LI-2026-0001');
    expect(threads).toEqual([
      expect.objectContaining({
        platform: 'slack',
        agencyId: 'diocese-of-lincoln',
        reference: expect.objectContaining({ channel: 'CCASE1', name: 'esc-li-2026-0001' }) as unknown,
      }),
    ]);
    thread.ts = (threads[0]?.reference as { ts: string }).ts;

    // The same submission again (a retry, so signed afresh: the very same signed bytes would be a
    // replay, acknowledged and ignored): the same case, no second channel.
    const mark = calls.length;
    const again = await post(body, { timestamp: Math.floor(Date.now() / 1000) - 1 });
    expect(JSON.stringify(again.json?.view)).toMatch(/LI-2026-0001/);
    await new Promise((r) => setTimeout(r, 200));
    expect(since(mark, 'conversations.create')).toEqual([]);
    expect(await app.repo.allReferences()).toEqual(['LI-2026-0001']);
  });

  test('a request Slack retries (X-Slack-Retry-Num) is acknowledged and ignored', async () => {
    const before = calls.length;
    const reply = await post(slash(people.peter), { retry: 1 });
    expect(reply.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(since(before, 'views.open')).toEqual([]);
  });

  test('the counterpart acknowledges from their DM: the channel card is updated with chat.update, and so is their own card', async () => {
    now = new Date('2026-11-23T11:00:00Z');
    const before = calls.length;
    expect(
      (await post(click(people.megan, 'acknowledge', 'LI-2026-0001', 'step-1', { channel: 'DU0LHWL0001', ts: '1.1' })))
        .status,
    ).toBe(200);
    const updated = await until(() =>
      since(before, 'chat.update').find((c) => c.args.channel === thread.channel && c.args.ts === thread.ts),
    );
    expect(JSON.stringify(updated.args.blocks)).toMatch(/Megan Hart: acknowledged the stage/);
    await until(() => since(before, 'chat.update').find((c) => c.args.channel === 'DU0LHWL0001'));
    expect((await app.repo.getEvents('LI-2026-0001')).map((e) => e.event.type)).toEqual([
      'case-raised',
      'stage-entered',
      'stage-acknowledged',
    ]);
  });

  test('a click by someone without the role gets an ephemeral refusal, and it is recorded', async () => {
    const before = calls.length;
    await post(click(people.owen, 'approve-escalation', 'LI-2026-0001', 'step-1', thread));
    const refusal = await until(() => since(before, 'chat.postEphemeral')[0]);
    expect(refusal.args).toEqual(expect.objectContaining({ channel: thread.channel, user: people.owen.id }));
    expect(String(refusal.args.text)).toMatch(
      /No escalation from Direct Professional to Professional Discussion is waiting for approval/,
    );
    expect((await app.repo.getEvents('LI-2026-0001')).at(-1)?.event).toEqual(
      expect.objectContaining({ type: 'command-refused', command: 'approve-escalation' }),
    );
  });

  test('escalation: the button opens a modal for the reason; the line manager approves; the card moves to step 2 (a 429 on the way is waited out)', async () => {
    now = new Date('2026-11-24T10:00:00Z');
    let before = calls.length;
    await post(click(people.peter, 'request-escalation', 'LI-2026-0001', 'step-1', thread));
    const modal = await until(() => since(before, 'views.open')[0]);
    const view = modal.args.view as {
      callback_id: string;
      private_metadata: string;
      blocks: Array<{ block_id: string }>;
    };
    expect(view.callback_id).toBe('case-input:request-escalation');
    expect(view.blocks.map((b) => b.block_id)).toEqual(['reason']);
    const empty = await post(
      viewSubmission(people.peter, {
        id: 'V-ESC',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        values: { reason: { value: text('  ') } },
      }),
    );
    expect(empty.json?.response_action).toBe('errors');

    rateLimitOnce.add('chat.update');
    before = calls.length;
    const sent = await post(
      viewSubmission(people.peter, {
        id: 'V-ESC',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        values: { reason: { value: text('No plan agreed after two calls.') } },
      }),
    );
    expect(sent.json).toEqual({ response_action: 'clear' });
    const limited = await until(() => since(before, 'chat.update (429)')[0]);
    const update = await until(() => since(before, 'chat.update').find((c) => c.args.channel === thread.channel), 8000);
    expect(update.at - limited.at).toBeGreaterThanOrEqual(950); // Retry-After: 1 was honoured
    expect(JSON.stringify(update.args.blocks)).toMatch(/Waiting for approval/);
    // Helen, the diocese's line manager, is asked directly.
    const asked = await until(() => since(before, 'chat.postMessage').find((c) => c.args.channel === 'DU0LDIO0002'));
    expect(String(asked.args.text)).toMatch(/needs you.*You can: Approve escalation, Return escalation/);

    before = calls.length;
    await post(
      click(people.helen, 'approve-escalation', 'LI-2026-0001', 'step-1', { channel: 'DU0LDIO0002', ts: '2.2' }),
    );
    const moved = await until(() => since(before, 'chat.update').find((c) => c.args.channel === thread.channel));
    expect(JSON.stringify(moved.args.blocks)).toMatch(/Stage 2 of 4: Direct Manager to Manager Discussion/);
    // HealthWatch's line manager now has the stage to acknowledge.
    await until(() => since(before, 'chat.postMessage').find((c) => c.args.channel === 'DU0LHWL0002'));
  });

  test('resolution: proposed by one side, confirmed by the other, and the case closes', async () => {
    let before = calls.length;
    await post(click(people.owen, 'propose-resolution', 'LI-2026-0001', 'step-2', thread));
    const modal = await until(() => since(before, 'views.open')[0]);
    const view = modal.args.view as { callback_id: string; private_metadata: string };
    const proposed = await post(
      viewSubmission(people.owen, {
        id: 'V-RES',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        values: {
          outcome: { value: text('The concern is reopened and shared with the council.') },
          outstandingIssues: { value: text('None.') },
        },
      }),
    );
    expect(proposed.json).toEqual({ response_action: 'clear' });
    await until(() =>
      since(before, 'chat.update').find((c) => JSON.stringify(c.args.blocks).includes('Proposed outcome')),
    );
    before = calls.length;
    await post(click(people.helen, 'confirm-resolution', 'LI-2026-0001', 'step-2', thread));
    const closed = await until(() =>
      since(before, 'chat.update').find(
        (c) => c.args.channel === thread.channel && JSON.stringify(c.args.blocks).includes('both agencies confirmed'),
      ),
    );
    expect(JSON.stringify(closed.args.blocks)).not.toMatch(/"action_id":"case:/); // only Documents… is left
    expect((await app.repo.getCase('LI-2026-0001'))?.state.status).toBe('resolved');
  });
});

test('documents: a role holder asks from the card; the adult’s details are given privately in the modal; the PDF comes to their DM; the name is in no message', async () => {
  const NAME = 'Tamsin Quarrington-Bligh';
  let before = calls.length;
  await post(
    click(people.megan, 'documents', 'LI-2026-0001', 'step-2', { channel: 'CCASE1', ts: '1.1' }).replace(
      'case%3Adocuments',
      'documents%3Aopen',
    ),
  );
  const opened = await until(() => since(before, 'views.open')[0]);
  const view = opened.args.view as {
    callback_id: string;
    private_metadata: string;
    blocks: Array<{ block_id?: string }>;
  };
  expect(view.callback_id).toBe('case-documents');
  expect(view.blocks.map((b) => b.block_id).filter(Boolean)).toEqual(
    expect.arrayContaining(['document', 'format', 'name', 'dateOfBirth', 'address']),
  );
  const submit = (values: Values) =>
    post(
      viewSubmission(people.megan, {
        id: 'V-DOC',
        callback_id: 'case-documents',
        private_metadata: view.private_metadata,
        values,
      }),
    );
  const choose = (doc: string): Values => ({
    document: { value: choice(doc) },
    format: { value: { type: 'radio_buttons', selected_option: { value: 'pdf' } } },
  });
  // The record naming the adult needs their details first.
  const missing = await submit(choose('case-record-with-details'));
  expect(missing.json?.response_action).toBe('errors');
  expect(JSON.stringify(missing.json?.errors)).toMatch(/The adult's details have not been given/);
  before = calls.length;
  const sent = await submit({
    ...choose('case-record-with-details'),
    name: { value: text(NAME) },
    dateOfBirth: { value: text('1944-02-29') },
    address: { value: text('7 Mill Lane, Louth') },
  });
  expect(sent.json).toEqual({ response_action: 'clear' });
  const done = await until(() => since(before, 'files.completeUploadExternal')[0]);
  expect(String(done.args.channel_id)).toBe('DU0LHWL0001');
  await until(() => uploads.length > 0 || undefined);
  // The upload is multipart: the PDF is inside it.
  expect(uploads.at(-1)?.includes('%PDF-')).toBe(true);
  expect(uploads.at(-1)?.includes('%%EOF')).toBe(true);
  const events = (await app.repo.getEvents('LI-2026-0001')).map((e) => e.event);
  expect(
    events.filter((e) => e.type === 'personal-details-recorded' || e.type === 'document-issued').map((e) => e.type),
  ).toEqual(['personal-details-recorded', 'document-issued']);
  // The name went into the sealed store and the document, and into no Slack message or view.
  expect(
    JSON.stringify(calls.map((c) => (c.method === 'files.getUploadURLExternal' ? { ...c, args: {} } : c))),
  ).not.toContain('Quarrington');
});

test('/healthz reports the store, Slack on, and the deadline sweeper’s last sweep', async () => {
  const health = await fetch(slackUrl.replace('/slack/events', '/healthz'));
  expect(health.status).toBe(200);
  const body = (await health.json()) as Record<string, unknown>;
  expect(body).toEqual(expect.objectContaining({ status: 'ok', store: { kind: 'sqlite', status: 'ok' }, slack: 'on' }));
  expect(body.sweeper).toEqual(
    expect.objectContaining({
      everySeconds: 30,
      lastSweep: expect.objectContaining({ result: expect.objectContaining({ due: 0 }) as unknown }) as unknown,
    }),
  );
});

describe('one agency on Slack, the other on Teams', () => {
  test('raised on Slack against the police (on Teams): the counterpart is messaged in Teams; their acknowledgement there updates the Slack channel card', async () => {
    now = new Date('2026-11-25T10:00:00Z');
    const before = calls.length;
    const meta = JSON.stringify({ board: 'lincolnshire', channel: 'CGENERAL' });
    const reply = await post(
      viewSubmission(people.peter, {
        id: 'V-RAISE-TEAMS',
        callback_id: 'raise-form',
        private_metadata: meta,
        values: form({
          respondingAgency: 'lincolnshire-police',
          counterpartEmail: 'chris.bennett@police.lincolnshire.example.org',
        }),
      }),
    );
    expect(JSON.stringify(reply.json?.view)).toMatch(/Escalation LI-2026-0002 is raised/);
    const card = await until(() =>
      since(before, 'chat.postMessage').find((c) =>
        JSON.stringify(c.args.blocks).includes('LSAB escalation LI-2026-0002'),
      ),
    );
    // Only the raiser is invited on Slack, and nobody through Slack Connect: the police use Teams.
    expect(since(before, 'conversations.invite').map((c) => c.args.users)).toEqual(['U0LDIO0001']);
    expect(since(before, 'conversations.inviteShared')).toEqual([]);
    const direct = await until(() =>
      teamsCalls.find(
        (c) => c.method === 'POST' && c.url === '/v3/conversations' && JSON.stringify(c.body).includes('LI-2026-0002'),
      ),
    );
    expect(direct.body).toEqual(
      expect.objectContaining({
        isGroup: false,
        members: [{ id: 'be5872f2-2da6-4ed5-b45d-00fd6347d3f8', name: 'Chris Bennett' }],
        tenantId: '835a3ee8-c130-4d8f-9cd6-4c0eb2a39a7b',
      }),
    );
    expect(JSON.stringify(direct.body)).toMatch(
      /Peter Lawson has raised LSAB escalation LI-2026-0002 with Lincolnshire Police and named you as their counterpart/,
    );

    // Chris acknowledges on the card Teams showed him.
    const mark = calls.length;
    const botUrl = slackUrl.replace('/slack/events', '/api/messages');
    const teamsUrl = `http://127.0.0.1:${(teams.address() as AddressInfo).port}/`;
    const clicked = await fetch(botUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'invoke',
        name: 'adaptiveCard/action',
        channelId: 'msteams',
        serviceUrl: teamsUrl,
        id: 'teams-ack-1',
        from: { id: '29:chris', aadObjectId: 'be5872f2-2da6-4ed5-b45d-00fd6347d3f8', name: 'Chris Bennett' },
        recipient: { id: '28:bot', name: 'Escalations' },
        conversation: { id: 'a:be5872f2-2da6-4ed5-b45d-00fd6347d3f8', conversationType: 'personal' },
        value: {
          action: {
            type: 'Action.Execute',
            verb: 'acknowledge',
            data: { reference: 'LI-2026-0002', stage: 'step-1', verb: 'acknowledge' },
          },
        },
      }),
    });
    expect(clicked.status).toBe(200);
    const updated = await until(() => since(mark, 'chat.update').find((c) => c.args.channel === card.args.channel));
    expect(JSON.stringify(updated.args.blocks)).toMatch(/Chris Bennett: acknowledged the stage/);
  });
});
