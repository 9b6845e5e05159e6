/**
 * What `procedure check` says about a board's file: same-day limits, fields the format lacks,
 * tabs, new timescale fields, and a reference prefix another board uses.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileProblems } from '../../src/app/procedures';
import {
  SHIPPED_PROCEDURES_DIR,
  clashWithOtherBoards,
  loadProcedures,
  SHIPPED_FORM_FILES,
} from '../../src/app/procedures';
import { checkProcedureText } from '../../src/domain/procedure';

const ns = readFileSync(join(SHIPPED_PROCEDURES_DIR, 'north-somerset.yaml'), 'utf8');
const lincolnshire = readFileSync(join(SHIPPED_PROCEDURES_DIR, 'lincolnshire.yaml'), 'utf8');

function once(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`not found: ${String(from)}`);
  return out;
}

function problems(text: string): string[] {
  const result = checkProcedureText(text, SHIPPED_FORM_FILES);
  if (result.ok) return [];
  return result.problems.map((p) => `line ${p.line ?? '?'} ${p.where}: ${p.message}`);
}

describe('same-day limits in a board file', () => {
  // North Somerset stage 1: "(Within 1 working day)", the first timescale in the file.
  const stage1 = /( {6}- kind: conclude-by\n {8}amount: 1\n {8}unit: working-days\n)/;

  test('a zero amount on clock hours says how to write a same-day limit', () => {
    const text = once(ns, stage1, '      - kind: conclude-by\n        amount: 0\n        unit: clock-hours\n');
    expect(problems(text)).toEqual([
      expect.stringMatching(
        /timescales › 1st › amount: must be more than zero; for "on the same working day" write "unit: same-working-day" with no amount \(or "amount: 0" with "unit: working-days"\); for "without delay" or "immediately" write "unit: without-delay"/,
      ),
    ]);
  });

  test('"amount: 0" with working days, "unit: same-working-day" and "unit: without-delay" are each accepted', () => {
    expect(
      problems(once(ns, stage1, '      - kind: conclude-by\n        amount: 0\n        unit: working-days\n')),
    ).toEqual([]);
    expect(problems(once(ns, stage1, '      - kind: conclude-by\n        unit: same-working-day\n'))).toEqual([]);
    expect(problems(once(ns, stage1, '      - kind: conclude-by\n        unit: without-delay\n'))).toEqual([]);
  });

  test('a same-working-day limit with an amount, and a working-days limit with none, are each one problem', () => {
    expect(
      problems(once(ns, stage1, '      - kind: conclude-by\n        amount: 2\n        unit: same-working-day\n')),
    ).toEqual([expect.stringMatching(/amount: a "same-working-day" limit has no amount; remove "amount"/)]);
    expect(problems(once(ns, stage1, '      - kind: conclude-by\n        unit: working-days\n'))).toEqual([
      expect.stringMatching(/amount: needs an amount for "working-days", like 5; for "on the same working day"/),
    ]);
  });
});

describe('fields the format lacks', () => {
  test('a misspelt field is named with the field meant', () => {
    const text = once(ns, '        phrase: (Within 1 working day)', '        phrasee: (Within 1 working day)');
    expect(problems(text)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/phrasee: is not a field this file uses; did you mean "phrase"\?/),
      ]),
    );
  });

  test('a field the format does not have is not called a typo: it lists what can go there', () => {
    const text = once(ns, /^( {8}phrase: \(Within 1 working day\))$/m, '$1\n        escalateTo: senior-manager');
    const [message] = problems(text);
    expect(message).toMatch(/escalateTo: is not a field this file uses, here or anywhere in this format/);
    expect(message).toMatch(/The fields that can go here are: kind, amount, unit, from, phrase/);
    expect(message).not.toMatch(/spelling/);
  });
});

describe('a tab character in the YAML', () => {
  test('is one problem on its line, not one for every error it leads to', () => {
    const text = once(ns, '  - id: stage-2\n', '\t- id: stage-2\n');
    const found = problems(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/indented with a tab character; YAML indents with spaces only/);
  });
});

describe('new timescale fields are cross-checked', () => {
  test('a board default for a stage that does not exist', () => {
    const text = once(lincolnshire, 'stages: [step-4b]', 'stages: [step-4c]');
    expect(problems(text)).toEqual([
      expect.stringMatching(/defaults › timescale › stages › 1st: names the stage "step-4c", which is not in "stages"/),
    ]);
  });

  test('a limit for a category that is not declared', () => {
    const text = once(
      lincolnshire,
      '        phrase: within 48 hours (2 working days) of the initial discussion\n',
      '        phrase: within 48 hours (2 working days) of the initial discussion\n        categories: [no-such-category]\n',
    );
    expect(problems(text)).toEqual([
      expect.stringMatching(/names the category "no-such-category", which is not declared/),
    ]);
  });

  test('"shortestOf" on one limit alone joins nothing', () => {
    const text = once(
      lincolnshire,
      '        phrase: within 48 hours (2 working days) of the initial discussion\n',
      '        phrase: within 48 hours (2 working days) of the initial discussion\n        shortestOf: first\n',
    );
    expect(problems(text)).toEqual([expect.stringMatching(/no other conclude-by limit of this stage shares the name/)]);
  });
});

describe('a reference prefix another board uses', () => {
  const copy = (prefix: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'prefix-'));
    const text = readFileSync(join(SHIPPED_PROCEDURES_DIR, 'camden.yaml'), 'utf8')
      .replace('id: camden', 'id: fife')
      .replace('referencePrefix: CAM', `referencePrefix: ${prefix}`);
    writeFileSync(join(dir, 'fife.yaml'), text);
    return dir;
  };

  test('is found by checking the file against the folders, not only at start-up', () => {
    const dir = copy('NS');
    const procedure = loadProcedures([dir]).get('fife');
    if (!procedure) throw new Error('fife');
    expect(clashWithOtherBoards(join(dir, 'fife.yaml'), procedure, [SHIPPED_PROCEDURES_DIR])).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/prefix "NS" is already used by the board "north-somerset"/) as string,
      }),
    ]);
  });

  test('at start-up it leaves that board out and says so; the other boards still load', () => {
    const dir = copy('CAM');
    const refused: FileProblems[] = [];
    const loaded = loadProcedures([SHIPPED_PROCEDURES_DIR, dir], (p) => refused.push(p));
    expect([...loaded.keys()]).toEqual(['camden', 'cheshire-east', 'lincolnshire', 'luton', 'north-somerset']);
    expect(refused.map((r) => r.message)).toEqual([expect.stringMatching(/prefix "CAM" is already used/)]);
  });
});
