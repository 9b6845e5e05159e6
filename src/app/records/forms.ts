/**
 * The boards' own forms, filled from a case. A form is data: declared under `forms` in the
 * board's procedure file with its fields, each saying where it comes from (a fact of the case, one
 * of FORM_FIELD_SOURCES, or typed by whoever completes the form). There is no per-board code
 * here. The adult's details fill a field only from the sealed store, for a role holder of the
 * case who asks (or a recipient entitled to them).
 */
import { formatInZone, instantInWords } from '../../domain/calendar';
import type { Directory } from '../../domain/directory';
import { calendarFor, type CaseEvent, type CaseState } from '../../domain/escalation';
import { shortNameOf, type FormDeclaration, type FormFieldDeclaration, type Procedure } from '../../domain/procedure';
import type { PersonalDetails } from '../store/personal-data';
import { deadlineOutcomes } from './case-record';
import type { RecordDocument } from './document';

export interface FormField {
  key: string;
  label: string;
  value: string;
}

export interface FilledForm {
  id: string;
  title: string;
  fields: FormField[];
  submitTo: string;
}

/** A form's id: any form a board's file declares with fields. */
export type FormId = string;

/**
 * What a form's fields for the adult's name, date of birth and address say in a copy made
 * without them (the command line's default), so nobody takes them for details never given.
 */
export const LEFT_OUT: PersonalDetails = {
  name: 'Left out of this copy (ask for the form with the adult’s details)',
  dateOfBirth: 'Left out of this copy',
  address: 'Left out of this copy',
};

/** What a typed field says when the form has not been completed (or the completer left it blank). */
export const NOT_TYPED = 'Not completed yet: to be typed by whoever completes the form';

type Acting = Extract<CaseEvent, { by: unknown }>;

/** What someone typed into a form when they completed it: the field key to the text. */
export type TypedAnswers = Readonly<Record<string, string>>;

/** The completion a filled form shows: what was typed; none while the form is still to be completed. */
export interface Completion {
  answers: TypedAnswers;
  /** The completion's event: who completed the form, and when. */
  event?: Extract<CaseEvent, { type: 'form-completed' }>;
}

const day = (iso: string, procedure: Procedure): string =>
  formatInZone(new Date(iso), procedure.workingHours.timeZone).slice(0, 10);

function personName(directory: Directory, id: string): string {
  return directory.people.find((p) => p.id === id)?.name ?? id;
}

function agencyName(directory: Directory, id: string): string {
  return directory.agencies.find((a) => a.id === id)?.name ?? id;
}

/** "Job title (Role title)": what the person is, in their agency's and the procedure's words. */
function designation(directory: Directory, procedure: Procedure, event: Acting): string {
  const person = directory.people.find((p) => p.id === event.by.personId);
  const agency = directory.agencies.find((a) => a.id === event.by.agencyId);
  const roles = event.by.roles.map((r) => agency?.roleTitles[r] ?? procedure.roles.find((x) => x.id === r)?.title ?? r);
  return [person?.jobTitle, roles.length ? `(${roles.join(', ')})` : ''].filter(Boolean).join(' ') || 'Not recorded';
}

/** "Name, Designation, Agency" of whoever did `event`. */
function whoLine(directory: Directory, procedure: Procedure, event: Acting | undefined): string {
  if (!event) return 'Not recorded: the case did not go this way.';
  return `${personName(directory, event.by.personId)}, ${designation(directory, procedure, event)}, ${agencyName(directory, event.by.agencyId)}`;
}

/** The form's own recipients (its board-level `sendTo` contacts), in words. */
export function submitTo(form: Pick<FormDeclaration, 'sendTo'> | undefined): string {
  return (
    (form?.sendTo ?? []).map((c) => [c.name, c.email].filter(Boolean).join(', ')).join('; ') ||
    'The board’s business unit'
  );
}

function escalations(state: CaseState, events: readonly CaseEvent[], directory: Directory): string[] {
  const { procedure } = state;
  const stageName = (id: string): string => procedure.stages.find((s) => s.id === id)?.name ?? id;
  return events.flatMap((e) =>
    e.type === 'escalation-requested'
      ? [
          `Escalated from ${stageName(e.fromStage)} to ${stageName(e.toStage)} on ${day(e.at, procedure)} by ${personName(directory, e.by.personId)} (${agencyName(directory, e.by.agencyId)}): ${e.reason}`,
        ]
      : [],
  );
}

/** The stage number at which the case was resolved or decided, if it was. */
function closingStage(state: CaseState): number | undefined {
  if (state.status !== 'resolved' && state.status !== 'decided') return undefined;
  return state.stages[state.stages.length - 1]?.number;
}

/** Whether an event is someone taking part in the case (not the bot, not a refused attempt by an outsider). */
function tookPart(e: CaseEvent): e is Acting {
  return (
    e.type !== 'command-refused' &&
    e.by.party !== 'outside' &&
    e.by.personId !== 'deadline-sweeper' &&
    e.by.agencyId !== 'bot'
  );
}

/** Everything a field can be filled from, worked out once per form. */
class CaseFacts {
  private readonly procedure: Procedure;

  constructor(
    private readonly state: CaseState,
    private readonly events: readonly CaseEvent[],
    private readonly details: PersonalDetails | undefined,
    private readonly directory: Directory,
    private readonly now: Date,
    private readonly form: FormDeclaration,
    private readonly completion: Completion | undefined,
  ) {
    this.procedure = state.procedure;
  }

  private side(party: 'raising' | 'responding'): Acting[] {
    return this.events.filter((e): e is Acting => 'by' in e && e.by.party === party);
  }

  private stageNumber(id: string | undefined): number {
    return this.procedure.stages.find((s) => s.id === id)?.number ?? 0;
  }

  /** The last person on `party`'s side who acted at `stage` or a later one (or asked to escalate into it). */
  private personOf(party: 'raising' | 'responding', stage: string | undefined): Acting | undefined {
    const from = stage ? this.stageNumber(stage) : 1;
    const reversed = [...this.side(party)].reverse();
    return (
      reversed.find(
        (e) =>
          'stage' in e && typeof e.stage === 'string' && this.stageNumber(e.stage) >= from && e.by.roles.length > 0,
      ) ?? reversed.find((e) => e.type === 'escalation-requested' && this.stageNumber(e.toStage) >= from)
    );
  }

  private views(party: 'raising' | 'responding'): string[] {
    return this.side(party).flatMap((e) =>
      e.type === 'note-added'
        ? [e.text]
        : e.type === 'resolution-disputed'
          ? [`Disputed the proposed outcome: ${e.reason}`]
          : e.type === 'escalation-requested'
            ? [`Asked to escalate: ${e.reason}`]
            : [],
    );
  }

  private days(to: Date): string {
    const { state } = this;
    const calendar = calendarFor(this.procedure);
    const calendarDays = Math.round((to.getTime() - new Date(state.raisedAt).getTime()) / 86_400_000);
    return `${calendarDays} days (${calendar.workingDaysBetween(new Date(state.raisedAt), to)} working days)`;
  }

  private sealed(value: string | undefined): string {
    return value ?? 'Not given';
  }

  value(field: FormFieldDeclaration): string {
    const { state, events, directory, procedure } = this;
    const raisingName = agencyName(directory, state.raising.agencyId);
    const respondingName = agencyName(directory, state.responding.agencyId);
    const category =
      procedure.categories?.find((c) => c.id === state.concern.category)?.label ?? state.concern.category;
    const stageState = field.stage ? state.stages.find((s) => s.id === field.stage) : undefined;
    const stageWord = (): string =>
      procedure.stages.find((s) => s.id === field.stage)?.name ?? field.stage ?? 'the stage';
    const person = (): Acting | undefined => this.personOf(field.side ?? 'raising', field.stage);
    switch (field.from) {
      case 'reference':
        return state.reference;
      case 'board':
        return procedure.name;
      case 'raised-on':
        return day(state.raisedAt, procedure);
      case 'adult-initials':
        return state.subject.initials;
      case 'adult-name':
        return this.details ? this.sealed(this.details.name) : 'Not given';
      case 'adult-date-of-birth':
        return this.sealed(this.details?.dateOfBirth);
      case 'adult-address':
        return this.sealed(this.details?.address);
      case 'category':
        return category;
      case 'summary':
        return state.concern.summary;
      case 'outcome-wanted':
        return state.concern.outcomeWanted;
      case 'safety-meanwhile':
        return state.concern.safetyMeanwhile;
      case 'disagreement':
        return `${category}. ${state.concern.summary} ${raisingName} wanted: ${state.concern.outcomeWanted}`;
      case 'views':
        return [
          `${raisingName} (raised it): ${state.concern.summary} The outcome it wanted: ${state.concern.outcomeWanted}`,
          ...this.views('raising').map((v) => `${raisingName}: ${v}`),
          ...(this.views('responding').length
            ? this.views('responding').map((v) => `${respondingName}: ${v}`)
            : [`${respondingName}: no written view was recorded on the case.`]),
        ].join('\n');
      case 'agreed-outcome':
        return [
          ...(state.outcome
            ? [
                `Agreed outcome: ${state.outcome.text}`,
                `Outstanding issues and how they will be pursued: ${state.outcome.outstandingIssues}`,
              ]
            : []),
          ...(state.decision
            ? [`Decision${state.decision.finalAndBinding ? ' (final and binding)' : ''}: ${state.decision.text}`]
            : []),
          ...escalations(state, events, directory),
          ...(state.status === 'open' ? ['Not yet resolved.'] : []),
          ...(state.status === 'withdrawn' && state.withdrawal ? [`Withdrawn: ${state.withdrawal.reason}`] : []),
        ].join('\n');
      case 'outcome':
        return state.outcome
          ? state.outcome.text
          : state.decision
            ? `Decision${state.decision.finalAndBinding ? ' (final and binding)' : ''}: ${state.decision.text}`
            : state.withdrawal
              ? `Withdrawn: ${state.withdrawal.reason}`
              : 'Not yet resolved.';
      case 'outstanding-issues':
        return state.outcome?.outstandingIssues ?? 'None recorded';
      case 'escalations': {
        const list = escalations(state, events, directory);
        return list.length ? list.join('\n') : 'Not escalated';
      }
      case 'escalated-by':
        return whoLine(
          directory,
          procedure,
          [...events]
            .reverse()
            .find((e): e is Acting => e.type === 'escalation-requested' && e.fromStage === field.stage),
        );
      case 'person-name': {
        const e = person();
        return e ? personName(directory, e.by.personId) : 'Not recorded';
      }
      case 'person-designation': {
        const e = person();
        return e ? designation(directory, procedure, e) : 'Not recorded';
      }
      case 'person-agency': {
        const e = person();
        return e
          ? agencyName(directory, e.by.agencyId)
          : (field.side ?? 'raising') === 'raising'
            ? raisingName
            : respondingName;
      }
      case 'person-date': {
        const e = person();
        return e ? day(e.at, procedure) : 'Not recorded';
      }
      case 'stage-began':
        return stageState ? day(stageState.startedAt, procedure) : `${stageWord()} has not begun`;
      case 'stage-concluded':
        return stageState?.endedAt ? day(stageState.endedAt, procedure) : `${stageWord()} has not concluded`;
      case 'stage-resolved': {
        const stage = closingStage(state);
        return stage ? String(stage) : state.status === 'open' ? 'Not yet resolved' : 'Not resolved';
      }
      case 'days-taken': {
        const endedAt = state.outcome?.at ?? state.decision?.at ?? state.withdrawal?.at;
        return endedAt ? this.days(new Date(endedAt)) : `Not yet resolved: ${this.days(this.now)} so far`;
      }
      case 'board-members': {
        // Everyone who acted for the board, and everyone who acted at the stage named (its board representatives).
        const involved = events.filter(
          (e): e is Acting =>
            tookPart(e) &&
            (e.by.party === 'board' || (field.stage !== undefined && 'stage' in e && e.stage === field.stage)),
        );
        const people = [...new Map(involved.map((e) => [e.by.personId, e])).values()];
        return people.length ? people.map((e) => whoLine(directory, procedure, e)).join('\n') : 'None yet';
      }
      case 'professionals': {
        const involved = events.filter(tookPart);
        const people = [...new Map(involved.map((e) => [e.by.personId, e])).values()];
        return people.map((e) => whoLine(directory, procedure, e)).join('\n') || 'None recorded';
      }
      case 'methodology':
        return state.stages
          .map((s) => {
            const stage = procedure.stages.find((x) => x.id === s.id);
            const notes = events.filter((e) => e.type === 'note-added' && e.stage === s.id).length;
            const ended = s.endedAt ? ` to ${day(s.endedAt, procedure)} (${s.ended ?? 'ended'})` : ' (under way)';
            return `Step ${s.number}, ${stage?.name ?? s.id}: from ${day(s.startedAt, procedure)}${ended}; ${notes} note${notes === 1 ? '' : 's'} recorded.`;
          })
          .join('\n');
      case 'monitoring-comments': {
        const missed = deadlineOutcomes(state, this.now)
          .filter((o) => o.result === 'missed')
          .map(
            (o) => `${o.stageName}: due ${instantInWords(new Date(o.deadline.at), procedure.workingHours.timeZone)}`,
          );
        return [
          `Case ${state.reference}, raised ${day(state.raisedAt, procedure)}; stages: ${state.stages.map((s) => s.number).join(', ')}.`,
          missed.length ? `Deadlines missed: ${missed.join('; ')}.` : 'Every stage ended within its deadline.',
        ].join(' ');
      }
      case 'send-to':
        return submitTo(this.form);
      case 'completed-by':
        return this.completion?.event
          ? `${whoLine(directory, procedure, this.completion.event)}, ${day(this.completion.event.at, procedure)}`
          : 'Not completed yet';
      case 'typed': {
        if (!this.completion) return NOT_TYPED;
        return this.completion.answers[field.key]?.trim() || 'Nothing added';
      }
    }
  }
}

/** The forms of a case's procedure that have fields (those the bot can fill). */
export function formsFor(procedure: Procedure): FormId[] {
  return procedure.forms.filter((f) => f.fields.length > 0).map((f) => f.id);
}

/** A form's declaration in a procedure, if it has one. */
export function formOf(procedure: Procedure, id: FormId): FormDeclaration | undefined {
  return procedure.forms.find((f) => f.id === id && f.fields.length > 0);
}

/**
 * Fill a form from the case: every field from its declared source; typed fields from `typed`
 * (what the completer typed when they completed it).
 */
export function fillForm(
  id: FormId,
  state: CaseState,
  events: readonly CaseEvent[],
  details: PersonalDetails | undefined,
  directory: Directory,
  now: Date,
  completion?: Completion,
): FilledForm {
  const form = formOf(state.procedure, id);
  if (!form) throw new Error(`${shortNameOf(state.procedure)} has no form "${id}" with fields`);
  const facts = new CaseFacts(state, events, details, directory, now, form, completion);
  return {
    id: form.id,
    title: form.title,
    submitTo: submitTo(form),
    fields: form.fields.map((f) => ({ key: f.key, label: f.label, value: facts.value(f) })),
  };
}

/** The last completion of a form on a case (from its events), if it was completed; `by` the completer's agency. */
export function completionOf(events: readonly CaseEvent[], formId: FormId, agencyId?: string): Completion | undefined {
  const done = [...events]
    .reverse()
    .find(
      (e): e is Extract<CaseEvent, { type: 'form-completed' }> =>
        e.type === 'form-completed' && e.form === formId && (agencyId === undefined || e.by.agencyId === agencyId),
    );
  return done ? { answers: done.answers, event: done } : undefined;
}

/**
 * The completion a person asking for a form is given: their own agency's, where it completed the
 * form (each agency completes its own, with its own words), otherwise the latest.
 */
export function completionFor(events: readonly CaseEvent[], formId: FormId, agencyId: string): Completion | undefined {
  return completionOf(events, formId, agencyId) ?? completionOf(events, formId);
}

/** A filled form as a document; `personal` false for a copy without the adult's details. */
export function formDocument(form: FilledForm, state: CaseState, personal = true): RecordDocument {
  return {
    title: form.title,
    subtitle: `${shortNameOf(state.procedure)} case ${state.reference}`,
    notice: personal
      ? 'OFFICIAL – SENSITIVE: contains an adult’s personal details. Share only as the procedure says.'
      : 'OFFICIAL – SENSITIVE: this copy leaves out the adult’s name, date of birth and address. Share only as the procedure says.',
    blocks: [
      { kind: 'fields', rows: form.fields.map((f) => ({ label: f.label, value: f.value })) },
      { kind: 'paragraph', text: `Send to: ${form.submitTo}` },
    ],
    fileStem: `${state.reference}-${form.id}`,
  };
}
