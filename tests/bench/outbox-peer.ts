/**
 * One peer of the outbox figures (tests/bench/outbox.ts), run in its own process:
 * `tsx tests/bench/outbox-peer.ts ours|floor`. Prints one line, `RESULT {json}`.
 *
 * Both peers write the same things the same way: a note on a case and a line it owes in the
 * case's Slack channel, in one commit (SQLite on disk), and both deliver to the fake Slack Web
 * API in this process, which notes when each call arrives.
 * - ours: the whole bot (src/main.ts start) with its delivery worker, woken after each commit as
 *   the case service wakes it, its Slack outlet and WebClient.
 * - floor: what no outbox can do without: the same commit, then one HTTP call (latency); and,
 *   for throughput, the store's own claim, one HTTP call and one completing commit per item, as
 *   many at once as the worker works cases at once (8).
 *
 * latency: LATENCY_ITEMS items committed at RATE a second across LATENCY_CASES cases (no case's
 * channel gets more than Slack's one a second), from the end of each commit to its call's arrival.
 * throughput: a backlog of THROUGHPUT_CASES × 4 items committed first, then delivered: items/s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/config';
import { start } from '../../src/main';
import { OUTBOX_EVENT } from '../../src/channels/slack/case-channel';
import { outboxId, type NewOutboxItem } from '../../src/app/store/outbox';
import type { CaseRepository } from '../../src/app/store/repository';
import type { CaseState } from '../../src/domain/escalation';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { act, raised, worker } from '../contract/fixtures';
import { startFakeSlackApi } from '../fakes/slack-api';
import { SLACK_SECRET } from '../fakes/slack-client';

const LATENCY_CASES = 100;
const LATENCY_ITEMS = 600;
const RATE = 100;
const THROUGHPUT_CASES = 500;
const CONCURRENCY = 8;

interface Case {
  reference: string;
  channel: string;
  state: CaseState;
  version: number;
}

async function makeCases(repo: CaseRepository, from: number, count: number): Promise<Case[]> {
  const cases: Case[] = [];
  for (let i = from; i < from + count; i++) {
    const made = raised(i + 1);
    const reference = made.state.reference;
    await repo.createCase({ state: made.state, events: made.events });
    const channel = `CBENCH${i}`;
    await repo.saveThread(reference, {
      platform: 'slack',
      agencyId: 'council',
      reference: { channel, ts: '1.000001' },
    });
    cases.push({ reference, channel, state: made.state, version: made.events.length });
  }
  return cases;
}

let clock = Date.UTC(2026, 10, 20, 11);

/** A note on the case and the line it owes, in one commit; the item's id. */
async function commit(repo: CaseRepository, c: Case): Promise<string> {
  clock += 1000;
  const next = act(c.state, { type: 'add-note', actor: worker, text: 'A note.' }, new Date(clock).toISOString());
  const at = new Date().toISOString();
  const item: NewOutboxItem = {
    id: outboxId(c.reference, c.version + next.events.length, 'say', 'slack'),
    reference: c.reference,
    kind: 'say',
    platform: 'slack',
    recipient: 'slack',
    event: c.version + next.events.length,
    dependsOn: [],
    payload: { text: 'A line in the channel.' },
    createdAt: at,
    nextAttemptAt: at,
  };
  await repo.appendEvents({
    reference: c.reference,
    expectedVersion: c.version,
    events: next.events,
    state: next.state,
    outbox: [item],
  });
  c.state = next.state;
  c.version += next.events.length;
  return item.id;
}

async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const quantile = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? 0;

async function main(mode: string): Promise<void> {
  const api = await startFakeSlackApi();
  const arrived = new Map<string, number>();
  api.onCall = (call, at) => {
    const key = (call.args.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key;
    if (call.method === 'chat.postMessage' && key) arrived.set(key, at);
  };
  const dir = mkdtempSync(join(tmpdir(), `bench-outbox-${mode}-`));
  const ours =
    mode === 'ours'
      ? await start({
          ...loadConfig({
            NODE_ENV: 'test',
            DATA_DIR: dir,
            HOST: '127.0.0.1',
            LOG_LEVEL: 'silent',
            SWEEP_INTERVAL_SECONDS: '0',
            SLACK_SIGNING_SECRET: SLACK_SECRET,
            SLACK_BOT_TOKEN: 'xoxb-bench',
            SLACK_API_URL: api.url,
          }),
          PORT: 0,
        })
      : undefined;
  const repo: CaseRepository = ours?.repo ?? SqliteRepository.open(join(dir, 'floor.sqlite'));
  /**
   * The floor's one HTTP call: what the outlet's WebClient sends, by fetch; tried again once if the
   * connection fails (a kept-alive socket the server closed meanwhile: "fetch failed" on a loaded
   * machine), as the WebClient, which retries, would.
   */
  const call = (channel: string, key: string): Promise<unknown> => once(channel, key).catch(() => once(channel, key));
  const once = (channel: string, key: string): Promise<unknown> =>
    fetch(`${api.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer xoxb-bench' },
      body: new URLSearchParams({
        channel,
        text: 'A line in the channel.',
        metadata: JSON.stringify({ event_type: OUTBOX_EVENT, event_payload: { key } }),
      }).toString(),
    }).then((r) => r.json());
  try {
    // ── latency ─────────────────────────────────────────────────────────────────────
    const cases = await makeCases(repo, 0, LATENCY_CASES);
    const committed = new Map<string, number>();
    const calls: Array<Promise<unknown>> = [];
    const t0 = performance.now();
    for (let i = 0; i < LATENCY_ITEMS; i++) {
      const wait = t0 + (i * 1000) / RATE - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const c = cases[i % LATENCY_CASES] as Case;
      const id = await commit(repo, c);
      committed.set(id, performance.now());
      if (ours) ours.delivery.wake();
      else calls.push(call(c.channel, id).then(() => repo.completeOutbox(id, undefined, new Date().toISOString())));
    }
    await Promise.all(calls);
    await until(() => arrived.size >= LATENCY_ITEMS, 30_000, 'every line delivered');
    const latencies = [...committed].map(([id, at]) => (arrived.get(id) ?? Number.NaN) - at);
    if (latencies.some((l) => !Number.isFinite(l))) throw new Error('a line went unaccounted');

    // ── throughput ──────────────────────────────────────────────────────────────────
    await ours?.delivery.stop();
    const backlog = await makeCases(repo, LATENCY_CASES, THROUGHPUT_CASES);
    for (let round = 0; round < 4; round++) for (const c of backlog) await commit(repo, c);
    const total = LATENCY_ITEMS + THROUGHPUT_CASES * 4;
    const t1 = performance.now();
    if (ours) ours.delivery.start();
    else {
      const channels = new Map(backlog.map((c) => [c.reference, c.channel]));
      for (;;) {
        const now = new Date();
        const claimed = await repo.claimOutbox('floor', now.toISOString(), new Date(+now + 30_000).toISOString(), 50);
        if (!claimed.length) break;
        const queue = [...claimed];
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            for (let item = queue.shift(); item; item = queue.shift()) {
              await call(channels.get(item.reference) ?? '', item.id);
              await repo.completeOutbox(item.id, 'floor', new Date().toISOString());
            }
          }),
        );
      }
    }
    await until(() => arrived.size >= total, 60_000, 'the backlog delivered');
    const seconds = (performance.now() - t1) / 1000;
    // The calls have arrived; their items are marked done as the answers come back.
    let stats = await repo.outboxStats();
    for (let i = 0; i < 500 && stats.pending; i++) {
      await new Promise((r) => setTimeout(r, 10));
      stats = await repo.outboxStats();
    }
    if (stats.pending || stats.failed) throw new Error(`left in the outbox: ${JSON.stringify(stats)}`);
    process.stdout.write(
      `RESULT ${JSON.stringify({ mode, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), itemsPerSecond: (THROUGHPUT_CASES * 4) / seconds })}\n`,
    );
  } finally {
    if (ours) await ours.stop();
    else await repo.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv[2] ?? '').catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
