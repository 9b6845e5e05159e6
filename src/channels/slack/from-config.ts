/**
 * Slack from the configuration: on with a way in (SLACK_SIGNING_SECRET for POST /slack/events, or
 * SLACK_APP_TOKEN for Socket Mode) and a token (SLACK_BOT_TOKEN for one workspace, or the OAuth
 * install per workspace: SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET), and what the
 * log says of it at start.
 */
import type { Config } from '../../config';
import { openInstallationSealer } from '../../store/open';
import type * as SlackApp from './app';
import type { SlackDeps, SlackSide } from './app';

/** Whether Slack is on: a way in (signing secret or Socket Mode) and a token (one workspace's, or OAuth). */
export function slackOn(config: Config): boolean {
  return Boolean(
    (config.SLACK_SIGNING_SECRET || config.SLACK_APP_TOKEN) && (config.SLACK_BOT_TOKEN || config.SLACK_CLIENT_ID),
  );
}

type Shared = Pick<
  SlackDeps,
  'documents' | 'service' | 'repo' | 'procedures' | 'directory' | 'identity' | 'directoryCommands' | 'clock' | 'report'
>;

/** The Slack side the configuration asks for, or undefined when Slack is off (Bolt is then not even loaded). */
export function slackFromConfig(config: Config, shared: Shared): SlackSide | undefined {
  if (!slackOn(config)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createSlack } = require('./app') as typeof SlackApp;
  return createSlack({
    ...shared,
    ...(config.SLACK_SIGNING_SECRET ? { signingSecret: config.SLACK_SIGNING_SECRET } : {}),
    ...(config.SLACK_BOT_TOKEN ? { token: config.SLACK_BOT_TOKEN } : {}),
    ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}),
    ...(config.SLACK_APP_TOKEN ? { appToken: config.SLACK_APP_TOKEN } : {}),
    ...(config.SLACK_CLIENT_ID && config.SLACK_CLIENT_SECRET && config.SLACK_STATE_SECRET
      ? {
          oauth: {
            clientId: config.SLACK_CLIENT_ID,
            clientSecret: config.SLACK_CLIENT_SECRET,
            stateSecret: config.SLACK_STATE_SECRET,
            sealer: openInstallationSealer(config),
          },
        }
      : {}),
  });
}

/** What the log says of Slack at start. */
export function slackWords(config: Config): string {
  if (!slackOn(config))
    return 'Slack: off (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN, or SLACK_APP_TOKEN for Socket Mode, to turn it on)';
  const way = config.SLACK_APP_TOKEN
    ? 'over Socket Mode (SLACK_APP_TOKEN: no public address needed)'
    : 'at POST /slack/events (every request signed and timestamped)';
  const tokens = config.SLACK_CLIENT_ID
    ? `; each agency installs the app in its workspace at GET /slack/install${config.SLACK_BOT_TOKEN ? ' (SLACK_BOT_TOKEN serves its own workspace)' : ''}`
    : '';
  return `Slack: on, ${way}${tokens}`;
}
