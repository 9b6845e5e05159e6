/**
 * Raising a case from Teams: the launcher card, the raising form (in a dialog from a task module
 * or message extension, or inline on a card where dialogs are not available) and its submission.
 */
import { CardFactory, TurnContext, type AdaptiveCardInvokeResponse, type TaskModuleResponse } from 'botbuilder';
import { boardOf, NO_BOARD } from '../../app/boards';
import { formFieldOf, wordProblemsOf } from '../../app/raise-request';
import { NOT_IN_DIRECTORY } from './identity';
import { emergencyCard, raiseFormCard, raiseRequestFrom, valuesShownAgain, type Submitted } from './raise-dialog';
import type { TeamsThreads } from './threads';
import { busyAnswer, card, message, unlessBusy, whoIs, type TeamsBotDeps } from './turns';

/** How long the outbox leaves the card to the answer before its twin posts it (a crash meanwhile). */
const INLINE_GRACE_MS = 20_000;

export const launcherCard = (): Record<string, unknown> => ({
  type: 'AdaptiveCard',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'Raise an escalation', weight: 'Bolder', size: 'Medium' },
    {
      type: 'TextBlock',
      text: 'For a disagreement with another agency about an adult at risk. If the adult is in immediate danger, call 999 first.',
      wrap: true,
    },
  ],
  actions: [
    {
      type: 'Action.Submit',
      title: 'Raise an escalation',
      data: { msteams: { type: 'task/fetch' }, action: 'raise-open' },
    },
    {
      type: 'Action.Execute',
      title: 'Fill in the form here',
      verb: 'raise-form',
      data: { action: 'raise-form' },
      fallback: { type: 'Action.Submit', title: 'Fill in the form here', data: { action: 'raise-form' } },
    },
  ],
});

/** What raising came to, shown in a dialog or, where dialogs are not available, in the chat. */
export type RaiseResult =
  | { kind: 'form'; card: Record<string, unknown> }
  | { kind: 'emergency'; card: Record<string, unknown>; title: string }
  | { kind: 'done'; text: string }
  | { kind: 'message'; text: string };

const doneCard = (text: string): Record<string, unknown> => ({
  type: 'AdaptiveCard',
  version: '1.5',
  body: [{ type: 'TextBlock', text, wrap: true, weight: 'Bolder' }],
});

export function asDialog(result: RaiseResult): TaskModuleResponse {
  if (result.kind === 'done' || result.kind === 'message') return { task: { type: 'message', value: result.text } };
  const title = result.kind === 'emergency' ? result.title : 'Raise an escalation';
  return {
    task: {
      type: 'continue',
      value: { title, height: 'large', width: 'large', card: CardFactory.adaptiveCard(result.card) },
    },
  };
}

export function asCard(result: RaiseResult): AdaptiveCardInvokeResponse {
  if (result.kind === 'message') return message(result.text);
  return card(result.kind === 'done' ? doneCard(result.text) : result.card);
}

export class TeamsRaising {
  constructor(
    private readonly deps: TeamsBotDeps,
    private readonly threads: TeamsThreads,
  ) {}

  openForm(context: TurnContext, inline: boolean): RaiseResult {
    const who = whoIs(this.deps, context);
    if (!who) return { kind: 'message', text: NOT_IN_DIRECTORY };
    const procedure = boardOf(this.deps.directory, this.deps.procedures, who.person);
    if (!procedure) return { kind: 'message', text: NO_BOARD };
    return { kind: 'form', card: raiseFormCard(procedure, this.deps.directory, who.person, { inline }) };
  }

  /** Raising, or the busy words if the store cannot take it just now. */
  submit(context: TurnContext, values: Submitted, inline: boolean): Promise<RaiseResult> {
    return this.raise(context, values, inline).catch((error: unknown): RaiseResult => ({
      kind: 'message',
      text: busyAnswer(this.deps, error),
    }));
  }

  private async raise(context: TurnContext, values: Submitted, inline: boolean): Promise<RaiseResult> {
    const who = whoIs(this.deps, context);
    if (!who) return { kind: 'message', text: NOT_IN_DIRECTORY };
    const procedure = boardOf(this.deps.directory, this.deps.procedures, who.person, values.board);
    if (!procedure) return { kind: 'message', text: NO_BOARD };
    const { directory, service } = this.deps;
    if (values.immediateRisk === 'yes' && procedure.immediateRisk.onYes === 'refuse') {
      return {
        kind: 'emergency',
        card: emergencyCard(
          procedure,
          'No escalation has been opened. Once the adult is safe, you can raise the disagreement here.',
        ),
        title: 'The adult is at risk of immediate harm',
      };
    }
    // A refused value goes back only into a private dialog, never into the chat's copy of the form.
    const form = (refused: Record<string, string>, problem: string, named = false): RaiseResult => {
      const shown = valuesShownAgain(values, Object.keys(refused), named, inline, this.deps.clock());
      const errors = Object.fromEntries(
        Object.entries(refused).map(([k, v]) => [k.startsWith('record') ? 'recordNumbers' : k, v]),
      );
      return {
        kind: 'form',
        card: raiseFormCard(procedure, directory, who.person, { values: shown, errors, problem, inline }),
      };
    };
    const built = raiseRequestFrom(
      procedure,
      directory,
      who,
      values,
      `teams:${context.activity.conversation.id}:${context.activity.id ?? ''}`,
    );
    if (!built.ok)
      return form({ ...built.errors, ...wordProblemsOf(values, this.deps.clock()) }, 'Some answers need changing.');
    const outcome = await service.raise({
      ...built.request,
      // The card is posted as the bot answers; its twin in the outbox posts it after a crash.
      origin: {
        platform: 'teams',
        reference: TurnContext.getConversationReference(context.activity) as unknown as Record<string, unknown>,
        inlineGraceMs: INLINE_GRACE_MS,
      },
    });
    if (!outcome.ok) {
      const refused = Object.entries(outcome.refusal.fields ?? {}).map(([k, v]): [string, string] => [
        formFieldOf(k),
        v,
      ]);
      return form(Object.fromEntries(refused), outcome.refusal.message, outcome.refusal.code === 'names-the-adult');
    }
    // The case is stored: a busy store now costs its thread, never a second case raised on retry.
    if (outcome.created)
      await this.threads.postedInline(context, outcome.case).catch((e: unknown) => unlessBusy(this.deps, e));
    const raised = `Escalation ${outcome.case.reference} is raised. Its card is in the thread, with the deadline for ${procedure.stages[0]?.name ?? 'the first stage'}.`;
    if (outcome.case.state.urgent)
      return {
        kind: 'emergency',
        card: emergencyCard(procedure, `${raised} It is marked urgent.`),
        title: `Escalation ${outcome.case.reference} raised`,
      };
    return { kind: 'done', text: raised };
  }
}
