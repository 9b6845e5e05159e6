/** Cases made by the real core, for the store contract. */
import { loadProcedures } from '../../src/app/procedures';
import {
  decide,
  nextDeadline,
  raise,
  type Actor,
  type CaseCommand,
  type CaseEvent,
  type CaseState,
} from '../../src/domain/escalation';
import type { Procedure } from '../../src/domain/procedure';

const procedures = loadProcedures();
export const NS = procedures.get('north-somerset') as Procedure;
export const CAMDEN = procedures.get('camden') as Procedure;

export const worker: Actor = { personId: 'ann', agencyId: 'council', roles: ['practitioner'] };
export const counterpart: Actor = { personId: 'ben', agencyId: 'trust', roles: ['practitioner'] };
export const secondTier: Actor = { personId: 'eve', agencyId: 'council', roles: ['second-tier-manager'] };

export interface Made {
  state: CaseState;
  events: CaseEvent[];
  dueAt?: string;
}

export function raised(
  sequence: number,
  at = '2026-11-20T10:00:00Z',
  procedure: Procedure = NS,
  actor: Actor = worker,
  respondingPersonId = 'ben',
): Made {
  const d = raise(
    procedure,
    {
      type: 'raise',
      actor,
      sequence,
      immediateRisk: false,
      respondingAgency: { id: actor.agencyId === 'trust' ? 'council' : 'trust' },
      respondingPersonId,
      form: {
        initials: 'JS',
        category: 'case-closure',
        summary: 'The trust closed the case.',
        outcomeWanted: 'Reopen it.',
        safetyMeanwhile: 'Daily visits.',
      },
    },
    new Date(at),
  );
  if (!d.ok) throw new Error(d.refusal.message);
  return { state: d.state, events: d.events, dueAt: nextDeadline(d.state)?.at };
}

export function act(state: CaseState, command: CaseCommand, at: string): Made {
  const d = decide(state, command, new Date(at));
  if (!d.ok) throw new Error(d.refusal.message);
  return { state: d.state, events: d.events, dueAt: d.nextDeadline?.at };
}
