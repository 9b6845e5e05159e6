/**
 * Role holders from a Slack user group, through the whole bot against the loopback fake of
 * Slack's Web API: the group's members become the Diocese of Lincoln's line managers (and are
 * asked to approve an escalation), someone who leaves the group loses the role at the next read
 * (a role the file gave stays), a read that fails removes nobody. And `cli directory sync-groups`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Directory } from '../../src/domain/directory';
import { runCli } from '../../src/cli/commands';
import type { TestBot } from '../fakes/bot';
import type { FakeGraph } from '../fakes/graph';
import { startFakeSlackApi } from '../fakes/slack-api';
import { cardClick, SLACK_SECRET, slackPeople, textInput, viewSubmission } from '../fakes/slack-client';
import {
  APP_ID,
  APP_SECRET,
  COUNCIL_GROUP,
  directoryFile,
  ENTRA_GROUP,
  SLACK_GROUP,
  slackUser,
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

const ruth = (): string => personBy('slackUserId', 'U0LDIO0009')?.id ?? 'Ruth Ellis was not learned';
const logs = {
  get lines(): string[] {
    return g.lines;
  },
};

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
    const asked = bot.slackApi
      .since(before)
      .filter((c) => c.method.startsWith('usergroups.') || c.method.startsWith('users.'))
      .map((c) => `${c.method} ${String(c.args.usergroup ?? c.args.user)}`);
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
    expect(holders('diocese-of-lincoln', 'line-manager')).toEqual(['catherine-doyle', 'helen-marsh', ruth()].sort());
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
    expect(holders('diocese-of-lincoln', 'line-manager')).toEqual(['helen-marsh', ruth()].sort());
    const catherines = dir().people.find((p) => p.id === 'catherine-doyle')?.roles;
    expect(catherines).toContain('senior-liaison-officer'); // what the file gave her stays
    expect(catherines).not.toContain('line-manager');
    // Helen leaves the group too: the file still makes her a line manager.
    bot.slackApi.usergroups.set(SLACK_GROUP, ['U0LDIO0009']);
    await bot.app.groupSync.runOnce();
    expect(holders('diocese-of-lincoln', 'line-manager')).toEqual(['helen-marsh', ruth()].sort());
  });

  test('a rate limit on the way (429, Retry-After) is waited out, and the group is read whole', async () => {
    bot.slackApi.rateLimitOnce.add('users.info');
    const before = bot.slackApi.calls.length;
    const outcomes = await bot.app.groupSync.runOnce();
    expect(outcomes.find((o) => o.source === `slack-usergroup:${SLACK_GROUP}`)).toMatchObject({
      members: 1,
      added: [],
      removed: [],
    });
    const calls = bot.slackApi.since(before).map((c) => c.method);
    expect(calls).toContain('users.info (429)');
    expect(calls.filter((m) => m === 'users.info')).toHaveLength(1);
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
    expect(holders('diocese-of-lincoln', 'line-manager')).toEqual(['helen-marsh', ruth()].sort());
    expect(warnings(mark).filter((w) => w.includes(SLACK_GROUP))).toEqual([
      `A role group was not read, so its role holders stay as they were | slack-usergroup:${SLACK_GROUP} | the group could not be read: Slack usergroups.users.list: answered 503`,
    ]);
    // A group that is gone (deleted in Slack) is a setting to fix: still nothing removed.
    bot.slackApi.usergroups.delete(SLACK_GROUP);
    const gone = await bot.app.groupSync.runOnce();
    expect(gone?.find((o) => o.source === `slack-usergroup:${SLACK_GROUP}`)?.failed).toMatch(/no_such_subteam/);
    expect(holders('diocese-of-lincoln', 'line-manager')).toEqual(['helen-marsh', ruth()].sort());
  });

  test('a group the directory no longer names gives back the role it gave', async () => {
    const diocese = dir().agencies.find((a) => a.id === 'diocese-of-lincoln');
    const named = diocese?.roleGroups.splice(0); // as when the file loses its roleGroups and the bot restarts
    try {
      const outcomes = await bot.app.groupSync.runOnce();
      expect(outcomes.find((o) => o.source === `slack-usergroup:${SLACK_GROUP}`)).toMatchObject({
        retired: true,
        removed: [ruth()],
      });
      expect(holders('diocese-of-lincoln', 'line-manager')).toEqual(['helen-marsh']);
      expect((await history()).at(-1)).toBe(`group:slack-usergroup:${SLACK_GROUP} role-removed ${ruth()} line-manager`);
      // Nothing left to give back: the next run is quiet.
      expect((await bot.app.groupSync.runOnce()).filter((o) => o.source.startsWith('slack-'))).toEqual([]);
    } finally {
      diocese?.roleGroups.push(...(named ?? []));
    }
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
