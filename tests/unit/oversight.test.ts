/**
 * Board oversight from the board's file: Camden "This procedure should be reviewed annually. Any
 * data in relation to the use of the procedure should be shared quarterly to the Quality and
 * Performance Subcommittee of the CSAPB".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProcedures, SHIPPED_PROCEDURES_DIR, SHIPPED_FORM_FILES } from '../../src/app/procedures';
import { checkProcedureText, lastFiguresPeriod, reviewWarning, type Procedure } from '../../src/domain/procedure';

const camden = loadProcedures().get('camden') as Procedure;

describe('"shared quarterly to the Quality and Performance Subcommittee of the CSAPB"', () => {
  test('Camden’s file names the subcommittee, every quarter', () => {
    expect(camden.oversight?.figures).toEqual({
      to: 'Quality and Performance Subcommittee of the CSAPB',
      every: 'quarter',
    });
  });

  test('the last whole quarter before today, and who receives it (the first day of the next as --to)', () => {
    expect(lastFiguresPeriod(camden, '2026-10-25')).toEqual({
      from: '2026-07-01',
      to: '2026-10-01',
      recipient: 'Quality and Performance Subcommittee of the CSAPB',
      every: 'quarter',
      words: '1 July to 30 September 2026',
    });
    // In January, the quarter just ended is October to December of the year before.
    expect(lastFiguresPeriod(camden, '2027-01-04')).toEqual(
      expect.objectContaining({ from: '2026-10-01', to: '2027-01-01', words: '1 October to 31 December 2026' }),
    );
    // On the first day of a quarter, the one that ended yesterday.
    expect(lastFiguresPeriod(camden, '2026-04-01')).toEqual(
      expect.objectContaining({ from: '2026-01-01', to: '2026-04-01' }),
    );
  });

  test('monthly and yearly, and a board whose file names no recipient has none', () => {
    const every = (e: 'month' | 'year') =>
      ({ ...camden, oversight: { phrase: 'x', figures: { to: 'The board', every: e } } }) as Procedure;
    expect(lastFiguresPeriod(every('month'), '2026-03-15')).toEqual(
      expect.objectContaining({ from: '2026-02-01', to: '2026-03-01', words: '1 February to 28 February 2026' }),
    );
    expect(lastFiguresPeriod(every('year'), '2026-03-15')).toEqual(
      expect.objectContaining({ from: '2025-01-01', to: '2026-01-01' }),
    );
    expect(lastFiguresPeriod(loadProcedures().get('luton') as Procedure, '2026-03-15')).toBeUndefined();
  });
});

describe('"This procedure should be reviewed annually": a review date in the file', () => {
  const text = readFileSync(join(SHIPPED_PROCEDURES_DIR, 'camden.yaml'), 'utf8');
  const withReview = (date: string): Procedure => {
    const checked = checkProcedureText(
      text.replace('\n  figures:\n', `\n  reviewBy: "${date}"\n  figures:\n`),
      SHIPPED_FORM_FILES,
    );
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    return checked.value;
  };

  test('no warning until the date has passed, then one in words', () => {
    const p = withReview('2027-04-01');
    expect(reviewWarning(p, '2027-04-01')).toBeUndefined();
    expect(reviewWarning(p, '2027-04-02')).toBe(
      'this procedure was due to be reviewed by 1 April 2027: review it with the board, then set "oversight.reviewBy" to the next review date',
    );
    expect(reviewWarning(camden, '2099-01-01')).toBeUndefined();
  });

  test('Cheshire East "Date – April 2023 REVIEW – April 2025": its file says so, and the check warns now it is past', () => {
    const checked = checkProcedureText(
      readFileSync(join(SHIPPED_PROCEDURES_DIR, 'cheshire-east.yaml'), 'utf8'),
      SHIPPED_FORM_FILES,
    );
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    expect(checked.value.oversight?.reviewBy).toBe('2025-04-30');
    expect(reviewWarning(checked.value, '2025-04-30')).toBeUndefined();
    expect(reviewWarning(checked.value, '2026-12-03')).toMatch(/was due to be reviewed by 30 April 2025/);
  });

  test('a review date that is not a date is a problem of the file', () => {
    const checked = checkProcedureText(
      text.replace('\n  figures:\n', '\n  reviewBy: 1st April\n  figures:\n'),
      SHIPPED_FORM_FILES,
    );
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems.map((p) => p.message).join(' ')).toContain('must be a date written YYYY-MM-DD');
  });
});
