/**
 * Documents from Slack, sent privately: the documents button opens the modal (which document, what
 * format, the adult's details if they are needed); the document goes to the person's direct
 * messages with the bot, never to the case channel.
 */
import { actorFor } from '../../app/people';
import { DOCUMENTS_ACTION, DOCUMENTS_CALLBACK, type ButtonValue } from './blocks';
import { documentsModal } from './documents-modal';
import { answers, parse, teamOf, type SlackParts } from './listeners';

export function registerDocuments(parts: SlackParts): void {
  const { app, client, deps, access, who, fail, busyRefusal } = parts;
  const { directory, service, repo } = deps;

  app.action(DOCUMENTS_ACTION, async ({ ack, body, action }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button') return;
    const value = parse<ButtonValue>(action.value) ?? { reference: '', stage: '' };
    const channel = body.container.channel_id as string | undefined;
    const { person: clicker, words } = await who(body.user.id, teamOf(body));
    const ephemeral = async (text: string): Promise<void> => {
      if (channel)
        await client.chat
          .postEphemeral({ channel, user: body.user.id, text })
          .catch((e: unknown) => fail('Could not answer a click', e));
    };
    if (!clicker) return ephemeral(words);
    const offered = await deps.documents.choices(value.reference, actorFor(directory, clicker, deps.clock()), 'slack');
    if (!offered.ok) return ephemeral(offered.refusal.message);
    const detailsGiven = Boolean(await repo.readPersonalDetails(offered.case.reference));
    await client.views.open({
      trigger_id: body.trigger_id,
      view: documentsModal(offered.case.reference, offered.choices, detailsGiven),
    });
  });

  app.view(DOCUMENTS_CALLBACK, async ({ ack, body, view }) => {
    const meta = parse<{ reference: string }>(view.private_metadata) ?? { reference: '' };
    const { person: clicker, words } = await who(body.user.id, teamOf(body));
    if (!clicker) return ack({ response_action: 'errors', errors: { document: words } });
    const actor = actorFor(directory, clicker, deps.clock());
    const typed = answers(view.state.values);
    const opened = await access.open(meta.reference, actor, { action: 'send-document', platform: 'slack' });
    if (!opened.ok) return ack({ response_action: 'errors', errors: { document: opened.refusal.message } });
    if (typed.name || typed.dateOfBirth || typed.address) {
      if (!typed.name)
        return ack({
          response_action: 'errors',
          errors: { name: "Please give the adult's name with the other details." },
        });
      const saved = await service
        .recordPersonalDetails(
          meta.reference,
          actor,
          {
            name: typed.name,
            ...(typed.dateOfBirth ? { dateOfBirth: typed.dateOfBirth } : {}),
            ...(typed.address ? { address: typed.address } : {}),
          },
          directory,
          'slack',
        )
        .catch(busyRefusal);
      if (!saved.ok)
        return ack({
          response_action: 'errors',
          errors: Object.keys(saved.refusal.fields ?? {}).length
            ? (saved.refusal.fields ?? {})
            : { name: saved.refusal.message },
        });
    }
    const issued = await deps.documents
      .issue(meta.reference, actor, typed.document ?? 'case-record', typed.format === 'docx' ? 'docx' : 'pdf', {
        platform: 'slack',
        deliver: 'slack',
      })
      .catch(busyRefusal);
    if (!issued.ok)
      return ack({
        response_action: 'errors',
        errors: { [issued.refusal.fields?.name ? 'name' : 'document']: issued.refusal.message },
      });
    // Recorded with its delivery owed: the outbox builds it again and uploads it to their DM.
    await ack({ response_action: 'clear' });
  });
}
