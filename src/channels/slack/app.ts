/**
 * The Slack adapter: a Bolt app behind the bot's own receiver (./receiver) at POST /slack/events
 * on the bot's HTTP server, which checks every request's signature, timestamp and novelty. `/escalate` opens the raising
 * modals (immediate risk first); a raised case gets a private channel named from its reference,
 * with both practitioners invited (Slack Connect where the other agency is another workspace),
 * and its stage card. Buttons act through the shared service; the adapter decides nothing.
 * The listeners are registered from their own modules: raising, card buttons, documents, the
 * history and finding your work (commands in a DM or after /escalate, the App Home).
 */
import { App, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
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

export interface SlackDeps {
  documents: DocumentService;
  signingSecret: string;
  token: string;
  apiUrl?: string;
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
  receiver: SlackReceiver;
  /** For the delivery worker: its calls never wait (a 429 goes back to the worker with its Retry-After). */
  outlet: SlackOutlet;
  /** For the deadline sweeper, which delivers as it goes: a few quick retries inside each call. */
  timerOutlet: SlackOutlet;
  client: WebClient;
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
  const receiver = new SlackReceiver({
    signingSecret: deps.signingSecret,
    unhandledRequestTimeoutMillis: 2900,
    logger,
    report: deps.report,
    claim: signatureClaims((signature, at) => deps.repo.claimRequest('slack-signature', signature, at)),
  });
  const app = new App({
    token: deps.token,
    receiver,
    logger,
    logLevel: LogLevel.WARN,
    clientOptions: {
      ...(deps.apiUrl ? { slackApiUrl: deps.apiUrl.endsWith('/') ? deps.apiUrl : `${deps.apiUrl}/` } : {}),
      // A few quick retries; a 429 waits for its Retry-After before the next.
      retryConfig: { retries: 3, factor: 1, minTimeout: 200, maxTimeout: 1000 },
    },
  });
  const client = app.client;
  deps.identity?.useSlack(slackUserLookup(client));
  // The outbox's own client: it never waits inside a call (no retries, a 429 is thrown with its
  // Retry-After), so the delivery worker decides when to try again and nothing else waits.
  const outbox = new WebClient(deps.token, {
    ...(deps.apiUrl ? { slackApiUrl: deps.apiUrl.endsWith('/') ? deps.apiUrl : `${deps.apiUrl}/` } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    // Well inside the outbox's lease, so a call that hangs is tried again by this replica, not raced by another.
    timeout: 10_000,
    logger,
    logLevel: LogLevel.WARN,
  });
  const outlet = new SlackOutlet({
    client: outbox,
    repo: deps.repo,
    directory: deps.directory,
    clock: deps.clock,
    report: deps.report,
    documents: deps.documents,
  });
  const timerOutlet = new SlackOutlet({
    client,
    repo: deps.repo,
    directory: deps.directory,
    clock: deps.clock,
    report: deps.report,
  });
  // Requests being handled, so that stopping waits for the work each does after its ack.
  const running = new Set<Promise<void>>();
  // Slack retries (X-Slack-Retry-Num) of a request already being handled are acknowledged and ignored.
  app.use(async (args) => {
    if (args.context.retryNum) {
      if ('ack' in args && typeof args.ack === 'function') await args.ack();
      return;
    }
    const work = args.next();
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
    return Promise.reject(original instanceof Error ? original : error);
  });

  // The listeners: raising (./raising), card buttons (./buttons), documents (./documents).
  const parts = slackParts(deps, app, outlet);
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

  const idle = async (): Promise<void> => {
    while (running.size) await Promise.allSettled([...running]);
  };
  return { app, receiver, outlet, timerOutlet, client, idle };
}
