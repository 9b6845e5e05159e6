/**
 * Composition root: configuration (zod-parsed environment) → procedures, directory and store →
 * HTTP server. The chat platforms (Teams, Slack) plug in here as they arrive.
 */
// First, so that every module after it is compiled once and then read from the cache.
import './wiring/compile-cache';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { loadConfig, ConfigError, storeKind, type Config } from './config';
import {
  EXAMPLE_DIRECTORY_FILE,
  exampleDirectoryProblems,
  FileProblems,
  loadDirectoryFile,
  loadProcedures,
  SHIPPED_PROCEDURES_DIR,
} from './app/procedures';
import { StoreError, type CaseRepository } from './app/store/repository';
import { openAuditKey, openRepository, openVault } from './store/open';
import { CaseService } from './app/case-service';
import { LOCAL_DOCUMENT_PATH, LocalDownloads } from './channels/teams/local-downloads';
import { slackFromConfig, slackWords } from './channels/slack/from-config';
import { Sweeper } from './app/sweeper';
import { sayOldKeys } from './app/personal-reseal';
import { Delivery } from './app/delivery';
import { actorFor } from './app/people';
import { completedFormFor, DocumentService } from './app/records/documents';
import { SmtpMailer } from './channels/email/smtp';
import { FiguresSchedule, figuresMailFor } from './app/reports/schedule';
import { hostname } from 'node:os';
import { createLogger, type Logger } from './log';
import { scrub, secretValues } from './secrets';
import type { DestinationStream } from 'pino';
import { createHttpServer, oneLine, type HttpLimits, type Route } from './http/server';
import { healthRoutes } from './wiring/health';
import { NO_TELEMETRY } from './app/telemetry';
import { startTelemetry } from './telemetry/start';
import { captureConsole } from './http/console';
import { listen, ListenError } from './http/listen';
import { GROUP_SYNC_LEASE, GroupSync, grantedByGroups } from './app/directory/group-sync';
import { groupSources, type GroupSourceOptions } from './channels/group-sources';
import type { SlackWorkspaces } from './channels/slack/workspaces';
import type { LiveDirectory } from './app/directory/live';
import { openDirectory } from './wiring/directory';
import { restateInBackground } from './wiring/restate';
import { teamsSide } from './wiring/teams';

let logger: Logger = createLogger('info');

function log(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  logger[level](fields, msg);
}

export interface Running {
  server: Server;
  repo: CaseRepository;
  sweeper: Sweeper;
  delivery: Delivery;
  /** The boards' figures on their schedule (oversight.figures), written to the outbox when due. */
  figures: FiguresSchedule;
  /** Resolves once the work that follows answered requests (the outbox's items due now) is done. */
  settle(): Promise<void>;
  /** Resolves once cases stored by an earlier release have been brought up to date (see app/restate.ts). */
  caughtUp: Promise<void>;
  /** Resolves once Slack has started (Socket Mode connected, or said why not). */
  slackStarted?: Promise<void>;
  /** Role holders from Slack user groups and Entra ID groups (an agency's roleGroups), into the live directory. */
  groupSync: GroupSync;
  /** The directory's people, folded from the file and their history in the store (roles, absences, people learned). */
  live: LiveDirectory;
  stop(): Promise<void>;
}

export interface StartOptions {
  clock?: () => Date;
  /** Teams traffic comes from the local Agents Playground (npm start), which cannot open conversations. */
  localClient?: boolean;
  /** Where the JSON log lines go (standard output unless given). */
  logDestination?: DestinationStream;
  /** The HTTP server's limits (timeouts, requests in flight), where not the defaults. */
  http?: Partial<HttpLimits>;
}

export async function start(config: Config, options: StartOptions = {}): Promise<Running> {
  const clock = options.clock ?? ((): Date => new Date());
  logger = createLogger(config.LOG_LEVEL, options.logDestination, secretValues(config));
  const procedures = loadProcedures(
    config.PROCEDURES_DIR ? [SHIPPED_PROCEDURES_DIR, config.PROCEDURES_DIR] : [SHIPPED_PROCEDURES_DIR],
    // A board clashing with another (id or reference prefix) is left out and said; the rest load.
    (refused) => log('error', 'A board file was not loaded', { file: refused.file, problems: refused.message }),
  );
  const directoryFile = config.DIRECTORY_FILE ?? EXAMPLE_DIRECTORY_FILE;
  const directory = loadDirectoryFile(directoryFile, procedures);
  if (config.NODE_ENV === 'production') {
    const refused = exampleDirectoryProblems(directoryFile, directory);
    if (refused.length) throw new ConfigError(refused);
  }
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
  // The directory's people live in the store with their history; the file seeds it once.
  const { live, identity, directoryCommands } = await openDirectory({
    directory,
    directoryFile,
    repo,
    procedures,
    clock,
    log,
  });
  // How many adults' details are still under an old key (one count, in the background; skipped if it fails).
  const keysCounted = sayOldKeys(repo, vault, log);
  // After an upgrade, cases stored by the release before are brought up to date with this one (in the background).
  const restate = restateInBackground(repo, openAuditKey(config).key, log);
  const restated = restate.done;
  const service = new CaseService(repo, procedures, vault, clock, directory);
  const report = (msg: string, fields: Record<string, unknown>): void => log('warn', msg, fields);
  const documents = new DocumentService(repo, service, directory, clock);
  // Completed forms also go by email to the forms' contacts when SMTP is set up.
  const mailer =
    config.SMTP_URL && config.SMTP_FROM ? new SmtpMailer({ url: config.SMTP_URL, from: config.SMTP_FROM }) : undefined;
  const replica = config.SWEEPER_NAME ?? `${hostname()}:${process.pid}`;
  // Traces and metrics over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (src/telemetry); nothing otherwise.
  const telemetry = startTelemetry(config, replica, log);
  service.observe(telemetry);
  telemetry.observeOutbox(() => repo.outboxStats());
  const delivery = new Delivery({
    telemetry,
    repo,
    directory,
    owner: replica,
    leaseMs: config.OUTBOX_LEASE_SECONDS * 1000,
    maxAttempts: config.OUTBOX_ATTEMPTS,
    baseDelayMs: config.OUTBOX_RETRY_SECONDS * 1000,
    report,
    formDocuments: (item, recipient) =>
      completedFormFor(
        repo,
        service,
        directory,
        item.reference,
        item.payload,
        recipient ? actorFor(directory, recipient, clock()) : undefined,
        clock(),
        item.kind === 'email-form' ? undefined : item.platform,
      ),
    ...(mailer ? { mailer } : {}),
    figuresMail: (item) => figuresMailFor(repo, procedures, directory, item, clock()),
  });
  // Each board's figures (oversight.figures), emailed at the start of each period; any that will not go is said once.
  const figures = new FiguresSchedule({
    repo,
    procedures,
    clock,
    emailing: Boolean(mailer),
    report: (level, msg, fields) => log(level, msg, fields),
    wake: () => delivery.wake(),
  });
  service.whenOwed(() => delivery.wake());
  service.emailForms(Boolean(mailer));
  const localClient = options.localClient ?? false;
  const downloads = localClient ? new LocalDownloads() : undefined;
  // botbuilder is loaded now only when Teams is configured (an app id, or the local client); else with its first use.
  const teams = teamsSide({
    config,
    warn: (msg, fields) => log('warn', msg, fields),
    fail: (msg, fields) => log('error', msg, fields),
    localClient,
    ...(downloads ? { downloads } : {}),
    report,
    service,
    repo,
    documents,
    owed: () => delivery.wake(),
    procedures,
    directory,
    identity,
    directoryCommands,
    clock,
  });
  delivery.register(teams.outlet);
  const slack = slackFromConfig(config, {
    documents,
    service,
    repo,
    procedures,
    directory,
    identity,
    directoryCommands,
    clock,
    report,
  });
  if (slack) {
    delivery.register(slack.outlet);
  }
  log('info', slackWords(config));
  if (!config.MicrosoftAppId)
    log(
      'warn',
      'Teams: no MicrosoftAppId, so the bot runs in local development mode: it takes unauthenticated requests from this computer only (loopback) and refuses any other.',
    );
  // The sweeper hands what timers owe to the outbox, a batch at a time; the delivery worker sends them.
  const sweeper = new Sweeper({
    telemetry,
    repo,
    directory,
    delivery,
    clock,
    owner: replica,
    report,
  });
  delivery.start();
  // Other replicas' directory changes: read on a lookup miss, and every sweep interval (only what is new).
  live.start(config.SWEEP_INTERVAL_SECONDS * 1000);
  // The sweeper starts once the server answers (below): a catch-up after downtime runs in the background.
  if (config.SWEEP_INTERVAL_SECONDS > 0) figures.start(config.SWEEP_INTERVAL_SECONDS * 1000);
  else
    log(
      'warn',
      'The deadline sweeper is off (SWEEP_INTERVAL_SECONDS=0): no reminders, nudges or boards’ figures from this replica.',
    );
  // Role holders from groups (an agency's roleGroups): read once listening, then every GROUP_SYNC_MINUTES (0: off).
  const groupSync = new GroupSync({
    directory,
    sink: live,
    // Slack groups are read with the token of each agency's own workspace (its installation, when each agency installs).
    sources: groupSources(config, slackGroupTokens(slack?.workspaces)),
    clock,
    report: (level, msg, fields) => log(level, msg, fields),
    // What groups gave, so a group the directory names no more gives it back.
    granted: () => grantedByGroups(live),
    // One replica reads the groups each round.
    lease: {
      claim: (until, now) => repo.claimLease(GROUP_SYNC_LEASE, replica, until.toISOString(), now.toISOString()),
      release: () => repo.releaseLease(GROUP_SYNC_LEASE, replica),
    },
  });
  const probes = healthRoutes({
    config,
    repo,
    delivery,
    sweeper,
    figures,
    groupSync,
    slackOn: Boolean(slack),
    boards: [...procedures.keys()],
    directory,
    clock,
    log,
  });
  const routes: Route[] = [
    { paths: ['/api/messages'], methods: { POST: (req, res) => teams.handle(req, res) } },
    ...probes.routes,
    ...(slack ? slack.routes : []),
    ...(downloads
      ? [{ paths: [LOCAL_DOCUMENT_PATH], methods: { GET: downloads.handler, HEAD: downloads.handler } }]
      : []),
  ];
  // botbuilder writes whole errors (stacks) with console.error: into the JSON log, one line each.
  const releaseConsole = captureConsole((level, msg, fields) => log(level, msg, fields));
  const server = createHttpServer(routes, log, options.http, telemetry === NO_TELEMETRY ? undefined : telemetry);
  // Stopping, in order: the background work, then the requests in flight (once listening), the
  // outbox's item being done (the rest stay for the next start), telemetry (its outbox gauge reads
  // the store), the store.
  const stopAll = async (listening = false): Promise<void> => {
    restate.abort();
    await restated;
    await groupSync.stop();
    await live.stop();
    await keysCounted;
    await sweeper.stop();
    await figures.stop();
    if (listening) {
      await slack?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await teams.idle();
    await slack?.idle();
    await delivery.stop();
    probes.stop();
    await telemetry.shutdown();
    mailer?.close();
    await repo.close();
    releaseConsole();
  };
  try {
    await listen(server, config.PORT, config.HOST, { variable: 'PORT', suspect: 'another copy of the bot?' });
  } catch (error) {
    // Nothing listens: stop what was started, so the words are all that is left.
    await stopAll();
    throw error;
  }
  // The deadline sweep, batch by batch, yielding between batches: the bot answers (and is ready)
  // while a catch-up after downtime works through what fell due meanwhile.
  if (config.SWEEP_INTERVAL_SECONDS > 0) sweeper.start(config.SWEEP_INTERVAL_SECONDS * 1000);
  // Socket Mode connects once the server is up, in the background (Slack's client keeps trying while
  // the network is down); a token Slack refuses is said, and Slack stays off.
  const slackStarted = slack?.start().then(
    () => {
      if (slack.socket) log('info', 'Slack: connected over Socket Mode');
    },
    (error: unknown) =>
      log('error', 'Slack: Socket Mode could not connect (check SLACK_APP_TOKEN)', { error: oneLine(error) }),
  );
  if (downloads) {
    const address = server.address();
    if (address && typeof address === 'object') downloads.base = `http://localhost:${address.port}`;
  }
  if (config.GROUP_SYNC_MINUTES > 0) groupSync.start(config.GROUP_SYNC_MINUTES * 60_000);
  const address = server.address();
  log('info', 'Escalation bot listening', {
    port: typeof address === 'object' && address ? address.port : config.PORT,
    boards: [...procedures.keys()],
    agencies: directory.agencies.length,
  });
  if (config.NODE_ENV !== 'production' && ['127.0.0.1', 'localhost', '::1'].includes(config.HOST))
    log('info', `listening on ${config.HOST} only: set HOST=0.0.0.0 to accept other machines`);
  return {
    server,
    repo,
    sweeper,
    delivery,
    figures,
    groupSync,
    caughtUp: restated,
    ...(slackStarted ? { slackStarted } : {}),
    live,
    settle: async () => {
      await Promise.all([teams.idle(), slack?.idle()]);
      await delivery.drain();
    },
    stop: () => stopAll(true),
  };
}

/**
 * What stops the start, in words, without the value of any secret in it: the known failures
 * (configuration, a procedure or directory file, the store, a port) by their message alone.
 */
export function startFailure(error: unknown): string {
  const known =
    error instanceof ConfigError ||
    error instanceof FileProblems ||
    error instanceof StoreError ||
    error instanceof ListenError;
  const text = known ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  return scrub(text, secretValues(process.env));
}

if (require.main === module) {
  // A .env file beside package.json fills in what the environment does not set.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const fail = (error: unknown): void => {
    process.stderr.write(`${startFailure(error)}\n`);
    process.exit(1);
  };
  // The server's guard answers every request's failure; should anything still escape, it is
  // logged on one line and the bot carries on serving the others.
  process.on('uncaughtException', (error) => log('error', 'Uncaught failure', { error: oneLine(error) }));
  process.on('unhandledRejection', (error) => log('error', 'Unhandled failure', { error: oneLine(error) }));
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

/** With the install per workspace, each agency's Slack groups are read with its own workspace's token. */
function slackGroupTokens(workspaces: SlackWorkspaces | undefined): GroupSourceOptions {
  return workspaces ? { slackTokenFor: (agency) => workspaces.tokenForAgency(agency.id) } : {};
}
