/**
 * The case record for an agency's file: the whole timeline (who, in what role, for which agency,
 * what, when and why), each deadline met or missed, and the outcome. The adult's details appear
 * only when a role holder of the case asked for them to be included.
 */
import { formatInZone, instantInWords } from '../../domain/calendar';
import type { Directory } from '../../domain/directory';
import type { CaseEvent, CaseState, Deadline } from '../../domain/escalation';
import { shortNameOf } from '../../domain/procedure';
import type { PersonalDetails } from '../store/personal-data';
import { historyLine } from '../views/stage-card';
import type { RecordDocument } from './document';

export interface DeadlineOutcome {
  stage: string;
  stageName: string;
  deadline: Deadline;
  /** met: the stage ended (or everyone acknowledged, for a start-by) in time; missed; or still pending. */
  result: 'met' | 'missed' | 'pending';
}

/**
 * Each deadline of each stage the case went through, and whether it was met. Times are read once
 * per stage (a report reads this for thousands of cases).
 */
export function deadlineOutcomes(state: CaseState, now: Date): DeadlineOutcome[] {
  const { procedure } = state;
  const nowMs = now.getTime();
  const out: DeadlineOutcome[] = [];
  for (const s of state.stages) {
    if (!s.deadlines.length) continue;
    const acks = Object.values(s.acknowledged);
    // A start-by is done when everyone has acknowledged (the last of them), else when the stage ended.
    const started = acks.length ? Math.max(...acks.map((a) => Date.parse(a.at))) : undefined;
    const ended = s.endedAt ? Date.parse(s.endedAt) : undefined;
    const stageName = procedure.stages.find((x) => x.id === s.id)?.name ?? s.id;
    for (const d of s.deadlines) {
      const at = Date.parse(d.at);
      const doneAt = d.kind === 'start-by' ? (started ?? ended) : ended;
      const result: DeadlineOutcome['result'] =
        doneAt !== undefined ? (doneAt <= at ? 'met' : 'missed') : nowMs > at ? 'missed' : 'pending';
      out.push({ stage: s.id, stageName, deadline: d, result });
    }
  }
  return out;
}

function roleTitles(state: CaseState, directory: Directory, event: CaseEvent): string {
  const agency = directory.agencies.find((a) => a.id === event.by.agencyId);
  return event.by.roles
    .map((r) => agency?.roleTitles[r] ?? state.procedure.roles.find((x) => x.id === r)?.title ?? r)
    .join(', ');
}

export function caseRecordDocument(
  state: CaseState,
  events: readonly CaseEvent[],
  directory: Directory,
  now: Date,
  details?: PersonalDetails,
): RecordDocument {
  const { procedure } = state;
  const tz = procedure.workingHours.timeZone;
  const agency = (id: string): string => directory.agencies.find((a) => a.id === id)?.name ?? id;
  const person = (id: string): string =>
    id === 'deadline-sweeper' ? 'The bot' : (directory.people.find((p) => p.id === id)?.name ?? id);
  const category = procedure.categories?.find((c) => c.id === state.concern.category)?.label ?? state.concern.category;
  const outcome = state.outcome
    ? `Resolved at stage ${state.stages.at(-1)?.number ?? '?'}: ${state.outcome.text} Outstanding issues: ${state.outcome.outstandingIssues}`
    : state.decision
      ? `Decided${state.decision.finalAndBinding ? ' (final and binding)' : ''}: ${state.decision.text}${state.decision.also ? ` ${state.decision.also.label}: ${state.decision.also.text}` : ''}`
      : state.withdrawal
        ? `Withdrawn: ${state.withdrawal.reason}`
        : 'Open: no outcome yet.';
  const timeline = events
    .filter((e) => e.type !== 'timer-delivered' && e.type !== 'timer-skipped')
    .map((e) => [
      formatInZone(new Date(e.at), tz),
      person(e.by.personId),
      roleTitles(state, directory, e) || '—',
      e.by.agencyId === 'bot' ? '—' : agency(e.by.agencyId),
      historyLine(e, procedure, directory, now).replace(/^.*? — [^:]*: /, ''),
    ]);
  const deadlines = deadlineOutcomes(state, now).map((o) => [
    o.stageName,
    o.deadline.kind === 'start-by' ? 'start by' : 'conclude by',
    instantInWords(new Date(o.deadline.at), tz),
    `“${o.deadline.phrase}”`,
    o.result,
  ]);
  return {
    title: `Case record: ${shortNameOf(procedure)} escalation ${state.reference}`,
    subtitle: `${procedure.name}. Raised ${instantInWords(new Date(state.raisedAt), tz)} by ${agency(state.raising.agencyId)} with ${agency(state.responding.agencyId)}.`,
    notice: details
      ? 'OFFICIAL – SENSITIVE: this record includes the adult’s personal details, at the request of a role holder of the case. Keep it on the agency’s file.'
      : 'OFFICIAL: this record identifies the adult only by initials and each agency’s record number.',
    fileStem: `${state.reference}-case-record`,
    blocks: [
      {
        kind: 'fields',
        rows: [
          {
            label: 'Adult',
            value: details
              ? [details.name, details.dateOfBirth ? `born ${details.dateOfBirth}` : '', details.address ?? '']
                  .filter(Boolean)
                  .join(', ')
              : `${state.subject.initials} (initials)`,
          },
          {
            label: 'Record numbers',
            value:
              [
                state.subject.recordNumbers.raising
                  ? `${agency(state.raising.agencyId)}: ${state.subject.recordNumbers.raising}`
                  : '',
                state.subject.recordNumbers.responding
                  ? `${agency(state.responding.agencyId)}: ${state.subject.recordNumbers.responding}`
                  : '',
              ]
                .filter(Boolean)
                .join('; ') || 'None given',
          },
          { label: 'Kind of disagreement', value: category },
          { label: 'The disagreement', value: state.concern.summary },
          { label: 'Outcome wanted', value: state.concern.outcomeWanted },
          { label: 'Keeping the adult safe meanwhile', value: state.concern.safetyMeanwhile },
          { label: "The adult's own wishes and desired outcomes", value: state.concern.adultWishes ?? 'Not recorded' },
          { label: 'Urgent', value: state.urgent ? 'Yes' : 'No' },
          { label: 'Outcome', value: outcome },
        ],
      },
      { kind: 'heading', text: 'Deadlines' },
      { kind: 'table', columns: ['Stage', 'Kind', 'Deadline', 'Procedure says', 'Met?'], rows: deadlines },
      { kind: 'heading', text: 'Timeline' },
      { kind: 'table', columns: ['When', 'Who', 'Role', 'Agency', 'What, and why'], rows: timeline },
    ],
  };
}
