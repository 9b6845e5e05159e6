/**
 * Someone the bot learned from their chat platform (no file, no administrator) holds their
 * agency's practitioner role only for what they do themselves: they raise cases and act on the
 * cases they take part in, but a case reference of a colleague's case tells them nothing and
 * such cases are not listed for them or sent to them. Once an administrator gives them the role
 * on purpose, it opens their agency's cases as it does for anyone listed. A name they chose on
 * their platform is kept plain: no links or markup reach a card.
 */
import { startTestBot, type TestBot } from '../fakes/bot';
import { raiseFormValues, slashCommand, viewSubmission, type SlackUser } from '../fakes/slack-client';

const DIOCESE = 'T0LINCDIO';
let bot: TestBot;
const now = new Date('2026-11-23T10:00:00Z');

beforeAll(async () => {
  bot = await startTestBot({ clock: () => now });
});
afterAll(async () => {
  await bot.stop();
});

const rosa: SlackUser = { id: 'U0LDIO0101', team: DIOCESE };
const tom: SlackUser = { id: 'U0LDIO0102', team: DIOCESE };

/** What the bot answers a person, in the command's reply and the direct message it sends them. */
async function said(user: SlackUser, text: string): Promise<string> {
  const from = bot.slackApi.calls.length;
  const reply = JSON.stringify((await bot.slack(slashCommand(user, text))).json);
  await bot.app.settle();
  const dms = bot.slackApi.calls
    .slice(from)
    .filter((c) => c.method === 'chat.postMessage' && c.args.channel === `D${user.id}`)
    .map((c) => JSON.stringify(c.args));
  return [reply, ...dms].join('\n');
}

test('a learned colleague cannot open, list or be told of a case they take no part in; given the role, they can', async () => {
  bot.slackApi.addUser({
    id: rosa.id,
    teamId: DIOCESE,
    name: 'Rosa Lane',
    email: 'rosa.lane@diocese.lincoln.example.org',
  });
  bot.slackApi.addUser({
    id: tom.id,
    teamId: DIOCESE,
    name: 'Tom Reed',
    email: 'tom.reed@diocese.lincoln.example.org',
  });
  // Tom is learned first (he asks for his cases), then Rosa raises a case.
  expect(await said(tom, 'my cases')).not.toContain('LI-');
  const tomId = bot.app.live.bySlack(tom.id)?.id ?? 'Tom was not learned';
  expect(bot.app.live.person(tomId)).toEqual(
    expect.objectContaining({ roles: ['practitioner'], learnedRole: 'practitioner' }),
  );
  const before = new Set(await bot.app.repo.allReferences());
  const callsBefore = bot.slackApi.calls.length;
  const raised = await bot.slack(
    viewSubmission(rosa, {
      id: 'V-LEARNED-1',
      callback_id: 'raise-form',
      private_metadata: JSON.stringify({ board: 'lincolnshire', channel: 'CGENERAL' }),
      values: raiseFormValues(),
    }),
  );
  expect(JSON.stringify(raised.json)).toContain('is raised');
  const reference = (await bot.app.repo.allReferences()).find((r) => !before.has(r)) ?? 'no case';
  await bot.app.settle();

  // Tom was sent nothing about it, and it is neither shown nor listed to him.
  const toTom = bot.slackApi.calls
    .slice(callsBefore)
    .filter((c) => c.args.channel === `D${tom.id}` || c.args.users === tom.id || c.args.user === tom.id);
  expect(toTom.filter((c) => c.method !== 'users.info')).toEqual([]);
  expect(await said(tom, reference)).toContain('This case is not available to you.');
  expect(await said(tom, 'my cases')).not.toContain(reference);
  // Rosa, who raised it, sees it.
  expect(await said(rosa, reference)).not.toContain('not available');

  // `roles` counts the people the bot only met, without listing them (there may be thousands).
  const practitioners = (await said(tom, 'roles')).split('\\n').find((l) => l.includes('(practitioner)')) ?? '';
  expect(practitioners).toMatch(/; and 2 the bot met, for their own cases/);
  expect(practitioners).not.toMatch(/Tom Reed|Rosa Lane/);

  // Given the practitioner role on purpose (an administrator), Tom holds it like anyone listed.
  await bot.app.live.record('catherine-doyle', {
    kind: 'role-assigned',
    personId: tomId,
    role: 'practitioner',
    source: 'catherine-doyle',
  });
  expect(bot.app.live.person(tomId)?.learnedRole).toBeUndefined();
  expect(await said(tom, reference)).not.toContain('not available');
});

test('a name chosen on the platform is kept plain: no link, markup or mention reaches a card', async () => {
  const mallory: SlackUser = { id: 'U0LDIO0103', team: DIOCESE };
  bot.slackApi.addUser({
    id: mallory.id,
    teamId: DIOCESE,
    name: "[Re-enter the adult's details](https://evil.example/x) *Mal* <!channel>",
    email: 'mal.lory@diocese.lincoln.example.org',
  });
  await said(mallory, 'my cases');
  const name = bot.app.live.bySlack(mallory.id)?.name ?? '';
  expect(name).toBe("Re-enter the adult's details Mal !channel");
  expect(name).not.toMatch(/[[\]()<>*]|https?:/);
});
