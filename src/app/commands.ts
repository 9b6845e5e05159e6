/** The command a button stands for, on any platform, with the words its form carried. */
import type { Actor, CaseCommand } from '../domain/escalation';

/** The commands a card can give about a case; any other verb is not one the bot knows. */
export const CASE_COMMANDS: ReadonlySet<string> = new Set<CaseCommand['type']>([
  'acknowledge',
  'add-note',
  'propose-resolution',
  'confirm-resolution',
  'dispute-resolution',
  'request-escalation',
  'approve-escalation',
  'take-up',
  'return-escalation',
  'record-final-decision',
  'withdraw',
  'agree-plan',
  'confirm-plan',
  'confirm-safety',
  'agree-timescale',
  'confirm-timescale',
  'record-milestone',
]);

/** The id of a form input: the verb it belongs to and the command field it fills ("withdraw.reason"). */
export function inputId(verb: string, field: string): string {
  return `${verb}.${field}`;
}

/** The command a card button stands for, with the text its inputs carried. */
/** A date input's answer as 'YYYY-MM-DD' (how Slack's date picker and Teams' Input.Date send it), or '' if none. */
export function dateOf(data: Record<string, unknown>, verb: string, field: string): string {
  const v = data[inputId(verb, field)];
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v.trim()) ? v.trim() : '';
}

export function commandFrom(verb: string, data: Record<string, unknown>, actor: Actor): CaseCommand {
  const field = (name: string): string => {
    const v = data[inputId(verb, name)];
    return typeof v === 'string' ? v : '';
  };
  /** A choice of yes or no ('yes', 'no'), or undefined where none was made. */
  const yesNo = (name: string): boolean | undefined => {
    const v = field(name);
    return v === 'yes' ? true : v === 'no' ? false : undefined;
  };
  const base = { actor, ...(typeof data.stage === 'string' ? { expectedStage: data.stage } : {}) };
  switch (verb) {
    case 'add-note':
      return { ...base, type: 'add-note', text: field('text') };
    case 'propose-resolution':
      return {
        ...base,
        type: 'propose-resolution',
        outcome: field('outcome'),
        outstandingIssues: field('outstandingIssues'),
      };
    case 'request-escalation': {
      // Where the next stage branches, the urgent or non-urgent way, as chosen on the card.
      const urgent = yesNo('urgent');
      return {
        ...base,
        type: 'request-escalation',
        reason: field('reason'),
        ...(urgent === undefined ? {} : { urgent }),
      };
    }
    case 'dispute-resolution':
    case 'return-escalation':
    case 'withdraw':
      return { ...base, type: verb, reason: field('reason') };
    case 'record-final-decision':
      return {
        ...base,
        type: 'record-final-decision',
        decision: field('decision'),
        ...(field('also') ? { also: field('also') } : {}),
      };
    case 'agree-plan':
      return { ...base, type: 'agree-plan', plan: field('plan'), reviewOn: field('reviewOn') };
    case 'record-milestone': {
      const date = field('date');
      const milestone = field('milestone');
      return {
        ...base,
        type: 'record-milestone',
        note: field('note'),
        ...(date ? { date } : {}),
        ...(milestone ? { milestone } : {}),
      };
    }
    case 'agree-timescale':
      return { ...base, type: 'agree-timescale', date: field('date') };
    case 'confirm-safety':
      return { ...base, type: 'confirm-safety', steps: field('steps') };
    default:
      return {
        ...base,
        type: verb as
          | 'confirm-plan'
          | 'confirm-timescale'
          | 'acknowledge'
          | 'confirm-resolution'
          | 'approve-escalation'
          | 'take-up',
      };
  }
}
