/**
 * A board's figures on a schedule, end to end: Camden (seed 000) "Any data in relation to the use
 * of the procedure should be shared quarterly to the Quality and Performance Subcommittee of the
 * CSAPB". With an email address in the board's file and SMTP set up, the quarter's figures go by
 * email (a fake SMTP server on loopback) at 09:00 London time on the first working day after the
 * quarter ends, through the outbox: once, whichever replica looks, however often, after a
 * restart, after the server refused it once, and after the bot was down at the moment itself.
 * The figures carry no adult's details.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseService } from '../../src/app/case-service';
import { Delivery } from '../../src/app/delivery';
import { actorFor } from '../../src/app/people';
import { loadProcedures } from '../../src/app/procedures';
import { FiguresSchedule, figuresMailFor } from '../../src/app/reports/schedule';
import { simulationDirectory } from '../../src/app/simulate';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import { SmtpMailer } from '../../src/channels/email/smtp';
import type { Person } from '../../src/domain/directory';
import type { Procedure } from '../../src/domain/procedure';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { startFakeSmtp, type FakeSmtp } from '../fakes/smtp';

const ADULT = {
  name: 'Philippa Quennell-Ashworth',
  dateOfBirth: '1938-04-17',
  address: '4 Orchard Close, Kentish Town',
};
const SUMMARY = 'Agency B closed its involvement at Bellwether Lodge although the adult is still at risk.';
const EMAIL = 'quality.performance@example.org';
const shipped = loadProcedures().get('camden') as Procedure;
const camden: Procedure = {
  ...shipped,
  oversight: {
    ...shipped.oversight,
    phrase: shipped.oversight?.phrase ?? '',
    figures: { to: 'Quality and Performance Subcommittee of the CSAPB', every: 'quarter', email: EMAIL },
  },
};
const procedures = new Map([[camden.id, camden]]);
const directory = simulationDirectory(camden);
const dir = mkdtempSync(join(tmpdir(), 'figures-email-'));
const file = join(dir, 'cases.sqlite');

let smtp: FakeSmtp;
let repo: SqliteRepository;
let now = new Date('2026-02-10T10:00:00.000Z');
const mailers: SmtpMailer[] = [];

const person = (id: string): Person => {
  const p = directory.people.find((x) => x.id === id);
  if (!p) throw new Error(`no ${id}`);
  return p;
};

/** One replica of the bot: its schedule and its delivery worker, on the shared store. */
function replica(name: string) {
  const mailer = new SmtpMailer({ url: smtp.url, from: 'escalations@example.org' });
  mailers.push(mailer);
  const delivery = new Delivery({
    repo,
    directory,
    owner: name,
    wall: () => now,
    baseDelayMs: 1000,
    mailer,
    figuresMail: (item) => figuresMailFor(repo, procedures, directory, item, now),
  });
  const schedule = new FiguresSchedule({ repo, procedures, clock: () => now, emailing: true });
  return { delivery, schedule };
}

async function raise(initials: string): Promise<void> {
  const service = new CaseService(repo, procedures, new PersonalDataVault(Buffer.alloc(32, 7)), () => now, directory);
  const raised = await service.raise({
    boardId: camden.id,
    personal: ADULT,
    command: {
      type: 'raise',
      actor: actorFor(directory, person('a-practitioner'), now),
      immediateRisk: false,
      respondingAgency: { id: 'agency-b', boards: [camden.id] },
      respondingPersonId: 'b-practitioner',
      form: {
        initials,
        recordNumbers: { raising: 'A-100', responding: 'B-200' },
        category: camden.categories?.[0]?.id ?? 'other',
        summary: SUMMARY,
        outcomeWanted: 'Agency B to reopen its involvement and join a planning meeting.',
        safetyMeanwhile: 'Daily care visits.',
      },
    },
  });
  if (!raised.ok) throw new Error(raised.refusal.message);
}

beforeAll(async () => {
  smtp = await startFakeSmtp();
  repo = SqliteRepository.open(file);
  await raise('P Q');
  now = new Date('2026-03-03T11:00:00.000Z');
  await raise('R S');
}, 60_000);

afterAll(async () => {
  for (const m of mailers) m.close();
  await repo.close();
  await smtp.close();
});

test('nothing before the moment: at 08:59 BST on 1 April 2026 the quarter to 31 March is not yet sent', async () => {
  now = new Date('2026-04-01T07:59:00.000Z');
  const a = replica('replica-a');
  expect(await a.schedule.tick()).toBe(0);
  await a.delivery.drain();
  expect(smtp.received).toHaveLength(0);
  expect(await repo.listOutbox({ reference: 'figures:camden' })).toEqual([]);
});

test('at 09:00 BST (08:00Z) on 1 April 2026, two replicas, several looks, the server refusing once: one email', async () => {
  now = new Date('2026-04-01T08:00:00.000Z');
  const a = replica('replica-a');
  const b = replica('replica-b');
  smtp.refuse(1);
  await Promise.all([a.schedule.tick(), b.schedule.tick()]);
  await Promise.all([a.schedule.tick(), b.schedule.tick()]);
  await Promise.all([a.delivery.drain(), b.delivery.drain()]);
  // The server said "try again later": nothing received, the item waits to be tried again.
  expect(smtp.received).toHaveLength(0);
  const [waiting] = await repo.listOutbox({ reference: 'figures:camden' });
  expect(waiting).toEqual(
    expect.objectContaining({
      id: 'figures:camden:2026-01-01:2026-04-01:email-figures',
      status: 'pending',
      failures: 1,
    }),
  );
  now = new Date('2026-04-01T08:00:10.000Z');
  await Promise.all([a.schedule.tick(), b.schedule.tick()]);
  await Promise.all([a.delivery.drain(), b.delivery.drain()]);
  await Promise.all([a.delivery.drain(), b.delivery.drain()]);
  expect(smtp.received).toHaveLength(1);
  const mail = smtp.received[0];
  expect(mail?.to).toEqual([EMAIL]);
  expect(mail?.subject).toContain('figures for resolving professional disagreements, 1 January to 31 March 2026');
  expect(mail?.text).toContain('2 escalations were raised in the period');
  expect(mail?.attachments.map((x) => [x.filename, x.contentType])).toEqual([
    ['figures-camden-2026-01-01-to-2026-04-01.html', 'text/html'],
    ['figures-camden-2026-01-01-to-2026-04-01.csv', 'text/csv'],
  ]);
  const csv = mail?.attachments[1]?.content.toString('utf8') ?? '';
  expect(csv).toContain('raised,,Escalations raised,2');
  expect(mail?.attachments[0]?.content.toString('utf8')).toContain("No adult's details are in this report");
});

test('the figures carry no adult’s details: not the name, date of birth, address, initials, record numbers or summary', () => {
  const mail = smtp.received[0];
  const everything = [mail?.raw ?? '', mail?.text ?? '', ...(mail?.attachments ?? []).map((x) => x.content.toString())];
  for (const text of everything)
    for (const secret of [
      ADULT.name,
      'Quennell',
      ADULT.dateOfBirth,
      'Orchard Close',
      'P Q',
      'R S',
      'A-100',
      'Bellwether',
      SUMMARY,
    ])
      expect(text).not.toContain(secret);
});

test('after a restart (the store opened again, a new replica) the same quarter is not sent again', async () => {
  await repo.close();
  repo = SqliteRepository.open(file);
  now = new Date('2026-04-02T09:30:00.000Z');
  const c = replica('replica-c');
  expect(await c.schedule.tick()).toBe(1); // written again by this replica: the store keeps the first
  await c.delivery.drain();
  expect(smtp.received).toHaveLength(1);
  expect(await repo.listOutbox({ reference: 'figures:camden' })).toEqual([
    expect.objectContaining({ status: 'done', attempts: 2 }),
  ]);
});

test('a quarter whose moment passed while the bot was down (1 July 2026 09:00 BST) is sent once when it comes back', async () => {
  now = new Date('2026-05-12T10:00:00.000Z');
  await raise('T U');
  // Down from 30 June to 8 July; back at 14:00 on 8 July.
  now = new Date('2026-07-08T13:00:00.000Z');
  const d = replica('replica-d');
  const e = replica('replica-e');
  await Promise.all([d.schedule.tick(), e.schedule.tick()]);
  await Promise.all([d.delivery.drain(), e.delivery.drain()]);
  now = new Date('2026-07-08T13:05:00.000Z');
  await Promise.all([d.schedule.tick(), e.schedule.tick()]);
  await Promise.all([d.delivery.drain(), e.delivery.drain()]);
  expect(smtp.received.map((m) => m.subject.replace(/^.*, /, ''))).toEqual([
    '1 January to 31 March 2026',
    '1 April to 30 June 2026',
  ]);
  expect(smtp.received[1]?.attachments[1]?.content.toString('utf8')).toContain('raised,,Escalations raised,1');
});
