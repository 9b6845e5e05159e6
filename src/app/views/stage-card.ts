/**
 * What a stage card shows, for one viewer: the same view model is rendered as an Adaptive Card
 * (Teams) and as Block Kit (Slack). It names staff, never the adult: the adult is their initials
 * and each agency's record number.
 */
import { deadlineInWords, instantInWords, instantToZoned } from '../../domain/calendar';
import { roleHolders, type Directory } from '../../domain/directory';
import {
  availableCommands,
  formsDue,
  calendarFor,
  nextDeadline,
  owedMilestones,
  planHoldsUntil,
  type Actor,
  type CaseEvent,
  type CaseState,
  type Side,
} from '../../domain/escalation';
import {
  shortNameOf,
  closedSignposts,
  stageSignposts,
  type Procedure,
  type SignpostView,
  type Stage,
} from '../../domain/procedure';
import { historyLine, historyLines, type HistoryReader } from './history';
import { actionFor, CARD_VERBS, type ActionView, type Verb } from './actions';
import { whoseMove } from './whose-move';

export { historyLine, historyLines } from './history';
export { actionTitle, WHICH_WAY, type ActionView, type InputKind, type InputView, type Verb } from './actions';

export interface PersonView {
  name: string;
  role: string;
  actingFor?: string;
}

export interface SideView {
  side: Side;
  label: string;
  agency: string;
  recordNumber?: string;
  people: PersonView[];
  acknowledged: boolean;
}

/** A side's latest word on the case: what it last said, proposed, disputed or asked. */
export interface PositionView {
  agency: string;
  text: string;
}

export interface StageCardView {
  reference: string;
  board: string;
  /** The board's name in full, said once on the card. */
  boardName: string;
  status: CaseState['status'];
  statusText: string;
  /** The status's colour (the words say it too): good, attention (overdue or urgent), accent (waiting), default. */
  statusStyle: 'good' | 'attention' | 'accent' | 'default';
  closed: boolean;
  /** What the disagreement is, in the raiser's words: what it is, the outcome wanted, what keeps the adult safe. */
  substance: { summary: string; outcomeWanted: string; safetyMeanwhile: string; adultWishes?: string };
  positions: PositionView[];
  /** Whose move it is, a line each: "Megan Hart, HealthWatch Lincolnshire: acknowledge by 5pm Friday 4 December, 2 working days". */
  moves: string[];
  /** The escalation waiting for approval: who may approve it, by name. */
  approvers?: string;
  /** The board's ladder, a line a stage ("Stage 2: Line managers (under way)"), and what comes next. */
  ladder: string[];
  next?: string;
  urgent: boolean;
  adult: string;
  category: string;
  stage: { id: string; number: number; name: string; achieves: string; of: number };
  sides: SideView[];
  boardPeople: PersonView[];
  deadline?: { words: string; at: string; overdue: boolean; phrase: string };
  pending?: string;
  proposal?: { outcome: string; outstandingIssues: string; by: string };
  /** The plan of action proposed or agreed at this stage, in words, with its review date. */
  plan?: string;
  /** What the stage asks that is still owed, or given ("Confirmation that the adult is safe meanwhile: still owed by …"). */
  owed?: string[];
  closing?: string;
  /** What the bot could not do for the case, in words ("… could not be reached on Teams …"). */
  problems: string[];
  /** The latest events, and every one (latest last) for "see all". */
  history: string[];
  allHistory: string[];
  historyCount: number;
  actions: ActionView[];
  viewer: string;
  /**
   * The board's forms this viewer is to complete now (stages[].forms), a line each naming the
   * form, with the button (verb `complete-form`) and what it asks them to type.
   */
  forms?: FormPromptView[];
  /** Where the procedure points people at this stage, for this kind of disagreement (the board's `signposts`). */
  signposts?: SignpostView[];
}

/** A form the viewer is to complete: the line on their card, and the questions the form puts to them. */
export interface FormPromptView {
  verb: 'complete-form';
  form: string;
  stage: string;
  title: string;
  line: string;
  /** The typed fields: each checked, as all free text is, not to name the adult. */
  inputs: Array<{ id: string; label: string; prompt: string; optional: boolean }>;
}

/** The forms `viewer` is to complete now, as lines for their card. */
export function formPrompts(state: CaseState, viewer: Actor | undefined): FormPromptView[] {
  if (!viewer) return [];
  return formsDue(state, viewer).map((due) => {
    const declared = state.procedure.forms.find((f) => f.id === due.form);
    const stageName = state.procedure.stages.find((s) => s.id === due.stage)?.name ?? due.stage;
    return {
      verb: 'complete-form',
      form: due.form,
      stage: due.stage,
      title: due.title,
      line: `The procedure asks you to complete ${declared?.name ?? `the ${due.title}`} for stage ${due.stageNumber} (${stageName}): “${due.phrase}”. Press Complete the form: the rest is filled from the case, and it is sent as the procedure says.`,
      inputs: (declared?.fields ?? [])
        .filter((f) => f.from === 'typed')
        .map((f) => ({ id: f.key, label: f.label, prompt: f.prompt ?? f.label, optional: f.optional })),
    };
  });
}

const STATUS_TEXT: Record<CaseState['status'], string> = {
  open: 'Open',
  resolved: 'Resolved: both agencies confirmed the outcome',
  decided: 'Closed by a decision',
  withdrawn: 'Withdrawn',
};

export interface CardContext {
  /** Whose card it is; with no viewer, the card everyone sees shows what anyone taking part could do. */
  viewer?: Actor;
  now: Date;
  directory: Directory;
  /** The case's events, for the history lines (the last few are shown). */
  events?: readonly CaseEvent[];
  /** What the bot could not deliver for the case (from the outbox), said on the card. */
  problems?: readonly string[];
}

const HISTORY_SHOWN = 5;
/** "See all" keeps a card inside what Teams and Slack will show. */
const HISTORY_ALL = 40;

function title(procedure: Procedure, role: string): string {
  return procedure.roles.find((r) => r.id === role)?.title ?? role;
}

function personName(directory: Directory, personId: string): string {
  return directory.people.find((p) => p.id === personId)?.name ?? personId;
}

function agencyName(directory: Directory, agencyId: string): string {
  return directory.agencies.find((a) => a.id === agencyId)?.name ?? agencyId;
}

function holders(
  procedure: Procedure,
  directory: Directory,
  agencyId: string,
  roles: readonly string[],
  on: string,
): PersonView[] {
  return roles.flatMap((role) =>
    roleHolders(directory, agencyId, role, on).map((h) => ({
      name: h.person.name,
      role: title(procedure, role),
      ...(h.actingFor.length ? { actingFor: h.actingFor.map((p) => p.name).join(', ') } : {}),
    })),
  );
}

const SHOWN = 4;

/** A few people by name, and how many more. */
function capped(people: PersonView[]): PersonView[] {
  if (people.length <= SHOWN) return people;
  return [
    ...people.slice(0, SHOWN - 1),
    { name: `and ${people.length - SHOWN + 1} more`, role: people[SHOWN - 1]?.role ?? '' },
  ];
}

/**
 * What anyone taking part could do now (the card for everyone, where a client cannot show each
 * person their own): the union over each side's and the board's role holders. The rules still
 * decide each click, and a click by someone not entitled is refused and recorded.
 */
export function anyonesCommands(state: CaseState, now: Date): Verb[] {
  const allRoles = state.procedure.roles.map((r) => r.id);
  const stand = (party: Side | 'board'): Actor =>
    party === 'board'
      ? {
          personId: 'board',
          agencyId: 'board',
          roles: allRoles.filter((r) => state.procedure.roles.find((x) => x.id === r)?.scope === 'board'),
        }
      : { personId: state[party].personId ?? `${party}-holder`, agencyId: state[party].agencyId, roles: allRoles };
  const found = new Set<Verb>();
  for (const party of ['raising', 'responding', 'board'] as const)
    for (const verb of availableCommands(state, stand(party), now)) found.add(verb);
  return CARD_VERBS.filter((v) => found.has(v));
}

/** The status of an open case in words: what it is waiting for. */
function statusInWords(state: CaseState, overdue: boolean): string {
  const waiting = state.pendingEscalation
    ? 'Open: an escalation is waiting for approval'
    : state.proposal
      ? 'Open: an outcome has been proposed and waits for the other agency'
      : 'Open';
  return overdue ? `${waiting} (overdue)` : waiting;
}

const POSITION_EVENTS: ReadonlySet<CaseEvent['type']> = new Set([
  'case-raised',
  'note-added',
  'resolution-proposed',
  'resolution-disputed',
  'escalation-requested',
  'plan-proposed',
]);

/** Each side's latest word: what it last said, proposed, disputed or asked (the raiser's concern to start with). */
function positionsOf(state: CaseState, events: readonly CaseEvent[], directory: Directory, now: Date): PositionView[] {
  const found: PositionView[] = [];
  for (const side of ['raising', 'responding'] as const) {
    const latest = [...events].reverse().find((e) => POSITION_EVENTS.has(e.type) && e.by.party === side);
    if (!latest) continue;
    const line =
      latest.type === 'case-raised'
        ? `${instantInWords(new Date(latest.at), state.procedure.workingHours.timeZone, now)} — ${personName(directory, latest.by.personId)}: raised it (the disagreement above)`
        : historyLine(latest, state.procedure, directory, now);
    found.push({ agency: agencyName(directory, state[side].agencyId), text: line });
  }
  return found;
}

/** The plan of action at the stage under way, in words. */
function planLine(state: CaseState, directory: Directory): string | undefined {
  const plan = state.plan;
  if (!plan || plan.stage !== state.stages[state.stages.length - 1]?.id) return undefined;
  const review = instantInWords(new Date(plan.reviewAt), state.procedure.workingHours.timeZone, new Date(plan.at));
  const status = plan.agreedAt
    ? 'agreed by both agencies'
    : `proposed by ${personName(directory, plan.by)}, waiting for the other agency to agree it`;
  return `Plan of action (${status}), to be reviewed ${review}: ${plan.text}`;
}

/** A date proposed for the stage's limit, waiting for the other agency ("within a time scale which is acceptable to both"). */
function timescaleLines(state: CaseState, directory: Directory, now: Date): string[] {
  const proposal = state.timescaleProposal;
  if (!proposal || proposal.stage !== state.stages[state.stages.length - 1]?.id || state.status !== 'open') return [];
  const due = deadlineInWords(new Date(proposal.due), state.procedure.workingHours.timeZone, now);
  return [
    `Date proposed for this stage (${proposal.phrase}): ${due}, proposed by ${personName(directory, proposal.by)}, waiting for the other agency to agree it`,
  ];
}

/** The milestones still owed, with their limits in words ("Minutes sent: by 5pm Friday 10 April"). */
function milestoneLines(state: CaseState, now: Date): string[] {
  const tz = state.procedure.workingHours.timeZone;
  return owedMilestones(state, calendarFor(state.procedure)).map(
    (o) => `Still owed: ${o.milestone.label}${o.due ? `, ${deadlineInWords(new Date(o.due), tz, now)}` : ''}`,
  );
}

/** What the stage asks for that is owed or given: the confirmation that the adult is safe meanwhile. */
function owedLines(
  state: CaseState,
  stage: Stage,
  current: CaseState['stages'][number] | undefined,
  directory: Directory,
): string[] {
  const ask = stage.confirmSafety;
  if (!ask || !current) return [];
  const given = current.safetyConfirmed ?? {};
  const sides: Side[] = ask.from === 'raising' ? ['raising'] : ['raising', 'responding'];
  const lines = sides
    .filter((side) => given[side])
    .map((side) => {
      const g = given[side];
      return `Steps taken to keep the adult safe, confirmed by ${personName(directory, g?.by ?? '')} (${agencyName(directory, state[side].agencyId)}): ${g?.steps ?? ''}`;
    });
  const anyGiven = Boolean(given.raising || given.responding);
  const stillOwed = ask.from === 'either' ? (anyGiven ? [] : sides) : sides.filter((s) => !given[s]);
  if (stillOwed.length)
    lines.push(
      `Still owed: the ${title(state.procedure, ask.by[0] ?? '')}${ask.from === 'each' ? ' of ' + stillOwed.map((s) => agencyName(directory, state[s].agencyId)).join(' and ') : ask.from === 'raising' ? ` of ${agencyName(directory, state.raising.agencyId)}` : ''} to confirm the steps taken to keep the adult safe whilst discussions take place.`,
    );
  return lines;
}

export function stageCardView(state: CaseState, context: CardContext): StageCardView {
  const { procedure } = state;
  const { directory, now, viewer } = context;
  const verbs = viewer ? availableCommands(state, viewer, now) : anyonesCommands(state, now);
  const current = state.stages[state.stages.length - 1];
  const stage = procedure.stages.find((s) => s.id === current?.id) as Stage;
  const on = instantToZoned(now, procedure.workingHours.timeZone).date;
  const firstStage = state.stages[0]?.id === stage.id;
  const sideView = (side: Side): SideView => {
    const agencyId = state[side].agencyId;
    const roles = stage.sides?.[side] ?? [];
    // At the stage the case started at, the two people named in it; later, the stage's role
    // holders in each agency (a few named, the rest counted).
    const named = state[side].personId;
    const people: PersonView[] =
      firstStage && named
        ? [{ name: personName(directory, named), role: side === 'raising' ? 'raised it' : 'named as the counterpart' }]
        : capped(holders(procedure, directory, agencyId, roles, on));
    return {
      side,
      label: side === 'raising' ? 'Raised by' : 'Responding',
      agency: agencyName(directory, agencyId),
      ...(state.subject.recordNumbers[side] ? { recordNumber: state.subject.recordNumbers[side] } : {}),
      people,
      acknowledged: Boolean(current?.acknowledged[side]),
    };
  };
  const deadline = nextDeadline(state);
  const tz = procedure.workingHours.timeZone;
  const pending = state.pendingEscalation
    ? `${personName(directory, state.pendingEscalation.by)} asked to escalate to ${procedure.stages.find((s) => s.id === state.pendingEscalation?.toStage)?.name ?? state.pendingEscalation.toStage}: ${state.pendingEscalation.reason}`
    : undefined;
  const closing =
    state.status === 'resolved' && state.outcome
      ? `Outcome agreed: ${state.outcome.text} Outstanding issues: ${state.outcome.outstandingIssues}`
      : state.status === 'decided' && state.decision
        ? `Decision${state.decision.finalAndBinding ? ' (final and binding)' : ''}: ${state.decision.text}`
        : state.status === 'withdrawn' && state.withdrawal
          ? `Withdrawn: ${state.withdrawal.reason}`
          : undefined;
  const reader: HistoryReader = viewer ? { agencyId: viewer.agencyId } : {};
  const shared = historyLines(context.events ?? [], procedure, directory, now, reader);
  const move = whoseMove(state, directory, now);
  const closed = state.status !== 'open';
  const held = planHoldsUntil(state);
  const planHolds = Boolean(held && now < held);
  const overdue = Boolean(deadline && new Date(deadline.at) <= now) && !planHolds;
  const plan = planLine(state, directory);
  const owed = [
    ...timescaleLines(state, directory, now),
    ...owedLines(state, stage, current, directory),
    ...milestoneLines(state, now),
  ];
  return {
    reference: state.reference,
    board: shortNameOf(procedure),
    boardName: procedure.name,
    status: state.status,
    statusText: closed ? STATUS_TEXT[state.status] : statusInWords(state, overdue),
    statusStyle: closed
      ? state.status === 'withdrawn'
        ? 'default'
        : 'good'
      : overdue || state.urgent
        ? 'attention'
        : state.pendingEscalation || state.proposal
          ? 'accent'
          : 'default',
    closed,
    substance: {
      summary: state.concern.summary,
      outcomeWanted: state.concern.outcomeWanted,
      safetyMeanwhile: state.concern.safetyMeanwhile,
      ...(state.concern.adultWishes ? { adultWishes: state.concern.adultWishes } : {}),
    },
    positions: positionsOf(state, context.events ?? [], directory, now),
    moves: move.moves.length ? move.moves.map((m) => m.line) : move.meanwhile ? [move.meanwhile] : [],
    ...(move.approvers ? { approvers: move.approvers } : {}),
    ladder: move.ladder.map((s) => s.line),
    ...(move.next ? { next: move.next } : {}),
    urgent: state.urgent,
    adult: `${state.subject.initials}`,
    category: procedure.categories?.find((c) => c.id === state.concern.category)?.label ?? state.concern.category,
    stage: {
      id: stage.id,
      number: stage.number,
      name: stage.name,
      achieves: stage.achieves,
      of: Math.max(...procedure.stages.map((s) => s.number)),
    },
    sides: [sideView('raising'), sideView('responding')],
    boardPeople: capped(
      (stage.board ?? []).flatMap((role) =>
        directory.agencies
          .filter((a) => a.boards.includes(procedure.id))
          .flatMap((a) => holders(procedure, directory, a.id, [role], on)),
      ),
    ),
    ...(deadline
      ? {
          deadline: {
            words: deadlineInWords(new Date(deadline.at), tz, now),
            at: deadline.at,
            overdue,
            phrase: deadline.phrase,
          },
        }
      : {}),
    ...(pending ? { pending } : {}),
    ...(state.proposal
      ? {
          proposal: {
            outcome: state.proposal.outcome,
            outstandingIssues: state.proposal.outstandingIssues,
            by: personName(directory, state.proposal.by),
          },
        }
      : {}),
    ...(plan ? { plan } : {}),
    ...(owed.length ? { owed } : {}),
    ...(closing ? { closing } : {}),
    problems: [...(context.problems ?? [])],
    history: shared.slice(-HISTORY_SHOWN),
    allHistory: shared.slice(-HISTORY_ALL),
    historyCount: shared.length,
    // A closed case keeps only what outlives it (a milestone still owed, such as minutes).
    actions: verbs
      .filter((verb) => state.status === 'open' || verb === 'record-milestone')
      .map((verb) => actionFor(state, stage, verb, viewer)),
    viewer: viewer?.personId ?? 'everyone',
    ...(formPrompts(state, viewer).length ? { forms: formPrompts(state, viewer) } : {}),
    signposts: closed
      ? closedSignposts(procedure, state.concern.category)
      : stageSignposts(procedure, stage.id, state.concern.category),
  };
}
