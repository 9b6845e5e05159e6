/**
 * The same North Somerset form on Slack, through the real Slack outlet against a fake Slack Web
 * API: resolved at stage 3, the senior manager completes the monitoring form, and the filled form
 * is uploaded to the direct messages of their own agency's stage 4 representative and of the
 * Business Manager ("after the issue has been resolved the monitoring form must be sent both
 * internally to the stage 4 representative of your own agency and also to the Business Manager"),
 * and to nobody else's; no Slack message names the adult.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { CaseService } from '../../src/app/case-service';
import { Delivery } from '../../src/app/delivery';
import { actorFor } from '../../src/app/people';
import { loadProcedures } from '../../src/app/procedures';
import { completedFormFor } from '../../src/app/records/documents';
import { simulationDirectory } from '../../src/app/simulate';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import { SlackOutlet } from '../../src/channels/slack/outlet';
import { availableCommands, type CaseCommand } from '../../src/domain/escalation';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { startFakeSlackApi } from '../fakes/slack-api';

const ADULT = { name: 'Philippa Quennell-Ashworth', dateOfBirth: '1938-04-17', address: '4 Orchard Close, Weston' };

test('the completed form is uploaded to the own agency’s stage 4 representative and the Business Manager, in their DMs', async () => {
  const ns = loadProcedures().get('north-somerset');
  if (!ns) throw new Error('no north-somerset');
  const directory = simulationDirectory(ns, 'slack');
  const api = await startFakeSlackApi();
  const repo = SqliteRepository.open(join(mkdtempSync(join(tmpdir(), 'forms-slack-')), 'cases.sqlite'));
  let now = new Date('2026-11-23T10:00:00.000Z');
  const service = new CaseService(
    repo,
    new Map([[ns.id, ns]]),
    new PersonalDataVault(Buffer.alloc(32, 5)),
    () => now,
    directory,
  );
  const person = (id: string) => {
    const p = directory.people.find((x) => x.id === id);
    if (!p) throw new Error(`no ${id}`);
    return p;
  };
  const actor = (id: string) => actorFor(directory, person(id), now);
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
        category: ns.categories?.[0]?.id ?? 'other',
        summary: 'Agency B closed its involvement although the adult is still at risk at home.',
        outcomeWanted: 'Agency B to reopen its involvement.',
        safetyMeanwhile: 'Daily care visits.',
      },
    },
  });
  if (!raised.ok) throw new Error(raised.refusal.message);
  const reference = raised.case.reference;
  const state = async () => (await repo.getCase(reference))?.state;
  const act = async (by: string | undefined, command: Record<string, unknown> & { type: CaseCommand['type'] }) => {
    if (!by) throw new Error(`nobody can ${command.type}`);
    now = new Date(now.getTime() + 3_600_000);
    const outcome = await service.act(reference, { ...command, actor: actor(by) } as CaseCommand);
    if (!outcome.ok) throw new Error(outcome.refusal.message);
  };
  const anyone = async (type: CaseCommand['type']) => {
    const s = await state();
    return directory.people.find(
      (p) => p.agency === 'agency-a' && s && availableCommands(s, actorFor(directory, p, now), now).includes(type),
    )?.id;
  };
  while ((await state())?.stages.at(-1)?.id !== 'stage-3') {
    await act(await anyone('request-escalation'), { type: 'request-escalation', reason: 'No agreement.' });
    const approver = await anyone('approve-escalation');
    if (approver) await act(approver, { type: 'approve-escalation' });
  }
  await act('b-senior-manager', { type: 'propose-resolution', outcome: 'Reopened.', outstandingIssues: 'None.' });
  await act('a-senior-manager', { type: 'confirm-resolution' });
  const done = await service.completeForm(
    reference,
    actor('a-senior-manager'),
    { form: 'north-somerset-monitoring', stage: 'stage-3', answers: { completerComments: 'It worked.' } },
    directory,
  );
  if (!done.ok) throw new Error(done.refusal.message);

  const client = new WebClient('xoxb-forms-test', { slackApiUrl: api.url, retryConfig: { retries: 0 } });
  const delivery = new Delivery({
    repo,
    directory,
    owner: 'forms-slack',
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
        'slack',
      ),
  });
  delivery.register(new SlackOutlet({ client, repo, directory, clock: () => now, report: () => undefined }));
  for (let i = 0; i < 50 && (await repo.outboxStats()).pending > 0; i++) {
    await delivery.tick();
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(await repo.listOutbox({ status: 'failed' })).toEqual([]);

  const dm = (id: string): string => `D${person(id).slackUserId ?? ''}`;
  const businessManager = directory.people.find((p) => p.roles.includes('board-business-manager'))?.id ?? '';
  const uploadedTo = api.calls
    .filter((c) => c.method === 'files.completeUploadExternal')
    .map((c) => String(c.args.channel_id));
  expect(uploadedTo.sort()).toEqual([dm('a-board-representative'), dm(businessManager)].sort());
  expect(uploadedTo).not.toContain(dm('b-board-representative'));
  expect(api.uploads.filter((u) => u.includes('%PDF-') && u.includes('%%EOF'))).toHaveLength(2);
  // No Slack call's words name the adult (the name is only inside the uploaded PDFs).
  expect(JSON.stringify(api.calls)).not.toMatch(/Philippa|Quennell|1938-04-17|Orchard/);
  await repo.close();
  await api.close();
}, 60_000);
