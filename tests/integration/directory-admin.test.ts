/**
 * The directory in chat, through the whole bot on Slack (signed requests to Bolt's receiver,
 * SQLite on disk): `roles`; `assign` and `remove` by the agency's directory administrator, which
 * take effect at once for routing (the new line manager is asked to approve) and are recorded;
 * everyone else refused; `away … covers` set by the person routes their approvals to the deputy;
 * and the history survives a restart and is seen by a second replica on the same store.
 */
import { startTestBot, type TestBot } from '../fakes/bot';
import type { ApiCall } from '../fakes/slack-api';
import { teamsPeople, type TeamsUser } from '../fakes/teams-client';
import {
  cardClick,
  directMessage,
  slackPeople as people,
  slackPost,
  textInput,
  viewSubmission,
  type SlackUser,
} from '../fakes/slack-client';

let bot: TestBot;
let now = new Date('2026-11-23T10:00:00Z');
const catherine: SlackUser = { id: 'U0LDIO0003', team: 'T0LINCDIO' };
const rosa: SlackUser = { id: 'U0LDIO0099', team: 'T0LINCDIO' };
const ROSA = 'rosa-quinn-u0ldio0099';

beforeAll(async () => {
  bot = await startTestBot({ clock: () => now });
  bot.slackApi.addUser({
    id: rosa.id,
    teamId: 'T0LINCDIO',
    name: 'Rosa Quinn',
    email: 'rosa.quinn@diocese.lincoln.example.org',
  });
});

let stopped = false;
afterAll(async () => {
  if (!stopped) await bot.stop();
});

const since = (from: number, method?: string): ApiCall[] => bot.slackApi.since(from, method);

/** What the bot answered `user` in their DM when they typed `text` there. */
async function dm(user: SlackUser, text: string, on: TestBot = bot): Promise<string> {
  const before = on.slackApi.calls.length;
  const answer = await slackPost(on.slackUrl, directMessage(user, text), {
    headers: { 'content-type': 'application/json' },
  });
  expect(answer.status).toBe(200);
  await on.app.settle();
  return on.slackApi
    .since(before, 'chat.postMessage')
    .filter((c) => c.args.channel === `D${user.id}`)
    .map((c) => String(c.args.text))
    .join('\n');
}

/** Peter asks to escalate `reference` from step 1; the calls made since. */
async function requestEscalation(reference: string, thread: { channel: string; ts: string }): Promise<number> {
  let before = bot.slackApi.calls.length;
  await bot.slack(cardClick(people.peter, 'request-escalation', reference, 'step-1', thread));
  const modal = since(before, 'views.open')[0];
  const view = modal?.args.view as { callback_id: string; private_metadata: string };
  before = bot.slackApi.calls.length;
  const sent = await bot.slack(
    viewSubmission(people.peter, {
      id: `V-ESC-${reference}`,
      callback_id: view.callback_id,
      private_metadata: view.private_metadata,
      values: { reason: { value: textInput('No plan agreed after two calls.') } },
    }),
  );
  expect(sent.json).toEqual({ response_action: 'clear' });
  return before;
}

const askedIn = (from: number, channel: string): string[] =>
  since(from, 'chat.postMessage')
    .filter((c) => c.args.channel === channel)
    .map((c) => String(c.args.text));

async function raised(viewId: string): Promise<{ reference: string; thread: { channel: string; ts: string } }> {
  const before = bot.slackApi.calls.length;
  const reference = await bot.raiseOnSlack(viewId);
  const card = since(before, 'chat.postMessage').find((c) => String(c.args.channel).startsWith('CCASE'));
  return { reference, thread: { channel: String(card?.args.channel), ts: String(card?.result?.ts) } };
}

describe('roles, assign and remove', () => {
  test('roles: the roles of your agency and who holds them today', async () => {
    const said = await dm(people.peter, 'roles');
    expect(said).toMatch(/The roles at Diocese of Lincoln, and who holds them today/);
    expect(said).toMatch(/\(line-manager\): Helen Marsh\n/);
    // The board's roles are the board's business unit's, not listed for an agency.
    expect(said).not.toMatch(/independent-chair/);
    expect(said).toMatch(/Directory administrator \(directory-admin\): Catherine Doyle/);
  });

  test('someone who is not a directory administrator is refused, logged, and nothing changes', async () => {
    const said = await dm(people.peter, 'assign line-manager to Peter Lawson');
    expect(said).toMatch(/Only your agency's directory administrators can change who holds a role/);
    expect(bot.app.live.person('peter-lawson')?.roles).toEqual(['practitioner']);
    expect((await bot.app.repo.securityEvents()).map((e) => [e.kind, e.action, e.personId])).toContainEqual([
      'directory-change-refused',
      'assign',
      'peter-lawson',
    ]);
    expect((await bot.app.repo.directoryChanges(0)).some((e) => e.change.kind === 'role-assigned')).toBe(false);
  });

  test('roles not of the agency, and board roles, are refused with the roles that may be given', async () => {
    expect(await dm(catherine, 'assign wizard to Peter Lawson')).toMatch(
      /"wizard" is not a role at Diocese of Lincoln\. The roles there: .*\(line-manager\)/,
    );
    expect(await dm(catherine, 'assign independent-chair to Peter Lawson')).toMatch(/not a role at Diocese of Lincoln/);
    expect(bot.app.live.person('peter-lawson')?.roles).toEqual(['practitioner']);
  });

  test('the administrator assigns line manager (by mention): recorded, and the new holder is asked to approve at once; removed again, they no longer can', async () => {
    const said = await dm(catherine, `assign line-manager to <@${rosa.id}>`);
    expect(said).toMatch(/Done: Rosa Quinn \(rosa\.quinn@diocese\.lincoln\.example\.org\) now holds Line Manager/i);
    expect(bot.app.live.person(ROSA)?.roles).toEqual(['practitioner', 'line-manager']);
    const assigned = (await bot.app.repo.directoryChanges(0)).find((e) => e.change.kind === 'role-assigned');
    expect(assigned).toEqual(
      expect.objectContaining({
        by: 'catherine-doyle',
        at: now.toISOString(),
        change: expect.objectContaining({
          personId: ROSA,
          role: 'line-manager',
          before: ['practitioner'],
          after: ['practitioner', 'line-manager'],
        }) as unknown,
      }),
    );

    const { reference, thread } = await raised('V-ADMIN-1');
    const before = await requestEscalation(reference, thread);
    // Helen and, now, Rosa: the diocese's line managers.
    expect(askedIn(before, `D${rosa.id}`).join('\n')).toMatch(/needs you.*Approve escalation/);
    expect(askedIn(before, 'DU0LDIO0002').join('\n')).toMatch(/needs you/);

    expect(await dm(catherine, 'remove line-manager from rosa.quinn@diocese.lincoln.example.org')).toMatch(
      /Done: Rosa Quinn .* no longer holds Line Manager/i,
    );
    expect(bot.app.live.person(ROSA)?.roles).toEqual(['practitioner']);
    // Rosa, learned by the bot and no longer a line manager, takes no part in the case: her click is
    // refused before the case (the security log, not its timeline) and nothing is recorded on it.
    const events = (await bot.app.repo.getEvents(reference)).length;
    await bot.slack(cardClick(rosa, 'approve-escalation', reference, 'step-1', thread));
    expect(await bot.app.repo.getEvents(reference)).toHaveLength(events);
    expect((await bot.app.repo.securityEvents()).map((e) => [e.action, e.personId])).toContainEqual([
      'approve-escalation',
      ROSA,
    ]);
    expect(await dm(catherine, 'remove practitioner from Rosa Quinn')).toMatch(/only role, so it stays/);
  });
});

describe('away and back, set by the person', () => {
  test('away today with a deputy: the approvals go to the deputy, not to the person away; back ends it', async () => {
    now = new Date('2026-11-24T10:00:00Z');
    const said = await dm(people.helen, 'away today, Rosa Quinn covers');
    expect(said).toBe('You are away on 24 November 2026 (recorded). Rosa Quinn covers for you meanwhile.');
    expect(bot.app.live.person('helen-marsh')).toEqual(
      expect.objectContaining({ deputy: ROSA, away: [{ from: '2026-11-24', to: '2026-11-24' }] }),
    );
    expect(await dm(people.helen, 'away')).toMatch(/You are away on 24 November 2026\. Rosa Quinn covers for you/);

    const { reference, thread } = await raised('V-AWAY-1');
    const before = await requestEscalation(reference, thread);
    // Rosa, a practitioner, can approve only as Helen's deputy: she is asked, and the card names her.
    expect(askedIn(before, `D${rosa.id}`).join('\n')).toMatch(/needs you.*Approve escalation/);
    // Helen, away, is not asked: her deputy is.
    expect(askedIn(before, `D${people.helen.id}`).join('\n')).not.toMatch(/needs you/);
    const card = since(before, 'chat.update').find((c) => c.args.channel === thread.channel);
    expect(JSON.stringify(card?.args.blocks)).toMatch(/Who can approve: [^"]*Rosa Quinn/);

    expect(await dm(people.helen, 'back')).toMatch(/Welcome back/);
    expect(bot.app.live.person('helen-marsh')?.away).toEqual([]);
    const kinds = (await bot.app.repo.directoryChanges(0)).map((e) => e.change.kind);
    expect(kinds).toEqual(expect.arrayContaining(['absence-set', 'absence-cleared']));
  });

  test('a deputy of another agency, an ambiguous name, or a date that cannot be read change nothing', async () => {
    bot.slackApi.addUser({
      id: 'U0LDIO0098',
      teamId: 'T0LINCDIO',
      name: 'Rosa Quintero',
      email: 'rosa.q@diocese.lincoln.example.org',
    });
    await dm({ id: 'U0LDIO0098', team: 'T0LINCDIO' }, 'help');
    const count = (await bot.app.repo.directoryChanges(0)).length;
    expect(await dm(people.helen, 'away 3 to 7 January, Rosa covers')).toMatch(
      /More than one person matches "Rosa": Rosa Quinn .*; Rosa Quintero/,
    );
    expect(await dm(people.helen, 'away 3 to 7 January, Megan Hart covers')).toMatch(/could not find "Megan Hart"/);
    expect(await dm(people.helen, 'away 31 February')).toMatch(/not a date I can read/);
    expect(await bot.app.repo.directoryChanges(0)).toHaveLength(count);
  });
});

describe('the same words on Teams', () => {
  /** What the bot said in `from`'s personal chat when they typed `text` there. */
  async function teams(from: TeamsUser, text: string): Promise<string> {
    const start = bot.connector.calls.length;
    await bot.teams(from, { type: 'message', text });
    return bot.connector.calls
      .slice(start)
      .filter(
        (c) =>
          c.method === 'POST' &&
          decodeURIComponent(c.url).startsWith(`/v3/conversations/personal-${from.id.slice(3)}/activities`),
      )
      .map((c) => JSON.stringify(c.body))
      .join('\n');
  }

  test('roles and away in the personal chat; assign refused to someone who is not an administrator', async () => {
    expect(await teams(teamsPeople.alex, 'roles')).toMatch(/The roles at Lincolnshire County Council/);
    expect(await teams(teamsPeople.alex, 'assign line-manager to Alex Morgan')).toMatch(
      /Only your agency's directory administrators/,
    );
    expect(await teams(teamsPeople.priya, 'away 1 to 2 December, Jordan Hughes covers')).toMatch(
      /You are away from 1 December 2026 to 2 December 2026 \(recorded\)\. Jordan Hughes covers for you meanwhile/,
    );
    expect(bot.app.live.person('priya-shah')).toEqual(
      expect.objectContaining({
        deputy: 'jordan-hughes',
        away: [
          { from: '2026-12-01', to: '2026-12-02' },
          { from: '2026-12-21', to: '2027-01-01' },
        ],
      }),
    );
  });
});

test('the board\u2019s administrator names a holder of a board role by @mention on Teams; an agency\u2019s administrator may not', async () => {
  const margaret: TeamsUser = {
    id: '29:margaret',
    aadObjectId: 'd9c18639-57ef-4454-b9fa-21d5b36e17e8',
    name: 'Margaret Finch',
  };
  const start = bot.connector.calls.length;
  await bot.teams(margaret, {
    type: 'message',
    text: 'assign independent-chair to <at>David Osei</at>',
    entities: [{ type: 'mention', mentioned: { id: '29:david', name: 'David Osei' }, text: '<at>David Osei</at>' }],
  });
  const said = bot.connector.calls
    .slice(start)
    .filter((c) => c.method === 'POST')
    .map((c) => JSON.stringify(c.body))
    .join('\n');
  expect(said).toMatch(/Done: David Osei \(david\.osei@lsab\.lincolnshire\.example\.org\) now holds/);
  expect(bot.app.live.person('david-osei')?.roles).toEqual(['review-and-learning-group', 'independent-chair']);
  // Catherine administers the diocese, not the board: the board's own agency is not hers.
  expect(await dm(catherine, 'remove independent-chair from David Osei')).toMatch(/could not find "David Osei"/);
  expect(bot.app.live.person('david-osei')?.roles).toContain('independent-chair');
});

describe('the history in the store', () => {
  test('a second replica on the same store sees a change on its next lookup; a restart keeps every change and imports the file no more', async () => {
    const second = await startTestBot({ clock: () => now, env: { DATA_DIR: bot.dataDir } });
    try {
      expect(second.app.live.person(ROSA)?.roles).toEqual(['practitioner']);
      // Someone learned by the first replica after the second started…
      bot.slackApi.addUser({
        id: 'U0LDIO0097',
        teamId: 'T0LINCDIO',
        name: 'Nia Evans',
        email: 'nia.evans@diocese.lincoln.example.org',
      });
      await dm({ id: 'U0LDIO0097', team: 'T0LINCDIO' }, 'help');
      await dm(catherine, 'assign line-manager to Nia Evans');
      // …is known to the second on her first request there, without asking its Slack.
      const reply = await dm({ id: 'U0LDIO0097', team: 'T0LINCDIO' }, 'roles', second);
      expect(reply).toMatch(/\(line-manager\): Helen Marsh, Nia Evans/);
      expect(second.slackApi.calls.filter((c) => c.method === 'users.info')).toEqual([]);
    } finally {
      await second.stop();
    }
    stopped = true;
    await bot.stop();
    const again = await startTestBot({ clock: () => now, env: { DATA_DIR: bot.dataDir } });
    try {
      expect(again.app.live.person('nia-evans-u0ldio0097')?.roles).toEqual(['practitioner', 'line-manager']);
      expect(again.app.live.person(ROSA)?.roles).toEqual(['practitioner']);
      const imports = (await again.app.repo.directoryChanges(0)).filter((e) => e.change.kind === 'imported');
      expect(imports).toHaveLength(1);
      expect(await dm(catherine, 'roles', again)).toMatch(/\(line-manager\): Helen Marsh, Nia Evans/);
    } finally {
      await again.stop();
    }
  });
});
