/**
 * The deadline sweeper, as batch work. A tick takes the due cases a batch at a time, each with
 * its lease and its state in one claim (so no other replica works on them meanwhile, and no read
 * per case), works out each case's timers (sweepTimers: fired, or skipped when moot or
 * superseded, so a catch-up after downtime sends one current nudge, not a storm), and writes for
 * the whole batch, in one step (appendMany: SQLite one commit, Cosmos DB one batch per case):
 *
 *  - each case's `timer-fired` and `timer-skipped` events, conditional on the version it read:
 *    of several sweepers, exactly one records a given timer;
 *  - what each fired timer owes, as outbox items: a 1:1 message to each recipient on their
 *    agency's platform, and for a nudge a line in the case's threads (src/app/timer-owed.ts);
 *  - the leases given back.
 *
 * The delivery worker (src/app/delivery.ts) sends them, with bounded concurrency, and is woken
 * after each batch. Between batches the sweeper yields to the event loop, so requests never wait
 * behind more than one batch; it keeps taking batches until nothing is due (or it is stopped).
 *
 * A sweeper that dies before the commit leaves nothing: the leases run out and another takes the
 * cases. After it, the outbox has everything. A timer fired by an earlier release (which
 * delivered it itself, then recorded `timer-delivered`) but never delivered is handed to the
 * outbox once, with a `timer-delivered` that says so; its messages first look for what arrived.
 */
import type { Directory } from '../domain/directory';
import {
  evolve,
  nextTimerAt,
  sweepTimers,
  SWEEPER,
  type CaseEvent,
  type CaseState,
  type TimerFired,
} from '../domain/escalation';
import type { NewOutboxItem } from './store/outbox';
import type { Append, CaseRepository, StoredCase } from './store/repository';
import type { Telemetry } from './telemetry';
import { firedEvent } from './timer-words';
import { owedByTimer } from './timer-owed';

export { recipientsOf, timerText, overdueWords, firedEvent } from './timer-words';

export interface SweeperOptions {
  repo: CaseRepository;
  directory: Directory;
  /** The case's clock: what is due, and what the words say. Leases are timed by it too. */
  clock: () => Date;
  /** The wall clock, for the outbox items (the delivery worker claims them in real time). */
  wall?: () => Date;
  /** The delivery worker, woken when a batch has left messages in the outbox. */
  delivery?: { wake(): void };
  /** This replica's name on leases. */
  owner: string;
  /** How long a lease lasts; a sweeper that dies holding one blocks the case no longer than this. */
  leaseMs?: number;
  /**
   * Cases claimed and written at a time, in one transaction (default 50): the event loop is held
   * for one batch at most, so keep it small enough for a batch to take a few milliseconds.
   */
  batch?: number;
  /** Batches a tick takes at most before it leaves the rest to the next tick (default: no limit). */
  maxBatches?: number;
  report?: (message: string, fields: Record<string, unknown>) => void;
  /** Where each reminder, nudge and notification handed over is counted (board and kind). */
  telemetry?: Telemetry;
}

export interface TickResult {
  /** Cases claimed. */
  due: number;
  /** Cases written. */
  swept: number;
  /** Timers fired. */
  fired: number;
  /** Timers whose messages were handed to the outbox (those fired, and any fired earlier and never delivered). */
  delivered: number;
  /** Timers recorded as skipped (a reminder whose deadline had passed, a nudge superseded by a later one). */
  skipped: number;
  /** Batches taken. */
  batches: number;
}

const EMPTY: TickResult = { due: 0, swept: 0, fired: 0, delivered: 0, skipped: 0, batches: 0 };

/** What one case's sweep writes, and what to count once it is written. */
interface CasePlan {
  append: Append;
  boardId: string;
  fired: TimerFired[];
  delivered: number;
  skipped: number;
}

export class Sweeper {
  /** The last tick's end and what it did, for /healthz. */
  last?: { at: string; result: TickResult; error?: string };
  /**
   * When (wall clock, ms) the tick under way began, its last batch ended (it is making progress)
   * and the last tick ended, for /readyz: the case clock may be a test's.
   */
  readonly beat: { startedMs?: number; progressMs?: number; endedMs?: number; failed?: boolean } = {};
  private timer?: NodeJS.Timeout;
  private running?: Promise<TickResult>;
  private stopping = false;
  private readonly leaseMs: number;
  private readonly batch: number;
  private readonly wall: () => Date;

  constructor(private readonly options: SweeperOptions) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.batch = options.batch ?? 50;
    this.wall = options.wall ?? ((): Date => new Date());
  }

  /** Sweep every `intervalMs` until stopped (a tick still running is never overlapped). */
  start(intervalMs: number): void {
    this.stopping = false;
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
          this.last = { at: this.options.clock().toISOString(), result: { ...EMPTY }, error: message };
          return { ...EMPTY };
        },
      );
      void this.running.then(() => {
        if (this.timer) this.timer = setTimeout(loop, intervalMs);
      });
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Stop ticking (a tick under way stops after its batch), and wait for it. */
  async stop(): Promise<void> {
    this.stopping = true;
    const t = this.timer;
    this.timer = undefined;
    if (t) clearTimeout(t);
    await this.running;
    // Nothing is scheduled any more: a tick asked for later (a test's, a command's) runs in full.
    this.stopping = false;
  }

  /** One sweep: batch after batch, yielding between them, until nothing is due (or stopped). */
  async tick(): Promise<TickResult> {
    const result: TickResult = { ...EMPTY };
    const most = this.options.maxBatches ?? Number.POSITIVE_INFINITY;
    while (!this.stopping && result.batches < most) {
      const done = await this.sweepBatch();
      result.batches++;
      result.due += done.due;
      result.swept += done.swept;
      result.fired += done.fired;
      result.delivered += done.delivered;
      result.skipped += done.skipped;
      this.beat.progressMs = Date.now();
      if (done.delivered > 0) this.options.delivery?.wake();
      // Nothing claimed, or nothing written (what is left failed, or another replica holds it): done for now.
      if (done.due === 0 || done.swept === 0) break;
      // Let requests in before the next batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return result;
  }

  /** One batch: claim, work out, write in one step (releasing the leases). */
  private async sweepBatch(): Promise<TickResult> {
    const { repo, owner, report } = this.options;
    const now = this.options.clock();
    const until = new Date(now.getTime() + this.leaseMs).toISOString();
    const claimed = await repo.claimDueCases(now.toISOString(), owner, until, this.batch);
    const result: TickResult = { ...EMPTY, due: claimed.length };
    if (!claimed.length) return result;
    const plans = new Map<string, CasePlan>();
    for (const stored of claimed) {
      try {
        const plan = await this.planCase(stored, now);
        if (plan === 'restated') result.swept++;
        else if (plan) plans.set(stored.reference, plan);
      } catch (error) {
        report?.('Could not sweep a case; it stays due', {
          reference: stored.reference,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    const outcomes = await repo.appendMany(
      [...plans.values()].map((p) => p.append),
      { owner, references: claimed.map((c) => c.reference) },
    );
    for (const outcome of outcomes) {
      const plan = plans.get(outcome.reference);
      if (!plan) continue;
      if ('error' in outcome) {
        // Someone acted on the case meanwhile: it is still due, and the next batch looks again.
        if (outcome.error.code !== 'conflict')
          report?.('Could not sweep a case; it stays due', {
            reference: outcome.reference,
            error: outcome.error.message,
          });
        continue;
      }
      result.swept++;
      result.fired += plan.fired.length;
      result.delivered += plan.delivered;
      result.skipped += plan.skipped;
      for (const f of plan.fired) this.options.telemetry?.timerSent(plan.boardId, f.kind);
    }
    return result;
  }

  /** What one claimed case's sweep writes (undefined: nothing due after all; 'restated': its due time set right). */
  private async planCase(stored: StoredCase, now: Date): Promise<CasePlan | 'restated' | undefined> {
    const { directory, repo } = this.options;
    const { reference } = stored;
    const wall = this.wall();
    const events: CaseEvent[] = [];
    const outbox: NewOutboxItem[] = [];
    let state: CaseState = stored.state;
    let delivered = 0;
    // First, anything an earlier release fired but did not deliver (its sweeper stopped half-way).
    const done = new Set(state.timers?.delivered ?? []);
    const undelivered = (state.timers?.fired ?? []).filter((id) => !done.has(id));
    if (undelivered.length) {
      const history = (await repo.getEvents(reference)).map((e) => e.event);
      for (const id of undelivered) {
        const fired = history.find((e): e is TimerFired => e.type === 'timer-fired' && e.timer === id);
        const event: CaseEvent = {
          type: 'timer-delivered',
          at: now.toISOString(),
          by: SWEEPER,
          timer: id,
          reached: [],
          unreachable: [],
          outbox: true,
        };
        state = evolve(state, event);
        events.push(event);
        if (fired) {
          outbox.push(...owedByTimer(reference, fired, state.version, directory, wall, fired.at));
          delivered++;
        }
      }
    }
    const swept = sweepTimers(state, now, (s, t) => firedEvent(s, t, directory, now));
    swept.events.forEach((event, i) => {
      events.push(event);
      if (event.type === 'timer-fired')
        outbox.push(...owedByTimer(reference, event, state.version + i + 1, directory, wall));
    });
    state = swept.state;
    const dueAt = nextTimerAt(state);
    if (!events.length) {
      // Due by the index but owing nothing now (its due time was worked out by an earlier release): set it right.
      if (dueAt === stored.dueAt) return undefined;
      await repo.restateCase({ reference, expectedVersion: stored.version, state, ...(dueAt ? { dueAt } : {}) });
      return 'restated';
    }
    return {
      append: { reference, expectedVersion: stored.version, events, state, ...(dueAt ? { dueAt } : {}), outbox },
      boardId: stored.boardId,
      fired: swept.fired.map((f) => f.event),
      delivered: delivered + swept.fired.length,
      skipped: swept.events.length - swept.fired.length,
    };
  }
}
