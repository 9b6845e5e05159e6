/**
 * Role holders from a group (an agency's roleGroups): what the directory check says of them, how
 * a platform's user becomes a group member (or is left out), and what group sync does with a
 * source that answers, fails, or is missing (no network here: the sources are stand-ins).
 */
import { readFileSync } from 'node:fs';
import { EXAMPLE_DIRECTORY_FILE, loadProcedures } from '../../src/app/procedures';
import { checkDirectoryText, type Agency, type Directory, type RoleGroup } from '../../src/domain/directory';
import type { Problem } from '../../src/domain/files/problems';
import type { GroupMember, GroupRoleSync } from '../../src/app/directory/groups-port';
import { GroupFetchError, groupSourceName, type GroupSource } from '../../src/app/directory/group-sources';
import {
  GroupSync,
  groupsToSync,
  whatToSay,
  type GroupSyncDeps,
  type GroupSyncOutcome,
} from '../../src/app/directory/group-sync';
import { slackMemberOf } from '../../src/channels/slack/user-groups';
import { entraMemberOf } from '../../src/channels/teams/entra-groups';

const procedures = loadProcedures();
const exampleText = readFileSync(EXAMPLE_DIRECTORY_FILE, 'utf8');
const DIOCESE = '    slack: { teamId: T0LINCDIO }\n';
const COUNCIL = '    teams: { tenantId: 65c5ef15-4766-494c-be83-ff60275edb42 }\n';
const GROUP = '0f3b6a52-9d1e-4c7a-8b2f-5e6d7c8a9b10';

/** The example with `lines` added to the agency whose platform line is `after`. */
function withGroups(after: string, lines: string): string {
  expect(exampleText.split(after)).toHaveLength(2);
  return exampleText.replace(after, `${after}    roleGroups:\n${lines}`);
}

function problemsOf(text: string): Problem[] {
  const checked = checkDirectoryText(text, procedures);
  if (checked.ok) throw new Error('expected problems');
  return checked.problems;
}

function valid(text: string): Directory {
  const checked = checkDirectoryText(text, procedures);
  if (!checked.ok) throw new Error(checked.problems.map((p) => `line ${p.line ?? '?'}: ${p.message}`).join('\n'));
  return checked.value;
}

describe('roleGroups in the directory', () => {
  test('the example file shows both kinds in a comment, and uncommented they pass the check', () => {
    const slack = /# {3}roleGroups:\n\s*# {5}- \{ role: line-manager, slackUsergroup: (S[A-Z0-9]+) \}/.exec(
      exampleText,
    );
    const teams = /# {3}roleGroups:\n\s*# {5}- \{ role: line-manager, entraGroup: ([0-9a-f-]{36}) \}/.exec(exampleText);
    expect(slack?.[1]).toBe('S0LINCDLM');
    expect(teams?.[1]).toBe(GROUP);
    const text = withGroups(COUNCIL, `      - { role: line-manager, entraGroup: ${teams?.[1] ?? ''} }\n`).replace(
      DIOCESE,
      `${DIOCESE}    roleGroups:\n      - { role: line-manager, slackUsergroup: ${slack?.[1] ?? ''} }\n`,
    );
    const d = valid(text);
    expect(d.agencies.find((a) => a.id === 'diocese-of-lincoln')?.roleGroups).toEqual([
      { role: 'line-manager', slackUsergroup: 'S0LINCDLM' },
    ]);
    expect(groupsToSync(d).map((g) => `${g.agency.id} ${g.group.role} ${g.source} ${g.platform}`)).toEqual([
      `lincolnshire-county-council line-manager entra-group:${GROUP} teams`,
      'diocese-of-lincoln line-manager slack-usergroup:S0LINCDLM slack',
    ]);
    // The shipped example itself names no group: nothing to read.
    expect(groupsToSync(valid(exampleText))).toEqual([]);
  });

  test.each([
    [
      'a role no procedure of the agency uses',
      withGroups(DIOCESE, '      - { role: head-chef, slackUsergroup: S0LINCDLM }\n'),
      /names the role "head-chef", which no procedure of this agency's boards uses \(roles there: .*line-manager.*directory-admin/,
      'role',
    ],
    [
      'a Slack user group on a Teams agency',
      withGroups(COUNCIL, '      - { role: line-manager, slackUsergroup: S0LINCDLM }\n'),
      /names a Slack user group, but Lincolnshire County Council works in Microsoft Teams: give its Entra ID group \("entraGroup"\) instead/,
      'slackUsergroup',
    ],
    [
      'an Entra ID group on a Slack agency',
      withGroups(DIOCESE, `      - { role: line-manager, entraGroup: ${GROUP} }\n`),
      /names an Entra ID group, but Diocese of Lincoln works in Slack: give its Slack user group \("slackUsergroup"\) instead/,
      'entraGroup',
    ],
    [
      'both kinds of group in one entry',
      withGroups(DIOCESE, `      - { role: line-manager, slackUsergroup: S0LINCDLM, entraGroup: ${GROUP} }\n`),
      /names both a Slack user group and an Entra ID group; give one group for each entry/,
      undefined,
    ],
    [
      'no group at all',
      withGroups(DIOCESE, '      - { role: line-manager }\n'),
      /names no group: give "slackUsergroup: S…" \(a Slack user group id\) or "entraGroup: <GUID>"/,
      undefined,
    ],
    [
      'the same group twice for a role',
      withGroups(
        DIOCESE,
        '      - { role: line-manager, slackUsergroup: S0LINCDLM }\n      - { role: line-manager, slackUsergroup: S0LINCDLM }\n',
      ),
      /names the same group for the role "line-manager" twice; list it once/,
      undefined,
    ],
    [
      "a user group's @handle instead of its id",
      withGroups(DIOCESE, '      - { role: line-manager, slackUsergroup: "@line-managers" }\n'),
      /must be a Slack user group id, like "S0123ABCD" \(not its @handle or name\)/,
      'slackUsergroup',
    ],
    [
      "a group's name instead of its object id",
      withGroups(COUNCIL, '      - { role: line-manager, entraGroup: Line managers }\n'),
      /must be the Microsoft Entra ID group's object id \(a GUID\)/,
      'entraGroup',
    ],
  ])('%s is a problem, said plainly, on its line', (_what, text, message, last) => {
    const problems = problemsOf(text);
    const matching = problems.filter((p) => message.test(p.message));
    expect(matching.map((p) => p.message)).toHaveLength(1);
    const problem = matching[0] as Problem;
    expect(problem.path.slice(0, 3)).toEqual(['agencies', expect.any(Number), 'roleGroups']);
    if (last) expect(problem.path.at(-1)).toBe(last);
    const line = text.split('\n')[(problem.line ?? 0) - 1] ?? '';
    expect(line).toMatch(/role/);
  });

  test('two groups for one role, and one group for two roles, are allowed', () => {
    const d = valid(
      withGroups(
        DIOCESE,
        '      - { role: line-manager, slackUsergroup: S0LINCDLM }\n      - { role: line-manager, slackUsergroup: S0LINCDLX }\n      - { role: senior-liaison-officer, slackUsergroup: S0LINCDLM }\n',
      ),
    );
    expect(groupsToSync(d).map((g) => `${g.group.role} ${g.source}`)).toEqual([
      'line-manager slack-usergroup:S0LINCDLM',
      'line-manager slack-usergroup:S0LINCDLX',
      'senior-liaison-officer slack-usergroup:S0LINCDLM',
    ]);
  });

  test('each group is named for the record by its kind and id', () => {
    expect(groupSourceName({ role: 'line-manager', slackUsergroup: 'S0123' })).toBe('slack-usergroup:S0123');
    expect(groupSourceName({ role: 'line-manager', entraGroup: GROUP })).toBe(`entra-group:${GROUP}`);
    expect(() => groupSourceName({ role: 'line-manager' })).toThrow(/names neither/);
  });
});

const diocese = valid(exampleText).agencies.find((a) => a.id === 'diocese-of-lincoln') as Agency;

describe('who in a group may hold a role from it', () => {
  const person = {
    team_id: 'T0LINCDIO',
    real_name: 'Helen Carter',
    profile: { email: 'Helen.Carter@Diocese.example.org' },
  };

  test("a member of the agency's workspace, with their name and work email (lower case)", () => {
    expect(slackMemberOf(diocese, 'U0LDIO0002', person)).toEqual({
      member: {
        platform: 'slack',
        userId: 'U0LDIO0002',
        email: 'helen.carter@diocese.example.org',
        name: 'Helen Carter',
      },
    });
    expect(slackMemberOf(diocese, 'U1', { team_id: 'T0LINCDIO' })).toEqual({
      member: { platform: 'slack', userId: 'U1' },
    });
  });

  test.each([
    ['a bot', { ...person, is_bot: true }, 'bot'],
    ['a deactivated account', { ...person, deleted: true }, 'deactivated'],
    ['a guest (single-channel)', { ...person, is_ultra_restricted: true }, 'guest'],
    ['a guest (multi-channel)', { ...person, is_restricted: true }, 'guest'],
    ['someone of another workspace (Slack Connect)', { ...person, team_id: 'T0LINCHWL' }, 'external'],
    ['a stranger', { ...person, is_stranger: true }, 'external'],
  ])('%s is left out', (_what, user, why) => {
    expect(slackMemberOf(diocese, 'U0LDIO0009', user)).toEqual({ skipped: why });
  });

  test('in an Enterprise Grid, another workspace of the same organisation counts as the agency', () => {
    const grid = { ...diocese, slack: { teamId: 'T0LINCDIO', enterpriseId: 'E0LINC' } };
    expect(slackMemberOf(grid, 'W1', { team_id: 'T0OTHER', enterprise_user: { enterprise_id: 'E0LINC' } })).toEqual({
      member: { platform: 'slack', userId: 'W1' },
    });
    expect(slackMemberOf(grid, 'W2', { team_id: 'T0OTHER', enterprise_user: { enterprise_id: 'E0ELSE' } })).toEqual({
      skipped: 'external',
    });
  });

  test('an Entra ID member by object id, with mail (or a user principal name that is an address)', () => {
    const id = 'A0B1C2D3-0000-4000-8000-000000000001';
    expect(
      entraMemberOf({ id, displayName: 'Sam Okafor', mail: 'Sam@Council.example.org', userType: 'Member' }),
    ).toEqual({ platform: 'teams', userId: id.toLowerCase(), email: 'sam@council.example.org', name: 'Sam Okafor' });
    expect(entraMemberOf({ id, mail: null, userPrincipalName: 'sam@council.example.org' })?.email).toBe(
      'sam@council.example.org',
    );
    expect(entraMemberOf({ id, userPrincipalName: 'not-an-address' })).toEqual({
      platform: 'teams',
      userId: id.toLowerCase(),
    });
  });

  test.each([
    ['a guest', { userType: 'Guest' }],
    ['an external account (#EXT#)', { userPrincipalName: 'jo_other.org#EXT#@council.onmicrosoft.com' }],
    ['a disabled account', { accountEnabled: false }],
    ['no object id', { id: undefined }],
    ['an id that is not a GUID', { id: '../../me' }],
  ])('%s in an Entra ID group is left out', (_what, change) => {
    expect(
      entraMemberOf({ id: '5e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b', mail: 'x@y.example.org', ...change }),
    ).toBeUndefined();
  });
});

describe('saying a failing group once', () => {
  const o = (key: string, failed?: string): GroupSyncOutcome & { key: string } => ({
    key,
    agencyId: 'a',
    role: 'r',
    source: key,
    ...(failed ? { failed } : {}),
  });

  test('a new failure is said, the same failure again is not, and the recovery is said once', () => {
    const first = whatToSay(new Set(), [o('g1', 'down'), o('g2')]);
    expect(first.newlyFailing.map((x) => x.key)).toEqual(['g1']);
    expect(first.recovered).toEqual([]);
    const second = whatToSay(first.failingAfter, [o('g1', 'still down'), o('g2')]);
    expect(second.newlyFailing).toEqual([]);
    const third = whatToSay(second.failingAfter, [o('g1'), o('g2')]);
    expect(third.recovered.map((x) => x.key)).toEqual(['g1']);
    expect([...third.failingAfter]).toEqual([]);
  });
});

/** A source answering from a table, or failing for the groups in `failing`. */
function tableSource(table: Record<string, GroupMember[]>): GroupSource & { failing: Set<string>; reads: string[] } {
  const failing = new Set<string>();
  const reads: string[] = [];
  return {
    failing,
    reads,
    members: (_agency: Agency, group: RoleGroup) => {
      const id = group.slackUsergroup ?? group.entraGroup ?? '';
      reads.push(id);
      if (failing.has(id)) return Promise.reject(new GroupFetchError('Slack usergroups.users.list: answered 503'));
      return Promise.resolve(table[id] ?? []);
    },
  };
}

/** What a sink was asked, answering that every member was added and nobody removed. */
function recordingSink(
  fail = false,
): GroupRoleSync & { calls: Array<{ agencyId: string; role: string; source: string; members: string[] }> } {
  const calls: Array<{ agencyId: string; role: string; source: string; members: string[] }> = [];
  return {
    calls,
    syncRoleFromGroup: (agencyId, role, members, source) => {
      calls.push({ agencyId, role, source, members: members.map((m) => m.userId) });
      return fail
        ? Promise.reject(new Error('the store is not answering'))
        : Promise.resolve({ added: members.map((m) => m.userId), removed: [] });
    },
  };
}

describe('group sync', () => {
  const d = valid(
    withGroups(
      DIOCESE,
      '      - { role: line-manager, slackUsergroup: S0LINCDLM }\n      - { role: senior-liaison-officer, slackUsergroup: S0LINCDLM }\n      - { role: line-manager, slackUsergroup: S0LINCDLX }\n',
    ).replace(COUNCIL, `${COUNCIL}    roleGroups:\n      - { role: line-manager, entraGroup: ${GROUP} }\n`),
  );
  const member = (userId: string): GroupMember => ({ platform: 'slack', userId });
  const clock = (): Date => new Date('2026-12-03T09:00:00Z');

  test('each group is read once a run and handed on with its source; a failing group is not handed on, and said once', async () => {
    const slack = tableSource({ S0LINCDLM: [member('U0LDIO0002')], S0LINCDLX: [member('U0LDIO0001')] });
    const sink = recordingSink();
    const said: string[] = [];
    const sync = new GroupSync({
      directory: d,
      sink,
      sources: { slack },
      clock,
      report: (level, msg, fields) =>
        said.push(
          `${level}: ${msg} ${fields.group as string}${fields.problem ? ` (${fields.problem as string})` : ''}`,
        ),
    });
    slack.failing.add('S0LINCDLX');
    const outcomes = await sync.runOnce();
    expect(slack.reads.sort()).toEqual(['S0LINCDLM', 'S0LINCDLX']);
    expect(sink.calls).toEqual([
      {
        agencyId: 'diocese-of-lincoln',
        role: 'line-manager',
        source: 'slack-usergroup:S0LINCDLM',
        members: ['U0LDIO0002'],
      },
      {
        agencyId: 'diocese-of-lincoln',
        role: 'senior-liaison-officer',
        source: 'slack-usergroup:S0LINCDLM',
        members: ['U0LDIO0002'],
      },
    ]);
    expect(outcomes.find((o) => o.source === 'slack-usergroup:S0LINCDLX')?.failed).toMatch(/could not be read: .*503/);
    // No Teams source: the Entra group is left as it is, and that is said too.
    expect(outcomes.find((o) => o.source === `entra-group:${GROUP}`)?.failed).toMatch(/no Microsoft app registration/);
    expect(said.filter((s) => s.startsWith('warn')).sort()).toEqual([
      `warn: A role group was not read, so its role holders stay as they were entra-group:${GROUP} (the bot has no Microsoft app registration (MicrosoftAppId and MicrosoftAppPassword, or a managed identity), so Entra ID groups cannot be read)`,
      'warn: A role group was not read, so its role holders stay as they were slack-usergroup:S0LINCDLX (the group could not be read: Slack usergroups.users.list: answered 503)',
    ]);

    said.length = 0;
    sink.calls.length = 0;
    await sync.runOnce();
    expect(said.filter((s) => s.startsWith('warn'))).toEqual([]);
    expect(sink.calls.map((c) => c.source)).not.toContain('slack-usergroup:S0LINCDLX');

    slack.failing.clear();
    said.length = 0;
    await sync.runOnce();
    expect(said).toContain('info: A role group is read again slack-usergroup:S0LINCDLX');
    expect(sink.calls.map((c) => `${c.role} ${c.source} ${c.members.join()}`)).toContain(
      'line-manager slack-usergroup:S0LINCDLX U0LDIO0001',
    );
    expect(sync.last?.at).toBe('2026-12-03T09:00:00.000Z');
  });

  test('a change the live directory cannot store is a failure of that group, not of the run', async () => {
    const slack = tableSource({ S0LINCDLM: [member('U0LDIO0002')] });
    const sync = new GroupSync({
      directory: d,
      sink: recordingSink(true),
      sources: { slack },
      clock,
      report: () => undefined,
    });
    const outcomes = await sync.runOnce();
    expect(outcomes.filter((o) => o.source.startsWith('slack-')).map((o) => o.failed)).toEqual([
      'the change could not be stored: the store is not answering',
      'the change could not be stored: the store is not answering',
      'the change could not be stored: the store is not answering',
    ]);
  });

  test('a source that never answers is given up on when the run stops, and nothing is handed on', async () => {
    const sink = recordingSink();
    const never: GroupSource = { members: () => new Promise<GroupMember[]>(() => undefined) };
    const sync = new GroupSync({ directory: d, sink, sources: { slack: never }, clock, report: () => undefined });
    const run = sync.runOnce();
    await sync.stop();
    const outcomes = await run;
    expect(sink.calls).toEqual([]);
    expect(outcomes.find((o) => o.source === 'slack-usergroup:S0LINCDLM')?.failed).toMatch(
      /could not be read: stopped/,
    );
  });

  test('an empty group is handed on as empty (its members left it), and said when it took the role from people', async () => {
    const said: string[] = [];
    const sink: GroupRoleSync = {
      syncRoleFromGroup: (_a, _r, members) =>
        Promise.resolve({ added: [], removed: members.length ? [] : ['helen-carter'] }),
    };
    const sync = new GroupSync({
      directory: d,
      sink,
      sources: { slack: tableSource({}) },
      clock,
      report: (_level, msg) => said.push(msg),
    });
    const outcomes = await sync.runOnce();
    expect(outcomes.find((o) => o.source === 'slack-usergroup:S0LINCDLM')).toMatchObject({
      members: 0,
      removed: ['helen-carter'],
    });
    expect(said).toContain('A role group has no members now: nobody holds the role from it');
  });
});

describe('group sync across replicas', () => {
  const d = valid(withGroups(DIOCESE, '      - { role: line-manager, slackUsergroup: S0LINCDLM }\n'));
  const clock = (): Date => new Date('2026-12-03T09:00:00Z');

  /** One lease shared by the replicas, as the store keeps it. */
  function sharedLease(): { holder: string | undefined; as(owner: string): NonNullable<GroupSyncDeps['lease']> } {
    const shared = {
      holder: undefined as string | undefined,
      as: (owner: string) => ({
        claim: () => {
          if (shared.holder !== undefined && shared.holder !== owner) return Promise.resolve(false);
          shared.holder = owner;
          return Promise.resolve(true);
        },
        release: () => {
          if (shared.holder === owner) shared.holder = undefined;
          return Promise.resolve();
        },
      }),
    };
    return shared;
  }

  test('while one replica reads the groups, another reads none; once it is done, the lease is free again', async () => {
    const lease = sharedLease();
    let answer: (members: GroupMember[]) => void = () => undefined;
    const slow: GroupSource = { members: () => new Promise<GroupMember[]>((resolve) => (answer = resolve)) };
    const quick = tableSource({ S0LINCDLM: [{ platform: 'slack', userId: 'U0LDIO0002' }] });
    const sinkA = recordingSink();
    const sinkB = recordingSink();
    const a = new GroupSync({
      directory: d,
      sink: sinkA,
      sources: { slack: slow },
      clock,
      report: () => undefined,
      lease: lease.as('a'),
    });
    const b = new GroupSync({
      directory: d,
      sink: sinkB,
      sources: { slack: quick },
      clock,
      report: () => undefined,
      lease: lease.as('b'),
    });
    const running = a.runOnce();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lease.holder).toBe('a');
    expect(await b.runOnce()).toEqual([]);
    expect(quick.reads).toEqual([]);
    answer([{ platform: 'slack', userId: 'U0LDIO0002' }]);
    expect((await running).map((o) => o.source)).toEqual(['slack-usergroup:S0LINCDLM']);
    expect(lease.holder).toBeUndefined();
    expect(sinkA.calls).toHaveLength(1);
    await b.runOnce();
    expect(quick.reads).toEqual(['S0LINCDLM']);
    expect(sinkB.calls).toHaveLength(1);
  });

  test('a store that cannot say who holds the lease does not stop the read (reading twice changes nothing)', async () => {
    const said: string[] = [];
    const sink = recordingSink();
    const sync = new GroupSync({
      directory: d,
      sink,
      sources: { slack: tableSource({ S0LINCDLM: [] }) },
      clock,
      report: (_level, msg) => said.push(msg),
      lease: { claim: () => Promise.reject(new Error('database is locked')), release: () => Promise.resolve() },
    });
    await sync.runOnce();
    expect(sink.calls).toHaveLength(1);
    expect(said).toContain('Group sync could not check whether another replica is reading the groups');
  });
});
