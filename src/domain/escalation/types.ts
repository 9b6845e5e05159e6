/**
 * The escalation core's vocabulary: a case's state, the commands people give, the events that
 * record what happened, and the refusals that say why a command was not accepted.
 */
import type { Procedure } from '../procedure/schema';

/** Which agency of the case someone speaks for; `board` is the board's own role holders. */
export type Side = 'raising' | 'responding';
export type Party = Side | 'board';

/** Someone acting, as the app resolved them from the directory. */
export interface Actor {
  personId: string;
  agencyId: string;
  /** Every role they can act in now, including those of anyone away they deputise for. */
  roles: readonly string[];
  /** The boards their agency works under. */
  boards?: readonly string[];
  /** People they are standing in for (deputies), recorded with what they do. */
  actingFor?: readonly string[];
}

export type CaseStatus = 'open' | 'resolved' | 'decided' | 'withdrawn';

export interface Deadline {
  kind: 'start-by' | 'conclude-by';
  /** The stage whose timescale this is (the next stage, for a "must start by" that bounds this one). */
  stage: string;
  /** Instant, ISO 8601 UTC. */
  at: string;
  phrase: string;
  source: 'procedure' | 'board-default' | 'next-stage';
  expects?: string;
  /** Once both agencies agreed the date (a timescale with `agreed`): the latest the file allows. */
  ceiling?: string;
}

export interface StageRecord {
  id: string;
  number: number;
  startedAt: string;
  endedAt?: string;
  ended?: 'escalated' | 'resolved' | 'decided' | 'withdrawn';
  acknowledged: Partial<Record<Party, { by: string; at: string }>>;
  deadlines: Deadline[];
  /** The side whose act began the stage: the side that raised it, or asked to escalate to it. */
  enteredBy?: Side;
  /** Who confirmed, for their agency, the steps taken to keep the adult safe meanwhile (`confirmSafety`). */
  safetyConfirmed?: Partial<Record<Side, { by: string; at: string; steps: string }>>;
}

/** A mutually agreed plan of action at a stage, with the date it is to be reviewed. */
export interface PlanRecord {
  stage: string;
  party: Side;
  by: string;
  text: string;
  /** The review date, YYYY-MM-DD in the board's time zone. */
  reviewOn: string;
  /** When the holders are reminded to review it: the start of the working day on the review date. */
  reviewAt: string;
  /** Until when the stage is not overdue: the end of the working day on the review date. */
  holdsUntil: string;
  at: string;
  confirmedBy: Side[];
  /** Set once both agencies have agreed it. */
  agreedAt?: string;
}

export interface ActorRecord {
  personId: string;
  agencyId: string;
  /** `outside`: someone from neither agency nor the board's roles (only on refusals). */
  party: Party | 'outside';
  /** The roles that entitled them to act. */
  roles: string[];
  actingFor?: string[];
}

export interface CaseState {
  reference: string;
  boardId: string;
  /** The board's procedure as it was when the case was raised: later edits do not move it. */
  procedure: Procedure;
  status: CaseStatus;
  /** Number of events recorded: a command states the version it read. */
  version: number;
  raisedAt: string;
  concernAroseAt: string;
  urgent: boolean;
  raising: { agencyId: string; personId: string };
  responding: { agencyId: string; personId?: string };
  subject: { initials: string; recordNumbers: { raising?: string; responding?: string } };
  concern: {
    category: string;
    summary: string;
    outcomeWanted: string;
    safetyMeanwhile: string;
    /** The adult's own wishes and desired outcomes, in the raiser's words (absent on cases raised before it was asked). */
    adultWishes?: string;
  };
  /** The stage under way (or the last one, once closed), and every earlier one. */
  stages: StageRecord[];
  pendingEscalation?: {
    toStage: string;
    side: Side;
    by: string;
    reason: string;
    at: string;
    /** Asked by the next tier taking up an overdue stage: the approver the file names, of either agency, may answer. */
    takenUp?: boolean;
    /** Forms the procedure asks for on this move that are still owed (recorded, not blocking). */
    formsOwed?: string[];
  };
  proposal?: {
    stage: string;
    party: Party;
    by: string;
    outcome: string;
    outstandingIssues: string;
    at: string;
    confirmedBy: Side[];
  };
  /** Milestones recorded on the card (a meeting's date set, minutes sent), at any stage. */
  milestones?: Array<{ stage: string; id: string; by: string; at: string; date?: string; note: string }>;
  /** A date for a stage's limit proposed by one agency, waiting for the other to agree it. */
  timescaleProposal?: {
    stage: string;
    party: Side;
    by: string;
    kind: Deadline['kind'];
    phrase: string;
    date: string;
    due: string;
    at: string;
  };
  /** The plan of action proposed or agreed at the stage under way (cleared when the stage changes). */
  plan?: PlanRecord;
  outcome?: { stage: string; text: string; outstandingIssues: string; at: string };
  decision?: {
    stage: string;
    text: string;
    finalAndBinding: boolean;
    by: string;
    at: string;
    /** What the stage's `decision.alsoRecord` asks for beside it, if given. */
    also?: { label: string; text: string };
  };
  withdrawal?: { reason: string; by: string; at: string };
  participants: string[];
  notes: number;
  /** Set once the adult's name, date of birth and address have been erased on request. */
  personalDataErasedAt?: string;
  /**
   * Reminders, nudges and notifications the deadline sweeper has fired, and those delivered. A
   * timer skipped (timer-skipped) is in both: it is settled, with nothing to send.
   */
  timers?: { fired: string[]; delivered: string[] };
  /** The board's forms completed on the case (stages[].forms): which, at which stage, by whom for which agency. */
  formsCompleted?: Array<{ form: string; stage: string; personId: string; agencyId: string; at: string }>;
}

// ── commands ────────────────────────────────────────────────────────────────────────────

export interface RaiseCommand {
  type: 'raise';
  actor: Actor;
  /** Sequence number within the board and year, from the store: NS-2026-0042. */
  sequence: number;
  immediateRisk: boolean;
  respondingAgency: { id: string; boards?: readonly string[] };
  respondingPersonId?: string;
  /** When the concern arose (defaults to now); day counts run from it. */
  concernAroseAt?: Date;
  /** On a board's urgent path, the stage the raiser chooses to start at. */
  startStage?: string;
  form: RaiseForm;
}

export interface RaiseForm {
  initials: string;
  recordNumbers?: { raising?: string; responding?: string };
  category: string;
  summary: string;
  outcomeWanted: string;
  safetyMeanwhile: string;
  /** The adult's own wishes and desired outcomes, as far as they are known (optional). */
  adultWishes?: string;
}

interface CaseCommandBase {
  actor: Actor;
  /** The stage the person saw when they acted (from the card): a stale click is refused. */
  expectedStage?: string;
}

export type CaseCommand = CaseCommandBase &
  (
    | { type: 'acknowledge' }
    | { type: 'add-note'; text: string }
    | { type: 'propose-resolution'; outcome: string; outstandingIssues: string }
    | { type: 'confirm-resolution' }
    | { type: 'dispute-resolution'; reason: string }
    | { type: 'request-escalation'; reason: string; urgent?: boolean }
    | { type: 'approve-escalation' }
    /** The next tier, nudged because a stage is overdue, moves the case up to their stage. */
    | { type: 'take-up' }
    | { type: 'return-escalation'; reason: string }
    | { type: 'record-final-decision'; decision: string; also?: string }
    | { type: 'withdraw'; reason: string }
    /** A mutually agreed plan of action with clear timescales: proposed by one agency, with its review date (YYYY-MM-DD). */
    | { type: 'agree-plan'; plan: string; reviewOn: string }
    /** The other agency agrees the plan proposed. */
    | { type: 'confirm-plan' }
    /** The steps taken to keep the adult safe while discussions take place (a stage's `confirmSafety`). */
    | { type: 'confirm-safety'; steps: string }
    /** One agency proposes the date a stage's limit falls (YYYY-MM-DD), within the ceiling the file sets. */
    | { type: 'agree-timescale'; date: string }
    /** The other agency agrees the date proposed. */
    | { type: 'confirm-timescale' }
    /** A stage's milestone recorded (the next one owed, unless named), with a note and, where it asks, a date. */
    | { type: 'record-milestone'; milestone?: string; note: string; date?: string }
  );

export type Command = RaiseCommand | CaseCommand;
export type CommandType = Command['type'];

// ── events ──────────────────────────────────────────────────────────────────────────────

interface EventBase {
  at: string;
  by: ActorRecord;
}

export type CaseEvent = EventBase &
  (
    | {
        type: 'case-raised';
        reference: string;
        boardId: string;
        procedure: Procedure;
        concernAroseAt: string;
        urgent: boolean;
        raising: { agencyId: string; personId: string };
        responding: { agencyId: string; personId?: string };
        subject: CaseState['subject'];
        concern: CaseState['concern'];
      }
    | { type: 'immediate-risk-guidance-given'; guidance: string; contacts: string[] }
    | { type: 'stage-entered'; stage: string; number: number; via: 'raised' | 'escalation'; deadlines: Deadline[] }
    | { type: 'stage-acknowledged'; stage: string; party: Party }
    | { type: 'note-added'; stage: string; text: string }
    | { type: 'resolution-proposed'; stage: string; party: Party; outcome: string; outstandingIssues: string }
    | { type: 'resolution-confirmed'; stage: string; side: Side }
    | { type: 'resolution-disputed'; stage: string; side: Side; reason: string }
    | { type: 'case-resolved'; stage: string; outcome: string; outstandingIssues: string }
    | {
        type: 'escalation-requested';
        fromStage: string;
        toStage: string;
        side: Side;
        reason: string;
        /** The next tier took up an overdue stage and the move waits for the approver the file names. */
        takenUp?: boolean;
        formsOwed?: string[];
      }
    | { type: 'escalation-approved'; fromStage: string; toStage: string }
    | { type: 'escalation-returned'; fromStage: string; toStage: string; reason: string }
    | {
        type: 'final-decision-recorded';
        stage: string;
        decision: string;
        finalAndBinding: boolean;
        also?: { label: string; text: string };
      }
    | {
        type: 'milestone-recorded';
        stage: string;
        milestone: string;
        note: string;
        date?: string;
        /** The stage's limits that run from this milestone, now known. */
        deadlines?: Deadline[];
      }
    | { type: 'case-withdrawn'; stage: string; reason: string }
    | {
        type: 'plan-proposed';
        stage: string;
        party: Side;
        plan: string;
        reviewOn: string;
        reviewAt: string;
        holdsUntil: string;
      }
    | { type: 'plan-agreed'; stage: string; side: Side }
    | { type: 'safety-confirmed'; stage: string; side: Side; steps: string }
    | {
        type: 'timescale-proposed';
        stage: string;
        party: Side;
        kind: Deadline['kind'];
        phrase: string;
        date: string;
        due: string;
      }
    /** Both agencies agreed the date: the stage's deadline of that kind and phrase becomes `due`. */
    | { type: 'timescale-agreed'; stage: string; side: Side; kind: Deadline['kind']; phrase: string; due: string }
    | {
        type: 'command-refused';
        stage: string;
        /** The command refused, or completing one of the board's forms (stages[].forms). */
        command: CommandType | 'complete-form';
        code: RefusalCode;
        reason: string;
      }
    | { type: 'personal-data-erased'; reason: string }
    /** Someone was sent a document of the case (a form, the case record), and whether it named the adult. */
    | { type: 'document-issued'; document: string; format: 'pdf' | 'docx'; withPersonalDetails: boolean }
    /** The adult's details were given or corrected (the details themselves are sealed, apart). */
    | { type: 'personal-details-recorded' }
    /**
     * Someone completed one of the board's forms that a stage asks for (stages[].forms): what they
     * typed into it is the record (checked not to name the adult); the rest is filled from the case.
     */
    | { type: 'form-completed'; form: string; stage: string; answers: Record<string, string> }
    | {
        type: 'timer-fired';
        /** The timer's deterministic id: the same reminder or nudge is never fired twice. */
        timer: string;
        kind: 'reminder' | 'nudge' | 'notification';
        stage: string;
        /** When it was due (it may be fired later, e.g. after a restart). */
        due: string;
        /** Whom it goes to: roles, and the people holding them (deputies for anyone away). */
        roles: string[];
        recipients: string[];
        text: string;
        /**
         * Its deliveries were written to the outbox with it (a 1:1 message to each recipient, a
         * line in the case's threads for a nudge): the delivery worker sends them, so it counts
         * as delivered at once. Absent on timers fired before there was an outbox.
         */
        outbox?: true;
      }
    | {
        type: 'timer-delivered';
        timer: string;
        reached: string[];
        unreachable: string[];
        /** Handed to the outbox (a timer fired before there was one): who was reached is the outbox's record. */
        outbox?: true;
      }
    /**
     * A timer that was due but is not sent: a reminder whose deadline has already passed (the bot
     * was down; the nudge says it), or one of many missed repeats of a nudge, superseded by the
     * latest. Never due again.
     */
    | {
        type: 'timer-skipped';
        timer: string;
        kind: 'reminder' | 'nudge' | 'notification';
        stage: string;
        due: string;
        reason: 'deadline-passed' | 'superseded';
      }
  );

export type CaseEventType = CaseEvent['type'];

// ── refusals ────────────────────────────────────────────────────────────────────────────

export type RefusalCode =
  | 'invalid-input'
  | 'immediate-risk'
  | 'not-a-party'
  | 'not-your-role'
  | 'not-at-this-stage'
  | 'stale'
  | 'case-closed'
  | 'already-done'
  | 'nothing-to-decide'
  | 'no-next-stage'
  | 'not-allowed-here'
  /** Free text that names the adult or gives their details: refused, never recorded with the words. */
  | 'names-the-adult';

export interface Refusal {
  code: RefusalCode;
  /** Words for the person who tried: what happened and what they can do. */
  message: string;
  /** Field-by-field messages, for forms. */
  fields?: Record<string, string>;
  /** The board's emergency guidance, when the adult is at immediate risk. */
  guidance?: { text: string; contacts: NonNullable<Procedure['immediateRisk']>['contacts'] };
}

export type Decision =
  { ok: true; events: CaseEvent[]; state: CaseState; nextDeadline?: Deadline } | { ok: false; refusal: Refusal };
