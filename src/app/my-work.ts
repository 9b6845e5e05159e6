/**
 * Finding your work: the open cases a person is a party to or holds a role in, and the
 * escalations waiting for them to approve or return, each with whose move it is and the deadline;
 * and one case shown by its reference. Every case listed or shown is let through the one read
 * policy (CaseAccess): a case the person may not see is never listed, and a reference that is not
 * theirs gets the same answer as one that does not exist. A list names staff and agencies, never
 * the adult (not even their initials), and says nothing of the disagreement's substance, so
 * listing is not logged; a card shown is (the access log's `card`, as a card refreshed is).
 */
import { availableCommands, calendarFor, nextDeadline, type Actor, type CaseState } from '../domain/escalation';
import type { Directory } from '../domain/directory';
import { CaseAccess, type Platform } from './access';
import { problemWords } from './delivery-failure';
import type { CaseRepository, StoredCase } from './store/repository';
import { moveOf, MOVES, whoseMove } from './views/whose-move';
import type { CaseEvent, Refusal } from '../domain/escalation';

/** One case in a list. */
export interface WorkLine {
  reference: string;
  /** The board's name in full (its short name is an acronym). */
  board: string;
  /** The other agency, from where the person stands: "with Lincolnshire Police" (both, for the board's people). */
  agencies: string;
  /** "Stage 1: Direct Professional to Professional Discussion" */
  stage: string;
  urgent: boolean;
  /** Whose move, in words: "Chris Bennett, Lincolnshire Police: acknowledge" (each move, joined). */
  move: string;
  /** The deadline in words, with the working days left: "by 5pm Friday 4 December, 2 working days". */
  due?: string;
  /** What the person themselves must do now, if the move is theirs ("acknowledge"). */
  yours?: string;
  /** For an approval: who asked to escalate, to which stage, and why. */
  asked?: string;
}

export interface WorkList {
  lines: WorkLine[];
  /** How many more there are than are shown. */
  more: number;
}

export interface MyWork {
  cases: WorkList;
  approvals: WorkList;
}

/** What looking a case up gives: the case as the person may see it, or the neutral refusal. */
export type LookedUp =
  { ok: true; case: StoredCase; events: CaseEvent[]; problems: string[] } | { ok: false; refusal: Refusal };

/** The most cases a list shows (chat messages and the Slack App Home have limits). */
export const SHOWN = 15;
/** The most cases looked at for one person's lists. */
const LOOKED_AT = 300;

/** How much of an escalation's reason a list shows (the card has it all): lists stay within what chats carry. */
const REASON_SHOWN = 200;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

export class MyWorkService {
  private readonly access: CaseAccess;

  constructor(
    private readonly repo: CaseRepository,
    private readonly directory: Directory,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.access = new CaseAccess(repo, directory, clock);
  }

  /** The person's open cases and the approvals waiting for them, each most pressing first. */
  async of(actor: Actor, shown = SHOWN): Promise<MyWork> {
    const now = this.clock();
    const cases = await this.visibleOpenCases(actor);
    const lines = cases.map((state) => ({ state, line: this.line(state, actor, now) }));
    const rank = (x: { state: CaseState; line: WorkLine }): [number, number, string] => [
      x.line.yours ? 0 : 1,
      Date.parse(nextDeadline(x.state)?.at ?? '9999-12-31T00:00:00Z'),
      x.state.reference,
    ];
    const sorted = lines.sort((a, b) => {
      const [ya, da, ra] = rank(a);
      const [yb, db, rb] = rank(b);
      return ya - yb || da - db || ra.localeCompare(rb);
    });
    const approvals = sorted.filter((x) => x.state.pendingEscalation && x.line.yours === MOVES[0]?.words);
    const list = (all: typeof sorted): WorkList => ({
      lines: all.slice(0, shown).map((x) => x.line),
      more: Math.max(0, all.length - shown),
    });
    return { cases: list(sorted), approvals: list(approvals) };
  }

  /**
   * A case by its reference, for someone who may see it: its events and what could not be
   * delivered for it (for the card), the reading in the access log. Anyone else, and a
   * reference that does not exist, get the same neutral refusal (the attempt in the security log).
   */
  async lookUp(reference: string, actor: Actor, platform: Platform): Promise<LookedUp> {
    const opened = await this.access.open(reference, actor, { action: 'look-up', platform });
    if (!opened.ok) return opened;
    const stored = opened.case;
    await this.access.read(stored.reference, actor, 'card', platform);
    const [events, failed] = await Promise.all([
      this.repo.getEvents(stored.reference),
      this.repo.listOutbox({ reference: stored.reference, status: 'failed', limit: 20 }),
    ]);
    const problems = [
      ...new Set(failed.map((i) => problemWords(i, this.directory)).filter((w): w is string => Boolean(w))),
    ];
    return { ok: true, case: stored, events: events.map((e) => e.event), problems };
  }

  /** Open cases the person took part in, or that their agency (or board) has and they hold a role for: only those they may see. */
  private async visibleOpenCases(actor: Actor): Promise<CaseState[]> {
    const agency = this.directory.agencies.find((a) => a.id === actor.agencyId);
    const boardAgency = agency?.kind === 'safeguarding-adults-board';
    const [mine, agencies, boards] = await Promise.all([
      this.repo.casesOfPerson(actor.personId),
      actor.roles.length ? this.repo.openCasesOfAgency(actor.agencyId) : Promise.resolve([]),
      boardAgency && actor.roles.length
        ? Promise.all((agency.boards ?? []).map((b) => this.repo.openCasesOfBoard(b)))
        : Promise.resolve([]),
    ]);
    const references = [
      ...new Set([...mine.filter((c) => c.status === 'open'), ...agencies, ...boards.flat()].map((c) => c.reference)),
    ];
    const found: CaseState[] = [];
    // The newest first, where there are more than can be looked at.
    for (const reference of references.slice(-LOOKED_AT)) {
      const stored = await this.repo.getCase(reference);
      if (stored && stored.state.status === 'open' && this.access.may(stored.state, actor)) found.push(stored.state);
    }
    return found;
  }

  private line(state: CaseState, actor: Actor, now: Date): WorkLine {
    const move = whoseMove(state, this.directory, now);
    const current = state.stages[state.stages.length - 1];
    const stage = state.procedure.stages.find((s) => s.id === current?.id);
    const verbs = new Set(availableCommands(state, actor, now, calendarFor(state.procedure)));
    const yours = moveOf(verbs);
    const pending = state.pendingEscalation;
    const toStage = pending && state.procedure.stages.find((s) => s.id === pending.toStage);
    return {
      reference: state.reference,
      board: state.procedure.name,
      agencies: this.agencies(state, actor),
      stage: stage ? `Stage ${stage.number}: ${stage.name}` : (current?.id ?? ''),
      urgent: state.urgent,
      move: move.moves.length
        ? move.moves.map((m) => `${m.who}: ${m.what}`).join('; ')
        : 'Both agencies: work towards an agreed outcome, then propose it, or ask to escalate',
      ...(move.due ? { due: move.due } : {}),
      ...(yours ? { yours } : {}),
      ...(pending
        ? {
            asked: `${this.personName(pending.by)} asked to escalate to ${toStage ? `Stage ${toStage.number}: ${toStage.name}` : pending.toStage}: ${clip(pending.reason, REASON_SHOWN)}`,
          }
        : {}),
    };
  }

  private agencies(state: CaseState, actor: Actor): string {
    const name = (id: string): string => this.directory.agencies.find((a) => a.id === id)?.name ?? id;
    if (actor.agencyId === state.raising.agencyId) return `with ${name(state.responding.agencyId)}`;
    if (actor.agencyId === state.responding.agencyId) return `with ${name(state.raising.agencyId)}`;
    return `${name(state.raising.agencyId)} with ${name(state.responding.agencyId)}`;
  }

  private personName(id: string): string {
    return this.directory.people.find((p) => p.id === id)?.name ?? id;
  }
}
