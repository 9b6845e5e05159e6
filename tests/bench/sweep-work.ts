/**
 * The sweep benchmarks' one contact with the bot's insides (the Sweeper, the Delivery worker, the
 * CaseService and the SQLite store): everything ./sweep-peer.ts does to a store goes through
 * here. A tick claims the due cases and records their timers with their messages in the outbox,
 * a batch a transaction; with Slack, the delivery worker (woken by the sweeper, as in the bot)
 * sends them to the fake Web API. Each case is between two people of its own, so the messages go
 * to as many conversations (as a board's do) and Slack's per-conversation pace does not set the time.
 */
import { WebClient } from '@slack/web-api';
import { CaseService } from '../../src/app/case-service';
import { Delivery } from '../../src/app/delivery';
import { actorFor } from '../../src/app/people';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import { simulationDirectory } from '../../src/app/simulate';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import { Sweeper, type TickResult } from '../../src/app/sweeper';
import type { Directory, Person } from '../../src/domain/directory/schema';
import type { Procedure } from '../../src/domain/procedure';
import { SlackOutlet } from '../../src/channels/slack/outlet';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';

export type { TickResult };

/** The sweeper's own batch size (its default), for figures of a sweep as the bot does it. */
export const SWEEPER_BATCH = 50;

export interface Bench {
  repo: SqliteRepository;
  procedure: Procedure;
  directory: Directory;
  setClock(at: Date): void;
  /** Raise `count` cases, the i-th at `at(i)`, each owing a reminder later. */
  raise(count: number, at: (i: number) => Date): Promise<string[]>;
  /** `count` more open cases, due months ahead, written straight into the table (one transaction). */
  bulkOpen(count: number, template: string): Promise<void>;
  /** Checkpoint the WAL into the file and read the tables once, so no tick is cold. */
  warm(): void;
  /** One sweep tick at the clock's time. */
  tick(): Promise<TickResult>;
  close(): Promise<void>;
}

/**
 * A store at `file` with the Lincolnshire board, swept `batch` cases a batch. `delivery`: 'count'
 * (the messages left in the outbox: what the sweep itself costs) or the fake Slack Web API's
 * address (the delivery worker and the Slack outlet with a Web API client, as the bot has them).
 */
export function openBench(
  file: string,
  delivery: 'count' | { slackApiUrl: string },
  batch: number,
  /** At most this many batches a tick (absent: every case due, batch after batch, as the bot sweeps). */
  maxBatches?: number,
): Bench {
  const procedures = loadProcedures();
  const procedure = procedures.get('lincolnshire');
  if (!procedure) throw new Error('no Lincolnshire board');
  const slack = delivery !== 'count';
  const directory = slack ? slackPairs(procedure) : simulationDirectory(procedure);
  let now = new Date('2026-11-23T10:00:00Z');
  const clock = (): Date => now;
  const repo = SqliteRepository.open(file);
  const service = (): CaseService =>
    new CaseService(
      repo,
      new Map([[procedure.id, procedure]]),
      new PersonalDataVault(Buffer.alloc(32, 5)),
      clock,
      directory,
    );
  // The Slack outlet and delivery worker as the bot has them (no retries inside a call; the worker paces and retries).
  let worker: Delivery | undefined;
  if (slack) {
    worker = new Delivery({ repo, directory, owner: 'bench', report: () => undefined });
    worker.register(
      new SlackOutlet({
        client: new WebClient('xoxb-bench', {
          slackApiUrl: delivery.slackApiUrl,
          retryConfig: { retries: 0 },
          rejectRateLimitedCalls: true,
        }),
        repo,
        directory,
        clock,
        report: () => undefined,
      }),
    );
    worker.start();
  }
  const sweeper = new Sweeper({
    repo,
    directory,
    clock,
    owner: 'bench',
    batch,
    ...(maxBatches ? { maxBatches } : {}),
    ...(worker ? { delivery: worker } : {}),
  });
  const pair = (i: number): { raiser: Person; responder: string } => {
    const raiser = directory.people.find((p) => p.id === (slack ? `bench-raiser-${i}` : 'a-practitioner'));
    if (!raiser) throw new Error(`no raiser ${i}`);
    return { raiser, responder: slack ? `bench-responder-${i}` : 'b-practitioner' };
  };
  return {
    repo,
    procedure,
    directory,
    setClock: (at) => (now = at),
    raise: async (count, at) => {
      const s = service();
      const refs: string[] = [];
      for (let i = 0; i < count; i++) {
        now = at(i);
        const { raiser, responder } = pair(i);
        const r = await s.raise({
          boardId: procedure.id,
          command: {
            type: 'raise',
            actor: actorFor(directory, raiser, now),
            immediateRisk: false,
            respondingAgency: { id: slack ? `bench-watch-${i}` : 'agency-b', boards: [procedure.id] },
            respondingPersonId: responder,
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
    },
    bulkOpen: async (count, reference) => {
      const template = await repo.getCase(reference);
      if (!template) throw new Error('no template');
      const insert = repo.connection.prepare(
        "INSERT INTO cases (reference, board_id, status, version, raised_at, due_at, last_hash, state, updated_at) VALUES (?, 'lincolnshire', 'open', 2, ?, ?, ?, ?, ?)",
      );
      // The template's row as stored (its procedure a reference to the one stored version).
      const { state } = repo.connection.prepare('SELECT state FROM cases WHERE reference = ?').get(reference) as {
        state: string;
      };
      repo.connection.transaction(() => {
        for (let i = 0; i < count; i++)
          insert.run(
            `BM-2026-${String(i + 1).padStart(6, '0')}`,
            template.state.raisedAt,
            new Date(Date.UTC(2027, 0, 1) + i * 60_000).toISOString(),
            '0'.repeat(64),
            state,
            template.state.raisedAt,
          );
      })();
    },
    warm: () => {
      repo.connection.pragma('wal_checkpoint(TRUNCATE)');
      repo.connection.prepare('SELECT count(*), max(length(state)) FROM cases').get();
    },
    tick: () => sweeper.tick(),
    close: async () => {
      await worker?.stop();
      await repo.close();
    },
  };
}

/**
 * The example directory, and 320 pairs of Slack practitioners, each in an agency of their own
 * (a copy of the diocese ↔ HealthWatch): a pair a case, so a case's messages go to its own two
 * people (as a board's cases do) and nobody is told of every other bench case.
 */
function slackPairs(procedure: Procedure): Directory {
  const base = loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, new Map([[procedure.id, procedure]]));
  const person = (id: string): Person => {
    const p = base.people.find((x) => x.id === id);
    if (!p) throw new Error(`no ${id} in the example directory`);
    return p;
  };
  const agency = (id: string): Directory['agencies'][number] => {
    const a = base.agencies.find((x) => x.id === id);
    if (!a) throw new Error(`no ${id} in the example directory`);
    return a;
  };
  const [raiser, responder] = [person('peter-lawson'), person('megan-hart')];
  const [diocese, watch] = [agency('diocese-of-lincoln'), agency('healthwatch-lincolnshire')];
  const people: Person[] = [];
  const agencies: Directory['agencies'] = [];
  for (let i = 0; i < PAIRS; i++) {
    const n = String(i).padStart(4, '0');
    agencies.push({ ...diocese, id: `bench-diocese-${i}` }, { ...watch, id: `bench-watch-${i}` });
    people.push(
      {
        ...raiser,
        id: `bench-raiser-${i}`,
        name: `Raiser ${n}`,
        email: `raiser${n}@diocese.lincoln.example.org`,
        slackUserId: `U0BR${n}`,
        agency: `bench-diocese-${i}`,
      },
      {
        ...responder,
        id: `bench-responder-${i}`,
        name: `Responder ${n}`,
        email: `responder${n}@healthwatch.lincolnshire.example.org`,
        slackUserId: `U0BS${n}`,
        agency: `bench-watch-${i}`,
      },
    );
  }
  return { ...base, agencies: [...base.agencies, ...agencies], people: [...base.people, ...people] };
}

const PAIRS = 320;
