/**
 * One sweep measurement in a process of its own (started by ./sweep.ts):
 *   tsx tests/bench/sweep-peer.ts <mode> '<options json>'   → prints `RESULT {json}`
 * - tick: a store of 100,000 open cases, seeded and checkpointed before any timing, 300 of them
 *   due; a warm-up tick with nothing due; then three ticks of 100 (the batch), each claiming and
 *   firing 100 reminders (delivered to an outlet that only counts).
 * - delivery: 300 cases raised by a Slack person, each reminder two Slack DMs; three ticks of
 *   100 cases (200 DMs to the fake Slack Web API, in another process), each followed by the
 *   floor: one batched commit of as many rows, and as many chat.postMessage calls to the same fake
 *   API, eight at once.
 * - block: 300 cases due at once, one tick sweeping them all as the bot does (batch after batch,
 *   yielding between), three times on fresh stores; the largest gap a 1 ms interval timer sees
 *   while each sweep runs (how long the event loop is blocked).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openBench, SWEEPER_BATCH, type Bench } from './sweep-work';

const MONDAY = Date.UTC(2026, 10, 23, 10, 0, 0);
const DAY = 86_400_000;
/** The Slack DMs one delivery tick owes: 100 reminders, two DMs each. */
const DMS = 200;

/**
 * `3 × size` cases raised on Monday from 10:00, a second apart: each owes its first reminder at
 * 09:00 on Tuesday. Swept `size` a tick (the sweeper's batch), the three ticks at 09:00:30,
 * :31 and :32 each claim and fire `size` of them, the earliest due first.
 */
async function cohorts(bench: Bench, size: number): Promise<void> {
  await bench.raise(3 * size, (i) => new Date(MONDAY + i * 1000));
}
const dueAt = (k: number): Date => new Date(MONDAY + DAY - 3_600_000 + 30_000 + k * 1000);

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await work();
  return { ms: performance.now() - t0, value };
}

async function tickMode(dir: string): Promise<unknown> {
  const bench = openBench(join(dir, 'tick.sqlite'), 'count', 100, 1);
  await cohorts(bench, 100);
  await bench.bulkOpen(99_700, 'LI-2026-0001'); // 100,000 open in all
  bench.warm();
  bench.setClock(new Date(MONDAY + 3 * 3_600_000)); // nothing due yet: a warm-up tick
  await bench.tick();
  const runs = [];
  for (let k = 0; k < 3; k++) {
    bench.setClock(dueAt(k));
    const { ms, value } = await timed(() => bench.tick());
    runs.push({ ms, ...value });
  }
  await bench.close();
  return runs;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });
function post(url: URL, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}chat.postMessage`,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: 'Bearer xoxb-bench',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function deliveryMode(dir: string, slackApiUrl: string, count: () => Promise<number>): Promise<unknown> {
  const bench = openBench(join(dir, 'delivery.sqlite'), { slackApiUrl }, 100, 1);
  await cohorts(bench, 100); // each reminder is two Slack DMs: 200 a tick
  bench.warm();
  const runs = [];
  const url = new URL(slackApiUrl);
  for (let k = 0; k < 3; k++) {
    bench.setClock(dueAt(k));
    const before = await count();
    // Until the DMs have arrived at the fake API, not only until the tick returns: a sweep that
    // hands its deliveries to a worker (the outbox) is timed to the same end as one that sends them.
    const ours = await timed(async () => {
      const tick = await bench.tick();
      const until = performance.now() + 30_000;
      while ((await count()) - before < DMS && performance.now() < until) await new Promise((r) => setTimeout(r, 2));
      return tick;
    });
    const posted = (await count()) - before;
    // The floor: one commit of as many rows as messages, then as many calls, eight at once.
    const floor = await timed(async () => {
      const db = bench.repo.connection;
      db.exec('CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, body TEXT)');
      const insert = db.prepare('INSERT INTO bench_floor (body) VALUES (?)');
      const body = 'x'.repeat(2000);
      db.transaction(() => {
        for (let i = 0; i < Math.max(1, posted); i++) insert.run(body);
      })();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < posted) {
          next++;
          await post(url, `channel=DBENCH&text=${encodeURIComponent('A reminder: step 1 is due.')}`);
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
    });
    runs.push({ ms: ours.ms, floorMs: floor.ms, posted, ...ours.value });
  }
  await bench.close();
  return runs;
}

async function blockMode(dir: string): Promise<unknown> {
  const runs = [];
  for (let k = 0; k < 3; k++) {
    // 300 cases due at once, swept as the bot sweeps (its own batch size, every batch in one tick).
    const bench = openBench(join(dir, `block-${k}.sqlite`), 'count', SWEEPER_BATCH);
    await bench.raise(300, (i) => new Date(MONDAY + i * 1000));
    bench.warm();
    bench.setClock(dueAt(0));
    let last = performance.now();
    let worst = 0;
    const interval = setInterval(() => {
      const t = performance.now();
      worst = Math.max(worst, t - last);
      last = t;
    }, 1);
    await new Promise((r) => setTimeout(r, 20));
    last = performance.now();
    worst = 0;
    const { ms, value } = await timed(() => bench.tick());
    await new Promise((r) => setTimeout(r, 5));
    clearInterval(interval);
    runs.push({ worstMs: worst, ms, ...value });
    await bench.close();
  }
  return runs;
}

async function main(): Promise<void> {
  const [mode, raw] = process.argv.slice(2);
  const options = JSON.parse(raw ?? '{}') as { slackApiUrl?: string; countUrl?: string };
  const dir = mkdtempSync(join(tmpdir(), `bench-sweep-${mode}-`));
  try {
    let result: unknown;
    if (mode === 'tick') result = await tickMode(dir);
    else if (mode === 'block') result = await blockMode(dir);
    else if (mode === 'delivery') {
      const ask = (): Promise<number> =>
        new Promise((resolve) => {
          const id = Math.random();
          const on = (m: unknown): void => {
            const message = m as { id: number; count: number };
            if (message.id !== id) return;
            process.off('message', on);
            resolve(message.count);
          };
          process.on('message', on);
          process.send?.({ id, ask: 'count' });
        });
      result = await deliveryMode(dir, String(options.slackApiUrl), ask);
    } else throw new Error(`no such mode: ${String(mode)}`);
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
