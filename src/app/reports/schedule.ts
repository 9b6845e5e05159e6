/**
 * A board's figures on a schedule (`oversight.figures` in its file; Camden: "Any data in relation
 * to the use of the procedure should be shared quarterly to the Quality and Performance
 * Subcommittee of the CSAPB"). At the start of working hours on the first working day after a
 * period ends, in the board's time zone, the figures for that period go by email to the named
 * recipient, through the outbox (src/app/store/outbox.ts, kind `email-figures`).
 *
 * Every replica runs the schedule. The item's id is the board and the period, so two replicas, a
 * restart or a second look write it once and it is sent once; a period whose moment passed while
 * the bot was down is written when it comes back (within `catchUpMs`, inside the time the outbox
 * keeps what it has sent, so an old period is never sent a second time).
 *
 * The figures are counts and working days (src/app/reports/figures.ts): no adult's details.
 */
import type { Directory } from '../../domain/directory';
import { calendarFor } from '../../domain/escalation';
import { zonedToInstant } from '../../domain/calendar';
import { figuresDue, nextFiguresSending, type FiguresPeriod, type Procedure } from '../../domain/procedure';
import type { MailMessage } from '../mail';
import type { NewOutboxItem, OutboxItem } from '../store/outbox';
import type { CaseRepository } from '../store/repository';
import { boardFigures, type BoardFigures } from './figures';
import { figuresCsv, figuresHtml } from './render';

/** How long after its moment a missed period is still sent (the outbox remembers what it sent for 30 days). */
export const FIGURES_CATCH_UP_MS = 21 * 86_400_000;

/** The outbox `reference` of a board's figures (not a case's). */
export const figuresReference = (boardId: string): string => `figures:${boardId}`;

/** The deterministic id of one board's figures for one period. */
export function figuresItemId(boardId: string, period: Pick<FiguresPeriod, 'from' | 'to'>): string {
  return `${figuresReference(boardId)}:${period.from}:${period.to}:email-figures`;
}

/** The figures of a board for a period, from the store: the cases raised on or after `from` and before `to`. */
export async function figuresOfPeriod(
  repo: CaseRepository,
  procedure: Procedure,
  directory: Directory,
  from: string,
  to: string,
  asOf: Date,
): Promise<BoardFigures> {
  const tz = procedure.workingHours.timeZone;
  const startOf = (day: string): string => zonedToInstant(day, 0, tz).toISOString();
  // One query for every case of the period, each procedure put back from the store's cache.
  const cases = await repo.readCasesOfBoard(procedure.id, startOf(from), startOf(to));
  return boardFigures(
    procedure,
    cases.map((c) => c.state),
    directory,
    from,
    to,
    asOf,
  );
}

/** The email of a figures item, built from the record when it is sent; undefined for a board no longer loaded. */
export async function figuresMailFor(
  repo: CaseRepository,
  procedures: ReadonlyMap<string, Procedure>,
  directory: Directory,
  item: OutboxItem,
  asOf: Date,
): Promise<MailMessage | undefined> {
  const p = item.payload as { board?: string; from?: string; to?: string; words?: string; recipient?: string };
  const procedure = p.board ? procedures.get(p.board) : undefined;
  if (!procedure || !p.from || !p.to) return undefined;
  const figures = await figuresOfPeriod(repo, procedure, directory, p.from, p.to, asOf);
  const words = p.words ?? `${p.from} to ${p.to}`;
  const name = `figures-${procedure.id}-${p.from}-to-${p.to}`;
  return {
    to: item.recipient,
    subject: `${procedure.name}: figures for resolving professional disagreements, ${words}`,
    text: [
      `Dear ${p.recipient ?? 'colleague'},`,
      `These are the ${procedure.name}'s figures for ${words}: how the procedure for resolving professional disagreements was used (escalations raised, how they ended, the working days they took, deadlines missed, the kinds of disagreement and the agencies involved).`,
      `${figures.raised} escalation${figures.raised === 1 ? ' was' : 's were'} raised in the period. The full figures are attached as a page to open in a web browser and as a spreadsheet (CSV).`,
      'They are counts only: no adult’s details are in them.',
      `They are sent to you because the board’s procedure says: “${procedure.oversight?.phrase ?? ''}”`,
    ].join('\n\n'),
    attachments: [
      { filename: `${name}.html`, contentType: 'text/html', content: Buffer.from(figuresHtml(figures), 'utf8') },
      { filename: `${name}.csv`, contentType: 'text/csv', content: Buffer.from(figuresCsv(figures), 'utf8') },
    ],
    messageId: `<${item.id.replace(/[^A-Za-z0-9.-]/g, '.')}@safeguarding-escalations>`,
  };
}

/** What /healthz says of one board's figures. */
export interface FiguresScheduleStatus {
  board: string;
  to: string;
  every: string;
  /** The next period and when it is to be sent. */
  next?: { period: string; at: string };
  /** Whether the bot sends them, and if not, why not. */
  sending: string;
}

export interface FiguresScheduleOptions {
  repo: CaseRepository;
  procedures: ReadonlyMap<string, Procedure>;
  clock: () => Date;
  /** Whether email (SMTP) is set up in this replica; without it nothing is written, and that is said once. */
  emailing: boolean;
  /** How long after its moment a missed period is still sent (default 21 days). */
  catchUpMs?: number;
  report?: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
  /** New items were written: the delivery worker looks now. */
  wake?: () => void;
}

export class FiguresSchedule {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = true;
  /** Items this replica has already written (a second write would keep the first; this saves the store the call). */
  private readonly written = new Set<string>();
  last?: { at: string; written: number; error?: string };

  constructor(private readonly options: FiguresScheduleOptions) {
    // Said once, at start: a board whose figures the bot will not send.
    for (const p of options.procedures.values()) {
      const figures = p.oversight?.figures;
      if (!figures) continue;
      if (!figures.email)
        options.report?.(
          'info',
          `${p.name}'s figures go to ${figures.to} every ${figures.every}; its file gives no email address (oversight.figures.email), so the bot does not send them: run "report --board ${p.id}" each ${figures.every}.`,
          { board: p.id },
        );
      else if (!options.emailing)
        options.report?.(
          'warn',
          `${p.name}'s figures are to be emailed to ${figures.to} (${figures.email}) every ${figures.every}, but email is not set up (SMTP_URL and SMTP_FROM), so they are not sent: set them, or run "report --board ${p.id}" each ${figures.every}.`,
          { board: p.id },
        );
    }
  }

  /** The items due now: each board's last period whose moment has come, if it came within the catch-up time. */
  due(now: Date): NewOutboxItem[] {
    if (!this.options.emailing) return [];
    const items: NewOutboxItem[] = [];
    for (const procedure of this.options.procedures.values()) {
      const email = procedure.oversight?.figures?.email;
      if (!email) continue;
      const due = figuresDue(procedure, now, calendarFor(procedure));
      if (!due) continue;
      if (now.getTime() - due.sendAt.getTime() > (this.options.catchUpMs ?? FIGURES_CATCH_UP_MS)) continue;
      const at = now.toISOString();
      items.push({
        id: figuresItemId(procedure.id, due.period),
        reference: figuresReference(procedure.id),
        kind: 'email-figures',
        // Only to pace the work: the mail goes by SMTP.
        platform: 'teams',
        recipient: email,
        event: 0,
        dependsOn: [],
        payload: {
          board: procedure.id,
          from: due.period.from,
          to: due.period.to,
          words: due.period.words,
          recipient: due.period.recipient,
          due: due.sendAt.toISOString(),
        },
        createdAt: at,
        nextAttemptAt: at,
      });
    }
    return items;
  }

  /** Write what is due now (ids already stored are kept as they are); how many this replica had not written before. */
  async tick(): Promise<number> {
    const now = this.options.clock();
    const items = this.due(now).filter((i) => !this.written.has(i.id));
    if (items.length) {
      await this.options.repo.enqueue(items);
      for (const i of items) this.written.add(i.id);
      this.options.wake?.();
    }
    this.last = { at: now.toISOString(), written: items.length };
    return items.length;
  }

  /** Look every `intervalMs` until stopped. */
  start(intervalMs: number): void {
    this.stopped = false;
    const loop = (): void => {
      this.running = this.tick().catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.last = { at: this.options.clock().toISOString(), written: 0, error: message };
        this.options.report?.('warn', "Could not look for a board's figures to send; trying again shortly", {
          error: message,
        });
      });
      void this.running.then(() => {
        if (!this.stopped) this.timer = setTimeout(loop, intervalMs);
      });
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** For /healthz: each board with figures, the next to go and whether the bot sends them. */
  describe(now: Date): FiguresScheduleStatus[] {
    const out: FiguresScheduleStatus[] = [];
    for (const p of this.options.procedures.values()) {
      const figures = p.oversight?.figures;
      if (!figures) continue;
      const next = nextFiguresSending(p, now, calendarFor(p));
      out.push({
        board: p.id,
        to: figures.to,
        every: figures.every,
        ...(next ? { next: { period: next.period.words, at: next.sendAt.toISOString() } } : {}),
        sending: !figures.email
          ? 'not sent by the bot: the board file gives no email address (oversight.figures.email)'
          : this.options.emailing
            ? 'by email'
            : 'not sent: email is not set up (SMTP_URL and SMTP_FROM)',
      });
    }
    return out;
  }
}
