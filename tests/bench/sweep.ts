/**
 * The deadline sweeper's figures.
 * - sweep.tick_100k_open_100_due: one tick over a SQLite store of 100,000 open cases of which 100
 *   have a reminder due: each claimed, fired and recorded with its message in the outbox (one
 *   transaction); then the delivery worker sends them (to an outlet that only counts).
 * - nudge.lateness_p99: how late nudges go, from the instant each fell due to its delivery, with
 *   the sweeper ticking every second on a clock that runs at real speed; 200 nudges falling due
 *   a tenth of a second apart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { strict as assert } from 'node:assert';
import { Delivery } from '../../src/app/delivery';
import type { Outlet } from '../../src/app/outlet';
import { CaseService } from '../../src/app/case-service';
import type { Notice } from '../../src/app/notify';
import { actorFor } from '../../src/app/people';
import { loadProcedures } from '../../src/app/procedures';
import { simulationDirectory } from '../../src/app/simulate';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import { Sweeper } from '../../src/app/sweeper';
import type { Procedure } from '../../src/domain/procedure';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import type { Print } from './store';

class Counting implements Outlet {
  readonly platform = 'teams' as const;
  readonly told: Array<{ key: string; at: number }> = [];
  constructor(private readonly clock: () => Date) {}
  tell(notice: Notice): Promise<{ id?: string }> {
    this.told.push({ key: notice.key ?? '', at: this.clock().getTime() });
    return Promise.resolve({});
  }
  updateThreads(): Promise<void> {
    return Promise.resolve();
  }
  say(): Promise<void> {
    return Promise.resolve();
  }
  openThread(): Promise<Record<string, unknown>> {
    return Promise.resolve({});
  }
  updateMessage(): Promise<void> {
    return Promise.resolve();
  }
}

async function raiseMany(
  service: CaseService,
  procedure: Procedure,
  count: number,
  at: (i: number) => Date,
  setClock: (d: Date) => void,
): Promise<string[]> {
  const directory = simulationDirectory(procedure);
  const raiser = directory.people.find((p) => p.id === 'a-practitioner');
  if (!raiser) throw new Error('no raiser');
  const refs: string[] = [];
  for (let i = 0; i < count; i++) {
    setClock(at(i));
    const r = await service.raise({
      boardId: procedure.id,
      command: {
        type: 'raise',
        actor: actorFor(directory, raiser, at(i)),
        immediateRisk: false,
        respondingAgency: { id: 'agency-b', boards: [procedure.id] },
        respondingPersonId: 'b-practitioner',
        form: {
          initials: 'A B',
          category: procedure.categories?.[0]?.id ?? 'other',
          summary: 'A disagreement about a discharge plan.',
          outcomeWanted: 'A plan.',
          safetyMeanwhile: 'Visits.',
        },
      },
    });
    if (!r.ok) throw new Error(r.refusal.message);
    refs.push(r.case.reference);
  }
  return refs;
}

export async function benchSweep(print: Print): Promise<void> {
  const procedures = loadProcedures();
  const lincolnshire = procedures.get('lincolnshire');
  const cheshire = procedures.get('cheshire-east');
  if (!lincolnshire || !cheshire) throw new Error('boards missing');
  const dir = mkdtempSync(join(tmpdir(), 'bench-sweep-'));
  try {
    // ── one tick over 100,000 open cases, 100 due ─────────────────────────────────────
    {
      const repo = SqliteRepository.open(join(dir, 'tick.sqlite'));
      let now = new Date('2026-11-23T10:00:00Z');
      const service = new CaseService(
        repo,
        new Map([[lincolnshire.id, lincolnshire]]),
        new PersonalDataVault(Buffer.alloc(32, 5)),
        () => now,
      );
      // 100 cases raised on Monday morning: each owes a reminder at 9am Tuesday.
      await raiseMany(
        service,
        lincolnshire,
        100,
        (i) => new Date(Date.UTC(2026, 10, 23, 10, 0, i)),
        (d) => (now = d),
      );
      // 99,900 more, open, due over the coming months (loaded straight into the table).
      const template = await repo.getCase('LI-2026-0001');
      if (!template) throw new Error('no template');
      const insert = repo.connection.prepare(
        "INSERT INTO cases (reference, board_id, status, version, raised_at, due_at, last_hash, state, updated_at) VALUES (?, 'lincolnshire', 'open', 2, ?, ?, ?, ?, ?)",
      );
      const state = JSON.stringify(template.state);
      repo.connection.transaction(() => {
        for (let i = 0; i < 99_900; i++)
          insert.run(
            `BM-2026-${String(i + 1).padStart(6, '0')}`,
            template.state.raisedAt,
            new Date(Date.UTC(2026, 11, 1) + i * 60_000).toISOString(),
            '0'.repeat(64),
            state,
            template.state.raisedAt,
          );
      })();
      now = new Date('2026-11-24T09:00:30Z');
      const directory = simulationDirectory(lincolnshire);
      const outlet = new Counting(() => now);
      const delivery = new Delivery({ repo, directory, owner: 'bench' });
      delivery.register(outlet);
      const sweeper = new Sweeper({ repo, directory, clock: () => now, owner: 'bench', batch: 200 });
      const t0 = performance.now();
      const result = await sweeper.tick();
      const elapsed = performance.now() - t0;
      assert.equal(result.fired, 100, 'each of the 100 due cases fired its reminder');
      assert.equal(result.delivered, 100);
      await delivery.drain();
      assert.ok(outlet.told.length >= 100, 'each reminder reached its recipients');
      print('sweep.tick_100k_open_100_due', elapsed, 'ms');
      await repo.close();
    }
    // ── lateness, with the sweeper ticking every second ──────────────────────────────
    {
      const repo = SqliteRepository.open(join(dir, 'lateness.sqlite'));
      // Cheshire East's step 1 is 24 clock hours: cases raised a tenth of a second apart on a
      // Monday morning are nudged a tenth of a second apart on Tuesday morning.
      const raisedAt = Date.UTC(2026, 10, 23, 10, 0, 0);
      let now = new Date(raisedAt);
      const service = new CaseService(
        repo,
        new Map([[cheshire.id, cheshire]]),
        new PersonalDataVault(Buffer.alloc(32, 6)),
        () => now,
      );
      await raiseMany(
        service,
        cheshire,
        200,
        (i) => new Date(raisedAt + i * 100),
        (d) => (now = d),
      );
      // A clock running at real speed from two seconds before the first nudge.
      const virtualStart = raisedAt + 24 * 3_600_000 - 2000;
      const realStart = Date.now();
      const clock = (): Date => new Date(virtualStart + (Date.now() - realStart));
      const directory = simulationDirectory(cheshire);
      const outlet = new Counting(clock);
      const delivery = new Delivery({ repo, directory, owner: 'bench' });
      delivery.register(outlet);
      delivery.start();
      const sweeper = new Sweeper({ repo, directory, clock, owner: 'bench', delivery });
      sweeper.start(1000);
      const lastDue = raisedAt + 24 * 3_600_000 + 199 * 100;
      while (clock().getTime() < lastDue + 2500) await new Promise((r) => setTimeout(r, 100));
      await sweeper.stop();
      await delivery.drain();
      await delivery.stop();
      const late: number[] = [];
      for (const t of outlet.told) {
        if (!t.key.includes('/nudge-0#')) continue;
        const reference = t.key.split('/')[0] ?? '';
        const i = Number(reference.slice(-4)) - 1;
        late.push(t.at - (raisedAt + i * 100 + 24 * 3_600_000));
      }
      assert.ok(late.length >= 200, `every nudge went (${late.length})`);
      late.sort((a, b) => a - b);
      print('nudge.lateness_p99', late[Math.floor(late.length * 0.99)] ?? 0, 'ms');
      print('nudge.sweep_interval', 1000, 'ms');
      await repo.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
