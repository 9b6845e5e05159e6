/**
 * What the record and the cards need beyond a decision: the event recording a refused attempt,
 * and the commands a person may give on a case now. Pure.
 */
import type { WorkingCalendar } from '../calendar/working-calendar';
import { calendarFor } from './deadlines';
import { decide } from './decide';
import { currentStage } from './evolve';
import { partyOf, record } from './rules';
import type { Actor, CaseCommand, CaseEvent, CaseState, Refusal } from './types';

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
  { type: 'agree-plan', plan: '-', reviewOn: 'today' },
  { type: 'confirm-plan' },
  { type: 'confirm-safety', steps: '-' },
  { type: 'agree-timescale', date: 'ceiling' },
  { type: 'confirm-timescale' },
  { type: 'record-milestone', note: '-', date: 'today' },
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
  const today = calendar.localDate(now);
  return PROBES.filter((probe) => {
    const command = { ...probe, actor } as CaseCommand;
    if (command.type === 'agree-plan') command.reviewOn = today;
    if (command.type === 'record-milestone') command.date = today;
    // Any date up to the ceiling will do: probe with the last day the file allows.
    if (command.type === 'agree-timescale') command.date = latestAgreeable(state, calendar) ?? today;
    return decide(state, command, now, calendar).ok;
  }).map((p) => p.type);
}

/** The last day a stage's agreed limit may fall on (its ceiling), for offering the button. */
function latestAgreeable(state: CaseState, calendar: WorkingCalendar): string | undefined {
  const current = currentStage(state);
  const stage = state.procedure.stages.find((s) => s.id === current.id);
  const t = stage?.timescales.find((x) => x.agreed);
  const d = t
    ? current.deadlines.find((x) => x.source === 'procedure' && x.kind === t.kind && x.phrase === t.phrase)
    : undefined;
  return d ? calendar.localDate(new Date(d.ceiling ?? d.at)) : undefined;
}
