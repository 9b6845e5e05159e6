/**
 * Role holders from groups, through the whole bot (src/main.ts wiring, the real group sources)
 * against the loopback fakes of Slack's Web API and of Microsoft Graph with its sign-in endpoint:
 * a Slack user group's members become the Diocese of Lincoln's line managers (and are asked to
 * approve an escalation), someone who leaves the group loses the role at the next read, a read
 * that fails removes nobody; an Entra ID group is read at start, page after page, with one token.
 *
 * The live directory (helper A's, src/app/directory/live.ts) takes each group's members: it learns a
 * member it has not met (by work email), gives the role, records each change in the directory's
 * history with the group as its source, and takes away only the roles that group gave.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_DIRECTORY_FILE } from '../../src/app/procedures';
import { roleHolders, type Directory, type DirectoryEntry } from '../../src/domain/directory';
import { startTestBot, type TestBot } from '../fakes/bot';
import { startFakeGraph, type FakeGraph, type GraphUserRecord } from '../fakes/graph';
import { captureLogs } from '../fakes/leaks';
import { GraphTokens } from '../../src/channels/teams/graph-token';
import { cardClick, SLACK_SECRET, slackPeople, textInput, viewSubmission } from '../fakes/slack-client';
import { startFakeSlackApi } from '../fakes/slack-api';
import { runCli } from '../../src/cli/commands';
import type { FakeSlackUser } from '../fakes/slack-api';

const TENANT = '65c5ef15-4766-494c-be83-ff60275edb42'; // Lincolnshire County Council (Teams)
const APP_ID = '3f0c9a1e-7b2d-4e5f-9a8b-1c2d3e4f5a6b';
const APP_SECRET = 'test-app-secret-not-real';
const ENTRA_GROUP = '0f3b6a52-9d1e-4c7a-8b2f-5e6d7c8a9b10';
const JORDAN = '7d3e2c1b-0a9f-4e8d-b7c6-5a4b3c2d1e0f';
const SLACK_GROUP = 'S0LINCDLM';
const TODAY = '2026-12-03';

const dir = (): Directory => bot.app.live.directory;
/** The directory's history since entry `after`, as "by kind person role". */
const history = async (after = 0): Promise<string[]> =>
  (await bot.app.repo.directoryChanges(after)).map((e: DirectoryEntry) => {
    const c = e.change;
    const person = 'personId' in c ? c.personId : c.kind === 'person-learned' ? c.person.id : '';
    return `${e.by} ${c.kind} ${person}${'role' in c ? ` ${c.role}` : ''}`;
  });
const lastSeq = async (): Promise<number> => (await bot.app.repo.directoryChanges(0)).at(-1)?.seq ?? 0;
const personBy = (field: 'slackUserId' | 'teamsAadObjectId', id: string) => dir().people.find((p) => p[field] === id);

const ruth = (): string => personBy('slackUserId', 'U0LDIO0009')?.id ?? 'Ruth Ellis was not learned';
const holders = (directory: Directory, agency: string, role: string): string[] =>
  roleHolders(directory, agency, role, TODAY)
    .map((h) => h.person.id)
    .sort();

const slackUser = (id: string, name: string, more: Partial<FakeSlackUser> = {}): FakeSlackUser => ({
  id,
  team_id: 'T0LINCDIO',
  real_name: name,
  profile: { email: `${name.toLowerCase().replace(' ', '.')}@diocese.lincoln.example.org` },
  ...more,
});

const entraUser = (id: string, name: string, more: Partial<GraphUserRecord> = {}): GraphUserRecord => ({
  id,
  displayName: name,
  mail: `${name.toLowerCase().replace(' ', '.')}@lincolnshire.example.org`,
  userPrincipalName: `${name.toLowerCase().replace(' ', '.')}@lincolnshire.example.org`,
  userType: 'Member',
  accountEnabled: true,
  ...more,
});

/** The example directory with a Slack user group for the diocese and an Entra ID group for the council. */
function directoryFile(): string {
  const text = readFileSync(EXAMPLE_DIRECTORY_FILE, 'utf8')
    .replace(
      '    slack: { teamId: T0LINCDIO }\n',
      `    slack: { teamId: T0LINCDIO }\n    roleGroups:\n      - { role: line-manager, slackUsergroup: ${SLACK_GROUP} }\n`,
    )
    .replace(
      `    teams: { tenantId: ${TENANT} }\n`,
      `    teams: { tenantId: ${TENANT} }\n    roleGroups:\n      - { role: line-manager, entraGroup: ${ENTRA_GROUP} }\n`,
    );
  const file = join(mkdtempSync(join(tmpdir(), 'groups-')), 'directory.yaml');
  writeFileSync(file, text);
  return file;
}

async function until<T>(what: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const got = what();
    if (got !== undefined) return got;
    if (Date.now() > end) throw new Error('waited in vain');
    await new Promise((r) => setTimeout(r, 20));
  }
}

let bot: TestBot;
let graph: FakeGraph;
const logs = captureLogs();
const warnings = (from = 0): string[] =>
  logs.lines
    .slice(from)
    .map((l) => JSON.parse(l) as { msg: string; group?: string; problem?: string })
    .filter((l) => /role group/i.test(l.msg))
    .map((l) => `${l.msg} | ${l.group ?? ''} | ${l.problem ?? ''}`);

const COUNCIL_GROUP: GraphUserRecord[] = [
  entraUser('9cf6235d-587c-4636-ae0b-07589527f853', 'Alex Morgan'), // in the file as a practitioner
  entraUser('1070329f-2d4a-49fa-82b6-7f1d2cd87e1b', 'Priya Shah'), // in the file as a line manager already
  entraUser(JORDAN, 'Jordan Reeve'), // not in the file
  entraUser('2b4d6f8a-1c3e-4a5b-9d7f-0e2c4a6b8d0f', 'Guest Person', { userType: 'Guest' }),
  entraUser('3c5e7a9b-2d4f-4b6c-8e0a-1f3b5d7e9a1c', 'Outside Person', {
    userPrincipalName: 'outside_partner.org#EXT#@lincs.onmicrosoft.com',
    userType: 'Member',
  }),
  entraUser('4d6f8b0c-3e5a-4c7d-9f1b-2a4c6e8f0b2d', 'Left Person', { accountEnabled: false }),
];

beforeAll(async () => {
  graph = await startFakeGraph();
  graph.apps.set(APP_ID, APP_SECRET);
  graph.consents.add(`${TENANT} ${APP_ID}`);
  graph.groups.set(ENTRA_GROUP, { tenantId: TENANT, members: [...COUNCIL_GROUP] });
  graph.pageSize = 2;
  bot = await startTestBot({
    env: {
      DIRECTORY_FILE: directoryFile(),
      LOG_LEVEL: 'info',
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: APP_SECRET,
      GRAPH_API_URL: graph.graphUrl,
      ENTRA_AUTHORITY_URL: graph.loginUrl,
    },
    logDestination: logs.destination,
  });
});

afterAll(async () => {
  await bot.stop();
  await graph.close();
});

describe('an Entra ID group (Teams agency)', () => {
  test('is read when the bot starts: every page, one token, members of the tenant only', async () => {
    const outcomes = await until(() => bot.app.groupSync.last?.outcomes);
    // Jordan Reeve was in no file: learned from the group, by their work email, as a person of the council.
    const jordan = personBy('teamsAadObjectId', JORDAN);
    expect(jordan).toMatchObject({
      name: 'Jordan Reeve',
      email: 'jordan.reeve@lincolnshire.example.org',
      agency: 'lincolnshire-county-council',
    });
    expect(jordan?.roles).toContain('line-manager');
    expect(outcomes.find((o) => o.source === `entra-group:${ENTRA_GROUP}`)).toEqual({
      agencyId: 'lincolnshire-county-council',
      role: 'line-manager',
      source: `entra-group:${ENTRA_GROUP}`,
      members: 3,
      added: ['alex-morgan', 'priya-shah', jordan?.id],
      removed: [],
    });
    // Six members, two to a page: three pages, the next ones by @odata.nextLink, each with the token.
    const pages = graph.graphCalls();
    expect(pages).toHaveLength(3);
    expect(pages[0]?.url).toBe(
      `/v1.0/groups/${ENTRA_GROUP}/transitiveMembers/microsoft.graph.user?$select=id,displayName,mail,userPrincipalName,userType,accountEnabled&$top=999&$count=true`,
    );
    expect(pages.map((p) => new URL(p.url, graph.graphUrl).searchParams.get('$skiptoken'))).toEqual([null, '2', '4']);
    expect(new Set(pages.map((p) => p.authorization)).size).toBe(1);
    expect(pages.every((p) => p.status === 200)).toBe(true);
    // One token, for the agency's tenant, by the client-credentials flow.
    expect(graph.tokenCalls()).toEqual([
      expect.objectContaining({
        url: `/${TENANT}/oauth2/v2.0/token`,
        form: {
          client_id: APP_ID,
          client_secret: APP_SECRET,
          scope: 'https://graph.microsoft.com/.default',
          grant_type: 'client_credentials',
        },
        status: 200,
      }),
    ]);
    expect(holders(dir(), 'lincolnshire-county-council', 'line-manager')).toEqual(
      ['alex-morgan', jordan?.id, 'priya-shah', 'sam-okafor'].sort(),
    );
    // The guest, the external account and the disabled one were not handed on, so not learned either.
    for (const outsider of COUNCIL_GROUP.slice(3)) expect(personBy('teamsAadObjectId', outsider.id)).toBeUndefined();
    // Each change is in the directory's history, the group as who made it.
    const by = `group:entra-group:${ENTRA_GROUP}`;
    expect((await history()).filter((h) => h.startsWith(by))).toEqual([
      `${by} role-assigned alex-morgan line-manager`,
      `${by} role-assigned priya-shah line-manager`,
      `${by} role-assigned ${jordan?.id ?? ''} line-manager`,
    ]);
  });

  test('the token is kept: the next read asks for none, and nothing changed is nothing added', async () => {
    const tokensBefore = graph.tokenCalls().length;
    const outcomes = await bot.app.groupSync.runOnce();
    expect(outcomes?.find((o) => o.source === `entra-group:${ENTRA_GROUP}`)).toMatchObject({ added: [], removed: [] });
    expect(graph.tokenCalls()).toHaveLength(tokensBefore);
    expect(graph.graphCalls()).toHaveLength(6);
  });

  test('a page that fails changes nothing, and is logged once however often it fails', async () => {
    graph.groups.set(ENTRA_GROUP, { tenantId: TENANT, members: COUNCIL_GROUP.slice(1) }); // Alex left the group…
    graph.failPages.push({ groupId: ENTRA_GROUP, page: 2, status: 503 }); // …but page 2 fails.
    const seq = await lastSeq();
    for (let i = 0; i < 2; i++) {
      const outcomes = await bot.app.groupSync.runOnce();
      expect(outcomes?.find((o) => o.source === `entra-group:${ENTRA_GROUP}`)?.failed).toMatch(
        /could not be read: Microsoft Graph .*answered 503/,
      );
    }
    expect(await history(seq)).toEqual([]);
    expect(holders(dir(), 'lincolnshire-county-council', 'line-manager')).toContain('alex-morgan');
    expect(warnings().filter((w) => w.includes(ENTRA_GROUP))).toEqual([
      `A role group was not read, so its role holders stay as they were | entra-group:${ENTRA_GROUP} | the group could not be read: Microsoft Graph (members of the group ${ENTRA_GROUP}): answered 503`,
    ]);

    // Graph answers again: Alex, who left, loses the role from the group (the file made Alex a practitioner only).
    graph.failPages.length = 0;
    const outcomes = await bot.app.groupSync.runOnce();
    expect(outcomes?.find((o) => o.source === `entra-group:${ENTRA_GROUP}`)).toMatchObject({
      added: [],
      removed: ['alex-morgan'],
    });
    expect(holders(dir(), 'lincolnshire-county-council', 'line-manager')).not.toContain('alex-morgan');
    expect(dir().people.find((p) => p.id === 'alex-morgan')?.roles).toEqual(['practitioner']);
    expect(warnings()).toContain(`A role group is read again | entra-group:${ENTRA_GROUP} | `);
  });

  test('a next page pointing away from Graph is not followed (the token goes nowhere else), and changes nothing', async () => {
    graph.nextLinkOverride = 'https://graph.attacker.example/v1.0/next';
    const seq = await lastSeq();
    const outcomes = await bot.app.groupSync.runOnce();
    graph.nextLinkOverride = undefined;
    expect(outcomes?.find((o) => o.source === `entra-group:${ENTRA_GROUP}`)?.failed).toMatch(
      /the next page pointed away from Graph \(https:\/\/graph\.attacker\.example\)/,
    );
    expect(await history(seq)).toEqual([]);
  });

  test('a token Graph refuses is dropped: the read fails, and the next one asks for a new token', async () => {
    graph.revokeTokens();
    const tokensBefore = graph.tokenCalls().length;
    const first = await bot.app.groupSync.runOnce();
    expect(first?.find((o) => o.source === `entra-group:${ENTRA_GROUP}`)?.failed).toMatch(
      /the token was refused \(401\)/,
    );
    const second = await bot.app.groupSync.runOnce();
    expect(second?.find((o) => o.source === `entra-group:${ENTRA_GROUP}`)?.failed).toBeUndefined();
    expect(graph.tokenCalls()).toHaveLength(tokensBefore + 1);
  });

  test('a token is kept until five minutes before it ends (halfway, for a short one); callers at once share one request', async () => {
    let now = Date.parse('2026-12-03T09:00:00Z');
    const tokens = new GraphTokens({
      authorityUrl: graph.loginUrl,
      clientId: APP_ID,
      clientSecret: APP_SECRET,
      now: () => now,
    });
    const signal = new AbortController().signal;
    const before = graph.tokenCalls().length;
    const [a, b] = await Promise.all([tokens.token(TENANT, signal), tokens.token(TENANT, signal)]);
    expect(a).toBe(b);
    expect(graph.tokenCalls().length - before).toBe(1);
    now += 54 * 60_000; // 54 of its 60 minutes: still kept
    expect(await tokens.token(TENANT, signal)).toBe(a);
    now += 2 * 60_000; // under five minutes left: a new one
    const c = await tokens.token(TENANT, signal);
    expect(c).not.toBe(a);
    expect(graph.tokenCalls().length - before).toBe(2);
    graph.expiresIn = 120; // a two-minute token is kept for one minute
    tokens.forget(TENANT);
    const d = await tokens.token(TENANT, signal);
    now += 50_000;
    expect(await tokens.token(TENANT, signal)).toBe(d);
    now += 20_000;
    expect(await tokens.token(TENANT, signal)).not.toBe(d);
    graph.expiresIn = 3599;
  });

  test('a wrong client secret is said without the secret', async () => {
    const tokens = new GraphTokens({ authorityUrl: graph.loginUrl, clientId: APP_ID, clientSecret: 'not-the-secret' });
    const refused = tokens.token(TENANT, new AbortController().signal);
    await expect(refused).rejects.toThrow(/refused the bot \(invalid_client, AADSTS7000215\)/);
    await expect(refused).rejects.not.toThrow(/not-the-secret/);
  });

  test('a tenant whose administrator has not consented: said as what to do, and nothing changes', async () => {
    graph.consents.clear();
    graph.revokeTokens();
    await bot.app.groupSync.runOnce(); // the kept token is refused and dropped
    const outcomes = await bot.app.groupSync.runOnce();
    expect(outcomes?.find((o) => o.source === `entra-group:${ENTRA_GROUP}`)?.failed).toMatch(
      new RegExp(
        `Microsoft sign-in for the tenant ${TENANT} refused the bot \\(unauthorized_client, AADSTS700016\\): an administrator of that tenant must consent`,
      ),
    );
    expect(outcomes?.find((o) => o.source === `entra-group:${ENTRA_GROUP}`)?.failed).not.toContain(APP_SECRET);
    graph.consents.add(`${TENANT} ${APP_ID}`);
  });
});

describe('a Slack user group (Slack agency)', () => {
  const catherine = slackUser('U0LDIO0003', 'Catherine Doyle');

  test("its members become the agency's line managers; bots, guests and people of other workspaces do not", async () => {
    bot.slackApi.usergroups.set(SLACK_GROUP, [
      'U0LDIO0003',
      'U0LDIO0009',
      'U0LDIOGST1',
      'U0LHWL0001',
      'U0LDIOBOT1',
      'U0GONE0001',
    ]);
    bot.slackApi.users.set('U0LDIO0003', catherine);
    bot.slackApi.users.set('U0LDIO0009', slackUser('U0LDIO0009', 'Ruth Ellis'));
    bot.slackApi.users.set('U0LDIOGST1', slackUser('U0LDIOGST1', 'Guest Visitor', { is_restricted: true }));
    bot.slackApi.users.set('U0LHWL0001', slackUser('U0LHWL0001', 'Megan Hart', { team_id: 'T0LINCHWL' }));
    bot.slackApi.users.set('U0LDIOBOT1', slackUser('U0LDIOBOT1', 'Some Bot', { is_bot: true }));
    // U0GONE0001: Slack no longer knows them (user_not_found): they hold nothing.
    const before = bot.slackApi.calls.length;
    const outcomes = await bot.app.groupSync.runOnce();
    // Ruth Ellis was in no file: learned from the group by her work email.
    expect(personBy('slackUserId', 'U0LDIO0009')).toMatchObject({
      name: 'Ruth Ellis',
      email: 'ruth.ellis@diocese.lincoln.example.org',
      agency: 'diocese-of-lincoln',
    });
    expect(outcomes?.find((o) => o.source === `slack-usergroup:${SLACK_GROUP}`)).toEqual({
      agencyId: 'diocese-of-lincoln',
      role: 'line-manager',
      source: `slack-usergroup:${SLACK_GROUP}`,
      members: 2,
      added: ['catherine-doyle', ruth()],
      removed: [],
    });
    const asked = bot.slackApi.since(before).map((c) => `${c.method} ${String(c.args.usergroup ?? c.args.user)}`);
    expect(asked[0]).toBe(`usergroups.users.list ${SLACK_GROUP}`);
    expect(asked.slice(1).sort()).toEqual(
      ['U0GONE0001', 'U0LDIO0003', 'U0LDIO0009', 'U0LDIOBOT1', 'U0LDIOGST1', 'U0LHWL0001']
        .map((u) => `users.info ${u}`)
        .sort(),
    );
    // The guest, the other workspace's person, the bot and the one Slack does not know: not learned, no role.
    for (const id of ['U0LDIOGST1', 'U0LDIOBOT1', 'U0GONE0001']) expect(personBy('slackUserId', id)).toBeUndefined();
    expect(personBy('slackUserId', 'U0LHWL0001')?.agency).not.toBe('diocese-of-lincoln');
    const by = `group:slack-usergroup:${SLACK_GROUP}`;
    expect((await history()).filter((h) => h.startsWith(by) && h.includes('role-'))).toEqual([
      `${by} role-assigned catherine-doyle line-manager`,
      `${by} role-assigned ${ruth()} line-manager`,
    ]);
    expect(holders(dir(), 'diocese-of-lincoln', 'line-manager')).toEqual(
      ['catherine-doyle', 'helen-marsh', ruth()].sort(),
    );
  });

  test('the new line manager is asked to approve an escalation, beside the one in the file', async () => {
    const reference = await bot.raiseOnSlack('V-GROUPS-1');
    const threads = await bot.app.repo.getThreads(reference);
    const thread = threads.find((t) => t.platform === 'slack')?.reference as { channel: string; ts: string };
    // Megan (HealthWatch) acknowledges; Peter asks to escalate.
    await bot.slack(
      cardClick(slackPeople.megan, 'acknowledge', reference, 'step-1', { channel: 'DU0LHWL0001', ts: '1.1' }),
    );
    let before = bot.slackApi.calls.length;
    await bot.slack(cardClick(slackPeople.peter, 'request-escalation', reference, 'step-1', thread));
    const modal = await until(() => bot.slackApi.since(before, 'views.open')[0]);
    const view = modal.args.view as { callback_id: string; private_metadata: string };
    before = bot.slackApi.calls.length;
    await bot.slack(
      viewSubmission(slackPeople.peter, {
        id: 'V-GROUPS-ESC',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        values: { reason: { value: textInput('No plan agreed after two calls.') } },
      }),
    );
    const dm = (channel: string) =>
      until(() =>
        bot.slackApi
          .since(before, 'chat.postMessage')
          .find((c) => c.args.channel === channel && /needs you/.test(String(c.args.text))),
      );
    expect(String((await dm('DU0LDIO0003')).args.text)).toMatch(/You can: Approve escalation/); // Catherine, from the group
    expect(String((await dm('DU0LDIO0002')).args.text)).toMatch(/You can: Approve escalation/); // Helen, from the file
  });

  test('a member who leaves the group loses the role at the next read; a role the file gave stays', async () => {
    bot.slackApi.usergroups.set(SLACK_GROUP, ['U0LDIO0009', 'U0LDIO0002']); // Catherine left; Helen joined
    bot.slackApi.users.set('U0LDIO0002', slackUser('U0LDIO0002', 'Helen Marsh'));
    const outcomes = await bot.app.groupSync.runOnce();
    expect(outcomes?.find((o) => o.source === `slack-usergroup:${SLACK_GROUP}`)).toMatchObject({
      added: ['helen-marsh'],
      removed: ['catherine-doyle'],
    });
    expect(holders(dir(), 'diocese-of-lincoln', 'line-manager')).toEqual(['helen-marsh', ruth()].sort());
    expect(dir().people.find((p) => p.id === 'catherine-doyle')?.roles).toEqual(['senior-liaison-officer']);
    // Helen leaves the group too: the file still makes her a line manager.
    bot.slackApi.usergroups.set(SLACK_GROUP, ['U0LDIO0009']);
    await bot.app.groupSync.runOnce();
    expect(holders(dir(), 'diocese-of-lincoln', 'line-manager')).toEqual(['helen-marsh', ruth()].sort());
  });

  test('a read that fails removes nobody: Slack down, or one member who cannot be looked up', async () => {
    const mark = logs.lines.length;
    bot.slackApi.usergroups.set(SLACK_GROUP, []); // everyone "left"…
    bot.slackApi.outage = { status: 503, until: Date.now() + 60_000 }; // …but Slack is down
    const seq = await lastSeq();
    const down = await bot.app.groupSync.runOnce();
    expect(down?.find((o) => o.source === `slack-usergroup:${SLACK_GROUP}`)?.failed).toMatch(
      /could not be read: Slack usergroups\.users\.list: answered 503/,
    );
    bot.slackApi.outage = undefined;
    // Slack back, but users.info of one member fails: the group is not read whole, so nothing changes.
    bot.slackApi.usergroups.set(SLACK_GROUP, ['U0LDIO0003']);
    bot.slackApi.refusals.push({ method: 'users.info', error: 'internal_error', args: { user: 'U0LDIO0003' } });
    const partial = await bot.app.groupSync.runOnce();
    expect(partial?.find((o) => o.source === `slack-usergroup:${SLACK_GROUP}`)?.failed).toMatch(
      /Slack users\.info: Slack said "internal_error"/,
    );
    bot.slackApi.refusals.length = 0;
    expect(await history(seq)).toEqual([]);
    expect(holders(dir(), 'diocese-of-lincoln', 'line-manager')).toEqual(['helen-marsh', ruth()].sort());
    expect(warnings(mark).filter((w) => w.includes(SLACK_GROUP))).toEqual([
      `A role group was not read, so its role holders stay as they were | slack-usergroup:${SLACK_GROUP} | the group could not be read: Slack usergroups.users.list: answered 503`,
    ]);
    // A group that is gone (deleted in Slack) is a setting to fix: still nothing removed.
    bot.slackApi.usergroups.delete(SLACK_GROUP);
    const gone = await bot.app.groupSync.runOnce();
    expect(gone?.find((o) => o.source === `slack-usergroup:${SLACK_GROUP}`)?.failed).toMatch(/no_such_subteam/);
    expect(holders(dir(), 'diocese-of-lincoln', 'line-manager')).toEqual(['helen-marsh', ruth()].sort());
  });
});

describe('cli directory sync-groups', () => {
  test('reads every group once and prints what changed; the next run prints who left; a group not read is said, exit 1', async () => {
    const slackApi = await startFakeSlackApi();
    const dataDir = mkdtempSync(join(tmpdir(), 'groups-cli-'));
    try {
      slackApi.usergroups.set(SLACK_GROUP, ['U0LDIO0003', 'U0LDIO0009']);
      slackApi.users.set('U0LDIO0003', slackUser('U0LDIO0003', 'Catherine Doyle'));
      slackApi.users.set('U0LDIO0009', slackUser('U0LDIO0009', 'Ruth Ellis'));
      const env = {
        NODE_ENV: 'test',
        DATA_DIR: dataDir,
        DIRECTORY_FILE: directoryFile(),
        SLACK_SIGNING_SECRET: SLACK_SECRET,
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_API_URL: slackApi.url,
        MicrosoftAppId: APP_ID,
        MicrosoftAppPassword: APP_SECRET,
        GRAPH_API_URL: graph.graphUrl,
        ENTRA_AUTHORITY_URL: graph.loginUrl,
      };
      const run = async (args: string[] = []): Promise<{ status: number; out: string[]; err: string[] }> => {
        const out: string[] = [];
        const err: string[] = [];
        const status = await runCli(['directory', 'sync-groups', ...args], {
          out: (l) => out.push(l),
          err: (l) => err.push(l),
          env,
        });
        return { status, out, err };
      };
      graph.groups.set(ENTRA_GROUP, { tenantId: TENANT, members: COUNCIL_GROUP.slice(0, 2) });
      const first = await run();
      expect(first.err).toEqual([]);
      expect(first.out).toEqual([
        `Lincolnshire County Council, line-manager, from the Entra ID group ${ENTRA_GROUP}: 2 members; given to Alex Morgan (alex-morgan), Priya Shah (priya-shah); taken from nobody`,
        expect.stringMatching(
          new RegExp(
            `^Diocese of Lincoln, line-manager, from the Slack user group ${SLACK_GROUP}: 2 members; given to Catherine Doyle \\(catherine-doyle\\), Ruth Ellis \\(ruth-ellis[a-z0-9-]*\\); taken from nobody$`,
          ),
        ),
      ]);
      expect(first.status).toBe(0);

      // Catherine leaves the group; Graph is down: the council's holders stay, and that is said.
      slackApi.usergroups.set(SLACK_GROUP, ['U0LDIO0009']);
      graph.failPages.push({ groupId: ENTRA_GROUP, page: 1, status: 503 });
      const second = await run(['--json']);
      graph.failPages.length = 0;
      expect(second.status).toBe(1);
      const outcomes = JSON.parse(second.out.join('\n')) as Array<Record<string, unknown>>;
      expect(outcomes).toEqual([
        expect.objectContaining({
          agencyId: 'lincolnshire-county-council',
          failed: expect.stringMatching(/answered 503/) as unknown,
        }),
        expect.objectContaining({ agencyId: 'diocese-of-lincoln', added: [], removed: ['catherine-doyle'] }),
      ]);
      expect(outcomes[0]).not.toHaveProperty('removed');
    } finally {
      await slackApi.close();
    }
  });

  test('a directory naming no group: nothing to read, and no store opened', async () => {
    const out: string[] = [];
    const status = await runCli(['directory', 'sync-groups'], {
      out: (l) => out.push(l),
      err: () => undefined,
      env: { NODE_ENV: 'test', DATA_DIR: '/nonexistent/never-opened' },
    });
    expect(status).toBe(0);
    expect(out).toEqual([
      expect.stringMatching(/no agency names a role group \(roleGroups\), so there is nothing to read/),
    ]);
  });
});
