/**
 * Finding 2: reads are authorised like writes. Through the real bot (Teams and Slack against the
 * shared fakes), someone in the directory who is no party to a case asks for its card, its
 * documents form and its documents, by reference: they get the same neutral words as for a
 * reference that does not exist, nothing of the case, and the attempt is in the security log.
 * A party gets the card; every opening of the adult's details and every document handed over is
 * in the access log, which the CLI shows the board.
 */
import { join } from 'node:path';
import { startTestBot, type TestBot } from '../fakes/bot';
import {
  choiceInput,
  interaction,
  slackPeople,
  textInput,
  viewSubmission,
  type SlackUser,
} from '../fakes/slack-client';
import { sendActivity, teamsPeople, type TeamsUser } from '../fakes/teams-client';
import { runCli, type CliRun } from '../fakes/cli';

jest.setTimeout(120_000);

const NEUTRAL = 'This case is not available to you.';
const ADULT = 'Zebedee Quillfeather-Okonkwo';
/** What a card or form of the Teams case shows: none of it may reach a non-party. */
const CASE_WORDS = [/LCC-123456/, /J\.? ?S\b/, /closed the referral/, /Lincolnshire Police/, /step-1/, /Direct/];

let bot: TestBot;
let teamsCase = '';
let slackCase = '';
let missing = '';

const teams = (from: TeamsUser, verb: string, data: Record<string, unknown>) => bot.click(from, verb, data);

const slack = (body: string) => bot.slack(body);

function documentsClick(user: SlackUser, reference: string): string {
  return interaction({
    type: 'block_actions',
    team: { id: user.team },
    user: { id: user.id, team_id: user.team },
    api_app_id: 'A1',
    trigger_id: `trigger-documents-${Date.now()}`,
    container: { type: 'message', channel_id: 'CCASE1', message_ts: '1.1', is_ephemeral: false },
    channel: { id: 'CCASE1' },
    message: { ts: '1.1', type: 'message' },
    actions: [
      {
        type: 'button',
        action_id: 'documents:open',
        block_id: 'b',
        value: JSON.stringify({ reference, stage: 'step-1' }),
        action_ts: '1',
      },
    ],
  });
}

function documentsSubmission(user: SlackUser, reference: string, withDetails: boolean): string {
  return viewSubmission(user, {
    id: `V-DOC-${user.id}-${reference}`,
    callback_id: 'case-documents',
    private_metadata: JSON.stringify({ reference }),
    values: {
      document: { value: choiceInput('case-record-with-details') },
      format: { value: { type: 'radio_buttons', selected_option: { value: 'pdf' } } },
      ...(withDetails
        ? {
            name: { value: textInput(ADULT) },
            dateOfBirth: { value: textInput('1944-02-29') },
            address: { value: textInput('7 Mill Lane, Louth') },
          }
        : {}),
    },
  });
}

const cli = (args: string[]): CliRun => runCli(args, { NODE_ENV: 'development', DATA_DIR: bot.dataDir });

beforeAll(async () => {
  bot = await startTestBot();
  // Alex (Lincolnshire County Council) raises a case with the police on Teams.
  ({ teamsCase, slackCase } = await bot.raiseOneEach('V-RAISE-1'));
  // The next reference, which does not exist (references are sequential).
  missing = slackCase.replace(/\d{4}$/, (n) => String(Number(n) + 1).padStart(4, '0'));
});

afterAll(async () => {
  await bot?.stop();
});

describe('Teams: someone in the directory who is no party to the case', () => {
  test.each(['refresh', 'documents', 'send-document'])(
    '%s for another case’s reference: the same neutral words as for a case that does not exist, and nothing of the case',
    async (verb) => {
      const data = (reference: string) => ({
        reference,
        'documents.kind': 'case-record-with-details',
        'documents.format': 'pdf',
      });
      const before = (await bot.app.repo.getCase(teamsCase))?.version;
      const theirs = await teams(teamsPeople.kwame, verb, data(teamsCase));
      const nowhere = await teams(teamsPeople.kwame, verb, data(missing));
      expect(theirs.status).toBe(200);
      expect(theirs.body).toEqual({
        statusCode: 200,
        type: 'application/vnd.microsoft.activity.message',
        value: NEUTRAL,
      });
      expect(theirs.body).toEqual(nowhere.body);
      for (const words of CASE_WORDS) expect(theirs.text).not.toMatch(words);
      expect((await bot.app.repo.getCase(teamsCase))?.version).toBe(before);
      const logged = await bot.app.repo.securityEvents({ personId: 'kwame-asante' });
      expect(logged).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'read-by-non-party', action: verb, reference: teamsCase, platform: 'teams' }),
          expect.objectContaining({ kind: 'no-such-case', action: verb, reference: missing, platform: 'teams' }),
        ]),
      );
    },
  );

  test('giving the adult’s details for a case not theirs stores nothing', async () => {
    const answer = await teams(teamsPeople.kwame, 'send-document', {
      reference: teamsCase,
      'documents.kind': 'case-record-with-details',
      'documents.format': 'pdf',
      'documents.name': ADULT,
    });
    expect(answer.body?.value).toBe(NEUTRAL);
    expect(await bot.app.repo.readPersonalDetails(teamsCase)).toBeUndefined();
    expect((await bot.app.repo.getEvents(teamsCase)).map((e) => e.event.type)).not.toContain(
      'personal-details-recorded',
    );
  });

  test('accepting a file of a case not theirs: the neutral words, and nothing uploaded', async () => {
    const uploads = bot.connector.uploads.length;
    const calls = bot.connector.calls.length;
    const answer = await sendActivity(bot.teamsUrl, bot.connector.url, teamsPeople.kwame, {
      type: 'invoke',
      name: 'fileConsent/invoke',
      value: {
        type: 'fileUpload',
        action: 'accept',
        context: { reference: teamsCase, kind: 'case-record', format: 'pdf' },
        uploadInfo: { name: 'x.pdf', uploadUrl: `${bot.connector.url}upload/9`, uniqueId: 'u', fileType: 'pdf' },
      },
    });
    await bot.app.settle();
    expect(answer.status).toBe(200);
    expect(bot.connector.uploads.length).toBe(uploads);
    const said = JSON.stringify(bot.connector.calls.slice(calls).map((c) => c.body));
    expect(said).toContain(NEUTRAL);
    for (const words of CASE_WORDS) expect(said).not.toMatch(words);
  });

  test('a party gets the card, and seeing it is in the access log', async () => {
    const answer = await teams(teamsPeople.chris, 'refresh', { reference: teamsCase });
    expect(answer.body?.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(answer.text).toContain(teamsCase);
    expect(answer.text).toMatch(/LCC-123456/);
    expect(await bot.app.repo.accessLog({ reference: teamsCase, personId: 'chris-bennett' })).toEqual([
      expect.objectContaining({ what: 'card', agencyId: 'lincolnshire-police', platform: 'teams' }),
    ]);
  });

  test('a party asks for the record naming the adult: giving the details, opening them and the document are each in the access log', async () => {
    const answer = await teams(teamsPeople.alex, 'send-document', {
      reference: teamsCase,
      'documents.kind': 'case-record-with-details',
      'documents.format': 'pdf',
      'documents.name': ADULT,
    });
    expect(String(answer.body?.value)).toMatch(/on its way to your chat/);
    const log = await bot.app.repo.accessLog({ reference: teamsCase, personId: 'alex-morgan' });
    expect(log.map((e) => e.what).sort()).toEqual(
      ['case-record-with-details', 'personal-details', 'personal-details-given'].sort(),
    );
    expect(log.every((e) => e.platform === 'teams' && e.agencyId === 'lincolnshire-county-council')).toBe(true);
    expect(JSON.stringify(log)).not.toContain('Quillfeather');
  });
});

describe('Slack: someone in the directory who is no party to the case', () => {
  test('the Documents button for another case’s reference: the neutral words, privately, and no form opens', async () => {
    const before = bot.slackApi.calls.length;
    await slack(documentsClick(slackPeople.peter, teamsCase));
    await slack(documentsClick(slackPeople.peter, missing));
    const calls = bot.slackApi.since(before);
    expect(calls.filter((c) => c.method === 'views.open')).toEqual([]);
    const said = calls.filter((c) => c.method === 'chat.postEphemeral').map((c) => c.args.text);
    expect(said).toEqual([NEUTRAL, NEUTRAL]);
    expect(await bot.app.repo.securityEvents({ personId: 'peter-lawson' })).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'read-by-non-party', action: 'documents', reference: teamsCase }),
        expect.objectContaining({ kind: 'no-such-case', action: 'documents', reference: missing }),
      ]),
    );
  });

  test('the documents form submitted for another case’s reference: the same answer as for a case that does not exist; nothing stored', async () => {
    const theirs = await slack(documentsSubmission(slackPeople.peter, teamsCase, true));
    const nowhere = await slack(documentsSubmission(slackPeople.peter, missing, true));
    expect(theirs.json).toEqual({ response_action: 'errors', errors: { document: NEUTRAL } });
    expect(theirs.json).toEqual(nowhere.json);
    for (const words of CASE_WORDS) expect(theirs.text).not.toMatch(words);
    // Alex's details for the Teams case are as Alex gave them: the outsider changed nothing.
    const versions = (await bot.app.repo.getEvents(teamsCase)).filter(
      (e) => e.event.type === 'personal-details-recorded',
    );
    expect(versions).toHaveLength(1);
    expect(await bot.app.repo.securityEvents({ personId: 'peter-lawson', reference: teamsCase })).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'read-by-non-party', platform: 'slack' })]),
    );
  });

  test('a party’s documents form is answered as before, and the access log has each reading', async () => {
    const sent = await slack(documentsSubmission(slackPeople.peter, slackCase, true));
    expect(sent.json).toEqual({ response_action: 'clear' });
    const log = await bot.app.repo.accessLog({ reference: slackCase });
    expect(log.map((e) => e.what).sort()).toEqual(
      ['case-record-with-details', 'personal-details', 'personal-details-given'].sort(),
    );
    expect(log.every((e) => e.personId === 'peter-lawson' && e.platform === 'slack')).toBe(true);
  });
});

test('the board sees both logs with the CLI (audit access, audit security), and never the adult’s name', () => {
  const file = join(bot.dataDir, 'escalations.sqlite');
  const access = cli(['audit', 'access', '--case', teamsCase, '--db', file]);
  expect(access.stderr).toBe('');
  expect(access.status).toBe(0);
  expect(access.stdout).toMatch(
    new RegExp(`${teamsCase}\\talex-morgan \\(lincolnshire-county-council\\)\\topened the adult's details\\tteams`),
  );
  expect(access.stdout).toMatch(/was sent the case record naming the adult/);
  expect(access.stdout).toMatch(/chris-bennett \(lincolnshire-police\)\tsaw the case card/);
  expect(access.stdout).not.toContain('Quillfeather');
  const byPerson = cli(['audit', 'access', '--person', 'peter-lawson', '--db', file]);
  expect(byPerson.stdout).toMatch(/^3 readings, newest first\n/);
  expect(byPerson.stdout).toContain(slackCase);
  const security = cli(['audit', 'security', '--person', 'kwame-asante', '--db', file]);
  expect(security.status).toBe(0);
  expect(security.stdout).toMatch(
    new RegExp(
      `${teamsCase}\\tkwame-asante \\(boston-borough-council\\)\\tnot a party, asked to see the case: refresh\\tteams`,
    ),
  );
  expect(security.stdout).toMatch(/named a case that does not exist: send-document/);
  const bad = cli(['audit', 'access', '--since', 'last tuesday', '--db', file]);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/--since must be a date written YYYY-MM-DD/);
});
