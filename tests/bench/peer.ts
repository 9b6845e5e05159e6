/**
 * One peer of the benchmarks, in a process of its own (started by ./procs.ts over IPC):
 *   tsx tests/bench/peer.ts <kind> '<options json>'
 * - slack-api: the fake Slack Web API (tests/fakes/slack-api); asked {op:'count', method}.
 * - connector: the fake Teams connector (tests/fakes/teams-connector); asked {op:'count', method}.
 * - bolt: a bare Bolt app (HTTPReceiver) whose /escalate only acks.
 * - cloudadapter: a bare botbuilder CloudAdapter app that answers an Action.Execute invoke with a
 *   small card, through the same authenticate-then-process path the bot's Teams door takes (with
 *   {appId}, verifying each request's signed token against the metadata ./signin-preload.ts names).
 * - signin: the fake Bot Framework sign-in metadata (tests/fakes/signin); asked {op:'bearer',
 *   appId, serviceUrl} for a signed channel token.
 * - loadgen: the open-loop load generator: {op:'slack'|'teams', …} sends `count` requests at
 *   `rate` a second on a fixed schedule, whatever the answers, and answers with each request's
 *   latency from its *scheduled* send time (a stall is counted, not hidden).
 */
import { createServer, request, Agent, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import { startFakeSlackApi } from '../fakes/slack-api';
import { startFakeConnector } from '../fakes/teams-connector';
import { startFakeSignIn } from '../fakes/signin';
import { SLACK_SECRET, slackPeople, slackSignature, slashCommand } from '../fakes/slack-client';
import { executeAction, teamsPeople } from '../fakes/teams-client';

type Handler = (message: Record<string, unknown>) => Promise<unknown>;

function serve(ready: Record<string, unknown>, handler: Handler): void {
  process.on('message', (raw) => {
    const message = raw as Record<string, unknown> & { id: number };
    handler(message).then(
      (answer) => process.send?.({ id: message.id, answer }),
      (error: unknown) =>
        process.send?.({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ ready });
}

// ── the load generator ───────────────────────────────────────────────────────────────────────

interface Req {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Kept-alive connections, a new set for each load (and closed after it): a socket left idle
 * between rounds would be closed by the server's keep-alive timeout and fail the next round's
 * first requests, which would be the generator's fault, not the server's.
 */
let agent = new Agent({ keepAlive: true, maxSockets: Infinity });

function send(base: URL, r: Req): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        path: r.path,
        method: 'POST',
        agent,
        headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) },
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

/** `reqs` sent at `rate` a second from now on a fixed schedule; each latency from its scheduled time. */
async function openLoop(
  url: string,
  reqs: readonly Req[],
  rate: number,
  check: (status: number, body: string) => boolean,
): Promise<{ latencies: number[]; errors: number; statuses: Record<string, number>; spanMs: number }> {
  const base = new URL(url);
  const latencies: number[] = new Array<number>(reqs.length).fill(NaN);
  let errors = 0;
  const statuses: Record<string, number> = {};
  const inFlight: Array<Promise<void>> = [];
  agent.destroy();
  agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const t0 = performance.now() + 20;
  for (let i = 0; i < reqs.length; i++) {
    const scheduled = t0 + (i * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const r = reqs[i] as Req;
    inFlight.push(
      send(base, r).then(
        (answer) => {
          latencies[i] = performance.now() - scheduled;
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
          if (!check(answer.status, answer.body)) errors++;
        },
        () => {
          latencies[i] = performance.now() - scheduled;
          statuses.failed = (statuses.failed ?? 0) + 1;
          errors++;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return { latencies, errors, statuses, spanMs: performance.now() - t0 };
}

function slackRequests(path: string, count: number, from: number): Req[] {
  const timestamp = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, (_, i) => {
    const body = slashCommand(slackPeople.peter, '', `t${from + i}`);
    return {
      path,
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': slackSignature(body, timestamp, SLACK_SECRET),
      },
    };
  });
}

let activityCount = 0;
function teamsActivity(serviceUrl: string, activity: Record<string, unknown>, headers: Record<string, string>): Req {
  return {
    path: '/api/messages',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({
      channelId: 'msteams',
      serviceUrl,
      id: `b${++activityCount}`,
      from: teamsPeople.alex,
      recipient: { id: '28:bot', name: 'Escalations' },
      conversation: { id: 'bench', conversationType: 'personal' },
      ...activity,
    }),
  };
}

const RAISE_FORM = {
  board: 'lincolnshire',
  immediateRisk: 'no',
  respondingAgency: 'lincolnshire-police',
  initials: 'JS',
  category: 'case-closure',
  summary: 's',
  outcomeWanted: 'o',
  safetyMeanwhile: 'm',
};

const loadgen: Handler = async (m) => {
  const url = String(m.url);
  const count = Number(m.count);
  const rate = Number(m.rate);
  const headers = (m.headers ?? {}) as Record<string, string>;
  switch (m.op) {
    case 'slack':
      return openLoop(url, slackRequests('/slack/events', count, Number(m.from ?? 0)), rate, (s) => s === 200);
    case 'teams-raise': {
      // One at a time (not timed): the cases the clicks go to. Answers with their references.
      const refs: string[] = [];
      for (let i = 0; i < count; i++) {
        const answer = await send(
          new URL(url),
          teamsActivity(
            String(m.serviceUrl),
            { type: 'invoke', name: 'task/submit', value: { data: RAISE_FORM } },
            headers,
          ),
        );
        const ref = /\b([A-Z]{2}-\d{4}-\d{4,})\b/.exec(answer.body)?.[1];
        if (answer.status !== 200 || !ref)
          throw new Error(`a case was not raised (${answer.status}): ${answer.body.slice(0, 300)}`);
        refs.push(ref);
      }
      return refs;
    }
    case 'teams': {
      const refs = m.refs as string[];
      const reqs = Array.from({ length: count }, (_, i) =>
        teamsActivity(
          String(m.serviceUrl),
          executeAction('add-note', {
            reference: refs[i % refs.length],
            stage: 'step-1',
            verb: 'add-note',
            'add-note.text': `note ${i}`,
          }),
          headers,
        ),
      );
      return openLoop(
        url,
        reqs,
        rate,
        (s, body) => s === 200 && body.includes('application/vnd.microsoft.card.adaptive'),
      );
    }
    default:
      throw new Error(`no such load: ${String(m.op)}`);
  }
};

// ── the peers ────────────────────────────────────────────────────────────────────────────────

class BareAdapter extends CloudAdapter {
  run(
    authenticated: Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(authenticated, activity, logic);
  }
}

async function bareCloudAdapter(appId: string | undefined): Promise<{ url: string }> {
  const auth = new ConfigurationBotFrameworkAuthentication(
    appId ? { MicrosoftAppId: appId, MicrosoftAppPassword: 'bench-secret', MicrosoftAppType: 'MultiTenant' } : {},
  );
  const adapter = new BareAdapter(auth);
  const card = {
    type: 'AdaptiveCard',
    version: '1.5',
    body: [{ type: 'TextBlock', text: 'Noted.', wrap: true }],
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Activity;
        const authenticated = await auth
          .authenticateRequest(activity, req.headers.authorization ?? '')
          .catch(() => undefined);
        if (!authenticated) {
          res.writeHead(401).end();
          return;
        }
        const result = await adapter.run(authenticated, activity, async (context) => {
          await context.sendActivity({
            type: 'invokeResponse',
            value: {
              status: 200,
              body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card },
            },
          });
        });
        res.writeHead(result?.status ?? 200, { 'content-type': 'application/json' });
        res.end(result?.body === undefined ? '' : JSON.stringify(result.body));
      })().catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function bareBolt(apiUrl: string): Promise<{ url: string }> {
  const receiver = new HTTPReceiver({ signingSecret: SLACK_SECRET, endpoints: '/slack/events' });
  const app = new App({
    token: 'xoxb-bench',
    receiver,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: apiUrl },
  });
  app.command('/escalate', async ({ ack }) => {
    await ack();
  });
  const server = await receiver.start(0);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function main(): Promise<void> {
  const [kind, raw] = process.argv.slice(2);
  const options = JSON.parse(raw ?? '{}') as Record<string, unknown>;
  switch (kind) {
    case 'slack-api': {
      const api = await startFakeSlackApi();
      return serve({ url: api.url }, (m) =>
        Promise.resolve(m.op === 'count' ? api.calls.filter((c) => c.method === m.method).length : undefined),
      );
    }
    case 'connector': {
      const connector = await startFakeConnector();
      return serve({ url: connector.url }, (m) =>
        Promise.resolve(m.op === 'count' ? connector.calls.filter((c) => c.method === m.method).length : undefined),
      );
    }
    case 'bolt':
      return serve(await bareBolt(String(options.apiUrl)), () => Promise.resolve(undefined));
    case 'cloudadapter':
      return serve(await bareCloudAdapter(options.appId as string | undefined), () => Promise.resolve(undefined));
    case 'signin': {
      const signIn = await startFakeSignIn();
      return serve({ metadataUrl: signIn.metadataUrl }, (m) =>
        Promise.resolve(
          m.op === 'bearer' ? signIn.bearer(String(m.appId), String(m.serviceUrl)) : { ...signIn.fetches },
        ),
      );
    }
    case 'loadgen':
      return serve({}, loadgen);
    default:
      throw new Error(`no such peer: ${String(kind)}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
