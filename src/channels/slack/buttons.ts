/**
 * Card buttons in Slack: each loads its case through who may see it and acts through the shared
 * service; a command that needs words opens its modal first. A change is stored with what it
 * owes (the clicked card, every thread, word to people), which the delivery worker does.
 */
import { UNKNOWN_COMMAND } from '../../app/access';
import { CASE_COMMANDS, commandFrom } from '../../app/commands';
import { actorFor } from '../../app/people';
import type { ClickedCard } from '../../app/owed';
import { stageCardView } from '../../app/views/stage-card';
import { ACTION_PREFIX, INPUT_CALLBACK, inputModal, type ButtonValue } from './blocks';
import { answers, parse, teamOf, type SlackParts } from './listeners';

export function registerButtons(parts: SlackParts): void {
  const { app, client, deps, access, who, fail, busyRefusal } = parts;
  const { directory, service } = deps;

  app.action(new RegExp(`^${ACTION_PREFIX}`), async ({ ack, body, action }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button' || !('action_id' in action)) return;
    const verb = action.action_id.slice(ACTION_PREFIX.length);
    const value = parse<ButtonValue>(action.value) ?? { reference: '', stage: '' };
    const channel = body.container.channel_id as string | undefined;
    const ts = body.container.message_ts as string | undefined;
    const { person: clicker, words } = await who(body.user.id, teamOf(body));
    const ephemeral = (text: string): Promise<unknown> =>
      channel
        ? client.chat
            .postEphemeral({ channel, user: body.user.id, text })
            .catch((e: unknown) => fail('Could not answer a click', e))
        : Promise.resolve();
    if (!clicker) return void (await ephemeral(words));
    const actor = actorFor(directory, clicker, deps.clock());
    const opened = await access.open(value.reference, actor, { action: verb, platform: 'slack', writing: true });
    if (!opened.ok) return void (await ephemeral(opened.refusal.message));
    const stored = opened.case;
    if (!CASE_COMMANDS.has(verb)) {
      await access.refused('unknown-command', stored.reference, actor, { action: verb, platform: 'slack' });
      return void (await ephemeral(UNKNOWN_COMMAND));
    }
    const command = commandFrom(verb, { stage: value.stage }, actor);
    const offered = stageCardView(stored.state, { now: deps.clock(), directory, viewer: actor }).actions.find(
      (a) => a.verb === verb,
    );
    if (offered?.input) {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: inputModal(offered, {
          reference: value.reference,
          stage: value.stage,
          channel: channel ?? '',
          ts: ts ?? '',
        }),
      });
      return;
    }
    // A command that needs words the clicker may not give is refused and recorded now, before
    // any form opens; only the check is made (placeholder words are never stored).
    const outcome = await service
      .act(
        stored.reference,
        { ...command, ...placeholderWords(verb) },
        { checkOnly: needsWords(verb), platform: 'slack', ...clickedCard(channel, ts) },
      )
      .catch(busyRefusal);
    if (!outcome.ok) return void (await ephemeral(outcome.refusal.message));
    // Every card of the case, and word to whoever must now act, go through the outbox.
  });

  app.view(new RegExp(`^${INPUT_CALLBACK}`), async ({ ack, body, view }) => {
    const verb = view.callback_id.slice(INPUT_CALLBACK.length);
    const meta = parse<{ reference: string; stage: string; channel: string; ts: string }>(view.private_metadata);
    const { person: clicker, words } = await who(body.user.id, teamOf(body));
    if (!meta || !clicker)
      return ack({
        response_action: 'errors',
        errors: {
          [Object.keys(view.state.values)[0] ?? 'text']: words || 'This form has expired; close it and try again.',
        },
      });
    const actor = actorFor(directory, clicker, deps.clock());
    const typed = answers(view.state.values);
    const data: Record<string, unknown> = { stage: meta.stage };
    for (const [field, text] of Object.entries(typed)) data[`${verb}.${field}`] = text;
    const outcome = await service
      .act(meta.reference, commandFrom(verb, data, actor), {
        platform: 'slack',
        ...clickedCard(meta.channel || undefined, meta.ts || undefined),
      })
      .catch(busyRefusal);
    if (!outcome.ok) {
      const first = Object.keys(typed)[0] ?? 'text';
      const errors = Object.fromEntries(Object.entries(outcome.refusal.fields ?? {}).filter(([k]) => k in typed));
      return ack({
        response_action: 'errors',
        errors: Object.keys(errors).length ? errors : { [first]: outcome.refusal.message },
      });
    }
    await ack({ response_action: 'clear' });
  });
}

/** The card clicked, so that the outbox brings it up to date too (someone's own copy; the channel's card is updated anyway). */
function clickedCard(channel: string | undefined, ts: string | undefined): { clicked?: ClickedCard } {
  return channel && ts ? { clicked: { platform: 'slack', reference: { channel, ts }, key: `${channel}/${ts}` } } : {};
}

const WORDS: Record<string, Record<string, string>> = {
  'add-note': { text: '-' },
  'propose-resolution': { outcome: '-', outstandingIssues: '-' },
  'record-final-decision': { decision: '-' },
  'dispute-resolution': { reason: '-' },
  'request-escalation': { reason: '-' },
  'return-escalation': { reason: '-' },
  withdraw: { reason: '-' },
  // A date far ahead, for checking the person may propose a plan before the form opens.
  'agree-plan': { plan: '-', reviewOn: '2999-12-31' },
  'confirm-safety': { steps: '-' },
  // The check before the form opens only asks whether the person may propose a date at all.
  'agree-timescale': { date: '-' },
  'record-milestone': { note: '-', date: '2999-12-31' },
};

/** Commands whose words come from a modal. */
function needsWords(verb: string): boolean {
  return verb in WORDS;
}

function placeholderWords(verb: string): Record<string, string> {
  return WORDS[verb] ?? {};
}
