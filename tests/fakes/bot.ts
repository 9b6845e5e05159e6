/**
 * The whole bot, started for real (its HTTP server, Bolt's receiver, botbuilder's CloudAdapter,
 * SQLite on disk) against the fake Slack Web API and Teams connector, on loopback.
 */
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { loadConfig } from '../../src/config';
import { start, type Running } from '../../src/main';
import type { HttpLimits } from '../../src/http/server';
import { startFakeSlackApi, type FakeSlackApi } from './slack-api';
import {
  raiseFormValues,
  SLACK_SECRET,
  slackPeople,
  slackPost,
  viewSubmission,
  type SlackAnswer,
} from './slack-client';
import {
  executeAction,
  sendActivity,
  teamsRaiseForm,
  teamsPeople,
  type TeamsAnswer,
  type TeamsUser,
} from './teams-client';
import { startFakeConnector, type FakeConnector } from './teams-connector';

export interface TestBot {
  app: Running;
  /** http://127.0.0.1:<port> */
  base: string;
  slackUrl: string;
  teamsUrl: string;
  slackApi: FakeSlackApi;
  connector: FakeConnector;
  dataDir: string;
  /** Any activity from `from` on Teams, answered and everything after it settled. */
  teams(from: TeamsUser, activity: Record<string, unknown>): Promise<TeamsAnswer>;
  /** A click (Action.Execute) on Teams, answered and everything after it settled. */
  click(from: TeamsUser, verb: string, data: Record<string, unknown>): Promise<TeamsAnswer>;
  /** A signed Slack request, answered and everything after it settled. */
  slack(body: string): Promise<SlackAnswer>;
  /** Peter (Diocese of Lincoln) raises a case with HealthWatch on Slack; its reference. */
  raiseOnSlack(viewId: string): Promise<string>;
  /** One case raised on each platform: Alex (council) with the police on Teams, Peter (diocese) with HealthWatch on Slack. */
  raiseOneEach(viewId: string): Promise<{ teamsCase: string; slackCase: string }>;
  stop(): Promise<void>;
}

export interface TestBotOptions {
  env?: Record<string, string>;
  clock?: () => Date;
  logDestination?: DestinationStream;
  /** The HTTP server's limits (timeouts, requests in flight), where not the defaults. */
  http?: Partial<HttpLimits>;
}

export async function startTestBot(options: TestBotOptions = {}): Promise<TestBot> {
  const slackApi = await startFakeSlackApi();
  const connector = await startFakeConnector();
  const dataDir = mkdtempSync(join(tmpdir(), 'bot-'));
  const env = {
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SWEEP_INTERVAL_SECONDS: '0',
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_API_URL: slackApi.url,
    TEAMS_SERVICE_URL: connector.url,
    ...options.env,
  };
  const app = await start(
    { ...loadConfig(env), PORT: 0 },
    {
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.logDestination ? { logDestination: options.logDestination } : {}),
      ...(options.http ? { http: options.http } : {}),
    },
  );
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const teams = async (from: TeamsUser, activity: Record<string, unknown>): Promise<TeamsAnswer> => {
    const answer = await sendActivity(`${base}/api/messages`, connector.url, from, activity);
    await app.settle();
    return answer;
  };
  const click = (from: TeamsUser, verb: string, data: Record<string, unknown>): Promise<TeamsAnswer> =>
    teams(from, executeAction(verb, data));
  const slack = async (body: string): Promise<SlackAnswer> => {
    const answer = await slackPost(`${base}/slack/events`, body);
    await app.settle();
    return answer;
  };
  const raiseOnSlack = async (viewId: string): Promise<string> => {
    const before = new Set(await app.repo.allReferences());
    const raised = await slack(
      viewSubmission(slackPeople.peter, {
        id: viewId,
        callback_id: 'raise-form',
        private_metadata: JSON.stringify({ board: 'lincolnshire', channel: 'CGENERAL' }),
        values: raiseFormValues(),
      }),
    );
    if (!JSON.stringify(raised.json).includes('is raised')) throw new Error('the Slack case was not raised');
    return (await app.repo.allReferences()).find((r) => !before.has(r)) ?? '';
  };
  const raiseOneEach = async (viewId: string): Promise<{ teamsCase: string; slackCase: string }> => {
    const before = new Set(await app.repo.allReferences());
    const raised = await click(teamsPeople.alex, 'raise-submit', teamsRaiseForm);
    if (!JSON.stringify(raised.body).includes('is raised')) throw new Error('the Teams case was not raised');
    const teamsCase = (await app.repo.allReferences()).find((r) => !before.has(r)) ?? '';
    return { teamsCase, slackCase: await raiseOnSlack(viewId) };
  };
  return {
    app,
    base,
    teams,
    click,
    slack,
    raiseOnSlack,
    raiseOneEach,
    slackUrl: `${base}/slack/events`,
    teamsUrl: `${base}/api/messages`,
    slackApi,
    connector,
    dataDir,
    stop: async () => {
      await app.stop();
      await slackApi.close();
      await connector.close();
    },
  };
}
