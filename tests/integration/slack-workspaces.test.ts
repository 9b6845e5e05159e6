/**
 * Slack for many workspaces, through Bolt and @slack/oauth against the fake Slack Web API
 * (tests/fakes/slack-api.ts, its block for many workspaces): each agency's workspace installs the
 * app (GET /slack/install → Slack → GET /slack/oauth_redirect with a code, exchanged by
 * oauth.v2.access), the installation is stored sealed, every call uses the token of the workspace
 * it is for, a workspace no agency is registered for gains nothing, and uninstalling removes it.
 * Then Slack over Socket Mode (SLACK_APP_TOKEN): /escalate down the socket opens the raising modal.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestBot, type TestBot } from '../fakes/bot';
import { captureLogs } from '../fakes/leaks';
import type { ApiCall, FakeWorkspace } from '../fakes/slack-api';
import {
  eventCallback,
  raiseFormValues,
  slackPeople as people,
  slashCommand,
  slackPost,
  viewSubmission,
} from '../fakes/slack-client';

jest.setTimeout(60_000);

const DIOCESE: FakeWorkspace = {
  teamId: 'T0LINCDIO',
  teamName: 'Diocese of Lincoln',
  botToken: 'xoxb-diocese-0001-sealedtoken',
  botUserId: 'UBOTDIO',
  code: 'code-diocese',
};
const HEALTHWATCH: FakeWorkspace = {
  teamId: 'T0LINCHWL',
  teamName: 'HealthWatch Lincolnshire',
  botToken: 'xoxb-healthwatch-0002-sealedtoken',
  botUserId: 'UBOTHWL',
  code: 'code-healthwatch',
};
const STRANGER: FakeWorkspace = {
  teamId: 'T0ATTACKER',
  teamName: 'Somebody else',
  botToken: 'xoxb-attacker-0003-token',
  botUserId: 'UBOTBAD',
  code: 'code-attacker',
};

async function until<T>(what: () => T | undefined | false, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const got = what();
    if (got !== undefined && got !== false) return got;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function eventually(check: () => Promise<void>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** The whole install as a browser does it: the install page (its state cookie), then Slack's redirect back with a code. */
async function install(bot: TestBot, code: string): Promise<{ status: number; text: string; authorizeUrl: URL }> {
  const landing = await fetch(`${bot.base}/slack/install`);
  expect(landing.status).toBe(200);
  const cookie = (landing.headers.getSetCookie()[0] ?? '').split(';', 1)[0] ?? '';
  expect(cookie).toMatch(/^slack-app-oauth-state=./);
  const href = /href="([^"]+)"/.exec(await landing.text())?.[1] ?? '';
  const authorizeUrl = new URL(href.replace(/&amp;/g, '&'));
  const state = authorizeUrl.searchParams.get('state') ?? '';
  const back = await fetch(
    `${bot.base}/slack/oauth_redirect?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`,
    { headers: { cookie } },
  );
  return { status: back.status, text: await back.text(), authorizeUrl };
}

/** Everything SQLite has on disk (the file and its write-ahead log). */
function storeBytes(bot: TestBot): string {
  return readdirSync(bot.dataDir)
    .filter((f) => f.startsWith('escalations.sqlite'))
    .map((f) => readFileSync(join(bot.dataDir, f)).toString('latin1'))
    .join('');
}

const tokensOf = (calls: ApiCall[], method: string): Array<string | undefined> =>
  calls.filter((c) => c.method === method).map((c) => c.token);

describe('Slack for many workspaces (OAuth install per agency)', () => {
  let bot: TestBot;
  const logs = captureLogs();

  beforeAll(async () => {
    bot = await startTestBot({
      logDestination: logs.destination,
      env: {
        LOG_LEVEL: 'debug',
        SLACK_BOT_TOKEN: '', // no single workspace: every token comes from an installation
        SLACK_CLIENT_ID: '1234567890.9876543210',
        SLACK_CLIENT_SECRET: 'c1c2c3c4c5c6c7c8c9c0a1a2a3a4a5a6',
        SLACK_STATE_SECRET: 'a-state-secret-of-thirty-two-characters-or-more',
      },
    });
    for (const w of [DIOCESE, HEALTHWATCH, STRANGER]) bot.slackApi.workspaces.add(w);
  });

  afterAll(async () => {
    await bot.stop();
  });

  test('a workspace no agency is registered for is refused on a plain page: its token revoked, nothing stored', async () => {
    const before = bot.slackApi.calls.length;
    const answer = await install(bot, STRANGER.code);
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('not registered for any agency');
    expect(await bot.app.repo.listSlackInstallations()).toEqual([]);
    expect(bot.slackApi.workspaces.revoked.has(STRANGER.botToken)).toBe(true);
    expect(bot.slackApi.since(before, 'auth.revoke').map((c) => c.token)).toEqual([STRANGER.botToken]);
    expect(storeBytes(bot)).not.toContain(STRANGER.botToken);
    // A request from that workspace finds no token: nothing is called with one.
    const from = bot.slackApi.calls.length;
    const reply = await bot.slack(slashCommand({ id: 'U0ATTACK01', team: STRANGER.teamId }));
    expect(reply.status).toBe(200);
    expect(bot.slackApi.since(from, 'views.open')).toEqual([]);
  });

  test('an install link used without its cookie (another browser) is refused, and nothing is stored', async () => {
    const landing = await fetch(`${bot.base}/slack/install`);
    const href = /href="([^"]+)"/.exec(await landing.text())?.[1] ?? '';
    const state = new URL(href.replace(/&amp;/g, '&')).searchParams.get('state') ?? '';
    const back = await fetch(`${bot.base}/slack/oauth_redirect?code=${DIOCESE.code}&state=${state}`);
    expect(back.status).toBe(400);
    expect(await back.text()).toContain('in the same browser');
    // No code, a cancelled install, anything in the address: a plain page that repeats none of it.
    const bare = await fetch(`${bot.base}/slack/oauth_redirect`);
    expect(bare.status).toBe(400);
    const cancelled = await fetch(
      `${bot.base}/slack/oauth_redirect?error=access_denied&state=%3Cscript%3Ealert(1)%3C/script%3E`,
    );
    const page = await cancelled.text();
    expect([cancelled.status, page.includes('cancelled in Slack'), page.includes('<script')]).toEqual([
      400,
      true,
      false,
    ]);
    expect(await bot.app.repo.listSlackInstallations()).toEqual([]);
  });

  test('the Diocese installs: stored sealed (the token is nowhere on disk in clear), and its /escalate uses its own token', async () => {
    const answer = await install(bot, DIOCESE.code);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('installed in Diocese of Lincoln for Diocese of Lincoln');
    // The install asked for the app's scopes.
    expect(answer.authorizeUrl.searchParams.get('scope')).toContain('groups:write');
    expect((await bot.app.repo.listSlackInstallations()).map((i) => i.key)).toEqual(['team:T0LINCDIO']);
    const stored = await bot.app.repo.getSlackInstallation('team:T0LINCDIO');
    expect(JSON.stringify(stored)).not.toContain(DIOCESE.botToken);
    expect(storeBytes(bot)).not.toContain(DIOCESE.botToken);
    expect(storeBytes(bot)).not.toContain('diocese-0001');

    const before = bot.slackApi.calls.length;
    expect((await bot.slack(slashCommand(people.peter, '', 'trigger-oauth-1'))).status).toBe(200);
    const opened = await until(() => bot.slackApi.since(before, 'views.open')[0]);
    expect(opened.token).toBe(DIOCESE.botToken);
  });

  test('HealthWatch has not installed: the case is raised, and reaching Megan fails at once in plain words on the case', async () => {
    const before = bot.slackApi.calls.length;
    const reference = await bot.raiseOnSlack('V-NOT-INSTALLED');
    expect(reference).toMatch(/^LI-/);
    await bot.app.settle();
    const calls = bot.slackApi.since(before);
    // The case's channel lives in the raising agency's workspace, made with its token.
    expect(tokensOf(calls, 'conversations.create')).toEqual([DIOCESE.botToken]);
    expect(tokensOf(calls, 'conversations.inviteShared')).toEqual([DIOCESE.botToken]);
    // Nothing went to HealthWatch's people with any token.
    expect(calls.filter((c) => c.method === 'conversations.open' && c.args.users === people.megan.id)).toEqual([]);
    const failed = await bot.app.repo.listOutbox({ reference, status: 'failed' });
    expect(failed.map((i) => [i.kind, i.recipient])).toEqual([['tell', 'megan-hart']]);
    expect(failed[0]?.failures).toBe(1); // not tried again and again
    expect(failed[0]?.lastError).toContain('HealthWatch Lincolnshire has not installed the app in its Slack workspace');
    // Said in the case's channel (with the Diocese's token), in those words.
    await until(() =>
      bot.slackApi.messages.find((m) => m.text.includes('HealthWatch Lincolnshire has not installed the app')),
    );
    const said = bot.slackApi
      .since(before, 'chat.postMessage')
      .filter((c) => String(c.args.text).includes('has not installed the app'));
    expect(said.map((c) => c.token)).toEqual([DIOCESE.botToken]);
  });

  test('both workspaces installed: each call goes with the token of the workspace it is for', async () => {
    expect((await install(bot, HEALTHWATCH.code)).status).toBe(200);
    expect((await bot.app.repo.listSlackInstallations()).map((i) => i.key)).toEqual([
      'team:T0LINCDIO',
      'team:T0LINCHWL',
    ]);
    const before = bot.slackApi.calls.length;
    await bot.raiseOnSlack('V-BOTH-INSTALLED');
    await bot.app.settle();
    const calls = bot.slackApi.since(before);
    expect(tokensOf(calls, 'conversations.create')).toEqual([DIOCESE.botToken]);
    const toMegan = calls.filter((c) => c.method === 'conversations.open' && c.args.users === people.megan.id);
    expect(toMegan.map((c) => c.token)).toEqual([HEALTHWATCH.botToken]);
    const dmToMegan = calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === `D${people.megan.id}`);
    expect(dmToMegan.length).toBeGreaterThan(0);
    expect(new Set(dmToMegan.map((c) => c.token))).toEqual(new Set([HEALTHWATCH.botToken]));
    // Megan's own click is authorized with her workspace's token.
    const from = bot.slackApi.calls.length;
    await bot.slack(slashCommand(people.megan, '', 'trigger-oauth-hwl'));
    const opened = await until(() => bot.slackApi.since(from, 'views.open')[0]);
    expect(opened.token).toBe(HEALTHWATCH.botToken);
  });

  test('uninstalling (app_uninstalled) removes the installation; the workspace’s requests then reach nothing', async () => {
    const reply = await slackPost(
      bot.slackUrl,
      eventCallback(people.peter, { type: 'app_uninstalled', event_ts: `${Date.now() / 1000}` }),
      { headers: { 'content-type': 'application/json' } },
    );
    expect(reply.status).toBe(200);
    await bot.app.settle();
    await eventually(async () => expect(await bot.app.repo.getSlackInstallation('team:T0LINCDIO')).toBeUndefined());
    expect((await bot.app.repo.listSlackInstallations()).map((i) => i.key)).toEqual(['team:T0LINCHWL']);
    const before = bot.slackApi.calls.length;
    await bot.slack(slashCommand(people.peter, '', 'trigger-after-uninstall'));
    expect(bot.slackApi.since(before, 'views.open')).toEqual([]);
    // tokens_revoked for the bot does the same for HealthWatch.
    await slackPost(
      bot.slackUrl,
      eventCallback(people.megan, { type: 'tokens_revoked', tokens: { bot: ['UBOTHWL'] }, event_ts: '1' }),
      { headers: { 'content-type': 'application/json' } },
    );
    await bot.app.settle();
    await eventually(async () => expect(await bot.app.repo.listSlackInstallations()).toEqual([]));
  });

  test('no token, installed or refused, is ever in the log (at debug level), though the installs and the uninstall are', () => {
    const logged = logs.lines.join('');
    for (const w of [DIOCESE, HEALTHWATCH, STRANGER]) expect(logged).not.toContain(w.botToken);
    expect(logged).not.toContain(bot.slackApi.workspaces.clientSecret);
    expect(logged).toContain('the app was uninstalled from a workspace');
    expect(logged).toContain('no agency is registered for was refused');
  });
});

describe('Slack with one workspace’s token and OAuth on: SLACK_BOT_TOKEN is the token of its own workspace only', () => {
  let bot: TestBot;

  beforeAll(async () => {
    bot = await startTestBot({
      env: {
        SLACK_BOT_TOKEN: DIOCESE.botToken,
        SLACK_CLIENT_ID: '1234567890.9876543210',
        SLACK_CLIENT_SECRET: 'c1c2c3c4c5c6c7c8c9c0a1a2a3a4a5a6',
        SLACK_STATE_SECRET: 'a-state-secret-of-thirty-two-characters-or-more',
      },
    });
    bot.slackApi.workspaces.add(DIOCESE);
  });

  afterAll(async () => {
    await bot.stop();
  });

  test('auth.test names its workspace: the Diocese’s /escalate uses it, with nothing installed', async () => {
    const before = bot.slackApi.calls.length;
    await bot.slack(slashCommand(people.peter, '', 'trigger-single-1'));
    const opened = await until(() => bot.slackApi.since(before, 'views.open')[0]);
    expect(opened.token).toBe(DIOCESE.botToken);
    // HealthWatch is another workspace: the single token is not used for it.
    const from = bot.slackApi.calls.length;
    await bot.slack(slashCommand(people.megan, '', 'trigger-single-2'));
    expect(bot.slackApi.since(from, 'views.open')).toEqual([]);
  });
});

describe('Slack with token rotation on: the refresh token is sealed, and a token about to expire is refreshed', () => {
  let bot: TestBot;
  const ROTATING: FakeWorkspace = {
    ...DIOCESE,
    botToken: 'xoxe.xoxb-1-rotating-first',
    code: 'code-rotating',
    // Expiring within Bolt's two hours: the next call refreshes it.
    rotation: {
      refreshToken: 'xoxe-1-refresh-first-abcdef',
      expiresIn: 600,
      rotated: { botToken: 'xoxe.xoxb-1-rotating-second', refreshToken: 'xoxe-1-refresh-second-abcdef' },
    },
  };

  beforeAll(async () => {
    bot = await startTestBot({
      env: {
        SLACK_BOT_TOKEN: '',
        SLACK_CLIENT_ID: '1234567890.9876543210',
        SLACK_CLIENT_SECRET: 'c1c2c3c4c5c6c7c8c9c0a1a2a3a4a5a6',
        SLACK_STATE_SECRET: 'a-state-secret-of-thirty-two-characters-or-more',
      },
    });
    bot.slackApi.workspaces.add(ROTATING);
  });

  afterAll(async () => {
    await bot.stop();
  });

  test('installed with a refresh token: neither token is on disk in clear; /escalate refreshes and uses the new token', async () => {
    expect((await install(bot, ROTATING.code)).status).toBe(200);
    for (const secret of ['rotating-first', 'refresh-first']) expect(storeBytes(bot)).not.toContain(secret);
    const before = bot.slackApi.calls.length;
    await bot.slack(slashCommand(people.peter, '', 'trigger-rotation-1'));
    const opened = await until(() => bot.slackApi.since(before, 'views.open')[0]);
    expect(opened.token).toBe('xoxe.xoxb-1-rotating-second');
    const refreshed = bot.slackApi.since(before, 'oauth.v2.access');
    expect(refreshed.map((c) => c.args.refresh_token)).toEqual(['xoxe-1-refresh-first-abcdef']);
    // The refreshed installation is kept (sealed): the next call does not refresh again.
    for (const secret of ['rotating-second', 'refresh-second']) expect(storeBytes(bot)).not.toContain(secret);
    const from = bot.slackApi.calls.length;
    await bot.slack(slashCommand(people.peter, '', 'trigger-rotation-2'));
    expect((await until(() => bot.slackApi.since(from, 'views.open')[0])).token).toBe('xoxe.xoxb-1-rotating-second');
    expect(bot.slackApi.since(from, 'oauth.v2.access')).toEqual([]);
  });
});

describe('Slack over Socket Mode (SLACK_APP_TOKEN): no public address', () => {
  let bot: TestBot;

  beforeAll(async () => {
    bot = await startTestBot({ env: { SLACK_SIGNING_SECRET: '', SLACK_APP_TOKEN: 'xapp-1-A1-socket-token' } });
    await bot.slackApi.workspaces.connected();
  });

  afterAll(async () => {
    await bot.stop();
  });

  test('the bot opened its socket with the app token, and /slack/events is not served', async () => {
    expect(bot.slackApi.calls.find((c) => c.method === 'apps.connections.open')?.token).toBe('xapp-1-A1-socket-token');
    expect((await slackPost(bot.slackUrl, slashCommand(people.peter))).status).toBe(404);
  });

  test('/escalate down the socket is acknowledged and opens the raising modal (views.open)', async () => {
    const before = bot.slackApi.calls.length;
    const command = Object.fromEntries(new URLSearchParams(slashCommand(people.peter, '', 'trigger-socket-1')));
    const ack = await bot.slackApi.workspaces.send('slash_commands', command);
    expect(ack.envelope_id).toMatch(/^env-/);
    const opened = await until(() => bot.slackApi.since(before, 'views.open')[0]);
    expect((opened.args.view as { callback_id: string }).callback_id).toBe('raise-risk');
    expect(opened.args.trigger_id).toBe('trigger-socket-1');
  });

  test('the raising form submitted down the socket raises the case: its answer comes back in the ack', async () => {
    const before = new Set(await bot.app.repo.allReferences());
    const form = new URLSearchParams(
      viewSubmission(people.peter, {
        id: 'V-SOCKET-RAISE',
        callback_id: 'raise-form',
        private_metadata: JSON.stringify({ board: 'lincolnshire', channel: 'CGENERAL' }),
        values: raiseFormValues(),
      }),
    ).get('payload');
    const ack = await bot.slackApi.workspaces.send('interactive', JSON.parse(form ?? '{}') as Record<string, unknown>);
    expect(JSON.stringify(ack.payload)).toContain('is raised');
    await bot.app.settle();
    const raised = (await bot.app.repo.allReferences()).filter((r) => !before.has(r));
    expect(raised).toHaveLength(1);
  });

  test('a malformed envelope and an event nobody listens for are acknowledged, and nothing is called', async () => {
    const before = bot.slackApi.calls.length;
    const bad = await bot.slackApi.workspaces.send('interactive', { type: 'block_actions', actions: 'not a list' });
    expect(bad.envelope_id).toMatch(/^env-/);
    const unknown = await bot.slackApi.workspaces.send(
      'events_api',
      JSON.parse(eventCallback(people.peter, { type: 'reaction_added', user: people.peter.id })) as Record<
        string,
        unknown
      >,
    );
    expect(unknown.envelope_id).toMatch(/^env-/);
    await bot.app.settle();
    expect(bot.slackApi.since(before).filter((c) => c.method !== 'auth.test')).toEqual([]);
  });
});
