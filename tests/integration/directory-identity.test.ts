/**
 * Identity from the platform, through the whole bot (Bolt's receiver with signed requests,
 * botbuilder's CloudAdapter, SQLite on disk) against the fake Slack Web API (users.info) and the
 * fake Teams connector (the member lookup): a worker in no file raises a case on Slack, matched
 * to their agency by workspace, and on Teams, by tenant; guests, bots, deactivated accounts and
 * other workspaces or tenants are refused (and logged) without anyone being learned; a Teams
 * account with the work email of someone known on Slack becomes that person; an email of
 * another agency is refused; and a Slack that does not answer gets the "try again" words.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_DIRECTORY_FILE } from '../../src/app/procedures';
import { startTestBot, type TestBot } from '../fakes/bot';
import { raiseFormValues, slackPost, slashCommand, viewSubmission, type SlackUser } from '../fakes/slack-client';
import { teamsRaiseForm, type TeamsUser } from '../fakes/teams-client';

const DIOCESE_TEAM = 'T0LINCDIO';
/** The diocese also on Teams, in this test's copy of the example directory. */
const DIOCESE_TENANT = '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const LCC_TENANT = '65c5ef15-4766-494c-be83-ff60275edb42';

let bot: TestBot;
const now = new Date('2026-11-23T10:00:00Z');

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'directory-'));
  const file = join(dir, 'directory.yaml');
  writeFileSync(
    file,
    readFileSync(EXAMPLE_DIRECTORY_FILE, 'utf8').replace(
      'slack: { teamId: T0LINCDIO }',
      `slack: { teamId: T0LINCDIO }\n    teams: { tenantId: ${DIOCESE_TENANT} }`,
    ),
  );
  bot = await startTestBot({ clock: () => now, env: { DIRECTORY_FILE: file } });
});

afterAll(async () => {
  await bot.stop();
});

const learned = async () =>
  (await bot.app.repo.directoryChanges(0)).filter((e) => e.change.kind === 'person-learned').map((e) => e.change);
const refusals = async () =>
  (await bot.app.repo.securityEvents()).filter((e) => e.kind === 'identity-refused').map((e) => e.action);

async function raiseOnSlack(user: SlackUser, viewId: string): Promise<string> {
  const before = new Set(await bot.app.repo.allReferences());
  const raised = await bot.slack(
    viewSubmission(user, {
      id: viewId,
      callback_id: 'raise-form',
      private_metadata: JSON.stringify({ board: 'lincolnshire', channel: 'CGENERAL' }),
      values: raiseFormValues(),
    }),
  );
  expect(JSON.stringify(raised.json)).toContain('is raised');
  return (await bot.app.repo.allReferences()).find((r) => !before.has(r)) ?? '';
}

const inTenant = (tenantId: string, from: TeamsUser) => ({
  conversation: { id: `personal-${from.id.slice(3)}`, conversationType: 'personal', tenantId },
  channelData: { tenant: { id: tenantId } },
});

describe('Slack: members of a registered workspace are learned from users.info', () => {
  test('a worker in no file raises a case, as a practitioner of the agency whose workspace they are in', async () => {
    const rosa = { id: 'U0LDIO0099', team: DIOCESE_TEAM };
    bot.slackApi.addUser({
      id: rosa.id,
      teamId: DIOCESE_TEAM,
      name: 'Rosa Quinn',
      email: 'rosa.quinn@diocese.lincoln.example.org',
    });
    expect(bot.app.live.bySlack(rosa.id)).toBeUndefined();
    const reference = await raiseOnSlack(rosa, 'V-ROSA');
    const stored = await bot.app.repo.getCase(reference);
    expect(stored?.state.raising).toEqual(
      expect.objectContaining({ agencyId: 'diocese-of-lincoln', personId: 'rosa-quinn-u0ldio0099' }),
    );
    expect(bot.app.live.person('rosa-quinn-u0ldio0099')).toEqual(
      expect.objectContaining({
        name: 'Rosa Quinn',
        email: 'rosa.quinn@diocese.lincoln.example.org',
        agency: 'diocese-of-lincoln',
        roles: ['practitioner'],
        slackUserId: rosa.id,
      }),
    );
    const entries = await learned();
    expect(entries).toEqual([expect.objectContaining({ kind: 'person-learned', platform: 'slack', via: 'platform' })]);
    // Asked of Slack once: the second request finds her in the directory.
    const asked = bot.slackApi.calls.filter((c) => c.method === 'users.info' && c.args.user === rosa.id).length;
    await bot.slack(slashCommand(rosa, 'my cases'));
    expect(bot.slackApi.calls.filter((c) => c.method === 'users.info' && c.args.user === rosa.id)).toHaveLength(asked);
  });

  test.each([
    ['a guest', { guest: 'multi' as const }, /guest or external account/, 'guest'],
    ['a single-channel guest', { guest: 'single' as const }, /guest or external account/, 'guest'],
    ['a bot', { isBot: true }, /not other apps or bots/, 'bot'],
    ['a deactivated account', { deleted: true }, /deactivated/, 'deactivated'],
    ['someone of an unregistered workspace', { teamId: 'T0ELSEWHERE', sameTeam: true }, /not registered/, 'workspace'],
    [
      'a Slack Connect user whose home workspace is not registered',
      { teamId: 'T0ELSEWHERE' },
      /guest or external/,
      'workspace',
    ],
    ['someone whose profile gives no email', { noEmail: true }, /email address/, 'no-email'],
    ['someone whose profile email cannot be kept', { badEmail: true }, /in a form the bot can keep/, 'unreadable'],
  ])('%s is refused in plain words, logged, and not learned', async (_what, how, words, action) => {
    const id = `U0REF${Math.floor(Math.random() * 1e6)}`;
    const team = 'teamId' in how && how.teamId ? how.teamId : DIOCESE_TEAM;
    bot.slackApi.addUser({
      id,
      teamId: team,
      name: 'Refused Person',
      ...('noEmail' in how ? {} : { email: 'badEmail' in how ? 'not an address' : `${id.toLowerCase()}@example.org` }),
      ...('guest' in how ? { guest: how.guest } : {}),
      ...('isBot' in how ? { isBot: true } : {}),
      ...('deleted' in how ? { deleted: true } : {}),
    });
    const before = (await learned()).length;
    const beforeLog = (await refusals()).length;
    // The request comes from the diocese's workspace (Slack Connect), or from the user's own.
    const from = { id, team: 'sameTeam' in how ? team : DIOCESE_TEAM };
    const reply = await slackPost(bot.slackUrl, slashCommand(from));
    expect(reply.json?.text).toMatch(words);
    expect(await learned()).toHaveLength(before);
    expect((await refusals()).slice(0, (await refusals()).length - beforeLog)).toContain(action);
    expect(bot.app.live.bySlack(id)).toBeUndefined();
  });

  test('an email that is someone of another agency is refused and logged, never taken as theirs', async () => {
    bot.slackApi.addUser({
      id: 'U0LDIO0077',
      teamId: DIOCESE_TEAM,
      name: 'Alex Morgan',
      email: 'Alex.Morgan@lincolnshire.example.org',
    });
    const reply = await slackPost(bot.slackUrl, slashCommand({ id: 'U0LDIO0077', team: DIOCESE_TEAM }));
    expect(reply.json?.text).toMatch(/belongs to someone of another agency/);
    expect(bot.app.live.person('alex-morgan')?.slackUserId).toBeUndefined();
    expect(await refusals()).toContain('email-other-agency');
  });

  test('Slack not answering users.info in time: "try again in a minute", and nothing is learned', async () => {
    bot.slackApi.addUser({ id: 'U0LDIO0055', teamId: DIOCESE_TEAM, name: 'Late Person', email: 'late@example.org' });
    bot.slackApi.outage = { status: 503, until: Date.now() + 10_000 };
    try {
      const reply = await slackPost(bot.slackUrl, slashCommand({ id: 'U0LDIO0055', team: DIOCESE_TEAM }));
      expect(reply.status).toBe(200);
      expect(reply.json?.text).toBe('The bot could not check who you are with Slack just now; try again in a minute.');
    } finally {
      bot.slackApi.outage = undefined;
    }
    expect(bot.app.live.bySlack('U0LDIO0055')).toBeUndefined();
  });
});

describe('Teams: members of a registered tenant are learned from the member lookup', () => {
  test('a worker in no file raises a case, as a practitioner of the agency whose tenant they are in', async () => {
    const jo: TeamsUser = { id: '29:jo', aadObjectId: '4b0c7f0e-1d2e-4f3a-9b8c-7d6e5f4a3b2c', name: 'Jo Blake' };
    bot.connector.addTeamsUser({
      id: jo.id,
      aadObjectId: jo.aadObjectId ?? '',
      name: 'Jo Blake',
      email: 'jo.blake@lincolnshire.example.org',
      userPrincipalName: 'jo.blake@lincolnshire.example.org',
      tenantId: LCC_TENANT,
      userRole: 'user',
    });
    const before = new Set(await bot.app.repo.allReferences());
    const raised = await bot.teams(jo, {
      ...inTenant(LCC_TENANT, jo),
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: {
        action: { type: 'Action.Execute', verb: 'raise-submit', data: { ...teamsRaiseForm, action: 'raise-submit' } },
      },
    });
    expect(JSON.stringify(raised.body)).toContain('is raised');
    const reference = (await bot.app.repo.allReferences()).find((r) => !before.has(r)) ?? '';
    const stored = await bot.app.repo.getCase(reference);
    expect(stored?.state.raising).toEqual(
      expect.objectContaining({ agencyId: 'lincolnshire-county-council', personId: 'jo-blake-4b0c7f0e' }),
    );
    expect(bot.app.live.byAad(jo.aadObjectId ?? '')?.roles).toEqual(['practitioner']);
    expect(
      bot.connector.calls.some((c) => c.method === 'GET' && c.url.endsWith(`/members/${encodeURIComponent(jo.id)}`)),
    ).toBe(true);
  });

  test.each([
    ['a guest', { userRole: 'guest' }, LCC_TENANT, /guest or external account/, 'guest'],
    [
      'an external account (#EXT# in the user principal name)',
      { upn: 'someone_gmail.com#EXT#@lcc.onmicrosoft.com' },
      LCC_TENANT,
      /guest or external/,
      'guest',
    ],
    [
      'someone of an unregistered tenant',
      { tenantId: '0e0e0e0e-1111-4222-8333-944444444444' },
      '0e0e0e0e-1111-4222-8333-944444444444',
      /not registered/,
      'tenant',
    ],
    [
      'an activity from another tenant than the account’s',
      {},
      '0e0e0e0e-1111-4222-8333-944444444444',
      /different organisation/,
      'tenant',
    ],
  ])('%s is refused in plain words, logged, and not learned', async (_what, how, activityTenant, words, action) => {
    const n = Math.floor(Math.random() * 1e6);
    const aad = `1a2b3c4d-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const user: TeamsUser = { id: `29:refused${n}`, aadObjectId: aad, name: 'Refused Person' };
    bot.connector.addTeamsUser({
      id: user.id,
      aadObjectId: aad,
      name: 'Refused Person',
      email: `refused${n}@lincolnshire.example.org`,
      userPrincipalName: 'upn' in how ? how.upn : `refused${n}@lincolnshire.example.org`,
      tenantId: 'tenantId' in how ? how.tenantId : LCC_TENANT,
      userRole: 'userRole' in how ? how.userRole : 'user',
    });
    const before = (await learned()).length;
    const answer = await bot.teams(user, {
      ...inTenant(activityTenant, user),
      type: 'invoke',
      name: 'task/fetch',
      value: { data: {} },
    });
    expect(answer.text).toMatch(words);
    expect(await learned()).toHaveLength(before);
    expect(await refusals()).toContain(action);
    expect(bot.app.live.byAad(aad)).toBeUndefined();
  });
});

describe('one person across platforms, by work email', () => {
  test('a Teams account with the work email of someone known on Slack in the same agency is that person (recorded)', async () => {
    const peterOnTeams: TeamsUser = {
      id: '29:peter',
      aadObjectId: '5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f',
      name: 'Peter Lawson',
    };
    bot.connector.addTeamsUser({
      id: peterOnTeams.id,
      aadObjectId: peterOnTeams.aadObjectId ?? '',
      name: 'Peter Lawson',
      email: 'PETER.LAWSON@diocese.lincoln.example.org',
      userPrincipalName: 'peter.lawson@diocese.lincoln.example.org',
      tenantId: DIOCESE_TENANT,
      userRole: 'user',
    });
    const people = bot.app.live.directory.people.length;
    const raised = await bot.teams(peterOnTeams, {
      ...inTenant(DIOCESE_TENANT, peterOnTeams),
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: {
        action: {
          type: 'Action.Execute',
          verb: 'raise-submit',
          data: {
            ...teamsRaiseForm,
            action: 'raise-submit',
            respondingAgency: 'healthwatch-lincolnshire',
            counterpartEmail: 'megan.hart@healthwatch.lincolnshire.example.org',
          },
        },
      },
    });
    expect(JSON.stringify(raised.body)).toContain('is raised');
    // Nobody new: Peter Lawson, with his Entra id added to his record.
    expect(bot.app.live.directory.people).toHaveLength(people);
    expect(bot.app.live.person('peter-lawson')).toEqual(
      expect.objectContaining({ slackUserId: 'U0LDIO0001', teamsAadObjectId: peterOnTeams.aadObjectId }),
    );
    const update = (await bot.app.repo.directoryChanges(0)).find(
      (e) => e.change.kind === 'person-updated' && e.change.personId === 'peter-lawson',
    );
    expect(update?.change).toEqual(
      expect.objectContaining({
        after: { teamsAadObjectId: peterOnTeams.aadObjectId },
        why: 'matched by work email on Teams',
      }),
    );
  });
});
