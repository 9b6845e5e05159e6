/**
 * The deadline sweeper's figures, each measured in a process of its own (./sweep-peer.ts; the
 * fake Slack Web API in another):
 * - sweep.tick_100_due: one tick claiming and firing 100 due cases of 100,000 open, the store
 *   seeded and checkpointed before timing and a warm-up tick first; limit ≤ 10 ms.
 * - sweep.floor_ratio: a sweep delivering 200 reminders as Slack DMs to the fake API, over a
 *   floor measured in the same process right after: one batched commit of as many rows plus as
 *   many HTTP calls to the same fake API, eight at once; limit ≤ 1.5.
 * - sweep.loop_block_max_ms: the largest gap a 1 ms interval timer sees while a sweep of 300 due
 *   cases runs in its process; limit ≤ 50 ms.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../src/tools/build';
import { figure } from './figures';
import { startPeer, type Peer } from './procs';

const PEER = join(__dirname, 'sweep-peer.ts');

interface Tick {
  ms: number;
  due: number;
  swept: number;
  fired: number;
  delivered: number;
}

function runPeer<T>(mode: string, options: Record<string, unknown>, api?: Peer): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PEER, mode, JSON.stringify(options)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    child.on('message', (m) => {
      const message = m as { id: number; ask: string };
      if (message.ask === 'count' && api)
        void api
          .ask<number>({ op: 'count', method: 'chat.postMessage' })
          .then((count) => child.send({ id: message.id, count }));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line)
        reject(new Error(`the sweep ${mode} peer failed (exit ${String(code)}): ${out.slice(-2000)}`));
      else resolve(JSON.parse(line.slice('RESULT '.length)) as T);
    });
  });
}

const counts = (runs: readonly Tick[]): string => runs.map((r) => `${r.fired} fired`).join('/');

export async function benchSweep(): Promise<void> {
  const ticks = await runPeer<Tick[]>('tick', {});
  figure({
    name: 'sweep.tick_100_due',
    unit: 'ms',
    runs: ticks.map((t) => (t.fired >= 100 ? t.ms : NaN)),
    limit: { max: 10 },
    note: `100 due of 100,000 open, counting outlet; ${counts(ticks)}`,
  });

  const api = await startPeer('slack-api');
  try {
    const runs = await runPeer<Array<Tick & { floorMs: number; posted: number }>>(
      'delivery',
      { slackApiUrl: api.ready.url },
      api,
    );
    figure({
      name: 'sweep.floor_ratio',
      unit: 'ms',
      runs: runs.map((r) => (r.posted >= 200 ? r.ms : NaN)),
      peer: { name: 'floor (one commit + 8 concurrent HTTP)', runs: runs.map((r) => r.floorMs) },
      limit: { max: 1.5 },
      note: `${runs.map((r) => r.posted).join('/')} chat.postMessage calls, ${counts(runs)}`,
    });
  } finally {
    await api.stop();
  }

  const blocks = await runPeer<Array<Tick & { worstMs: number }>>('block', {});
  figure({
    name: 'sweep.loop_block_max_ms',
    unit: 'ms',
    runs: blocks.map((b) => (b.fired >= 300 ? b.worstMs : NaN)),
    limit: { max: 50 },
    note: `sweeps of ${blocks.map((b) => b.ms.toFixed(0)).join('/')} ms, ${counts(blocks)}`,
  });
}
