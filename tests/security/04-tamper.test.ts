/**
 * Finding 4: tamper evidence against an informed insider. A store is built through the real case
 * service (and the deadline sweeper), with every kind of stage and record; then each kind of edit
 * an insider with the database file (and this code, but not AUDIT_KEY) could make is applied to a
 * fresh copy, and `audit verify` is run on it exactly as an administrator runs it, in a child
 * process. Each must be found, by name; the untouched store, and one after a failed write, verify
 * clean.
 */
import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { CaseService } from '../../src/app/case-service';
import { demoDirectory } from '../../src/app/demo';
import { loadProcedures } from '../../src/app/procedures';
import { canonicalJson } from '../../src/app/store/chain';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import { Sweeper } from '../../src/app/sweeper';
import {
  calendarFor,
  nextTimerAt,
  replay,
  type Actor,
  type CaseEvent,
  type CaseState,
} from '../../src/domain/escalation';
import type { Procedure } from '../../src/domain/procedure';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';

jest.setTimeout(240_000);

const ROOT = resolve(__dirname, '..', '..');
const KEY = Buffer.alloc(32, 7);
const vault = new PersonalDataVault(KEY);
const procedures = loadProcedures();
const dir = mkdtempSync(join(tmpdir(), 'tamper-'));
const base = join(dir, 'base.sqlite');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const council = 'north-somerset-council';
const trust = 'avon-nhs-trust';
const who = (personId: string, agencyId: string, ...roles: string[]): Actor => ({ personId, agencyId, roles });
const ann = who('ann', council, 'practitioner');
const ben = who('ben', trust, 'practitioner');
const eve = who('eve', council, 'second-tier-manager');
const rep = (id: string, agency: string): Actor =>
  who(id, agency, 'board-representative', 'senior-manager', 'second-tier-manager', 'line-manager');
const ivy = rep('ivy', council);
const jon = rep('jon', trust);
// The board's own people (no directory here: their board says which cases are theirs).
const kim: Actor = { ...who('kim', 'nssab', 'board-business-manager'), boards: ['north-somerset'] };
const lee: Actor = { ...who('lee', 'nssab', 'panel'), boards: ['north-somerset'] };

const raiseBy = (actor: Actor, personal?: boolean, key?: string) => ({
  boardId: 'north-somerset',
  command: {
    type: 'raise' as const,
    actor,
    immediateRisk: false,
    respondingAgency: { id: trust },
    respondingPersonId: 'ben',
    form: {
      initials: 'ZQ',
      category: 'case-closure',
      summary: 'The trust closed the case.',
      outcomeWanted: 'Reopen it.',
      safetyMeanwhile: 'Daily visits.',
    },
  },
  ...(personal ? { personal: { name: 'Zebedee Quartermaine', dateOfBirth: '1941-02-03' } } : {}),
  ...(key ? { idempotencyKey: key } : {}),
});

// ── the store an insider finds ──────────────────────────────────────────────────────────

let now = new Date('2026-11-20T10:00:00Z');
const at = (iso: string): void => {
  now = new Date(iso);
};

async function buildStore(): Promise<void> {
  const repo = SqliteRepository.open(base);
  const service = new CaseService(repo, procedures, vault, () => now);
  const must = async (p: Promise<{ ok: boolean }>): Promise<void> => {
    const outcome = await p;
    if (!outcome.ok) throw new Error(`refused: ${JSON.stringify(outcome)}`);
  };
  // 0001: open at stage 2 after an escalation; a refusal on record; details sealed; a submission key.
  await must(service.raise(raiseBy(ann, true, 'slack:view:V0001')));
  at('2026-11-20T11:00:00Z');
  await service.act('NS-2026-0001', { type: 'acknowledge', actor: eve }); // not eve's to give: on record
  await must(service.act('NS-2026-0001', { type: 'acknowledge', actor: ben }));
  await must(service.act('NS-2026-0001', { type: 'add-note', actor: ben, text: 'Called the GP.' }));
  at('2026-11-20T12:00:00Z');
  await must(service.act('NS-2026-0001', { type: 'request-escalation', actor: ann, reason: 'Closed too soon.' }));
  await must(service.act('NS-2026-0001', { type: 'approve-escalation', actor: eve }));
  // 0002: resolved by agreement.
  at('2026-11-20T13:00:00Z');
  await must(service.raise(raiseBy(ann)));
  await must(service.act('NS-2026-0002', { type: 'acknowledge', actor: ben }));
  await must(
    service.act('NS-2026-0002', {
      type: 'propose-resolution',
      actor: ann,
      outcome: 'Reopened.',
      outstandingIssues: 'None.',
    }),
  );
  await must(service.act('NS-2026-0002', { type: 'confirm-resolution', actor: ben }));
  // 0003: withdrawn.
  await must(service.raise(raiseBy(ann)));
  await must(service.act('NS-2026-0003', { type: 'withdraw', actor: ann, reason: 'Raised in error.' }));
  // 0004: the final stage, a binding decision.
  await must(service.raise(raiseBy(ivy)));
  await must(service.act('NS-2026-0004', { type: 'request-escalation', actor: ivy, reason: 'r1' }));
  await must(service.act('NS-2026-0004', { type: 'request-escalation', actor: jon, reason: 'r2' }));
  await must(service.act('NS-2026-0004', { type: 'request-escalation', actor: ivy, reason: 'r3' }));
  at('2026-11-23T10:00:00Z');
  await must(service.act('NS-2026-0004', { type: 'request-escalation', actor: jon, reason: 'r4' }));
  await must(service.act('NS-2026-0004', { type: 'approve-escalation', actor: kim }));
  await must(service.act('NS-2026-0004', { type: 'record-final-decision', actor: lee, decision: 'Reopen the case.' }));
  // 0005: a disputed proposal, details given then erased, a document issued.
  at('2026-11-23T11:00:00Z');
  await must(service.raise(raiseBy(ann, true)));
  await must(service.act('NS-2026-0005', { type: 'acknowledge', actor: ben }));
  await must(
    service.act('NS-2026-0005', { type: 'propose-resolution', actor: ann, outcome: 'Close.', outstandingIssues: '-' }),
  );
  await must(service.act('NS-2026-0005', { type: 'dispute-resolution', actor: ben, reason: 'Not yet.' }));
  await must(service.recordPersonalDetails('NS-2026-0005', ann, { name: 'Zebedee Quartermaine' }));
  await service.recordDocumentIssued('NS-2026-0005', ann, 'stage-record', 'pdf', false);
  await must(service.erasePersonalDetails('NS-2026-0005', who('board', 'board'), 'Erasure request SAR-1'));
  // 0006: left alone, so the deadline sweeper reminds and nudges (timer events).
  await must(service.raise(raiseBy(ann)));
  const directory = demoDirectory(procedures.values());
  at('2026-11-25T10:00:00Z');
  await new Sweeper({ repo, directory, clock: () => now, owner: 'test' }).tick();
  await repo.close();
}

// ── what an insider can do with the file and this code, but without AUDIT_KEY ─────────────

interface EventRow {
  reference: string;
  seq: number;
  body: string;
  prev_hash: string;
  hash: string;
}

const plainHash = (reference: string, seq: number, prev: string, event: CaseEvent): string =>
  createHash('sha256')
    .update(`${prev}\n${reference}\n${seq}\n${canonicalJson(event)}`)
    .digest('hex');
const ownKeyHash = (reference: string, seq: number, prev: string, event: CaseEvent): string =>
  createHmac('sha256', Buffer.alloc(32, 66))
    .update(`${prev}\n${reference}\n${seq}\n${canonicalJson(event)}`)
    .digest('hex');

function unlock(db: Database.Database): void {
  db.pragma('foreign_keys = OFF');
  for (const t of ['events_no_update', 'events_no_delete', 'checkpoints_no_update', 'checkpoints_no_delete'])
    db.exec(`DROP TRIGGER IF EXISTS ${t}`);
}

function eventsOf(db: Database.Database, reference: string): EventRow[] {
  return db.prepare('SELECT * FROM events WHERE reference = ? ORDER BY seq').all(reference) as EventRow[];
}

/** Write a case's events from `from` on again, each hashed by `hash`, and its record to match. */
function rechain(
  db: Database.Database,
  reference: string,
  events: CaseEvent[],
  hash: typeof plainHash = plainHash,
): void {
  db.prepare('DELETE FROM events WHERE reference = ?').run(reference);
  let prev = '0'.repeat(64);
  events.forEach((event, i) => {
    const h = hash(reference, i + 1, prev, event);
    db.prepare('INSERT INTO events (reference, seq, type, at, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      reference,
      i + 1,
      event.type,
      event.at,
      JSON.stringify(event),
      prev,
      h,
    );
    prev = h;
  });
  rewriteCase(db, reference, events, prev);
}

/** Make the case record exactly what `events` give, as the bot itself would have stored it. */
function rewriteCase(db: Database.Database, reference: string, events: CaseEvent[], lastHash: string): void {
  const state = replay(events) as CaseState;
  db.prepare('UPDATE cases SET status = ?, version = ?, due_at = ?, last_hash = ?, state = ? WHERE reference = ?').run(
    state.status,
    events.length,
    nextTimerAt(state, calendarFor(state.procedure)) ?? null,
    lastHash,
    JSON.stringify(state),
    reference,
  );
}

function editState(db: Database.Database, reference: string, change: (s: CaseState) => CaseState): void {
  const row = db.prepare('SELECT state FROM cases WHERE reference = ?').get(reference) as { state: string };
  db.prepare('UPDATE cases SET state = ? WHERE reference = ?').run(
    JSON.stringify(change(JSON.parse(row.state) as CaseState)),
    reference,
  );
}

function deleteCase(db: Database.Database, reference: string): void {
  for (const table of ['events', 'case_people', 'personal_details', 'threads', 'leases', 'cases'])
    db.prepare(`DELETE FROM ${table} WHERE reference = ?`).run(reference);
}

/** A stored event with the procedure it refers to put back (src/store/procedure-refs.ts), as this code reads it. */
function expanded(db: Database.Database, event: CaseEvent): CaseEvent {
  const ref = (event as { procedure?: { $procedure?: string } }).procedure?.$procedure;
  if (ref === undefined) return event;
  const row = db.prepare('SELECT body FROM procedures WHERE key = ?').get(ref) as { body: string };
  return { ...event, procedure: JSON.parse(row.body) as Procedure } as CaseEvent;
}

const bodies = (db: Database.Database, reference: string): CaseEvent[] =>
  eventsOf(db, reference).map((e) => expanded(db, JSON.parse(e.body) as CaseEvent));

interface Tampering {
  name: string;
  /** The kind of break verify must name, and the case it must name ('store' for the anchor, '*' any). */
  expect: { kind: string; reference: string };
  apply(db: Database.Database): void;
  /** Extra arguments to `audit verify` (a checkpoint recorded outside the store). */
  args?: (latest: string) => string[];
}

const A = 'NS-2026-0001';
const B = 'NS-2026-0002';

const TAMPERINGS: Tampering[] = [
  {
    name: 'edit an event body and re-chain with plain SHA-256',
    expect: { kind: 'forged-event', reference: A },
    apply: (db) => {
      const events = bodies(db, A).map((e) => (e.type === 'note-added' ? { ...e, text: 'Nobody called anyone.' } : e));
      rechain(db, A, events);
    },
  },
  {
    name: 'edit an event and leave its hash',
    expect: { kind: 'event-edited', reference: A },
    apply: (db) =>
      db
        .prepare("UPDATE events SET body = replace(body, 'Called the GP.', 'Did not call.') WHERE reference = ?")
        .run(A),
  },
  {
    name: 'delete an event from the middle',
    expect: { kind: 'event-missing', reference: A },
    apply: (db) => db.prepare('DELETE FROM events WHERE reference = ? AND seq = 3').run(A),
  },
  {
    name: "delete the last event and fix the case's version, last hash and state",
    expect: { kind: 'rolled-back', reference: A },
    apply: (db) => {
      const rows = eventsOf(db, A);
      const last = rows[rows.length - 1] as EventRow;
      db.prepare('DELETE FROM events WHERE reference = ? AND seq = ?').run(A, last.seq);
      rewriteCase(db, A, bodies(db, A), last.prev_hash);
    },
  },
  {
    name: 'reorder two events',
    expect: { kind: 'chain-broken', reference: A },
    apply: (db) => {
      db.prepare('UPDATE events SET seq = 100 WHERE reference = ? AND seq = 4').run(A);
      db.prepare('UPDATE events SET seq = 4 WHERE reference = ? AND seq = 5').run(A);
      db.prepare('UPDATE events SET seq = 5 WHERE reference = ? AND seq = 100').run(A);
    },
  },
  {
    name: 'forge an appended event with the versions bumped (hashed without the key)',
    expect: { kind: 'forged-event', reference: A },
    apply: (db) => {
      const rows = eventsOf(db, A);
      const last = rows[rows.length - 1] as EventRow;
      const events = bodies(db, A);
      const forged = {
        ...(events.find((e) => e.type === 'note-added') as CaseEvent),
        at: '2026-11-24T09:00:00.000Z',
      };
      const seq = last.seq + 1;
      const hash = plainHash(A, seq, last.hash, forged);
      db.prepare(
        'INSERT INTO events (reference, seq, type, at, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(A, seq, forged.type, forged.at, JSON.stringify(forged), last.hash, hash);
      rewriteCase(db, A, [...events, forged], hash);
    },
  },
  {
    name: 'change the stored status to resolved',
    expect: { kind: 'state-mismatch', reference: A },
    apply: (db) => {
      db.prepare("UPDATE cases SET status = 'resolved' WHERE reference = ?").run(A);
      editState(db, A, (s) => ({ ...s, status: 'resolved' }));
    },
  },
  {
    name: 'change the parties',
    expect: { kind: 'state-mismatch', reference: A },
    apply: (db) => {
      editState(db, A, (s) => ({
        ...s,
        responding: { agencyId: 'police', personId: 'gus' },
        participants: [...s.participants, 'gus'],
      }));
      db.prepare("INSERT INTO case_people (person_id, reference) VALUES ('gus', ?)").run(A);
    },
  },
  {
    name: 'change the stage',
    expect: { kind: 'state-mismatch', reference: A },
    apply: (db) => editState(db, A, (s) => ({ ...s, stages: s.stages.slice(0, 1) })),
  },
  {
    name: 'change due_at to null (silences the sweeper)',
    expect: { kind: 'record-mismatch', reference: A },
    apply: (db) => db.prepare('UPDATE cases SET due_at = NULL WHERE reference = ?').run(A),
  },
  {
    name: 'change the board',
    expect: { kind: 'state-mismatch', reference: A },
    apply: (db) => {
      db.prepare("UPDATE cases SET board_id = 'camden' WHERE reference = ?").run(A);
      editState(db, A, (s) => ({ ...s, boardId: 'camden' }));
    },
  },
  {
    name: "swap two cases' events",
    expect: { kind: 'event-edited', reference: B },
    apply: (db) => {
      db.prepare("UPDATE events SET reference = 'swap' WHERE reference = ?").run(A);
      db.prepare('UPDATE events SET reference = ? WHERE reference = ?').run(A, B);
      db.prepare("UPDATE events SET reference = ? WHERE reference = 'swap'").run(B);
      const a = eventsOf(db, A);
      const b = eventsOf(db, B);
      rewriteCase(db, A, bodies(db, A), (a[a.length - 1] as EventRow).hash);
      rewriteCase(db, B, bodies(db, B), (b[b.length - 1] as EventRow).hash);
    },
  },
  {
    name: 'copy an event (with its hash) from another case',
    expect: { kind: 'event-edited', reference: A },
    apply: (db) => {
      const rows = eventsOf(db, A);
      const last = rows[rows.length - 1] as EventRow;
      const other = eventsOf(db, B).find((e) => e.body.includes('resolution-proposed')) as EventRow;
      db.prepare(
        'INSERT INTO events (reference, seq, type, at, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(A, last.seq + 1, 'resolution-proposed', '2026-11-24T09:00:00.000Z', other.body, last.hash, other.hash);
      rewriteCase(db, A, bodies(db, A), other.hash);
    },
  },
  {
    name: 'delete a whole case (its record and events)',
    expect: { kind: 'case-deleted', reference: B },
    apply: (db) => deleteCase(db, B),
  },
  {
    name: 'delete every case',
    expect: { kind: 'case-deleted', reference: A },
    apply: (db) => {
      for (const { reference } of db.prepare('SELECT reference FROM cases').all() as Array<{ reference: string }>)
        deleteCase(db, reference);
    },
  },
  {
    name: 'truncate a timeline (its last events deleted, the case left as it was)',
    expect: { kind: 'timeline-truncated', reference: A },
    apply: (db) => db.prepare('DELETE FROM events WHERE reference = ? AND seq > 4').run(A),
  },
  {
    name: 'roll a case back to an earlier version, consistently',
    expect: { kind: 'rolled-back', reference: A },
    apply: (db) => {
      const rows = eventsOf(db, A);
      db.prepare('DELETE FROM events WHERE reference = ? AND seq > 3').run(A);
      db.prepare("DELETE FROM case_people WHERE reference = ? AND person_id = 'eve'").run(A);
      rewriteCase(db, A, bodies(db, A), (rows[2] as EventRow).hash);
    },
  },
  {
    name: 'edit a checkpoint',
    expect: { kind: 'anchor-broken', reference: 'store' },
    apply: (db) => db.prepare('UPDATE checkpoints SET version = version - 1 WHERE seq = 3').run(),
  },
  {
    name: 'delete the latest checkpoints',
    expect: { kind: 'not-anchored', reference: '*' },
    apply: (db) => db.prepare('DELETE FROM checkpoints WHERE seq > (SELECT MAX(seq) - 3 FROM checkpoints)').run(),
  },
  {
    name: "change the case count (the latest checkpoint's)",
    expect: { kind: 'anchor-broken', reference: 'store' },
    apply: (db) =>
      db.prepare('UPDATE checkpoints SET cases = cases - 1 WHERE seq = (SELECT MAX(seq) FROM checkpoints)').run(),
  },
  {
    name: 'edit the stored procedure the cases were raised under (stored once, referred to by each case)',
    expect: { kind: 'event-edited', reference: '*' },
    apply: (db) => {
      db.exec('DROP TRIGGER IF EXISTS procedures_no_update');
      for (const row of db.prepare('SELECT key, body FROM procedures').all() as Array<{ key: string; body: string }>) {
        const procedure = JSON.parse(row.body) as Procedure;
        const stages = procedure.stages.map((stage, i) => (i === 0 ? { ...stage, name: 'Skip to the end' } : stage));
        db.prepare('UPDATE procedures SET body = ? WHERE key = ?').run(
          JSON.stringify({ ...procedure, stages }),
          row.key,
        );
      }
    },
  },
  {
    name: 'add a case behind the bot’s back (a copy of another, hashed without the key)',
    expect: { kind: 'forged-event', reference: 'NS-2026-0099' },
    apply: (db) => {
      const copy = bodies(db, B).map((e) => (e.type === 'case-raised' ? { ...e, reference: 'NS-2026-0099' } : e));
      db.prepare(
        "INSERT INTO cases SELECT 'NS-2026-0099', board_id, status, version, raised_at, due_at, last_hash, NULL, state, updated_at FROM cases WHERE reference = ?",
      ).run(B);
      rechain(db, 'NS-2026-0099', copy);
    },
  },
  {
    name: 'edit the idempotency key',
    expect: { kind: 'idempotency-mismatch', reference: A },
    apply: (db) => db.prepare("UPDATE cases SET idempotency_key = 'slack:view:OTHER' WHERE reference = ?").run(A),
  },
  {
    name: 'move the sealed personal details to another case (their reference binding)',
    expect: { kind: 'personal-details-altered', reference: B },
    apply: (db) => db.prepare('UPDATE personal_details SET reference = ? WHERE reference = ?').run(B, A),
  },
  {
    name: 'delete the whole anchor',
    expect: { kind: 'anchor-missing-checkpoint', reference: 'store' },
    apply: (db) => db.prepare('DELETE FROM checkpoints').run(),
  },
  {
    name: "re-chain an edited timeline under the insider's own HMAC key",
    expect: { kind: 'event-edited', reference: A },
    apply: (db) =>
      rechain(
        db,
        A,
        bodies(db, A).map((e) => (e.type === 'note-added' ? { ...e, text: 'Nothing.' } : e)),
        ownKeyHash,
      ),
  },
  {
    name: 'delete a case record and leave its events',
    expect: { kind: 'case-missing', reference: B },
    apply: (db) => {
      db.prepare('DELETE FROM case_people WHERE reference = ?').run(B);
      db.prepare('DELETE FROM cases WHERE reference = ?').run(B);
    },
  },
  {
    name: 'change the number of notes in the stored state',
    expect: { kind: 'state-mismatch', reference: A },
    apply: (db) => editState(db, A, (s) => ({ ...s, notes: 0 })),
  },
  {
    name: 'mark a timer delivered that was never sent',
    expect: { kind: 'state-mismatch', reference: 'NS-2026-0006' },
    apply: (db) =>
      editState(db, 'NS-2026-0006', (s) => ({
        ...s,
        timers: { fired: [...(s.timers?.fired ?? []), 'x'], delivered: [...(s.timers?.delivered ?? []), 'x'] },
      })),
  },
  {
    name: 'roll a case back and cut the anchor back with it (seen against a checkpoint kept outside the store)',
    expect: { kind: 'anchor-missing-checkpoint', reference: 'store' },
    apply: (db) => {
      const last = db.prepare('SELECT reference, seq FROM checkpoints ORDER BY seq DESC LIMIT 1').get() as {
        reference: string;
        seq: number;
      };
      const rows = eventsOf(db, last.reference);
      db.prepare('DELETE FROM checkpoints WHERE seq = ?').run(last.seq);
      const before = db
        .prepare('SELECT version FROM checkpoints WHERE reference = ? ORDER BY seq DESC LIMIT 1')
        .get(last.reference) as { version: number };
      db.prepare('DELETE FROM events WHERE reference = ? AND seq > ?').run(last.reference, before.version);
      rewriteCase(db, last.reference, bodies(db, last.reference), (rows[before.version - 1] as EventRow).hash);
    },
    args: (latest) => ['--checkpoint', latest],
  },
];

// ── running `audit verify` as an administrator does ──────────────────────────────────────

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function verify(file: string, extra: string[] = []): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'src', 'cli', 'main.ts'), 'audit', 'verify', '--db', file, ...extra],
      {
        cwd: dir,
        env: { ...process.env, NODE_ENV: 'development', PERSONAL_DATA_KEY: KEY.toString('base64'), AUDIT_KEY: '' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

/** Run `work` over `items`, two at a time (each is a Node process). */
async function inPairs<T, R>(items: readonly T[], work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T, i);
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

function freshCopy(name: string): string {
  const file = join(dir, `${name}.sqlite`);
  copyFileSync(base, file);
  return file;
}

let latestCheckpoint = '';

describe('audit verify against an informed insider (a real SQLite file, the real CLI)', () => {
  beforeAll(async () => {
    await buildStore();
  });

  test('the untouched store verifies clean, every case checked, and names its latest checkpoint', async () => {
    const clean = await verify(freshCopy('clean'));
    expect(clean.stderr).toBe('');
    expect(clean.status).toBe(0);
    expect(clean.stdout).toMatch(/^ok: 6 cases and \d+ events verified; every timeline is whole and unaltered\n/);
    const latest = /the latest (\d+) sealed ([0-9a-f]{16})/.exec(clean.stdout);
    expect(latest).not.toBeNull();
    latestCheckpoint = `${latest?.[1]}:${latest?.[2]}`;
    // The store holds every kind of record: timer events from the sweeper too.
    const db = new Database(base, { readonly: true });
    const types = (db.prepare('SELECT DISTINCT type FROM events').all() as Array<{ type: string }>).map((r) => r.type);
    db.close();
    for (const type of [
      'case-raised',
      'command-refused',
      'stage-acknowledged',
      'note-added',
      'escalation-requested',
      'escalation-approved',
      'stage-entered',
      'resolution-proposed',
      'resolution-confirmed',
      'case-resolved',
      'resolution-disputed',
      'case-withdrawn',
      'final-decision-recorded',
      'personal-details-recorded',
      'document-issued',
      'personal-data-erased',
      'timer-fired',
      // The reminder of the day its deadline passed: recorded skipped, the nudge says it.
      'timer-skipped',
    ])
      expect(types).toContain(type);
  });

  test('a write that fails half-way leaves nothing to find', async () => {
    const file = freshCopy('failed-write');
    const repo = SqliteRepository.open(file);
    // The anchor refuses the checkpoint, as a crash inside the transaction would stop it.
    repo.connection.exec(
      "CREATE TEMP TRIGGER fail_checkpoint BEFORE INSERT ON main.checkpoints BEGIN SELECT RAISE(ABORT, 'crash'); END",
    );
    const service = new CaseService(repo, procedures, vault, () => now);
    await expect(service.act(A, { type: 'add-note', actor: ann, text: 'Lost.' })).rejects.toThrow();
    await repo.close();
    const run = await verify(file);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  test('every kind of tampering is found and named; the report lists every break', async () => {
    expect(TAMPERINGS.length).toBeGreaterThanOrEqual(22);
    const outcomes = await inPairs(TAMPERINGS, async (t, i) => {
      const file = freshCopy(`tamper-${i}`);
      const db = new Database(file);
      let applied = true;
      try {
        unlock(db);
        db.transaction(() => t.apply(db))();
      } catch (error) {
        applied = false;
        t.name += ` (could not be applied: ${error instanceof Error ? error.message : String(error)})`;
      } finally {
        db.close();
      }
      const run = await verify(file, t.args?.(latestCheckpoint) ?? []);
      const named = run.stderr
        .split('\n')
        .some(
          (line) =>
            line.startsWith('BROKEN: ') &&
            (t.expect.reference === '*' ||
              line.includes(t.expect.reference === 'store' ? 'the store' : `case ${t.expect.reference}`)) &&
            line.endsWith(`(${t.expect.kind})`),
        );
      return { name: t.name, detected: applied && run.status === 1 && named, status: run.status, stderr: run.stderr };
    });
    const detected = outcomes.filter((o) => o.detected).length;
    process.stdout.write(`tamper suite: detected ${detected} of ${outcomes.length}\n`);
    const missed = outcomes.filter((o) => !o.detected).map((o) => `${o.name} → exit ${o.status}: ${o.stderr}`);
    expect(missed).toEqual([]);
    // Every break is listed: deleting every case names each of the six.
    const all = outcomes[TAMPERINGS.findIndex((t) => t.name === 'delete every case')];
    expect(all?.stderr.match(/\(case-deleted\)$/gm)?.length).toBe(6);
  });

  test('a store from before the audit key is reported by name, not crashed on', async () => {
    const file = freshCopy('legacy');
    const db = new Database(file);
    unlock(db);
    // As the landed code left it: no anchor (migration 5) and every event hashed without a key.
    db.exec('DROP TABLE checkpoints; DELETE FROM schema_migrations WHERE version = 5');
    const references = (db.prepare('SELECT reference FROM cases').all() as Array<{ reference: string }>).map(
      (r) => r.reference,
    );
    db.transaction(() => {
      for (const reference of references) rechain(db, reference, bodies(db, reference));
    })();
    db.close();
    const run = await verify(file);
    expect(run.status).toBe(1);
    expect(run.stderr.match(/hashed without the audit key: either recorded before it.*\(not-keyed\)$/gm)?.length).toBe(
      6,
    );
    expect(run.stderr).not.toMatch(/forged-event|anchor-missing-checkpoint|at .*\.ts:\d+/);
  });

  test('--json gives the same report for a program to read', async () => {
    const file = freshCopy('json');
    const db = new Database(file);
    unlock(db);
    db.prepare("UPDATE cases SET status = 'resolved' WHERE reference = ?").run(A);
    db.prepare('DELETE FROM events WHERE reference = ? AND seq > 3').run(B);
    db.close();
    const run = await verify(file, ['--json']);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as {
      ok: boolean;
      checked: number;
      findings: Array<{ kind: string; reference: string }>;
    };
    expect(report.ok).toBe(false);
    expect(report.checked).toBe(6);
    expect(report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reference: A, kind: 'record-mismatch' }),
        expect.objectContaining({ reference: B, kind: 'timeline-truncated' }),
      ]),
    );
    // Nothing of the adult's is ever shown.
    expect(run.stdout).not.toMatch(/Zebedee|Quartermaine|1941/);
  });
});
