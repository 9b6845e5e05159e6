/**
 * The outbox's figures, each against a floor measured in the same run, each peer in its own
 * process (tests/bench/outbox-peer.ts), run in turn (floor then ours, three times over) and each
 * peer's best round kept, so that what else the machine is doing weighs on both alike:
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
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { Print } from './store';

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

export async function benchOutbox(print: Print): Promise<void> {
  const results: Result[] = [];
  for (let round = 0; round < ROUNDS; round++)
    for (const mode of ['floor', 'ours'] as const) results.push(await run(mode));
  const best = (mode: string): Omit<Result, 'mode'> => {
    const mine = results.filter((r) => r.mode === mode);
    return {
      p50: Math.min(...mine.map((r) => r.p50)),
      p99: Math.min(...mine.map((r) => r.p99)),
      itemsPerSecond: Math.max(...mine.map((r) => r.itemsPerSecond)),
    };
  };
  const ours = best('ours');
  const floor = best('floor');
  const latency = ours.p99 / floor.p99;
  const throughput = ours.itemsPerSecond / floor.itemsPerSecond;
  print('outbox.delivery_p50', ours.p50, 'ms');
  print('outbox.delivery_p50_floor', floor.p50, 'ms');
  print('outbox.delivery_p99', ours.p99, 'ms');
  print('outbox.delivery_p99_floor', floor.p99, 'ms');
  print('outbox.delivery_p99_ratio', latency, 'x');
  print('outbox.items_per_second', ours.itemsPerSecond, 'items/s');
  print('outbox.items_per_second_floor', floor.itemsPerSecond, 'items/s');
  print('outbox.items_per_second_ratio', throughput, 'x');
  assert.ok(
    latency <= MAX_LATENCY_RATIO,
    `outbox.delivery_p99_ratio ${latency.toFixed(2)} is over ${MAX_LATENCY_RATIO}`,
  );
  assert.ok(
    throughput >= MIN_THROUGHPUT_RATIO,
    `outbox.items_per_second_ratio ${throughput.toFixed(2)} is under ${MIN_THROUGHPUT_RATIO}`,
  );
}
