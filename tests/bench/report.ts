/**
 * The `report` figures over many cases, and what a case costs on disk.
 * - report.10k_ms: a board's figures for a year (figuresOfPeriod, what `report` runs) over a
 *   SQLite store of 10,000 cases of that board (min/median/max of 3 runs, each on a fresh handle,
 *   so nothing is cached from the seeding).
 * - store.sqlite.bytes_per_case: the SQLite file's size divided by the cases in it (1,000 cases,
 *   each raised, acknowledged and half of them resolved), after a checkpoint of the write-ahead log.
 *
 * Run on its own: npx tsx tests/bench/report.ts [cases] [runs]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { strict as assert } from 'node:assert';
import { figuresOfPeriod } from '../../src/app/reports/schedule';
import { simulationDirectory } from '../../src/app/simulate';
import type { CaseRepository } from '../../src/app/store/repository';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { act, counterpart, NS, raised, worker } from '../contract/fixtures';
import type { Print } from './store';

/** `count` cases of North Somerset raised through 2026: each acknowledged, every other one resolved. */
export async function seedCases(repo: CaseRepository, count: number): Promise<void> {
  const day = 86_400_000;
  const start = Date.UTC(2026, 0, 5, 10);
  for (let i = 0; i < count; i++) {
    const at = (offset: number): string => new Date(start + Math.floor((i * 360 * day) / count) + offset).toISOString();
    const made = raised(i + 1, at(0));
    await repo.createCase({ state: made.state, events: made.events, ...(made.dueAt ? { dueAt: made.dueAt } : {}) });
    const acked = act(made.state, { type: 'acknowledge', actor: counterpart }, at(3_600_000));
    await repo.appendEvents({
      reference: made.state.reference,
      expectedVersion: made.state.version,
      events: acked.events,
      state: acked.state,
      ...(acked.dueAt ? { dueAt: acked.dueAt } : {}),
    });
    if (i % 2) continue;
    const proposed = act(
      acked.state,
      { type: 'propose-resolution', actor: counterpart, outcome: 'A joint plan.', outstandingIssues: 'None.' },
      at(day),
    );
    const confirmed = act(proposed.state, { type: 'confirm-resolution', actor: worker }, at(day + 3_600_000));
    await repo.appendEvents({
      reference: made.state.reference,
      expectedVersion: acked.state.version,
      events: [...proposed.events, ...confirmed.events],
      state: confirmed.state,
    });
  }
}

function seeded(file: string, count: number): Promise<void> {
  const repo = SqliteRepository.open(file);
  // Seeding only: the figures measured are reads.
  repo.connection.pragma('synchronous = OFF');
  return seedCases(repo, count).finally(() => repo.close());
}

function spread(times: number[]): { min: number; median: number; max: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { min: sorted[0] ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 };
}

export async function benchReport(print: Print, cases = 10_000, runs = 3): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
  try {
    const file = join(dir, 'report.sqlite');
    await seeded(file, cases);
    const directory = simulationDirectory(NS);
    const times: number[] = [];
    const cpu: number[] = [];
    for (let run = 0; run < runs; run++) {
      const repo = SqliteRepository.open(file, { readonly: true });
      try {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const figures = await figuresOfPeriod(repo, NS, directory, '2026-01-01', '2027-01-01', new Date('2027-01-15'));
        times.push(performance.now() - t0);
        const used = process.cpuUsage(c0);
        cpu.push((used.user + used.system) / 1000);
        assert.equal(figures.raised, cases);
      } finally {
        await repo.close();
      }
    }
    const t = spread(times);
    const c = spread(cpu);
    print(
      `report.${cases >= 1000 ? `${cases / 1000}k` : cases}_ms`,
      t.median,
      `ms (min ${t.min.toFixed(1)}, max ${t.max.toFixed(1)})`,
    );
    // CPU time: what the figures cost this process, less swayed than the wall clock by other work on the machine.
    print(
      `report.${cases >= 1000 ? `${cases / 1000}k` : cases}_cpu_ms`,
      c.median,
      `ms (min ${c.min.toFixed(1)}, max ${c.max.toFixed(1)})`,
    );

    const small = join(dir, 'size.sqlite');
    await seeded(small, 1000);
    const repo = SqliteRepository.open(small);
    repo.connection.pragma('wal_checkpoint(TRUNCATE)');
    await repo.close();
    print('store.sqlite.bytes_per_case', statSync(small).size / 1000, 'bytes (1,000 cases)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [cases, runs] = process.argv.slice(2).map(Number);
  void benchReport(
    (name, value, unit) => console.log(`${name} ${value.toFixed(1)} ${unit}`),
    cases || undefined,
    runs || undefined,
  );
}
