/**
 * Role holders from an Entra ID group, through the whole bot against the loopback fakes of
 * Microsoft Graph and its sign-in endpoint (tests/fakes/graph.ts): read when the bot starts, page
 * after page, with one app-only token kept until near its end; a page or a token that fails
 * changes nothing and is logged once; a next page pointing away from Graph is not followed.
 * The live directory (src/app/directory/live.ts) takes each group's members and records each
 * change in the directory's history with the group as its source. Two replicas on one store: one
 * reads the groups.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Directory } from '../../src/domain/directory';
import { GraphTokens } from '../../src/channels/teams/graph-token';
import type { TestBot } from '../fakes/bot';
import type { FakeGraph } from '../fakes/graph';
import {
  APP_ID,
  APP_SECRET,
  COUNCIL_GROUP,
  councilGraph,
  directoryFile,
  ENTRA_GROUP,
  JORDAN,
  TENANT,
  startGroupBot,
  until,
  type GroupBot,
} from './role-groups-bot';

let g: GroupBot;
let bot: TestBot;
let graph: FakeGraph;
const dir = (): Directory => g.dir();
const history = (after = 0): Promise<string[]> => g.history(after);
const lastSeq = (): Promise<number> => g.lastSeq();
const personBy = (field: 'slackUserId' | 'teamsAadObjectId', id: string) => g.personBy(field, id);
const holders = (agency: string, role: string): string[] => g.holders(agency, role);
const warnings = (from = 0): string[] => g.warnings(from);

beforeAll(async () => {
  g = await startGroupBot();
  bot = g.bot;
  graph = g.graph;
});

afterAll(() => g.stop());

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
    expect(holders('lincolnshire-county-council', 'line-manager')).toEqual(
      ['alex-morgan', jordan?.id, 'priya-shah', 'sam-okafor'].sort(),
    );
    // The guest, the external account and the disabled one were not handed on, so not learned either.
    for (const outsider of COUNCIL_GROUP.slice(3)) expect(personBy('teamsAadObjectId', outsider.id)).toBeUndefined();
    // Each change is in the directory's history, the group as who made it.
    const by = `group:entra-group:${ENTRA_GROUP}`;
    expect((await history()).filter((h) => h.startsWith(by) && h.includes(' role-'))).toEqual([
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
    expect(holders('lincolnshire-county-council', 'line-manager')).toContain('alex-morgan');
    expect(warnings().filter((w) => w.includes(ENTRA_GROUP))).toEqual([
      `A role group was not read, so its role holders stay as they were | entra-group:${ENTRA_GROUP} | the group could not be read: Microsoft Graph (members of the group ${ENTRA_GROUP}): answered 503`,
    ]);

    // The health check says how many groups are not being read (not which): this one, and the
    // diocese's Slack group, which this file's Slack fake does not know.
    const health = (await (await fetch(`${bot.base}/healthz`)).json()) as { groups?: Record<string, unknown> };
    expect(health.groups).toEqual(
      expect.objectContaining({ everyMinutes: 15, groups: 2, notRead: 2, lastRead: expect.any(String) as unknown }),
    );
    expect(JSON.stringify(health)).not.toContain(ENTRA_GROUP);

    // Graph answers again: Alex, who left, loses the role from the group (the file made Alex a practitioner only).
    graph.failPages.length = 0;
    const outcomes = await bot.app.groupSync.runOnce();
    expect(outcomes?.find((o) => o.source === `entra-group:${ENTRA_GROUP}`)).toMatchObject({
      added: [],
      removed: ['alex-morgan'],
    });
    expect(holders('lincolnshire-county-council', 'line-manager')).not.toContain('alex-morgan');
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

describe('two replicas on one store', () => {
  test('one reads the groups while it runs; when it stops, the other takes over', async () => {
    const shared = await councilGraph();
    const env = {
      DATA_DIR: mkdtempSync(join(tmpdir(), 'groups-replicas-')),
      DIRECTORY_FILE: directoryFile(),
      SWEEPER_NAME: 'replica-1',
    };
    const first = await startGroupBot({ graph: shared, env });
    try {
      await until(() => first.bot.app.groupSync.last);
      const second = await startGroupBot({ graph: shared, env: { ...env, SWEEPER_NAME: 'replica-2' } });
      try {
        // The second's start finds the lease held: it reads nothing.
        expect(await second.bot.app.groupSync.runOnce()).toEqual([]);
        expect(shared.graphCalls()).toHaveLength(3); // the first's one read, three pages
        expect(shared.tokenCalls()).toHaveLength(1);
        // It still sees what the first wrote (the directory's history in the one store).
        await second.bot.app.live.refresh();
        expect(second.holders('lincolnshire-county-council', 'line-manager')).toContain('alex-morgan');
        await first.stop();
        const outcomes = await second.bot.app.groupSync.runOnce();
        expect(outcomes.find((o) => o.source === `entra-group:${ENTRA_GROUP}`)).toMatchObject({
          added: [],
          removed: [],
        });
        expect(shared.graphCalls()).toHaveLength(6);
      } finally {
        await second.stop();
      }
    } finally {
      await first.stop().catch(() => undefined);
      await shared.close();
    }
  });
});
