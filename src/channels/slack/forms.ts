/**
 * Completing one of the board's forms from Slack: the button on someone's own card opens the
 * modal with what the form asks them to type; submitted, the shared service checks the words (the
 * adult's name is refused), records the completion, and the outbox sends the form as the
 * procedure says.
 */
import { actorFor } from '../../app/people';
import { formPrompts } from '../../app/views/stage-card';
import { FORM_ACTION, FORM_CALLBACK, formModal } from './blocks';
import { answers, parse, teamOf, type SlackParts } from './listeners';

interface FormValue {
  reference: string;
  stage: string;
  form: string;
}

export function registerForms(parts: SlackParts): void {
  const { app, client, deps, access, who, fail, busyRefusal } = parts;
  const { directory, service } = deps;

  app.action(FORM_ACTION, async ({ ack, body, action }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button') return;
    const value = parse<FormValue>(action.value) ?? { reference: '', stage: '', form: '' };
    const channel = body.container.channel_id as string | undefined;
    const ephemeral = async (text: string): Promise<void> => {
      if (channel)
        await client.chat
          .postEphemeral({ channel, user: body.user.id, text })
          .catch((e: unknown) => fail('Could not answer a click', e));
    };
    const { person: clicker, words } = await who(body.user.id, teamOf(body));
    if (!clicker) return ephemeral(words);
    const actor = actorFor(directory, clicker, deps.clock());
    const opened = await access.open(value.reference, actor, { action: 'complete-form', platform: 'slack' });
    if (!opened.ok) return ephemeral(opened.refusal.message);
    const prompt = formPrompts(opened.case.state, actor).find((f) => f.form === value.form && f.stage === value.stage);
    if (!prompt) return ephemeral(`There is no form for you to complete on case ${value.reference} now.`);
    await client.views.open({ trigger_id: body.trigger_id, view: formModal(prompt, { ...value }) });
  });

  app.view(FORM_CALLBACK, async ({ ack, body, view }) => {
    const meta = parse<FormValue>(view.private_metadata);
    const { person: clicker, words } = await who(body.user.id, teamOf(body));
    const typed = answers(view.state.values);
    const first = Object.keys(view.state.values)[0] ?? 'form';
    if (!meta || !clicker)
      return ack({
        response_action: 'errors',
        errors: { [first]: words || 'This form has expired; close it and try again.' },
      });
    const outcome = await service
      .completeForm(
        meta.reference,
        actorFor(directory, clicker, deps.clock()),
        { form: meta.form, stage: meta.stage, answers: typed },
        directory,
        'slack',
      )
      .catch(busyRefusal);
    if (!outcome.ok) {
      const errors = Object.fromEntries(Object.entries(outcome.refusal.fields ?? {}).filter(([k]) => k in typed));
      return ack({
        response_action: 'errors',
        errors: Object.keys(errors).length ? errors : { [first]: outcome.refusal.message },
      });
    }
    // Recorded; the form goes to its recipients through the outbox, and the cards are brought up to date.
    await ack({ response_action: 'clear' });
  });
}
