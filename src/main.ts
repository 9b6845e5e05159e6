/**
 * Composition root: configuration (zod-parsed environment) → procedures, directory and store →
 * HTTP server. The chat platforms (Teams, Slack) plug in here as they arrive.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { loadConfig, ConfigError, storeKind, type Config } from './config';
import {
  EXAMPLE_DIRECTORY_FILE,
  FileProblems,
  loadDirectoryFile,
  loadProcedures,
  SHIPPED_PROCEDURES_DIR,
} from './app/procedures';
import { StoreError, type CaseRepository } from './app/store/repository';
import { openAuditKey, openRepository, openVault } from './store/open';
import { CaseService } from './app/case-service';
import { EscalationTeamsBot } from './channels/teams/bot';
import { handleTeams, teamsAdapter } from './channels/teams/http';
import { TeamsOutlet } from './channels/teams/outlet';
import { Announcer } from './app/announcer';
import { createSlack } from './channels/slack/app';
import { Sweeper } from './app/sweeper';
import { DocumentService } from './app/records/documents';
import { hostname } from 'node:os';
import { createLogger, type Logger } from './log';
import type { DestinationStream } from 'pino';

let logger: Logger = createLogger('info');

function log(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  logger[level](fields, msg);
}

export interface Running {
  server: Server;
  repo: CaseRepository;
  sweeper: Sweeper;
  /** Resolves once the work that follows answered requests (telling people, other threads) is done. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  clock?: () => Date;
  /** Teams traffic comes from the local Agents Playground (npm start), which cannot open conversations. */
  localClient?: boolean;
  /** Where the JSON log lines go (standard output unless given). */
  logDestination?: DestinationStream;
}

export async function start(config: Config, options: StartOptions = {}): Promise<Running> {
  const clock = options.clock ?? ((): Date => new Date());
  logger = createLogger(config.LOG_LEVEL, options.logDestination);
  const procedures = loadProcedures(
    config.PROCEDURES_DIR ? [SHIPPED_PROCEDURES_DIR, config.PROCEDURES_DIR] : [SHIPPED_PROCEDURES_DIR],
  );
  const directoryFile = config.DIRECTORY_FILE ?? EXAMPLE_DIRECTORY_FILE;
  const directory = loadDirectoryFile(directoryFile, procedures);
  if (!config.DIRECTORY_FILE)
    log('warn', "Using the example directory (invented people). Set DIRECTORY_FILE to your agencies' directory.", {
      directoryFile,
    });
  const { vault, developmentKey } = openVault(config);
  if (developmentKey)
    log(
      'warn',
      "PERSONAL_DATA_KEY is not set: the adult's details are sealed with a local development key. Set one before real use.",
    );
  if (openAuditKey(config).developmentKey)
    log(
      'warn',
      'AUDIT_KEY is not set: the record is sealed with a local development key, which anyone with this code knows. Set one before real use.',
    );
  const repo = await openRepository(config);
  log('info', 'Store open', { store: storeKind(config) });
  const service = new CaseService(repo, procedures, vault, clock);
  const adapter = teamsAdapter(config, (msg, fields) => log('error', msg, fields));
  const report = (msg: string, fields: Record<string, unknown>): void => log('warn', msg, fields);
  const documents = new DocumentService(repo, service, directory, clock);
  const announcer = new Announcer(repo, directory, clock, report);
  const localClient = options.localClient ?? false;
  const outlet = new TeamsOutlet({
    adapter,
    appId: config.MicrosoftAppId ?? '',
    repo,
    directory,
    clock,
    serviceUrl: config.TEAMS_SERVICE_URL,
    localClient,
    report,
  });
  announcer.register(outlet);
  const teams = new EscalationTeamsBot({
    appId: config.MicrosoftAppId ?? '',
    localClient,
    report,
    service,
    repo,
    documents,
    outlet,
    announcer,
    procedures,
    directory,
    clock,
  });
  const slack =
    config.SLACK_SIGNING_SECRET && config.SLACK_BOT_TOKEN
      ? createSlack({
          documents,
          signingSecret: config.SLACK_SIGNING_SECRET,
          token: config.SLACK_BOT_TOKEN,
          ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}),
          service,
          repo,
          procedures,
          directory,
          announcer,
          clock,
          report,
        })
      : undefined;
  if (slack) announcer.register(slack.outlet);
  log(
    'info',
    slack
      ? 'Slack: on, at POST /slack/events (every request signed and timestamped)'
      : 'Slack: off (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to turn it on)',
  );
  if (!config.MicrosoftAppId)
    log(
      'warn',
      'Teams: no MicrosoftAppId, so the bot runs in local development mode and accepts unauthenticated requests from a local client only.',
    );
  const sweeper = new Sweeper({
    repo,
    directory,
    announcer,
    clock,
    owner: config.SWEEPER_NAME ?? `${hostname()}:${process.pid}`,
    report,
  });
  if (config.SWEEP_INTERVAL_SECONDS > 0) sweeper.start(config.SWEEP_INTERVAL_SECONDS * 1000);
  else log('warn', 'The deadline sweeper is off (SWEEP_INTERVAL_SECONDS=0): no reminders or nudges from this replica.');
  const startedAt = new Date().toISOString();

  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url?.split('?')[0] === '/api/messages') {
      handleTeams(adapter, teams, req, res).catch((error: unknown) => {
        log('error', 'Teams request failed', { error: error instanceof Error ? error.message : String(error) });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end();
      });
      return;
    }
    if (slack && req.url?.split('?')[0] === '/slack/events') {
      slack.receiver.requestListener(req, res);
      return;
    }
    if (req.method === 'GET' && (req.url === '/healthz' || req.url === '/')) {
      repo.dueCases(new Date().toISOString(), 1).then(
        () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              status: 'ok',
              startedAt,
              store: { kind: repo.kind, status: 'ok' },
              sweeper:
                config.SWEEP_INTERVAL_SECONDS > 0
                  ? {
                      everySeconds: config.SWEEP_INTERVAL_SECONDS,
                      ...(sweeper.last ? { lastSweep: sweeper.last } : {}),
                    }
                  : { off: true },
              slack: slack ? 'on' : 'off',
              boards: [...procedures.keys()],
              agencies: directory.agencies.length,
              people: directory.people.length,
            }),
          );
        },
        (error: unknown) => {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              status: 'unavailable',
              store: {
                kind: repo.kind,
                status: 'unavailable',
                problem: error instanceof StoreError ? error.code : 'error',
              },
            }),
          );
        },
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, () => resolve()));
  const address = server.address();
  log('info', 'Escalation bot listening', {
    port: typeof address === 'object' && address ? address.port : config.PORT,
    boards: [...procedures.keys()],
    agencies: directory.agencies.length,
  });
  return {
    server,
    repo,
    sweeper,
    settle: async () => {
      await Promise.all([teams.idle(), slack?.idle()]);
    },
    stop: async () => {
      await sweeper.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Telling people about the last clicks is finished before the store closes.
      await teams.idle();
      // Slack's work after an ack (opening a case's channel, telling people) is finished first.
      await slack?.idle();
      await repo.close();
    },
  };
}

if (require.main === module) {
  // A .env file beside package.json fills in what the environment does not set.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const fail = (error: unknown): void => {
    if (error instanceof ConfigError || error instanceof FileProblems || error instanceof StoreError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  };
  try {
    start(loadConfig()).then((running) => {
      const stop = (): void => {
        log('info', 'Stopping: finishing requests in flight');
        running.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    }, fail);
  } catch (error) {
    fail(error);
  }
}
