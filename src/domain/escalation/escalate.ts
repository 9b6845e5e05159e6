/**
 * Moving a case up a stage: asking to escalate (taken straight up by someone who may approve it),
 * approving or returning the request, and the next tier taking up an overdue stage. Pure.
 */
import { shortNameOf, type Stage } from '../procedure/schema';
import { nextStage, stageById } from './deadlines';
import { evolve } from './evolve';
import {
  accept,
  deadlinesOnEntry,
  needWords,
  pendingDeadlines,
  planHoldsUntil,
  record,
  refuse,
  roleTitles,
  whoHoldsStage,
  type Context,
} from './rules';
import type { ActorRecord, CaseCommand, CaseEvent, CaseState, Decision, Party, Side } from './types';

/**
 * The next tier takes the case up: once a deadline of the stage under way has passed with the
 * stage neither resolved nor escalated, a holder of the next stage's role (on either side, or the
 * board's where the next stage is the board's), or someone who may approve the move, takes it up
 * on the record. Where the file names who approves the move into that stage (`approvedBy`: "escalated
 * by a Senior Manager to the CESAB Board representative"), only they move it; anyone else taking it
 * up asks for the move, and it waits for them as any escalation does.
 */
export function takeUp(ctx: Context): Decision {
  const { state, stage, actor } = ctx;
  const overdue = pendingDeadlines(state).find((d) => new Date(d.at) <= ctx.now);
  if (!overdue)
    return refuse(
      'not-allowed-here',
      `${stage.name} is not past its deadline: the people holding it can still resolve it or ask to escalate it.`,
    );
  const held = planHoldsUntil(state);
  if (held && ctx.now < held)
    return refuse(
      'not-allowed-here',
      `Both agencies have agreed a plan of action at ${stage.name}, to be reviewed on ${state.plan?.reviewOn}: it cannot be taken up before then.`,
    );
  const target = nextStage(state.procedure, stage, state.urgent);
  if (!target)
    return refuse(
      'no-next-stage',
      `${stage.name} is the last stage of ${shortNameOf(state.procedure)}'s procedure: there is no next tier to take it up.`,
    );
  const side = ctx.side;
  const sideRoles = side ? (target.sides?.[side] ?? []) : [];
  const boardRoles = target.board ?? [];
  const approval = target.approvedBy ? takeUpApproval(state, target, actor, side) : undefined;
  const roles = actor.roles.filter((r) => sideRoles.includes(r) || boardRoles.includes(r));
  const approving = approval?.roles ?? [];
  if (roles.length === 0 && approving.length === 0) {
    return refuse(
      'not-your-role',
      `Only the ${roleTitles(state.procedure, takeUpRoles(target))} can take up case ${state.reference} now that ${stage.name} is overdue.`,
    );
  }
  const party: Party =
    approval && approving.length > 0
      ? approval.party
      : side && roles.some((r) => sideRoles.includes(r))
        ? side
        : 'board';
  const by = record(actor, party, approving.length > 0 ? [...new Set([...roles, ...approving])] : roles);
  const requestSide: Side = side ?? 'raising';
  const formsOwed = owedForms(state, target);
  const formWords = formsOwed
    .map((id) => state.procedure.forms.find((f) => f.id === id)?.title ?? id)
    .map((t) => ` The ${t} is still owed.`)
    .join('');
  // Someone who may approve it (or a board that names no approver) moves it at once.
  if (!target.approvedBy || approving.length > 0) {
    const reason = `${stage.name} passed its deadline (${overdue.phrase}) and was taken up by the next tier.${formWords}`;
    const requested: CaseEvent = {
      type: 'escalation-requested',
      at: ctx.at,
      by,
      fromStage: stage.id,
      toStage: target.id,
      side: requestSide,
      reason,
      ...(target.approvedBy ? { takenUp: true } : {}),
      ...(formsOwed.length ? { formsOwed } : {}),
    };
    const approved: CaseEvent = {
      type: 'escalation-approved',
      at: ctx.at,
      by,
      fromStage: stage.id,
      toStage: target.id,
    };
    const after = evolve(evolve(state, requested), approved);
    return accept(state, [requested, approved, enteredByEscalation(ctx, by, target, after)]);
  }
  // Only asking for the move: one already waiting is enough.
  if (state.pendingEscalation)
    return refuse(
      'already-done',
      `A move to ${stageById(state.procedure, state.pendingEscalation.toStage)?.name ?? state.pendingEscalation.toStage} is already waiting for approval.`,
    );
  const reason =
    `Overdue (${overdue.phrase}), taken up by the ${roleTitles(state.procedure, roles)}: ` +
    `waiting for the ${roleTitles(state.procedure, target.approvedBy)} to approve the move to ${target.name}.${formWords}`;
  return accept(state, [
    {
      type: 'escalation-requested',
      at: ctx.at,
      by,
      fromStage: stage.id,
      toStage: target.id,
      side: requestSide,
      reason,
      takenUp: true,
      ...(formsOwed.length ? { formsOwed } : {}),
    },
  ]);
}

/** Everyone who may take up an overdue stage into `target`: its holders, and who approves the move into it. */
export function takeUpRoles(target: Stage): string[] {
  return [
    ...new Set([
      ...(target.sides?.raising ?? []),
      ...(target.sides?.responding ?? []),
      ...(target.board ?? []),
      ...(target.approvedBy ?? []),
    ]),
  ];
}

/** The approver roles `actor` holds for a move into `target` taken up when overdue, and the party they act for. */
function takeUpApproval(
  state: CaseState,
  target: Stage,
  actor: Context['actor'],
  side: Side | undefined,
): { party: Party; roles: string[] } {
  const may = approvers(state, target, side ?? 'raising');
  const roles = actor.roles.filter((r) => may.roles.includes(r));
  if (may.party === 'board') return { party: 'board', roles };
  // An agency's approver (a Senior Manager, a Senior Liaison Officer) speaks for their own agency.
  return side ? { party: side, roles } : { party: 'board', roles: [] };
}

/** The forms the procedure asks for when `target` is entered by escalation. */
function owedForms(state: CaseState, target: Stage): string[] {
  return target.forms.filter((f) => f.when === 'stage-start' || f.when === 'escalated').map((f) => f.form);
}

/** Who may approve an escalation into `target` asked for by `side`, and for which party. */
function approvers(state: CaseState, target: Stage, side: Side): { party: Party; roles: string[] } {
  const roles = target.approvedBy ?? target.sides?.[side] ?? target.board ?? [];
  const boardScoped = roles.every((r) => state.procedure.roles.find((x) => x.id === r)?.scope === 'board');
  return { party: boardScoped ? 'board' : side, roles };
}

export function requestEscalation(
  ctx: Context,
  reason: string,
  urgentChoice: boolean | undefined,
  holding: { party: Party; roles: string[] } | undefined,
): Decision {
  const { state, stage, actor } = ctx;
  if (!holding || holding.party === 'board' || !ctx.side) {
    return refuse('not-your-role', `Only ${whoHoldsStage(ctx)} can ask to escalate from ${stage.name}.`);
  }
  if (state.pendingEscalation)
    return refuse(
      'already-done',
      'An escalation has already been asked for and is waiting for a manager to approve or return it.',
    );
  const target = nextStage(state.procedure, stage, urgentChoice ?? state.urgent);
  if (!target) {
    return refuse(
      'no-next-stage',
      stage.decision
        ? `${stage.name} is the last stage: the ${roleTitles(state.procedure, stage.decision.recordedBy)} records the decision.`
        : `${stage.name} is the last stage of ${shortNameOf(state.procedure)}'s procedure; agree and record an outcome.`,
    );
  }
  const invalid = needWords(ctx, reason, 'why this needs to go to the next stage', 'reason', 'reason');
  if (invalid) return invalid;
  const by = record(actor, ctx.side, holding.roles);
  const events: CaseEvent[] = [
    {
      type: 'escalation-requested',
      at: ctx.at,
      by,
      fromStage: stage.id,
      toStage: target.id,
      side: ctx.side,
      reason: reason.trim(),
    },
  ];
  // Someone who may approve it themselves (a manager escalating) takes it straight up.
  const may = approvers(state, target, ctx.side);
  const ownApproval = may.party === ctx.side ? actor.roles.filter((r) => may.roles.includes(r)) : [];
  if (ownApproval.length > 0) {
    const approver = record(actor, ctx.side, ownApproval);
    events.push({ type: 'escalation-approved', at: ctx.at, by: approver, fromStage: stage.id, toStage: target.id });
    const afterRequest = events.reduce<CaseState>((s, e) => evolve(s, e), state);
    events.push(enteredByEscalation(ctx, approver, target, afterRequest));
  }
  return accept(state, events);
}

export function answerEscalation(
  ctx: Context,
  command: Extract<CaseCommand, { type: 'approve-escalation' | 'return-escalation' }>,
): Decision {
  const { state, stage, actor } = ctx;
  const pending = state.pendingEscalation;
  if (!pending) return refuse('nothing-to-decide', `No escalation from ${stage.name} is waiting for approval.`);
  const target = stageById(state.procedure, pending.toStage);
  if (!target)
    throw new Error(
      `case ${state.reference} asks to escalate to ${pending.toStage}, which its procedure does not have`,
    );
  const may = approvers(state, target, pending.side);
  const roles = actor.roles.filter((r) => may.roles.includes(r));
  const sameParty =
    may.party === 'board' || ctx.side === pending.side || (pending.takenUp === true && ctx.side !== undefined);
  if (roles.length === 0 || !sameParty) {
    const whose = may.party === 'board' ? '' : ` of the agency that asked`;
    return refuse(
      'not-your-role',
      `Only the ${roleTitles(state.procedure, may.roles)}${whose} can approve or return this escalation to ${target.name}. You have been recorded as trying.`,
    );
  }
  const by = record(actor, may.party === 'board' ? 'board' : (ctx.side ?? pending.side), roles);
  if (command.type === 'return-escalation') {
    const invalid = needWords(ctx, command.reason, 'why the escalation is returned', 'reason', 'reason');
    if (invalid) return invalid;
    return accept(state, [
      {
        type: 'escalation-returned',
        at: ctx.at,
        by,
        fromStage: stage.id,
        toStage: target.id,
        reason: command.reason.trim(),
      },
    ]);
  }
  const approved: CaseEvent = { type: 'escalation-approved', at: ctx.at, by, fromStage: stage.id, toStage: target.id };
  const after = evolve(state, approved);
  return accept(state, [approved, enteredByEscalation(ctx, by, target, after)]);
}

/** The event entering `target` on an approved escalation, its deadlines counted from the case as it is `after` approval. */
function enteredByEscalation(ctx: Context, by: ActorRecord, target: Stage, after: CaseState): CaseEvent {
  return {
    type: 'stage-entered',
    at: ctx.at,
    by,
    stage: target.id,
    number: target.number,
    via: 'escalation',
    deadlines: deadlinesOnEntry(after, target, ctx.now, ctx.calendar),
  };
}
