/**
 * Which period of figures is due when. Camden (seed 000): "Any data in relation to the use of the
 * procedure should be shared quarterly to the Quality and Performance Subcommittee of the CSAPB".
 * The bot sends a period's figures at the start of working hours (09:00, Europe/London) on the
 * first working day after it ends: weekends and bank holidays (England and Wales) skipped, summer
 * time (BST, from the last Sunday of March to the last Sunday of October) counted.
 */
import { loadProcedures } from '../../src/app/procedures';
import { FiguresSchedule, figuresItemId } from '../../src/app/reports/schedule';
import type { CaseRepository } from '../../src/app/store/repository';
import type { NewOutboxItem } from '../../src/app/store/outbox';
import { calendarFor } from '../../src/domain/escalation';
import { figuresDue, nextFiguresSending, type Procedure } from '../../src/domain/procedure';

const camden = loadProcedures().get('camden') as Procedure;
const calendar = calendarFor(camden);
const EMAIL = 'quality.performance@example.org';
const withFigures = (every: 'month' | 'quarter' | 'year', email: string | undefined = EMAIL): Procedure => ({
  ...camden,
  oversight: {
    ...camden.oversight,
    phrase: camden.oversight?.phrase ?? '',
    figures: { to: 'Quality and Performance Subcommittee of the CSAPB', every, ...(email ? { email } : {}) },
  },
});
const quarterly = withFigures('quarter');
const due = (p: Procedure, at: string) => {
  const d = figuresDue(p, new Date(at), calendarFor(p));
  return d && { from: d.period.from, to: d.period.to, sendAt: d.sendAt.toISOString() };
};

describe('"shared quarterly": the quarter just ended is due at 09:00 on the first working day after it', () => {
  test('quarter ending 31 March 2026: due 1 April 2026 09:00 BST (08:00Z), after the clocks went forward on 29 March', () => {
    // A millisecond before, the quarter before is still the one due.
    expect(due(quarterly, '2026-04-01T07:59:59.999Z')).toEqual({
      from: '2025-10-01',
      to: '2026-01-01',
      sendAt: '2026-01-02T09:00:00.000Z',
    });
    expect(due(quarterly, '2026-04-01T08:00:00.000Z')).toEqual({
      from: '2026-01-01',
      to: '2026-04-01',
      sendAt: '2026-04-01T08:00:00.000Z',
    });
  });

  test('quarter ending 31 December 2026: 1 January 2027 is a bank holiday (then a weekend), so 4 January 2027 09:00 GMT', () => {
    expect(due(quarterly, '2027-01-01T09:00:00.000Z')).toEqual(
      expect.objectContaining({ from: '2026-07-01', to: '2026-10-01' }),
    );
    expect(due(quarterly, '2027-01-04T08:59:59.999Z')).toEqual(
      expect.objectContaining({ from: '2026-07-01', to: '2026-10-01' }),
    );
    expect(due(quarterly, '2027-01-04T09:00:00.000Z')).toEqual({
      from: '2026-10-01',
      to: '2027-01-01',
      sendAt: '2027-01-04T09:00:00.000Z',
    });
  });

  test('quarter ending 30 September 2026 (still summer time): 1 October 2026 09:00 BST = 08:00Z', () => {
    expect(due(quarterly, '2026-10-01T08:00:00.000Z')).toEqual({
      from: '2026-07-01',
      to: '2026-10-01',
      sendAt: '2026-10-01T08:00:00.000Z',
    });
  });

  test('monthly: October 2026 (clocks back on 25 October) goes on Monday 2 November 2026 at 09:00 GMT', () => {
    const monthly = withFigures('month');
    expect(due(monthly, '2026-11-02T09:00:00.000Z')).toEqual({
      from: '2026-10-01',
      to: '2026-11-01',
      sendAt: '2026-11-02T09:00:00.000Z',
    });
    // On Sunday 1 November, September's are the last due (sent Thursday 1 October 09:00 BST).
    expect(due(monthly, '2026-11-01T12:00:00.000Z')).toEqual({
      from: '2026-09-01',
      to: '2026-10-01',
      sendAt: '2026-10-01T08:00:00.000Z',
    });
  });

  test('yearly: 2026 goes on Monday 4 January 2027 at 09:00 GMT (1 January a bank holiday)', () => {
    expect(due(withFigures('year'), '2027-01-04T09:00:00.000Z')).toEqual({
      from: '2026-01-01',
      to: '2027-01-01',
      sendAt: '2027-01-04T09:00:00.000Z',
    });
  });

  test('the next to be sent, for /healthz: before the moment, the period just ended; after it, the one under way', () => {
    const next = (at: string) => {
      const n = nextFiguresSending(quarterly, new Date(at), calendar);
      return n && { from: n.period.from, sendAt: n.sendAt.toISOString() };
    };
    expect(next('2027-01-02T12:00:00.000Z')).toEqual({ from: '2026-10-01', sendAt: '2027-01-04T09:00:00.000Z' });
    expect(next('2027-01-04T09:00:00.000Z')).toEqual({ from: '2027-01-01', sendAt: '2027-04-01T08:00:00.000Z' });
    const monthly = (at: string) => nextFiguresSending(withFigures('month'), new Date(at), calendar)?.period.from;
    expect(monthly('2026-02-10T12:00:00.000Z')).toBe('2026-02-01');
    expect(monthly('2026-03-02T12:00:00.000Z')).toBe('2026-03-01');
  });

  test('a board whose file names no recipient has nothing due', () => {
    expect(figuresDue(loadProcedures().get('luton') as Procedure, new Date('2026-04-01T08:00:00.000Z'), calendar)).toBe(
      undefined,
    );
  });
});

describe('the schedule: one outbox item a board and period, only with an email address and email set up', () => {
  const written: NewOutboxItem[][] = [];
  const repo = {
    enqueue: (items: readonly NewOutboxItem[]) => {
      written.push([...items]);
      return Promise.resolve();
    },
  } as unknown as CaseRepository;
  const schedule = (procedure: Procedure, at: string, emailing = true) => {
    const said: string[] = [];
    const s = new FiguresSchedule({
      repo,
      procedures: new Map([[procedure.id, procedure]]),
      clock: () => new Date(at),
      emailing,
      report: (_level, message) => said.push(message),
    });
    return { s, said };
  };

  test('at the moment, the quarter just ended, with an id of the board and the period (so it is stored once)', async () => {
    written.length = 0;
    const { s } = schedule(quarterly, '2026-04-01T08:00:00.000Z');
    expect(await s.tick()).toBe(1);
    expect(await s.tick()).toBe(0);
    expect(written).toHaveLength(1);
    const item = written[0]?.[0];
    expect(item).toEqual(
      expect.objectContaining({
        id: 'figures:camden:2026-01-01:2026-04-01:email-figures',
        kind: 'email-figures',
        recipient: EMAIL,
      }),
    );
    expect(item?.payload).toEqual(
      expect.objectContaining({ from: '2026-01-01', to: '2026-04-01', words: '1 January to 31 March 2026' }),
    );
    // Another replica (or this one after a restart) writes the same id.
    expect(schedule(quarterly, '2026-04-09T15:00:00.000Z').s.due(new Date('2026-04-09T15:00:00.000Z'))[0]?.id).toBe(
      figuresItemId('camden', { from: '2026-01-01', to: '2026-04-01' }),
    );
  });

  test('a period missed while the bot was down is still written when it comes back, within three weeks of its moment', () => {
    const { s } = schedule(quarterly, '2026-04-22T08:00:00.000Z');
    expect(s.due(new Date('2026-04-22T08:00:00.000Z')).map((i) => i.id)).toEqual([
      'figures:camden:2026-01-01:2026-04-01:email-figures',
    ]);
    // Later than that, the outbox may have forgotten it was sent: it is not written again.
    expect(s.due(new Date('2026-04-22T08:00:00.001Z'))).toEqual([]);
  });

  test('without SMTP nothing is written, and that is said once at start, not silently', async () => {
    written.length = 0;
    const { s, said } = schedule(quarterly, '2026-04-01T08:00:00.000Z', false);
    expect(await s.tick()).toBe(0);
    expect(written).toHaveLength(0);
    expect(said).toEqual([expect.stringContaining('email is not set up (SMTP_URL and SMTP_FROM)')]);
    expect(s.describe(new Date('2026-04-01T08:00:00.000Z'))).toEqual([
      expect.objectContaining({ board: 'camden', sending: 'not sent: email is not set up (SMTP_URL and SMTP_FROM)' }),
    ]);
  });

  test('Camden as shipped names the subcommittee but no email address: nothing sent, and said', async () => {
    const { s, said } = schedule(camden, '2026-04-01T08:00:00.000Z');
    expect(await s.tick()).toBe(0);
    expect(said).toEqual([expect.stringContaining('its file gives no email address (oversight.figures.email)')]);
    expect(s.describe(new Date('2026-04-01T08:00:00.000Z'))[0]).toEqual(
      expect.objectContaining({ next: { period: '1 April to 30 June 2026', at: '2026-07-01T08:00:00.000Z' } }),
    );
  });
});
