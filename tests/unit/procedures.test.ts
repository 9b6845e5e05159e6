import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileProblems, loadProcedures, SHIPPED_PROCEDURES_DIR, SHIPPED_FORM_FILES } from '../../src/app/procedures';
import { checkProcedureText, type Procedure } from '../../src/domain/procedure';

const SEEDS = join(__dirname, '..', 'fixtures', 'seeds');
const SEED_OF: Record<string, string> = {
  camden: '000_17846a748ddcc525.txt',
  luton: '001_417300b6ee709e70.txt',
  'cheshire-east': '002_64daf70f0743073c.txt',
  lincolnshire: '003_abd5cd6b3900292a.txt',
  'north-somerset': '004_ad2379e58cc15259.txt',
};

/** Seed text with markup and runs of white space folded, so a verbatim phrase can be found in it. */
const fold = (s: string): string =>
  s
    .replace(/\*\*|<\/?b>/g, '')
    .replace(/\\checkmark/g, '')
    .replace(/\s+/g, ' ')
    .trim();

const procedures = loadProcedures();
const get = (id: string): Procedure => {
  const p = procedures.get(id);
  if (!p) throw new Error(`no procedure ${id}`);
  return p;
};

/** Every phrase in a procedure, with where it is. */
function phrases(p: Procedure): Array<[string, string]> {
  const found: Array<[string, string]> = p.immediateRisk ? [['immediateRisk', p.immediateRisk.phrase]] : [];
  if (p.urgentPath) found.push(['urgentPath', p.urgentPath.phrase]);
  if (p.outOfHours) found.push(['outOfHours', p.outOfHours.phrase]);
  if (p.recording) found.push(['recording', p.recording.phrase]);
  if (p.monitoring) found.push(['monitoring', p.monitoring.phrase]);
  p.readings.forEach((r) => found.push([`reading ${r.id}`, r.phrase]));
  for (const s of p.stages) {
    s.timescales.forEach((t, i) => found.push([`${s.id} timescale ${i + 1}`, t.phrase]));
    s.notifications.forEach((n, i) => found.push([`${s.id} notification ${i + 1}`, n.phrase]));
    s.forms.forEach((f, i) => found.push([`${s.id} form ${i + 1}`, f.phrase]));
    if (s.decision?.phrase) found.push([`${s.id} decision`, s.decision.phrase]);
  }
  return found;
}

describe('the five shipped procedures', () => {
  test('are all loaded, with their names, nations and stages', () => {
    const summary = [...procedures.values()].map((p) => [
      p.id,
      p.nation,
      p.referencePrefix,
      p.stages.map((s) => s.id).join(','),
    ]);
    expect(summary).toEqual([
      ['camden', 'england-and-wales', 'CAM', 'stage-1,stage-2,stage-3,stage-4,stage-5'],
      ['cheshire-east', 'england-and-wales', 'CE', 'step-1,step-2,step-3,step-4'],
      ['lincolnshire', 'england-and-wales', 'LI', 'step-1,step-2,step-3,step-4a,step-4b'],
      ['luton', 'england-and-wales', 'LU', 'stage-1,stage-2,stage-3,stage-4'],
      ['north-somerset', 'england-and-wales', 'NS', 'stage-1,stage-2,stage-3,stage-4,stage-5'],
    ]);
  });

  test.each(Object.entries(SEED_OF))('every phrase in %s is quoted verbatim from its seed', (id, seed) => {
    const source = fold(readFileSync(join(SEEDS, seed), 'utf8'));
    const missing = phrases(get(id)).filter(([, phrase]) => !source.includes(fold(phrase)));
    expect(missing).toEqual([]);
    expect(phrases(get(id)).length).toBeGreaterThan(3);
  });

  test('working hours default to Monday to Friday, 09:00–17:00 Europe/London', () => {
    for (const p of procedures.values()) {
      expect(p.workingHours).toEqual({
        days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
        start: '09:00',
        end: '17:00',
        timeZone: 'Europe/London',
      });
    }
  });

  test('emergency contacts come first for immediate risk (Camden’s numbers, as the seed gives them)', () => {
    const phones = get('camden').immediateRisk?.contacts.map((c) => c.phone);
    expect(phones).toEqual(expect.arrayContaining(['999', '101', '020 7974 4000', '020 7974 6999']));
    expect(get('camden').immediateRisk?.onYes).toBe('refuse');
    expect(get('lincolnshire').immediateRisk?.onYes).toBe('urgent-path');
    expect(get('north-somerset').urgentPath?.startAt).toEqual(['stage-1', 'stage-2', 'stage-3']);
  });

  test('Camden: each stage is one working week (5 working days) from its start', () => {
    for (const s of get('camden').stages.slice(0, 4)) {
      expect(s.timescales).toEqual([
        expect.objectContaining({ kind: 'conclude-by', amount: 5, unit: 'working-days', from: 'stage-start' }),
      ]);
    }
    expect(
      get('camden')
        .readings.map((r) => r.phrase)
        .join(' '),
    ).toMatch(/one working week/);
  });

  test('Luton gives no timescale: the file sets a board default and says it is the board’s choice', () => {
    const luton = get('luton');
    expect(luton.stages.every((s) => s.timescales.length === 0)).toBe(true);
    expect(luton.defaults.timescale).toEqual(expect.objectContaining({ amount: 5, unit: 'working-days' }));
    expect(luton.defaults.timescale?.note).toMatch(/board/i);
    expect(luton.readings.some((r) => /speedily/.test(r.phrase))).toBe(true);
  });

  test('Cheshire East counts "day N" in working days, and the file can switch it', () => {
    const ce = get('cheshire-east');
    expect(ce.counting.dayNumbers).toBe('working');
    expect(ce.readings.some((r) => r.switch === 'counting.dayNumbers')).toBe(true);
    const step2 = ce.stages.find((s) => s.id === 'step-2');
    expect(step2?.timescales.map((t) => [t.kind, t.unit, t.amount])).toEqual([
      ['start-by', 'day-number', 3],
      ['conclude-by', 'day-number', 9],
    ]);
    const step1 = ce.stages[0];
    expect(step1?.timescales[0]).toEqual(
      expect.objectContaining({
        unit: 'clock-hours',
        amount: 24,
        phrase: 'TAKE ACTION WITHIN 24 HOURS OF CONCERN ARISING',
      }),
    );
  });

  test('Lincolnshire: 48 hours read as 2 working days, step 2 runs from step 1, urgent and non-urgent step 4', () => {
    const li = get('lincolnshire');
    const [s1, s2, , s4a, s4b] = li.stages;
    expect(s1?.timescales[0]).toEqual(expect.objectContaining({ amount: 2, unit: 'working-days' }));
    expect(s1?.timescales[0]?.phrase).toMatch(/48 hours \(2 working days\)/);
    expect(s2?.timescales[0]?.from).toEqual({ stage: 'step-1', at: 'start' });
    expect([s4a?.number, s4a?.branch, s4b?.number, s4b?.branch]).toEqual([4, 'urgent', 4, 'non-urgent']);
    expect(s4a?.timescales[0]).toEqual(
      expect.objectContaining({
        kind: 'start-by',
        amount: 24,
        unit: 'clock-hours',
        from: { stage: 'step-3', at: 'end' },
      }),
    );
    expect(li.outOfHours?.phrase).toMatch(/on call process/);
    expect(li.readings.map((r) => r.id)).toEqual(expect.arrayContaining(['forty-eight-hours', 'of-step-1']));
  });

  test('North Somerset: timescales from the outset, the monitoring form at stages 3 and 4, a final and binding panel', () => {
    const ns = get('north-somerset');
    expect(ns.stages.slice(0, 3).map((s) => s.timescales.find((t) => t.kind === 'conclude-by')?.amount)).toEqual([
      1, 2, 3,
    ]);
    expect(ns.stages.slice(0, 3).every((s) => s.timescales.every((t) => t.from === 'raised'))).toBe(true);
    expect(ns.stages[3]?.timescales[0]).toEqual(
      expect.objectContaining({ kind: 'start-by', amount: 5, from: 'raised' }),
    );
    expect(
      ns.stages.filter((s) => s.forms.some((f) => f.form === 'north-somerset-monitoring')).map((s) => s.id),
    ).toEqual(['stage-3', 'stage-4']);
    expect(ns.stages[4]?.decision).toEqual(expect.objectContaining({ finalAndBinding: true }));
  });

  test('obliged notifications: Luton’s line manager tells their own safeguarding lead', () => {
    const stage2 = get('luton').stages[1];
    expect(stage2?.notifications[0]).toEqual(
      expect.objectContaining({
        by: 'line-manager',
        to: 'safeguarding-lead',
        // "The line manager involved should notify the safeguarding lead within their organisation":
        // both line managers are involved at stage 2, each telling their own (own-agency is now
        // only the side that escalated).
        where: 'both-agencies',
        when: ['stage-start', 'outcome'],
      }),
    );
  });
});

describe('a broken procedure file', () => {
  const good = readFileSync(join(SHIPPED_PROCEDURES_DIR, 'north-somerset.yaml'), 'utf8');

  test('is refused with every problem listed, each with its line and what to do', () => {
    const broken = good
      .replace('      raising: [senior-manager]', '      raising: [senior-manger]')
      .replace('        amount: 3\n', '        amount: -3\n')
      .replace('        amount: 2\n        unit: working-days', '        amount: 2\n        unit: fortnights')
      .replace(
        '      - kind: conclude-by\n        amount: 1\n        unit: working-days\n        from: raised',
        '      - kind: conclude-by\n        amount: 1\n        unit: working-days\n        from: { stage: stage-9, at: end }',
      );
    const result = checkProcedureText(broken, SHIPPED_FORM_FILES);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const lines = result.problems.map((p) => `${p.where}: ${p.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^stages › 3rd \(stage-3\) › timescales › 1st › amount: must be more than zero \(it is -3\)/,
        ),
        expect.stringMatching(
          /^stages › 2nd \(stage-2\) › timescales › 1st › unit: must be one of: working-days, working-weeks, calendar-days, clock-hours, day-number, same-working-day, without-delay \(it is "fortnights"\)/,
        ),
      ]),
    );
    expect(result.problems.every((p) => typeof p.line === 'number' && p.line > 0)).toBe(true);
  });

  test('cross-reference problems are all listed too: unknown role, a stage running from a stage that does not exist', () => {
    const broken = good
      .replace('      raising: [senior-manager]', '      raising: [senior-manger]')
      .replace(
        '      - kind: conclude-by\n        amount: 1\n        unit: working-days\n        from: raised',
        '      - kind: conclude-by\n        amount: 1\n        unit: working-days\n        from: { stage: stage-9, at: end }',
      );
    const result = checkProcedureText(broken, SHIPPED_FORM_FILES);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.map((p) => `line ${p.line} ${p.where}: ${p.message}`);
    expect(text).toEqual([
      expect.stringMatching(
        /^line \d+ stages › 1st \(stage-1\) › timescales › 1st › from › stage: runs from the stage "stage-9", which is not in "stages"/,
      ),
      expect.stringMatching(
        /^line \d+ stages › 3rd \(stage-3\) › sides › raising › 1st: names the role "senior-manger", which is not declared under "roles"/,
      ),
    ]);
    const roleLine = result.problems[1]?.line ?? 0;
    expect(broken.split('\n')[roleLine - 1]).toContain('senior-manger');
  });

  test('one file with a missing stage, an unknown role, a negative amount, an unknown unit and a stage running from nowhere: every problem listed at once', () => {
    const withoutStage2 =
      good.slice(0, good.indexOf('  - id: stage-2\n')) + good.slice(good.indexOf('  - id: stage-3\n'));
    const broken = withoutStage2
      .replace('      raising: [senior-manager]', '      raising: [senior-manger]')
      .replace('        amount: 3\n', '        amount: -3\n')
      .replace(
        '        amount: 5\n        unit: working-days\n        from: raised',
        '        amount: 5\n        unit: fortnights\n        from: raised',
      )
      .replace(
        '      - kind: conclude-by\n        amount: 1\n        unit: working-days\n        from: raised',
        '      - kind: conclude-by\n        amount: 1\n        unit: working-days\n        from: { stage: stage-9, at: end }',
      );
    const result = checkProcedureText(broken, SHIPPED_FORM_FILES);
    if (result.ok) throw new Error('accepted');
    const text = result.problems.map((p) => `line ${p.line} ${p.where}: ${p.message}`).join('\n');
    expect(text).toMatch(
      /stage-1\) › timescales › 1st › from › stage: runs from the stage "stage-9", which is not in "stages"/,
    );
    expect(text).toMatch(/stage-3\) › number: stages must be numbered in order without gaps: stage 3 follows stage 1/);
    expect(text).toMatch(/stage-3\) › sides › raising › 1st: names the role "senior-manger", which is not declared/);
    expect(text).toMatch(/stage-3\) › timescales › 1st › amount: must be more than zero \(it is -3\)/);
    expect(text).toMatch(
      /stage-4\) › timescales › 1st › unit: must be one of: working-days, working-weeks, calendar-days, clock-hours, day-number, same-working-day, without-delay \(it is "fortnights"\)/,
    );
    expect(text).toMatch(/stage 3 follows stage 1 \(is stage 2 missing\?\)/);
    // …and what the missing stage breaks elsewhere: the urgent path named it.
    expect(text).toMatch(/urgentPath › startAt › 2nd: names the stage "stage-2", which is not in "stages"/);
    expect(result.problems).toHaveLength(6);
    expect(result.problems.map((p) => p.line)).toEqual(
      [...result.problems.map((p) => p.line)].sort((a, b) => (a ?? 0) - (b ?? 0)),
    );
  });

  test('a missing stage list, a missing field and an unknown field are each named', () => {
    const result = checkProcedureText(
      'id: test-board\nname: Test\nshortName: T\nnation: england-and-wales\nreferencePrefix: TB\nsource: { title: T }\nroles: []\ncolour: blue\n',
      SHIPPED_FORM_FILES,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.map((p) => `${p.where}: ${p.message}`);
    expect(text).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^stages: is missing/),
        expect.stringMatching(/^colour: is not a field this file uses/),
        expect.stringMatching(/^roles: must declare at least one role/),
      ]),
    );
    // A procedure may say nothing about immediate risk: leaving it out is not a problem.
    expect(text.some((t) => t.startsWith('immediateRisk'))).toBe(false);
  });

  test('branches that do not pair, gaps in numbering and roles on the wrong side are refused', () => {
    const broken = good
      .replace('    number: 3\n', '    number: 4\n    branch: urgent\n')
      .replace('    board: [panel, board-business-manager]', '    board: [panel, board-representative]');
    const result = checkProcedureText(broken, SHIPPED_FORM_FILES);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.map((p) => p.message).join('\n');
    expect(text).toMatch(/numbered in order without gaps/);
    expect(text).toMatch(/"board-representative", a role held in each agency; list it under "sides"/);
  });

  test('YAML that cannot be read says so, with its line', () => {
    const tabs = checkProcedureText('id: x\nname: a\n\tnation: y\n', SHIPPED_FORM_FILES);
    const twice = checkProcedureText('id: x\nname: a\nname: b\n', SHIPPED_FORM_FILES);
    if (tabs.ok || twice.ok) throw new Error('accepted');
    expect(tabs.problems.map((p) => [p.where, p.line])).toEqual([['the YAML itself', 3]]);
    expect(tabs.problems[0]?.message).toMatch(/indented with a tab character/);
    expect(twice.problems[0]?.message).toMatch(/keys must be unique/);
  });
});

describe('a new board', () => {
  test('is added by writing a file alone: a Scottish board counts Scotland’s bank holidays', () => {
    const dir = mkdtempSync(join(tmpdir(), 'boards-'));
    const file = readFileSync(join(SHIPPED_PROCEDURES_DIR, 'camden.yaml'), 'utf8')
      .replace('id: camden', 'id: fife')
      .replace(/^name: .*$/m, 'name: Fife Adult Protection Committee')
      .replace('nation: england-and-wales', 'nation: scotland')
      .replace('referencePrefix: CAM', 'referencePrefix: FIF');
    writeFileSync(join(dir, 'fife.yaml'), file);
    const all = loadProcedures([SHIPPED_PROCEDURES_DIR, dir]);
    expect(all.get('fife')?.nation).toBe('scotland');
    expect(all.size).toBe(6);
  });

  test('two boards cannot share a case reference prefix or an id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'boards-'));
    writeFileSync(
      join(dir, 'camden-copy.yaml'),
      readFileSync(join(SHIPPED_PROCEDURES_DIR, 'camden.yaml'), 'utf8').replace('id: camden', 'id: camden-copy'),
    );
    expect(() => loadProcedures([SHIPPED_PROCEDURES_DIR, dir])).toThrow(FileProblems);
    expect(() => loadProcedures([SHIPPED_PROCEDURES_DIR, dir])).toThrow(
      /prefix "CAM" is already used by the board "camden"/,
    );
  });

  test('a file whose name does not match its id is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'boards-'));
    writeFileSync(join(dir, 'wrong-name.yaml'), readFileSync(join(SHIPPED_PROCEDURES_DIR, 'luton.yaml'), 'utf8'));
    expect(() => loadProcedures([dir])).toThrow(/name the file "luton.yaml"/);
  });
});
