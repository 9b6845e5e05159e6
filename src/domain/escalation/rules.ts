/**
 * What the escalation rules share: refusing and accepting, the checks on free text, who is on
 * which side and who holds a stage, and the deadlines a case has still to meet. Pure.
 */
import type { WorkingCalendar } from '../calendar/working-calendar';
import type { Procedure, Stage } from '../procedure/schema';
import { stageById, stageDeadlines, type Anchors } from './deadlines';
import { evolve } from './evolve';
import { namesTheAdult, wordsProblem, type WordsCheck } from './free-text';
import type { Actor, ActorRecord, CaseEvent, CaseState, Decision, Deadline, Party, Refusal, Side } from './types';

const TEXT_LIMIT = 4000;

export function refuse(code: Refusal['code'], message: string, extra: Partial<Refusal> = {}): Decision {
  return { ok: false, refusal: { code, message, ...extra } };
}

export function accept(state: CaseState | undefined, events: CaseEvent[]): Decision {
  const next = events.reduce<CaseState | undefined>(evolve, state);
  if (!next) throw new Error('no events to apply');
  const deadline = nextDeadline(next);
  return { ok: true, events, state: next, ...(deadline ? { nextDeadline: deadline } : {}) };
}

/** A refusal when free text is missing or too long; words typed on a card or form. */
function needText(value: unknown, what: string, field: string): Decision | undefined {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  const message = !trimmed
    ? `Please write ${what}.`
    : trimmed.length > TEXT_LIMIT
      ? `Please keep this under ${TEXT_LIMIT} characters.`
      : undefined;
  return message ? refuse('invalid-input', message, { fields: { [field]: message } }) : undefined;
}

/** needText, then the words checked for the adult's identity (`noun`: "note", "reason"). */
export function needWords(
  ctx: Context,
  value: unknown,
  what: string,
  field: string,
  noun: string,
): Decision | undefined {
  const invalid = needText(value, what, field);
  if (invalid) return invalid;
  const problem = wordsProblem(value, noun, ctx.words);
  return problem ? { ok: false, refusal: namesTheAdult(field, problem) } : undefined;
}

export function record(actor: Actor, party: ActorRecord['party'], roles: readonly string[]): ActorRecord {
  return {
    personId: actor.personId,
    agencyId: actor.agencyId,
    party,
    roles: [...roles],
    ...(actor.actingFor && actor.actingFor.length > 0 ? { actingFor: [...actor.actingFor] } : {}),
  };
}

export function roleTitles(procedure: Procedure, roles: readonly string[]): string {
  const titles = roles.map((r) => procedure.roles.find((x) => x.id === r)?.title ?? r);
  return titles.length <= 1
    ? (titles[0] ?? 'nobody')
    : `${titles.slice(0, -1).join(', ')} or ${titles[titles.length - 1]}`;
}

export function partyOf(state: CaseState, actor: Actor): Side | undefined {
  if (actor.agencyId === state.raising.agencyId) return 'raising';
  if (actor.agencyId === state.responding.agencyId) return 'responding';
  return undefined;
}

/** The deadlines of `stage`, entered at `at`: the stage under way until then ends at `at`. */
export function deadlinesOnEntry(state: CaseState, stage: Stage, at: Date, calendar: WorkingCalendar): Deadline[] {
  const anchors: Anchors = {
    raised: new Date(state.concernAroseAt),
    stageStarts: new Map(state.stages.map((s) => [s.id, new Date(s.startedAt)])).set(stage.id, at),
    stageEnds: new Map(state.stages.map((s) => [s.id, s.endedAt ? new Date(s.endedAt) : at])),
    category: state.concern.category,
  };
  return stageDeadlines(state.procedure, calendar, stage, anchors, state.urgent);
}

/** Deadlines still to be met on the stage under way, earliest first (overdue ones included). */
export function pendingDeadlines(state: CaseState): Deadline[] {
  if (state.status !== 'open') return [];
  const stage = state.stages[state.stages.length - 1];
  if (!stage) return [];
  const procStage = stageById(state.procedure, stage.id);
  const everyoneIn = procStage ? requiredAcknowledgements(procStage).every((p) => stage.acknowledged[p]) : true;
  return stage.deadlines.filter((d) => d.kind === 'conclude-by' || (d.kind === 'start-by' && !everyoneIn));
}

/**
 * Until when a mutually agreed plan of action holds the stage under way: while it holds, the stage
 * is not overdue (no nudges, no taking up). Undefined when no plan is agreed at this stage.
 */
export function planHoldsUntil(state: CaseState): Date | undefined {
  const plan = state.plan;
  const stage = state.stages[state.stages.length - 1];
  if (!plan?.agreedAt || !stage || plan.stage !== stage.id || state.status !== 'open') return undefined;
  return new Date(plan.holdsUntil);
}

/** The earliest deadline the case has still to meet (it may already have passed). */
export function nextDeadline(state: CaseState): Deadline | undefined {
  return pendingDeadlines(state)[0];
}

/** Who must acknowledge a stage for it to have begun: each side taking part, and the board where it does. */
function requiredAcknowledgements(stage: Stage): Party[] {
  return [
    ...(stage.sides ? (['raising'] as const) : []),
    ...(stage.sides?.responding ? (['responding'] as const) : []),
    ...(stage.board ? (['board'] as const) : []),
  ];
}

/** A stage held within the raising agency alone (its file gives no responding roles). */
export function withinOneAgency(stage: Stage): boolean {
  return Boolean(stage.sides && !stage.sides.responding);
}

/** What a command on a case is decided with. */
export interface Context {
  state: CaseState;
  stage: Stage;
  side: Side | undefined;
  actor: Actor;
  at: string;
  now: Date;
  calendar: WorkingCalendar;
  /** For checking free text for the adult's identity. */
  words: WordsCheck;
}

export function whoHoldsStage(ctx: Context, stage: Stage = ctx.stage): string {
  const parts: string[] = [];
  if (stage.sides)
    parts.push(
      stage.sides.responding
        ? `the ${roleTitles(ctx.state.procedure, [...new Set([...stage.sides.raising, ...stage.sides.responding])])} of either agency`
        : `the ${roleTitles(ctx.state.procedure, stage.sides.raising)} of the agency that raised it`,
    );
  if (stage.board) parts.push(roleTitles(ctx.state.procedure, stage.board));
  return parts.join(', or ');
}
