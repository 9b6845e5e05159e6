/**
 * Slack for many workspaces, the parts without a network: which workspaces count as registered,
 * the configuration's rules for Slack's variables, the words `npm start` says, and tokens
 * scrubbed from anything logged, whatever their source.
 */
import { ConfigError, loadConfig } from '../../src/config';
import { slackLines } from '../../src/dev/local';
import { registeredAgency } from '../../src/channels/slack/workspaces';
import { scrub } from '../../src/secrets';
import type { Directory } from '../../src/domain/directory';

const directory = {
  agencies: [
    { id: 'diocese', name: 'Diocese of Lincoln', platform: 'slack', slack: { teamId: 'T0DIO' } },
    { id: 'nhs', name: 'NHS Trust', platform: 'slack', slack: { teamId: 'T0NHS', enterpriseId: 'E0NHS' } },
    { id: 'council', name: 'Council', platform: 'teams', teams: { tenantId: '00000000-0000-0000-0000-000000000000' } },
  ],
  people: [],
} as unknown as Directory;

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

const OAUTH = {
  SLACK_CLIENT_ID: '1234567890.9876543210',
  SLACK_CLIENT_SECRET: 'c1c2c3c4c5c6c7c8c9c0a1a2a3a4a5a6',
  SLACK_STATE_SECRET: 'a-state-secret-of-thirty-two-characters-or-more',
};

test('a workspace is registered by its team id, an organisation-wide install by its enterprise id; nothing else', () => {
  expect(registeredAgency(directory, { teamId: 'T0DIO' })?.id).toBe('diocese');
  expect(registeredAgency(directory, { teamId: 'T0NHS', enterpriseId: 'E0NHS' })?.id).toBe('nhs');
  expect(registeredAgency(directory, { enterpriseId: 'E0NHS', isEnterpriseInstall: true })?.id).toBe('nhs');
  // Another workspace in a registered organisation is not the agency's.
  expect(registeredAgency(directory, { teamId: 'T0OTHER', enterpriseId: 'E0NHS' })).toBeUndefined();
  expect(registeredAgency(directory, { teamId: 'T0ATTACKER' })).toBeUndefined();
  expect(registeredAgency(directory, { enterpriseId: 'E0DIO', isEnterpriseInstall: true })).toBeUndefined();
  expect(registeredAgency(directory, {})).toBeUndefined();
});

test('Slack is on with a way in and a token: the OAuth three together, Socket Mode in place of the signing secret', () => {
  expect(problems({ ...OAUTH, SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef' })).toEqual([]);
  expect(problems({ SLACK_APP_TOKEN: 'xapp-1-A1-2-abc', SLACK_BOT_TOKEN: 'xoxb-1-2' })).toEqual([]);
  expect(problems({ SLACK_CLIENT_ID: OAUTH.SLACK_CLIENT_ID, SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef' })).toEqual([
    expect.stringMatching(/set all three, or none \(SLACK_CLIENT_SECRET and SLACK_STATE_SECRET are not set\)/),
  ]);
  expect(problems({ SLACK_APP_TOKEN: 'xapp-1-A1-2-abc' })).toEqual([expect.stringMatching(/^Slack needs a token too/)]);
  expect(problems({ ...OAUTH })).toEqual([expect.stringMatching(/^Slack needs a way in too/)]);
  expect(problems({ SLACK_APP_TOKEN: 'xoxb-wrong-kind', SLACK_BOT_TOKEN: 'xoxb-1-2' })).toEqual([
    expect.stringMatching(/^SLACK_APP_TOKEN .*it does not start xapp-.*its value is not shown/),
  ]);
  expect(problems({ ...OAUTH, SLACK_STATE_SECRET: 'short', SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef' })).toEqual([
    expect.stringMatching(
      /^SLACK_STATE_SECRET must be a random secret of 32 or more characters.*its value is not shown/,
    ),
  ]);
});

test('npm start says when Slack runs over Socket Mode, and how to turn it on when it is off', () => {
  expect(slackLines({ SLACK_APP_TOKEN: 'xapp-1' }).join(' ')).toContain('over Socket Mode');
  expect(slackLines({}).join(' ')).toContain('Try it in Slack');
});

test('Slack tokens are scrubbed from anything logged, configured or not (an installation’s bot, refresh and app tokens)', () => {
  const text =
    'failed with xoxb-1111-2222-abcdefABCDEF, refresh xoxe-1-My0xLTEtMjM0, rotated xoxe.xoxb-1-MS0yLTM0, app xapp-1-A1-2-deadbeef';
  const out = scrub(text, []);
  expect(out).not.toMatch(/abcdefABCDEF|My0xLTEtMjM0|MS0yLTM0|deadbeef/);
  expect(out).toContain('failed with [redacted]');
});
