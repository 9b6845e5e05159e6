/**
 * The outbox's figures, each against a floor measured in the same run, each peer in its own
 * process (tests/bench/outbox-peer.ts), run in turn (floor then ours, three times over), each
 * round's ratio taken to the floor just before it, so that what else the machine does weighs on
 * both alike:
 * - outbox.delivery_p99: from the end of the commit that writes an item (a note and the line it
 *   owes in the case's Slack channel) to the worker's chat.postMessage arriving at the fake Slack
 *   API, p99 over 600 items at 100 a second; the floor is the same commit then one HTTP call.
 *   outbox.delivery_p99_ratio fails above MAX_LATENCY_RATIO (a worker that waited for its next
 *   look instead of being woken would be a hundred times the floor).
 * - outbox.items_per_second: a backlog of 2,000 items across 500 cases delivered by the worker;
 *   the floor claims them from the same store and makes one HTTP call and one commit each, eight
 *   at once as the worker works eight cases at once. outbox.items_per_second_ratio fails below
 *   MIN_THROUGHPUT_RATIO.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { figure } from './figures';

const PEER = join(__dirname, 'outbox-peer.ts');
const ROUNDS = 3;
const MAX_LATENCY_RATIO = 10;
const MIN_THROUGHPUT_RATIO = 0.3;

interface Result {
  mode: string;
  p50: number;
  p99: number;
  itemsPerSecond: number;
}

function run(mode: 'ours' | 'floor'): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PEER, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`the ${mode} peer failed (exit ${String(code)}): ${out}`));
      else resolve(JSON.parse(line.slice('RESULT '.length)) as Result);
    });
  });
}

export async function benchOutbox(): Promise<void> {
  const results: Result[] = [];
  for (let round = 0; round < ROUNDS; round++)
    for (const mode of ['floor', 'ours'] as const) results.push(await run(mode));
  const of = (mode: string, key: 'p50' | 'p99' | 'itemsPerSecond'): number[] =>
    results.filter((r) => r.mode === mode).map((r) => r[key]);
  figure({
    name: 'outbox.delivery_p99',
    unit: 'ms',
    runs: of('ours', 'p99'),
    peer: { name: 'commit then one HTTP call', runs: of('floor', 'p99') },
    limit: { max: MAX_LATENCY_RATIO },
    note: `p50 ${of('ours', 'p50')
      .map((v) => v.toFixed(1))
      .join('/')} ms vs ${of('floor', 'p50')
      .map((v) => v.toFixed(1))
      .join('/')} ms`,
  });
  figure({
    name: 'outbox.items_per_second',
    unit: 'items/s',
    runs: of('ours', 'itemsPerSecond'),
    peer: { name: 'claim, call and commit, 8 at once', runs: of('floor', 'itemsPerSecond') },
    limit: { min: MIN_THROUGHPUT_RATIO },
  });
}
