import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CLAIM_DUE_QUERY, DUE_QUERY, SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import type { CaseEvent } from '../../src/domain/escalation';
import type { Procedure } from '../../src/domain/procedure';
import { act, raised, worker } from './fixtures';
import { outboxContract } from './outbox.contract';
import { repositoryContract } from './repository.contract';
import { restateContract } from './restate.contract';
import { personalCardsContract } from './personal-cards.contract';
import { personalKeysContract } from './personal-keys.contract';
import { workListsContract } from './work-lists.contract';
import { slackInstallationsContract } from './slack-installations.contract';
import { directoryContract } from './directory.contract';
import { proceduresContract } from './procedures.contract';
import { sweepContract } from './sweep.contract';

const ROOT = join(__dirname, '..', '..');
let file = '';

/** Raw access to the file, as someone editing it behind the bot's back would have. */
function raw<T>(work: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return work(db);
  } finally {
    db.close();
  }
}

describe('SQLite repository (a file on disk)', () => {
  repositoryContract({
    open: () => {
      file = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'data', 'escalations.sqlite');
      return Promise.resolve(SqliteRepository.open(file));
    },
    reopen: () => Promise.resolve(SqliteRepository.open(file)),
    readFromAnotherProcess: (reference) => {
      const child = spawnSync(
        join(ROOT, 'node_modules', '.bin', 'tsx'),
        [join(__dirname, 'read-sqlite-case.ts'), file, reference],
        { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
      );
      if (child.status !== 0) throw new Error(`reader failed: ${child.stderr}`);
      return Promise.resolve(JSON.parse(child.stdout) as { version: number; events: number; status: string });
    },
    tamper: {
      rewriteEvent: (reference, seq, change) =>
        Promise.resolve(
          raw((db) => {
            const row = db.prepare('SELECT body FROM events WHERE reference = ? AND seq = ?').get(reference, seq) as {
              body: string;
            };
            db.exec('DROP TRIGGER IF EXISTS events_no_update');
            db.prepare('UPDATE events SET body = ? WHERE reference = ? AND seq = ?').run(
              JSON.stringify(change(JSON.parse(row.body) as CaseEvent)),
              reference,
              seq,
            );
          }),
        ),
      removeEvent: (reference, seq) =>
        Promise.resolve(
          raw((db) => {
            db.exec('DROP TRIGGER IF EXISTS events_no_delete');
            db.prepare('DELETE FROM events WHERE reference = ? AND seq = ?').run(reference, seq);
          }),
        ),
      corruptCase: (reference) =>
        Promise.resolve(
          raw((db) => void db.prepare("UPDATE cases SET state = '{not json' WHERE reference = ?").run(reference)),
        ),
      editCheckpoint: (seq, change) =>
        Promise.resolve(
          raw((db) => {
            const row = db.prepare('SELECT * FROM checkpoints WHERE seq = ?').get(seq) as Record<string, unknown>;
            const changed = change(row);
            db.exec('DROP TRIGGER checkpoints_no_update');
            db.prepare('UPDATE checkpoints SET cases = ?, version = ? WHERE seq = ?').run(
              changed.cases,
              changed.version,
              seq,
            );
          }),
        ),
      deleteCase: (reference) =>
        Promise.resolve(
          raw((db) => {
            db.exec('DROP TRIGGER IF EXISTS events_no_delete');
            for (const table of ['events', 'case_people', 'personal_details', 'threads', 'cases'])
              db.prepare(`DELETE FROM ${table} WHERE reference = ?`).run(reference);
          }),
        ),
    },
  });
});

describe('SQLite: the procedure stored once per version (a file on disk)', () => {
  proceduresContract({
    open: () => {
      file = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'data', 'escalations.sqlite');
      return Promise.resolve(SqliteRepository.open(file));
    },
    reopen: () => Promise.resolve(SqliteRepository.open(file)),
    raw: {
      procedures: () =>
        Promise.resolve(
          raw(
            (db) =>
              db.prepare('SELECT key, board_id AS boardId, label FROM procedures ORDER BY key').all() as Array<{
                key: string;
                boardId: string;
                label: string;
              }>,
          ),
        ),
      stored: (reference) =>
        Promise.resolve(
          raw((db) => {
            const row = db.prepare('SELECT state FROM cases WHERE reference = ?').get(reference) as { state: string };
            const event = db.prepare('SELECT body FROM events WHERE reference = ? AND seq = 1').get(reference) as {
              body: string;
            };
            return {
              state: JSON.parse(row.state) as Record<string, unknown>,
              raisedEvent: JSON.parse(event.body) as Record<string, unknown>,
            };
          }),
        ),
      editProcedure: (key, change) =>
        Promise.resolve(
          raw((db) => {
            const row = db.prepare('SELECT body FROM procedures WHERE key = ?').get(key) as { body: string };
            db.exec('DROP TRIGGER IF EXISTS procedures_no_update');
            db.prepare('UPDATE procedures SET body = ? WHERE key = ?').run(
              JSON.stringify(change(JSON.parse(row.body) as Procedure)),
              key,
            );
          }),
        ),
      deleteProcedure: (key) =>
        Promise.resolve(
          raw((db) => {
            db.exec('DROP TRIGGER IF EXISTS procedures_no_delete');
            db.prepare('DELETE FROM procedures WHERE key = ?').run(key);
          }),
        ),
      writeFullCopies: (reference, state, procedure) =>
        Promise.resolve(
          raw((db) => {
            const event = db.prepare('SELECT body FROM events WHERE reference = ? AND seq = 1').get(reference) as {
              body: string;
            };
            db.exec('DROP TRIGGER IF EXISTS events_no_update');
            db.prepare('UPDATE events SET body = ? WHERE reference = ? AND seq = 1').run(
              JSON.stringify({ ...(JSON.parse(event.body) as object), procedure }),
              reference,
            );
            db.prepare('UPDATE cases SET state = ? WHERE reference = ?').run(JSON.stringify(state), reference);
          }),
        ),
    },
  });
});

describe('SQLite lists of open cases (a file on disk)', () => {
  workListsContract({
    open: () => {
      file = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'data', 'escalations.sqlite');
      return Promise.resolve(SqliteRepository.open(file));
    },
  });
});

describe("SQLite: each person's own card (a file on disk)", () => {
  personalCardsContract({
    open: () => {
      file = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'data', 'escalations.sqlite');
      return Promise.resolve(SqliteRepository.open(file));
    },
  });
});

describe("SQLite: the adult's details under old keys, and resealing them (a file on disk)", () => {
  personalKeysContract({
    open: () => {
      file = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'data', 'escalations.sqlite');
      return Promise.resolve(SqliteRepository.open(file));
    },
  });
});

describe('SQLite: Slack installations (a file on disk)', () => {
  slackInstallationsContract({
    open: () => {
      file = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'data', 'escalations.sqlite');
      return Promise.resolve(SqliteRepository.open(file));
    },
    reopen: () => Promise.resolve(SqliteRepository.open(file)),
  });
});

describe("SQLite: the directory's history (a file on disk)", () => {
  directoryContract({
    open: () => {
      file = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'data', 'escalations.sqlite');
      return Promise.resolve(SqliteRepository.open(file));
    },
    reopen: () => Promise.resolve(SqliteRepository.open(file)),
  });
});

describe('SQLite outbox (a file on disk)', () => {
  outboxContract({
    open: () => {
      file = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'data', 'escalations.sqlite');
      return Promise.resolve(SqliteRepository.open(file));
    },
    reopen: () => Promise.resolve(SqliteRepository.open(file)),
  });
});

describe('SQLite specifics', () => {
  test('the timeline cannot be edited through the database: updates and deletes of events are refused', async () => {
    file = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'e.sqlite');
    const repo = SqliteRepository.open(file);
    const m = raised(1);
    await repo.createCase({ state: m.state, events: m.events });
    expect(() => repo.connection.prepare("UPDATE events SET body = '{}' WHERE seq = 1").run()).toThrow(/append-only/);
    expect(() => repo.connection.prepare('DELETE FROM events WHERE seq = 1').run()).toThrow(/append-only/);
    await repo.close();
  });

  test("a sweep's claim: its leases taken and the connection back to fsyncing every commit after it, whatever it found", async () => {
    file = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'claim.sqlite');
    const repo = SqliteRepository.open(file);
    const m = raised(1);
    await repo.createCase({ state: m.state, events: m.events, dueAt: '2026-01-01T00:00:00.000Z' });
    const sync = (): unknown => repo.connection.pragma('synchronous', { simple: true });
    expect(sync()).toBe(2);
    const claimed = await repo.claimDueCases('2026-02-01T00:00:00.000Z', 'me', '2026-02-01T00:01:00.000Z', 10);
    expect(claimed.map((c) => c.reference)).toEqual([m.state.reference]);
    expect(sync()).toBe(2);
    expect(repo.connection.prepare('SELECT reference, owner, until FROM leases').all()).toEqual([
      { reference: m.state.reference, owner: 'me', until: '2026-02-01T00:01:00.000Z' },
    ]);
    expect(await repo.claimDueCases('2026-02-01T00:00:00.000Z', 'other', '2026-02-01T00:01:00.000Z', 10)).toEqual([]);
    expect(sync()).toBe(2);
    await repo.close();
  });

  test('a full disk: the write is refused in plain words and nothing already stored is lost', async () => {
    file = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'full.sqlite');
    const repo = SqliteRepository.open(file);
    const first = raised(1);
    await repo.createCase({ state: first.state, events: first.events });
    // Cap the file at its current size: the next write has nowhere to go, as on a full disk.
    const pages = repo.connection.pragma('page_count', { simple: true }) as number;
    repo.connection.pragma(`max_page_count = ${pages}`);
    let state = first.state;
    let version = 2;
    let refused: unknown;
    for (let i = 0; i < 40 && !refused; i++) {
      const next = act(
        state,
        { type: 'add-note', actor: worker, text: `${i} ${'x'.repeat(3900)}` },
        `2026-11-20T11:${String(i).padStart(2, '0')}:00Z`,
      );
      try {
        await repo.appendEvents({
          reference: first.state.reference,
          expectedVersion: version,
          events: next.events,
          state: next.state,
        });
        state = next.state;
        version++;
      } catch (error) {
        refused = error;
      }
    }
    expect(refused).toEqual(expect.objectContaining({ code: 'storage-full' }));
    expect(String((refused as Error).message)).toMatch(/full .*Nothing was saved and nothing stored was lost/);
    const stored = await repo.getCase(first.state.reference);
    expect(stored?.version).toBe(version);
    expect((await repo.getEvents(first.state.reference)).length).toBe(version);
    await repo.close();
    // Reopened with room again, the record is whole and takes writes.
    const again = SqliteRepository.open(file);
    expect((await again.getCase(first.state.reference))?.version).toBe(version);
    await again.close();
  });

  test('migration 4 makes the two logs; the security log keeps only its newest entries, the access log cannot be rewritten', async () => {
    file = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'logs.sqlite');
    const repo = SqliteRepository.open(file, { securityLogCap: 5 });
    const versions = repo.connection.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{
      version: number;
    }>;
    expect(versions.map((v) => v.version)).toContain(4);
    for (let i = 0; i < 12; i++)
      await repo.recordSecurityEvent({
        at: `2026-11-20T10:${String(i).padStart(2, '0')}:00.000Z`,
        kind: 'unknown-command',
        action: 'unknown',
      });
    const kept = await repo.securityEvents();
    expect(kept.map((e) => e.at.slice(11, 16))).toEqual(['10:11', '10:10', '10:09', '10:08', '10:07']);
    expect(repo.connection.prepare('SELECT COUNT(*) AS n FROM security_log').get()).toEqual({ n: 5 });
    await repo.recordAccess({
      at: '2026-11-20T10:00:00.000Z',
      reference: 'NS-2026-0001',
      personId: 'ann',
      agencyId: 'council',
      what: 'personal-details',
    });
    expect(() => repo.connection.prepare("UPDATE access_log SET person_id = 'someone-else'").run()).toThrow(
      /append-only/,
    );
    expect(() => repo.connection.prepare('DELETE FROM access_log').run()).toThrow(/append-only/);
    await repo.close();
  });

  test("migration 9 lists the agencies of cases stored before it, so each agency's open cases include them", async () => {
    file = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'agencies.sqlite');
    const repo = SqliteRepository.open(file);
    const m = raised(90);
    await repo.createCase({ state: m.state, events: m.events });
    await repo.close();
    // The file as it was before migration 9.
    raw((db) =>
      db.exec(
        'DROP INDEX cases_open_board; DROP TABLE case_agencies; DELETE FROM schema_migrations WHERE version = 9;',
      ),
    );
    const again = SqliteRepository.open(file);
    expect((await again.openCasesOfAgency('trust')).map((c) => c.reference)).toEqual(['NS-2026-0090']);
    expect((await again.openCasesOfAgency('council')).map((c) => c.reference)).toEqual(['NS-2026-0090']);
    await again.close();
  });

  test('claimed requests are kept 30 days, then removed: the table does not grow for ever', async () => {
    const repo = SqliteRepository.open(join(mkdtempSync(join(tmpdir(), 'claims-')), 'c.sqlite'));
    const day = (n: number): string => new Date(Date.UTC(2026, 10, 1 + n, 10)).toISOString();
    expect(await repo.claimRequest('slack-signature', 'old', day(0))).toBe(true);
    expect(await repo.claimRequest('slack-signature', 'recent', day(20))).toBe(true);
    for (let i = 0; i < 1000; i++) await repo.claimRequest('slack-signature', `k${i}`, day(31));
    const kept = (repo.connection.prepare('SELECT key FROM requests').all() as Array<{ key: string }>).map(
      (r) => r.key,
    );
    expect(kept).not.toContain('old');
    expect(kept).toContain('recent');
    expect(await repo.claimRequest('slack-signature', 'recent', day(31))).toBe(false);
    await repo.close();
  });

  test('a file that is not a database is refused in words', () => {
    file = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'not-a-db.sqlite');
    writeFileSync(file, 'this is a spreadsheet, not a database'.repeat(200));
    expect(() => SqliteRepository.open(file)).toThrow(/damaged or is not a database/);
  });

  test('the due query reads the due index, not every open case', () => {
    file = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'plan.sqlite');
    const repo = SqliteRepository.open(file);
    const plan = repo.connection.prepare(`EXPLAIN QUERY PLAN ${DUE_QUERY}`).all('2026-01-01', 10) as Array<{
      detail: string;
    }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX cases_due/);
    // The sweeper's claim too: its cost follows the number due, not the number stored.
    const claim = repo.connection
      .prepare(`EXPLAIN QUERY PLAN ${CLAIM_DUE_QUERY}`)
      .all('2026-01-01', '2026-01-01', 'me', 10) as Array<{ detail: string }>;
    expect(claim.map((p) => p.detail).join(' ')).toMatch(/USING INDEX cases_due/);
    expect(claim.map((p) => p.detail).join(' ')).not.toMatch(/SCAN c\b/);
    void repo.close();
  });
});

describe('SQLite: the sweeper’s batches (a file on disk)', () => {
  sweepContract({
    open: () => {
      file = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'data', 'escalations.sqlite');
      return Promise.resolve(SqliteRepository.open(file));
    },
    tamper: {
      corruptCase: (reference) =>
        Promise.resolve(
          raw((db) => void db.prepare("UPDATE cases SET state = '{not json' WHERE reference = ?").run(reference)),
        ),
    },
  });
});

describe('SQLite: cases stored by an earlier release brought up to date (a file on disk)', () => {
  restateContract({
    open: () => {
      file = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'data', 'escalations.sqlite');
      return Promise.resolve(SqliteRepository.open(file));
    },
    reopen: () => Promise.resolve(SqliteRepository.open(file)),
    tamper: {
      rewriteEvent: (reference, seq, change) =>
        Promise.resolve(
          raw((db) => {
            const row = db.prepare('SELECT body FROM events WHERE reference = ? AND seq = ?').get(reference, seq) as {
              body: string;
            };
            db.exec('DROP TRIGGER IF EXISTS events_no_update');
            db.prepare('UPDATE events SET body = ? WHERE reference = ? AND seq = ?').run(
              JSON.stringify(change(JSON.parse(row.body) as CaseEvent)),
              reference,
              seq,
            );
          }),
        ),
    },
  });
});
