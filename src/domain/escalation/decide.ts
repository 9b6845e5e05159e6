/**
 * The escalation rules. Given a case's state, a command, the time now and the board's calendar,
 * decide what happens: the events to record, the new state and the next deadline, or a refusal
 * that says why, in words for the person who tried. Pure: no I/O, no clock, no platform.
 */
import type { WorkingCalendar } from '../calendar/working-calendar';
import type { Stage } from '../procedure/schema';
import { calendarFor, stageById } from './deadlines';
import { agreePlan, agreeTimescale, confirmPlan, confirmSafety, confirmTimescale } from './agreements';
import { answerEscalation, requestEscalation, takeUp } from './escalate';
import { recordMilestone } from './milestones';
import { currentStage, stageRoles } from './evolve';
import type { DecideOptions } from './free-text';
import {
  accept,
  needWords,
  partyOf,
  record,
  refuse,
  roleTitles,
  whoHoldsStage,
  withinOneAgency,
  type Context,
} from './rules';
import type { CaseCommand, CaseEvent, CaseState, Decision, Party, Side, StageRecord } from './types';

/** What the actor holds on the stage under way, if anything: the party they speak for and their roles in it. */
type Holding = { party: Party; roles: string[] } | undefined;

type Command<T extends CaseCommand['type']> = Extract<CaseCommand, { type: T }>;

export function decide(
  state: CaseState,
  command: CaseCommand,
  now: Date,
  calendar: WorkingCalendar = calendarFor(state.procedure),
  options: DecideOptions = {},
): Decision {
  // A milestone that outlives its stage ("minutes within 15 working days") may still be recorded
  // once the case has closed.
  if (command.type === 'record-milestone' && state.status !== 'open')
    return recordMilestone(state, command, now, calendar, {
      now,
      initials: state.subject.initials,
      ...(options.adult ? { adult: options.adult } : {}),
    });
  if (state.status !== 'open') {
    const how = { resolved: 'resolved', decided: 'closed by a final decision', withdrawn: 'withdrawn' }[state.status];
    return refuse('case-closed', `Case ${state.reference} has been ${how}; nothing more can be done on it here.`);
  }
  const current = currentStage(state);
  const stage = stageById(state.procedure, current.id);
  if (!stage) throw new Error(`case ${state.reference} is at stage ${current.id}, which its procedure does not have`);
  if (command.expectedStage && command.expectedStage !== current.id) {
    return refuse(
      'stale',
      `This card is out of date: case ${state.reference} has moved on to ${stage.name}. Use the latest card.`,
    );
  }
  const ctx: Context = {
    state,
    stage,
    side: partyOf(state, command.actor),
    actor: command.actor,
    at: now.toISOString(),
    now,
    calendar,
    words: { now, initials: state.subject.initials, ...(options.adult ? { adult: options.adult } : {}) },
  };
  const holding = stageHolding(ctx, stage, command.type !== 'acknowledge' && command.type !== 'request-escalation');
  return dispatch(ctx, command, current, holding);
}

function dispatch(ctx: Context, command: CaseCommand, current: StageRecord, holding: Holding): Decision {
  switch (command.type) {
    case 'acknowledge':
      return acknowledge(ctx, command, current, holding);
    case 'add-note':
      return addNote(ctx, command, holding);
    case 'propose-resolution':
      return proposeResolution(ctx, command, holding);
    case 'confirm-resolution':
    case 'dispute-resolution':
      return answerProposal(ctx, command, holding);
    case 'request-escalation':
      return requestEscalation(ctx, command.reason, command.urgent, holding);
    case 'approve-escalation':
    case 'return-escalation':
      return answerEscalation(ctx, command);
    case 'take-up':
      return takeUp(ctx);
    case 'record-final-decision':
      return recordFinalDecision(ctx, command);
    case 'withdraw':
      return withdraw(ctx, command);
    case 'agree-plan':
      return agreePlan(ctx, command.plan, command.reviewOn, holding);
    case 'confirm-plan':
      return confirmPlan(ctx, holding);
    case 'confirm-safety':
      return confirmSafety(ctx, command.steps);
    case 'agree-timescale':
      return agreeTimescale(ctx, command.date, holding);
    case 'confirm-timescale':
      return confirmTimescale(ctx, holding);
    case 'record-milestone':
      return recordMilestone(ctx.state, command, ctx.now, ctx.calendar, ctx.words);
  }
}

function acknowledge(ctx: Context, command: Command<'acknowledge'>, current: StageRecord, holding: Holding): Decision {
  const { state, stage } = ctx;
  if (!holding) return notYourRole(ctx, 'acknowledge');
  const done = current.acknowledged[holding.party];
  if (done)
    return refuse(
      'already-done',
      `${stage.name} has already been acknowledged for ${holding.party === 'board' ? 'the board' : 'your agency'}.`,
    );
  return accept(state, [
    {
      type: 'stage-acknowledged',
      at: ctx.at,
      by: record(command.actor, holding.party, holding.roles),
      stage: stage.id,
      party: holding.party,
    },
  ]);
}

function addNote(ctx: Context, command: Command<'add-note'>, holding: Holding): Decision {
  const { state, stage } = ctx;
  const invalid = needWords(ctx, command.text, 'the note', 'text', 'note');
  if (invalid) return invalid;
  const party: Party | undefined =
    holding?.party ?? (ctx.side && state.participants.includes(command.actor.personId) ? ctx.side : undefined);
  if (!party) return refuse('not-a-party', `Only the people involved in case ${state.reference} can add notes to it.`);
  return accept(state, [
    {
      type: 'note-added',
      at: ctx.at,
      by: record(command.actor, party, holding?.roles ?? []),
      stage: stage.id,
      text: command.text.trim(),
    },
  ]);
}

function proposeResolution(ctx: Context, command: Command<'propose-resolution'>, holding: Holding): Decision {
  const { state, stage } = ctx;
  if (!holding) return notYourRole(ctx, 'propose a resolution');
  const invalid =
    needWords(ctx, command.outcome, 'the outcome agreed', 'outcome', 'outcome') ??
    needWords(
      ctx,
      command.outstandingIssues,
      'how any outstanding issues will be pursued (or "none")',
      'outstandingIssues',
      'answer',
    );
  if (invalid) return invalid;
  const by = record(command.actor, holding.party, holding.roles);
  const events: CaseEvent[] = [
    {
      type: 'resolution-proposed',
      at: ctx.at,
      by,
      stage: stage.id,
      party: holding.party,
      outcome: command.outcome.trim(),
      outstandingIssues: command.outstandingIssues.trim(),
    },
  ];
  // A stage within the raising agency alone (a practitioner and their own line manager): the
  // agency holding it settles it; nobody else takes part in it to confirm.
  if (withinOneAgency(stage) && holding.party === 'raising')
    events.push({
      type: 'case-resolved',
      at: ctx.at,
      by,
      stage: stage.id,
      outcome: command.outcome.trim(),
      outstandingIssues: command.outstandingIssues.trim(),
    });
  return accept(state, events);
}

function answerProposal(
  ctx: Context,
  command: Command<'confirm-resolution' | 'dispute-resolution'>,
  holding: Holding,
): Decision {
  const { state, stage } = ctx;
  const proposal = state.proposal;
  if (!proposal)
    return refuse('nothing-to-decide', 'There is no proposed outcome to confirm or dispute at the moment.');
  if (!holding || holding.party === 'board' || !ctx.side)
    return notYourRole(ctx, command.type === 'confirm-resolution' ? 'confirm the outcome' : 'dispute the outcome');
  if (proposal.confirmedBy.includes(ctx.side))
    return refuse('already-done', 'Your agency has already agreed this outcome; the other agency must confirm it.');
  const by = record(command.actor, ctx.side, holding.roles);
  if (command.type === 'dispute-resolution') {
    const invalid = needWords(ctx, command.reason, 'why your agency does not agree', 'reason', 'reason');
    if (invalid) return invalid;
    return accept(state, [
      {
        type: 'resolution-disputed',
        at: ctx.at,
        by,
        stage: stage.id,
        side: ctx.side,
        reason: command.reason.trim(),
      },
    ]);
  }
  const events: CaseEvent[] = [{ type: 'resolution-confirmed', at: ctx.at, by, stage: stage.id, side: ctx.side }];
  const confirmed = new Set([...proposal.confirmedBy, ctx.side]);
  if (confirmed.has('raising') && confirmed.has('responding')) {
    events.push({
      type: 'case-resolved',
      at: ctx.at,
      by,
      stage: stage.id,
      outcome: proposal.outcome,
      outstandingIssues: proposal.outstandingIssues,
    });
  }
  return accept(state, events);
}

function recordFinalDecision(ctx: Context, command: Command<'record-final-decision'>): Decision {
  const { state, stage } = ctx;
  if (!stage.decision)
    return refuse('not-allowed-here', `${stage.name} is not a stage where the board records a final decision.`);
  const roles = command.actor.roles.filter((r) => stage.decision?.recordedBy.includes(r));
  if (roles.length === 0)
    return refuse(
      'not-your-role',
      `Only the ${roleTitles(state.procedure, stage.decision.recordedBy)} can record the decision at ${stage.name}.`,
    );
  const invalid = needWords(ctx, command.decision, 'the decision', 'decision', 'decision');
  if (invalid) return invalid;
  const alsoAsked = stage.decision.alsoRecord;
  const alsoText = command.also?.trim() ?? '';
  if (alsoAsked && alsoText) {
    const bad = needWords(ctx, alsoText, alsoAsked.label, 'also', 'answer');
    if (bad) return bad;
  }
  return accept(state, [
    {
      type: 'final-decision-recorded',
      at: ctx.at,
      by: record(command.actor, 'board', roles),
      stage: stage.id,
      decision: command.decision.trim(),
      finalAndBinding: stage.decision.finalAndBinding,
      ...(alsoAsked && alsoText ? { also: { label: alsoAsked.label, text: alsoText } } : {}),
    },
  ]);
}

function withdraw(ctx: Context, command: Command<'withdraw'>): Decision {
  const { state, stage } = ctx;
  const raisingRoles =
    ctx.side === 'raising'
      ? command.actor.roles.filter((r) =>
          state.procedure.stages.some((s) => s.number <= stage.number && (s.sides?.raising ?? []).includes(r)),
        )
      : [];
  const isRaiser = command.actor.personId === state.raising.personId;
  if (ctx.side !== 'raising' || (!isRaiser && raisingRoles.length === 0)) {
    return refuse(
      'not-your-role',
      `Only the agency that raised case ${state.reference} (the person who raised it, or their managers in the procedure) can withdraw it.`,
    );
  }
  const invalid = needWords(ctx, command.reason, 'why the escalation is being withdrawn', 'reason', 'reason');
  if (invalid) return invalid;
  return accept(state, [
    {
      type: 'case-withdrawn',
      at: ctx.at,
      by: record(command.actor, 'raising', raisingRoles),
      stage: stage.id,
      reason: command.reason.trim(),
    },
  ]);
}

/** The roles the actor holds for the stage under way, and for which party. */
function stageHolding(ctx: Context, stage: Stage, speakForAgency: boolean): Holding {
  if (ctx.side) {
    // At a stage held by the board alone (Cheshire East step 4), each agency still speaks
    // (notes, agreeing an outcome) through those who held the last stage it took part in.
    const speaking = stage.sides ? stage : speakForAgency ? speakingStage(ctx.state, stage) : undefined;
    const roles = speaking
      ? ctx.actor.roles.filter((r) => stageRoles(ctx.state, speaking.id, ctx.side as Side).includes(r))
      : [];
    if (roles.length > 0) return { party: ctx.side, roles };
    // The two people directly involved hold the stage the case started at, whatever their
    // role (a manager raising it, a voluntary group's lead who is also the worker).
    const named = ctx.side === 'raising' ? ctx.state.raising.personId : ctx.state.responding.personId;
    const takesPart = !stage.sides || ctx.side === 'raising' || stage.sides.responding !== undefined;
    if (named === ctx.actor.personId && ctx.state.stages[0]?.id === stage.id && takesPart)
      return { party: ctx.side, roles: [...ctx.actor.roles] };
  }
  const board = ctx.actor.roles.filter((r) => (stage.board ?? []).includes(r));
  if (board.length > 0) return { party: 'board', roles: board };
  return undefined;
}

/** The latest stage up to `stage` in which the agencies themselves took part. */
function speakingStage(state: CaseState, stage: Stage): Stage | undefined {
  return [...state.procedure.stages].reverse().find((s) => s.number <= stage.number && s.sides !== undefined);
}

function notYourRole(ctx: Context, doing: string): Decision {
  return refuse(
    'not-your-role',
    `Only ${whoHoldsStage(ctx)} can ${doing} at ${ctx.stage.name}. You have been recorded as trying; if you should be able to, ask your agency to update the directory.`,
  );
}
