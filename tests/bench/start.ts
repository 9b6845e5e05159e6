/**
 * Start and memory, the compiled bot as a deployment runs it (`node dist/main.js`, local SQLite),
 * each run a new process, with a floor measured in the same run:
 * - start.ready_ms: spawn to the first 200 on /readyz, on a new empty store; limit ≤ 1000 ms.
 *   The floor: a bare Node HTTP server from spawn to its first answer (what Node itself costs).
 * - rss.idle_mb: the bot's resident memory, idle 10 s after it was ready; limit ≤ 150 MB.
 * - start.ready_seeded_10k_ms: the same start on a copy of a store seeded with 10,000 demo cases
 *   (seed-demo: raised over the last quarter, many overdue now); limit ≤ 2000 ms. A run not
 *   ready in TIMEOUT_MS is stopped and counted as TIMEOUT_MS (so it fails without taking long).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort } from '../fakes/ports';
import { figure } from './figures';
import { rssMb, startBot, TimeoutError } from './procs';
import { copyOf, seededStore } from './seeded';

const RUNS = 3;
const IDLE_MS = 10_000;
const TIMEOUT_MS = 20_000;

/** A bare Node HTTP server from spawn until it answers. */
async function floor(): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`],
    { stdio: 'ignore' },
  );
  try {
    for (;;) {
      const answer = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
      if (answer?.status === 200) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

export async function benchStart(): Promise<void> {
  const floors: number[] = [];
  const ready: number[] = [];
  const rss: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    floors.push(await floor());
    const data = mkdtempSync(join(tmpdir(), 'bench-start-'));
    try {
      const bot = await startBot({ DATA_DIR: data });
      ready.push(bot.readyMs);
      await new Promise((r) => setTimeout(r, IDLE_MS));
      rss.push(rssMb(bot.pid));
      await bot.stop();
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  }
  figure({
    name: 'start.ready_ms',
    unit: 'ms',
    runs: ready,
    peer: { name: 'bare node http', runs: floors },
    limit: { max: 1000, on: 'value' },
  });
  figure({
    name: 'rss.idle_mb',
    unit: 'MB',
    runs: rss,
    limit: { max: 150 },
    note: `idle ${IDLE_MS / 1000} s after ready`,
  });

  const seeded = seededStore(10_000);
  const seededReady: number[] = [];
  const seededFloors: number[] = [];
  let timedOut = 0;
  for (let run = 0; run < RUNS; run++) {
    seededFloors.push(await floor());
    const data = mkdtempSync(join(tmpdir(), 'bench-start-seeded-'));
    try {
      const file = copyOf(seeded, data);
      try {
        const bot = await startBot({ DATA_DIR: data, SQLITE_FILE: file }, TIMEOUT_MS);
        seededReady.push(bot.readyMs);
        await bot.stop();
      } catch (error) {
        if (!(error instanceof TimeoutError)) throw error;
        seededReady.push(TIMEOUT_MS);
        timedOut++;
      }
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  }
  figure({
    name: 'start.ready_seeded_10k_ms',
    unit: 'ms',
    runs: seededReady,
    peer: { name: 'bare node http', runs: seededFloors },
    limit: { max: 2000, on: 'value' },
    ...(timedOut
      ? {
          note: `${timedOut} of ${RUNS} runs not ready in ${TIMEOUT_MS / 1000} s (stopped, counted as ${TIMEOUT_MS / 1000} s)`,
        }
      : {}),
  });
}
