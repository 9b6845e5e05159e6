/**
 * The whole bot (src/main.ts wiring: the outbox worker, the form builder, SMTP from SMTP_URL and
 * SMTP_FROM) with a North Somerset directory on Teams: a case resolved at stage 3; the council's
 * senior manager completes the monitoring form from their card (the complete-form verb); the form
 * goes to the council's stage 4 representative and the Business Manager as files to accept in
 * their chats with the bot, not to the health trust's representative, and by email (a fake SMTP
 * server) to the Business Manager's address in the board's file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CaseService } from '../../src/app/case-service';
import { actorFor } from '../../src/app/people';
import { loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import { loadConfig } from '../../src/config';
import { availableCommands, type CaseCommand } from '../../src/domain/escalation';
import { openVault } from '../../src/store/open';
import { startTestBot, type TestBot } from '../fakes/bot';
import { startFakeSmtp, type FakeSmtp } from '../fakes/smtp';

const ADULT = { name: 'Philippa Quennell-Ashworth', dateOfBirth: '1938-04-17', address: '4 Orchard Close, Weston' };
const procedures = loadProcedures();
const dir = mkdtempSync(join(tmpdir(), 'forms-teams-'));
const directoryFile = join(dir, 'directory.yaml');

let made = 0;
const guid = (): string => `00000000-0000-4000-8000-${String(++made).padStart(12, '0')}`;

/** Two agencies of North Somerset and the board on Teams, a person for each role (all invented). */
function northSomersetDirectory(): Record<string, unknown> {
  const ns = procedures.get('north-somerset');
  if (!ns) throw new Error('no north-somerset');
  const agency = (id: string, name: string, kind: string) => ({
    id,
    name,
    kind,
    boards: ['north-somerset'],
    platform: 'teams',
    teams: { tenantId: guid() },
    example: true,
  });
  const person = (id: string, agencyId: string, role: string) => ({
    id,
    name: `${role} of ${agencyId}`,
    email: `${id}@example.org`,
    agency: agencyId,
    roles: [role],
    teamsAadObjectId: guid(),
    example: true,
  });
  const agencyRoles = ns.roles.filter((r) => r.scope !== 'board').map((r) => r.id);
  const boardRoles = ns.roles.filter((r) => r.scope === 'board').map((r) => r.id);
  return {
    agencies: [
      agency('ns-council', 'North Somerset Council', 'local-authority'),
      agency('ns-health', 'Weston Health', 'nhs'),
      agency('ns-board', 'North Somerset Safeguarding Adults Board', 'safeguarding-adults-board'),
    ],
    people: [
      ...agencyRoles.flatMap((r) => [person(`council-${r}`, 'ns-council', r), person(`health-${r}`, 'ns-health', r)]),
      ...boardRoles.map((r) => person(`board-${r}`, 'ns-board', r)),
    ],
  };
}

let bot: TestBot;
let smtp: FakeSmtp;

beforeAll(async () => {
  writeFileSync(directoryFile, stringify(northSomersetDirectory()));
  smtp = await startFakeSmtp();
  bot = await startTestBot({
    env: { DIRECTORY_FILE: directoryFile, SMTP_URL: smtp.url, SMTP_FROM: 'escalations@example.org' },
  });
}, 60_000);

afterAll(async () => {
  await bot.stop();
  await smtp.close();
  rmSync(dir, { recursive: true, force: true });
});

test('completed from the Teams card, the monitoring form goes as the procedure says, by chat and by email', async () => {
  const directory = loadDirectoryFile(directoryFile, procedures);
  const person = (id: string) => {
    const p = directory.people.find((x) => x.id === id);
    if (!p) throw new Error(`no ${id}`);
    return p;
  };
  const now = (): Date => new Date();
  const actor = (id: string) => actorFor(directory, person(id), now());
  // The same store and key as the bot's (the local development key), with the same directory.
  const service = new CaseService(
    bot.app.repo,
    procedures,
    openVault(loadConfig({ NODE_ENV: 'test' })).vault,
    now,
    directory,
  );
  const raised = await service.raise({
    boardId: 'north-somerset',
    personal: ADULT,
    command: {
      type: 'raise',
      actor: actor('council-practitioner'),
      immediateRisk: false,
      respondingAgency: { id: 'ns-health', boards: ['north-somerset'] },
      respondingPersonId: 'health-practitioner',
      form: {
        initials: 'P Q',
        category: procedures.get('north-somerset')?.categories?.[0]?.id ?? 'other',
        summary: 'Weston Health closed its involvement although the adult is still at risk at home.',
        outcomeWanted: 'Weston Health to reopen its involvement.',
        safetyMeanwhile: 'Daily care visits.',
      },
    },
  });
  if (!raised.ok) throw new Error(raised.refusal.message);
  const reference = raised.case.reference;
  const state = async () => (await bot.app.repo.getCase(reference))?.state;
  const act = async (by: string | undefined, command: Record<string, unknown> & { type: CaseCommand['type'] }) => {
    if (!by) throw new Error(`nobody can ${command.type}`);
    const outcome = await service.act(reference, { ...command, actor: actor(by) } as CaseCommand);
    if (!outcome.ok) throw new Error(outcome.refusal.message);
  };
  const council = async (type: CaseCommand['type']) => {
    const s = await state();
    return directory.people.find(
      (p) =>
        p.agency === 'ns-council' && s && availableCommands(s, actorFor(directory, p, now()), now()).includes(type),
    )?.id;
  };
  while ((await state())?.stages.at(-1)?.id !== 'stage-3') {
    await act(await council('request-escalation'), { type: 'request-escalation', reason: 'No agreement.' });
    const approver = await council('approve-escalation');
    if (approver) await act(approver, { type: 'approve-escalation' });
  }
  await act('health-senior-manager', { type: 'propose-resolution', outcome: 'Reopened.', outstandingIssues: 'None.' });
  await act('council-senior-manager', { type: 'confirm-resolution' });
  await bot.app.settle();
  const before = bot.connector.calls.length;

  const senior = person('council-senior-manager');
  const answer = await bot.click(
    { id: '29:council-senior-manager', aadObjectId: senior.teamsAadObjectId ?? '', name: senior.name },
    'complete-form',
    {
      reference,
      stage: 'stage-3',
      form: 'north-somerset-monitoring',
      verb: 'complete-form',
      'complete-form.completerComments': 'Resolved at stage 3 within its timescale.',
    },
  );
  expect(answer.status).toBe(200);
  // The answer is their card again, now without the line asking for the form.
  expect(answer.text).not.toContain('The procedure asks you to complete');
  await bot.app.settle();

  // Each file consent card goes in the new 1:1 chat the bot opens with its recipient.
  const consents = bot.connector.calls
    .slice(before)
    .filter((c) => JSON.stringify(c.body ?? {}).includes('application/vnd.microsoft.teams.card.file.consent'));
  const memberOf = (call: (typeof consents)[number]): string => {
    const members = (call.body?.members as Array<{ id?: string }> | undefined) ?? [];
    const aad = members[0]?.id ?? '(no member)';
    return directory.people.find((p) => p.teamsAadObjectId === aad)?.id ?? aad;
  };
  expect(consents.map(memberOf).sort()).toEqual(['board-board-business-manager', 'council-board-representative']);
  expect(JSON.stringify(consents)).toContain('Accept it to save it to your OneDrive.');
  for (const c of consents) expect(JSON.stringify(c.body)).not.toMatch(/Philippa|Quennell|1938|Orchard/);

  expect(smtp.received.map((m) => m.to)).toEqual([['elizabeth.langson@n-somerset.gov.uk']]);
  expect(smtp.received[0]?.attachments.map((a) => a.filename)).toEqual([`${reference}-north-somerset-monitoring.pdf`]);
  const events = (await bot.app.repo.getEvents(reference)).map((e) => e.event);
  expect(events.filter((e) => e.type === 'form-completed')).toEqual([
    expect.objectContaining({ answers: { completerComments: 'Resolved at stage 3 within its timescale.' } }),
  ]);
}, 90_000);
