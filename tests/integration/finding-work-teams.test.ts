/**
 * Finding your work in Teams, through the real CloudAdapter with the connector faked: the welcome
 * on install, help, my cases, approvals and a case reference in the personal chat; in a group
 * chat, plain escalate without a mention, silence on chatter, what a mention it does not know
 * gets, and cases sent to the personal chat only; and what someone of an unrelated agency gets
 * for a case that is not theirs (the same as for one that does not exist).
 */
import { startTestBot, type TestBot } from '../fakes/bot';
import { teamsPeople as people, type TeamsUser } from '../fakes/teams-client';
import type { ConnectorCall } from '../fakes/teams-connector';

let bot: TestBot;
let now = new Date('2026-11-23T10:00:00Z');
let teamsCase = '';
let slackCase = '';

const groupChat = { id: '19:finding-work@unq.gbl.spaces', conversationType: 'groupChat' };
const mention = { type: 'mention', mentioned: { id: '28:bot', name: 'Escalations' }, text: '<at>Escalations</at>' };

beforeAll(async () => {
  bot = await startTestBot({ clock: () => now });
  ({ teamsCase, slackCase } = await bot.raiseOneEach('V-FIND-T'));
});

afterAll(async () => {
  await bot.stop();
});

/** What the bot posted in a conversation (a personal chat is `personal-<name>`, or one it opened) after `activity`. */
async function turn(from: TeamsUser, activity: Record<string, unknown>): Promise<ConnectorCall[]> {
  const start = bot.connector.calls.length;
  const answer = await bot.teams(from, activity);
  expect(answer.status).toBeLessThan(300);
  return bot.connector.calls.slice(start).filter((c) => c.method === 'POST');
}

const inConversation = (calls: ConnectorCall[], id: string): ConnectorCall[] =>
  calls.filter((c) => decodeURIComponent(c.url).startsWith(`/v3/conversations/${id}/activities`));

/** What the bot said to `from` in their personal chat when they typed `text` there. */
async function personal(from: TeamsUser, text: string): Promise<string> {
  const calls = inConversation(await turn(from, { type: 'message', text }), `personal-${from.id.slice(3)}`);
  return calls.map((c) => JSON.stringify(c.body)).join('\n');
}

/** What `from` typing `text` in the group chat (mentioning the bot or not) made the bot send, by where it went. */
async function inGroup(
  from: TeamsUser,
  text: string,
  mentioned = false,
): Promise<{ group: string; elsewhere: string }> {
  const calls = await turn(from, {
    type: 'message',
    conversation: groupChat,
    text: mentioned ? `<at>Escalations</at> ${text}` : text,
    ...(mentioned ? { entities: [mention] } : {}),
  });
  const group = inConversation(calls, groupChat.id);
  return {
    group: group.map((c) => JSON.stringify(c.body)).join('\n'),
    elsewhere: calls
      .filter((c) => !group.includes(c))
      .map((c) => JSON.stringify(c.body))
      .join('\n'),
  };
}

describe('Teams: the welcome, and finding your work in the personal chat', () => {
  test('installed in the personal scope: one welcome card, what the bot is for and the commands', async () => {
    const calls = await turn(people.alex, { type: 'installationUpdate', action: 'add' });
    const welcome = inConversation(calls, 'personal-alex');
    expect(welcome).toHaveLength(1);
    const card = JSON.stringify(welcome[0]?.body);
    expect(card).toMatch(/application\/vnd.microsoft.card.adaptive/);
    expect(card).toMatch(/Welcome, Alex Morgan/);
    expect(card).toMatch(/professional disagreements about adults at risk/);
    expect(card).toMatch(/my cases: the open cases/);
    expect(card).toMatch(/"title":"Raise an escalation"/);
    // Teams also says the bot was added: no second welcome that day.
    const again = await turn(people.alex, {
      type: 'conversationUpdate',
      membersAdded: [{ id: '28:bot', name: 'Escalations' }],
    });
    expect(inConversation(again, 'personal-alex')).toEqual([]);
    // Someone else adding it (the members-added route) is welcomed; a person joining is not the bot.
    expect(
      inConversation(
        await turn(people.chris, { type: 'conversationUpdate', membersAdded: [{ id: '28:bot' }] }),
        'personal-chris',
      ),
    ).toHaveLength(1);
    expect(await turn(people.fiona, { type: 'conversationUpdate', membersAdded: [{ id: people.kwame.id }] })).toEqual(
      [],
    );
  });

  test('help says what the bot does, the commands and how to raise; a greeting gets it too, anything else with "I did not understand"', async () => {
    const help = await personal(people.alex, 'help');
    expect(help).toMatch(/approvals: escalations waiting for you to approve or return/);
    expect(help).toMatch(/To raise a disagreement, type escalate/);
    expect(await personal(people.alex, 'hello')).not.toMatch(/did not understand/);
    expect(await personal(people.alex, 'what now')).toMatch(/I did not understand that/);
    expect(await personal(people.alex, 'escalate')).toMatch(/"type":"task\/fetch"/);
  });

  test("my cases: the other agency, the stage, whose move and the deadline in working days; never the adult, never others' cases", async () => {
    const alex = await personal(people.alex, 'my cases');
    expect(alex).toContain(`**${teamsCase}** · with Lincolnshire Police`);
    expect(alex).toMatch(
      /Lincolnshire Safeguarding Adults Board · Stage 1: Direct Professional to Professional Discussion/,
    );
    expect(alex).toMatch(/Whose move: Chris Bennett, Lincolnshire Police: acknowledge/);
    expect(alex).toMatch(/Deadline: by 5pm Wednesday 25 November, 2 working days/);
    expect(alex).toContain(`"value":"${teamsCase}"`); // Show card types the reference
    expect(alex).not.toContain(slackCase);
    expect(alex).not.toMatch(/J\.? ?S\b|still being visited/);
    expect(await personal(people.chris, 'my cases')).toMatch(/Your move: acknowledge/);
    // The council's line manager holds a role in it without having taken part.
    expect(await personal(people.priya, 'my cases')).toContain(teamsCase);
  });

  test('approvals: the line manager sees the escalation her worker asked for; nobody else does', async () => {
    expect(await personal(people.priya, 'approvals')).toMatch(/Nothing is waiting for you to approve/);
    const asked = await bot.click(people.alex, 'request-escalation', {
      reference: teamsCase,
      stage: 'step-1',
      'request-escalation.reason': 'Two calls and the referral is still closed.',
    });
    expect(JSON.stringify(asked.body)).toMatch(/application\/vnd.microsoft.card.adaptive/);
    const priya = await personal(people.priya, 'approvals');
    expect(priya).toMatch(/Waiting for your approval/);
    expect(priya).toContain(teamsCase);
    expect(priya).toMatch(/Alex Morgan asked to escalate to Stage 2: Direct Manager to Manager Discussion: Two calls/);
    expect(priya).toMatch(/Your move: approve or return the escalation/);
    expect(await personal(people.alex, 'approvals')).toMatch(/Nothing is waiting for you to approve/);
    expect(await personal(people.chris, 'approvals')).toMatch(/Nothing is waiting for you to approve/);
  });

  test('a reference shows the case card as that person sees it, with their own buttons; the reading is logged', async () => {
    const card = await personal(people.priya, teamsCase.toLowerCase());
    expect(card).toContain(`LSAB escalation ${teamsCase}`);
    expect(card).toMatch(/"verb":"approve-escalation"/);
    expect(card).toContain('"userIds":["29:priya"]');
    // It becomes her own card of the case, kept current from now on.
    const priyas = (await bot.app.repo.getPersonalCards(teamsCase)).find((c) => c.personId === 'priya-shah');
    expect(priyas?.message).toEqual(expect.objectContaining({ activityId: expect.any(String) as unknown }));
    expect(await bot.app.repo.accessLog({ reference: teamsCase, personId: 'priya-shah' })).toEqual([
      expect.objectContaining({ what: 'card', platform: 'teams' }),
    ]);
  });

  test('attacker: someone of an unrelated agency gets for a real case exactly what a missing reference gets, and never sees it listed', async () => {
    const theirs = await personal(people.hannah, teamsCase);
    const missing = await personal(people.hannah, 'LI-2026-9999');
    expect(theirs).toMatch(/"text":"This case is not available to you\."/);
    expect(
      theirs.replace(/"id":"[^"]*"|"replyToId":"[^"]*"|"timestamp":"[^"]*"|"localTimestamp":"[^"]*"/g, ''),
    ).toEqual(missing.replace(/"id":"[^"]*"|"replyToId":"[^"]*"|"timestamp":"[^"]*"|"localTimestamp":"[^"]*"/g, ''));
    expect(theirs).not.toContain(teamsCase);
    const list = await personal(people.hannah, 'my cases');
    expect(list).toMatch(/You have no open cases/);
    expect(list).not.toContain(teamsCase);
    expect(await bot.app.repo.accessLog({ personId: 'hannah-price' })).toEqual([]);
    const kinds = (await bot.app.repo.securityEvents({ personId: 'hannah-price' })).map((e) => e.kind).sort();
    expect(kinds).toEqual(['no-such-case', 'read-by-non-party']);
  });
});

describe('Teams: in a group chat', () => {
  test('plain escalate, without a mention, answers with the raising button; so does a mention', async () => {
    expect((await inGroup(people.kwame, 'escalate')).group).toMatch(/"type":"task\/fetch"/);
    expect((await inGroup(people.kwame, 'escalate with the police', true)).group).toMatch(/"type":"task\/fetch"/);
  });

  test('ordinary chatter gets nothing, even with the words of a command in it', async () => {
    for (const chatter of [
      'good morning all',
      'can we escalate this?',
      'escalate with the police',
      'my cases are piling up',
    ])
      expect(await inGroup(people.kwame, chatter)).toEqual({ group: '', elsewhere: '' });
    expect(await turn(people.kwame, { type: 'message', conversation: groupChat, value: { action: 'x' } })).toEqual([]);
  });

  test('a mention the bot does not understand gets what it can do', async () => {
    const { group } = await inGroup(people.kwame, 'what is the weather', true);
    expect(group).toMatch(/I did not understand that/);
    expect(group).toMatch(/my cases: the open cases/);
  });

  test("a reference or a list is sent to the person's personal chat, never into the group; the group is told so in the same words", async () => {
    const shown = await inGroup(people.fiona, teamsCase);
    expect(shown.group).toMatch(/I have sent my answer to your personal chat with me/);
    expect(shown.group).not.toContain('LSAB escalation');
    expect(shown.elsewhere).toContain(`LSAB escalation ${teamsCase}`);
    const missing = await inGroup(people.fiona, 'LI-2026-9999');
    expect(missing.group.replace(/"(id|replyToId|timestamp|localTimestamp)":"[^"]*"/g, '')).toEqual(
      shown.group.replace(/"(id|replyToId|timestamp|localTimestamp)":"[^"]*"/g, ''),
    );
    expect(missing.elsewhere).toMatch(/This case is not available to you/);
    const list = await inGroup(people.fiona, 'my cases', true);
    expect(list.group).toMatch(/I have sent my answer/);
    expect(list.elsewhere).toContain(teamsCase);
  });

  test('added to a group chat, the bot says how to use it there', async () => {
    now = new Date('2026-11-23T11:00:00Z');
    const calls = await turn(people.kwame, { type: 'installationUpdate', action: 'add', conversation: groupChat });
    expect(JSON.stringify(inConversation(calls, groupChat.id))).toMatch(
      /Type escalate on its own to raise one here; if I do not answer, mention me/,
    );
  });
});
