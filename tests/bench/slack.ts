/**
 * slack.escalate_ack_p99 and slack.bare_bolt_ack_p99: the same signed `/escalate` requests at
 * 200 requests a second, against this app (Bolt's receiver on the bot's server, the directory
 * lookup, the ack, then views.open) and against a Bolt app that only acks, in one run. Each
 * figure is the 99th percentile of the time from sending a request to its 200.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { strict as assert } from 'node:assert';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { loadConfig } from '../../src/config';
import { start } from '../../src/main';
import type { Print } from './store';

const SECRET = 'abcdef0123456789abcdef0123456789';
const RATE = 200;

function body(i: number): string {
  return new URLSearchParams({ command: '/escalate', text: '', user_id: 'U0LDIO0001', team_id: 'T0LINCDIO', channel_id: 'CGENERAL', trigger_id: `t${i}`, response_url: 'http://127.0.0.1:9/', api_app_id: 'A1' }).toString();
}

async function load(url: string, count: number): Promise<number[]> {
  const timings: Array<Promise<number>> = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    // Keep to the schedule: request i leaves at i / RATE seconds.
    const wait = t0 + (i * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const b = body(i);
    const ts = Math.floor(Date.now() / 1000);
    const started = performance.now();
    timings.push(
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${b}`).digest('hex')}` },
        body: b,
      }).then(async (r) => {
        await r.text();
        assert.equal(r.status, 200);
        return performance.now() - started;
      }),
    );
  }
  return Promise.all(timings);
}

const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? 0;

export async function benchSlack(print: Print, count = 1000): Promise<void> {
  let opened = 0;
  const api: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.includes('views.open')) opened++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, user_id: 'UBOT', team_id: 'T0LINCDIO', view: { id: 'V1' } }));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', () => resolve()));
  const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/api/`;

  const dir = mkdtempSync(join(tmpdir(), 'bench-slack-'));
  const ours = await start({ ...loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, HOST: '127.0.0.1', LOG_LEVEL: 'silent', SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_API_URL: apiUrl }), PORT: 0 });
  const oursUrl = `http://127.0.0.1:${(ours.server.address() as AddressInfo).port}/slack/events`;

  const receiver = new HTTPReceiver({ signingSecret: SECRET, endpoints: '/slack/events' });
  const bare = new App({ token: 'xoxb-bench', receiver, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: apiUrl } });
  bare.command('/escalate', async ({ ack }) => {
    await ack();
  });
  const bareServer = await receiver.start(0);
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/slack/events`;

  try {
    await load(oursUrl, 50); // warm both up
    await load(bareUrl, 50);
    const oursTimes = await load(oursUrl, count);
    const bareTimes = await load(bareUrl, count);
    // Every /escalate of ours went on to open the form.
    const deadline = Date.now() + 10_000;
    while (opened < count + 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(opened, count + 50, 'every /escalate opened the raising form');
    const a = p99(oursTimes);
    const b = p99(bareTimes);
    print('slack.escalate_ack_p99', a, 'ms');
    print('slack.bare_bolt_ack_p99', b, 'ms');
    print('slack.ack_p99_ratio', a / b, 'x');
  } finally {
    await receiver.stop();
    await ours.stop();
    await new Promise<void>((resolve) => api.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
}
