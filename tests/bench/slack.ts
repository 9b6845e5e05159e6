/**
 * slack.escalate_ack_p99 and slack.bare_bolt_ack_p99: the same signed `/escalate` requests at
 * 200 requests a second, against this app (Bolt's receiver on the bot's server, the directory
 * lookup, the ack, then views.open) and against a Bolt app that only acks, in one run, side by
 * side. Each figure is the 99th percentile of the time from sending a request to its 200.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { strict as assert } from 'node:assert';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { loadConfig } from '../../src/config';
import { start } from '../../src/main';
import { startFakeSlackApi } from '../fakes/slack-api';
import { SLACK_SECRET as SECRET, slackPeople, slackPost, slashCommand } from '../fakes/slack-client';
import type { Print } from './store';

const RATE = 200;

/** One signed request; resolves with the milliseconds until its 200. */
async function once(url: string, i: number): Promise<number> {
  const started = performance.now();
  const answer = await slackPost(url, slashCommand(slackPeople.peter, '', `t${i}`));
  assert.equal(answer.status, 200);
  return performance.now() - started;
}

/**
 * `count` requests to each URL at RATE a second each, sent side by side (request i to both at
 * the same moment), so that whatever else the machine is doing falls on both alike.
 */
async function load(urls: readonly string[], count: number): Promise<number[][]> {
  const timings = urls.map(() => [] as Array<Promise<number>>);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = t0 + (i * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // Alternate which goes first, so neither is always second.
    const order = i % 2 === 0 ? urls.map((_, k) => k) : urls.map((_, k) => urls.length - 1 - k);
    for (const k of order) timings[k]?.push(once(urls[k] ?? '', i));
  }
  return Promise.all(timings.map((t) => Promise.all(t)));
}

const p99 = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? 0;

export async function benchSlack(print: Print, count = 1000): Promise<void> {
  const api = await startFakeSlackApi();
  const apiUrl = api.url;
  const opened = (): number => api.calls.filter((c) => c.method === 'views.open').length;

  const dir = mkdtempSync(join(tmpdir(), 'bench-slack-'));
  const ours = await start({
    ...loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dir,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_API_URL: apiUrl,
    }),
    PORT: 0,
  });
  const oursUrl = `http://127.0.0.1:${(ours.server.address() as AddressInfo).port}/slack/events`;

  const receiver = new HTTPReceiver({ signingSecret: SECRET, endpoints: '/slack/events' });
  const bare = new App({
    token: 'xoxb-bench',
    receiver,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: apiUrl },
  });
  bare.command('/escalate', async ({ ack }) => {
    await ack();
  });
  const bareServer = await receiver.start(0);
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/slack/events`;

  try {
    await load([oursUrl, bareUrl], 200); // warm both up
    const [oursTimes = [], bareTimes = []] = await load([oursUrl, bareUrl], count);
    // Every /escalate of ours went on to open the form.
    const deadline = Date.now() + 10_000;
    while (opened() < count + 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(opened(), count + 200, 'every /escalate opened the raising form');
    const a = p99(oursTimes);
    const b = p99(bareTimes);
    print('slack.escalate_ack_p99', a, 'ms');
    print('slack.bare_bolt_ack_p99', b, 'ms');
    print('slack.ack_p99_ratio', a / b, 'x');
  } finally {
    await receiver.stop();
    await ours.stop();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
