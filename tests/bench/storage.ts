/**
 * store.bytes_per_case: what a case costs on disk, the SQLite file's size divided by the cases in
 * it (1,000 North Somerset cases, each raised and acknowledged, every other one resolved), after a
 * checkpoint of the write-ahead log. Limit ≤ 16,000 bytes: with the procedure stored once per
 * version a case is its own state and timeline (it was ~40,900 bytes with a copy in every case).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaseRepository } from '../../src/app/store/repository';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { act, counterpart, raised, worker } from '../contract/fixtures';
import { figure } from './figures';

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

export async function benchStorage(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-storage-'));
  try {
    const runs: number[] = [];
    for (let run = 0; run < 3; run++) {
      const file = join(dir, `size-${run}.sqlite`);
      await seeded(file, 1000);
      const repo = SqliteRepository.open(file);
      repo.connection.pragma('wal_checkpoint(TRUNCATE)');
      await repo.close();
      runs.push(statSync(file).size / 1000);
    }
    figure({ name: 'store.bytes_per_case', unit: 'bytes', runs, limit: { max: 16_000 }, note: '1,000 cases, SQLite' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
