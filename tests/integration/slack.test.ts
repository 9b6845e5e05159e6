/**
 * Slack as Slack sends it: signed form bodies POSTed to /slack/events on the real app (Bolt's
 * HTTPReceiver, the real store), with Slack's Web API faked on loopback (SLACK_API_URL) and
 * every call it receives recorded.
 */
import { LIMITS } from '../../src/channels/slack/blocks';
import { startTestBot, type TestBot } from '../fakes/bot';
import type { ApiCall } from '../fakes/slack-api';
import {
  cardClick as click,
  choiceInput as choice,
  raiseFormValues as form,
  slackPeople as people,
  slackPost,
  slashCommand as slash,
  blockAction,
  textInput as text,
  viewSubmission,
  type SlackPostOptions,
  type ViewValues as Values,
} from '../fakes/slack-client';
import { executeAction, sendActivity, teamsPeople } from '../fakes/teams-client';

let bot: TestBot;
let now = new Date('2026-11-23T10:00:00Z');

beforeAll(async () => {
  // The deadline sweeper runs as in production (every 30 seconds): /healthz reports its last sweep.
  bot = await startTestBot({ env: { SWEEP_INTERVAL_SECONDS: '30' }, clock: () => now });
});

afterAll(async () => {
  await bot.stop();
});

const post = (body: string, options: SlackPostOptions = {}) => slackPost(bot.slackUrl, body, options);
const since = (from: number, method?: string): ApiCall[] => bot.slackApi.since(from, method);

async function until<T>(what: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const got = what();
    if (got !== undefined && got !== false) return got;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An assertion that holds within a few seconds (what the delivery worker records just after a call). */
async function eventually(check: () => Promise<void>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Every message and view sent stays within Block Kit's limits. */
function withinLimits(c: ApiCall): void {
  const blocks = (c.args.blocks ?? (c.args.view as { blocks?: unknown[] } | undefined)?.blocks ?? []) as Array<
    Record<string, unknown>
  >;
  expect(blocks.length).toBeLessThanOrEqual(c.args.view ? LIMITS.blocksPerModal : LIMITS.blocksPerMessage);
  for (const b of blocks) {
    const t = (b.text as { text?: string } | undefined)?.text ?? '';
    expect(t.length).toBeLessThanOrEqual(b.type === 'header' ? LIMITS.header : LIMITS.sectionText);
    for (const f of (b.fields as Array<{ text: string }> | undefined) ?? [])
      expect(f.text.length).toBeLessThanOrEqual(LIMITS.field);
    for (const e of (b.elements as Array<{ text?: { text?: string } | string; value?: string }> | undefined) ?? []) {
      if (b.type === 'actions' && typeof e.text === 'object')
        expect((e.text.text ?? '').length).toBeLessThanOrEqual(LIMITS.buttonText);
      if (typeof e.value === 'string') expect(e.value.length).toBeLessThanOrEqual(LIMITS.buttonValue);
    }
  }
}

describe('Slack: /escalate, the case channel, the stage card and its buttons', () => {
  let riskView = { id: 'V-RISK-1', private_metadata: '' };
  let thread = { channel: '', ts: '' };
  /** The counterpart's own card of the case, in her DM. */
  let megansCard = { channel: '', ts: '' };

  test('a forged signature and a request six minutes old are refused with 401, and nothing happens', async () => {
    const before = bot.slackApi.calls.length;
    expect((await post(slash(people.peter), { secret: 'ffffffffffffffffffffffffffffffff' })).status).toBe(401);
    expect((await post(slash(people.peter), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(since(before, 'views.open')).toEqual([]);
  });

  test('/escalate @counterpart acks at once and opens the modal that asks the board’s own question about immediate risk first', async () => {
    const before = bot.slackApi.calls.length;
    const t0 = Date.now();
    const reply = await post(slash(people.peter, '<@U0LHWL0001|megan>'));
    expect(reply.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(3000);
    const opened = await until(() => since(before, 'views.open')[0]);
    const view = opened.args.view as {
      callback_id: string;
      private_metadata: string;
      blocks: Array<{ block_id?: string; label?: { text: string } }>;
    };
    expect(view.callback_id).toBe('raise-risk');
    expect(view.blocks.find((b) => b.block_id === 'immediateRisk')?.label?.text).toBe(
      'Is the adult at immediate risk of harm, so that the disagreement needs urgent resolution?',
    );
    expect(JSON.parse(view.private_metadata)).toEqual(
      expect.objectContaining({
        board: 'lincolnshire',
        counterpartEmail: 'megan.hart@healthwatch.lincolnshire.example.org',
      }),
    );
    riskView = { id: 'V-RAISE-1', private_metadata: view.private_metadata };
    withinLimits(opened);
  });

  test('someone not in the directory is told how to get added', async () => {
    const reply = await post(slash(people.stranger));
    expect(reply.json).toEqual(
      expect.objectContaining({
        response_type: 'ephemeral',
        text: expect.stringMatching(/not in the escalation directory/) as string,
      }),
    );
  });

  test('no immediate risk: the form follows; mistakes come back field by field and nothing is stored', async () => {
    const next = await post(
      viewSubmission(people.peter, {
        id: riskView.id,
        callback_id: 'raise-risk',
        private_metadata: riskView.private_metadata,
        values: { immediateRisk: { value: { type: 'radio_buttons', selected_option: { value: 'no' } } } },
      }),
    );
    expect(next.json?.response_action).toBe('update');
    const formView = next.json?.view as {
      callback_id: string;
      blocks: Array<{ block_id?: string; element?: { initial_value?: string } }>;
      private_metadata: string;
    };
    expect(formView.callback_id).toBe('raise-form');
    expect(formView.blocks.find((b) => b.block_id === 'counterpartEmail')?.element?.initial_value).toBe(
      'megan.hart@healthwatch.lincolnshire.example.org',
    );
    expect(JSON.stringify(formView)).not.toMatch(/name of the adult|adult's name/i);
    riskView.private_metadata = formView.private_metadata;

    const wrong = await post(
      viewSubmission(people.peter, {
        id: riskView.id,
        callback_id: 'raise-form',
        private_metadata: riskView.private_metadata,
        values: form({ initials: 'Rose Taylor', summary: '' }),
      }),
    );
    expect(wrong.json?.response_action).toBe('errors');
    const errors = wrong.json?.errors as Record<string, string>;
    expect(errors.initials).toMatch(/initials only/);
    expect(errors.summary).toMatch(/Please describe what the disagreement is/);
    expect(await bot.app.repo.allReferences()).toEqual([]);
  });

  test('a good submission raises the case, opens a private channel named from its reference, invites the raiser, invites the other workspace through Slack Connect, posts the card and DMs the counterpart; a retry makes nothing twice', async () => {
    const before = bot.slackApi.calls.length;
    const body = viewSubmission(people.peter, {
      id: riskView.id,
      callback_id: 'raise-form',
      private_metadata: riskView.private_metadata,
      values: form(),
    });
    const sentAt = Math.floor(Date.now() / 1000) - 5;
    const reply = await post(body, { timestamp: sentAt });
    expect(reply.json?.response_action).toBe('update');
    expect(JSON.stringify(reply.json?.view)).toMatch(/Escalation LI-2026-0001 is raised/);

    const created = await until(() => since(before, 'conversations.create')[0]);
    expect(created.args).toEqual(expect.objectContaining({ name: 'esc-li-2026-0001', is_private: 'true' }));
    const invited = await until(() => since(before, 'conversations.invite')[0]);
    expect(invited.args).toEqual(expect.objectContaining({ channel: 'CCASE1', users: 'U0LDIO0001' }));
    const shared = await until(() => since(before, 'conversations.inviteShared')[0]);
    expect(shared.args).toEqual(expect.objectContaining({ channel: 'CCASE1', user_ids: ['U0LHWL0001'] }));
    const card = await until(() =>
      since(before, 'chat.postMessage').find(
        (c) => c.args.channel === 'CCASE1' && JSON.stringify(c.args.blocks).includes('LSAB escalation LI-2026-0001'),
      ),
    );
    expect(JSON.stringify(card.args.blocks)).toMatch(/by 5pm Wednesday 25 November/);
    expect(JSON.stringify(card.args.blocks)).toMatch(/R\.T\. \(initials\)/);
    expect(JSON.stringify(bot.slackApi.calls)).not.toMatch(/Rose Taylor/);
    withinLimits(card);
    await until(() =>
      since(before, 'chat.postMessage').find(
        (c) => c.args.channel === 'CCASE1' && /Slack Connect/.test(String(c.args.text)),
      ),
    );
    // The counterpart hears of it directly, with their own buttons.
    const dm = await until(() => since(before, 'chat.postMessage').find((c) => c.args.channel === 'DU0LHWL0001'));
    expect(String(dm.args.text)).toMatch(
      /Peter Lawson has raised LSAB escalation LI-2026-0001 with HealthWatch Lincolnshire and named you as their counterpart/,
    );
    expect(JSON.stringify(dm.args.blocks)).toMatch(/"action_id":"case:acknowledge"/);
    // She is told what she is being asked, and whose move it is.
    expect(JSON.stringify(dm.args.blocks)).toMatch(/What the disagreement is/);
    expect(JSON.stringify(dm.args.blocks)).toMatch(
      /Megan Hart, HealthWatch Lincolnshire: acknowledge by 5pm Wednesday 25 November, 2 working days/,
    );
    withinLimits(dm);
    megansCard = { channel: 'DU0LHWL0001', ts: String(dm.result?.ts) };
    // Kept just after Slack answered the post.
    await eventually(async () =>
      expect((await bot.app.repo.getPersonalCards('LI-2026-0001')).map((c) => [c.personId, c.message])).toEqual([
        ['megan-hart', megansCard],
      ]),
    );
    thread = { channel: 'CCASE1', ts: '' };
    const threads = await bot.app.repo.getThreads('LI-2026-0001');
    expect(threads).toEqual([
      expect.objectContaining({
        platform: 'slack',
        agencyId: 'diocese-of-lincoln',
        reference: expect.objectContaining({ channel: 'CCASE1', name: 'esc-li-2026-0001' }) as unknown,
      }),
    ]);
    thread.ts = (threads[0]?.reference as { ts: string }).ts;

    // The same submission again (a retry, so signed afresh: the very same signed bytes would be a
    // replay, acknowledged and ignored): the same case, no second channel.
    const mark = bot.slackApi.calls.length;
    const again = await post(body, { timestamp: sentAt + 1 });
    expect(JSON.stringify(again.json?.view)).toMatch(/LI-2026-0001/);
    await new Promise((r) => setTimeout(r, 200));
    expect(since(mark, 'conversations.create')).toEqual([]);
    expect(await bot.app.repo.allReferences()).toEqual(['LI-2026-0001']);
  });

  test('a request Slack retries (X-Slack-Retry-Num) is acknowledged and ignored', async () => {
    const before = bot.slackApi.calls.length;
    const reply = await post(slash(people.peter), { retry: 1 });
    expect(reply.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(since(before, 'views.open')).toEqual([]);
  });

  test('the counterpart acknowledges from their DM: the channel card is updated with chat.update, and so is their own card', async () => {
    now = new Date('2026-11-23T11:00:00Z');
    const before = bot.slackApi.calls.length;
    expect(
      (await post(click(people.megan, 'acknowledge', 'LI-2026-0001', 'step-1', { channel: 'DU0LHWL0001', ts: '1.1' })))
        .status,
    ).toBe(200);
    const updated = await until(() =>
      since(before, 'chat.update').find((c) => c.args.channel === thread.channel && c.args.ts === thread.ts),
    );
    expect(JSON.stringify(updated.args.blocks)).toMatch(/Megan Hart: acknowledged the stage/);
    await until(() => since(before, 'chat.update').find((c) => c.args.channel === 'DU0LHWL0001'));
    expect((await bot.app.repo.getEvents('LI-2026-0001')).map((e) => e.event.type)).toEqual([
      'case-raised',
      'stage-entered',
      'stage-acknowledged',
    ]);
  });

  test('a click by someone without the role gets an ephemeral refusal, and it is recorded', async () => {
    const before = bot.slackApi.calls.length;
    await post(click(people.owen, 'approve-escalation', 'LI-2026-0001', 'step-1', thread));
    const refusal = await until(() => since(before, 'chat.postEphemeral')[0]);
    expect(refusal.args).toEqual(expect.objectContaining({ channel: thread.channel, user: people.owen.id }));
    expect(String(refusal.args.text)).toMatch(
      /No escalation from Direct Professional to Professional Discussion is waiting for approval/,
    );
    expect((await bot.app.repo.getEvents('LI-2026-0001')).at(-1)?.event).toEqual(
      expect.objectContaining({ type: 'command-refused', command: 'approve-escalation' }),
    );
  });

  test('escalation: the button opens a modal for the reason; the line manager approves; the card moves to step 2 (a 429 on the way is waited out)', async () => {
    now = new Date('2026-11-24T10:00:00Z');
    let before = bot.slackApi.calls.length;
    await post(click(people.peter, 'request-escalation', 'LI-2026-0001', 'step-1', thread));
    const modal = await until(() => since(before, 'views.open')[0]);
    const view = modal.args.view as {
      callback_id: string;
      private_metadata: string;
      blocks: Array<{ block_id: string }>;
    };
    expect(view.callback_id).toBe('case-input:request-escalation');
    expect(view.blocks.map((b) => b.block_id)).toEqual(['reason']);
    const empty = await post(
      viewSubmission(people.peter, {
        id: 'V-ESC',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        values: { reason: { value: text('  ') } },
      }),
    );
    expect(empty.json?.response_action).toBe('errors');

    bot.slackApi.rateLimitOnce.add('chat.update');
    before = bot.slackApi.calls.length;
    const sent = await post(
      viewSubmission(people.peter, {
        id: 'V-ESC',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        values: { reason: { value: text('No plan agreed after two bot.slackApi.calls.') } },
      }),
    );
    expect(sent.json).toEqual({ response_action: 'clear' });
    const limited = await until(() => since(before, 'chat.update (429)')[0]);
    const update = await until(() => since(before, 'chat.update').find((c) => c.args.channel === thread.channel), 8000);
    expect(update.at - limited.at).toBeGreaterThanOrEqual(950); // Retry-After: 1 was honoured
    expect(JSON.stringify(update.args.blocks)).toMatch(/Waiting for approval/);
    // Helen, the diocese's line manager, is asked directly.
    const asked = await until(() => since(before, 'chat.postMessage').find((c) => c.args.channel === 'DU0LDIO0002'));
    expect(String(asked.args.text)).toMatch(/needs you.*You can: Approve escalation, Return escalation/);
    // The other agency's own card is brought up to date too: it shows the request and who approves it.
    const megans = await until(() =>
      since(before, 'chat.update').find((c) => c.args.channel === megansCard.channel && c.args.ts === megansCard.ts),
    );
    expect(JSON.stringify(megans.args.blocks)).toMatch(/Waiting for approval/);
    expect(JSON.stringify(megans.args.blocks)).toMatch(/Who can approve: Helen/);
    expect(JSON.stringify(megans.args.blocks)).not.toMatch(/case:approve-escalation/);

    before = bot.slackApi.calls.length;
    await post(
      click(people.helen, 'approve-escalation', 'LI-2026-0001', 'step-1', { channel: 'DU0LDIO0002', ts: '2.2' }),
    );
    const moved = await until(() => since(before, 'chat.update').find((c) => c.args.channel === thread.channel));
    expect(JSON.stringify(moved.args.blocks)).toMatch(/Stage 2 of 4: Direct Manager to Manager Discussion/);
    // HealthWatch's line manager now has the stage to acknowledge.
    await until(() => since(before, 'chat.postMessage').find((c) => c.args.channel === 'DU0LHWL0002'));
  });

  test('resolution: proposed by one side, confirmed by the other, and the case closes', async () => {
    let before = bot.slackApi.calls.length;
    await post(click(people.owen, 'propose-resolution', 'LI-2026-0001', 'step-2', thread));
    const modal = await until(() => since(before, 'views.open')[0]);
    const view = modal.args.view as { callback_id: string; private_metadata: string };
    const proposed = await post(
      viewSubmission(people.owen, {
        id: 'V-RES',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        values: {
          outcome: { value: text('The concern is reopened and shared with the council.') },
          outstandingIssues: { value: text('None.') },
        },
      }),
    );
    expect(proposed.json).toEqual({ response_action: 'clear' });
    await until(() =>
      since(before, 'chat.update').find((c) => JSON.stringify(c.args.blocks).includes('Proposed outcome')),
    );
    // Helen has something new to do: a new card at the bottom of her DM, and her earlier one says it has moved.
    const newCard = await until(() =>
      since(before, 'chat.postMessage').find(
        (c) => c.args.channel === 'DU0LDIO0002' && /Confirm/.test(String(c.args.text)),
      ),
    );
    const moved = await until(() =>
      since(before, 'chat.update').find(
        (c) => c.args.channel === 'DU0LDIO0002' && /has moved/.test(String(c.args.text)),
      ),
    );
    expect(moved.args.ts).not.toBe(newCard.result?.ts);
    await eventually(async () =>
      expect((await bot.app.repo.getPersonalCards('LI-2026-0001')).find((c) => c.personId === 'helen-marsh')).toEqual(
        expect.objectContaining({ message: { channel: 'DU0LDIO0002', ts: newCard.result?.ts }, retired: [] }),
      ),
    );
    before = bot.slackApi.calls.length;
    await post(click(people.helen, 'confirm-resolution', 'LI-2026-0001', 'step-2', thread));
    const closed = await until(() =>
      since(before, 'chat.update').find(
        (c) => c.args.channel === thread.channel && JSON.stringify(c.args.blocks).includes('both agencies confirmed'),
      ),
    );
    expect(JSON.stringify(closed.args.blocks)).not.toMatch(/"action_id":"case:/); // only Documents… is left
    // Everyone who took part is told it has closed, with a card showing the end and no buttons left to
    // press; their earlier cards say they have moved.
    const megans = await until(() =>
      since(before, 'chat.postMessage').find(
        (c) =>
          c.args.channel === megansCard.channel && JSON.stringify(c.args.blocks).includes('both agencies confirmed'),
      ),
    );
    await until(() =>
      since(before, 'chat.update').find((c) => c.args.ts === megansCard.ts && /has moved/.test(String(c.args.text))),
    );
    expect(JSON.stringify(megans.args.blocks)).not.toMatch(/"action_id":"case:|Not yet acknowledged/);
    expect((await bot.app.repo.getCase('LI-2026-0001'))?.state.status).toBe('resolved');
  });
});

test('"See all that has happened" opens the whole shared history for someone in the case, and nothing for anyone else', async () => {
  const value = JSON.stringify({ reference: 'LI-2026-0001', stage: 'step-2' });
  const card = bot.slackApi.calls.filter((c) => c.method === 'chat.update' && c.args.channel === 'CCASE1').at(-1);
  expect(JSON.stringify(card?.args.blocks)).toContain('"action_id":"history:open"');
  let before = bot.slackApi.calls.length;
  await post(blockAction(people.megan, 'history:open', value, { channel: 'CCASE1', ts: '1.1' }));
  const opened = await until(() => since(before, 'views.open')[0]);
  const modal = JSON.stringify(opened.args.view);
  expect(modal).toContain('"callback_id":"case-history"');
  expect(modal).toMatch(/Peter Lawson: raised the escalation/);
  expect(modal).toMatch(/confirmed the outcome/);
  expect(modal).not.toMatch(/not allowed/); // Owen's refused press is not in the shared history
  withinLimits(opened);
  before = bot.slackApi.calls.length;
  await post(blockAction(people.stranger, 'history:open', value, { channel: 'CCASE1', ts: '1.1' }));
  await until(() => since(before, 'chat.postEphemeral')[0]);
  expect(since(before, 'views.open')).toEqual([]);
});

test('documents: a role holder asks from the card; the adult’s details are given privately in the modal; the PDF comes to their DM; the name is in no message', async () => {
  const NAME = 'Tamsin Quarrington-Bligh';
  let before = bot.slackApi.calls.length;
  await post(
    blockAction(people.megan, 'documents:open', JSON.stringify({ reference: 'LI-2026-0001', stage: 'step-2' }), {
      channel: 'CCASE1',
      ts: '1.1',
    }),
  );
  const opened = await until(() => since(before, 'views.open')[0]);
  const view = opened.args.view as {
    callback_id: string;
    private_metadata: string;
    blocks: Array<{ block_id?: string }>;
  };
  expect(view.callback_id).toBe('case-documents');
  expect(view.blocks.map((b) => b.block_id).filter(Boolean)).toEqual(
    expect.arrayContaining(['document', 'format', 'name', 'dateOfBirth', 'address']),
  );
  const submit = (values: Values) =>
    post(
      viewSubmission(people.megan, {
        id: 'V-DOC',
        callback_id: 'case-documents',
        private_metadata: view.private_metadata,
        values,
      }),
    );
  const choose = (doc: string): Values => ({
    document: { value: choice(doc) },
    format: { value: { type: 'radio_buttons', selected_option: { value: 'pdf' } } },
  });
  // The record naming the adult needs their details first.
  const missing = await submit(choose('case-record-with-details'));
  expect(missing.json?.response_action).toBe('errors');
  expect(JSON.stringify(missing.json?.errors)).toMatch(/The adult's details have not been given/);
  before = bot.slackApi.calls.length;
  const sent = await submit({
    ...choose('case-record-with-details'),
    name: { value: text(NAME) },
    dateOfBirth: { value: text('1944-02-29') },
    address: { value: text('7 Mill Lane, Louth') },
  });
  expect(sent.json).toEqual({ response_action: 'clear' });
  const done = await until(() => since(before, 'files.completeUploadExternal')[0]);
  expect(String(done.args.channel_id)).toBe('DU0LHWL0001');
  await until(() => bot.slackApi.uploads.length > 0 || undefined);
  // The upload is multipart: the PDF is inside it.
  expect(bot.slackApi.uploads.at(-1)?.includes('%PDF-')).toBe(true);
  expect(bot.slackApi.uploads.at(-1)?.includes('%%EOF')).toBe(true);
  const events = (await bot.app.repo.getEvents('LI-2026-0001')).map((e) => e.event);
  expect(
    events.filter((e) => e.type === 'personal-details-recorded' || e.type === 'document-issued').map((e) => e.type),
  ).toEqual(['personal-details-recorded', 'document-issued']);
  // The name went into the sealed store and the document, and into no Slack message or view.
  expect(
    JSON.stringify(bot.slackApi.calls.map((c) => (c.method === 'files.getUploadURLExternal' ? { ...c, args: {} } : c))),
  ).not.toContain('Quarrington');
});

test('/healthz reports the store, Slack on, and the deadline sweeper’s last sweep', async () => {
  const health = await fetch(`${bot.base}/healthz`);
  expect(health.status).toBe(200);
  const body = (await health.json()) as Record<string, unknown>;
  expect(body).toEqual(expect.objectContaining({ status: 'ok', store: { kind: 'sqlite', status: 'ok' }, slack: 'on' }));
  expect(body.sweeper).toEqual(
    expect.objectContaining({
      everySeconds: 30,
      lastSweep: expect.objectContaining({ result: expect.objectContaining({ due: 0 }) as unknown }) as unknown,
    }),
  );
});

describe('one agency on Slack, the other on Teams', () => {
  test('raised on Slack against the police (on Teams): the counterpart is messaged in Teams; their acknowledgement there updates the Slack channel card', async () => {
    now = new Date('2026-11-25T10:00:00Z');
    const before = bot.slackApi.calls.length;
    const meta = JSON.stringify({ board: 'lincolnshire', channel: 'CGENERAL' });
    const reply = await post(
      viewSubmission(people.peter, {
        id: 'V-RAISE-TEAMS',
        callback_id: 'raise-form',
        private_metadata: meta,
        values: form({
          respondingAgency: 'lincolnshire-police',
          counterpartEmail: 'chris.bennett@police.lincolnshire.example.org',
        }),
      }),
    );
    expect(JSON.stringify(reply.json?.view)).toMatch(/Escalation LI-2026-0002 is raised/);
    const card = await until(() =>
      since(before, 'chat.postMessage').find((c) =>
        JSON.stringify(c.args.blocks).includes('LSAB escalation LI-2026-0002'),
      ),
    );
    // Only the raiser is invited on Slack, and nobody through Slack Connect: the police use Teams.
    expect(since(before, 'conversations.invite').map((c) => c.args.users)).toEqual(['U0LDIO0001']);
    expect(since(before, 'conversations.inviteShared')).toEqual([]);
    const direct = await until(() =>
      bot.connector.calls.find(
        (c) => c.method === 'POST' && c.url === '/v3/conversations' && JSON.stringify(c.body).includes('LI-2026-0002'),
      ),
    );
    expect(direct.body).toEqual(
      expect.objectContaining({
        isGroup: false,
        members: [{ id: 'be5872f2-2da6-4ed5-b45d-00fd6347d3f8', name: 'Chris Bennett' }],
        tenantId: '835a3ee8-c130-4d8f-9cd6-4c0eb2a39a7b',
      }),
    );
    expect(JSON.stringify(direct.body)).toMatch(
      /Peter Lawson has raised LSAB escalation LI-2026-0002 with Lincolnshire Police and named you as their counterpart/,
    );

    // Chris acknowledges on the card Teams showed him.
    const mark = bot.slackApi.calls.length;
    const clicked = await sendActivity(bot.teamsUrl, bot.connector.url, teamsPeople.chris, {
      ...executeAction('acknowledge', { reference: 'LI-2026-0002', stage: 'step-1', verb: 'acknowledge' }),
      id: 'teams-ack-1',
      conversation: { id: 'a:be5872f2-2da6-4ed5-b45d-00fd6347d3f8', conversationType: 'personal' },
    });
    expect(clicked.status).toBe(200);
    const updated = await until(() => since(mark, 'chat.update').find((c) => c.args.channel === card.args.channel));
    expect(JSON.stringify(updated.args.blocks)).toMatch(/Chris Bennett: acknowledged the stage/);
  });
});
