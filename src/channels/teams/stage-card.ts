/**
 * The stage card for Teams: the shared view model expanded into the Adaptive Card template in
 * adaptive-cards/stage-card.json (card version 1.5, Action.Execute with Action.Submit fallback,
 * refresh.userIds so each role holder sees the buttons that are theirs).
 */
import { ROUTINE } from '../../app/views/whose-move';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'adaptivecards-templating';
import type { InputView, StageCardView } from '../../app/views/stage-card';

/** adaptive-cards/ at the top of the repository, or copied into dist/ by the build (src/tools/build.ts). */
export const CARDS_DIR =
  [join(__dirname, '..', '..', 'adaptive-cards'), join(__dirname, '..', '..', '..', 'adaptive-cards')].find((dir) =>
    existsSync(join(dir, 'stage-card.json')),
  ) ?? join(__dirname, '..', '..', '..', 'adaptive-cards');

const templates = new Map<string, Template>();

/** A template from adaptive-cards/, read and parsed once. */
export function cardTemplate(name: string): Template {
  let template = templates.get(name);
  if (!template) {
    template = new Template(JSON.parse(readFileSync(join(CARDS_DIR, `${name}.json`), 'utf8')));
    templates.set(name, template);
  }
  return template;
}

import { inputId } from '../../app/commands';

/** The data the stage-card template binds to. */
export function stageCardData(view: StageCardView, refreshUserIds: readonly string[]): Record<string, unknown> {
  return {
    ...view,
    refreshUserIds: [...refreshUserIds],
    signposts: view.signposts ?? [],
    // What the stage asks that is owed or given (safety confirmed, milestones, a date proposed).
    owed: view.owed ?? [],
    hasSignposts: (view.signposts ?? []).length > 0,
    plainActions: view.actions.filter((a) => !a.input).map((a) => ({ ...a, style: a.style ?? 'default' })),
    // The board's forms this person is to complete (their own view only); input ids prefixed "complete-form.".
    formsToComplete: (view.forms ?? []).map((f) => ({
      ...f,
      inputs: f.inputs.map((i) => ({ ...i, inputId: inputId('complete-form', i.id) })),
    })),
    // Input ids must be unique on a card: each is prefixed with its verb ("withdraw.reason").
    inputActions: view.actions
      .filter((a) => a.input)
      .map((a) => ({
        ...a,
        style: a.style ?? 'default',
        input: a.input && {
          ...inputData(a.verb, a.input),
          ...(a.input.second ? { second: inputData(a.verb, a.input.second) } : {}),
        },
      })),
  };
}

/** An input as the template binds it: its id prefixed, its kind as flags, nothing left unbound. */
function inputData(verb: string, input: InputView): Record<string, unknown> {
  const kind = input.kind ?? 'text';
  return {
    ...input,
    id: inputId(verb, input.id),
    kind,
    isText: kind === 'text',
    isDate: kind === 'date',
    isChoice: kind === 'choice',
    options: input.options ?? [],
    initial: input.initial ?? '',
  };
}

/** Cards rendered lately, by everything they show (frozen: shared by whoever asks for the same state). */
const rendered = new Map<string, Record<string, unknown>>();
const RENDERED_KEPT = 64;

/**
 * The stage card for a view. Expanding the template is most of a card's cost, and the same state
 * is often asked for twice (a click's answer, then the outbox's update of the clicker's own copy):
 * each state (the whole view and the refreshing users) is expanded once and kept for a while. The
 * card is shared, so it is frozen: nobody changes a card once rendered (copying it for each caller
 * would cost a third of an expansion).
 */
export function renderStageCard(view: StageCardView, refreshUserIds: readonly string[]): Record<string, unknown> {
  const data = stageCardData(view, refreshUserIds);
  const key = JSON.stringify(data);
  let card = rendered.get(key);
  if (card) {
    // Most recently used last, so the oldest goes first.
    rendered.delete(key);
  } else {
    card = cardTemplate('stage-card').expand({ $root: data }) as Record<string, unknown>;
    if (Array.isArray(card.actions) && card.actions.length > MAX_CARD_ACTIONS)
      card.actions = withinTeamsLimit(routineLast(card.actions));
    deepFreeze(card);
    if (rendered.size >= RENDERED_KEPT) rendered.delete(rendered.keys().next().value as string);
  }
  rendered.set(key, card);
  return card;
}

function deepFreeze(value: unknown): void {
  if (!value || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner);
}

/** Buttons anyone taking part always has (a note, withdrawing) after the moves of the moment, so "More" holds them first. */
function routineLast(actions: unknown[]): unknown[] {
  const verb = (a: unknown): string => {
    const x = a as { verb?: unknown; data?: { verb?: unknown }; card?: { actions?: Array<{ verb?: unknown }> } };
    const found = x.verb ?? x.data?.verb ?? x.card?.actions?.[0]?.verb;
    return typeof found === 'string' ? found : '';
  };
  const routine = (a: unknown): boolean => ROUTINE.has(verb(a) as never);
  return [...actions.filter((a) => !routine(a)), ...actions.filter(routine)];
}

/** Teams shows at most this many buttons in a row of a card. */
export const MAX_CARD_ACTIONS = 5;

/**
 * A card's buttons within Teams' limit: where a case offers more (a plan of action, a safety
 * confirmation and a form beside the usual ones), the first stay as they are and the rest sit
 * under "More", which opens them in the card (and "More" again, if they are many).
 */
export function withinTeamsLimit(actions: unknown[]): unknown[] {
  if (actions.length <= MAX_CARD_ACTIONS) return actions;
  const kept = actions.slice(0, MAX_CARD_ACTIONS - 1);
  const rest = actions.slice(MAX_CARD_ACTIONS - 1);
  return [
    ...kept,
    {
      type: 'Action.ShowCard',
      title: 'More',
      card: { type: 'AdaptiveCard', version: '1.5', body: [], actions: withinTeamsLimit(rest) },
    },
  ];
}
