/**
 * Cases through the real core, for tests: the shipped boards by id, someone acting, and the core's
 * answer taken as accepted or refused (a test that expects the other fails with what was said).
 * Not a fake: every decision is the core's own.
 */
import { loadProcedures } from '../../src/app/procedures';
import {
  decide,
  type Actor,
  type CaseCommand,
  type CaseEvent,
  type CaseState,
  type Decision,
} from '../../src/domain/escalation';
import type { Procedure } from '../../src/domain/procedure';

let shipped: Map<string, Procedure> | undefined;

/** A shipped board's procedure (src/procedures), by id. */
export function shippedBoard(id: string): Procedure {
  shipped ??= loadProcedures();
  const p = shipped.get(id);
  if (!p) throw new Error(`no shipped board "${id}"`);
  return p;
}

/** Someone acting: their id, agency and roles. */
export const who = (personId: string, agencyId: string, ...roles: string[]): Actor => ({ personId, agencyId, roles });

/** The core accepted: its events and the state after them. */
export function ok(decision: Decision): { events: CaseEvent[]; state: CaseState } {
  if (!decision.ok) throw new Error(`refused: ${decision.refusal.code}: ${decision.refusal.message}`);
  return decision;
}

/** The core refused: what it said. */
export function refusal(decision: Decision): { code: string; message: string; fields?: Record<string, string> } {
  if (decision.ok) throw new Error(`accepted: ${decision.events.map((e) => e.type).join(', ')}`);
  return decision.refusal;
}

/** Commands in order, each decided at its instant and accepted; the state after the last. */
export function runSteps(state: CaseState, steps: Array<[string, CaseCommand]>): CaseState {
  return steps.reduce((s, [at, command]) => ok(decide(s, command, new Date(at))).state, state);
}

/** The stage a case is at (or ended at). */
export const stageOf = (state: CaseState): string | undefined => state.stages[state.stages.length - 1]?.id;
