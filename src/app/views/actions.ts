/**
 * The buttons of a stage card, for one viewer: what each is called and what it asks for (words, a
 * date, a choice), drawn the same on Teams and Slack. Where the file or the case shapes a button
 * (the urgent or non-urgent way where the next stage branches, a milestone's own label, the
 * decision's extra field), it is shaped here.
 */
import {
  calendarFor,
  milestonesFor,
  nextStages,
  owedMilestones,
  type Actor,
  type CaseCommand,
  type CaseState,
} from '../../domain/escalation';
import type { Stage } from '../../domain/procedure';

export type Verb = CaseCommand['type'];

/**
 * What an input asks for: words (the default), a date (it arrives in the command's data as
 * 'YYYY-MM-DD', on every platform), or one of `options` (its `value` arrives).
 */
export type InputKind = 'text' | 'date' | 'choice';

/** One input of an action's form. */
export interface InputView {
  id: string;
  label: string;
  placeholder: string;
  kind?: InputKind;
  /** For a choice: what may be chosen. */
  options?: { value: string; title: string }[];
  /** What the input starts with: an option's value, or a date 'YYYY-MM-DD'. */
  initial?: string;
}

export interface ActionView {
  verb: Verb;
  title: string;
  /** What the action asks for, if anything (a note, a reason, an outcome, a date, a choice). */
  input?: InputView & { second?: InputView };
  style?: 'positive' | 'destructive';
}

const ACTIONS: Record<Verb, Omit<ActionView, 'verb'>> = {
  acknowledge: { title: 'Acknowledge', style: 'positive' },
  'add-note': {
    title: 'Add note',
    input: { id: 'text', label: 'Note', placeholder: 'What happened, or what you did (no names of the adult)' },
  },
  'propose-resolution': {
    title: 'Propose resolution',
    input: {
      id: 'outcome',
      label: 'Outcome agreed',
      placeholder: 'The outcome both agencies agree',
      second: {
        id: 'outstandingIssues',
        label: 'Outstanding issues',
        placeholder: 'How any outstanding issues will be pursued, or "none"',
      },
    },
  },
  'confirm-resolution': { title: 'Confirm resolution', style: 'positive' },
  'dispute-resolution': {
    title: 'Dispute resolution',
    input: { id: 'reason', label: 'Why your agency does not agree', placeholder: 'What is missing or wrong' },
  },
  'agree-plan': {
    title: 'Propose plan of action',
    input: {
      id: 'plan',
      label: 'Plan of action',
      placeholder: 'Who will do what, by when (no names of the adult)',
      second: { id: 'reviewOn', label: 'Review date', placeholder: 'The day to review the plan', kind: 'date' },
    },
  },
  'confirm-plan': { title: 'Agree plan of action', style: 'positive' },
  'confirm-safety': {
    title: 'Confirm adult is safe',
    input: {
      id: 'steps',
      label: 'Steps taken to keep the adult safe',
      placeholder: 'What is in place while the discussions take place',
    },
  },
  'agree-timescale': {
    title: 'Propose a date',
    input: {
      id: 'date',
      label: 'Date both agencies agree',
      placeholder: 'No later than the date the procedure allows',
      kind: 'date',
    },
  },
  'confirm-timescale': { title: 'Agree the date', style: 'positive' },
  'record-milestone': {
    title: 'Record progress',
    input: {
      id: 'note',
      label: 'What was done',
      placeholder: 'For example: minutes sent to everyone at the meeting',
      second: { id: 'date', label: 'Date', placeholder: 'The date it is for', kind: 'date' },
    },
  },
  'request-escalation': {
    title: 'Request escalation',
    input: {
      id: 'reason',
      label: 'Why it needs the next stage',
      placeholder: 'What has been tried and why it has not resolved',
    },
  },
  'approve-escalation': { title: 'Approve escalation', style: 'positive' },
  'take-up': { title: 'Take it up', style: 'positive' },
  'return-escalation': {
    title: 'Return escalation',
    input: { id: 'reason', label: 'Why it is returned', placeholder: 'What should be tried at this stage first' },
  },
  'record-final-decision': {
    title: 'Record decision',
    input: { id: 'decision', label: 'The decision', placeholder: 'The decision and the way forward' },
  },
  withdraw: {
    title: 'Withdraw',
    style: 'destructive',
    input: { id: 'reason', label: 'Why it is withdrawn', placeholder: 'For example: resolved by phone' },
  },
};

/** The words asked where the next stage branches (Lincolnshire's step 4a or 4b): which way it goes. */
export const WHICH_WAY = {
  id: 'urgent',
  label: 'Which way it goes next',
  placeholder: 'Choose one',
} as const;

/**
 * A button of the card: its words and what it asks for. Asking to escalate where the next stage
 * branches (Lincolnshire: "Step 4a (Urgent) ... Step 4b (Non-urgent)") asks which of the two,
 * whatever was answered about immediate risk when the case was raised; the answer the case
 * carries is chosen to start with.
 */
function actionView(state: CaseState, stage: Stage, verb: Verb): ActionView {
  const action: ActionView = { verb, ...ACTIONS[verb] };
  if (verb !== 'request-escalation' || !action.input) return action;
  const branches = nextStages(state.procedure, stage);
  const urgent = branches.find((s) => s.branch === 'urgent');
  const other = branches.find((s) => s.branch === 'non-urgent');
  if (!urgent || !other) return action;
  // Short enough for a Slack option (75 characters): the branch first, then the stage's own name.
  const words = (s: Stage) => `${s.branch === 'urgent' ? 'Urgent' : 'Not urgent'}: ${s.name}`;
  return {
    ...action,
    input: {
      ...action.input,
      second: {
        ...WHICH_WAY,
        kind: 'choice',
        options: [
          { value: 'yes', title: words(urgent) },
          { value: 'no', title: words(other) },
        ],
        initial: state.urgent ? 'yes' : 'no',
      },
    },
  };
}

/** Every verb a card can offer, in the order the card shows its buttons. */
export const CARD_VERBS = Object.keys(ACTIONS) as Verb[];

/** A button's words, e.g. "Approve escalation". */
export function actionTitle(verb: Verb): string {
  return ACTIONS[verb].title;
}

/** A button as this viewer sees it: a milestone's own label, the decision's extra field from the file. */
export function actionFor(state: CaseState, stage: Stage, verb: Verb, viewer: Actor | undefined): ActionView {
  const action = actionView(state, stage, verb);
  if (verb === 'record-milestone' && action.input) {
    const calendar = calendarFor(state.procedure);
    const next = (viewer ? milestonesFor(state, viewer, calendar) : owedMilestones(state, calendar))[0];
    if (!next) return action;
    const { second, ...first } = action.input;
    return {
      ...action,
      title: `Record: ${next.milestone.label}`,
      input: { ...first, ...(next.milestone.date && second ? { second } : {}) },
    };
  }
  const also = stage.decision?.alsoRecord;
  if (verb === 'record-final-decision' && action.input && also)
    return {
      ...action,
      input: { ...action.input, second: { id: 'also', label: also.label, placeholder: 'What is agreed, or "none"' } },
    };
  return action;
}
