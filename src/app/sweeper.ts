/**
 * The deadline sweeper: on each tick it takes the cases whose next timer is due, holding a lease
 * on each so no other replica works on it at the same time, and for each due timer
 *
 *  1. records that it fired (`timer-fired`, with whom it goes to), a write conditional on the
 *     case's version: of several sweepers, exactly one records a given timer;
 *  2. delivers it (1:1 on each person's platform; a nudge also posts a line in the case's threads);
 *  3. records the delivery (`timer-delivered`).
 *
 * A sweeper that dies between 1 and 3 leaves a fired, undelivered timer: the case stays due, and
 * whoever sweeps it next (once the lease runs out) delivers it. Slack messages carry the timer's
 * id, so a redelivery first looks for what already arrived and sends only what did not.
 */
import type { Directory, Person } from '../domain/directory';
import { roleHolders } from '../domain/directory';
import { deadlineInWords, timeInWords } from '../domain/calendar';
import {
  calendarFor,
  dueTimers,
  evolve,
  nextTimerAt,
  stageById,
  SWEEPER,
  type CaseEvent,
  type CaseState,
  type Timer,
} from '../domain/escalation';
import { shortNameOf } from '../domain/procedure';
import type { Announcer } from './announcer';
import { audienceAgencies } from './people';
import { StoreError, type CaseRepository, type StoredCase } from './store/repository';
import type { Telemetry } from './telemetry';

export interface SweeperOptions {
  repo: CaseRepository;
  directory: Directory;
  announcer: Announcer;
  clock: () => Date;
  /** This replica's name on leases. */
  owner: string;
  /** How long a lease lasts; a sweeper that dies holding one blocks the case no longer than this. */
  leaseMs?: number;
  /** Cases taken a tick. */
  batch?: number;
  report?: (message: string, fields: Record<string, unknown>) => void;
  /** Where each reminder, nudge and notification delivered is counted (board and kind). */
  telemetry?: Telemetry;
}

export interface TickResult {
  due: number;
  swept: number;
  fired: number;
  delivered: number;
}

export class Sweeper {
  /** The last tick's end and what it did, for /healthz. */
  last?: { at: string; result: TickResult; error?: string };
  /** When (wall clock, ms) the tick under way began and the last one ended, for /readyz: the case clock may be a test's. */
  readonly beat: { startedMs?: number; endedMs?: number; failed?: boolean } = {};
  private timer?: NodeJS.Timeout;
  private running?: Promise<TickResult>;
  private readonly leaseMs: number;
  private readonly batch: number;

  constructor(private readonly options: SweeperOptions) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.batch = options.batch ?? 200;
  }

  /** Sweep every `intervalMs` until stopped (a tick still running is never overlapped). */
  start(intervalMs: number): void {
    const loop = (): void => {
      this.beat.startedMs = Date.now();
      this.running = this.tick().then(
        (result) => {
          this.last = { at: this.options.clock().toISOString(), result };
          Object.assign(this.beat, { startedMs: undefined, endedMs: Date.now(), failed: false });
          return result;
        },
        (error: unknown) => {
          Object.assign(this.beat, { startedMs: undefined, endedMs: Date.now(), failed: true });
          const message = error instanceof Error ? error.message : String(error);
          this.options.report?.('Deadline sweep failed; it will run again', { error: message });
          const result = { due: 0, swept: 0, fired: 0, delivered: 0 };
          this.last = { at: this.options.clock().toISOString(), result, error: message };
          return result;
        },
      );
      void this.running.then(() => {
        if (this.timer) this.timer = setTimeout(loop, intervalMs);
      });
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Stop ticking, and wait for the tick under way. */
  async stop(): Promise<void> {
    const t = this.timer;
    this.timer = undefined;
    if (t) clearTimeout(t);
    await this.running;
  }

  /** One sweep: every case due now, as far as the batch goes. */
  async tick(): Promise<TickResult> {
    const now = this.options.clock();
    const due = await this.options.repo.dueCases(now.toISOString(), this.batch);
    const result: TickResult = { due: due.length, swept: 0, fired: 0, delivered: 0 };
    for (const c of due) {
      const until = new Date(now.getTime() + this.leaseMs).toISOString();
      if (!(await this.options.repo.claimLease(c.reference, this.options.owner, until, now.toISOString()))) continue;
      try {
        const done = await this.sweepCase(c.reference, now);
        result.swept++;
        result.fired += done.fired;
        result.delivered += done.delivered;
      } catch (error) {
        this.options.report?.('Could not sweep a case; it stays due', {
          reference: c.reference,
          error: error instanceof Error ? error.message : String(error),
        });
      } finally {
        await this.options.repo.releaseLease(c.reference, this.options.owner).catch(() => undefined);
      }
    }
    return result;
  }

  private async sweepCase(reference: string, now: Date): Promise<{ fired: number; delivered: number }> {
    const { repo } = this.options;
    let fired = 0;
    let delivered = 0;
    let stored = await repo.getCase(reference);
    let events = (await repo.getEvents(reference)).map((e) => e.event);
    const reload = async (): Promise<void> => {
      stored = await repo.getCase(reference);
      events = (await repo.getEvents(reference)).map((e) => e.event);
    };
    /** Carry on from what a delivery stored, or read the case again if it could not say. */
    const settle = async (after: { stored: StoredCase; event: CaseEvent } | undefined): Promise<void> => {
      if (!after) return reload();
      stored = after.stored;
      events = [...events, after.event];
    };
    // A case with much to send can outlast its lease: renew it half-way, and stop if another
    // replica has taken the case over meanwhile (it will finish the work).
    let claimedAt = this.options.clock().getTime();
    const stillMine = async (): Promise<boolean> => {
      const at = this.options.clock().getTime();
      if (at - claimedAt < this.leaseMs / 2) return true;
      claimedAt = at;
      return repo.claimLease(
        reference,
        this.options.owner,
        new Date(at + this.leaseMs).toISOString(),
        new Date(at).toISOString(),
      );
    };
    for (let guard = 0; guard < 100 && stored && (await stillMine()); guard++) {
      const current: StoredCase = stored;
      // First, anything fired but not delivered (its sweeper stopped half-way).
      const done = new Set(current.state.timers?.delivered ?? []);
      const undelivered = events.find(
        (e): e is Extract<CaseEvent, { type: 'timer-fired' }> => e.type === 'timer-fired' && !done.has(e.timer),
      );
      if (undelivered) {
        await settle(await this.deliver(current, events, undelivered, true));
        delivered++;
        continue;
      }
      const next = dueTimers(current.state, now)[0];
      if (!next) return { fired, delivered };
      const event = this.firedEvent(current.state, next, now);
      try {
        stored = await this.append(current, event);
        events = [...events, event];
      } catch (error) {
        // Someone acted on the case meanwhile: look again.
        if (error instanceof StoreError && error.code === 'conflict') {
          await reload();
          continue;
        }
        throw error;
      }
      fired++;
      await settle(await this.deliver(stored, events, event, false));
      delivered++;
    }
    return { fired, delivered };
  }

  private async append(stored: StoredCase, event: CaseEvent): Promise<StoredCase> {
    const state = evolve(stored.state, event);
    const dueAt = nextTimerAt(state);
    return this.options.repo.appendEvents({
      reference: stored.reference,
      expectedVersion: stored.version,
      events: [event],
      state,
      ...(dueAt ? { dueAt } : {}),
    });
  }

  /**
   * Deliver a fired timer to each of its recipients, then record it delivered. Returns the case
   * as stored after that record, or undefined if the case had to be read again to record it.
   */
  private async deliver(
    stored: StoredCase,
    events: readonly CaseEvent[],
    fired: Extract<CaseEvent, { type: 'timer-fired' }>,
    redelivery: boolean,
  ): Promise<{ stored: StoredCase; event: CaseEvent } | undefined> {
    const { directory, announcer } = this.options;
    const reached: string[] = [];
    const unreachable: string[] = [];
    for (const personId of fired.recipients) {
      const person = directory.people.find((p) => p.id === personId);
      if (!person) continue;
      const ok = await announcer.tellOne(
        {
          person,
          verbs: [],
          text: fired.text,
          key: `${fired.timer}#${person.id}`,
          recheck: redelivery,
          since: fired.at,
        },
        stored,
        events,
      );
      (ok ? reached : unreachable).push(personId);
    }
    if (fired.kind === 'nudge')
      await announcer.sayInThreads(stored, fired.text, `${fired.timer}#thread`, redelivery ? fired.at : undefined);
    this.options.telemetry?.timerSent(stored.boardId, fired.kind);
    const event: CaseEvent = {
      type: 'timer-delivered',
      at: this.options.clock().toISOString(),
      by: SWEEPER,
      timer: fired.timer,
      reached,
      unreachable,
    };
    let current: StoredCase | undefined = stored;
    for (let attempt = 0; attempt < 5 && current; attempt++) {
      if (current.state.timers?.delivered.includes(fired.timer)) return undefined;
      try {
        return { stored: await this.append(current, event), event };
      } catch (error) {
        if (!(error instanceof StoreError && error.code === 'conflict')) throw error;
        current = await this.options.repo.getCase(stored.reference);
      }
    }
    return undefined;
  }

  /** The record of a timer firing: whom it goes to (deputies for anyone away) and what it says. */
  private firedEvent(state: CaseState, timer: Timer, now: Date): Extract<CaseEvent, { type: 'timer-fired' }> {
    const recipients = recipientsOf(state, timer, this.options.directory, now);
    return {
      type: 'timer-fired',
      at: now.toISOString(),
      by: SWEEPER,
      timer: timer.id,
      kind: timer.kind,
      stage: timer.stage,
      due: timer.at,
      roles: [...new Set(timer.audience.flatMap((a) => a.roles))],
      recipients: recipients.map((p) => p.id),
      text: timerText(state, timer, now),
    };
  }
}

/** The people a timer goes to: each audience's role holders today (a deputy for anyone away). */
export function recipientsOf(state: CaseState, timer: Timer, directory: Directory, now: Date): Person[] {
  const calendar = calendarFor(state.procedure);
  const on = calendar.localDate(now);
  const firstStage = state.stages.length === 1 && timer.stage === state.stages[0]?.id;
  const people = new Map<string, Person>();
  for (const a of timer.audience) {
    // A named person (the person who raised the concern), not role holders.
    if (a.personId) {
      const person = directory.people.find((p) => p.id === a.personId);
      if (person) people.set(person.id, person);
      continue;
    }
    // At the stage a case began, its reminders go to the two people named in it.
    if (firstStage && timer.kind === 'reminder' && !timer.milestone && a.party !== 'board') {
      const named = state[a.party].personId;
      const person = named ? directory.people.find((p) => p.id === named) : undefined;
      if (person) {
        people.set(person.id, person);
        continue;
      }
    }
    const agencies = audienceAgencies(directory, state.boardId, a.agencyId);
    for (const agencyId of agencies)
      for (const role of a.roles)
        for (const h of roleHolders(directory, agencyId, role, on)) people.set(h.person.id, h.person);
  }
  return [...people.values()];
}

/** What a reminder, nudge or notification says: the case, the stage, the deadline in words. */
export function timerText(state: CaseState, timer: Timer, now: Date): string {
  const { procedure } = state;
  const label = `${shortNameOf(procedure)} escalation ${state.reference}`;
  const stage = stageById(procedure, timer.stage);
  const stageName = stage ? `stage ${stage.number} (${stage.name})` : timer.stage;
  const tz = procedure.workingHours.timeZone;
  const d = timer.deadline;
  const deadline = d ? `${deadlineInWords(new Date(d.at), tz, now)} (“${d.phrase}”)` : '';
  switch (timer.kind) {
    case 'reminder': {
      const m = timer.milestone;
      if (m) {
        const calendar = calendarFor(procedure);
        const today = calendar.localDate(new Date(m.due)) === calendar.localDate(new Date(timer.at));
        const when = today ? `by ${timeInWords(new Date(m.due), tz)} today` : deadlineInWords(new Date(m.due), tz, now);
        return `Reminder: ${label}: “${m.label}” is due ${when} (“${m.phrase}”). Once it is done, record it on the case card.`;
      }
      // A reminder with no deadline: the review of a plan of action the agencies agreed.
      if (!timer.deadline && timer.about)
        return `Reminder: ${label} is at ${stageName}. Please review ${timer.about}. If it has not resolved the disagreement, escalate it.`;
      const calendar = calendarFor(procedure);
      const sameDay = d && calendar.localDate(new Date(d.at)) === calendar.localDate(new Date(timer.at));
      const due =
        timer.reminder === 'today' && d && sameDay
          ? `due by ${timeInWords(new Date(d.at), tz)} today (“${d.phrase}”)`
          : `due ${deadline}`;
      const what = d?.expects ? ` By then: ${d.expects}.` : '';
      return `Reminder: ${label} is at ${stageName}, which is ${due}.${what} Acknowledge it, resolve it or escalate it before then.`;
    }
    case 'nudge': {
      const m = timer.milestone;
      if (m)
        return `${label}: “${m.label}” was due ${deadlineInWords(new Date(m.due), tz, now)} (“${m.phrase}”) and has not been recorded${timer.repeat ? ' (reminder: still not recorded)' : ''}. If it has been done, record it on the case card; if not, please see to it.`;
      const again = timer.repeat ? ' (reminder: still overdue)' : '';
      const guidance =
        timer.outOfHours && procedure.outOfHours ? ` Out of hours: ${procedure.outOfHours.guidance}` : '';
      const missed = d?.expects
        ? `. What was expected by then: ${d.expects}. That has not happened yet`
        : d?.kind === 'start-by'
          ? ' and has not yet been taken up by everyone it needs'
          : ' and has been neither resolved nor escalated';
      const climbed = timer.climbed
        ? ' The people nudged before have had as long as their own stage allows and have not acted, so it has come to you too.'
        : '';
      return `${label} has passed its deadline${again}: ${stageName} was due ${deadline}${missed}.${climbed} You are among the people who act next under the procedure: if the next stage is yours, press Take it up on the card; if your approval is asked, give it or refuse it on the card; or speak to the people holding it.${guidance}`;
    }
    case 'notification': {
      const limit = timer.limit
        ? ` The procedure asks that you are told ${deadlineInWords(new Date(timer.limit.at), tz, now)}${timer.limit.phrase ? ` (“${timer.limit.phrase}”)` : ''}: this is that message.`
        : '';
      return `${label}: the procedure asks that you are told of ${timer.about ?? 'this'}. “${timer.phrase ?? ''}”${limit}`;
    }
  }
}
