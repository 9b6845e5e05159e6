import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CaseService } from '../../src/app/case-service';
import { loadProcedures } from '../../src/app/procedures';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import type { Actor } from '../../src/domain/escalation';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { runCli, type CliRun } from '../fakes/cli';

const procedures = loadProcedures();
const vault = new PersonalDataVault(Buffer.alloc(32, 5));
const KEY = Buffer.alloc(32, 5).toString('base64');

const ann: Actor = { personId: 'ann', agencyId: 'council', roles: ['practitioner'] };
const ben: Actor = { personId: 'ben', agencyId: 'trust', roles: ['practitioner'] };
const gus: Actor = { personId: 'gus', agencyId: 'police', roles: ['practitioner'] };
const form = {
  initials: 'ZQ',
  category: 'case-closure',
  summary: 'The trust closed the case.',
  outcomeWanted: 'Reopen it.',
  safetyMeanwhile: 'Daily visits.',
};
const raiseRequest = (key?: string) => ({
  boardId: 'north-somerset',
  command: {
    type: 'raise' as const,
    actor: ann,
    immediateRisk: false,
    respondingAgency: { id: 'trust' },
    respondingPersonId: 'ben',
    form,
  },
  personal: { name: 'Zebedee Quartermaine', dateOfBirth: '1941-02-03', address: '1 Sea View, Weston' },
  ...(key ? { idempotencyKey: key } : {}),
});

const cli = (args: string[]): CliRun => runCli(args, { PERSONAL_DATA_KEY: KEY, NODE_ENV: 'development' });

describe('the case service on the embedded store', () => {
  let file: string;
  let repo: SqliteRepository;
  let service: CaseService;
  let now: Date;

  beforeEach(() => {
    file = join(mkdtempSync(join(tmpdir(), 'service-')), 'escalations.sqlite');
    repo = SqliteRepository.open(file);
    now = new Date('2026-11-20T10:00:00Z');
    service = new CaseService(repo, procedures, vault, () => now);
  });
  afterEach(async () => {
    await repo.close();
  });

  test('raising numbers cases per board and year, stores the adult’s details sealed, and a retried submission makes no second case', async () => {
    const first = await service.raise(raiseRequest('teams:activity:1'));
    const retry = await service.raise(raiseRequest('teams:activity:1'));
    const second = await service.raise(raiseRequest());
    if (!first.ok || !retry.ok || !second.ok) throw new Error('refused');
    // A retry takes no case number: the next case is 0002, with no gap.
    expect([first.case.reference, first.created, retry.case.reference, retry.created, second.case.reference]).toEqual([
      'NS-2026-0001',
      true,
      'NS-2026-0001',
      false,
      'NS-2026-0002',
    ]);
    // Stage 1 is due by 5pm Monday; Friday's reminder would have come before the case existed, so
    // the sweeper next looks at the case at 9am Monday, for the reminder on the morning of the day.
    expect(first.case.state.stages[0]?.deadlines[0]?.at).toBe('2026-11-23T17:00:00.000Z');
    expect(first.case.dueAt).toBe('2026-11-23T09:00:00.000Z');
    const raw = new Database(file, { readonly: true });
    const everything = JSON.stringify([
      raw.prepare('SELECT * FROM cases').all(),
      raw.prepare('SELECT * FROM events').all(),
      raw.prepare('SELECT * FROM personal_details').all(),
    ]);
    raw.close();
    expect(everything).not.toMatch(/Zebedee|Quartermaine|Sea View|1941-02-03/);
    const seen = await service.personalDetails('NS-2026-0001', ben);
    expect(seen).toEqual({
      ok: true,
      details: { name: 'Zebedee Quartermaine', dateOfBirth: '1941-02-03', address: '1 Sea View, Weston' },
    });
    const refused = await service.personalDetails('NS-2026-0001', gus);
    expect(!refused.ok && refused.refusal.code).toBe('not-a-party');
  });

  test('a mistake on the form uses up no case number and stores nothing', async () => {
    const refused = await service.raise({
      ...raiseRequest(),
      command: { ...raiseRequest().command, form: { ...form, initials: 'Zebedee Quartermaine' } },
    });
    expect(refused.ok).toBe(false);
    const ok = await service.raise(raiseRequest());
    expect(ok.ok && ok.case.reference).toBe('NS-2026-0001');
    expect(await repo.allReferences()).toEqual(['NS-2026-0001']);
  });

  test('acting records the events; a party’s refusal is recorded too, a non-party’s only in the security log; a stale version is decided again', async () => {
    const raised = await service.raise(raiseRequest());
    if (!raised.ok) throw new Error('refused');
    const ref = raised.case.reference;
    now = new Date('2026-11-20T11:00:00Z');
    // Gus (the police) is no party to the case: neutral words, nothing on its timeline.
    const outsider = await service.act(ref, { type: 'acknowledge', actor: gus });
    expect(!outsider.ok && outsider.refusal.message).toBe('This case is not available to you.');
    expect((await repo.getCase(ref))?.version).toBe(2);
    expect(await repo.securityEvents()).toEqual([
      expect.objectContaining({ kind: 'command-by-non-party', action: 'acknowledge', reference: ref, personId: 'gus' }),
    ]);
    const refused = await service.act(ref, { type: 'approve-escalation', actor: ann });
    expect(refused.ok).toBe(false);
    const acked = await service.act(ref, { type: 'acknowledge', actor: ben });
    expect(acked.ok && acked.case.version).toBe(4);
    const types = (await repo.getEvents(ref)).map((e) => e.event.type);
    expect(types).toEqual(['case-raised', 'stage-entered', 'command-refused', 'stage-acknowledged']);
    expect((await repo.getEvents(ref))[2]?.event).toMatchObject({
      command: 'approve-escalation',
      by: { personId: 'ann' },
    });

    // Someone else writes between our read and our write: the service re-reads and decides again.
    const realGet = repo.getCase.bind(repo);
    let interfered = false;
    repo.getCase = async (reference: string) => {
      const read = await realGet(reference);
      if (!interfered && read) {
        interfered = true;
        await new CaseService(repo, procedures, vault, () => now).act(reference, {
          type: 'add-note',
          actor: ben,
          text: 'Meanwhile…',
        });
      }
      return read;
    };
    const noted = await service.act(ref, { type: 'add-note', actor: ann, text: 'After.' });
    repo.getCase = realGet;
    expect(noted.ok && noted.case.version).toBe(6);
    expect((await repo.getEvents(ref)).slice(-2).map((e) => e.event.type === 'note-added' && e.event.text)).toEqual([
      'Meanwhile…',
      'After.',
    ]);
  });

  test('audit verify and erasure through the admin command line, on the same file', async () => {
    for (let i = 0; i < 3; i++) await service.raise(raiseRequest());
    await service.act('NS-2026-0002', { type: 'add-note', actor: ben, text: 'Called the GP.' });
    await repo.close();

    const clean = cli(['audit', 'verify', '--db', file]);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toMatch(/^ok: 3 cases and 7 events verified; every timeline is whole and unaltered\n/);

    const erased = cli([
      'erase-personal-data',
      '--case',
      'NS-2026-0002',
      '--reason',
      'Subject access and erasure request ref SAR-118',
      '--db',
      file,
    ]);
    expect(erased.status).toBe(0);
    expect(erased.stdout).toMatch(
      /NS-2026-0002: the adult's name, date of birth and address are erased; the timeline records it/,
    );
    repo = SqliteRepository.open(file);
    expect(await repo.readPersonalDetails('NS-2026-0002')).toBeUndefined();
    expect(await repo.readPersonalDetails('NS-2026-0001')).toBeDefined();
    const timeline = await repo.getEvents('NS-2026-0002');
    expect(timeline.map((e) => e.event.type)).toEqual([
      'case-raised',
      'stage-entered',
      'note-added',
      'personal-data-erased',
    ]);
    expect(timeline.at(-1)?.event).toEqual(
      expect.objectContaining({ reason: 'Subject access and erasure request ref SAR-118' }),
    );
    expect((await repo.getCase('NS-2026-0002'))?.state.personalDataErasedAt).toBeDefined();
    await repo.close();
    expect(cli(['audit', 'verify', '--db', file]).status).toBe(0);

    const raw = new Database(file);
    raw.exec('DROP TRIGGER events_no_update');
    raw
      .prepare(
        "UPDATE events SET body = replace(body, 'Called the GP.', 'Did not call.') WHERE reference = 'NS-2026-0002' AND seq = 3",
      )
      .run();
    raw.close();
    const broken = cli(['audit', 'verify', '--db', file]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(
      /^BROKEN: case NS-2026-0002, event 3: event 3 \(note-added\) has been changed since it was recorded \(event-edited\)\n/,
    );
    const one = cli(['audit', 'verify', '--case', 'NS-2026-0003', '--db', file]);
    expect(one.status).toBe(0);
    expect(one.stdout).toMatch(/^ok: 1 case and 2 events verified/);
    const missing = cli(['audit', 'verify', '--case', 'NS-2026-0999', '--db', file]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^BROKEN: case NS-2026-0999: there is no such case \(case-missing\)/);
    repo = SqliteRepository.open(file);
  });
});
