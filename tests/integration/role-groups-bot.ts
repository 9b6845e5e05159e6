/**
 * What the group-sync integration tests share: the whole bot (src/main.ts wiring, the real group
 * sources, the live directory in SQLite on disk) started against the loopback fakes of Slack's Web
 * API and of Microsoft Graph with its sign-in endpoint, with a directory whose Diocese of Lincoln
 * names a Slack user group and whose county council names an Entra ID group for its line managers.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_DIRECTORY_FILE } from '../../src/app/procedures';
import { roleHolders, type Directory, type DirectoryEntry, type Person } from '../../src/domain/directory';
import { startTestBot, type TestBot } from '../fakes/bot';
import { startFakeGraph, type FakeGraph, type GraphUserRecord } from '../fakes/graph';
import { captureLogs } from '../fakes/leaks';
import type { FakeSlackUser } from '../fakes/slack-api';

export const TENANT = '65c5ef15-4766-494c-be83-ff60275edb42'; // Lincolnshire County Council (Teams)
export const APP_ID = '3f0c9a1e-7b2d-4e5f-9a8b-1c2d3e4f5a6b';
export const APP_SECRET = 'test-app-secret-not-real';
export const ENTRA_GROUP = '0f3b6a52-9d1e-4c7a-8b2f-5e6d7c8a9b10';
export const JORDAN = '7d3e2c1b-0a9f-4e8d-b7c6-5a4b3c2d1e0f';
export const SLACK_GROUP = 'S0LINCDLM';
const TODAY = '2026-12-03';

export const slackUser = (id: string, name: string, more: Partial<FakeSlackUser> = {}): FakeSlackUser => ({
  id,
  team_id: 'T0LINCDIO',
  real_name: name,
  profile: { email: `${name.toLowerCase().replace(' ', '.')}@diocese.lincoln.example.org` },
  ...more,
});

export const entraUser = (id: string, name: string, more: Partial<GraphUserRecord> = {}): GraphUserRecord => ({
  id,
  displayName: name,
  mail: `${name.toLowerCase().replace(' ', '.')}@lincolnshire.example.org`,
  userPrincipalName: `${name.toLowerCase().replace(' ', '.')}@lincolnshire.example.org`,
  userType: 'Member',
  accountEnabled: true,
  ...more,
});

export const COUNCIL_GROUP: GraphUserRecord[] = [
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

/** The example directory with a Slack user group for the diocese and an Entra ID group for the council. */
export function directoryFile(): string {
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

export async function until<T>(what: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const got = what();
    if (got !== undefined) return got;
    if (Date.now() > end) throw new Error('waited in vain');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface GroupBot {
  bot: TestBot;
  graph: FakeGraph;
  /** Every line the bot logged. */
  lines: string[];
  dir(): Directory;
  /** The directory's history after entry `after`, as "by kind person role". */
  history(after?: number): Promise<string[]>;
  lastSeq(): Promise<number>;
  personBy(field: 'slackUserId' | 'teamsAadObjectId', id: string): Person | undefined;
  /** Who holds `role` in `agency` today, by id, sorted. */
  holders(agency: string, role: string): string[];
  /** What the bot logged about role groups since line `from`: "message | group | problem". */
  warnings(from?: number): string[];
  stop(): Promise<void>;
}

/** A Graph fake that knows the bot's app, the council's consent and its group (two to a page). */
export async function councilGraph(): Promise<FakeGraph> {
  const graph = await startFakeGraph();
  graph.apps.set(APP_ID, APP_SECRET);
  graph.consents.add(`${TENANT} ${APP_ID}`);
  graph.groups.set(ENTRA_GROUP, { tenantId: TENANT, members: [...COUNCIL_GROUP] });
  graph.pageSize = 2;
  return graph;
}

/**
 * The bot with its own Graph fake; or, for a second replica, one given (`graph`, not closed by
 * stop()) with `env` (the same DATA_DIR and DIRECTORY_FILE, another SWEEPER_NAME).
 */
export async function startGroupBot(
  options: { graph?: FakeGraph; env?: Record<string, string> } = {},
): Promise<GroupBot> {
  const graph = options.graph ?? (await councilGraph());
  const logs = captureLogs();
  const bot = await startTestBot({
    env: {
      DIRECTORY_FILE: directoryFile(),
      LOG_LEVEL: 'info',
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: APP_SECRET,
      GRAPH_API_URL: graph.graphUrl,
      ENTRA_AUTHORITY_URL: graph.loginUrl,
      ...options.env,
    },
    logDestination: logs.destination,
  });
  const dir = (): Directory => bot.app.live.directory;
  return {
    bot,
    graph,
    lines: logs.lines,
    dir,
    history: async (after = 0) =>
      (await bot.app.repo.directoryChanges(after)).map((e: DirectoryEntry) => {
        const c = e.change;
        const person = 'personId' in c ? c.personId : c.kind === 'person-learned' ? c.person.id : '';
        return `${e.by} ${c.kind} ${person}${'role' in c ? ` ${c.role}` : ''}`;
      }),
    lastSeq: async () => (await bot.app.repo.directoryChanges(0)).at(-1)?.seq ?? 0,
    personBy: (field, id) => dir().people.find((p) => p[field] === id),
    holders: (agency, role) =>
      roleHolders(dir(), agency, role, TODAY)
        .map((h) => h.person.id)
        .sort(),
    warnings: (from = 0) =>
      logs.lines
        .slice(from)
        .map((l) => JSON.parse(l) as { msg: string; group?: string; problem?: string })
        .filter((l) => /role group/i.test(l.msg))
        .map((l) => `${l.msg} | ${l.group ?? ''} | ${l.problem ?? ''}`),
    stop: async () => {
      await bot.stop();
      if (!options.graph) await graph.close();
    },
  };
}
