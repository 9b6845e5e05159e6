/**
 * The admin CLI, run exactly as a user runs it: `npm run --silent cli -- <args>` in the project
 * folder. Each run starts Node and tsx (about a second), so the runs are few and shared.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli, type CliRun } from '../fakes/cli';

const ROOT = resolve(__dirname, '..', '..');

/** Temporary folders made by this file, removed at the end. */
const temporary: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  // A copy of a shipped board keeps its form files beside it, as a board's author copying one would.
  cpSync(join(ROOT, 'src', 'procedures', 'forms'), join(dir, 'forms'), { recursive: true });
  return dir;
}
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

type Run = CliRun;
const cli = (args: readonly string[], extraEnv: Record<string, string> = {}): Run => runCli(args, extraEnv);

/** Replace the one line matching `pattern` (which must match exactly once). */
function replaceOnce(text: string, pattern: RegExp, to: string): string {
  const global = new RegExp(pattern.source, 'gm');
  const count = text.match(global)?.length ?? 0;
  if (count !== 1) throw new Error(`${String(pattern)} matches ${count} times, not once`);
  return text.replace(new RegExp(pattern.source, 'm'), to);
}

/** The 1-based line of the only line containing `text`. */
function lineContaining(file: string, text: string): number {
  const lines = file.split('\n');
  const found = lines.flatMap((line, i) => (line.includes(text) ? [i + 1] : []));
  if (found.length !== 1) throw new Error(`"${text}" is on ${found.length} lines, not one`);
  return found[0] as number;
}

const STAGE_KEYS = ['id', 'name', 'startBy', 'dueBy', 'source', 'limits'];

interface StageJson {
  id: string;
  name: string;
  startBy?: string;
  dueBy?: string;
  source: string;
  limits?: Array<{ kind: string; stage: string; at: string; phrase: string; source: string }>;
}

interface DeadlinesJson {
  board: string;
  raisedAt: string;
  stages: StageJson[];
}

function parseDeadlines(run: Run): DeadlinesJson {
  expect(run).toEqual(expect.objectContaining({ status: 0 }));
  return JSON.parse(run.stdout) as DeadlinesJson;
}

const nsText = readFileSync(join(ROOT, 'src', 'procedures', 'north-somerset.yaml'), 'utf8');

describe('npm run --silent cli -- procedures', () => {
  test('lists the five shipped boards, one tab-separated line each', () => {
    const run = cli(['procedures']);
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(5);
    const rows = lines.map((l) => l.split('\t'));
    expect(rows.map((r) => r[0])).toEqual(['camden', 'cheshire-east', 'lincolnshire', 'luton', 'north-somerset']);
    for (const row of rows) {
      expect(row).toHaveLength(4);
      expect(row[1]).toMatch(/Safeguarding Adults (Partnership )?Board$/);
      expect(row[2]).toBe('england-and-wales');
      expect(row[3]).toMatch(/^\d stages/);
    }
    // Lincolnshire's step 4 is one stage in two branches (4a urgent, 4b non-urgent).
    expect(lines[2]).toBe(
      'lincolnshire\tLincolnshire Safeguarding Adults Board\tengland-and-wales\t4 stages (stage 4: urgent or non-urgent)',
    );
    expect(lines[4]).toBe('north-somerset\tNorth Somerset Safeguarding Adults Board\tengland-and-wales\t5 stages');
    expect(lines[3]).toBe('luton\tLuton Safeguarding Adults Board\tengland-and-wales\t4 stages');
  });
});

describe('npm run --silent cli -- procedure check <file>', () => {
  test('output piped into something that stops reading (| head) ends quietly, without a crash', () => {
    const piped = spawnSync(
      'bash',
      [
        '-c',
        'npm run --silent cli -- procedure check src/procedures/north-somerset.yaml | head -c 0; echo "$' +
          '{PIPESTATUS[0]}"',
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(piped.stderr).not.toMatch(/EPIPE|Error/);
    expect(piped.stdout.trim()).toBe('0');
  });

  test('a good file: exit 0, one line saying ok', () => {
    const run = cli(['procedure', 'check', 'src/procedures/north-somerset.yaml']);
    expect(run.status).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^src\/procedures\/north-somerset\.yaml: ok - North Somerset Safeguarding Adults Board \(north-somerset\), England and Wales, 5 stages/,
      ),
    ]);
  });

  describe('a broken copy of North Somerset (an undeclared role at stage 2, a negative amount)', () => {
    const dir = tempDir('sab-cli-broken-');
    const file = join(dir, 'north-somerset.yaml');
    const roleOnly = join(tempDir('sab-cli-role-'), 'north-somerset.yaml');
    const withRole = replaceOnce(nsText, /^ {6}raising: \[second-tier-manager\]$/, '      raising: [second-tier-boss]');
    const broken = replaceOnce(withRole, /^ {8}amount: 2$/, '        amount: -2');
    writeFileSync(file, broken);
    writeFileSync(roleOnly, withRole);
    const roleLine = lineContaining(broken, 'second-tier-boss');
    const amountLine = lineContaining(broken, 'amount: -2');
    let run: Run;
    beforeAll(() => {
      run = cli(['procedure', 'check', file]);
    });

    test('exit 1, with the negative amount on its line; nothing on stdout', () => {
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`${file}: `);
      expect(run.stderr).toMatch(
        new RegExp(
          `line ${amountLine}, stages › 2nd \\(stage-2\\) › timescales › 1st › amount: must be more than zero \\(it is -2\\)`,
        ),
      );
    });

    test('the undeclared role alone: exit 1, named on its line with the roles that are declared', () => {
      const roleRun = cli(['procedure', 'check', roleOnly]);
      expect(roleRun.status).toBe(1);
      expect(roleRun.stderr).toMatch(/1 problem to fix/);
      expect(roleRun.stderr).toMatch(
        new RegExp(
          `line ${roleLine}, stages › 2nd \\(stage-2\\) › sides › raising › 1st: names the role "second-tier-boss", which is not declared under "roles" \\(declared: practitioner, line-manager, second-tier-manager,`,
        ),
      );
    });

    test('both problems are listed together, each with its line', () => {
      expect(run.stderr).toMatch(/2 problems to fix/);
      expect(run.stderr).toContain(`line ${roleLine}, `);
      expect(run.stderr).toContain(`line ${amountLine}, `);
    });
  });
});

describe('npm run --silent cli -- directory check <file>', () => {
  test('the shipped example: exit 0, 22 agencies', () => {
    const run = cli(['directory', 'check', 'src/directory/lincolnshire-example.yaml']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^src\/directory\/lincolnshire-example\.yaml: ok - 22 agencies, 22 people \(22 marked as examples\)\n$/,
    );
  });
});

describe('npm run --silent cli -- working-days add', () => {
  test.each([
    // Tue 22 Dec 2026: 23, 24, (25 Christmas, 26-27 weekend, 28 Boxing Day substitute), 29, 30, 31.
    ['england-and-wales', '2026-12-22', '5', '2026-12-31\n'],
    // Thu 31 Dec 2026: 1 Jan holiday, 2 Jan (a Saturday) has its substitute on Monday 4 Jan.
    ['scotland', '2026-12-31', '1', '2027-01-05\n'],
    // Mon 16 Mar 2026: Tuesday 17 March is St Patrick's Day.
    ['northern-ireland', '2026-03-16', '1', '2026-03-18\n'],
  ])('--nation %s --from %s --days %s', (nation, from, days, expected) => {
    const run = cli(['working-days', 'add', '--nation', nation, '--from', from, '--days', days]);
    expect(run).toEqual(expect.objectContaining({ status: 0, stdout: expected }));
  });

  test('an unknown nation: exit 2, naming --nation and the nations', () => {
    const run = cli(['working-days', 'add', '--nation', 'wales', '--from', '2026-12-22', '--days', '5']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^--nation must be one of: england-and-wales, scotland, northern-ireland \(it is "wales"\)\./,
    );
    expect(run.stderr).toContain('Usage: npm run --silent cli -- <command>');
  });
});

describe('npm run --silent cli -- deadlines', () => {
  test('North Somerset, raised Friday 20 November 2026 10:00 (timescales from the outset), as JSON', () => {
    const plan = parseDeadlines(
      cli(['deadlines', '--board', 'north-somerset', '--raised', '2026-11-20T10:00:00Z', '--json']),
    );
    expect({ board: plan.board, raisedAt: plan.raisedAt }).toEqual({
      board: 'north-somerset',
      raisedAt: '2026-11-20T10:00:00+00:00',
    });
    expect(Object.keys(plan).sort()).toEqual(['board', 'raisedAt', 'stages']);
    expect(plan.stages.map((s) => s.id)).toEqual(['stage-1', 'stage-2', 'stage-3', 'stage-4', 'stage-5']);
    const [s1, s2, s3, s4, s5] = plan.stages;
    expect(s1).toEqual(
      expect.objectContaining({ startBy: '2026-11-23T17:00:00+00:00', dueBy: '2026-11-23T17:00:00+00:00' }),
    ); // 1 working day
    expect(s2?.dueBy).toBe('2026-11-24T17:00:00+00:00'); // 2 working days from the outset
    expect(s3?.dueBy).toBe('2026-11-25T17:00:00+00:00'); // 3
    expect(s4?.startBy).toBe('2026-11-27T17:00:00+00:00'); // stage 4 reached within 5
    // Stages 4 and 5 on the board default: 5 working days from the end of the stage before.
    expect(s4?.dueBy).toBe('2026-12-02T17:00:00+00:00');
    expect(s5?.dueBy).toBe('2026-12-09T17:00:00+00:00');
    expect(s2?.startBy).toBeUndefined();
    for (const stage of plan.stages) {
      expect(Object.keys(stage).every((k) => STAGE_KEYS.includes(k))).toBe(true);
      expect(typeof stage.name).toBe('string');
      expect(stage.name.length).toBeGreaterThan(0);
      expect(typeof stage.source).toBe('string');
      expect(stage.source.length).toBeGreaterThan(0);
    }
    expect(s2?.source).toMatch(/^\(Within 2 working days\) \| From the outset/);
    // Every limit of a stage, not only the first: stage 2's own, and stage 4's "within 5" from the outset.
    expect(s2?.limits?.map((l) => [l.kind, l.stage, l.at])).toEqual([
      ['conclude-by', 'stage-2', '2026-11-24T17:00:00+00:00'],
      ['conclude-by', 'stage-4', '2026-11-27T17:00:00+00:00'],
    ]);
    expect(s5?.source).toMatch(/^board default: /);
  });

  test('an unknown board: exit 2, naming --board and listing the boards', () => {
    const run = cli(['deadlines', '--board', 'nowhere', '--raised', '2026-11-20T10:00:00Z']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^--board must be one of: camden, cheshire-east, lincolnshire, luton, north-somerset \(it is "nowhere"\)\./,
    );
  });

  test('--raised that is not an instant: exit 2, naming --raised', () => {
    const run = cli(['deadlines', '--board', 'north-somerset', '--raised', 'yesterday']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^--raised "yesterday" is not an ISO 8601 instant with a time zone/);
  });
});

describe('a new board is a new file: PROCEDURES_DIR with a Scottish board (Camden’s procedure as "fife")', () => {
  const dir = tempDir('sab-cli-boards-');
  let fife = readFileSync(join(ROOT, 'src', 'procedures', 'camden.yaml'), 'utf8');
  fife = replaceOnce(fife, /^id: camden$/, 'id: fife');
  fife = replaceOnce(fife, /^name: .*$/, 'name: Fife Adult Protection Committee');
  fife = replaceOnce(fife, /^referencePrefix: CAM$/, 'referencePrefix: FIF');
  fife = replaceOnce(fife, /^nation: england-and-wales$/, 'nation: scotland');
  writeFileSync(join(dir, 'fife.yaml'), fife);
  const env = { PROCEDURES_DIR: dir };

  test('procedures lists six boards, the new one last', () => {
    const run = cli(['procedures'], env);
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split('\t')[0])).toEqual([
      'camden',
      'cheshire-east',
      'lincolnshire',
      'luton',
      'north-somerset',
      'fife',
    ]);
    expect(lines[5]).toBe('fife\tFife Adult Protection Committee\tscotland\t5 stages');
  });

  test('procedure check: a board whose reference prefix another board in the folders uses is refused, naming it', () => {
    const clash = join(tempDir('sab-cli-prefix-'), 'fife.yaml');
    writeFileSync(clash, replaceOnce(fife, /^referencePrefix: FIF$/, 'referencePrefix: CAM'));
    const run = cli(['procedure', 'check', clash], env);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/the case reference prefix "CAM" is already used by the board "camden"/);
  });

  test('deadlines count Scottish bank holidays: St Andrew’s Day, then Christmas', () => {
    const plan = parseDeadlines(
      cli(['deadlines', '--board', 'fife', '--raised', '2026-11-27T10:00:00Z', '--json'], env),
    );
    expect(plan.board).toBe('fife');
    expect(plan.raisedAt).toBe('2026-11-27T10:00:00+00:00');
    const due = plan.stages.map((s) => [s.id, s.dueBy]);
    expect(due.slice(0, 4)).toEqual([
      // Fri 27 Nov + 5 working days; Mon 30 Nov is St Andrew's Day: 1, 2, 3, 4, 7 Dec.
      // (In England and Wales this would be Friday 4 December.)
      ['stage-1', '2026-12-07T17:00:00+00:00'],
      // Each later stage: 5 working days from the end of the one before.
      ['stage-2', '2026-12-14T17:00:00+00:00'],
      ['stage-3', '2026-12-21T17:00:00+00:00'],
      // 22, 23, 24; 25 Christmas; weekend; 28 Boxing Day substitute; 29, 30.
      ['stage-4', '2026-12-30T17:00:00+00:00'],
    ]);
  });
});

describe('procedure check: the board’s oversight ("This procedure should be reviewed annually")', () => {
  test('a review date passed is a warning, the file still ok; and who receives the figures, for which quarter', () => {
    const camden = readFileSync(resolve(__dirname, '..', '..', 'src', 'procedures', 'camden.yaml'), 'utf8');
    const file = join(tempDir('sab-cli-review-'), 'camden.yaml');
    writeFileSync(file, camden.replace('\n  figures:\n', '\n  reviewBy: 2020-04-01\n  figures:\n'));
    const run = cli(['procedure', 'check', file]);
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/: ok - Camden Safeguarding Adults Partnership Board/);
    expect(lines[1]).toBe(
      `${file}: warning - oversight › reviewBy: this procedure was due to be reviewed by 1 April 2020: review it with the board, then set "oversight.reviewBy" to the next review date`,
    );
    expect(lines[2]).toMatch(
      /: figures every quarter to Quality and Performance Subcommittee of the CSAPB; the last due: .* \(report --board camden --from \d{4}-\d{2}-01 --to \d{4}-\d{2}-01\)$/,
    );
  });
});
