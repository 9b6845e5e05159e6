/**
 * Role holders from a group (an agency's roleGroups): what the directory check says of them, and
 * how a platform's user becomes a group member or is left out (tests/unit/group-sync.test.ts:
 * what group sync does with them).
 */
import { readFileSync } from 'node:fs';
import { EXAMPLE_DIRECTORY_FILE, loadProcedures } from '../../src/app/procedures';
import { checkDirectoryText, type Agency, type Directory } from '../../src/domain/directory';
import type { Problem } from '../../src/domain/files/problems';
import { groupSourceName } from '../../src/app/directory/group-sources';
import { groupsToSync } from '../../src/app/directory/group-sync';
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
