/**
 * Whose move it is on a case, in words, for every card of it: who must act, what, and by when
 * ("Megan Hart, HealthWatch Lincolnshire: acknowledge by 5pm Friday 4 December, 2 working days"),
 * and where the case is on the board's ladder. Worked out by asking the rules (availableCommands)
 * of each person who could act, so it follows each board's procedure without a list of its own.
 */
import { deadlineInWords } from '../../domain/calendar';
import type { Directory, Person } from '../../domain/directory';
import {
  availableCommands,
  calendarFor,
  nextDeadline,
  nextStage,
  planHoldsUntil,
  type CaseCommand,
  type CaseState,
} from '../../domain/escalation';
import type { Stage } from '../../domain/procedure';
import { actorFor } from '../people';

type Verb = CaseCommand['type'];

/** Buttons anyone taking part always has: having them is not a move of theirs. */
export const ROUTINE: ReadonlySet<Verb> = new Set(['add-note', 'withdraw']);

/** What a move is, in words, most pressing first; a person's move is the first of theirs here. */
export const MOVES: ReadonlyArray<{ verbs: Verb[]; words: string }> = [
  { verbs: ['approve-escalation', 'return-escalation'], words: 'approve or return the escalation' },
  { verbs: ['acknowledge'], words: 'acknowledge' },
  { verbs: ['confirm-resolution', 'dispute-resolution'], words: 'confirm or dispute the proposed outcome' },
  { verbs: ['record-final-decision'], words: 'record the decision' },
  { verbs: ['confirm-plan'], words: 'agree the proposed plan of action' },
  { verbs: ['confirm-timescale'], words: 'agree the proposed date' },
  { verbs: ['record-milestone'], words: 'record what the procedure asks for next' },
  { verbs: ['confirm-safety'], words: 'confirm the steps taken to keep the adult safe' },
  { verbs: ['take-up'], words: 'take the case up at the next stage' },
];

export interface MoveLine {
  /** "Megan Hart, HealthWatch Lincolnshire" (a few names, and how many more). */
  who: string;
  /** "acknowledge" */
  what: string;
  /** The whole line: "Megan Hart, HealthWatch Lincolnshire: acknowledge by 5pm Friday 4 December, 2 working days". */
  line: string;
}

export interface LadderStep {
  number: number;
  name: string;
  /** done: the case has been through it; now: under way; next: where an escalation would go; later. */
  state: 'done' | 'now' | 'next' | 'later';
  line: string;
}

export interface WhoseMove {
  moves: MoveLine[];
  /** When nobody has a pressing move: what both agencies are doing now, and by when. */
  meanwhile?: string;
  /** The deadline, in words with the working days left ("by 5pm Friday 4 December, 2 working days"). */
  due?: string;
  /** The people who may approve the escalation waiting, by name and agency. */
  approvers?: string;
  ladder: LadderStep[];
  /** What comes next if this stage does not resolve it. */
  next?: string;
}

/** People who could act on the case: its two agencies' staff and the board's own staff. */
export function candidates(state: CaseState, directory: Directory): Person[] {
  const agencies = new Set([state.raising.agencyId, state.responding.agencyId]);
  for (const a of directory.agencies)
    if (a.kind === 'safeguarding-adults-board' && a.boards.includes(state.boardId)) agencies.add(a.id);
  return directory.people.filter((p) => agencies.has(p.agency));
}

function agencyName(directory: Directory, id: string): string {
  return directory.agencies.find((a) => a.id === id)?.name ?? id;
}

/** "Megan Hart", "Megan Hart or Dan Price", "Megan Hart, Dan Price or 3 others". */
export function namesOr(names: readonly string[], shown = 3): string {
  if (names.length <= 1) return names[0] ?? 'nobody';
  if (names.length <= shown) return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
  return `${names.slice(0, shown - 1).join(', ')} or ${names.length - shown + 1} others`;
}

/** "by 5pm Friday 4 December, 2 working days" / "today" / "overdue since …, 3 working days". */
export function dueInWords(state: CaseState, now: Date): string | undefined {
  const deadline = nextDeadline(state);
  if (!deadline) return undefined;
  const at = new Date(deadline.at);
  const tz = state.procedure.workingHours.timeZone;
  const calendar = calendarFor(state.procedure);
  // A mutually agreed plan of action holds the stage until its review date.
  const held = planHoldsUntil(state);
  if (held && now < held && state.plan) {
    const left = calendar.workingDaysBetween(now, held);
    return `by the plan's review, ${deadlineInWords(held, tz, now).replace(/^by /, '')}${left > 0 ? `, ${left} working day${left === 1 ? '' : 's'}` : ', today'}`;
  }
  if (at <= now) {
    const late = calendar.workingDaysBetween(at, now);
    const since = deadlineInWords(at, tz, now).replace(/^by /, '');
    return `overdue since ${since}${late > 0 ? `, ${late} working day${late === 1 ? '' : 's'} late` : ''}`;
  }
  const left = calendar.workingDaysBetween(now, at);
  const days = left <= 0 ? 'today' : `${left} working day${left === 1 ? '' : 's'}`;
  return `${deadlineInWords(at, tz, now)}, ${days}`;
}

function stageLabel(stage: Stage): string {
  return `Stage ${stage.number}: ${stage.name}`;
}

/** The board's ladder as the case stands: the stages it has been through, the one under way, and what follows. */
export function ladderOf(state: CaseState): { steps: LadderStep[]; next?: string } {
  const { procedure } = state;
  const current = state.stages[state.stages.length - 1];
  const stage = procedure.stages.find((s) => s.id === current?.id);
  const done = new Set(state.stages.slice(0, -1).map((s) => s.id));
  const following = stage && state.status === 'open' ? nextStage(procedure, stage, state.urgent) : undefined;
  // One step per number: the branch taken (or to be taken) where the ladder splits.
  const byNumber = new Map<number, Stage>();
  for (const s of [...procedure.stages].sort((a, b) => a.number - b.number)) {
    const taken = done.has(s.id) || s.id === stage?.id || s.id === following?.id;
    // Where the ladder splits further on, the branch this case would take (urgent or not).
    const likely = s.branch === (state.urgent ? 'urgent' : 'non-urgent');
    const held = byNumber.get(s.number);
    const heldTaken = held && (done.has(held.id) || held.id === stage?.id || held.id === following?.id);
    if (!held || taken || (likely && !heldTaken)) byNumber.set(s.number, s);
  }
  const steps = [...byNumber.values()].map((s): LadderStep => {
    const state_: LadderStep['state'] =
      s.id === stage?.id ? 'now' : done.has(s.id) ? 'done' : s.id === following?.id ? 'next' : 'later';
    const mark = { done: 'done', now: 'under way', next: 'next', later: '' }[state_];
    return { number: s.number, name: s.name, state: state_, line: `${stageLabel(s)}${mark ? ` (${mark})` : ''}` };
  });
  const next = following
    ? `If this stage does not resolve it, the case can go to ${stageLabel(following)}.`
    : stage && state.status === 'open'
      ? 'This is the last stage of the procedure.'
      : undefined;
  return { steps, ...(next ? { next } : {}) };
}

/** A person's move, in words, from the commands they have now (the most pressing one), if they have one. */
export function moveOf(verbs: ReadonlySet<Verb>): string | undefined {
  return MOVES.find((m) => m.verbs.some((v) => verbs.has(v)))?.words;
}

/** Whose move it is on an open case, with the deadline and the ladder. */
export function whoseMove(state: CaseState, directory: Directory, now: Date): WhoseMove {
  const { steps, next } = ladderOf(state);
  if (state.status !== 'open') return { moves: [], ladder: steps };
  const due = dueInWords(state, now);
  const calendar = calendarFor(state.procedure);
  // Grouped by agency and move, in the order people were found (the case's own agencies first).
  const groups = new Map<string, { agency: string; what: string; names: string[] }>();
  const approverNames: string[] = [];
  for (const person of candidates(state, directory)) {
    const verbs = new Set(availableCommands(state, actorFor(directory, person, now), now, calendar));
    if (verbs.has('approve-escalation')) approverNames.push(`${person.name} (${agencyName(directory, person.agency)})`);
    const what = moveOf(verbs);
    if (!what) continue;
    const key = `${person.agency}|${what}`;
    const group = groups.get(key) ?? { agency: agencyName(directory, person.agency), what, names: [] };
    group.names.push(person.name);
    groups.set(key, group);
  }
  const order = (what: string): number => MOVES.findIndex((m) => m.words === what);
  const moves = [...groups.values()]
    .sort((a, b) => order(a.what) - order(b.what))
    .map((g) => {
      const who = `${namesOr(g.names)}, ${g.agency}`;
      return {
        who,
        what: g.what,
        line: `${who}: ${g.what}${due ? ` ${due.startsWith('by ') ? due : `(${due})`}` : ''}`,
      };
    });
  const meanwhile = moves.length
    ? undefined
    : `Both agencies: agree an outcome and propose it here, or ask to escalate${due ? (due.startsWith('by ') ? `, ${due}` : ` (${due})`) : ''}.`;
  return {
    moves,
    ...(meanwhile ? { meanwhile } : {}),
    ...(due ? { due } : {}),
    ...(approverNames.length && state.pendingEscalation ? { approvers: namesOr(approverNames, 4) } : {}),
    ladder: steps,
    ...(next ? { next } : {}),
  };
}
