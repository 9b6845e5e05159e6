/**
 * A case's state is the fold of its events: `replay(events)` rebuilds it, so the timeline is
 * the record and the state can always be derived from it.
 */
import type { CaseEvent, CaseState, StageRecord } from './types';

function currentStage(state: CaseState): StageRecord {
  const stage = state.stages[state.stages.length - 1];
  if (!stage) throw new Error(`case ${state.reference} has no stage`);
  return stage;
}

function withCurrentStage(state: CaseState, change: (stage: StageRecord) => StageRecord): CaseState {
  const stages = [...state.stages];
  stages[stages.length - 1] = change(currentStage(state));
  return { ...state, stages };
}

function addParticipant(state: CaseState, personId: string): string[] {
  return state.participants.includes(personId) ? state.participants : [...state.participants, personId];
}

/** Apply one event. The first event of a case must be `case-raised`. */
export function evolve(state: CaseState | undefined, event: CaseEvent): CaseState {
  if (event.type === 'case-raised') {
    if (state) throw new Error(`case ${state.reference} is already raised`);
    return {
      reference: event.reference,
      boardId: event.boardId,
      procedure: event.procedure,
      status: 'open',
      version: 1,
      raisedAt: event.at,
      concernAroseAt: event.concernAroseAt,
      urgent: event.urgent,
      raising: event.raising,
      responding: event.responding,
      subject: event.subject,
      concern: event.concern,
      stages: [],
      participants: [
        ...new Set([event.raising.personId, ...(event.responding.personId ? [event.responding.personId] : [])]),
      ],
      notes: 0,
    };
  }
  if (!state) throw new Error(`the first event of a case must be case-raised, not ${event.type}`);
  // A refused attempt is on the record, but does not make someone a party to the case.
  if (event.type === 'command-refused') return { ...state, version: state.version + 1 };
  if (event.type === 'personal-data-erased')
    return { ...state, version: state.version + 1, personalDataErasedAt: event.at };
  // Records of who was sent what, and of details given: nothing about the case changes.
  if (event.type === 'document-issued' || event.type === 'personal-details-recorded')
    return { ...state, version: state.version + 1 };
  // A form completed: the case's course does not change; who completed which form is kept.
  if (event.type === 'form-completed')
    return {
      ...state,
      version: state.version + 1,
      participants: addParticipant(state, event.by.personId),
      formsCompleted: [
        ...(state.formsCompleted ?? []),
        {
          form: event.form,
          stage: event.stage,
          personId: event.by.personId,
          agencyId: event.by.agencyId,
          at: event.at,
        },
      ],
    };
  // The deadline sweeper's own record: it is not a party to the case.
  // A timer fired with its deliveries in the outbox, or skipped, is settled at once: fired and delivered.
  if (event.type === 'timer-fired' || event.type === 'timer-delivered' || event.type === 'timer-skipped') {
    const timers = state.timers ?? { fired: [], delivered: [] };
    const fired = event.type === 'timer-delivered' ? timers.fired : [...timers.fired, event.timer];
    const settled = event.type !== 'timer-fired' || event.outbox === true;
    const delivered = settled ? [...timers.delivered, event.timer] : timers.delivered;
    return { ...state, version: state.version + 1, timers: { fired, delivered } };
  }
  const next: CaseState = {
    ...state,
    version: state.version + 1,
    participants: addParticipant(state, event.by.personId),
  };

  switch (event.type) {
    case 'immediate-risk-guidance-given':
      return next;
    case 'stage-entered': {
      const stages = next.stages.map((s, i) =>
        i === next.stages.length - 1 && !s.endedAt ? { ...s, endedAt: event.at, ended: 'escalated' as const } : s,
      );
      const entered: StageRecord = {
        id: event.stage,
        number: event.number,
        startedAt: event.at,
        acknowledged: {},
        deadlines: event.deadlines,
      };
      if (event.via === 'raised') entered.acknowledged = { raising: { by: event.by.personId, at: event.at } };
      const party = event.by.party;
      const enteredBy =
        event.via === 'raised'
          ? 'raising'
          : (state.pendingEscalation?.side ?? (party === 'raising' || party === 'responding' ? party : undefined));
      if (enteredBy) entered.enteredBy = enteredBy;
      if (
        event.via === 'escalation' &&
        (party === 'raising' || party === 'responding') &&
        event.by.roles.some((r) => stageRoles(state, event.stage, party).includes(r))
      ) {
        entered.acknowledged = { [party]: { by: event.by.personId, at: event.at } };
      }
      return {
        ...next,
        stages: [...stages, entered],
        pendingEscalation: undefined,
        proposal: undefined,
        plan: undefined,
        timescaleProposal: undefined,
      };
    }
    case 'stage-acknowledged':
      return withCurrentStage(next, (s) => ({
        ...s,
        acknowledged: { ...s.acknowledged, [event.party]: { by: event.by.personId, at: event.at } },
      }));
    case 'note-added':
      return { ...next, notes: next.notes + 1 };
    case 'resolution-proposed':
      return {
        ...next,
        proposal: {
          stage: event.stage,
          party: event.party,
          by: event.by.personId,
          outcome: event.outcome,
          outstandingIssues: event.outstandingIssues,
          at: event.at,
          confirmedBy: event.party === 'board' ? [] : [event.party],
        },
      };
    case 'resolution-confirmed':
      return next.proposal
        ? {
            ...next,
            proposal: { ...next.proposal, confirmedBy: [...new Set([...next.proposal.confirmedBy, event.side])] },
          }
        : next;
    case 'resolution-disputed':
      return { ...next, proposal: undefined };
    case 'case-resolved':
      return withCurrentStage(
        {
          ...next,
          status: 'resolved',
          outcome: {
            stage: event.stage,
            text: event.outcome,
            outstandingIssues: event.outstandingIssues,
            at: event.at,
          },
          proposal: undefined,
          pendingEscalation: undefined,
        },
        (s) => ({ ...s, endedAt: event.at, ended: 'resolved' }),
      );
    case 'escalation-requested':
      return {
        ...next,
        pendingEscalation: {
          toStage: event.toStage,
          side: event.side,
          by: event.by.personId,
          reason: event.reason,
          at: event.at,
          ...(event.takenUp ? { takenUp: true } : {}),
          ...(event.formsOwed?.length ? { formsOwed: event.formsOwed } : {}),
        },
      };
    case 'escalation-approved':
      return next;
    case 'plan-proposed':
      return {
        ...next,
        plan: {
          stage: event.stage,
          party: event.party,
          by: event.by.personId,
          text: event.plan,
          reviewOn: event.reviewOn,
          reviewAt: event.reviewAt,
          holdsUntil: event.holdsUntil,
          at: event.at,
          confirmedBy: [event.party],
        },
      };
    case 'plan-agreed':
      return next.plan
        ? {
            ...next,
            plan: {
              ...next.plan,
              confirmedBy: [...new Set([...next.plan.confirmedBy, event.side])],
              agreedAt: event.at,
            },
          }
        : next;
    case 'milestone-recorded': {
      const added = event.deadlines ?? [];
      const stages = added.length
        ? next.stages.map((s) =>
            s.id === event.stage && !s.endedAt
              ? { ...s, deadlines: [...s.deadlines, ...added].sort((a, b) => a.at.localeCompare(b.at)) }
              : s,
          )
        : next.stages;
      return {
        ...next,
        stages,
        milestones: [
          ...(next.milestones ?? []),
          {
            stage: event.stage,
            id: event.milestone,
            by: event.by.personId,
            at: event.at,
            ...(event.date ? { date: event.date } : {}),
            note: event.note,
          },
        ],
      };
    }
    case 'timescale-proposed':
      return {
        ...next,
        timescaleProposal: {
          stage: event.stage,
          party: event.party,
          by: event.by.personId,
          kind: event.kind,
          phrase: event.phrase,
          date: event.date,
          due: event.due,
          at: event.at,
        },
      };
    case 'timescale-agreed':
      return withCurrentStage({ ...next, timescaleProposal: undefined }, (s) => ({
        ...s,
        deadlines: s.deadlines
          .map((d) =>
            d.stage === event.stage && d.source === 'procedure' && d.kind === event.kind && d.phrase === event.phrase
              ? { ...d, at: event.due, ceiling: d.ceiling ?? d.at }
              : d,
          )
          .sort((a, b) => a.at.localeCompare(b.at)),
      }));
    case 'safety-confirmed':
      return withCurrentStage(next, (s) => ({
        ...s,
        safetyConfirmed: {
          ...s.safetyConfirmed,
          [event.side]: { by: event.by.personId, at: event.at, steps: event.steps },
        },
      }));
    case 'escalation-returned':
      return { ...next, pendingEscalation: undefined };
    case 'final-decision-recorded':
      return withCurrentStage(
        {
          ...next,
          status: 'decided',
          decision: {
            stage: event.stage,
            text: event.decision,
            finalAndBinding: event.finalAndBinding,
            by: event.by.personId,
            at: event.at,
            ...(event.also ? { also: event.also } : {}),
          },
          proposal: undefined,
          pendingEscalation: undefined,
        },
        (s) => ({ ...s, endedAt: event.at, ended: 'decided' }),
      );
    case 'case-withdrawn':
      return withCurrentStage(
        {
          ...next,
          status: 'withdrawn',
          withdrawal: { reason: event.reason, by: event.by.personId, at: event.at },
          proposal: undefined,
          pendingEscalation: undefined,
        },
        (s) => ({ ...s, endedAt: event.at, ended: 'withdrawn' }),
      );
  }
}

/** The roles a party holds at a stage of the case's own procedure snapshot. */
export function stageRoles(
  state: Pick<CaseState, 'procedure'>,
  stageId: string,
  party: 'raising' | 'responding' | 'board',
): string[] {
  const stage = state.procedure.stages.find((s) => s.id === stageId);
  if (!stage) return [];
  if (party === 'board') return stage.board ?? [];
  return stage.sides?.[party] ?? [];
}

export function replay(events: readonly CaseEvent[]): CaseState | undefined {
  return events.reduce<CaseState | undefined>(evolve, undefined);
}

export { currentStage };
