/**
 * A board's form, acted on from its file (stages[].forms), end to end: a North Somerset case is
 * resolved at stage 3; the senior manager is asked on their card to complete the monitoring
 * form, completes it (what they type is checked not to name the adult, and is the record), and
 * the filled form goes, through the outbox, 1:1 to the stage 4 representative of their own agency
 * (not the other agency's) and to the Business Manager, and by email (a fake SMTP server on
 * loopback) to the form's contact, with the form attached.
 *
 * North Somerset, Appendix 2 and stage 3: "after the issue has been resolved the monitoring form
 * must be sent both internally to the stage 4 representative of your own agency and also to the
 * Business Manager (North Somerset Safeguarding Adults Board)".
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseService } from '../../src/app/case-service';
import { Delivery, type Outlet, type Reached } from '../../src/app/delivery';
import { actorFor } from '../../src/app/people';
import { loadProcedures } from '../../src/app/procedures';
import { completedFormFor } from '../../src/app/records/documents';
import { simulationDirectory } from '../../src/app/simulate';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import type { StoredCase } from '../../src/app/store/repository';
import { stageCardView } from '../../src/app/views/stage-card';
import { SmtpMailer } from '../../src/channels/email/smtp';
import type { Person } from '../../src/domain/directory';
import { availableCommands, type CaseCommand } from '../../src/domain/escalation';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { startFakeSmtp, type FakeSmtp } from '../fakes/smtp';

const ADULT = { name: 'Philippa Quennell-Ashworth', dateOfBirth: '1938-04-17', address: '4 Orchard Close, Weston' };
const ns = loadProcedures().get('north-somerset');
if (!ns) throw new Error('no north-somerset');
const directory = simulationDirectory(ns);
const BUSINESS_MANAGER_EMAIL = 'elizabeth.langson@n-somerset.gov.uk';

/** Teams as the delivery worker sees it: every file sent 1:1 is kept. */
class Recording implements Outlet {
  readonly platform = 'teams' as const;
  readonly files: Array<{ person: string; fileName: string; bytes: Buffer; text: string }> = [];
  openThread(): Promise<Record<string, unknown>> {
    return Promise.resolve({});
  }
  updateThreads(): Promise<void> {
    return Promise.resolve();
  }
  updateMessage(): Promise<void> {
    return Promise.resolve();
  }
  say(): Promise<void> {
    return Promise.resolve();
  }
  tell(): Promise<Reached> {
    return Promise.resolve({ channel: 'chat' });
  }
  sendFile(
    _stored: StoredCase,
    person: Person,
    file: { fileName: string; bytes: Buffer },
    text: string,
  ): Promise<Record<string, unknown>> {
    this.files.push({ person: person.id, fileName: file.fileName, bytes: file.bytes, text });
    return Promise.resolve({ chat: person.id });
  }
}

let smtp: FakeSmtp;
let repo: SqliteRepository;
let service: CaseService;
let reference = '';
let now = new Date('2026-11-23T10:00:00.000Z');

const person = (id: string): Person => {
  const p = directory.people.find((x) => x.id === id);
  if (!p) throw new Error(`no ${id}`);
  return p;
};
const actor = (id: string) => actorFor(directory, person(id), now);
const holderOf = (agency: string, role: string): string =>
  directory.people.find((p) => p.agency === agency && p.roles.includes(role))?.id ?? `(no ${role} at ${agency})`;
const stored = async (): Promise<StoredCase> => {
  const s = await repo.getCase(reference);
  if (!s) throw new Error('lost');
  return s;
};
const anyone = async (type: CaseCommand['type'], agency: string): Promise<string | undefined> => {
  const { state } = await stored();
  return directory.people.find(
    (p) => p.agency === agency && availableCommands(state, actorFor(directory, p, now), now).includes(type),
  )?.id;
};
const act = async (by: string | undefined, command: Record<string, unknown> & { type: CaseCommand['type'] }) => {
  if (!by) throw new Error(`nobody can ${command.type}`);
  now = new Date(now.getTime() + 3_600_000);
  const outcome = await service.act(reference, { ...command, actor: actor(by) } as CaseCommand);
  if (!outcome.ok) throw new Error(`${by} ${command.type}: ${outcome.refusal.message}`);
};

beforeAll(async () => {
  smtp = await startFakeSmtp();
  repo = SqliteRepository.open(join(mkdtempSync(join(tmpdir(), 'forms-sent-')), 'cases.sqlite'));
  service = new CaseService(
    repo,
    new Map([[ns.id, ns]]),
    new PersonalDataVault(Buffer.alloc(32, 7)),
    () => now,
    directory,
  );
  service.emailForms(true);
  const raised = await service.raise({
    boardId: ns.id,
    personal: ADULT,
    command: {
      type: 'raise',
      actor: actor('a-practitioner'),
      immediateRisk: false,
      respondingAgency: { id: 'agency-b', boards: [ns.id] },
      respondingPersonId: 'b-practitioner',
      form: {
        initials: 'P Q',
        recordNumbers: { raising: 'A-100', responding: 'B-200' },
        category: ns.categories?.[0]?.id ?? 'other',
        summary: 'Agency B closed its involvement although the adult is still at risk at home.',
        outcomeWanted: 'Agency B to reopen its involvement and join a planning meeting.',
        safetyMeanwhile: 'Daily care visits.',
      },
    },
  });
  if (!raised.ok) throw new Error(raised.refusal.message);
  reference = raised.case.reference;
  // Up to stage 3: each stage escalated by the raising agency (approved where it must be).
  while ((await stored()).state.stages.at(-1)?.id !== 'stage-3') {
    await act(await anyone('request-escalation', 'agency-a'), {
      type: 'request-escalation',
      reason: 'No agreement at this stage.',
    });
    const approver = await anyone('approve-escalation', 'agency-a');
    if (approver) await act(approver, { type: 'approve-escalation' });
  }
  // Resolved at stage 3 by the two senior managers.
  await act(holderOf('agency-b', 'senior-manager'), {
    type: 'propose-resolution',
    outcome: 'Agency B reopens its involvement.',
    outstandingIssues: 'None.',
  });
  await act(holderOf('agency-a', 'senior-manager'), { type: 'confirm-resolution' });
}, 60_000);

afterAll(async () => {
  await repo.close();
  await smtp.close();
});

test('“the senior manager completes the Monitoring Form”: the line is on their card once the issue is resolved, and on nobody else’s', async () => {
  const { state } = await stored();
  expect(state.status).toBe('resolved');
  expect(state.stages.at(-1)?.id).toBe('stage-3');
  const seniorA = stageCardView(state, { viewer: actor(holderOf('agency-a', 'senior-manager')), now, directory });
  expect(seniorA.forms?.map((f) => [f.verb, f.form, f.stage])).toEqual([
    ['complete-form', 'north-somerset-monitoring', 'stage-3'],
  ]);
  expect(seniorA.forms?.[0]?.line).toMatch(
    /^The procedure asks you to complete North Somerset's monitoring form \(Appendix 2\) for stage 3/,
  );
  expect(seniorA.forms?.[0]?.inputs.map((i) => i.id)).toEqual(['completerComments']);
  for (const other of ['a-practitioner', 'a-board-representative', holderOf('the-board', 'board-business-manager')])
    expect(stageCardView(state, { viewer: actor(other), now, directory }).forms).toBeUndefined();
  // Both senior managers are told 1:1 when the moment comes (the resolution), in their card's words; nobody else is.
  const asked = (await repo.listOutbox())
    .filter((i) => i.kind === 'tell' && String(i.payload.text).includes('The procedure asks you to complete'))
    .map((i) => i.recipient)
    .sort();
  expect(asked).toEqual([holderOf('agency-a', 'senior-manager'), holderOf('agency-b', 'senior-manager')].sort());
});

test('what the completer types is refused if it names the adult, and nothing is recorded or sent', async () => {
  const before = (await stored()).version;
  const refused = await service.completeForm(
    reference,
    actor(holderOf('agency-a', 'senior-manager')),
    {
      form: 'north-somerset-monitoring',
      stage: 'stage-3',
      answers: { completerComments: 'Philippa Quennell-Ashworth was kept safe throughout.' },
    },
    directory,
  );
  expect(refused.ok).toBe(false);
  if (!refused.ok) expect(refused.refusal.code).toBe('names-the-adult');
  expect((await stored()).version).toBe(before);
  expect((await repo.listOutbox()).filter((i) => i.kind === 'send-form' || i.kind === 'email-form')).toEqual([]);
});

test('completed: recorded with what was typed; sent to the own agency’s stage 4 representative and the Business Manager, and emailed with the form attached', async () => {
  const senior = holderOf('agency-a', 'senior-manager');
  const done = await service.completeForm(
    reference,
    actor(senior),
    {
      form: 'north-somerset-monitoring',
      stage: 'stage-3',
      answers: { completerComments: 'The policy worked: resolved at stage 3 within its timescale.' },
    },
    directory,
  );
  if (!done.ok) throw new Error(done.refusal.message);
  const events = (await repo.getEvents(reference)).map((e) => e.event);
  const completed = events.at(-1);
  expect(completed).toMatchObject({
    type: 'form-completed',
    form: 'north-somerset-monitoring',
    stage: 'stage-3',
    answers: { completerComments: 'The policy worked: resolved at stage 3 within its timescale.' },
    by: { personId: senior, agencyId: 'agency-a', roles: ['senior-manager'] },
  });
  // Owed: the own agency's board representative (agency A's, not agency B's), the Business Manager, the form's contact.
  const owed = (await repo.listOutbox()).filter((i) => i.kind === 'send-form' || i.kind === 'email-form');
  const businessManager = holderOf('the-board', 'board-business-manager');
  expect(owed.map((i) => [i.kind, i.recipient]).sort()).toEqual(
    [
      ['email-form', BUSINESS_MANAGER_EMAIL],
      ['send-form', 'a-board-representative'],
      ['send-form', businessManager],
    ].sort(),
  );
  // The outbox never holds the adult's details.
  expect(JSON.stringify(owed)).not.toMatch(/Philippa|Quennell|1938|Orchard/);

  const outlet = new Recording();
  const delivery = new Delivery({
    repo,
    directory,
    owner: 'forms-test',
    baseDelayMs: 1,
    maxDelayMs: 5,
    formDocuments: (item, recipient) =>
      completedFormFor(
        repo,
        service,
        directory,
        item.reference,
        item.payload,
        recipient ? actorFor(directory, recipient, now) : undefined,
        now,
        'teams',
      ),
    mailer: new SmtpMailer({ url: smtp.url, from: 'escalations@example.org' }),
  });
  delivery.register(outlet);
  smtp.refuse(1); // the mail server is briefly unwell: the outbox tries again
  for (let i = 0; i < 50 && (await repo.outboxStats()).pending > 0; i++) {
    await delivery.tick();
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(await repo.listOutbox({ status: 'failed' })).toEqual([]);

  expect(outlet.files.map((f) => f.person).sort()).toEqual(['a-board-representative', businessManager].sort());
  expect(outlet.files.map((f) => f.person)).not.toContain('b-board-representative');
  for (const f of outlet.files) {
    expect(f.fileName).toBe(`${reference}-north-somerset-monitoring.pdf`);
    expect(f.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    // The words in the chat never name the adult.
    expect(f.text).toMatch(/^Monitoring form \(Appendix 2\).*: completed by senior-manager at A for NS-2026-\d{4}/);
    expect(f.text).not.toMatch(/Philippa|Quennell/);
  }
  // Both recipients are role holders of the case's agencies and board: their copies name the adult.
  const sent = (await repo.listOutbox({ status: 'done' })).filter((i) => i.kind === 'send-form');
  expect(sent.map((i) => i.result?.personal)).toEqual([true, true]);

  // The email: to the form's contact, from the configured address, the form attached as a PDF.
  expect(smtp.received).toHaveLength(1);
  const [mail] = smtp.received;
  expect(mail?.to).toEqual([BUSINESS_MANAGER_EMAIL]);
  expect(mail?.from).toBe('escalations@example.org');
  expect(mail?.subject).toBe(
    `Monitoring form (Appendix 2) - a tool to record decisions and to monitor the Resolution of Professional Differences policy: case ${reference}`,
  );
  expect(mail?.attachments.map((a) => [a.filename, a.contentType])).toEqual([
    [`${reference}-north-somerset-monitoring.pdf`, 'application/pdf'],
  ]);
  expect(mail?.attachments[0]?.content.subarray(0, 5).toString()).toBe('%PDF-');
  // Her address is nobody's in the directory: the emailed copy leaves the adult's details out, and says so.
  expect(mail?.text).toMatch(/This copy leaves out the adult’s name, date of birth and address\./);
  expect(mail?.raw).not.toMatch(/Philippa|Quennell/);
});

test('once completed by someone of agency A, agency A is not asked again; agency B’s senior manager still is, and theirs goes to agency B’s representative', async () => {
  const { state } = await stored();
  expect(
    stageCardView(state, { viewer: actor(holderOf('agency-a', 'senior-manager')), now, directory }).forms,
  ).toBeUndefined();
  const seniorB = holderOf('agency-b', 'senior-manager');
  expect(stageCardView(state, { viewer: actor(seniorB), now, directory }).forms?.map((f) => f.form)).toEqual([
    'north-somerset-monitoring',
  ]);
  const again = await service.completeForm(
    reference,
    actor(holderOf('agency-a', 'senior-manager')),
    { form: 'north-somerset-monitoring', stage: 'stage-3', answers: {} },
    directory,
  );
  expect(again.ok).toBe(false);
  const before = new Set((await repo.listOutbox()).map((i) => i.id));
  const done = await service.completeForm(
    reference,
    actor(seniorB),
    { form: 'north-somerset-monitoring', stage: 'stage-3', answers: {} },
    directory,
  );
  expect(done.ok).toBe(true);
  const owed = (await repo.listOutbox()).filter((i) => !before.has(i.id) && i.kind === 'send-form');
  expect(owed.map((i) => i.recipient).sort()).toEqual(
    ['b-board-representative', holderOf('the-board', 'board-business-manager')].sort(),
  );
});
