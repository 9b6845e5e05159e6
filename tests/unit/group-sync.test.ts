/**
 * Group sync with stand-in sources and sinks (no network, no store): each group read once a
 * run and handed on with its source; a group that fails is not handed on and is said once (and
 * its recovery once); a run stops cleanly; across replicas one reads the groups each round.
 */
import { readFileSync } from 'node:fs';
import { EXAMPLE_DIRECTORY_FILE, loadProcedures } from '../../src/app/procedures';
import { checkDirectoryText, type Agency, type Directory, type RoleGroup } from '../../src/domain/directory';
import type { GroupMember, GroupRoleSync } from '../../src/app/directory/groups-port';
import { GroupFetchError, type GroupSource } from '../../src/app/directory/group-sources';
import { GroupSync, whatToSay, type GroupSyncDeps, type GroupSyncOutcome } from '../../src/app/directory/group-sync';
import { loadConfig } from '../../src/config';
import { groupSources } from '../../src/channels/group-sources';
import { GraphTokens } from '../../src/channels/teams/graph-token';

const procedures = loadProcedures();
const exampleText = readFileSync(EXAMPLE_DIRECTORY_FILE, 'utf8');
const DIOCESE = '    slack: { teamId: T0LINCDIO }\n';
const COUNCIL = '    teams: { tenantId: 65c5ef15-4766-494c-be83-ff60275edb42 }\n';
const GROUP = '0f3b6a52-9d1e-4c7a-8b2f-5e6d7c8a9b10';
const COUNCIL_TENANT = '65c5ef15-4766-494c-be83-ff60275edb42';

/** The example with `lines` added to the agency whose platform line is `after`. */
function withGroups(after: string, lines: string): string {
  expect(exampleText.split(after)).toHaveLength(2);
  return exampleText.replace(after, `${after}    roleGroups:\n${lines}`);
}

function valid(text: string): Directory {
  const checked = checkDirectoryText(text, procedures);
  if (!checked.ok) throw new Error(checked.problems.map((p) => `line ${p.line ?? '?'}: ${p.message}`).join('\n'));
  return checked.value;
}

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

describe('a group the directory names no more', () => {
  const d = valid(withGroups(DIOCESE, '      - { role: line-manager, slackUsergroup: S0LINCDLM }\n'));
  const clock = (): Date => new Date('2026-12-03T09:00:00Z');

  test('gives back what it gave (an empty member list, once per role and group); groups still named, and others, are left alone', async () => {
    const sink = recordingSink();
    const sync = new GroupSync({
      directory: d,
      sink,
      sources: { slack: tableSource({ S0LINCDLM: [] }) },
      clock,
      report: () => undefined,
      granted: () => [
        { agencyId: 'diocese-of-lincoln', role: 'line-manager', source: 'slack-usergroup:S0LINCDLM' }, // still named
        { agencyId: 'diocese-of-lincoln', role: 'line-manager', source: 'slack-usergroup:S0OLDGRP' }, // gone
        { agencyId: 'diocese-of-lincoln', role: 'line-manager', source: 'slack-usergroup:S0OLDGRP' }, // (another holder)
        { agencyId: 'diocese-of-lincoln', role: 'senior-liaison-officer', source: 'slack-usergroup:S0LINCDLM' }, // not for this role
        { agencyId: 'diocese-of-lincoln', role: 'line-manager', source: 'priya-shah' }, // given by a person: not a group's
      ],
    });
    const outcomes = await sync.runOnce();
    expect(sink.calls.map((c) => `${c.role} ${c.source} [${c.members.join()}]`)).toEqual([
      'line-manager slack-usergroup:S0LINCDLM []',
      'line-manager slack-usergroup:S0OLDGRP []',
      'senior-liaison-officer slack-usergroup:S0LINCDLM []',
    ]);
    expect(outcomes.filter((o) => o.retired).map((o) => o.source)).toEqual([
      'slack-usergroup:S0OLDGRP',
      'slack-usergroup:S0LINCDLM',
    ]);
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

  test('while one replica reads the groups (and the round after), another reads none; once it stops, the other takes over', async () => {
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
    expect(sinkA.calls).toHaveLength(1);
    // The rest of the round is still a's: b reads nothing; a's next run renews it.
    expect(lease.holder).toBe('a');
    expect(await b.runOnce()).toEqual([]);
    await a.stop();
    expect(lease.holder).toBeUndefined();
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

describe('what reads the groups, from the configuration', () => {
  const base = loadConfig({ NODE_ENV: 'test' });

  test('GROUP_SYNC_MINUTES: 15 unless set, 0 turns it off, and a wrong value is refused by name', () => {
    expect(base.GROUP_SYNC_MINUTES).toBe(15);
    expect(loadConfig({ GROUP_SYNC_MINUTES: '0' }).GROUP_SYNC_MINUTES).toBe(0);
    expect(() => loadConfig({ GROUP_SYNC_MINUTES: '-5' })).toThrow(/GROUP_SYNC_MINUTES must be 0 \(off\) or more/);
    expect(() => loadConfig({ GROUP_SYNC_MINUTES: 'hourly' })).toThrow(
      /GROUP_SYNC_MINUTES must be a number of minutes/,
    );
    expect(() => loadConfig({ GRAPH_API_URL: 'graph' })).toThrow(
      /GRAPH_API_URL must be Microsoft Graph's base address/,
    );
  });

  test('Slack groups need a Slack token; Entra groups a client secret or a managed identity', () => {
    expect(Object.keys(groupSources(base))).toEqual([]);
    expect(Object.keys(groupSources({ ...base, SLACK_BOT_TOKEN: 'xoxb-1' }))).toEqual(['slack']);
    expect(Object.keys(groupSources({ ...base, MicrosoftAppId: GROUP }))).toEqual([]);
    expect(Object.keys(groupSources({ ...base, MicrosoftAppId: GROUP, MicrosoftAppPassword: 's' }))).toEqual(['teams']);
    expect(Object.keys(groupSources({ ...base, MicrosoftAppId: GROUP, MicrosoftAppType: 'UserAssignedMSI' }))).toEqual([
      'teams',
    ]);
    // With installs per workspace, the installation's token (helper B's store) is asked for each agency.
    expect(Object.keys(groupSources(base, { slackTokenFor: () => undefined }))).toEqual(['slack']);
  });

  test("a managed identity's token is used for its own tenant only", async () => {
    const asked: string[] = [];
    const tokens = new GraphTokens({
      credential: {
        getToken: (scope) => {
          asked.push(String(scope));
          return Promise.resolve({ token: 'mi-token', expiresOnTimestamp: Date.parse('2026-12-03T10:00:00Z') });
        },
      },
      homeTenantId: COUNCIL_TENANT,
      now: () => Date.parse('2026-12-03T09:00:00Z'),
    });
    const signal = new AbortController().signal;
    expect(await tokens.token(COUNCIL_TENANT, signal)).toBe('mi-token');
    expect(await tokens.token(COUNCIL_TENANT, signal)).toBe('mi-token');
    expect(asked).toEqual(['https://graph.microsoft.com/.default']);
    await expect(tokens.token('4d823698-5f02-48ab-b2ec-f0724a3d1e9b', signal)).rejects.toThrow(
      /managed identity belongs to the tenant 65c5ef15-.* and cannot read groups of the tenant 4d823698-/,
    );
  });
});
