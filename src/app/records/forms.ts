/**
 * The boards' own forms, filled from a case: North Somerset's monitoring form (Appendix 2, used
 * at stages 3 and 4) and Cheshire East's Step 4 referral form (Appendix A). Every field of each
 * form is filled from the record; the adult's details only from the sealed store, for a role
 * holder of the case who asks.
 */
import { formatInZone, instantInWords } from '../../domain/calendar';
import type { Directory } from '../../domain/directory';
import { calendarFor, type CaseEvent, type CaseState } from '../../domain/escalation';
import { shortNameOf, type Procedure } from '../../domain/procedure';
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

export const FORMS = ['north-somerset-monitoring', 'cheshire-east-step-4-referral'] as const;

/**
 * What a form's fields for the adult's name, date of birth and address say in a copy made
 * without them (the command line's default), so nobody takes them for details never given.
 */
export const LEFT_OUT: PersonalDetails = {
  name: 'Left out of this copy (ask for the form with the adult’s details)',
  dateOfBirth: 'Left out of this copy',
  address: 'Left out of this copy',
};
export type FormId = (typeof FORMS)[number];

type Acting = Extract<CaseEvent, { by: unknown }>;

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

function submitTo(procedure: Procedure, formId: string): string {
  const form = procedure.forms.find((f) => f.id === formId);
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

/** North Somerset's monitoring form (Appendix 2): every field. */
export function northSomersetMonitoringForm(
  state: CaseState,
  events: readonly CaseEvent[],
  details: PersonalDetails | undefined,
  directory: Directory,
  now: Date,
): FilledForm {
  const { procedure } = state;
  const side = (party: 'raising' | 'responding'): Acting[] =>
    events.filter((e): e is Acting => 'by' in e && e.by.party === party);
  const stageNumber = (id: string): number => procedure.stages.find((s) => s.id === id)?.number ?? 0;
  // The managers at stage 3 or 4 (where the form is used): the last on each side who acted there.
  const managerOf = (party: 'raising' | 'responding'): Acting | undefined =>
    [...side(party)]
      .reverse()
      .find((e) => 'stage' in e && typeof e.stage === 'string' && stageNumber(e.stage) >= 3 && e.by.roles.length > 0) ??
    [...side(party)].reverse().find((e) => e.type === 'escalation-requested' && stageNumber(e.toStage) >= 3);
  const initiating = managerOf('raising');
  const receiving = managerOf('responding');
  const views = (party: 'raising' | 'responding'): string[] =>
    side(party).flatMap((e) =>
      e.type === 'note-added'
        ? [e.text]
        : e.type === 'resolution-disputed'
          ? [`Disputed the proposed outcome: ${e.reason}`]
          : e.type === 'escalation-requested'
            ? [`Asked to escalate: ${e.reason}`]
            : [],
    );
  const raisingName = agencyName(directory, state.raising.agencyId);
  const respondingName = agencyName(directory, state.responding.agencyId);
  const summary = [
    `${raisingName} (raised it): ${state.concern.summary} The outcome it wanted: ${state.concern.outcomeWanted}`,
    ...views('raising').map((v) => `${raisingName}: ${v}`),
    ...(views('responding').length
      ? views('responding').map((v) => `${respondingName}: ${v}`)
      : [`${respondingName}: no written view was recorded on the case.`]),
  ].join('\n');
  const agreed = [
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
  const endedAt = state.outcome?.at ?? state.decision?.at ?? state.withdrawal?.at;
  const calendar = calendarFor(procedure);
  const days = (to: Date): string => {
    const calendarDays = Math.round((to.getTime() - new Date(state.raisedAt).getTime()) / 86_400_000);
    return `${calendarDays} days (${calendar.workingDaysBetween(new Date(state.raisedAt), to)} working days)`;
  };
  const missed = deadlineOutcomes(state, now)
    .filter((o) => o.result === 'missed')
    .map((o) => `${o.stageName}: due ${instantInWords(new Date(o.deadline.at), procedure.workingHours.timeZone)}`);
  const stage = closingStage(state);
  return {
    id: 'north-somerset-monitoring',
    title:
      'Monitoring form (Appendix 2): a tool to record decisions and to monitor the Resolution of Professional Differences policy',
    submitTo: submitTo(procedure, 'north-somerset-monitoring'),
    fields: [
      {
        key: 'adultsName',
        label: 'Adults Name',
        value: details?.name ?? 'Not given (ask a role holder of the case to add the adult’s details)',
      },
      {
        key: 'summary',
        label: 'Summary of reason for dispute – include views of all agencies concerned',
        value: summary,
      },
      {
        key: 'agreedOutcomes',
        label:
          'Agreed outcomes or actions if satisfactorily resolved – includes escalation to next stage if unresolved',
        value: agreed,
      },
      {
        key: 'initiatingManagerName',
        label: 'Signature of initiating manager – Name',
        value: initiating ? personName(directory, initiating.by.personId) : 'Not recorded',
      },
      {
        key: 'initiatingManagerDesignation',
        label: 'Signature of initiating manager – Designation',
        value: initiating ? designation(directory, procedure, initiating) : 'Not recorded',
      },
      {
        key: 'initiatingManagerAgency',
        label: 'Signature of initiating manager – Agency',
        value: initiating ? agencyName(directory, initiating.by.agencyId) : raisingName,
      },
      {
        key: 'initiatingManagerDate',
        label: 'Signature of initiating manager – Date',
        value: initiating ? day(initiating.at, procedure) : 'Not recorded',
      },
      {
        key: 'receivingManagerName',
        label: 'Signature of receiving manager – Name',
        value: receiving ? personName(directory, receiving.by.personId) : 'Not recorded',
      },
      {
        key: 'receivingManagerDesignation',
        label: 'Signature of receiving manager – Designation',
        value: receiving ? designation(directory, procedure, receiving) : 'Not recorded',
      },
      {
        key: 'receivingManagerAgency',
        label: 'Signature of receiving manager – Agency',
        value: receiving ? agencyName(directory, receiving.by.agencyId) : respondingName,
      },
      {
        key: 'receivingManagerDate',
        label: 'Signature of receiving manager – Date',
        value: receiving ? day(receiving.at, procedure) : 'Not recorded',
      },
      {
        key: 'stageResolved',
        label: 'Stage at which resolution achieved (3 or 4)',
        value: stage ? String(stage) : state.status === 'open' ? 'Not yet resolved' : 'Not resolved',
      },
      {
        key: 'timeTaken',
        label: 'Time taken to reach resolution (No of days)',
        value: endedAt ? days(new Date(endedAt)) : `Not yet resolved: ${days(now)} so far`,
      },
      {
        key: 'comments',
        label: 'Comments and additional notes (how effective the policy was, and how it could be improved)',
        value: [
          `Case ${state.reference}, raised ${day(state.raisedAt, procedure)}; stages: ${state.stages.map((s) => s.number).join(', ')}.`,
          missed.length ? `Deadlines missed: ${missed.join('; ')}.` : 'Every stage ended within its deadline.',
        ].join(' '),
      },
    ],
  };
}

/** Cheshire East's Step 4 referral form (Appendix A): every field. */
export function cheshireEastStep4Form(
  state: CaseState,
  events: readonly CaseEvent[],
  details: PersonalDetails | undefined,
  directory: Directory,
): FilledForm {
  const { procedure } = state;
  const escalatedFrom = (stage: string): Acting | undefined =>
    [...events].reverse().find((e): e is Acting => e.type === 'escalation-requested' && e.fromStage === stage);
  const step3 = state.stages.find((s) => s.id === 'step-3');
  const boardPeople = [
    ...new Map(
      events.filter((e): e is Acting => 'by' in e && e.by.party === 'board').map((e) => [e.by.personId, e]),
    ).values(),
  ];
  const category = procedure.categories?.find((c) => c.id === state.concern.category)?.label ?? state.concern.category;
  const methodology = state.stages.map((s) => {
    const stage = procedure.stages.find((x) => x.id === s.id);
    const notes = events.filter((e) => e.type === 'note-added' && e.stage === s.id).length;
    const ended = s.endedAt ? ` to ${day(s.endedAt, procedure)} (${s.ended ?? 'ended'})` : ' (under way)';
    return `Step ${s.number}, ${stage?.name ?? s.id}: from ${day(s.startedAt, procedure)}${ended}; ${notes} note${notes === 1 ? '' : 's'} recorded.`;
  });
  return {
    id: 'cheshire-east-step-4-referral',
    title: 'Form for submitting cases for escalation and resolution to CESAB (Step 4)',
    submitTo: submitTo(procedure, 'cheshire-east-step-4-referral'),
    fields: [
      { key: 'adultName', label: 'Name of Adult at risk', value: details?.name ?? 'Not given' },
      { key: 'dateOfBirth', label: 'Date of Birth', value: details?.dateOfBirth ?? 'Not given' },
      { key: 'address', label: 'Address', value: details?.address ?? 'Not given' },
      {
        key: 'step2Manager',
        label: 'Name of Manager who escalated concern at Step 2, Role and Agency',
        value: whoLine(directory, procedure, escalatedFrom('step-2')),
      },
      {
        key: 'step3Manager',
        label: 'Name of Manager who escalated concern at Step 3, Role and Agency',
        value: whoLine(directory, procedure, escalatedFrom('step-3')),
      },
      {
        key: 'step3Concluded',
        label: 'Date that Step 3 was concluded',
        value: step3?.endedAt ? day(step3.endedAt, procedure) : 'Step 3 has not concluded',
      },
      {
        key: 'boardMembers',
        label: 'Name of Board Members, Roles and Agencies Involved',
        value: boardPeople.length ? boardPeople.map((e) => whoLine(directory, procedure, e)).join('\n') : 'None yet',
      },
      {
        key: 'details',
        label: 'Brief details about the inter agency disagreement',
        value: `${category}. ${state.concern.summary} ${agencyName(directory, state.raising.agencyId)} wanted: ${state.concern.outcomeWanted}`,
      },
      {
        key: 'methodology',
        label: 'What was the methodology used to resolve the disagreement?',
        value: methodology.join('\n'),
      },
      {
        key: 'submitTo',
        label: 'Please submit this referral to',
        value: submitTo(procedure, 'cheshire-east-step-4-referral'),
      },
    ],
  };
}

/** Which of the boards' forms a case's procedure has. */
export function formsFor(procedure: Procedure): FormId[] {
  return FORMS.filter((id) => procedure.forms.some((f) => f.id === id));
}

export function fillForm(
  id: FormId,
  state: CaseState,
  events: readonly CaseEvent[],
  details: PersonalDetails | undefined,
  directory: Directory,
  now: Date,
): FilledForm {
  return id === 'north-somerset-monitoring'
    ? northSomersetMonitoringForm(state, events, details, directory, now)
    : cheshireEastStep4Form(state, events, details, directory);
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
