/**
 * A board's figures for a period, from the record: what a Quality and Performance subcommittee
 * reads. Counts and working days only: no adult's details, no free text from the cases.
 */
import type { Directory } from '../../domain/directory';
import { calendarFor, type CaseState } from '../../domain/escalation';
import type { Procedure } from '../../domain/procedure';
import { deadlineOutcomes } from '../records/case-record';

export interface Count {
  key: string;
  label: string;
  value: number;
}

export interface BoardFigures {
  board: { id: string; name: string };
  from: string;
  to: string;
  /** When the figures were taken: open cases are counted up to here. */
  asOf: string;
  raised: number;
  outcomes: Count[];
  /** Cases closed by resolution or decision, by the stage they closed at. */
  resolvedAtStage: Count[];
  /** Mean working days spent at each stage (by cases that reached it), and in total. */
  workingDaysAtStage: Array<Count & { cases: number }>;
  meanWorkingDaysTotal: number;
  deadlinesMissedByStage: Count[];
  deadlinesMissedByAgency: Count[];
  categories: Count[];
  pairs: Count[];
}

function tally(keys: Array<{ key: string; label: string }>): Count[] {
  const map = new Map<string, Count>();
  for (const k of keys) {
    const c = map.get(k.key) ?? { key: k.key, label: k.label, value: 0 };
    c.value++;
    map.set(k.key, c);
  }
  return [...map.values()].sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

export function boardFigures(
  procedure: Procedure,
  cases: readonly CaseState[],
  directory: Directory,
  from: string,
  to: string,
  asOf: Date,
): BoardFigures {
  const calendar = calendarFor(procedure);
  const agency = (id: string): string => directory.agencies.find((a) => a.id === id)?.name ?? id;
  const stageLabel = (id: string): string => {
    const s = procedure.stages.find((x) => x.id === id);
    return s ? `${s.number}${s.branch ? ` (${s.branch})` : ''}: ${s.name}` : id;
  };
  const STATUS: Record<CaseState['status'], string> = {
    open: 'Still open',
    resolved: 'Resolved (both agencies confirmed)',
    decided: 'Closed by a decision',
    withdrawn: 'Withdrawn',
  };
  const spent = new Map<string, { total: number; cases: number }>();
  let totalDays = 0;
  const missedStage: Array<{ key: string; label: string }> = [];
  const missedAgency: Array<{ key: string; label: string }> = [];
  for (const c of cases) {
    for (const s of c.stages) {
      const end = s.endedAt ? new Date(s.endedAt) : asOf;
      const days = calendar.workingDaysBetween(new Date(s.startedAt), end);
      const entry = spent.get(s.id) ?? { total: 0, cases: 0 };
      entry.total += days;
      entry.cases++;
      spent.set(s.id, entry);
    }
    const last = c.stages.at(-1);
    const end = last?.endedAt ? new Date(last.endedAt) : asOf;
    totalDays += calendar.workingDaysBetween(new Date(c.raisedAt), end);
    for (const o of deadlineOutcomes(c, asOf)) {
      if (o.result !== 'missed') continue;
      missedStage.push({ key: o.stage, label: stageLabel(o.stage) });
      // A start-by missed is the missing side's; a conclude-by missed is both agencies'.
      const stage = c.stages.find((s) => s.id === o.stage);
      const late = (party: 'raising' | 'responding'): boolean => {
        const ack = stage?.acknowledged[party];
        return !ack || new Date(ack.at) > new Date(o.deadline.at);
      };
      for (const party of ['raising', 'responding'] as const) {
        if (o.deadline.kind === 'start-by' && !late(party)) continue;
        missedAgency.push({ key: c[party].agencyId, label: agency(c[party].agencyId) });
      }
    }
  }
  return {
    board: { id: procedure.id, name: procedure.name },
    from,
    to,
    asOf: asOf.toISOString(),
    raised: cases.length,
    outcomes: tally(cases.map((c) => ({ key: c.status, label: STATUS[c.status] }))),
    resolvedAtStage: tally(
      cases
        .filter((c) => c.status === 'resolved' || c.status === 'decided')
        .map((c) => ({ key: c.stages.at(-1)?.id ?? '?', label: stageLabel(c.stages.at(-1)?.id ?? '?') })),
    ).sort((a, b) => a.label.localeCompare(b.label)),
    workingDaysAtStage: procedure.stages
      .filter((s) => spent.has(s.id))
      .map((s) => {
        const e = spent.get(s.id) ?? { total: 0, cases: 1 };
        return { key: s.id, label: stageLabel(s.id), value: round1(e.total / e.cases), cases: e.cases };
      }),
    meanWorkingDaysTotal: cases.length ? round1(totalDays / cases.length) : 0,
    deadlinesMissedByStage: tally(missedStage).sort((a, b) => a.label.localeCompare(b.label)),
    deadlinesMissedByAgency: tally(missedAgency),
    categories: tally(
      cases.map((c) => ({
        key: c.concern.category,
        label: procedure.categories?.find((x) => x.id === c.concern.category)?.label ?? c.concern.category,
      })),
    ),
    pairs: tally(
      cases.map((c) => ({
        key: `${c.raising.agencyId}→${c.responding.agencyId}`,
        label: `${agency(c.raising.agencyId)} → ${agency(c.responding.agencyId)}`,
      })),
    ),
  };
}
