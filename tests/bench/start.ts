/**
 * Cold start, against a floor measured in the same run.
 * - start.cold_ms: the compiled bot (`node dist/main.js`, built once for the run into a folder of
 *   its own, a new SQLite store in a temporary folder each time) from spawn until it answers 200
 *   on the path that says it is ready.
 * - start.cold_ms_floor: a bare Node HTTP server (`node -e`) from spawn to its first answer: what
 *   starting Node and listening cost before the bot does anything.
 * - start.cold_ratio: the first over the second (best of ROUNDS each, taken in turn), checked
 *   against MAX_COLD_RATIO: loading every board, opening the store, the Bolt and botbuilder
 *   adapters must not grow past it.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compiledApp, READY_PATH } from '../deploy/compiled';
import { freePort } from '../fakes/ports';
import type { Print } from './store';

const ROUNDS = 3;
/** The bot's cold start may take this many times a bare Node server's. */
const MAX_COLD_RATIO = 40;

/** Milliseconds from spawning `args` until `path` on `port` answers 200 (then the process is stopped). */
async function coldStart(
  args: string[],
  cwd: string,
  port: number,
  path: string,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`it stopped (exit ${child.exitCode}): ${stderr}`);
      const answer = await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined);
      if (answer?.status === 200) return performance.now() - started;
      await answer?.text();
      if (performance.now() - started > 60_000) throw new Error(`no answer on ${path} in a minute: ${stderr}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

export async function benchStart(print: Print): Promise<void> {
  const app = compiledApp();
  const floors: number[] = [];
  const ours: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const floorPort = await freePort();
      floors.push(
        await coldStart(
          ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${floorPort}, '127.0.0.1')`],
          app,
          floorPort,
          '/',
          { PATH: process.env.PATH },
        ),
      );
      const data = mkdtempSync(join(tmpdir(), 'cold-'));
      const port = await freePort();
      ours.push(
        await coldStart(['dist/main.js'], app, port, READY_PATH, {
          PATH: process.env.PATH,
          PORT: String(port),
          HOST: '127.0.0.1',
          DATA_DIR: data,
          LOG_LEVEL: 'warn',
        }),
      );
      rmSync(data, { recursive: true, force: true });
    }
  } finally {
    rmSync(join(app, '..'), { recursive: true, force: true });
  }
  const cold = Math.min(...ours);
  const floor = Math.min(...floors);
  print('start.cold_ms', cold, 'ms');
  print('start.cold_ms_floor', floor, 'ms');
  print('start.cold_ratio', cold / floor, 'x');
  assert.ok(cold / floor <= MAX_COLD_RATIO, `start.cold_ratio ${(cold / floor).toFixed(1)} is over ${MAX_COLD_RATIO}`);
}
