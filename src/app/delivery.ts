/**
 * The delivery worker: in every replica, it claims due outbox items under leases (so each is
 * done once across replicas), does each through its platform's outlet, keeps what the platform
 * gave back, and retries what did not go with backoff and jitter, waiting as long as a platform
 * asks (Slack's Retry-After, Teams' 429s). An item that still has not gone after its last attempt
 * fails, and says so where people will see it: a line in the case's threads and on its cards,
 * and the log (people by id, never the adult's details).
 *
 * Order: an item waits for what it depends on (the card after its channel). Of several pending
 * updates to one card, only the latest state is sent: an update renders the case as stored when
 * it is done, and the older ones claimed with it are settled without being sent.
 */
import type { Mailer, MailMessage } from './mail';
import type { CompletedFormDocument } from './records/documents';
import type { Directory, Person, Platform } from '../domain/directory';
import type { CaseEvent } from '../domain/escalation';
import { afterFailure, PLATFORM_NAMES, problemWords } from './delivery-failure';
import { conversationOf, earlierPending, Pacing, sequenceOf } from './delivery-order';
import type { Notice } from './notify';
import { PersonalCards } from './personal-cards';
import { NotInstalled, Unreachable, type Outlet } from './outlet';
import type { OutboxItem } from './store/outbox';
import type { CaseRepository, StoredCase } from './store/repository';
import type { Verb } from './views/stage-card';
import { NO_TELEMETRY, type Telemetry } from './telemetry';

export { NotInstalled, Unreachable, type Outlet, type Reached } from './outlet';

export interface DeliveryOptions {
  repo: CaseRepository;
  directory: Directory;
  /** The wall clock: items, leases and retries are timed in real time, whatever the case's clock says. */
  wall?: () => Date;
  /** This replica's name on leases. */
  owner: string;
  leaseMs?: number;
  /** Items claimed at a time. */
  batch?: number;
  /** Cases worked on at once. */
  concurrency?: number;
  /** Attempts before an item fails for good. */
  maxAttempts?: number;
  /** The first retry's delay; each next one doubles, up to maxDelayMs, with jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How long delivered items are kept (default 30 days), for `outbox --all` and investigations. */
  keepDoneMs?: number;
  /** How often to look for due items when nothing wakes the worker. */
  intervalMs?: number;
  report?: (message: string, fields: Record<string, unknown>) => void;
  /**
   * Builds a completed form (a send-form or email-form item) for its recipient, from the record
   * as it is when sent: completedFormFor (src/app/records/documents.ts) with this replica's store.
   */
  formDocuments?: (item: OutboxItem, recipient: Person | undefined) => Promise<CompletedFormDocument | undefined>;
  /** Email (SMTP), for email-form items; without it they fail and say so on the case's cards. */
  mailer?: Mailer;
  /**
   * Builds a board's figures email (an email-figures item, not a case's) from the record as it is
   * when sent: figuresMailFor (src/app/reports/schedule.ts) with this replica's store.
   */
  figuresMail?: (item: OutboxItem) => Promise<MailMessage | undefined>;
  /** Where each delivery is traced and each failure counted (kind and platform; nothing personal). */
  telemetry?: Telemetry;
}

/** How many claims without an answer, per attempt allowed, before an item that keeps stopping the bot fails. */
const CRASHES_PER_ATTEMPT = 3;

export interface DeliveryStatus {
  at?: string;
  handled: number;
  failed: number;
  error?: string;
}

export class Delivery {
  private readonly outlets = new Map<Platform, Outlet>();
  private readonly pacing = new Pacing();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private wakeAgain = false;
  private stopped = true;
  /** Totals since start, for /healthz. */
  readonly status: DeliveryStatus = { handled: 0, failed: 0 };
  /** When (wall clock, ms) the look under way began and the last one ended, for /readyz. */
  readonly beat: { startedMs?: number; endedMs?: number; failed?: boolean } = {};

  /** Started and not stopped: the worker looks for due items. */
  get started(): boolean {
    return !this.stopped;
  }

  private readonly clock: () => Date;
  private readonly cards: PersonalCards;

  constructor(private readonly options: DeliveryOptions) {
    this.clock = options.wall ?? ((): Date => new Date());
    this.cards = new PersonalCards({
      repo: options.repo,
      directory: options.directory,
      wall: this.clock,
      ...(options.report ? { report: options.report } : {}),
    });
  }

  register(outlet: Outlet): void {
    this.outlets.set(outlet.platform, outlet);
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? 30_000;
  }

  /** Look for due items every `intervalMs` (and whenever woken) until stopped. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** A write has left work in the outbox: look now rather than at the next interval. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeAgain = true;
      return;
    }
    this.schedule(0);
  }

  /** Work until nothing is due now (for tests and a clean stop); items due later are left. */
  async drain(): Promise<void> {
    await this.running;
    while ((await this.tick()) > 0) {
      /* more may have become due */
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.loop().finally(() => {
        this.running = undefined;
        const again = this.wakeAgain;
        this.wakeAgain = false;
        this.schedule(again ? 0 : (this.options.intervalMs ?? 1000));
      });
    }, ms);
  }

  private prunedAt = 0;

  private async loop(): Promise<void> {
    this.beat.startedMs = Date.now();
    try {
      // What was delivered long ago is forgotten, a batch an hour (the case's timeline keeps the record).
      const nowMs = this.clock().getTime();
      if (nowMs - this.prunedAt > 3_600_000) {
        this.prunedAt = nowMs;
        await this.options.repo.pruneOutbox(
          new Date(nowMs - (this.options.keepDoneMs ?? 30 * 86_400_000)).toISOString(),
          1000,
        );
      }
      // A full batch: there may be more. Between batches the event loop gets a turn, so requests
      // are answered meanwhile even when a batch's items end without any I/O (a platform not set
      // up here, a person gone): a backlog is worked through, never in one block.
      while (!this.stopped && (await this.tick()) >= (this.options.batch ?? 50))
        await new Promise<void>((resolve) => setImmediate(resolve));
      this.status.at = this.clock().toISOString();
      delete this.status.error;
      Object.assign(this.beat, { startedMs: undefined, endedMs: Date.now(), failed: false });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.status.error = message;
      Object.assign(this.beat, { startedMs: undefined, endedMs: Date.now(), failed: true });
      this.options.report?.('Could not look for messages to send; trying again shortly', { error: message });
    }
  }

  /** Claim a batch of due items and do them; how many were claimed. */
  async tick(): Promise<number> {
    const { repo, owner } = this.options;
    const now = this.clock();
    const claimed = await repo.claimOutbox(
      owner,
      now.toISOString(),
      new Date(now.getTime() + this.leaseMs).toISOString(),
      this.options.batch ?? 50,
    );
    if (!claimed.length) return 0;
    const byCase = new Map<string, OutboxItem[]>();
    for (const item of claimed) byCase.set(item.reference, [...(byCase.get(item.reference) ?? []), item]);
    const queue = [...byCase.values()];
    const workers = Array.from({ length: Math.min(this.options.concurrency ?? 8, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift())
        await this.doCase(next).catch((error: unknown) =>
          // The store failed mid-way: the items' leases run out and they are tried again.
          this.options.report?.('Could not finish sending what a case owes; it will be tried again', {
            reference: next?.[0]?.reference,
            error: error instanceof Error ? error.message : String(error),
          }),
        );
    });
    await Promise.all(workers);
    return claimed.length;
  }

  /** One case's claimed items, in order; of several updates to one card, only the newest is sent. */
  private async doCase(items: OutboxItem[]): Promise<void> {
    const newest = new Map<string, OutboxItem>();
    for (const item of items) {
      if (item.kind !== 'update-cards' && item.kind !== 'update-message') continue;
      const key = `${item.kind}|${item.platform}|${item.kind === 'update-message' ? item.recipient : ''}`;
      const held = newest.get(key);
      if (!held || held.event <= item.event) newest.set(key, item);
    }
    const sent = new Set([...newest.values()].map((i) => i.id));
    let loaded: { stored: StoredCase; events: CaseEvent[] } | undefined;
    const load = async (): Promise<{ stored: StoredCase; events: CaseEvent[] } | undefined> => {
      if (loaded) return loaded;
      const stored = await this.options.repo.getCase(items[0]?.reference ?? '');
      if (!stored) return undefined;
      loaded = { stored, events: (await this.options.repo.getEvents(stored.reference)).map((e) => e.event) };
      return loaded;
    };
    // Messages into one conversation go in the order they were owed: an item waits while an
    // earlier one to the same conversation is still pending (failed and waiting to try again, or
    // held by a worker that is sending it).
    const waitUntil = await earlierPending(this.options.repo, items, this.clock().getTime());
    for (const item of items) {
      if ((item.kind === 'update-cards' || item.kind === 'update-message') && !sent.has(item.id)) {
        await this.finish(item, { superseded: true });
        continue;
      }
      // A board's figures: no case to load, and no platform to pace (the mail goes by SMTP).
      if (item.kind === 'email-figures') {
        await this.figuresItem(item);
        continue;
      }
      // A platform that asked this replica to wait (a 429's Retry-After) is not called before then.
      const paused = this.pacing.pausedUntil(item.platform);
      if (paused > this.clock().getTime()) {
        await this.options.repo.setBackOutbox(item.id, this.options.owner, {
          error: `${PLATFORM_NAMES[item.platform]} asked the bot to wait`,
          retryAt: new Date(paused).toISOString(),
          uncounted: true,
        });
        continue;
      }
      const key = sequenceOf(item);
      const behind = key ? waitUntil.get(key) : undefined;
      if (behind) {
        await this.options.repo.setBackOutbox(item.id, this.options.owner, {
          error: 'waiting for an earlier message to the same conversation',
          retryAt: new Date(Math.max(Date.parse(behind), this.clock().getTime()) + 1).toISOString(),
          uncounted: true,
        });
        continue;
      }
      try {
        const found = await load();
        if (!found) {
          await this.finish(item, { noCase: true });
          continue;
        }
        // Taken many more times than it failed: each try stopped the bot (or outlived its lease).
        // It fails for good rather than stopping every replica in turn, for ever.
        const cut = item.attempts - item.failures - 1;
        if (cut >= CRASHES_PER_ATTEMPT * (this.options.maxAttempts ?? 8)) {
          await this.setBack(item, new Error(`the bot stopped ${cut} times while sending this`), true);
          continue;
        }
        await this.pacing.take(
          item.platform,
          this.outlets.get(item.platform)?.conversationOf?.(item) ?? conversationOf(item),
        );
        const result = await (this.options.telemetry ?? NO_TELEMETRY).span(
          `outbox ${item.kind}`,
          {
            'outbox.kind': item.kind,
            'outbox.platform': item.platform,
            'outbox.attempt': item.attempts,
            'case.reference': item.reference,
          },
          () => this.perform(item, found.stored, found.events),
          'consumer',
        );
        await this.finish(item, result);
      } catch (error) {
        // Someone who cannot be reached until they open the app is said to be so at once (on the
        // case's cards, and to the raiser); what failed to reach them goes again when they open it.
        const retryAt = await this.setBack(item, error, error instanceof Unreachable || error instanceof NotInstalled);
        if (key && retryAt) waitUntil.set(key, retryAt);
      }
    }
  }

  private async perform(item: OutboxItem, stored: StoredCase, events: CaseEvent[]): Promise<Record<string, unknown>> {
    if (item.kind === 'email-form') return this.emailForm(item, stored);
    if (item.kind === 'email-figures') throw new Error("A board's figures are not a case's message");
    const outlet = this.outlets.get(item.platform);
    if (!outlet) throw new Error(`${PLATFORM_NAMES[item.platform]} is not set up in this replica`);
    const { repo, directory, owner } = this.options;
    switch (item.kind) {
      case 'open-thread':
        return outlet.openThread(stored, events, item, async (result) => {
          await repo.progressOutbox(item.id, owner, result);
          item.result = { ...item.result, ...result };
        });
      case 'update-cards': {
        const threads = (await repo.getThreads(stored.reference)).filter((t) => t.platform === item.platform);
        const problems = await this.problems(stored.reference);
        if (threads.length) await outlet.updateThreads(stored, events, threads, problems);
        // Then everyone's own card of the case, each with their own buttons.
        const personal = await this.cards.update(outlet, stored, events, problems);
        return { threads: threads.length, personal, version: stored.version };
      }
      case 'update-message': {
        const viewer = directory.people.find((p) => p.id === item.payload.viewer);
        const message = item.payload.message as Record<string, unknown>;
        await outlet.updateMessage(stored, events, message, viewer, await this.problems(stored.reference));
        return { version: stored.version };
      }
      case 'tell': {
        const person = directory.people.find((p) => p.id === item.recipient);
        if (!person) return { gone: true };
        const notice: Notice = {
          person,
          verbs: (Array.isArray(item.payload.verbs) ? item.payload.verbs : []) as Verb[],
          text: typeof item.payload.text === 'string' ? item.payload.text : '',
          // A timer's message carries the timer's own key, as the sweeper's did before the outbox.
          key: typeof item.payload.key === 'string' ? item.payload.key : item.id,
          recheck: item.attempts > 1 || typeof item.payload.recheckSince === 'string',
          since: typeof item.payload.recheckSince === 'string' ? item.payload.recheckSince : item.createdAt,
        };
        const reached = await outlet.tell(notice, stored, events);
        if (!reached) throw new Unreachable(person);
        // Their new card is the one kept current; the one it replaces says it has moved.
        if (reached.message) await this.cards.posted(outlet, stored, person, reached.message);
        return { ...reached };
      }
      case 'send-document': {
        const person = directory.people.find((p) => p.id === item.recipient);
        if (!person) return { gone: true };
        if (!outlet.sendDocument) throw new Error(`${PLATFORM_NAMES[item.platform]} cannot send documents`);
        return outlet.sendDocument(stored, item, person);
      }
      case 'send-form': {
        const person = directory.people.find((p) => p.id === item.recipient);
        if (!person) return { gone: true };
        if (!outlet.sendFile) throw new Error(`${PLATFORM_NAMES[item.platform]} cannot send documents`);
        const built = await this.formFor(item, person);
        if (!built) return { noForm: true };
        const text = `${built.title}: completed by ${built.completedBy} for ${stored.reference} (${built.stageName}), sent to you as the procedure says. It is for your agency's file: keep it there.`;
        const sent = await outlet.sendFile(stored, person, built.document, text, item);
        return { ...sent, personal: built.personal };
      }
      case 'say': {
        const threads = (await repo.getThreads(stored.reference)).filter((t) => t.platform === item.platform);
        if (!threads.length) return { threads: 0 };
        const text = typeof item.payload.text === 'string' ? item.payload.text : '';
        const key = typeof item.payload.key === 'string' ? item.payload.key : item.id;
        const since = typeof item.payload.recheckSince === 'string' ? item.payload.recheckSince : undefined;
        await outlet.say(stored, threads, text, key, since ?? (item.attempts > 1 ? item.createdAt : undefined));
        return { threads: threads.length };
      }
    }
  }

  private async formFor(item: OutboxItem, recipient: Person | undefined): Promise<CompletedFormDocument | undefined> {
    if (!this.options.formDocuments) throw new Error('Forms cannot be built in this replica');
    return this.options.formDocuments(item, recipient);
  }

  /** A completed form by email to one of its contacts: naming the adult only for someone in the directory entitled to it. */
  private async emailForm(item: OutboxItem, stored: StoredCase): Promise<Record<string, unknown>> {
    const { mailer, directory } = this.options;
    if (!mailer) throw new Error('Email is not set up (SMTP_URL)');
    const address = item.recipient.toLowerCase();
    const person = directory.people.find((p) => p.email?.toLowerCase() === address);
    const built = await this.formFor(item, person);
    if (!built) return { noForm: true };
    const sent = await mailer.send({
      to: item.recipient,
      subject: `${built.title}: case ${stored.reference}`,
      text: [
        `${built.title} for case ${stored.reference} (${built.stageName}), completed by ${built.completedBy}.`,
        'It is attached, and is sent to you as the procedure says. Keep it on the board’s file.',
        built.personal
          ? 'It contains the adult’s personal details: share it only as the procedure says.'
          : 'This copy leaves out the adult’s name, date of birth and address.',
      ].join('\n\n'),
      attachments: [
        { filename: built.document.fileName, contentType: built.document.contentType, content: built.document.bytes },
      ],
      messageId: `<${item.id.replace(/[^A-Za-z0-9.-]/g, '.')}@safeguarding-escalations>`,
    });
    return {
      accepted: sent.accepted,
      personal: built.personal,
      ...(sent.messageId ? { messageId: sent.messageId } : {}),
    };
  }

  /** A board's figures for a period by email to their recipient; set back (retried) on any failure. */
  private async figuresItem(item: OutboxItem): Promise<void> {
    try {
      const cut = item.attempts - item.failures - 1;
      if (cut >= CRASHES_PER_ATTEMPT * (this.options.maxAttempts ?? 8)) {
        await this.setBack(item, new Error(`the bot stopped ${cut} times while sending this`), true);
        return;
      }
      const { mailer, figuresMail } = this.options;
      if (!mailer) throw new Error('Email is not set up (SMTP_URL)');
      if (!figuresMail) throw new Error("A board's figures cannot be built in this replica");
      const message = await figuresMail(item);
      if (!message) {
        await this.finish(item, { noBoard: true });
        return;
      }
      const sent = await mailer.send(message);
      await this.finish(item, { accepted: sent.accepted, ...(sent.messageId ? { messageId: sent.messageId } : {}) });
    } catch (error) {
      await this.setBack(item, error);
    }
  }

  /** What the bot could not deliver for a case, in words for its cards. */
  private async problems(reference: string): Promise<string[]> {
    const failed = await this.options.repo.listOutbox({ reference, status: 'failed', limit: 20 });
    return [
      ...new Set(failed.map((i) => problemWords(i, this.options.directory)).filter((w): w is string => Boolean(w))),
    ];
  }

  private async finish(item: OutboxItem, result: Record<string, unknown>): Promise<void> {
    const done = await this.options.repo.completeOutbox(
      item.id,
      this.options.owner,
      this.clock().toISOString(),
      result,
    );
    if (done) this.status.handled++;
    // Not done: the lease ran out meanwhile and another replica has the item (it will find what arrived).
  }

  /** Try the item again later (when, returned), or fail it for good after its last attempt. */
  private async setBack(item: OutboxItem, error: unknown, final = false): Promise<string | undefined> {
    const { repo, owner, report } = this.options;
    const clock = this.clock;
    const words = error instanceof Error ? error.message : String(error);
    const max = this.options.maxAttempts ?? 8;
    const now = clock().getTime();
    // The budget is spent on attempts that ended in an error, not on claims a crash cut short.
    const failedForGood = final || item.failures + 1 >= max;
    this.options.telemetry?.deliveryFailed(item.platform, item.kind, failedForGood);
    if (!final && item.failures + 1 < max) {
      const asked = this.outlets.get(item.platform)?.retryAfterMs?.(error);
      if (asked) this.pacing.pause(item.platform, now + asked);
      const base = this.options.baseDelayMs ?? 2000;
      const backoff = Math.min(this.options.maxDelayMs ?? 600_000, base * 2 ** item.failures);
      const delay = Math.max(asked ?? 0, backoff * (0.8 + Math.random() * 0.4));
      const retryAt = new Date(now + delay).toISOString();
      await repo.setBackOutbox(item.id, owner, { error: words, retryAt });
      return retryAt;
    }
    if (!(await repo.setBackOutbox(item.id, owner, { error: words }))) return undefined;
    this.status.failed++;
    report?.('Could not deliver a message after every attempt', {
      reference: item.reference,
      item: item.id,
      kind: item.kind,
      platform: item.platform,
      ...(item.kind === 'tell' ? { person: item.recipient } : {}),
      attempts: item.attempts,
      failures: item.failures + 1,
      error: words,
    });
    const stored = await repo.getCase(item.reference).catch(() => undefined);
    const raiser = this.options.directory.people.find((p) => p.id === stored?.state.raising.personId);
    await repo
      .enqueue(
        afterFailure({ ...item, lastError: words }, new Date(now).toISOString(), raiser, this.options.directory, [
          ...this.outlets.keys(),
        ]),
      )
      .catch((e: unknown) =>
        report?.('Could not record that a message failed', {
          reference: item.reference,
          error: e instanceof Error ? e.message : String(e),
        }),
      );
    return undefined;
  }
}
