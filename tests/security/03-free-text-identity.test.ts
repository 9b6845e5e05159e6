/**
 * Finding 3: the adult's name reached chat through free text. Through the real bot, on Slack and
 * Teams: the adult's sealed name, date of birth and address (and their variants) typed into every
 * free-text field are refused with plain words, nothing stored changes, and the value reaches no
 * chat payload and no log line; record numbers must look like record numbers; the Teams form in
 * the chat never shows a refused value again.
 */
import { startTestBot, type TestBot } from '../fakes/bot';
import { captureLogs, sentToChats } from '../fakes/leaks';
import {
  cardClick,
  raiseFormValues,
  slackPeople,
  slackPost,
  textInput,
  viewSubmission,
  choiceInput,
  type SlackUser,
} from '../fakes/slack-client';
import { executeAction, sendActivity, teamsPeople, teamsRaiseForm, type TeamsUser } from '../fakes/teams-client';

const NAME = 'Zebedee Quillfeather-Okonkwo';
const DETAILS = { name: NAME, dateOfBirth: '1950-03-12', address: '14 Elm Road, Lincoln LN2 1PX' };
/** What must never reach a chat or a log: the name's parts, the street line, the postcode. */
const TELLTALES = [/zebedee/i, /z[ée]b[ée]d[ée]e/i, /quillfeather/i, /okonkwo/i, /elm r(oa)?d/i, /ln2 ?1px/i];
/** The hidden forms of the same, as typed (invisible characters, look-alike and full-width letters). */
TELLTALES.push(/z\u200be/i, /\u041ekonkwo/i, /ｑｕｉｌｌ/i, /ln2\u200b1px/i, /12 mar '50/i);

/** The same adult, written as people write: each must be refused wherever the case holds the details. */
const VARIANTS = [
  `Spoke to ${NAME} at home.`,
  'QUILLFEATHER-OKONKWO, ZEBEDEE agreed.',
  'Mr Zébédée Quillfeather Okonkwo',
  'zebedee quillfeatherokonkwo',
  'Mrs Quillfeather-Okonkwo (his wife)',
  'Born 12th March 1950.',
  'Her birthday: 12.3.50',
  'Lives at 14 Elm Rd, Lincoln.',
  'ln2 1px',
  // Hidden: zero-width spaces, a Cyrillic capital O, full-width letters, an apostrophe year.
  'Z\u200be\u200bb\u200be\u200bd\u200be\u200be Quillfeather rang.',
  'Zebedee \u041ekonkwo agreed.',
  'Ｑｕｉｌｌｆｅａｔｈｅｒ said no.',
  'Moved to LN2\u200b1PX.',
  "Visited 12 Mar '50.",
];
/** What can be recognised before any details are given (at raising): the shapes. */
const SHAPES = ['DOB 12/03/1950', 'Seen on 12 March 1950.', 'Moved to LN2 1PX.', "DOB 12 Mar '50", 'LN2\u200b1PX'];
const NAMES_AS_RECORD_NUMBERS = [NAME, 'Quillfeather Okonkwo', 'zebedee okonkwo', 'Zebedee'];

const peter = slackPeople.peter;
const helen = slackPeople.helen;
const catherine: SlackUser = { id: 'U0LDIO0003', team: 'T0LINCDIO' };
const { chris, fiona, alex } = teamsPeople;
/** The board's review and learning group, which records the decision at step 4b. */
const david: TeamsUser = { id: '29:david', aadObjectId: '379585af-eba6-4837-9ae0-9418850b97c8', name: 'David Osei' };

const PLAIN =
  /^This (note|reason|outcome|answer|decision|description|record number) (names the adult|may name the adult|gives the adult's surname|gives the adult's date of birth|gives a date of birth|gives the adult's address|gives a postcode|gives a full date from long ago)/;

/** A matcher for a message in plain words (typed, for use inside toEqual). */
const plainWords = (re: RegExp): unknown => expect.stringMatching(re);

let bot: TestBot;
let now = new Date('2026-11-23T10:00:00Z');
const logs = captureLogs();
const tally = { tried: 0, refused: 0, fields: new Set<string>() };

beforeAll(async () => {
  bot = await startTestBot({
    clock: () => now,
    logDestination: logs.destination,
    env: { LOG_LEVEL: 'debug' },
  });
});
afterAll(async () => {
  await bot.stop();
});

const slack = async (body: string) => {
  const answer = await slackPost(bot.slackUrl, body);
  await bot.app.settle();
  return answer;
};
const teams = async (from: TeamsUser, activity: Record<string, unknown>) => {
  const answer = await sendActivity(bot.teamsUrl, bot.connector.url, from, activity);
  await bot.app.settle();
  return answer;
};

async function snapshot(reference: string): Promise<unknown> {
  const stored = await bot.app.repo.getCase(reference);
  return { version: stored?.version, events: (await bot.app.repo.getEvents(reference)).length };
}

/** Type `value` into the Slack modal for `verb`'s `field`: refused in the modal, nothing stored. */
async function slackWords(user: SlackUser, reference: string, verb: string, fields: Record<string, string>) {
  const before = await snapshot(reference);
  const stage = (await bot.app.repo.getCase(reference))?.state.stages.at(-1)?.id ?? '';
  const answer = await slack(
    viewSubmission(user, {
      id: `V-${verb}`,
      callback_id: `case-input:${verb}`,
      private_metadata: JSON.stringify({ reference, stage, channel: '', ts: '' }),
      values: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { value: textInput(v) }])),
    }),
  );
  return { answer, before, after: await snapshot(reference) };
}

/** Type `value` into the Teams card's input for `verb`'s `field`. */
async function teamsWords(user: TeamsUser, reference: string, verb: string, fields: Record<string, string>) {
  const before = await snapshot(reference);
  const stage = (await bot.app.repo.getCase(reference))?.state.stages.at(-1)?.id ?? '';
  const data: Record<string, unknown> = { reference, stage, verb };
  for (const [k, v] of Object.entries(fields)) data[`${verb}.${k}`] = v;
  const answer = await teams(user, executeAction(verb, data));
  return { answer, before, after: await snapshot(reference) };
}

/** Every variant into one field of one command, on one platform: each refused in plain words. */
async function refuseEach(
  platform: 'slack' | 'teams',
  user: SlackUser | TeamsUser,
  reference: string,
  verb: string,
  field: string,
  clean: Record<string, string> = {},
): Promise<void> {
  tally.fields.add(`${platform} ${verb}.${field}`);
  for (const value of VARIANTS) {
    tally.tried++;
    const fields = { ...clean, [field]: value };
    if (platform === 'slack') {
      const { answer, before, after } = await slackWords(user as SlackUser, reference, verb, fields);
      const errors = (answer.json?.errors ?? {}) as Record<string, string>;
      expect({ value, field, status: answer.status, action: answer.json?.response_action }).toEqual({
        value,
        field,
        status: 200,
        action: 'errors',
      });
      expect({ value, message: errors[field] }).toEqual({ value, message: plainWords(PLAIN) });
      expect({ value, after }).toEqual({ value, after: before });
    } else {
      const { answer, before, after } = await teamsWords(user, reference, verb, fields);
      expect({ value, field, type: answer.body?.type }).toEqual({
        value,
        field,
        type: 'application/vnd.microsoft.activity.message',
      });
      expect({ value, message: answer.body?.value }).toEqual({ value, message: plainWords(PLAIN) });
      for (const t of TELLTALES) expect({ value, leaked: t.test(answer.text) }).toEqual({ value, leaked: false });
      expect({ value, after }).toEqual({ value, after: before });
    }
    tally.refused++;
  }
}

const REF = 'LI-2026-0001';
const REF2 = 'LI-2026-0002';

test('raising: record numbers that read as a name, and dates of birth or postcodes in any field, are refused on Slack', async () => {
  const meta = JSON.stringify({ board: 'lincolnshire', channel: 'CGENERAL' });
  const base = {
    respondingAgency: 'lincolnshire-police',
    counterpartEmail: 'chris.bennett@police.lincolnshire.example.org',
  };
  const attempts: Array<[string, string]> = [
    ...['recordRaising', 'recordResponding'].flatMap((f) =>
      NAMES_AS_RECORD_NUMBERS.map((v): [string, string] => [f, v]),
    ),
    ...['summary', 'outcomeWanted', 'safetyMeanwhile', 'recordRaising', 'recordResponding'].flatMap((f) =>
      SHAPES.map((v): [string, string] => [f, v]),
    ),
  ];
  for (const [field, value] of attempts) {
    tally.tried++;
    tally.fields.add(`slack raise.${field}`);
    const answer = await slack(
      viewSubmission(peter, {
        id: `V-raise-${field}`,
        callback_id: 'raise-form',
        private_metadata: meta,
        values: raiseFormValues({ ...base, [field]: value }),
      }),
    );
    expect({ field, value, action: answer.json?.response_action }).toEqual({ field, value, action: 'errors' });
    const message = ((answer.json?.errors ?? {}) as Record<string, string>)[field] ?? '';
    expect({ field, value, message }).toEqual({
      field,
      value,
      message: plainWords(
        /^(This (description|answer|record number) gives|A record number is the agency's own reference)/,
      ),
    });
    tally.refused++;
  }
  expect(await bot.app.repo.allReferences()).toEqual([]);
});

test('raising on Teams: refused in the chat form, and the refused value is not put back into the card the chat keeps', async () => {
  const values = [...NAMES_AS_RECORD_NUMBERS.map((v) => ['recordRaising', v]), ...SHAPES.map((v) => ['summary', v])];
  values.push(['initials', NAME]);
  for (const [field, value] of values as Array<[string, string]>) {
    tally.tried++;
    tally.fields.add(`teams raise.${field}`);
    const answer = await teams(alex, executeAction('raise-submit', { ...teamsRaiseForm, [field]: value }));
    expect({ field, value, type: answer.body?.type }).toEqual({
      field,
      value,
      type: 'application/vnd.microsoft.card.adaptive',
    });
    // The card shows what to change…
    expect({
      field,
      value,
      plain: /This (description|record number) gives|A record number is the agency's own reference|initials only/.test(
        answer.text,
      ),
    }).toEqual({ field, value, plain: true });
    // …but never the value: the chat keeps this card.
    for (const t of TELLTALES.concat([/12\/03\/1950|12 March 1950/]))
      expect({ field, value, leaked: t.test(answer.text) }).toEqual({ field, value, leaked: false });
    tally.refused++;
  }
  // Another answer wrong first (an unknown counterpart): the name is still never put back into the chat's card.
  const first = await teams(
    alex,
    executeAction('raise-submit', {
      ...teamsRaiseForm,
      counterpartEmail: 'nobody@else.example.org',
      initials: NAME,
      recordRaising: NAME,
      summary: 'Born 12.3.50',
    }),
  );
  expect(first.text).toMatch(/Nobody with this email has used the bot yet/);
  expect(first.text).toMatch(/This description gives a date of birth/);
  for (const t of TELLTALES.concat([/12\.3\.50/])) expect({ leaked: t.test(first.text) }).toEqual({ leaked: false });
  // The private dialog keeps the typed words for correcting, except refused initials.
  const dialog = await teams(alex, {
    type: 'invoke',
    name: 'task/submit',
    value: { data: { ...teamsRaiseForm, initials: NAME } },
  });
  expect(dialog.text).toMatch(/initials only/);
  expect(dialog.text).not.toMatch(/Quillfeather/);
  expect(await bot.app.repo.allReferences()).toEqual([]);
});

test('raising with the initials Z.Q. and no details given: a name starting with them is refused on Slack and in the Teams chat form, and never shown again', async () => {
  const meta = JSON.stringify({ board: 'lincolnshire', channel: 'CGENERAL' });
  const base = {
    respondingAgency: 'lincolnshire-police',
    counterpartEmail: 'chris.bennett@police.lincolnshire.example.org',
    initials: 'Z Q',
  };
  const words = [
    `${NAME} fell at home.`,
    'Z\u200bebedee Quill\u200bfeather lives alone.',
    'Mr Quillfeather has no carer.',
    'Quillfeather, Zebedee agreed.',
  ];
  const attempts: Array<[string, string]> = [
    ...['summary', 'outcomeWanted', 'safetyMeanwhile'].flatMap((f) => words.map((v): [string, string] => [f, v])),
    ['recordRaising', 'Zeb 12345'],
    ['recordResponding', 'Quill-123456'],
  ];
  const byInitials =
    /^This (description|answer|record number) may name the adult: a (name|word) in it starts with their initials, Z\.Q\. /;
  const hidden = [/\bzeb\b/i, /quill/i, /z\u200bebedee/i];
  for (const [field, value] of attempts) {
    tally.tried += 2;
    tally.fields.add(`slack raise.${field} (initials)`);
    tally.fields.add(`teams raise.${field} (initials)`);
    const onSlack = await slack(
      viewSubmission(peter, {
        id: `V-raise-initials-${field}`,
        callback_id: 'raise-form',
        private_metadata: meta,
        values: raiseFormValues({ ...base, [field]: value }),
      }),
    );
    expect({ field, value, action: onSlack.json?.response_action }).toEqual({ field, value, action: 'errors' });
    const message = ((onSlack.json?.errors ?? {}) as Record<string, string>)[field] ?? '';
    expect({ field, value, message }).toEqual({ field, value, message: plainWords(byInitials) });
    for (const t of [...TELLTALES, ...hidden])
      expect({ value, leaked: t.test(onSlack.text) }).toEqual({ value, leaked: false });
    // In the Teams chat form: refused, and the value left out of the card the chat keeps.
    const onTeams = await teams(
      alex,
      executeAction('raise-submit', { ...teamsRaiseForm, initials: 'Z.Q.', [field]: value }),
    );
    expect({ field, value, type: onTeams.body?.type }).toEqual({
      field,
      value,
      type: 'application/vnd.microsoft.card.adaptive',
    });
    expect({
      field,
      value,
      plain: /may name the adult: a (name|word) in it starts with their initials, Z\.Q\./.test(onTeams.text),
    }).toEqual({
      field,
      value,
      plain: true,
    });
    for (const t of [...TELLTALES, ...hidden])
      expect({ value, leaked: t.test(onTeams.text) }).toEqual({ value, leaked: false });
    tally.refused += 2;
  }
  expect(await bot.app.repo.allReferences()).toEqual([]);
});

test('the documents card never shows the adult’s details given in it', async () => {
  // Raised on Slack by the diocese against the police (on Teams); on Teams by the council against the police.
  const meta = JSON.stringify({ board: 'lincolnshire', channel: 'CGENERAL' });
  const raised = await slack(
    viewSubmission(peter, {
      id: 'V-raise',
      callback_id: 'raise-form',
      private_metadata: meta,
      values: raiseFormValues({
        respondingAgency: 'lincolnshire-police',
        counterpartEmail: 'chris.bennett@police.lincolnshire.example.org',
      }),
    }),
  );
  expect(raised.text).toMatch(/LI-2026-0001 is raised/);
  const second = await teams(alex, executeAction('raise-submit', { ...teamsRaiseForm }));
  expect(second.text).toMatch(/LI-2026-0002 is raised/);
  // The adult's details, given privately: on Slack in the documents modal, on Teams in the documents card.
  const given = await slack(
    viewSubmission(peter, {
      id: 'V-docs',
      callback_id: 'case-documents',
      private_metadata: JSON.stringify({ reference: REF }),
      values: {
        document: { value: choiceInput('case-record') },
        format: { value: { type: 'radio_buttons', selected_option: { value: 'pdf' } } },
        name: { value: textInput(NAME) },
        dateOfBirth: { value: textInput(DETAILS.dateOfBirth) },
        address: { value: textInput(DETAILS.address) },
      },
    }),
  );
  expect(given.json).toEqual({ response_action: 'clear' });
  const onTeams = await teams(
    alex,
    executeAction('send-document', {
      reference: REF2,
      verb: 'send-document',
      'documents.kind': 'case-record',
      'documents.format': 'pdf',
      'documents.name': NAME,
      'documents.dateOfBirth': 'not a date',
      'documents.address': DETAILS.address,
    }),
  );
  // Refused (a wrong date), and the card shown again has none of what was typed.
  expect(onTeams.body?.type).toBe('application/vnd.microsoft.card.adaptive');
  for (const t of TELLTALES) expect({ leaked: t.test(onTeams.text) }).toEqual({ leaked: false });
  const fixed = await teams(
    alex,
    executeAction('send-document', {
      reference: REF2,
      verb: 'send-document',
      'documents.kind': 'case-record',
      'documents.format': 'pdf',
      'documents.name': NAME,
      'documents.dateOfBirth': DETAILS.dateOfBirth,
      'documents.address': DETAILS.address,
    }),
  );
  for (const t of TELLTALES) expect({ leaked: t.test(fixed.text) }).toEqual({ leaked: false });
  expect(await bot.app.repo.readPersonalDetails(REF2)).toBeDefined();
});

test('every free-text field of every command, on both platforms, refuses the adult’s identity', async () => {
  now = new Date('2026-11-24T10:00:00Z');
  // Step 1: notes, escalation requests, withdrawal.
  await refuseEach('slack', peter, REF, 'add-note', 'text');
  await refuseEach('teams', chris, REF, 'add-note', 'text');
  await refuseEach('slack', peter, REF, 'request-escalation', 'reason');
  await refuseEach('teams', chris, REF, 'request-escalation', 'reason');
  await refuseEach('slack', peter, REF, 'withdraw', 'reason');
  await refuseEach('teams', alex, REF2, 'withdraw', 'reason');
  // A name starting with the case's own initials (R.T. for the first case), which the sealed name does not hold.
  for (const value of ['Rosa Thorne rang.', 'Mrs Thorne asked for a review.']) {
    tally.tried += 2;
    const onSlack = await slackWords(peter, REF, 'add-note', { text: value });
    const errors = (onSlack.answer.json?.errors ?? {}) as Record<string, string>;
    expect({ value, message: errors.text }).toEqual({
      value,
      message: plainWords(/^This note may name the adult: a name in it starts with their initials, R\.T\. /),
    });
    expect({ value, after: onSlack.after }).toEqual({ value, after: onSlack.before });
    const onTeams = await teamsWords(chris, REF, 'add-note', { text: value });
    expect({ value, message: onTeams.answer.body?.value }).toEqual({
      value,
      message: plainWords(/^This note may name the adult: a name in it starts with their initials, R\.T\. /),
    });
    expect({ value, leaked: /thorne/i.test(onTeams.answer.text) }).toEqual({ value, leaked: false });
    expect({ value, after: onTeams.after }).toEqual({ value, after: onTeams.before });
    tally.refused += 2;
  }
  // Returning an escalation: asked for by the diocese (returned on Slack), then by the police (on Teams).
  expect((await slackWords(peter, REF, 'request-escalation', { reason: 'No plan agreed.' })).answer.json).toEqual({
    response_action: 'clear',
  });
  await refuseEach('slack', helen, REF, 'return-escalation', 'reason');
  expect((await slackWords(helen, REF, 'return-escalation', { reason: 'Talk again first.' })).answer.json).toEqual({
    response_action: 'clear',
  });
  expect((await teamsWords(chris, REF, 'request-escalation', { reason: 'Still no plan.' })).answer.body?.type).toMatch(
    /card/,
  );
  await refuseEach('teams', fiona, REF, 'return-escalation', 'reason');
  expect(
    (
      await teams(
        fiona,
        executeAction('approve-escalation', { reference: REF, stage: 'step-1', verb: 'approve-escalation' }),
      )
    ).body?.type,
  ).toMatch(/card/);
  expect((await bot.app.repo.getCase(REF))?.state.stages.at(-1)?.id).toBe('step-2');
  // Step 2: proposing and disputing an outcome.
  await refuseEach('slack', helen, REF, 'propose-resolution', 'outcome', { outstandingIssues: 'None.' });
  await refuseEach('slack', helen, REF, 'propose-resolution', 'outstandingIssues', { outcome: 'Reopened.' });
  await refuseEach('teams', fiona, REF, 'propose-resolution', 'outcome', { outstandingIssues: 'None.' });
  await refuseEach('teams', fiona, REF, 'propose-resolution', 'outstandingIssues', { outcome: 'Reopened.' });
  expect(
    (await slackWords(helen, REF, 'propose-resolution', { outcome: 'Reopened.', outstandingIssues: 'None.' })).answer
      .json,
  ).toEqual({ response_action: 'clear' });
  await refuseEach('teams', fiona, REF, 'dispute-resolution', 'reason');
  expect((await teamsWords(fiona, REF, 'dispute-resolution', { reason: 'Not enough.' })).answer.body?.type).toMatch(
    /card/,
  );
  expect(
    (await teamsWords(fiona, REF, 'propose-resolution', { outcome: 'Reviewed.', outstandingIssues: 'None.' })).answer
      .body?.type,
  ).toMatch(/card/);
  await refuseEach('slack', helen, REF, 'dispute-resolution', 'reason');
  // Up to the board's review and learning group (step 4b), on Teams: the final decision.
  expect((await slackWords(helen, REF, 'request-escalation', { reason: 'Still apart.' })).answer.json).toEqual({
    response_action: 'clear',
  });
  await slack(cardClick(catherine, 'approve-escalation', REF, 'step-2', { channel: 'CCASE1', ts: '1.5' }));
  expect((await slackWords(catherine, REF, 'request-escalation', { reason: 'To the chair.' })).answer.json).toEqual({
    response_action: 'clear',
  });
  expect((await bot.app.repo.getCase(REF))?.state.stages.at(-1)?.id).toBe('step-4b');
  await refuseEach('teams', david, REF, 'record-final-decision', 'decision');

  // Nothing refused was recorded with its words, and no value reached any chat or log line.
  const events = JSON.stringify([...(await bot.app.repo.getEvents(REF)), ...(await bot.app.repo.getEvents(REF2))]);
  const sent = sentToChats(bot);
  for (const [where, text] of [
    ['timeline', events],
    ['Slack', sent.slack],
    ['Teams', sent.teams],
    ['logs', logs.lines.join('')],
  ] as const)
    for (const t of TELLTALES)
      expect({ where, telltale: String(t), found: t.test(text) }).toEqual({ where, telltale: String(t), found: false });
  expect(logs.lines.length).toBeGreaterThan(3);
  expect(sent.slack).toMatch(/R\.T\. \(initials\)/); // the cards went out…
  expect(sent.teams).toMatch(/R\.T\. \(initials\)/);
  // The figures for the closing note.
  process.stdout.write(
    `free-text fields tried: ${tally.fields.size}; values tried: ${tally.tried}; refused: ${tally.refused}\n`,
  );
  expect(tally.refused).toBe(tally.tried);
});
