/**
 * The sweep benchmarks' one contact with the bot's insides (the Sweeper, the Announcer, the
 * CaseService and the SQLite store): everything ./sweep-peer.ts does to a store goes through
 * here, so a change in how the sweeper is built (batch claims, the outbox and its Delivery worker
 * instead of the Announcer) is adapted in this file alone.
 */
import { WebClient } from '@slack/web-api';
import { Announcer, type TimerOutlet } from '../../src/app/announcer';
import { CaseService } from '../../src/app/case-service';
import type { Notice } from '../../src/app/notify';
import { actorFor } from '../../src/app/people';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import { simulationDirectory } from '../../src/app/simulate';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import { Sweeper, type TickResult } from '../../src/app/sweeper';
import type { Directory } from '../../src/domain/directory/schema';
import type { Procedure } from '../../src/domain/procedure';
import { SlackOutlet } from '../../src/channels/slack/outlet';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';

export type { TickResult };

/** An outlet that only counts (no network): what the sweep itself costs. */
class Counting implements TimerOutlet {
  readonly platform = 'teams' as const;
  told = 0;
  tell(_notice: Notice): Promise<{ id?: string }> {
    this.told++;
    return Promise.resolve({});
  }
  say(): Promise<void> {
    return Promise.resolve();
  }
}

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
 * A store at `file` with the Lincolnshire board, swept `batch` cases a tick. `delivery`: 'count' (an outlet that only counts)
 * or the fake Slack Web API's address (the Slack outlet with a Web API client, as the bot has it;
 * cases raised by Slack people of the example directory).
 */
export function openBench(file: string, delivery: 'count' | { slackApiUrl: string }, batch: number): Bench {
  const procedures = loadProcedures();
  const procedure = procedures.get('lincolnshire');
  if (!procedure) throw new Error('no Lincolnshire board');
  const slack = delivery !== 'count';
  const directory = slack
    ? loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, new Map([[procedure.id, procedure]]))
    : simulationDirectory(procedure);
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
  const raiser = directory.people.find((p) => p.id === (slack ? 'peter-lawson' : 'a-practitioner'));
  const sweeper = (): Sweeper => {
    const announcer = new Announcer(repo, directory, clock);
    if (slack)
      announcer.register(
        new SlackOutlet({
          client: new WebClient('xoxb-bench', { slackApiUrl: delivery.slackApiUrl, retryConfig: { retries: 0 } }),
          repo,
          directory,
          clock,
          report: () => undefined,
        }),
      );
    else announcer.register(new Counting());
    return new Sweeper({ repo, directory, announcer, clock, owner: 'bench', batch });
  };
  return {
    repo,
    procedure,
    directory,
    setClock: (at) => (now = at),
    raise: async (count, at) => {
      if (!raiser) throw new Error(`no raiser among ${directory.people.map((p) => p.id).join(', ')}`);
      const s = service();
      const refs: string[] = [];
      for (let i = 0; i < count; i++) {
        now = at(i);
        const r = await s.raise({
          boardId: procedure.id,
          command: {
            type: 'raise',
            actor: actorFor(directory, raiser, now),
            immediateRisk: false,
            respondingAgency: slack
              ? { id: 'healthwatch-lincolnshire', boards: [procedure.id] }
              : { id: 'agency-b', boards: [procedure.id] },
            respondingPersonId: slack ? 'megan-hart' : 'b-practitioner',
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
      const state = JSON.stringify(template.state);
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
    tick: () => sweeper().tick(),
    close: () => repo.close(),
  };
}
