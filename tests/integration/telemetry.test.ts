/**
 * Telemetry on the whole bot, run as it is run in production (`src/main.ts` in a process of its
 * own, stopped with SIGTERM), with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a loopback collector
 * (tests/fakes/otlp.ts). A case is raised on Slack and one on Teams and a command given; once the
 * bot has stopped (which sends what telemetry holds), the collector has the spans (a request's
 * case command inside its HTTP span, each outbox delivery) and the metrics (requests by route
 * template, cases raised and transitions by board, outbox depth), the configured headers and
 * service name, and nothing personal anywhere in what it was sent: no person's name, email or
 * platform id, no words of a case, no URL beyond a route template. (A child process, not start()
 * in the test's own: the OTLP exporter loads Node's http with import(), which Jest's sandbox
 * refuses.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import { attributes, points, startFakeCollector, type FakeCollector } from '../fakes/otlp';
import { freePort } from '../fakes/ports';
import { rawRequest } from '../fakes/raw-http';
import { startFakeSlackApi } from '../fakes/slack-api';
import { raiseFormValues, SLACK_SECRET, slackPeople, slackPost, viewSubmission } from '../fakes/slack-client';
import { executeAction, sendActivity, teamsPeople, teamsRaiseForm } from '../fakes/teams-client';
import { startFakeConnector } from '../fakes/teams-connector';

const ROOT = join(__dirname, '..', '..');
let collector: FakeCollector;
const cases = { teamsCase: '', slackCase: '' };
let output = '';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not happen; the bot said:\n${output}`);
}

const referenceIn = (text: string): string => /\b[A-Z]{2,4}-\d{4}-\d{4}\b/.exec(text)?.[0] ?? '';

/** src/main.ts run as production runs it, in a folder of its own (so no .env of the checkout is read). */
async function startChild(
  env: Record<string, string>,
): Promise<{ base: string; exited: Promise<number | null>; stop: () => void }> {
  const port = await freePort();
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'src', 'main.ts')], {
    cwd: mkdtempSync(join(tmpdir(), 'telemetry-cwd-')),
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'telemetry-data-')),
      LOG_LEVEL: 'warn',
      SWEEP_INTERVAL_SECONDS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { base: `http://127.0.0.1:${port}`, exited, stop: () => child.kill('SIGTERM') };
}

beforeAll(async () => {
  collector = await startFakeCollector();
  const slackApi = await startFakeSlackApi();
  const connector = await startFakeConnector();
  const { base, exited, stop } = await startChild({
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_API_URL: slackApi.url,
    TEAMS_SERVICE_URL: connector.url,
    OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/`,
    OTEL_EXPORTER_OTLP_HEADERS: 'api-key=collector%20secret%20value,x-tenant=board-one',
    OTEL_SERVICE_NAME: 'escalations-under-test',
  });
  try {
    await until('/readyz saying ready', async () => (await rawRequest(`${base}/readyz`)).status === 200);
    const raisedOnSlack = await slackPost(
      `${base}/slack/events`,
      viewSubmission(slackPeople.peter, {
        id: 'V-TELEMETRY',
        callback_id: 'raise-form',
        private_metadata: JSON.stringify({ board: 'lincolnshire', channel: 'CGENERAL' }),
        values: raiseFormValues(),
      }),
    );
    cases.slackCase = referenceIn(JSON.stringify(raisedOnSlack.json));
    const raisedOnTeams = await sendActivity(
      `${base}/api/messages`,
      connector.url,
      teamsPeople.alex,
      executeAction('raise-submit', teamsRaiseForm),
    );
    cases.teamsCase = referenceIn(JSON.stringify(raisedOnTeams.body));
    expect([cases.slackCase, cases.teamsCase].every(Boolean)).toBe(true);
    const acknowledged = await sendActivity(
      `${base}/api/messages`,
      connector.url,
      teamsPeople.chris,
      executeAction('acknowledge', { reference: cases.teamsCase, stage: 'step-1', verb: 'acknowledge' }),
    );
    expect(acknowledged.status).toBe(200);
    // A probe (no span), and an address that is not ours (its path is never sent).
    await rawRequest(`${base}/readyz`);
    await rawRequest(`${base}/cases/${cases.slackCase}/alex.morgan@lincolnshire.example.org`);
    // Everything owed is delivered before the stop.
    await until('the outbox emptying', async () => {
      const health = JSON.parse((await rawRequest(`${base}/healthz`)).text) as { outbox?: { pending: number } };
      return health.outbox?.pending === 0;
    });
  } finally {
    // Stopping sends whatever telemetry holds.
    stop();
    expect(await exited).toBe(0);
    await slackApi.close();
    await connector.close();
  }
}, 60_000);
afterAll(async () => {
  await collector.close();
});

test('spans: each HTTP request by its route, the case commands inside them, each outbox delivery', () => {
  const spans = collector.spans();
  const names = new Set(spans.map((s) => s.name));
  for (const name of ['POST /slack/events', 'POST /api/messages', 'case raise', 'case acknowledge'])
    expect(names).toContain(name);
  expect([...names].some((n) => n.startsWith('outbox '))).toBe(true);
  // Probes have no span; an address that is not ours is counted (below) under "unknown", never named.
  expect(names).not.toContain('GET /readyz');
  expect([...names].filter((n) => n.includes('/cases'))).toEqual([]);
  // The Slack raise is a child of its HTTP request's span.
  const raise = spans.find(
    (s) => s.name === 'case raise' && attributes(s.attributes)['case.reference'] === cases.slackCase,
  );
  expect(raise).toBeDefined();
  const parent = spans.find((s) => s.spanId === raise?.parentSpanId);
  expect(parent?.name).toBe('POST /slack/events');
  expect(parent?.traceId).toBe(raise?.traceId);
  expect(attributes(parent?.attributes)).toEqual(
    expect.objectContaining({ 'http.route': '/slack/events', 'http.request.method': 'POST' }),
  );
  expect(attributes(raise?.attributes)).toEqual(
    expect.objectContaining({ 'case.board': 'lincolnshire', 'case.outcome': 'raised' }),
  );
  const delivery = spans.find((s) => s.name === 'outbox open-thread');
  // An outbox delivery is a trace of its own (consumer), not part of the request that owed it.
  expect(delivery?.kind).toBe(5);
  expect(delivery?.parentSpanId ?? '').toBe('');
  expect(spans.filter((s) => s.name.startsWith('outbox ')).every((s) => !s.parentSpanId)).toBe(true);
  expect(attributes(delivery?.attributes)).toEqual(
    expect.objectContaining({ 'outbox.kind': 'open-thread', 'outbox.attempt': 1 }),
  );
});

test('metrics: requests by route template, cases raised and transitions by board, outbox depth', () => {
  const metrics = collector.metrics();
  const named = (name: string): ReturnType<typeof points> => points(metrics.find((m) => m.name === name));
  const requests = named('http.server.request.duration');
  expect(requests).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        attributes: { 'http.route': '/slack/events', 'http.request.method': 'POST', 'http.response.status_code': 200 },
      }),
      expect.objectContaining({
        attributes: { 'http.route': 'unknown', 'http.request.method': 'GET', 'http.response.status_code': 404 },
      }),
    ]),
  );
  expect(named('escalation.cases.raised')).toEqual([{ attributes: { board: 'lincolnshire' }, value: 2 }]);
  expect(named('escalation.case.transitions')).toEqual([
    { attributes: { board: 'lincolnshire', command: 'acknowledge' }, value: 1 },
  ]);
  const depth = named('escalation.outbox.depth');
  expect(depth.map((p) => p.attributes.status).sort()).toEqual(['failed', 'pending']);
  // No metric is labelled with a case reference.
  for (const m of metrics) for (const p of points(m)) expect(Object.keys(p.attributes)).not.toContain('case.reference');
});

test('the configured headers and service name go with every export', () => {
  expect(collector.received.length).toBeGreaterThanOrEqual(2);
  for (const r of collector.received) {
    expect(r.headers['api-key']).toBe('collector secret value');
    expect(r.headers['x-tenant']).toBe('board-one');
  }
  for (const resource of collector.resources()) expect(resource['service.name']).toBe('escalations-under-test');
});

test('nothing personal in anything sent: no name, email, platform id or words of a case', () => {
  const sent = collector.received.map((r) => r.text).join('\n');
  const directory = loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, loadProcedures());
  const forbidden = [
    ...directory.people.flatMap((p) => [p.name, p.email, p.id]),
    ...Object.values(teamsPeople).flatMap((p) => [p.id, p.aadObjectId, p.name]),
    ...Object.values(slackPeople).map((p) => p.id),
    teamsRaiseForm.summary,
    teamsRaiseForm.recordRaising,
    teamsRaiseForm.counterpartEmail,
    'still being visited',
    'rough handling',
    'DIO-991',
    'megan.hart',
  ].filter((s): s is string => typeof s === 'string' && s.length >= 4);
  expect(forbidden.length).toBeGreaterThan(20);
  for (const word of forbidden) expect({ word, found: sent.includes(word) }).toEqual({ word, found: false });
  // The case text of the Slack form too.
  for (const field of Object.values(raiseFormValues()))
    if (field.value && 'value' in field.value && typeof field.value.value === 'string' && field.value.value.length > 12)
      expect(sent).not.toContain(field.value.value);
});

test('a collector that cannot be reached: said once in the log (without the headers), and the bot stops cleanly', async () => {
  output = '';
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  const { base, exited, stop } = await startChild({
    OTEL_EXPORTER_OTLP_ENDPOINT: nowhere,
    OTEL_EXPORTER_OTLP_HEADERS: 'api-key=never-shown-secret',
  });
  await until('/readyz saying ready', async () => (await rawRequest(`${base}/readyz`)).status === 200);
  await rawRequest(`${base}/healthz`);
  stop();
  expect(await exited).toBe(0);
  const lines = output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string });
  // The exporter keeps trying until the stop's five seconds are up: said once, not per batch.
  expect(
    lines.filter((l) =>
      /^Telemetry (\(metrics\) could not be sent|held at the stop could not all be sent)/.test(l.msg),
    ),
  ).toHaveLength(1);
  expect(output).not.toContain('never-shown-secret');
}, 60_000);
