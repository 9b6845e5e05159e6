/**
 * A case's history in plain words, for its cards: "Fri 20 Nov 10am — Ann Smith: raised the
 * escalation". What the history is shared with decides what it says: a refused attempt is in the
 * audit record only, and a manager's reason for returning their own agency's escalation is told
 * to that agency (the other side sees that it was returned).
 */
import { deadlineInWords, instantInWords } from '../../domain/calendar';
import type { Directory } from '../../domain/directory';
import { SWEEPER_ID, type CaseEvent } from '../../domain/escalation';
import type { Procedure } from '../../domain/procedure';

/** Who a history is for: an agency's own people see their agency's private words; undefined, both agencies. */
export interface HistoryReader {
  agencyId?: string;
}

function personName(directory: Directory, personId: string): string {
  return directory.people.find((p) => p.id === personId)?.name ?? personId;
}

/** Events that are not the shared history: refused attempts (audit only) and the bot's own bookkeeping. */
export function inSharedHistory(event: CaseEvent): boolean {
  return event.type !== 'command-refused' && event.type !== 'timer-delivered' && event.type !== 'timer-skipped';
}

/** One line of history in plain words, as `reader` may see it. */
export function historyLine(
  event: CaseEvent,
  procedure: Procedure,
  directory: Directory,
  now: Date,
  reader: HistoryReader = {},
): string {
  const stageName = (id: string): string => procedure.stages.find((s) => s.id === id)?.name ?? id;
  const milestoneLabel = (stage: string, id: string): string =>
    `"${procedure.stages.find((s) => s.id === stage)?.milestones?.find((m) => m.id === id)?.label ?? id}"`;
  const own = reader.agencyId !== undefined && reader.agencyId === event.by.agencyId;
  const what: Record<CaseEvent['type'], (e: never) => string> = {
    'case-raised': () => 'raised the escalation',
    'immediate-risk-guidance-given': () => 'was shown the emergency contacts (urgent path)',
    'stage-entered': (e: { stage: string; via: string }) =>
      e.via === 'raised' ? `opened ${stageName(e.stage)}` : `moved the case to ${stageName(e.stage)}`,
    'stage-acknowledged': () => 'acknowledged the stage',
    'note-added': (e: { text: string }) => `added a note: ${e.text}`,
    'resolution-proposed': (e: { outcome: string }) => `proposed an outcome: ${e.outcome}`,
    'resolution-confirmed': () => 'confirmed the outcome',
    'resolution-disputed': (e: { reason: string }) => `disputed the outcome: ${e.reason}`,
    'case-resolved': () => 'resolved the case: both agencies confirmed the outcome',
    'escalation-requested': (e: { toStage: string; reason: string }) =>
      `asked to escalate to ${stageName(e.toStage)}: ${e.reason}`,
    'escalation-approved': () => 'approved the escalation',
    'escalation-returned': (e: { reason: string }) =>
      own
        ? `returned the escalation to be tried at this stage first: ${e.reason}`
        : 'returned the escalation to be tried at this stage first',
    'plan-proposed': (e: { plan: string; reviewOn: string }) =>
      `proposed a plan of action, to be reviewed on ${e.reviewOn}: ${e.plan}`,
    'plan-agreed': () => 'agreed the plan of action: both agencies agree it',
    'milestone-recorded': (e: { stage: string; milestone: string; note: string; date?: string }) =>
      `recorded ${milestoneLabel(e.stage, e.milestone)}${e.date ? ` (${e.date})` : ''}: ${e.note}`,
    // The limit as it falls (the working day's end), not the day typed: a Sunday typed is the Friday before.
    'timescale-proposed': (e: { due: string }) =>
      `proposed the date for this stage: ${deadlineInWords(new Date(e.due), procedure.workingHours.timeZone, now)}`,
    'timescale-agreed': (e: { due: string }) =>
      `agreed the date for this stage, ${deadlineInWords(new Date(e.due), procedure.workingHours.timeZone, now)}: both agencies agree it`,
    'safety-confirmed': (e: { steps: string }) => `confirmed the steps taken to keep the adult safe: ${e.steps}`,
    'final-decision-recorded': (e: { decision: string; also?: { label: string; text: string } }) =>
      `recorded the decision: ${e.decision}${e.also ? ` ${e.also.label}: ${e.also.text}` : ''}`,
    'case-withdrawn': (e: { reason: string }) => `withdrew the escalation: ${e.reason}`,
    'command-refused': (e: { command: string }) => `tried to ${e.command.replace(/-/g, ' ')} (not allowed)`,
    'personal-data-erased': () => "erased the adult's details on request",
    'document-issued': (e: { document: string; format: string; withPersonalDetails: boolean }) =>
      `asked for the ${e.document.replace(/-/g, ' ')} (${e.format.toUpperCase()}${e.withPersonalDetails ? ', naming the adult' : ''}), sent to them privately`,
    'personal-details-recorded': () => "recorded the adult's details (kept sealed, not shown here)",
    'form-completed': (e: { form: string }) =>
      `completed the ${procedure.forms.find((f) => f.id === e.form)?.title ?? e.form.replace(/-/g, ' ')}, sent as the procedure says`,
    'timer-fired': (e: { kind: string; text: string }) =>
      e.kind === 'reminder'
        ? 'sent a reminder'
        : e.kind === 'nudge'
          ? 'nudged the people who act next: the deadline has passed'
          : 'sent a notification the procedure asks for',
    'timer-delivered': () => 'delivered it',
    'timer-skipped': (e: { kind: string; reason: string }) =>
      `did not send a ${e.kind}: ${e.reason === 'superseded' ? 'a later one was due by then' : 'its deadline had already passed'}`,
  };
  const when = instantInWords(new Date(event.at), procedure.workingHours.timeZone, now);
  const who = event.by.personId === SWEEPER_ID ? 'The bot' : personName(directory, event.by.personId);
  return `${when} — ${who}: ${(what[event.type] as (e: CaseEvent) => string)(event)}`;
}

/** The shared history of a case as `reader` may see it, oldest first. */
export function historyLines(
  events: readonly CaseEvent[],
  procedure: Procedure,
  directory: Directory,
  now: Date,
  reader: HistoryReader = {},
): string[] {
  return events.filter(inSharedHistory).map((e) => historyLine(e, procedure, directory, now, reader));
}
