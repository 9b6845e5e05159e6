/**
 * The Slack adapter: a Bolt app behind the bot's own receiver (./receiver) at POST /slack/events
 * on the bot's HTTP server, which checks every request's signature, timestamp and novelty, or
 * over Socket Mode (./socket) when SLACK_APP_TOKEN is set. With one workspace's token
 * (SLACK_BOT_TOKEN) every call uses it; with the OAuth install on (./oauth), each request is
 * authorized by its own workspace's installation and each outbound call takes the token of the
 * workspace of the agency it is for (./workspaces); the listeners' `client` is the request's own. `/escalate` opens the raising
 * modals (immediate risk first); a raised case gets a private channel named from its reference,
 * with both practitioners invited (Slack Connect where the other agency is another workspace),
 * and its stage card. Buttons act through the shared service; the adapter decides nothing.
 * The listeners are registered from their own modules: raising, card buttons, documents, the
 * history and finding your work (commands in a DM or after /escalate, the App Home).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { App, LogLevel, type AuthorizeSourceData, type Logger as BoltLogger } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { CaseService } from '../../app/case-service';
import type { PersonResolver } from '../../app/directory/identity';
import type { DirectoryCommands } from '../../app/directory/commands';
import { slackUserLookup } from './identity';
import type { DocumentService } from '../../app/records/documents';
import type { CaseRepository } from '../../app/store/repository';
import type { Directory } from '../../domain/directory';
import type { Procedure } from '../../domain/procedure';
import { registerButtons } from './buttons';
import { registerDocuments } from './documents';
import { registerForms } from './forms';
import { registerFindingWork } from './finding-work';
import { registerHistory } from './history';
import { slackParts } from './listeners';
import { SlackOutlet } from './outlet';
import { registerRaising } from './raising';
import { SlackReceiver } from './receiver';
import { signatureClaims } from './replays';
import { slackOAuth } from './oauth';
import { SocketReceiver } from './socket';
import { registerUninstalls } from './uninstall';
import { ClientsByToken, NotAuthorized, SlackWorkspaces } from './workspaces';
import type { InstallationSealer } from '../../app/store/slack-installations';
import type { Route } from '../../http/server';

export interface SlackDeps {
  documents: DocumentService;
  /** For POST /slack/events (not needed over Socket Mode). */
  signingSecret?: string;
  /** SLACK_BOT_TOKEN: the single workspace's token (with OAuth on, the token of the workspace it belongs to). */
  token?: string;
  apiUrl?: string;
  /** OAuth install per workspace (./oauth, ./workspaces): each agency's workspace installs the app. */
  oauth?: {
    clientId: string;
    clientSecret: string;
    stateSecret: string;
    sealer: InstallationSealer;
    authorizationUrl?: string;
  };
  /** SLACK_APP_TOKEN: Slack over Socket Mode (./socket) instead of POST /slack/events. */
  appToken?: string;
  service: CaseService;
  repo: CaseRepository;
  procedures: ReadonlyMap<string, Procedure>;
  directory: Directory;
  /** Who a user is, learning those not in the directory yet from Slack (users.info). */
  identity?: PersonResolver;
  /** roles, assign, remove, away, back (in a DM with the bot or after /escalate). */
  directoryCommands?: DirectoryCommands;
  clock: () => Date;
  report: (message: string, fields: Record<string, unknown>) => void;
}

export interface SlackSide {
  app: App;
  /** POST /slack/events, when Slack comes over HTTP (undefined over Socket Mode). */
  receiver?: SlackReceiver;
  /** Socket Mode, when SLACK_APP_TOKEN is set. */
  socket?: SocketReceiver;
  /** The routes Slack adds to the bot's server: /slack/events (HTTP), /slack/install and /slack/oauth_redirect (OAuth). */
  routes: Route[];
  /** Per-workspace installations and tokens, when OAuth is on. */
  workspaces?: SlackWorkspaces;
  /** For the delivery worker: its calls never wait (a 429 goes back to the worker with its Retry-After). */
  outlet: SlackOutlet;
  client: WebClient;
  /** Connects Socket Mode (nothing to do over HTTP). */
  start(): Promise<void>;
  /** Disconnects Socket Mode. */
  stop(): Promise<void>;
  /** Resolves once every request being handled (including work after its ack) has finished. */
  idle(): Promise<void>;
}

/** Bolt's own messages (a bad signature, a stale request) into the bot's JSON logs. */
function boltLogger(report: SlackDeps['report']): BoltLogger {
  let level = LogLevel.WARN;
  const say =
    (at: LogLevel) =>
    (...msg: unknown[]): void => {
      const order = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];
      if (order.indexOf(at) >= order.indexOf(level))
        report(`Slack: ${msg.map((m) => (m instanceof Error ? m.message : String(m))).join(' ')}`, { slackLevel: at });
    };
  return {
    debug: say(LogLevel.DEBUG),
    info: say(LogLevel.INFO),
    warn: say(LogLevel.WARN),
    error: say(LogLevel.ERROR),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

export function createSlack(deps: SlackDeps): SlackSide {
  const logger = boltLogger(deps.report);
  const api = deps.apiUrl ? { slackApiUrl: deps.apiUrl.endsWith('/') ? deps.apiUrl : `${deps.apiUrl}/` } : {};
  const receiver = deps.appToken
    ? undefined
    : new SlackReceiver({
        signingSecret: deps.signingSecret ?? '',
        unhandledRequestTimeoutMillis: 2900,
        logger,
        report: deps.report,
        claim: signatureClaims((signature, at) => deps.repo.claimRequest('slack-signature', signature, at)),
      });
  const socket = deps.appToken
    ? new SocketReceiver({
        appToken: deps.appToken,
        logger,
        report: deps.report,
        ...(deps.apiUrl ? { apiUrl: deps.apiUrl } : {}),
      })
    : undefined;
  // The listeners' own calls (views.open, chat.postEphemeral): a few quick retries; a 429 waits for its Retry-After.
  const listenerOptions = {
    ...api,
    retryConfig: { retries: 3, factor: 1, minTimeout: 200, maxTimeout: 1000 },
    logger,
    logLevel: LogLevel.WARN,
  };
  // The outbox's own clients: they never wait inside a call (no retries, a 429 is thrown with its
  // Retry-After), so the delivery worker decides when to try again and nothing else waits.
  const outboxOptions = {
    ...api,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    // Well inside the outbox's lease, so a call that hangs is tried again by this replica, not raced by another.
    timeout: 10_000,
    logger,
    logLevel: LogLevel.WARN,
  };
  const workspaces = deps.oauth
    ? new SlackWorkspaces({
        repo: deps.repo,
        directory: deps.directory,
        sealer: deps.oauth.sealer,
        clock: deps.clock,
        report: deps.report,
        ...(deps.token ? { singleToken: deps.token } : {}),
        clientOptions: { ...api, logger, logLevel: LogLevel.WARN },
      })
    : undefined;
  const oauth =
    deps.oauth && workspaces
      ? slackOAuth({
          clientId: deps.oauth.clientId,
          clientSecret: deps.oauth.clientSecret,
          stateSecret: deps.oauth.stateSecret,
          workspaces,
          clientOptions: api,
          logger,
          report: deps.report,
          ...(deps.oauth.authorizationUrl ? { authorizationUrl: deps.oauth.authorizationUrl } : {}),
        })
      : undefined;
  const app = new App({
    // One workspace's token, or each request's own workspace's installation (refused unless registered).
    ...(workspaces
      ? {
          authorize: async (source: AuthorizeSourceData<boolean>) => {
            const { token, ...found } = await workspaces.botToken(source);
            return { botToken: token, ...found };
          },
        }
      : { token: deps.token ?? '' }),
    receiver: receiver ?? socket,
    logger,
    logLevel: LogLevel.WARN,
    clientOptions: { ...api, retryConfig: listenerOptions.retryConfig },
  });
  const client = app.client;
  // Outbound calls go with the token of the workspace of the agency they are for (one token without OAuth).
  const byWorkspace = (
    options: WebClientOptions,
    single: WebClient,
  ): ((agencyId: string | undefined) => Promise<WebClient>) => {
    if (!workspaces) return () => Promise.resolve(single);
    const clients = new ClientsByToken(options);
    return async (agencyId) => clients.get(await workspaces.tokenForAgency(agencyId));
  };
  const outlet = new SlackOutlet({
    clientFor: byWorkspace(outboxOptions, new WebClient(deps.token, outboxOptions)),
    repo: deps.repo,
    directory: deps.directory,
    clock: deps.clock,
    report: deps.report,
    documents: deps.documents,
  });
  // Each request's own client (its workspace's token), for the listeners' calls (views.open, chat.postEphemeral).
  const current = new AsyncLocalStorage<WebClient>();
  const requestClient = new Proxy(client, {
    get: (target, prop) => {
      const c = current.getStore() ?? target;
      const value: unknown = Reflect.get(c, prop, c);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(c) : value;
    },
  });
  // Who a Slack user is, asked of their request's own workspace (users.info with its token).
  deps.identity?.useSlack(slackUserLookup(requestClient));
  // Requests being handled, so that stopping waits for the work each does after its ack.
  const running = new Set<Promise<void>>();
  // Slack retries (X-Slack-Retry-Num) of a request already being handled are acknowledged and ignored.
  app.use(async (args) => {
    if (args.context.retryNum) {
      if ('ack' in args && typeof args.ack === 'function') await args.ack();
      return;
    }
    const work = current.run(args.client, () => args.next());
    running.add(work);
    try {
      await work;
    } finally {
      running.delete(work);
    }
  });

  // A listener's failure goes back to the receiver, which answers it (a busy store: try again) and logs it.
  app.error((error) => {
    const original = (error as { original?: unknown }).original;
    // A workspace not registered, or not installed: said in the log, acknowledged, nothing done.
    if (original instanceof NotAuthorized) {
      deps.report('Slack: a request from a workspace that is not registered or not installed was ignored', {
        problem: original.message,
      });
      return Promise.resolve();
    }
    return Promise.reject(original instanceof Error ? original : error);
  });

  // The listeners: raising (./raising), card buttons (./buttons), documents (./documents).
  const parts = { ...slackParts(deps, app, outlet), client: requestClient };
  registerRaising(parts);
  registerButtons(parts);
  registerDocuments(parts);
  registerForms(parts);
  registerHistory(parts);
  registerFindingWork(parts);

  app.event('app_mention', async ({ event, say }) => {
    await say({
      text: 'Type /escalate to raise a disagreement with another agency about an adult at risk, or /escalate help to see what else I can do (your cases, approvals waiting for you).',
      ...(event.thread_ts ? { thread_ts: event.thread_ts } : {}),
    });
  });

  registerUninstalls(app, workspaces, deps.report);

  const idle = async (): Promise<void> => {
    while (running.size) await Promise.allSettled([...running]);
  };
  const routes: Route[] = [
    ...(receiver ? [{ paths: ['/slack/events'], methods: { POST: receiver.requestListener } }] : []),
    ...(oauth ? oauth.routes : []),
  ];
  return {
    app,
    ...(receiver ? { receiver } : {}),
    ...(socket ? { socket } : {}),
    ...(workspaces ? { workspaces } : {}),
    routes,
    outlet,
    client,
    idle,
    start: async () => {
      await socket?.start();
      // The single token's workspace, checked now so that the log says at once if it belongs to none.
      await workspaces?.singleToken();
    },
    stop: async () => {
      await socket?.stop();
    },
  };
}
