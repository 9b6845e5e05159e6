/**
 * Raising a case from Teams: the launcher card and the raising dialog (from a task module or
 * message extension, or inline on a card where dialogs are not available), step by step: the
 * board where the agency has several, the board's own question about immediate risk on its own,
 * on "yes" its guidance and contacts at once (then, on the urgent path, the form marked urgent),
 * on "no" the form; every problem with the form comes back at once, each beside its field.
 */
import { CardFactory, TurnContext, type AdaptiveCardInvokeResponse, type TaskModuleResponse } from 'botbuilder';
import { boardOf, boardsOf, NO_BOARD, WHICH_BOARD } from '../../app/boards';
import { formFieldOf, IMMEDIATE_RISK, raiseRequestFrom, wordProblemsOf, type Submitted } from '../../app/raise-request';
import { SOME_ANSWERS } from '../../domain/escalation';
import type { Procedure } from '../../domain/procedure';
import { boardCard, emergencyCard, raiseFormCard, riskCard, valuesShownAgain } from './raise-dialog';
import type { TeamsThreads } from './threads';
import { busyAnswer, card, message, unlessBusy, whoIs, type TeamsBotDeps, type Who } from './turns';

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

/** The raising dialog's steps after opening it: each card's submission names the step it answers. */
export const RAISE_STEPS: ReadonlySet<string> = new Set(['raise-board', 'raise-risk', 'raise-urgent', 'raise-submit']);

export class TeamsRaising {
  constructor(
    private readonly deps: TeamsBotDeps,
    private readonly threads: TeamsThreads,
  ) {}

  /** The dialog's first card: which board (where the agency has several), else the board's own question. */
  async openForm(context: TurnContext, inline: boolean): Promise<RaiseResult> {
    const { who, words } = await whoIs(this.deps, context);
    if (!who) return { kind: 'message', text: words };
    const boards = boardsOf(this.deps.directory, this.deps.procedures, who.person);
    const first = boards[0];
    if (!first) return { kind: 'message', text: NO_BOARD };
    if (boards.length > 1) return { kind: 'form', card: boardCard(boards, { inline }) };
    return { kind: 'form', card: riskCard(first, { inline }) };
  }

  /** A step answered (its `action`), or raising; or the busy words if the store cannot take it just now. */
  submit(context: TurnContext, values: Submitted & { action?: string }, inline: boolean): Promise<RaiseResult> {
    return this.step(context, values, inline).catch((error: unknown): RaiseResult => ({
      kind: 'message',
      text: busyAnswer(this.deps, error),
    }));
  }

  private async step(
    context: TurnContext,
    values: Submitted & { action?: string },
    inline: boolean,
  ): Promise<RaiseResult> {
    const { who, words } = await whoIs(this.deps, context);
    if (!who) return { kind: 'message', text: words };
    const { directory, procedures } = this.deps;
    const boards = boardsOf(directory, procedures, who.person);
    if (values.action === 'raise-board') {
      const chosen = boards.find((p) => p.id === values.board);
      if (!chosen) return { kind: 'form', card: boardCard(boards, { problem: WHICH_BOARD.problem, inline }) };
      return {
        kind: 'form',
        card: chosen.immediateRisk
          ? riskCard(chosen, { inline })
          : raiseFormCard(chosen, directory, who.person, { values: { immediateRisk: 'no' }, inline }),
      };
    }
    const procedure = boardOf(directory, procedures, who.person, values.board);
    if (!procedure) return { kind: 'message', text: NO_BOARD };
    const agency = directory.agencies.find((a) => a.id === who.person.agency);
    // A procedure that says nothing about immediate risk asks no question: straight to the form.
    if (!procedure.immediateRisk && values.immediateRisk !== 'no')
      return {
        kind: 'form',
        card: raiseFormCard(procedure, directory, who.person, { values: { immediateRisk: 'no' }, inline }),
      };
    // Going on from the contacts on the urgent path is itself the answer "yes".
    const risk = values.action === 'raise-urgent' ? 'yes' : values.immediateRisk;
    // The board's question comes before any other: a form without its answer asks it first.
    if (risk !== 'yes' && risk !== 'no') {
      const problem = values.action === 'raise-risk' ? IMMEDIATE_RISK.unanswered : undefined;
      return { kind: 'form', card: riskCard(procedure, { inline, ...(problem ? { problem } : {}) }) };
    }
    if (risk === 'yes' && procedure.immediateRisk?.onYes === 'refuse')
      return {
        kind: 'emergency',
        card: emergencyCard(procedure, agency, { next: IMMEDIATE_RISK.refused('by typing "escalate" again') }),
        title: 'Immediate risk of harm',
      };
    if (values.action === 'raise-risk' && risk === 'yes')
      return {
        kind: 'emergency',
        card: emergencyCard(procedure, agency, { next: IMMEDIATE_RISK.urgent, goOn: IMMEDIATE_RISK.goOn, inline }),
        title: 'Immediate risk of harm',
      };
    if (values.action === 'raise-risk' || values.action === 'raise-urgent')
      return {
        kind: 'form',
        card: raiseFormCard(procedure, directory, who.person, {
          values: { immediateRisk: risk },
          inline,
          now: this.deps.clock(),
        }),
      };
    return this.raise(context, who, procedure, values, inline);
  }

  private async raise(
    context: TurnContext,
    who: Who,
    procedure: Procedure,
    values: Submitted,
    inline: boolean,
  ): Promise<RaiseResult> {
    const { directory, service } = this.deps;
    const now = this.deps.clock();
    // Every problem at once, each beside its field; a refused value goes back only into a
    // private dialog, never into the chat's copy of the form. Nothing is stored.
    const form = (refused: Record<string, string>, named: boolean): RaiseResult => {
      const errors = Object.fromEntries(Object.entries(refused).map(([k, v]) => [formFieldOf(k), v]));
      const shown = valuesShownAgain(values, Object.keys(errors), named, inline, now);
      return {
        kind: 'form',
        card: raiseFormCard(procedure, directory, who.person, {
          values: shown,
          errors,
          problem: SOME_ANSWERS,
          inline,
          now,
        }),
      };
    };
    const key = `teams:${context.activity.conversation.id}:${context.activity.id ?? ''}`;
    const built = raiseRequestFrom(procedure, directory, who, values, key, now);
    if (!built.ok) return form(built.errors, Object.keys(wordProblemsOf(values, now)).length > 0);
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
      if (!outcome.refusal.fields || Object.keys(outcome.refusal.fields).length === 0)
        return { kind: 'message', text: outcome.refusal.message };
      return form(outcome.refusal.fields, outcome.refusal.code === 'names-the-adult');
    }
    // The case is stored: a busy store now costs its thread, never a second case raised on retry.
    if (outcome.created)
      await this.threads.postedInline(context, outcome.case).catch((e: unknown) => unlessBusy(this.deps, e));
    const raised = `Escalation ${outcome.case.reference} is raised. Its card is in the thread, with the deadline for ${procedure.stages[0]?.name ?? 'the first stage'}.`;
    if (outcome.case.state.urgent)
      return {
        kind: 'emergency',
        card: emergencyCard(
          procedure,
          directory.agencies.find((a) => a.id === who.person.agency),
          {
            heading: `Escalation ${outcome.case.reference} raised, marked urgent`,
            next: `${raised} It is marked urgent.`,
          },
        ),
        title: `Escalation ${outcome.case.reference} raised`,
      };
    return { kind: 'done', text: raised };
  }
}
