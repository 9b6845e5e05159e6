/**
 * Real activities into botbuilder's CloudAdapter (no app id), with Teams' connector service
 * faked on loopback and every call it receives recorded.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestBot, type TestBot } from '../fakes/bot';
import type { ConnectorCall } from '../fakes/teams-connector';
import {
  fileConsentAccept,
  teamsPeople as people,
  teamsRaiseForm as goodForm,
  type TeamsUser,
} from '../fakes/teams-client';

let bot: TestBot;
let now = new Date('2026-11-23T10:00:00Z');

beforeAll(async () => {
  bot = await startTestBot({ env: { SWEEP_INTERVAL_SECONDS: '30' }, clock: () => now });
  // The group chat holds Kwame (Boston Borough Council), Fiona (police) and someone from outside.
  bot.connector.members = [
    people.kwame,
    people.fiona,
    { id: '29:guest', name: 'Guest', aadObjectId: '11111111-2222-4333-8444-555555555555' },
  ];
});

afterAll(async () => {
  await bot.stop();
});

async function send(
  from: TeamsUser,
  activity: Record<string, unknown>,
  id?: string,
): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  // What follows the answer (telling people, other threads) is done before the test looks.
  const answer = await bot.teams(from, id ? { ...activity, id } : activity);
  return { status: answer.status, body: answer.body };
}

/** Fiona accepts a file consent card: Teams gives the bot an upload URL for her OneDrive. */
function acceptFile(context: unknown, name: string | undefined, uploadUrl: string) {
  return send(
    people.fiona,
    fileConsentAccept(context, {
      name,
      uploadUrl,
      contentUrl: 'https://contoso.sharepoint.example/file.pdf',
      uniqueId: 'u-1',
      fileType: 'pdf',
    }),
  );
}

/** The 1:1 messages the bot sent since call `from`: new personal chats, and messages in known ones. */
function directMessages(from: number): Array<{ to: string; text: string }> {
  return bot.connector.calls.slice(from).flatMap((c) => {
    if (c.method === 'POST' && c.url === '/v3/conversations' && c.body?.isGroup === false) {
      const activity = c.body.activity as { text?: string };
      return [{ to: (c.body.members as Array<{ id: string }>)[0]?.id ?? '', text: activity.text ?? '' }];
    }
    const known = /^\/v3\/conversations\/(personal-[^/]+|a:[^/]+)\/activities(\/[^/]+)?$/.exec(
      decodeURIComponent(c.url),
    );
    // A message is its words; the person's card follows on its own (kept, and updated in place later).
    const cardAlone = !c.body?.text && Array.isArray(c.body?.attachments);
    return c.method === 'POST' && known && !cardAlone
      ? [{ to: known[1] ?? '', text: typeof c.body?.text === 'string' ? c.body.text : '' }]
      : [];
  });
}

function dialogText(body: Record<string, unknown> | undefined): string {
  return JSON.stringify(body);
}

describe('Teams: escalate, the dialog, the stage card and its buttons', () => {
  test('"escalate" answers with a button that opens the raising dialog, on the board’s own question', async () => {
    const reply = await send(people.alex, { type: 'message', text: 'escalate' });
    expect(reply.status).toBe(200);
    const posted = bot.connector.calls.at(-1);
    expect(posted?.url).toMatch(/^\/v3\/conversations\/personal-alex\/activities/);
    expect(JSON.stringify(posted?.body)).toMatch(/"type":"task\/fetch"/);

    const fetched = await send(people.alex, {
      type: 'invoke',
      name: 'task/fetch',
      value: { data: { action: 'raise-open' } },
    });
    expect(fetched.status).toBe(200);
    const text = dialogText(fetched.body);
    expect(text).toMatch(/Raise an escalation: Lincolnshire Safeguarding Adults Board/);
    expect(text).toMatch(/Is the adult at immediate risk of harm, so that the disagreement needs urgent resolution\?/);
    expect(text).not.toMatch(/Lincolnshire Police/); // the question comes on its own (tests/integration/raising.test.ts)
  });

  test('the message-extension action "Raise an escalation" opens the same form and checks it the same way', async () => {
    const fetched = await send(people.alex, {
      type: 'invoke',
      name: 'composeExtension/fetchTask',
      value: { commandId: 'raiseEscalation', commandContext: 'compose' },
    });
    expect(fetched.status).toBe(200);
    expect(dialogText(fetched.body)).toMatch(/Raise an escalation: Lincolnshire Safeguarding Adults Board/);
    const wrong = await send(people.alex, {
      type: 'invoke',
      name: 'composeExtension/submitAction',
      value: { commandId: 'raiseEscalation', data: { ...goodForm, initials: 'Jane Smith' } },
    });
    expect(dialogText(wrong.body)).toMatch(/initials only/);
    expect(await bot.app.repo.allReferences()).toEqual([]);
  });

  test('someone not in the directory is told how to get added', async () => {
    const fetched = await send(people.stranger, { type: 'invoke', name: 'task/fetch', value: { data: {} } });
    expect(dialogText(fetched.body)).toMatch(/not in the escalation directory/);
  });

  test('mistakes come back in the dialog, all at once and field by field, and nothing is stored', async () => {
    const reply = await send(people.alex, {
      type: 'invoke',
      name: 'task/submit',
      value: {
        data: { ...goodForm, initials: 'John Smith', summary: '', counterpartEmail: 'someone@else.example.org' },
      },
    });
    const text = dialogText(reply.body);
    expect(text).toMatch(/Some answers need changing/);
    expect(text).toMatch(/Nobody with this email has used the bot yet/);
    expect(text).toMatch(/initials only/);
    expect(text).toMatch(/Please describe what the disagreement is/);
    const second = await send(people.alex, {
      type: 'invoke',
      name: 'task/submit',
      value: { data: { ...goodForm, initials: 'John Smith', summary: '' } },
    });
    const text2 = dialogText(second.body);
    expect(text2).toMatch(/initials only/);
    expect(text2).toMatch(/Please describe what the disagreement is/);
    // What was typed is kept in the (private) dialog, except refused initials: probably a name.
    expect(text2).toMatch(/"value":"Reopen the referral and hold a strategy discussion."/);
    expect(text2).toMatch(/"id":"initials"[^}]*"value":""/);
    expect(text2).not.toMatch(/John Smith/);
    expect(await bot.app.repo.allReferences()).toEqual([]);
  });

  let stageCardId = '';

  test('a good submission raises the case and opens its thread in the agency’s channel with the stage card; a resend makes no second case', async () => {
    const submit = { type: 'invoke', name: 'task/submit', value: { data: goodForm } };
    const start = bot.connector.calls.length;
    const reply = await send(people.alex, submit, 'submit-1');
    expect(dialogText(reply.body)).toMatch(/Escalation LI-2026-0001 is raised/);
    const posted = bot.connector.calls.find(
      (c) =>
        c.method === 'POST' &&
        c.body?.isGroup === true &&
        JSON.stringify(c.body).includes('LSAB escalation LI-2026-0001'),
    );
    // Lincolnshire County Council keeps its escalation threads in a Teams channel (the directory says which).
    expect(posted?.url).toBe('/v3/conversations');
    expect(posted?.body).toEqual(
      expect.objectContaining({
        isGroup: true,
        channelData: { channel: { id: '19:adadd3a1377441bb91c656a9c8bbda53@thread.tacv2' } },
      }),
    );
    const card = JSON.stringify(posted?.body);
    expect(card).toMatch(/by 5pm Wednesday 25 November/);
    expect(card).toMatch(/J\.S\. \(initials\)/);
    expect(card).not.toMatch(/John|Smith/);
    stageCardId = `${bot.connector.calls.indexOf(posted as ConnectorCall) + 1}`;

    // The named counterpart hears of it 1:1, in their own tenant, with the card.
    const direct = bot.connector.calls.find(
      (c) => c.method === 'POST' && c.url === '/v3/conversations' && c.body?.isGroup === false,
    );
    expect(direct?.body).toEqual(
      expect.objectContaining({
        members: [{ id: people.chris.aadObjectId, name: 'Chris Bennett' }],
        tenantId: '835a3ee8-c130-4d8f-9cd6-4c0eb2a39a7b',
        channelData: { tenant: { id: '835a3ee8-c130-4d8f-9cd6-4c0eb2a39a7b' } },
      }),
    );
    expect(JSON.stringify(direct?.body)).toMatch(
      /Alex Morgan has raised LSAB escalation LI-2026-0001 with Lincolnshire Police and named you as their counterpart\. You can: Acknowledge, Propose resolution, Propose plan of action, Request escalation\./,
    );
    expect(JSON.stringify(direct?.body)).toMatch(/LSAB escalation LI-2026-0001/);

    // Only the counterpart has something to do at once.
    expect(directMessages(start).map((m) => m.to)).toEqual([people.chris.aadObjectId]);

    const again = await send(people.alex, submit, 'submit-1');
    expect(dialogText(again.body)).toMatch(/Escalation LI-2026-0001 is raised/);
    expect(await bot.app.repo.allReferences()).toEqual(['LI-2026-0001']);
  });

  test('the counterpart acknowledges: the thread’s card updates in place and the click is recorded', async () => {
    now = new Date('2026-11-23T11:00:00Z');
    const before = bot.connector.calls.length;
    const reply = await send(people.chris, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: {
        action: {
          type: 'Action.Execute',
          verb: 'acknowledge',
          data: { reference: 'LI-2026-0001', stage: 'step-1', verb: 'acknowledge' },
        },
      },
    });
    expect(reply.status).toBe(200);
    expect(reply.body?.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(reply.body)).toMatch(/Chris Bennett: acknowledged the stage/);
    const update = bot.connector.calls.slice(before).find((c) => c.method === 'PUT');
    expect(update?.url).toBe(
      `/v3/conversations/${encodeURIComponent(`19:escalations@thread.tacv2;messageid=${stageCardId}`)}/activities/${stageCardId}`,
    );
    expect(JSON.stringify(update?.body)).toMatch(/"Acknowledged"/);
    expect((await bot.app.repo.getEvents('LI-2026-0001')).map((e) => e.event.type)).toEqual([
      'case-raised',
      'stage-entered',
      'stage-acknowledged',
    ]);
  });

  test('a click by someone without the role is refused in words, and recorded', async () => {
    const reply = await send(people.fiona, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: {
        action: {
          type: 'Action.Execute',
          verb: 'approve-escalation',
          data: { reference: 'LI-2026-0001', stage: 'step-1', verb: 'approve-escalation' },
        },
      },
    });
    expect(reply.body?.type).toBe('application/vnd.microsoft.activity.message');
    expect(String(reply.body?.value)).toMatch(
      /No escalation from Direct Professional to Professional Discussion is waiting for approval/,
    );
    expect((await bot.app.repo.getEvents('LI-2026-0001')).at(-1)?.event).toEqual(
      expect.objectContaining({ type: 'command-refused', command: 'approve-escalation' }),
    );
  });

  test('escalation with a reason, approved by the line manager, moves the card to step 2', async () => {
    now = new Date('2026-11-24T10:00:00Z');
    // Priya has talked to the bot before: she is messaged in that personal chat.
    await send(people.priya, { type: 'message', text: 'hello' });
    const before = bot.connector.calls.length;
    const asked = await send(people.alex, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: {
        action: {
          type: 'Action.Execute',
          verb: 'request-escalation',
          data: {
            reference: 'LI-2026-0001',
            stage: 'step-1',
            verb: 'request-escalation',
            'request-escalation.reason': 'No plan agreed after two bot.connector.calls.',
          },
        },
      },
    });
    expect(JSON.stringify(asked.body)).toMatch(
      /Waiting for approval: Alex Morgan asked to escalate to Direct Manager to Manager Discussion: No plan agreed after two bot.connector.calls\./,
    );
    // The raising side's line managers, who approve, hear of it with their own buttons: Priya in
    // the personal chat she has with the bot, Sam in a new one.
    const told = directMessages(before);
    expect(told.map((m) => m.to)).toEqual(['personal-priya', '542121c7-bc68-489c-887a-17a02a107888']);
    expect(told[1]?.text).toBe(told[0]?.text);
    expect(told[0]?.text).toMatch(
      /LSAB escalation LI-2026-0001 needs you\. Alex Morgan: asked to escalate .*You can: Approve escalation, Return escalation\./,
    );
    const refresh = await send(people.priya, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: {
        action: { type: 'Action.Execute', verb: 'refresh', data: { reference: 'LI-2026-0001', stage: 'step-1' } },
      },
    });
    expect(JSON.stringify(refresh.body)).toMatch(/"title":"Approve escalation"/);
    const approved = await send(people.priya, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: {
        action: {
          type: 'Action.Execute',
          verb: 'approve-escalation',
          data: { reference: 'LI-2026-0001', stage: 'step-1', verb: 'approve-escalation' },
        },
      },
    });
    expect(JSON.stringify(approved.body)).toMatch(/Stage 2 of 4: Direct Manager to Manager Discussion/);
    // Priya's own card in her personal chat is kept and brought up to date in place.
    const priyas = (await bot.app.repo.getPersonalCards('LI-2026-0001')).find((c) => c.personId === 'priya-shah');
    expect(priyas?.message).toEqual(expect.objectContaining({ activityId: expect.any(String) as unknown }));
    const inPlace = bot.connector.calls
      .slice(before)
      .find(
        (c) =>
          c.method === 'PUT' &&
          decodeURIComponent(c.url).startsWith('/v3/conversations/personal-priya/activities/') &&
          JSON.stringify(c.body).includes('Stage 2 of 4'),
      );
    expect(decodeURIComponent(inPlace?.url ?? '')).toContain(String(priyas?.message.activityId));
    // Step 2's role holders on both sides now have a stage to acknowledge.
    // Step 2's role holders now have work: the police line manager (Fiona, who clicked a card
    // earlier in her personal chat) must acknowledge it; Sam, the council's other line manager,
    // may now propose a resolution, in the chat opened for him a moment ago.
    // (Each person is told on their own; the order between two people is not kept.)
    const step2 = directMessages(before).slice(2);
    expect(step2.map((m) => m.to).sort()).toEqual(['a:542121c7-bc68-489c-887a-17a02a107888', 'personal-fiona']);
    expect(step2.find((m) => m.to === 'personal-fiona')?.text).toMatch(
      /needs you\. Priya Shah: moved the case to Direct Manager to Manager Discussion\. You can: Acknowledge, Propose resolution, Propose plan of action, Request escalation\./,
    );
    // A stale button from step 1 is refused, not acted on.
    const stale = await send(people.chris, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: {
        action: {
          type: 'Action.Execute',
          verb: 'acknowledge',
          data: { reference: 'LI-2026-0001', stage: 'step-1', verb: 'acknowledge' },
        },
      },
    });
    expect(String(stale.body?.value)).toMatch(/This card is out of date/);
  });

  test('documents: a role holder asks on the card, gives the adult’s details privately, and gets the PDF as a file to accept in their own chat; the name is in no message', async () => {
    const NAME = 'Ottoline Vanderbyl-Pryce';
    const invoke = (verb: string, data: Record<string, unknown> = {}) =>
      send(people.fiona, {
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: {
          action: { type: 'Action.Execute', verb, data: { reference: 'LI-2026-0001', stage: 'step-2', verb, ...data } },
        },
      });
    const opened = await invoke('documents');
    expect(JSON.stringify(opened.body)).toMatch(/Documents: LI-2026-0001/);
    expect(JSON.stringify(opened.body)).toMatch(/Case record naming the adult/);
    const needsDetails = await invoke('send-document', {
      'documents.kind': 'case-record-with-details',
      'documents.format': 'pdf',
    });
    expect(JSON.stringify(needsDetails.body)).toMatch(
      /The adult's details have not been given for case LI-2026-0001 yet/,
    );
    const before = bot.connector.calls.length;
    const sent = await invoke('send-document', {
      'documents.kind': 'case-record-with-details',
      'documents.format': 'pdf',
      'documents.name': NAME,
      'documents.dateOfBirth': '1940-06-01',
      'documents.address': '3 Station Road, Sleaford',
    });
    expect(String(sent.body?.value)).toMatch(/is on its way to your chat with the bot: accept the file there/);
    const consent = bot.connector.calls
      .slice(before)
      .find((c) => c.method === 'POST' && JSON.stringify(c.body).includes('file.consent'));
    expect(decodeURIComponent(consent?.url ?? '')).toMatch(/^\/v3\/conversations\/personal-fiona\/activities/);
    const attachment = (
      consent?.body?.attachments as Array<{
        name: string;
        content: { acceptContext: Record<string, unknown>; sizeInBytes: number };
      }>
    )[0];
    expect(attachment?.name).toBe('LI-2026-0001-case-record.pdf');
    // Fiona accepts: Teams gives an upload URL; the bot bot.connector.uploads the file and shows it.
    const accepted = await acceptFile(
      attachment?.content.acceptContext,
      attachment?.name,
      `${bot.connector.url}upload/1`,
    );
    expect(accepted.status).toBe(200);
    const uploaded = bot.connector.uploads.at(-1);
    expect(uploaded?.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(uploaded?.headers['content-range']).toBe(
      `bytes 0-${(uploaded?.bytes.length ?? 0) - 1}/${uploaded?.bytes.length ?? 0}`,
    );
    expect(bot.connector.calls.some((c) => (JSON.stringify(c.body) ?? '').includes('file.info'))).toBe(true);
    const recorded = (await bot.app.repo.getEvents('LI-2026-0001'))
      .map((e) => e.event.type)
      .filter((t) => t === 'personal-details-recorded' || t === 'document-issued');
    expect(recorded).toEqual(['personal-details-recorded', 'document-issued']);
    expect(JSON.stringify(bot.connector.calls)).not.toContain('Vanderbyl');
  });

  test('documents: if OneDrive cannot be reached, the person who accepted is told the file was not saved (no error answer)', async () => {
    // A port nothing listens on: the upload fails at the network, before any answer.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const before = bot.connector.calls.length;
    const accepted = await acceptFile(
      { reference: 'LI-2026-0001', kind: 'case-record', format: 'pdf' },
      'LI-2026-0001-case-record.pdf',
      `http://127.0.0.1:${port}/upload/unreachable`,
    );
    expect(accepted.status).toBe(200);
    const said = bot.connector.calls.slice(before).map((c) => JSON.stringify(c.body));
    expect(said.some((b) => b.includes('The file could not be saved to your OneDrive'))).toBe(true);
    expect(said.some((b) => b.includes('file.info'))).toBe(false);
  });

  test('where dialogs are not available (the Agents Playground), the form fills in the chat, with the same checks', async () => {
    const opened = await send(people.alex, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: 'raise-form', data: { action: 'raise-form' } } },
    });
    expect(opened.body?.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(opened.body)).toMatch(/"verb":"raise-risk"/); // then the form (raising.test.ts)
    const wrong = await send(people.alex, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: {
        action: { type: 'Action.Execute', verb: 'raise-submit', data: { ...goodForm, initials: 'Jane Smith' } },
      },
    });
    expect(JSON.stringify(wrong.body)).toMatch(/initials only/);
    const raised = await send(
      people.alex,
      {
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb: 'raise-submit', data: goodForm } },
      },
      'inline-1',
    );
    expect(JSON.stringify(raised.body)).toMatch(/Escalation LI-2026-0002 is raised/);
    expect(await bot.app.repo.allReferences()).toEqual(['LI-2026-0001', 'LI-2026-0002']);
  });

  test('raised in a group chat (how Boston Borough Council works): the card stays in the chat, its members who take part get their own view, and a counterpart missing from it is named', async () => {
    const start = bot.connector.calls.length;
    const groupChat = {
      id: '19:boston-police@unq.gbl.spaces',
      conversationType: 'groupChat',
      tenantId: '4d823698-5f02-48ab-b2ec-f0724a3d1e9b',
    };
    const raised = await send(
      people.kwame,
      {
        type: 'invoke',
        name: 'task/submit',
        conversation: groupChat,
        value: { data: { ...goodForm, recordRaising: 'BBC-77' } },
      },
      'group-1',
    );
    expect(dialogText(raised.body)).toMatch(/Escalation LI-2026-0003 is raised/);
    const inChat = bot.connector.calls
      .slice(start)
      .filter(
        (c) =>
          c.method === 'POST' && decodeURIComponent(c.url).startsWith(`/v3/conversations/${groupChat.id}/activities`),
      );
    const card = inChat.find((c) => JSON.stringify(c.body).includes('LSAB escalation LI-2026-0003'));
    expect(card).toBeDefined();
    // Kwame and Fiona are in the chat and take part (their agencies are the case's); the guest is not.
    expect(JSON.stringify(card?.body)).toMatch(/"userIds":\["29:kwame","29:fiona"\]/);
    expect(inChat.map((c) => (c.body as { text?: string }).text ?? '')).toContainEqual(
      expect.stringMatching(/^Chris Bennett is not in this chat\. Add them/),
    );
    // No channel thread was opened for Boston: it works in group chats.
    expect(bot.connector.calls.slice(start).some((c) => c.body?.isGroup === true)).toBe(false);
    // Chris, the named counterpart, is told 1:1 all the same.
    expect(directMessages(start).map((m) => m.to)).toContain('personal-chris');
  });

  test('immediate risk on Lincolnshire’s urgent path: the emergency contacts first, and the case raised as urgent', async () => {
    const reply = await send(
      people.alex,
      { type: 'invoke', name: 'task/submit', value: { data: { ...goodForm, immediateRisk: 'yes' } } },
      'urgent-1',
    );
    const text = dialogText(reply.body);
    expect(text).toMatch(/Escalation LI-2026-0004 raised, marked urgent/);
    expect(text).toMatch(/999/);
    expect(text).toMatch(/Lincolnshire County Council, Adult Care Emergency Duty Team: 01632 960101/);
    expect(text).toMatch(/Escalation LI-2026-0004 is raised.*marked urgent/);
  });
});
