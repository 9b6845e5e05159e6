/**
 * report.10k_ms: the board figures (`node dist/cli/main.js report`, the same figures the bot
 * emails) over a store of 10,000 demo cases: each of the five boards' report in turn (between
 * them every one of the 10,000 cases), the time of each CLI process less the same command's on an
 * store of one case (starting Node, loading the CLI and opening a store: the floor, measured in the same
 * run), summed over the boards. Limit ≤ 300 ms. The store is a fresh copy of the cached seeded one.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from '../../src/tools/build';
import { figure } from './figures';
import { ensureBuilt } from './procs';
import { copyOf, seededStore } from './seeded';

const RUNS = 3;
const BOARDS = ['lincolnshire', 'camden', 'cheshire-east', 'luton', 'north-somerset'];

function report(board: string, db: string): number {
  const started = performance.now();
  const ran = spawnSync(
    process.execPath,
    [
      'dist/cli/main.js',
      'report',
      '--board',
      board,
      '--from',
      '2020-01-01',
      '--to',
      '2030-01-01',
      '--format',
      'csv',
      '--db',
      db,
    ],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' },
  );
  const ms = performance.now() - started;
  if (ran.status !== 0) throw new Error(`report --board ${board} failed: ${ran.stderr}`);
  return ms;
}

export async function benchReport(): Promise<void> {
  ensureBuilt();
  const seeded = seededStore(10_000);
  const work: number[] = [];
  const floors: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const full = mkdtempSync(join(tmpdir(), 'bench-report-'));
    const empty = mkdtempSync(join(tmpdir(), 'bench-report-empty-'));
    try {
      const db = copyOf(seeded, full);
      const none = join(empty, 'escalations.sqlite');
      // The floor's store: one demo case (the CLI opens only a store that exists).
      const made = spawnSync(process.execPath, ['dist/cli/main.js', 'seed-demo', '--db', none, '--cases', '1'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '' },
        encoding: 'utf8',
      });
      if (made.status !== 0) throw new Error(`seed-demo failed: ${made.stderr}`);
      report(BOARDS[0] ?? '', none); // the CLI's files in the page cache before timing
      let total = 0;
      let floor = 0;
      for (const board of BOARDS) {
        const f = report(board, none);
        total += report(board, db) - f;
        floor += f;
      }
      work.push(total);
      floors.push(floor);
    } finally {
      rmSync(full, { recursive: true, force: true });
      rmSync(empty, { recursive: true, force: true });
    }
    await Promise.resolve();
  }
  figure({
    name: 'report.10k_ms',
    unit: 'ms',
    runs: work,
    peer: { name: 'the same five reports on a store of one case', runs: floors },
    limit: { max: 300, on: 'value' },
    note: 'five boards, 10,000 cases between them, less the floor',
  });
}
