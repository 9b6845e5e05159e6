/**
 * Store figures (in this process; the in-memory Cosmos server too, see benchCosmos): how fast the
 * timeline takes events (three runs, each on a new case), and what the deadline sweep's due query
 * costs with 100,000 open cases of which 100 are due (seven runs). Limits are regression guards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { strict as assert } from 'node:assert';
import type { CaseRepository } from '../../src/app/store/repository';
import { Agent } from 'node:https';
import { CosmosClient } from '@azure/cosmos';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { CosmosRepository } from '../../src/store/cosmos/cosmos-repository';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { act, raised, worker } from '../contract/fixtures';
import { figure } from './figures';

export type { Print } from './figures';

/** Appends one note at a time to one case, each stating the version it read: notes a second. */
export async function benchAppend(repo: CaseRepository, count: number, seq = 1): Promise<number> {
  const made = raised(seq);
  await repo.createCase({ state: made.state, events: made.events });
  let state = made.state;
  const notes = Array.from({ length: count }, (_, i) => {
    const next = act(
      state,
      { type: 'add-note', actor: worker, text: `note ${i}` },
      new Date(Date.UTC(2026, 10, 20, 10) + i * 1000).toISOString(),
    );
    state = next.state;
    return next;
  });
  const t0 = performance.now();
  for (const [i, n] of notes.entries())
    await repo.appendEvents({
      reference: made.state.reference,
      expectedVersion: 2 + i,
      events: n.events,
      state: n.state,
    });
  return count / ((performance.now() - t0) / 1000);
}

/** `open` open cases (100,000 unless said), 100 of them due: the due query's times (ms), seven runs. */
export async function benchDueQuery(
  repo: CaseRepository,
  load: (rows: Array<{ reference: string; dueAt: string }>) => Promise<void>,
  open = 100_000,
): Promise<number[]> {
  const due = 100;
  const rows = Array.from({ length: open }, (_, i) => ({
    reference: `BM-2026-${String(i + 1).padStart(6, '0')}`,
    // The first 100 are overdue; the rest fall due over the coming year.
    dueAt: new Date(i < due ? Date.UTC(2026, 10, 1) + i * 60_000 : Date.UTC(2026, 11, 1) + i * 300_000).toISOString(),
  }));
  await load(rows);
  const at = '2026-11-20T00:00:00.000Z';
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const found = await repo.dueCases(at, 1000);
    times.push(performance.now() - t0);
    assert.equal(found.length, due);
  }
  return times;
}

export async function benchSqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));
  try {
    const repo = SqliteRepository.open(join(dir, 'append.sqlite'));
    const rates: number[] = [];
    for (let run = 0; run < 3; run++) rates.push(await benchAppend(repo, 1000, run + 1));
    await repo.close();
    figure({ name: 'store.sqlite.append_event', unit: 'ops/s', runs: rates, limit: { min: 200 } });

    const big = SqliteRepository.open(join(dir, 'due.sqlite'));
    const template = raised(1);
    const times = await benchDueQuery(big, (rows) => {
      // Bulk-load through the same table the repository uses, in one transaction.
      const insert = big.connection.prepare(
        "INSERT INTO cases (reference, board_id, status, version, raised_at, due_at, last_hash, state, updated_at) VALUES (?, 'north-somerset', 'open', 2, ?, ?, ?, ?, ?)",
      );
      const state = JSON.stringify(template.state);
      big.connection.transaction(() => {
        for (const r of rows)
          insert.run(r.reference, template.state.raisedAt, r.dueAt, '0'.repeat(64), state, template.state.raisedAt);
      })();
      return Promise.resolve();
    });
    await big.close();
    figure({
      name: 'store.sqlite.due_query_100k',
      unit: 'ms',
      runs: times,
      limit: { max: 20 },
      note: '100 due of 100,000 open',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same figures against the Cosmos DB store: over HTTPS to the in-memory Cosmos-protocol
 * server on loopback, or to a real account when COSMOS_ENDPOINT is set. The in-memory server has
 * no indexes and scans every document for every page of a query (its time grows faster than the
 * documents), so there the due query runs over 10,000 open cases; a real account gets 100,000.
 */
export async function benchCosmos(): Promise<void> {
  const real = process.env.COSMOS_ENDPOINT;
  const server = real ? undefined : createHttpsServer();
  if (server) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server?.address();
  const endpoint = real ?? `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const client = new CosmosClient({
    endpoint,
    key: real ? (process.env.COSMOS_KEY ?? '') : 'dGVzdA==',
    agent: new Agent({ rejectUnauthorized: !!real && process.env.COSMOS_INSECURE_TLS !== 'true', keepAlive: true }),
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const suffix = Date.now().toString(36);
  try {
    const small = await CosmosRepository.open({ client, databaseId: `bench-append-${suffix}` });
    const rates: number[] = [];
    for (let run = 0; run < 3; run++) rates.push(await benchAppend(small, 100, run + 1));
    figure({
      name: 'store.cosmos.append_event',
      unit: 'ops/s',
      runs: rates,
      limit: { min: 20 },
      note: real ? 'a real account' : 'the in-memory Cosmos server, in this process',
    });

    const big = await CosmosRepository.open({ client, databaseId: `bench-due-${suffix}` });
    const template = raised(1);
    const open = real ? 100_000 : 10_000;
    const times = await benchDueQuery(
      big,
      async (rows) => {
        // Case documents as the repository writes them, loaded with bulk requests of 100.
        const container = client.database(`bench-due-${suffix}`).container('cases');
        const chunks: Array<typeof rows> = [];
        for (let i = 0; i < rows.length; i += 100) chunks.push(rows.slice(i, i + 100));
        for (let i = 0; i < chunks.length; i += 8) {
          await Promise.all(
            chunks.slice(i, i + 8).map(async (chunk) => {
              const results = await container.items.bulk(
                chunk.map((r) => ({
                  operationType: 'Create' as const,
                  resourceBody: {
                    id: r.reference,
                    caseRef: r.reference,
                    type: 'case',
                    reference: r.reference,
                    boardId: 'north-somerset',
                    status: 'open',
                    version: 2,
                    raisedAt: template.state.raisedAt,
                    dueAt: r.dueAt,
                    lastHash: '0'.repeat(64),
                    people: [],
                  },
                })),
              );
              assert.ok(
                results.every((r) => r.statusCode < 300),
                'bulk load failed',
              );
            }),
          );
        }
      },
      open,
    );
    figure({
      name: `store.cosmos.due_query_${open / 1000}k`,
      unit: 'ms',
      runs: times,
      limit: { max: real ? 200 : 2000 },
      note: `100 due of ${open.toLocaleString('en-GB')} open`,
    });
    if (real) for (const id of [`bench-append-${suffix}`, `bench-due-${suffix}`]) await client.database(id).delete();
  } finally {
    client.dispose();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
