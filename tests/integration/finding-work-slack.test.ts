/**
 * Finding your work in Slack, as Slack sends it (signed requests into the real Bolt receiver,
 * the fake Web API recording every call): help, my cases, approvals and a case reference in a
 * direct message with the bot and after /escalate; the App Home, published afresh when opened;
 * and what someone of an unrelated agency gets for a case that is not theirs (the same as for
 * one that does not exist).
 */
import { startTestBot, type TestBot } from '../fakes/bot';
import type { ApiCall } from '../fakes/slack-api';
import {
  appHomeOpened,
  blockAction,
  directMessage,
  eventCallback,
  slackPeople as people,
  slackPost,
  slashCommand,
  textInput,
  viewSubmission,
  type SlackUser,
} from '../fakes/slack-client';
import { LIMITS } from '../../src/channels/slack/blocks';

let bot: TestBot;
let now = new Date('2026-11-23T10:00:00Z');
let teamsCase = '';
let slackCase = '';

beforeAll(async () => {
  bot = await startTestBot({ clock: () => now });
  ({ teamsCase, slackCase } = await bot.raiseOneEach('V-FIND-1'));
});

afterAll(async () => {
  await bot.stop();
});

const json = { headers: { 'content-type': 'application/json' } };

/** A signed event (or, as a form, a click) posted as Slack does, all that followed settled; the Web API calls made. */
async function event(body: string, asForm = false): Promise<ApiCall[]> {
  const from = bot.slackApi.calls.length;
  const answer = await slackPost(bot.slackUrl, body, asForm ? {} : json);
  expect(answer.status).toBe(200);
  await bot.app.settle();
  return bot.slackApi.since(from);
}

/** What the bot posted back in `user`'s direct messages after they typed `text` there. */
async function dm(user: SlackUser, text: string): Promise<ApiCall[]> {
  return (await event(directMessage(user, text))).filter(
    (c) => c.method === 'chat.postMessage' && c.args.channel === `D${user.id}`,
  );
}

const shown = (calls: ApiCall[]): string =>
  calls.map((c) => `${String(c.args.text)} ${JSON.stringify(c.args.blocks ?? c.args.view)}`).join('\n');

/** Every message and view sent stays within Block Kit's limits. */
function withinLimits(c: ApiCall): void {
  const blocks = (c.args.blocks ?? (c.args.view as { blocks?: unknown[] } | undefined)?.blocks ?? []) as Array<
    Record<string, unknown>
  >;
  expect(blocks.length).toBeLessThanOrEqual(c.args.view ? LIMITS.blocksPerModal : LIMITS.blocksPerMessage);
  for (const b of blocks) {
    const t = (b.text as { text?: string } | undefined)?.text ?? '';
    expect(t.length).toBeLessThanOrEqual(b.type === 'header' ? LIMITS.header : LIMITS.sectionText);
  }
}

describe('Slack: finding your work in a DM, after /escalate and in the App Home', () => {
  test('help in a DM says what the bot is for, the commands and how to raise a case', async () => {
    const [reply] = await dm(people.peter, 'help');
    if (!reply) throw new Error('no answer');
    const text = shown([reply]);
    expect(text).toMatch(/professional disagreements about adults at risk/);
    expect(text).toMatch(/my cases: the open cases you are part of/);
    expect(text).toMatch(/approvals: escalations waiting for you/);
    expect(text).toMatch(/a case reference on its own/);
    expect(text).toMatch(/\/escalate anywhere in Slack/);
    withinLimits(reply);
  });

  test('my cases lists the case with the other agency, the stage, whose move and the deadline in working days, never the adult', async () => {
    const [reply] = await dm(people.peter, 'my cases');
    if (!reply) throw new Error('no answer');
    const text = shown([reply]);
    expect(text).toMatch(
      new RegExp(`\\*${slackCase}\\* · with HealthWatch Lincolnshire · Lincolnshire Safeguarding Adults Board`),
    );
    expect(text).toMatch(/Stage 1: Direct Professional to Professional Discussion/);
    expect(text).toMatch(/Whose move: Megan Hart, HealthWatch Lincolnshire: acknowledge/);
    expect(text).toMatch(/Deadline: by 5pm Wednesday 25 November, 2 working days/);
    expect(text).toMatch(/"action_id":"work:show"/);
    // Not the Teams case (council and police), which is nothing to the diocese.
    expect(text).not.toContain(teamsCase);
    // Neither the adult's initials nor what the disagreement is about.
    expect(text).not.toMatch(/R\.? ?T\b|rough handling/);
    withinLimits(reply);

    const megan = shown(await dm(people.megan, 'My cases'));
    expect(megan).toContain(slackCase);
    expect(megan).toMatch(/Your move: acknowledge/);
    // HealthWatch's line manager holds a role in the case without having taken part yet.
    expect(shown(await dm(people.owen, 'my cases'))).toContain(slackCase);
  });

  test('approvals: waiting for the line manager once the worker asks to escalate, and for nobody else', async () => {
    expect(shown(await dm(people.helen, 'approvals'))).toMatch(/Nothing is waiting for you to approve/);
    const asked = await slackPost(
      bot.slackUrl,
      viewSubmission(people.peter, {
        id: 'V-FIND-ESC',
        callback_id: 'case-input:request-escalation',
        private_metadata: JSON.stringify({ reference: slackCase, stage: 'step-1', channel: '', ts: '' }),
        values: { reason: { value: textInput('Two calls and no plan agreed.') } },
      }),
    );
    expect(asked.json).toEqual({ response_action: 'clear' });
    await bot.app.settle();
    const helen = shown(await dm(people.helen, 'approvals'));
    expect(helen).toMatch(/Waiting for your approval/);
    expect(helen).toContain(slackCase);
    expect(helen).toMatch(/Peter Lawson asked to escalate to Stage 2: Direct Manager to Manager Discussion: Two calls/);
    expect(helen).toMatch(/Your move: approve or return the escalation/);
    expect(shown(await dm(people.peter, 'approvals'))).toMatch(/Nothing is waiting for you to approve/);
    expect(shown(await dm(people.megan, 'approvals'))).toMatch(/Nothing is waiting for you to approve/);
  });

  test('a reference typed in a DM shows that case card, as the person sees it, with their own buttons; the reading is logged', async () => {
    const [card] = await dm(people.megan, slackCase.toLowerCase());
    if (!card) throw new Error('no card');
    const text = shown([card]);
    expect(text).toContain(`LSAB escalation ${slackCase}`);
    expect(text).toMatch(/"action_id":"case:acknowledge"/);
    withinLimits(card);
    const read = await bot.app.repo.accessLog({ reference: slackCase, personId: 'megan-hart' });
    expect(read[0]).toEqual(expect.objectContaining({ what: 'card', platform: 'slack' }));
  });

  test('attacker: a case of other agencies gets exactly the answer a reference that does not exist gets, and is never listed', async () => {
    const theirs = await dm(people.peter, teamsCase);
    const missing = await dm(people.peter, 'LI-2026-9999');
    expect(theirs.map((c) => c.args.text)).toEqual(['This case is not available to you.']);
    expect(missing.map((c) => c.args.text)).toEqual(['This case is not available to you.']);
    expect(theirs.map((c) => c.args.blocks)).toEqual(missing.map((c) => c.args.blocks));
    expect(shown(await dm(people.peter, 'my cases'))).not.toContain(teamsCase);
    // After /escalate, the same words for both, and the same words in the DM.
    const before = bot.slackApi.calls.length;
    const a = await slackPost(bot.slackUrl, slashCommand(people.peter, teamsCase));
    const b = await slackPost(bot.slackUrl, slashCommand(people.peter, 'LI-2026-9999'));
    await bot.app.settle();
    expect(a.json?.text).toBe(`I have sent what I can show you about ${teamsCase} to your direct messages with me.`);
    expect(b.json?.text).toBe('I have sent what I can show you about LI-2026-9999 to your direct messages with me.');
    const sent = bot.slackApi.since(before, 'chat.postMessage').map((c) => [c.args.channel, c.args.text]);
    expect(sent).toEqual([
      ['DU0LDIO0001', 'This case is not available to you.'],
      ['DU0LDIO0001', 'This case is not available to you.'],
    ]);
    // Neither reading is in the access log; both attempts are in the security log, by kind.
    expect(await bot.app.repo.accessLog({ personId: 'peter-lawson' })).toEqual([]);
    const kinds = (await bot.app.repo.securityEvents({ personId: 'peter-lawson' })).map((e) => [e.kind, e.action]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['read-by-non-party', 'look-up'],
        ['no-such-case', 'look-up'],
      ]),
    );
  });

  test('/escalate help, my cases and approvals answer only the person; /escalate @name still opens the raising form', async () => {
    const help = await slackPost(bot.slackUrl, slashCommand(people.peter, 'help'));
    expect(help.json?.response_type).toBe('ephemeral');
    expect(JSON.stringify(help.json)).toMatch(/approvals: escalations waiting for you/);
    const mine = await slackPost(bot.slackUrl, slashCommand(people.helen, 'approvals'));
    expect(mine.json?.response_type).toBe('ephemeral');
    expect(JSON.stringify(mine.json)).toContain(slackCase);
    const cases = await slackPost(bot.slackUrl, slashCommand(people.stranger, 'my cases'));
    expect(cases.json?.text).toMatch(/not in the escalation directory/);
    const before = bot.slackApi.calls.length;
    await slackPost(bot.slackUrl, slashCommand(people.peter, '<@U0LHWL0001|megan>'));
    await bot.app.settle();
    expect(bot.slackApi.since(before, 'views.open')).toHaveLength(1);
  });

  test('/escalate <reference> posts the card in their DM, where its buttons work', async () => {
    const before = bot.slackApi.calls.length;
    const reply = await slackPost(bot.slackUrl, slashCommand(people.helen, slackCase));
    expect(reply.json).toEqual({
      response_type: 'ephemeral',
      text: `I have sent what I can show you about ${slackCase} to your direct messages with me.`,
    });
    await bot.app.settle();
    const card = bot.slackApi.since(before, 'chat.postMessage').find((c) => c.args.channel === 'DU0LDIO0002');
    expect(JSON.stringify(card?.args.blocks)).toMatch(/"action_id":"case:approve-escalation"/);
  });

  test('the App Home shows both lists and help, afresh each time it is opened; "Show card" posts the card in the DM', async () => {
    const opened = (await event(appHomeOpened(people.helen))).filter((c) => c.method === 'views.publish');
    expect(opened).toHaveLength(1);
    const first = opened[0] as ApiCall;
    expect(first.args.user_id).toBe(people.helen.id);
    const view = first.args.view as { type: string; blocks: unknown[] };
    expect(view.type).toBe('home');
    const home = JSON.stringify(view);
    expect(home).toMatch(/Waiting for your approval/);
    expect(home).toMatch(/Your open cases/);
    expect(home).toContain(slackCase);
    expect(home).toMatch(/What you can type/);
    withinLimits(first);

    // Helen approves: the next time she opens the Home tab, nothing waits for her.
    now = new Date('2026-11-24T10:00:00Z');
    await bot.slack(
      blockAction(people.helen, 'case:approve-escalation', JSON.stringify({ reference: slackCase, stage: 'step-1' }), {
        channel: 'DU0LDIO0002',
        ts: '9.9',
      }),
    );
    const again = (await event(appHomeOpened(people.helen))).find((c) => c.method === 'views.publish');
    const after = JSON.stringify(again?.args.view);
    expect(after).not.toMatch(/Waiting for your approval/);
    expect(after).toMatch(/Nothing is waiting for you to approve/);
    expect(after).toMatch(/Stage 2: Direct Manager to Manager Discussion/);

    // "Show card" from the Home tab (a view: no channel) posts her card in her DM.
    const shownCard = (await event(blockActionInView(people.helen, slackCase), true)).find(
      (c) => c.method === 'chat.postMessage',
    );
    expect(shownCard?.args.channel).toBe('DU0LDIO0002');
    expect(JSON.stringify(shownCard?.args.blocks)).toContain(`LSAB escalation ${slackCase}`);
    // It becomes her own card of the case, kept current from now on.
    const helens = (await bot.app.repo.getPersonalCards(slackCase)).find((c) => c.personId === 'helen-marsh');
    expect(helens?.message).toEqual({ channel: 'DU0LDIO0002', ts: shownCard?.result?.ts });

    // The Messages tab publishes nothing; someone not in the directory is told why.
    expect((await event(appHomeOpened(people.helen, 'messages'))).filter((c) => c.method === 'views.publish')).toEqual(
      [],
    );
    const stranger = (await event(appHomeOpened(people.stranger))).find((c) => c.method === 'views.publish');
    expect(JSON.stringify(stranger?.args.view)).toMatch(/not in the escalation directory/);
  });

  test('the bot stays silent on its own messages and on edits; anything else in a DM gets help', async () => {
    const own = await event(
      eventCallback(people.peter, {
        type: 'message',
        channel_type: 'im',
        channel: 'DU0LDIO0001',
        bot_id: 'BBOT',
        text: 'my cases',
        ts: '1.2',
      }),
    );
    expect(own.filter((c) => c.method === 'chat.postMessage')).toEqual([]);
    const edited = await event(
      eventCallback(people.peter, {
        type: 'message',
        subtype: 'message_changed',
        channel_type: 'im',
        channel: 'DU0LDIO0001',
        ts: '1.3',
      }),
    );
    expect(edited.filter((c) => c.method === 'chat.postMessage')).toEqual([]);
    expect(shown(await dm(people.peter, 'what is this'))).toMatch(/I did not understand that\. Here is what I can do/);
    const hello = shown(await dm(people.peter, 'Good morning'));
    expect(hello).toMatch(/What you can type/);
    expect(hello).not.toMatch(/did not understand/);
  });
});

/** A click on "Show card" in the App Home (a view, not a message: no channel). */
function blockActionInView(user: SlackUser, reference: string): string {
  return new URLSearchParams({
    payload: JSON.stringify({
      type: 'block_actions',
      team: { id: user.team },
      user: { id: user.id, team_id: user.team },
      api_app_id: 'A1',
      trigger_id: `trigger-show-${Date.now()}`,
      container: { type: 'view', view_id: 'VHOME' },
      view: { id: 'VHOME', type: 'home', callback_id: '', private_metadata: '', app_installed_team_id: user.team },
      actions: [{ type: 'button', action_id: 'work:show', block_id: 'b', value: reference, action_ts: '1' }],
    }),
  }).toString();
}
