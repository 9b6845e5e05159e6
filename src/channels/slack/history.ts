/**
 * "See all that has happened" from a Slack card: the case's whole shared history in a modal, for
 * someone who may see the case (through the same read policy as every card), as they may see it.
 */
import { actorFor } from '../../app/people';
import { stageCardView } from '../../app/views/stage-card';
import { HISTORY_ACTION, historyModal, type ButtonValue } from './blocks';
import { parse, teamOf, type SlackParts } from './listeners';

export function registerHistory(parts: SlackParts): void {
  const { app, client, deps, access, who, timeline, fail } = parts;
  app.action(HISTORY_ACTION, async ({ ack, body, action }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button') return;
    const value = parse<ButtonValue>(action.value) ?? { reference: '', stage: '' };
    const channel = body.container.channel_id as string | undefined;
    const ephemeral = async (text: string): Promise<void> => {
      if (channel)
        await client.chat
          .postEphemeral({ channel, user: body.user.id, text })
          .catch((e: unknown) => fail('Could not answer a click', e));
    };
    const { person: clicker, words } = await who(body.user.id, teamOf(body));
    if (!clicker) return ephemeral(words);
    const actor = actorFor(deps.directory, clicker, deps.clock());
    const opened = await access.open(value.reference, actor, { action: 'history', platform: 'slack' });
    if (!opened.ok) return ephemeral(opened.refusal.message);
    await access.read(opened.case.reference, actor, 'history', 'slack');
    const view = stageCardView(opened.case.state, {
      now: deps.clock(),
      directory: deps.directory,
      viewer: actor,
      events: await timeline(opened.case.reference),
    });
    await client.views.open({ trigger_id: body.trigger_id, view: historyModal(view) });
  });
}
