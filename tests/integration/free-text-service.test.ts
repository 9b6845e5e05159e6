/**
 * The case service opens the adult's sealed details to check a command's words, passes them to
 * the core, and records no refusal of words that name the adult (nothing stored changes). If the
 * details cannot be opened, the shapes of a date of birth or a postcode are still refused.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseService } from '../../src/app/case-service';
import { loadProcedures } from '../../src/app/procedures';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import type { Actor } from '../../src/domain/escalation';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';

const procedures = loadProcedures();
const ann: Actor = { personId: 'ann', agencyId: 'council', roles: ['practitioner'] };
const personal = { name: 'Zebedee Quartermaine', dateOfBirth: '1941-02-03', address: '1 Sea View, Weston BS23 1AA' };
const request = (summary = 'The trust closed the case.') => ({
  boardId: 'north-somerset',
  command: {
    type: 'raise' as const,
    actor: ann,
    immediateRisk: false,
    respondingAgency: { id: 'trust' },
    form: {
      initials: 'ZQ',
      category: 'case-closure',
      summary,
      outcomeWanted: 'Reopen it.',
      safetyMeanwhile: 'Visits.',
    },
  },
  personal,
});

let repo: SqliteRepository;
const now = new Date('2026-11-20T10:00:00Z');
beforeEach(() => {
  repo = SqliteRepository.open(join(mkdtempSync(join(tmpdir(), 'words-')), 'escalations.sqlite'));
});
afterEach(async () => {
  await repo.close();
});

test('raising checks the form against the details given with it', async () => {
  const service = new CaseService(repo, procedures, new PersonalDataVault(Buffer.alloc(32, 5)), () => now);
  const refused = await service.raise(request('Mr Quartermaine lives alone at 1 Sea View.'));
  expect(refused.ok ? '' : refused.refusal.fields?.summary).toMatch(/^This description gives the adult's surname/);
  expect(await repo.allReferences()).toEqual([]);
});

test('a note naming the adult is refused and nothing is recorded; an ordinary note is kept', async () => {
  const service = new CaseService(repo, procedures, new PersonalDataVault(Buffer.alloc(32, 5)), () => now);
  const raised = await service.raise(request());
  if (!raised.ok) throw new Error(raised.refusal.message);
  const reference = raised.case.reference;
  const before = await repo.getEvents(reference);
  for (const text of ['zebedee quartermaine rang', 'Seen 3rd February 1941', 'At 1 Sea View.', 'bs23 1aa']) {
    const outcome = await service.act(reference, { type: 'add-note', text, actor: ann });
    expect({ text, code: outcome.ok ? 'accepted' : outcome.refusal.code }).toEqual({ text, code: 'names-the-adult' });
  }
  expect((await repo.getEvents(reference)).length).toBe(before.length);
  expect((await repo.getCase(reference))?.version).toBe(raised.case.version);
  expect((await service.act(reference, { type: 'add-note', text: 'Phoned the GP.', actor: ann })).ok).toBe(true);
});

test('details that cannot be opened (another key): the shapes and names by the initials are still refused, other names are not known', async () => {
  const raised = await new CaseService(repo, procedures, new PersonalDataVault(Buffer.alloc(32, 5)), () => now).raise(
    request(),
  );
  if (!raised.ok) throw new Error(raised.refusal.message);
  const otherKey = new CaseService(repo, procedures, new PersonalDataVault(Buffer.alloc(32, 9)), () => now);
  const reference = raised.case.reference;
  const dob = await otherKey.act(reference, { type: 'add-note', text: 'DOB 03/02/1941', actor: ann });
  expect(dob.ok ? '' : dob.refusal.message).toMatch(/^This note gives a date of birth/);
  const postcode = await otherKey.act(reference, { type: 'add-note', text: 'Moved to BS23 1AA', actor: ann });
  expect(postcode.ok ? '' : postcode.refusal.message).toMatch(/^This note gives a postcode/);
  // The case's initials (Z.Q.) are known without the sealed details: a name starting with them is refused.
  const byInitials = await otherKey.act(reference, { type: 'add-note', text: 'Rang Zebedee Quartermaine', actor: ann });
  expect(byInitials.ok ? '' : byInitials.refusal.message).toMatch(/^This note may name the adult: .* initials, Z\.Q\./);
  expect((await otherKey.act(reference, { type: 'add-note', text: 'Rang Zebedee Okonkwo', actor: ann })).ok).toBe(true);
});

test('the reason for erasing the details, which stays on the timeline, must not name the adult', async () => {
  const service = new CaseService(repo, procedures, new PersonalDataVault(Buffer.alloc(32, 5)), () => now);
  const raised = await service.raise(request());
  if (!raised.ok) throw new Error(raised.refusal.message);
  const board: Actor = { personId: 'bo', agencyId: 'board', roles: ['board-manager'] };
  const named = await service.erasePersonalDetails(raised.case.reference, board, 'Asked for by Zebedee Quartermaine.');
  expect(named.ok ? '' : named.refusal.message).toMatch(/^This reason names the adult/);
  expect(await repo.readPersonalDetails(raised.case.reference)).toBeDefined();
  expect((await service.erasePersonalDetails(raised.case.reference, board, 'Erasure request of 20 November.')).ok).toBe(
    true,
  );
});
