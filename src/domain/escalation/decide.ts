/**
 * The escalation rules. Given a case's state, a command, the time now and the board's calendar,
 * decide what happens: the events to record, the new state and the next deadline, or a refusal
 * that says why, in words for the person who tried. Pure: no I/O, no clock, no platform.
 */
import type { WorkingCalendar } from '../calendar/working-calendar';
import { shortNameOf, type Procedure, type Stage } from '../procedure/schema';
import { calendarFor, nextStage, stageById, stageDeadlines, type Anchors } from './deadlines';
import { currentStage, evolve, stageRoles } from './evolve';
import { namesTheAdult, raiseFormWordProblems, wordsProblem, type DecideOptions, type WordsCheck } from './free-text';
import { checkRaiseForm } from './raise-form';
import { caseReference } from './reference';
import type {
  Actor,
  ActorRecord,
  CaseCommand,
  CaseEvent,
  CaseState,
  Decision,
  Deadline,
  Party,
  RaiseCommand,
  Refusal,
  Side,
} from './types';

const TEXT_LIMIT = 4000;

function refuse(code: Refusal['code'], message: string, extra: Partial<Refusal> = {}): Decision {
  return { ok: false, refusal: { code, message, ...extra } };
}

function accept(state: CaseState | undefined, events: CaseEvent[]): Decision {
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
function needWords(ctx: Context, value: unknown, what: string, field: string, noun: string): Decision | undefined {
  const invalid = needText(value, what, field);
  if (invalid) return invalid;
  const problem = wordsProblem(value, noun, ctx.words);
  return problem ? { ok: false, refusal: namesTheAdult(field, problem) } : undefined;
}

function record(actor: Actor, party: ActorRecord['party'], roles: readonly string[]): ActorRecord {
  return {
    personId: actor.personId,
    agencyId: actor.agencyId,
    party,
    roles: [...roles],
    ...(actor.actingFor && actor.actingFor.length > 0 ? { actingFor: [...actor.actingFor] } : {}),
  };
}

function roleTitles(procedure: Procedure, roles: readonly string[]): string {
  const titles = roles.map((r) => procedure.roles.find((x) => x.id === r)?.title ?? r);
  return titles.length <= 1
    ? (titles[0] ?? 'nobody')
    : `${titles.slice(0, -1).join(', ')} or ${titles[titles.length - 1]}`;
}

function partyOf(state: CaseState, actor: Actor): Side | undefined {
  if (actor.agencyId === state.raising.agencyId) return 'raising';
  if (actor.agencyId === state.responding.agencyId) return 'responding';
  return undefined;
}

/** The deadlines of `stage`, entered at `at`: the stage under way until then ends at `at`. */
function deadlinesOnEntry(state: CaseState, stage: Stage, at: Date, calendar: WorkingCalendar): Deadline[] {
  const anchors: Anchors = {
    raised: new Date(state.concernAroseAt),
    stageStarts: new Map(state.stages.map((s) => [s.id, new Date(s.startedAt)])).set(stage.id, at),
    stageEnds: new Map(state.stages.map((s) => [s.id, s.endedAt ? new Date(s.endedAt) : at])),
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

/** The earliest deadline the case has still to meet (it may already have passed). */
export function nextDeadline(state: CaseState): Deadline | undefined {
  return pendingDeadlines(state)[0];
}

/** Who must acknowledge a stage for it to have begun: each side taking part, and the board where it does. */
function requiredAcknowledgements(stage: Stage): Party[] {
  return [...(stage.sides ? (['raising', 'responding'] as const) : []), ...(stage.board ? (['board'] as const) : [])];
}

// ── raising ────────────────────────────────────────────────────────────────────────────

export function raise(
  procedure: Procedure,
  command: RaiseCommand,
  now: Date,
  calendar: WorkingCalendar = calendarFor(procedure),
  options: DecideOptions = {},
): Decision {
  const { actor } = command;
  const guidance = { text: procedure.immediateRisk.guidance, contacts: procedure.immediateRisk.contacts };
  if (command.immediateRisk && procedure.immediateRisk.onYes === 'refuse') {
    return refuse(
      'immediate-risk',
      `This procedure is for disagreements where the adult is not at immediate risk. ${procedure.immediateRisk.guidance}`,
      { guidance },
    );
  }
  if (actor.boards && !actor.boards.includes(procedure.id)) {
    return refuse(
      'not-a-party',
      `Your agency does not work under ${procedure.name}, so you cannot raise an escalation under its procedure.`,
    );
  }
  if (command.respondingAgency.id === actor.agencyId) {
    return refuse(
      'not-allowed-here',
      'This procedure is for disagreements between agencies. For a disagreement inside your own agency, use its internal escalation policy.',
      {
        fields: { respondingAgency: 'Choose the other agency involved, not your own.' },
      },
    );
  }
  if (command.respondingAgency.boards && !command.respondingAgency.boards.includes(procedure.id)) {
    return refuse(
      'not-allowed-here',
      `The other agency does not work under ${procedure.name}. Choose an agency that does, or ask the board's business unit for help.`,
      {
        fields: { respondingAgency: `This agency is not a partner of ${shortNameOf(procedure)}.` },
      },
    );
  }
  const form = checkRaiseForm(procedure, command.form);
  const named = raiseFormWordProblems(command.form, options.adult, now);
  if (Object.keys(named).length > 0)
    return refuse(
      'names-the-adult',
      "Some answers name the adult or give their details. Change them: the record keeps the adult's details privately.",
      { fields: { ...(form.ok ? {} : form.fields), ...named } },
    );
  if (!form.ok)
    return refuse('invalid-input', 'Some answers need changing before the escalation can be raised.', {
      fields: form.fields,
    });
  const concernAroseAt = command.concernAroseAt ?? now;
  if (Number.isNaN(concernAroseAt.getTime()) || concernAroseAt > now) {
    return refuse('invalid-input', 'The date the concern arose cannot be in the future.', {
      fields: { concernAroseAt: 'Give the date the concern arose: today or earlier.' },
    });
  }

  const first = procedure.stages[0] as Stage;
  const urgent = command.immediateRisk && procedure.immediateRisk.onYes === 'urgent-path';
  let start = first;
  if (command.startStage && command.startStage !== first.id) {
    const chosen = stageById(procedure, command.startStage);
    if (!urgent || !procedure.urgentPath?.startAt.includes(command.startStage) || !chosen) {
      return refuse(
        'not-allowed-here',
        `A case starts at ${first.name}. Only on ${shortNameOf(procedure)}'s urgent path, where the adult is at risk of immediate harm, can it start at a later stage.`,
        {
          fields: { startStage: 'Start at the first stage.' },
        },
      );
    }
    const needed = chosen.sides?.raising ?? [];
    if (!actor.roles.some((r) => needed.includes(r))) {
      return refuse(
        'not-your-role',
        `To start at ${chosen.name} you must be a ${roleTitles(procedure, needed)}. Ask them to raise it, or start at ${first.name}.`,
      );
    }
    start = chosen;
  }

  const at = now.toISOString();
  const year = Number(calendar.localDate(now).slice(0, 4));
  const by = record(actor, 'raising', actor.roles);
  const raised: CaseEvent = {
    type: 'case-raised',
    at,
    by,
    reference: caseReference(procedure.referencePrefix, year, command.sequence),
    boardId: procedure.id,
    procedure,
    concernAroseAt: concernAroseAt.toISOString(),
    urgent,
    raising: { agencyId: actor.agencyId, personId: actor.personId },
    responding: {
      agencyId: command.respondingAgency.id,
      ...(command.respondingPersonId ? { personId: command.respondingPersonId } : {}),
    },
    subject: { initials: form.form.initials, recordNumbers: form.form.recordNumbers ?? {} },
    concern: {
      category: form.form.category,
      summary: form.form.summary,
      outcomeWanted: form.form.outcomeWanted,
      safetyMeanwhile: form.form.safetyMeanwhile,
    },
  };
  const events: CaseEvent[] = [raised];
  if (urgent) {
    events.push({
      type: 'immediate-risk-guidance-given',
      at,
      by,
      guidance: procedure.immediateRisk.guidance,
      contacts: procedure.immediateRisk.contacts.map((c) => [c.name, c.phone, c.email].filter(Boolean).join(' ')),
    });
  }
  const state = evolve(undefined, raised);
  events.push({
    type: 'stage-entered',
    at,
    by,
    stage: start.id,
    number: start.number,
    via: 'raised',
    deadlines: deadlinesOnEntry(state, start, now, calendar),
  });
  return accept(undefined, events);
}

// ── commands on a case ─────────────────────────────────────────────────────────────────

interface Context {
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

/** The roles the actor holds for the stage under way, and for which party. */
function stageHolding(
  ctx: Context,
  stage: Stage,
  speakForAgency: boolean,
): { party: Party; roles: string[] } | undefined {
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
    if (named === ctx.actor.personId && ctx.state.stages[0]?.id === stage.id)
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

function whoHoldsStage(ctx: Context, stage: Stage = ctx.stage): string {
  const parts: string[] = [];
  if (stage.sides)
    parts.push(
      `the ${roleTitles(ctx.state.procedure, [...new Set([...stage.sides.raising, ...stage.sides.responding])])} of either agency`,
    );
  if (stage.board) parts.push(roleTitles(ctx.state.procedure, stage.board));
  return parts.join(', or ');
}

function notYourRole(ctx: Context, doing: string): Decision {
  return refuse(
    'not-your-role',
    `Only ${whoHoldsStage(ctx)} can ${doing} at ${ctx.stage.name}. You have been recorded as trying; if you should be able to, ask your agency to update the directory.`,
  );
}

export function decide(
  state: CaseState,
  command: CaseCommand,
  now: Date,
  calendar: WorkingCalendar = calendarFor(state.procedure),
  options: DecideOptions = {},
): Decision {
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

  switch (command.type) {
    case 'acknowledge': {
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
    case 'add-note': {
      const invalid = needWords(ctx, command.text, 'the note', 'text', 'note');
      if (invalid) return invalid;
      const party: Party | undefined =
        holding?.party ?? (ctx.side && state.participants.includes(command.actor.personId) ? ctx.side : undefined);
      if (!party)
        return refuse('not-a-party', `Only the people involved in case ${state.reference} can add notes to it.`);
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
    case 'propose-resolution': {
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
      return accept(state, [
        {
          type: 'resolution-proposed',
          at: ctx.at,
          by: record(command.actor, holding.party, holding.roles),
          stage: stage.id,
          party: holding.party,
          outcome: command.outcome.trim(),
          outstandingIssues: command.outstandingIssues.trim(),
        },
      ]);
    }
    case 'confirm-resolution':
    case 'dispute-resolution': {
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
    case 'request-escalation':
      return requestEscalation(ctx, command.reason, command.urgent, holding);
    case 'approve-escalation':
    case 'return-escalation':
      return answerEscalation(ctx, command);
    case 'take-up':
      return takeUp(ctx);
    case 'record-final-decision': {
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
      return accept(state, [
        {
          type: 'final-decision-recorded',
          at: ctx.at,
          by: record(command.actor, 'board', roles),
          stage: stage.id,
          decision: command.decision.trim(),
          finalAndBinding: stage.decision.finalAndBinding,
        },
      ]);
    }
    case 'withdraw': {
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
  }
}

/**
 * The next tier takes the case up: once a deadline of the stage under way has passed with the
 * stage neither resolved nor escalated, a holder of the next stage's role (on either side, or the
 * board's where the next stage is the board's) moves it there themselves, on the record.
 */
function takeUp(ctx: Context): Decision {
  const { state, stage, actor } = ctx;
  const overdue = pendingDeadlines(state).find((d) => new Date(d.at) <= ctx.now);
  if (!overdue)
    return refuse(
      'not-allowed-here',
      `${stage.name} is not past its deadline: the people holding it can still resolve it or ask to escalate it.`,
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
  const roles = actor.roles.filter((r) => sideRoles.includes(r) || boardRoles.includes(r));
  if (roles.length === 0) {
    return refuse(
      'not-your-role',
      `Only the ${roleTitles(state.procedure, [...new Set([...(target.sides?.raising ?? []), ...(target.sides?.responding ?? []), ...boardRoles])])} can take up case ${state.reference} now that ${stage.name} is overdue.`,
    );
  }
  const party: Party = side && roles.some((r) => sideRoles.includes(r)) ? side : 'board';
  const by = record(actor, party, roles);
  const reason = `${stage.name} passed its deadline (${overdue.phrase}) and was taken up by the next tier.`;
  const requested: CaseEvent = {
    type: 'escalation-requested',
    at: ctx.at,
    by,
    fromStage: stage.id,
    toStage: target.id,
    side: side ?? 'raising',
    reason,
  };
  const approved: CaseEvent = { type: 'escalation-approved', at: ctx.at, by, fromStage: stage.id, toStage: target.id };
  const after = evolve(evolve(state, requested), approved);
  return accept(state, [
    requested,
    approved,
    {
      type: 'stage-entered',
      at: ctx.at,
      by,
      stage: target.id,
      number: target.number,
      via: 'escalation',
      deadlines: deadlinesOnEntry(after, target, ctx.now, ctx.calendar),
    },
  ]);
}

/** Who may approve an escalation into `target` asked for by `side`, and for which party. */
function approvers(state: CaseState, target: Stage, side: Side): { party: Party; roles: string[] } {
  const roles = target.approvedBy ?? target.sides?.[side] ?? target.board ?? [];
  const boardScoped = roles.every((r) => state.procedure.roles.find((x) => x.id === r)?.scope === 'board');
  return { party: boardScoped ? 'board' : side, roles };
}

function requestEscalation(
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
    events.push({
      type: 'stage-entered',
      at: ctx.at,
      by: approver,
      stage: target.id,
      number: target.number,
      via: 'escalation',
      deadlines: deadlinesOnEntry(afterRequest, target, ctx.now, ctx.calendar),
    });
  }
  return accept(state, events);
}

function answerEscalation(
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
  const sameParty = may.party === 'board' || ctx.side === pending.side;
  if (roles.length === 0 || !sameParty) {
    const whose = may.party === 'board' ? '' : ` of the agency that asked`;
    return refuse(
      'not-your-role',
      `Only the ${roleTitles(state.procedure, may.roles)}${whose} can approve or return this escalation to ${target.name}. You have been recorded as trying.`,
    );
  }
  const by = record(actor, may.party, roles);
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
  return accept(state, [
    approved,
    {
      type: 'stage-entered',
      at: ctx.at,
      by,
      stage: target.id,
      number: target.number,
      via: 'escalation',
      deadlines: deadlinesOnEntry(after, target, ctx.now, ctx.calendar),
    },
  ]);
}

/**
 * The record of a refused attempt (someone without the role pressing a button), for the case's
 * timeline: who tried what, when, and why it was refused.
 */
export function refusalEvent(state: CaseState, command: CaseCommand, refusal: Refusal, now: Date): CaseEvent {
  const side = partyOf(state, command.actor);
  return {
    type: 'command-refused',
    at: now.toISOString(),
    by: record(
      command.actor,
      side ??
        (command.actor.roles.some((r) => state.procedure.roles.find((x) => x.id === r)?.scope === 'board')
          ? 'board'
          : 'outside'),
      [],
    ),
    stage: currentStage(state).id,
    command: command.type,
    code: refusal.code,
    reason: refusal.message,
  };
}

const PROBES: ReadonlyArray<Omit<CaseCommand, 'actor'>> = [
  { type: 'acknowledge' },
  { type: 'add-note', text: '-' },
  { type: 'propose-resolution', outcome: '-', outstandingIssues: '-' },
  { type: 'confirm-resolution' },
  { type: 'dispute-resolution', reason: '-' },
  { type: 'request-escalation', reason: '-' },
  { type: 'approve-escalation' },
  { type: 'take-up' },
  { type: 'return-escalation', reason: '-' },
  { type: 'record-final-decision', decision: '-' },
  { type: 'withdraw', reason: '-' },
] as ReadonlyArray<Omit<CaseCommand, 'actor'>>;

/**
 * The commands `actor` may give on the case now: what a card shows them as buttons. Worked out
 * by asking `decide` itself, so the buttons can never disagree with the rules.
 */
export function availableCommands(
  state: CaseState,
  actor: Actor,
  now: Date,
  calendar: WorkingCalendar = calendarFor(state.procedure),
): CaseCommand['type'][] {
  return PROBES.filter((probe) => decide(state, { ...probe, actor } as CaseCommand, now, calendar).ok).map(
    (p) => p.type,
  );
}
