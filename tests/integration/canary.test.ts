/**
 * The canary: an adult with a distinctive name goes through a whole case with one agency on
 * Slack and the other on Teams. The name is given once, privately, in the documents form. It
 * must never appear in any Slack or Teams payload (messages, cards, views, channel names), any
 * log line, or the board's report; and it must appear in the documents a role holder asks for.
 * Along the way the name, the date of birth and the address (written in the ways people write
 * them) are typed into every free-text field on both platforms: each is refused in plain words,
 * nothing stored changes, and the words reach no chat payload and no log line.
 */
import { inflateRawSync } from 'node:zlib';
import { loadProcedures, loadDirectoryFile, EXAMPLE_DIRECTORY_FILE } from '../../src/app/procedures';
import { boardFigures } from '../../src/app/reports/figures';
import { figuresCsv, figuresHtml } from '../../src/app/reports/render';
import { startTestBot, type TestBot } from '../fakes/bot';
import { captureLogs, sentToChats } from '../fakes/leaks';
import {
  blockAction,
  choiceInput,
  slackPeople,
  slackPost,
  textInput,
  viewSubmission,
  type SlackUser,
  type ViewValues,
} from '../fakes/slack-client';
import { executeAction, fileConsentAccept, teamsPeople, type TeamsUser } from '../fakes/teams-client';

const NAME = 'Wilhelmina Aethelstan-Oyelaran';
const ADDRESS = '1 Minster Yard, Lincoln LN2 1PX';
/** The adult as people write them: every one must be refused once the case holds the details. */
const VARIANTS = [
  NAME,
  'AETHELSTAN-OYELARAN, WILHELMINA',
  'Wílhelmína Aethelstan Oyelaran',
  'wilhelmina aethelstanoyelaran',
  'Mrs Aethelstan-Oyelaran',
  'Born 9th January 1936.',
  'DOB 09/01/36',
  'Lives at 1 Minster Yard.',
  'ln2 1px',
];
/** What must never reach a chat or a log, besides the name's parts. */
const TELLTALES = [/minster yard/i, /ln2 ?1px/i, /9th january 1936/i, /09\/01\/36/];
const tally = { fields: new Set<string>(), tried: 0, refused: 0 };
const logs = captureLogs();
let bot: TestBot;
let now = new Date('2026-11-23T10:00:00Z');

function docxText(docx: Buffer): string {
  const at = docx.indexOf('word/document.xml');
  // The local file header for word/document.xml: inflate what follows it.
  for (let i = at; i >= 0; i = docx.indexOf('word/document.xml', i + 1)) {
    const header = i - 30;
    if (header < 0 || docx.readUInt32LE(header) !== 0x04034b50) continue;
    const size = docx.readUInt32LE(header + 18);
    const start = i + docx.readUInt16LE(header + 26) + docx.readUInt16LE(header + 28);
    const data = docx.subarray(start, start + size);
    return inflateRawSync(data).toString('utf8');
  }
  return '';
}

beforeAll(async () => {
  bot = await startTestBot({
    env: { LOG_LEVEL: 'debug', SWEEP_INTERVAL_SECONDS: '30' },
    clock: () => now,
    logDestination: logs.destination,
  });
});

afterAll(async () => {
  await bot.stop();
});

async function slack(body: string): Promise<Record<string, unknown> | undefined> {
  return (await slackPost(bot.slackUrl, body)).json;
}

const peter = slackPeople.peter;
const helen = slackPeople.helen;
const { chris, fiona, alex } = teamsPeople;

const view = (user: SlackUser, id: string, callback: string, meta: string, values: ViewValues): string =>
  viewSubmission(user, { id, callback_id: callback, private_metadata: meta, values });
const click = (user: SlackUser, actionId: string, stage: string, channel = 'CCASE1'): string =>
  blockAction(user, actionId, JSON.stringify({ reference: 'LI-2026-0001', stage }), { channel, ts: '1.5' });
const txt = (v: string): ViewValues[string] => ({ value: textInput(v) });
const sel = (v: string): ViewValues[string] => ({ value: choiceInput(v) });

/** One activity from `from`, answered and everything after it settled. */
const teams = async (
  from: TeamsUser,
  activity: Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> => (await bot.teams(from, activity)).body;
const execute = (from: TeamsUser, verb: string, stage: string, data: Record<string, unknown> = {}) =>
  teams(from, executeAction(verb, { reference: 'LI-2026-0001', stage, verb, ...data }));

const settle = (): Promise<void> => bot.app.settle();

const REFERENCE = 'LI-2026-0001';
async function unchanged(): Promise<{ version?: number; events: number }> {
  return {
    version: (await bot.app.repo.getCase(REFERENCE))?.version,
    events: (await bot.app.repo.getEvents(REFERENCE)).length,
  };
}
const nameIn = (text: string): boolean =>
  NAME.split(/[\s-]+/).some((part) => text.toLowerCase().includes(part.toLowerCase()));

/** Every variant typed into `field` of `verb`'s Slack modal: refused there, nothing stored. */
async function refusedOnSlack(user: SlackUser, verb: string, field: string, other: Record<string, string> = {}) {
  tally.fields.add(`slack ${verb}.${field}`);
  const stage = (await bot.app.repo.getCase(REFERENCE))?.state.stages.at(-1)?.id ?? '';
  const meta = JSON.stringify({ reference: REFERENCE, stage, channel: 'CCASE1', ts: '1.5' });
  for (const value of VARIANTS) {
    tally.tried++;
    const before = await unchanged();
    const values = Object.fromEntries(Object.entries({ ...other, [field]: value }).map(([k, v]) => [k, txt(v)]));
    const answer = await slack(view(user, `V-${verb}`, `case-input:${verb}`, meta, values));
    await settle();
    const errors = (answer?.errors ?? {}) as Record<string, string>;
    expect({
      verb,
      value,
      action: answer?.response_action,
      plain: /^This \w+( \w+)? (names|gives)/.test(errors[field] ?? ''),
    }).toEqual({
      verb,
      value,
      action: 'errors',
      plain: true,
    });
    expect({ verb, value, after: await unchanged() }).toEqual({ verb, value, after: before });
    tally.refused++;
  }
}

/** Every variant typed into `field` of `verb`'s input on the Teams card: refused, never echoed. */
async function refusedOnTeams(user: TeamsUser, verb: string, field: string, other: Record<string, string> = {}) {
  tally.fields.add(`teams ${verb}.${field}`);
  const stage = (await bot.app.repo.getCase(REFERENCE))?.state.stages.at(-1)?.id ?? '';
  for (const value of VARIANTS) {
    tally.tried++;
    const before = await unchanged();
    const data = Object.fromEntries(Object.entries({ ...other, [field]: value }).map(([k, v]) => [`${verb}.${k}`, v]));
    const answer = await execute(user, verb, stage, data);
    const text = JSON.stringify(answer);
    expect({
      verb,
      value,
      type: answer?.type,
      plain: /^This \w+( \w+)? (names|gives)/.test(String(answer?.value)),
    }).toEqual({
      verb,
      value,
      type: 'application/vnd.microsoft.activity.message',
      plain: true,
    });
    expect({ verb, value, echoed: nameIn(text) || TELLTALES.some((t) => t.test(text)) }).toEqual({
      verb,
      value,
      echoed: false,
    });
    expect({ verb, value, after: await unchanged() }).toEqual({ verb, value, after: before });
    tally.refused++;
  }
}

test('the adult’s name reaches the documents asked for, and nowhere else: no chat payload, channel name, card, log line or report', async () => {
  // Raised on Slack by the diocese against the police (on Teams).
  const meta = JSON.stringify({ board: 'lincolnshire', channel: 'CGENERAL' });
  // Before that, the raising form on both platforms: no details are sealed yet, so what is refused
  // is a record number that reads as a name, and dates of birth and postcodes in any field.
  const form = {
    respondingAgency: 'lincolnshire-police',
    counterpartEmail: 'chris.bennett@police.lincolnshire.example.org',
    initials: 'W A',
    recordRaising: 'DIO-1',
    recordResponding: '',
    category: 'case-closure',
    summary: 'The police closed the referral although the adult is still at risk.',
    outcomeWanted: 'Reopen it.',
    safetyMeanwhile: 'Daily visits.',
  };
  const raiseAttempts: Array<[string, string]> = [
    ['recordRaising', NAME],
    ['recordResponding', 'AETHELSTAN-OYELARAN, WILHELMINA'],
    ['recordRaising', 'Wílhelmína Aethelstan'],
    ...['summary', 'outcomeWanted', 'safetyMeanwhile', 'recordRaising', 'recordResponding'].flatMap(
      (f): Array<[string, string]> => [
        [f, 'DOB 09/01/36'],
        [f, '9th January 1936'],
        [f, 'LN2 1PX'],
      ],
    ),
  ];
  for (const [field, value] of raiseAttempts) {
    tally.tried += 2;
    tally.fields.add(`slack raise.${field}`).add(`teams raise.${field}`);
    const values = Object.fromEntries(
      Object.entries({ ...form, [field]: value }).map(([k, v]) => [
        k,
        k === 'respondingAgency' || k === 'category' ? sel(v) : txt(v),
      ]),
    );
    const onSlack = await slack(view(peter, `V-${field}`, 'raise-form', meta, values));
    expect({ field, value, action: onSlack?.response_action }).toEqual({ field, value, action: 'errors' });
    const onTeams = await teams(
      alex,
      executeAction('raise-submit', {
        ...form,
        board: 'lincolnshire',
        immediateRisk: 'no',
        respondingAgency: 'lincolnshire-police',
        counterpartEmail: '',
        [field]: value,
      }),
    );
    const text = JSON.stringify(onTeams);
    // The chat keeps this card: it says what to change but never shows the value again.
    expect({
      field,
      value,
      refused: /This (description|answer|record number) (gives|may name the adult)|A record number is/.test(text),
      echoed: nameIn(text) || TELLTALES.some((t) => t.test(text)),
    }).toEqual({ field, value, refused: true, echoed: false });
    tally.refused += 2;
  }
  expect(await bot.app.repo.allReferences()).toEqual([]);
  const raised = await slack(
    view(peter, 'V1', 'raise-form', meta, {
      respondingAgency: sel('lincolnshire-police'),
      counterpartEmail: txt('chris.bennett@police.lincolnshire.example.org'),
      initials: txt('W A'),
      recordRaising: txt('DIO-1'),
      recordResponding: txt(''),
      category: sel('case-closure'),
      summary: txt('The police closed the referral although the adult is still at risk.'),
      outcomeWanted: txt('Reopen it.'),
      safetyMeanwhile: txt('Daily visits.'),
    }),
  );
  expect(JSON.stringify(raised)).toMatch(/LI-2026-0001 is raised/);
  await settle();
  // The adult's details, given privately in the documents modal on Slack.
  await slack(click(peter, 'documents:open', 'step-1'));
  await settle();
  const docMeta = JSON.stringify({ reference: 'LI-2026-0001' });
  const given = await slack(
    view(peter, 'V2', 'case-documents', docMeta, {
      document: sel('case-record-with-details'),
      format: { value: { type: 'radio_buttons', selected_option: { value: 'docx' } } },
      name: txt(NAME),
      dateOfBirth: txt('1936-01-09'),
      address: txt(ADDRESS),
    }),
  );
  expect(given).toEqual({ response_action: 'clear' });
  await settle();
  // The whole case: acknowledged on Teams, escalated on Slack and approved, then resolved across both.
  // At each step, the adult typed into every field there is refused on both platforms.
  now = new Date('2026-11-23T12:00:00Z');
  await execute(chris, 'acknowledge', 'step-1');
  now = new Date('2026-11-24T10:00:00Z');
  await refusedOnSlack(peter, 'add-note', 'text');
  await refusedOnTeams(chris, 'add-note', 'text');
  await refusedOnSlack(peter, 'request-escalation', 'reason');
  await refusedOnTeams(chris, 'request-escalation', 'reason');
  await refusedOnSlack(peter, 'withdraw', 'reason');
  const stepOne = JSON.stringify({ reference: 'LI-2026-0001', stage: 'step-1', channel: 'CCASE1', ts: '1.5' });
  await slack(view(peter, 'V3', 'case-input:request-escalation', stepOne, { reason: txt('No plan agreed.') }));
  await settle();
  await refusedOnSlack(helen, 'return-escalation', 'reason');
  await slack(view(helen, 'V4', 'case-input:return-escalation', stepOne, { reason: txt('Talk once more first.') }));
  await settle();
  await execute(chris, 'request-escalation', 'step-1', { 'request-escalation.reason': 'Still no plan.' });
  await refusedOnTeams(fiona, 'return-escalation', 'reason');
  await execute(fiona, 'approve-escalation', 'step-1');
  expect((await bot.app.repo.getCase('LI-2026-0001'))?.state.stages.at(-1)?.id).toBe('step-2');
  await execute(fiona, 'acknowledge', 'step-2');
  await refusedOnTeams(fiona, 'propose-resolution', 'outcome', { outstandingIssues: 'None.' });
  await refusedOnTeams(fiona, 'propose-resolution', 'outstandingIssues', { outcome: 'Reopened.' });
  await refusedOnSlack(helen, 'propose-resolution', 'outcome', { outstandingIssues: 'None.' });
  await refusedOnSlack(helen, 'propose-resolution', 'outstandingIssues', { outcome: 'Reopened.' });
  const stepTwo = JSON.stringify({ reference: 'LI-2026-0001', stage: 'step-2', channel: 'CCASE1', ts: '1.5' });
  await slack(
    view(helen, 'V5', 'case-input:propose-resolution', stepTwo, {
      outcome: txt('A joint visit.'),
      outstandingIssues: txt('None.'),
    }),
  );
  await settle();
  await refusedOnTeams(fiona, 'dispute-resolution', 'reason');
  await execute(fiona, 'dispute-resolution', 'step-2', { 'dispute-resolution.reason': 'The referral must reopen.' });
  await execute(fiona, 'propose-resolution', 'step-2', {
    'propose-resolution.outcome': 'The referral is reopened.',
    'propose-resolution.outstandingIssues': 'None.',
  });
  await refusedOnSlack(helen, 'dispute-resolution', 'reason');
  await slack(click(helen, 'case:confirm-resolution', 'step-2'));
  await settle();
  expect((await bot.app.repo.getCase('LI-2026-0001'))?.state.status).toBe('resolved');
  // On Teams, the police line manager asks for the case record naming the adult, and accepts the file.
  const before = bot.connector.calls.length;
  await execute(fiona, 'send-document', 'step-2', {
    'documents.kind': 'case-record-with-details',
    'documents.format': 'docx',
  });
  const consent = bot.connector.calls.slice(before).find((c) => JSON.stringify(c.body).includes('file.consent'));
  const context = (consent?.body as { attachments: Array<{ content: { acceptContext: unknown } }> } | undefined)
    ?.attachments[0]?.content.acceptContext;
  await teams(
    fiona,
    fileConsentAccept(context, {
      name: 'record.docx',
      uploadUrl: `${bot.connector.url}upload/2`,
      contentUrl: 'https://x.example/f',
      uniqueId: 'u',
      fileType: 'docx',
    }),
  );
  await settle();

  // Where the name must be: both documents (Slack DM and Teams OneDrive).
  expect(bot.slackApi.uploads).toHaveLength(1);
  expect(bot.connector.uploads).toHaveLength(1);
  for (const u of [...bot.slackApi.uploads, ...bot.connector.uploads.map((x) => x.bytes)])
    expect(docxText(u.subarray(u.indexOf('PK'))).replace(/<[^>]+>/g, '')).toContain(NAME);
  // Where it must not be.
  const { slack: slackText, teams: teamsText } = sentToChats(bot);
  expect(slackText).toMatch(/W\.A\. \(initials\)/); // the cards went out…
  expect(teamsText).toMatch(/W\.A\. \(initials\)/);
  for (const [where, text] of [
    ['Slack', slackText],
    ['Teams', teamsText],
    ['logs', logs.lines.join('')],
  ] as const) {
    for (const part of NAME.split(/[\s-]+/))
      expect({ where, found: text.includes(part) }).toEqual({ where, found: false });
    for (const t of TELLTALES)
      expect({ where, telltale: String(t), found: t.test(text) }).toEqual({ where, telltale: String(t), found: false });
  }
  // Nothing refused reached the timeline either.
  const timeline = JSON.stringify(await bot.app.repo.getEvents('LI-2026-0001'));
  expect({ name: nameIn(timeline), details: TELLTALES.some((t) => t.test(timeline)) }).toEqual({
    name: false,
    details: false,
  });
  process.stdout.write(
    `canary: free-text fields tried ${tally.fields.size}, values tried ${tally.tried}, refused ${tally.refused}\n`,
  );
  expect(tally.refused).toBe(tally.tried);
  expect(bot.slackApi.calls.filter((c) => c.method === 'conversations.create').map((c) => c.args.name)).toEqual([
    'esc-li-2026-0001',
  ]);
  expect(logs.lines.length).toBeGreaterThan(3);
  const procedures = loadProcedures();
  const lincolnshire = procedures.get('lincolnshire');
  if (!lincolnshire) throw new Error('no lincolnshire');
  const state = (await bot.app.repo.getCase('LI-2026-0001'))?.state;
  if (!state) throw new Error('lost');
  const figures = boardFigures(
    lincolnshire,
    [state],
    loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, procedures),
    '2026-11-01',
    '2026-12-01',
    now,
  );
  for (const report of [figuresHtml(figures), figuresCsv(figures)])
    for (const part of NAME.split(/[\s-]+/)) expect(report).not.toContain(part);
});
