/**
 * Signposts: where each board's procedure points people elsewhere, from its own file
 * (`signposts`), shown on the raising form and on the card of the stages it names, on Slack and
 * Teams, in the procedure's own sense (each yaml entry keeps the seed's words as its `phrase`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EXAMPLE_DIRECTORY_FILE,
  loadDirectoryFile,
  loadProcedures,
  SHIPPED_PROCEDURES_DIR,
  SHIPPED_FORM_FILES,
} from '../../src/app/procedures';
import { stageCardView } from '../../src/app/views/stage-card';
import { stageCardBlocks } from '../../src/channels/slack/blocks';
import { raiseFormModal } from '../../src/channels/slack/raise-modals';
import { raiseFormCard } from '../../src/channels/teams/raise-dialog';
import { renderStageCard } from '../../src/channels/teams/stage-card';
import { decide, raise, type CaseState, type RaiseCommand } from '../../src/domain/escalation';
import { checkProcedureText, raisingSignposts, stageSignposts, type Procedure } from '../../src/domain/procedure';
import { parseProblems } from '../fakes/adaptive-cards';
import { shippedBoard } from '../fakes/cases';

const procedures = loadProcedures();
const board = shippedBoard;
const directory = loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, procedures);
const raiser = directory.people[0] as (typeof directory.people)[number];
const seed = (file: string): string =>
  readFileSync(join(__dirname, '..', 'fixtures', 'seeds', file), 'utf8').replace(/\s+/g, ' ');
const ids = (list: ReadonlyArray<{ id: string }>) => list.map((s) => s.id);

function raised(procedure: Procedure, category: string): CaseState {
  const command: RaiseCommand = {
    type: 'raise',
    actor: { personId: 'p', agencyId: 'a', roles: ['practitioner'] },
    sequence: 1,
    immediateRisk: false,
    respondingAgency: { id: 'b' },
    form: {
      initials: 'J S',
      category,
      summary: 'The placement is ending next week.',
      outcomeWanted: 'Keep the placement while the assessment is done.',
      safetyMeanwhile: 'Daily visits.',
    },
  };
  const decision = raise(procedure, command, new Date('2026-04-10T10:00:00.000Z'));
  if (!decision.ok) throw new Error(decision.refusal.message);
  return decision.state;
}

describe('every board’s signposts come from its own procedure', () => {
  test.each([
    ['camden', '000_17846a748ddcc525.txt'],
    ['luton', '001_417300b6ee709e70.txt'],
    ['cheshire-east', '002_64daf70f0743073c.txt'],
    ['lincolnshire', '003_abd5cd6b3900292a.txt'],
    ['north-somerset', '004_ad2379e58cc15259.txt'],
  ])('%s: each phrase is the procedure’s own words, and each link is in it', (id, file) => {
    const text = seed(file);
    const signposts = board(id).signposts;
    expect(signposts.length).toBeGreaterThan(0);
    for (const s of signposts) {
      expect(text).toContain(s.phrase.replace(/\s+/g, ' '));
      if (s.url) expect(text).toContain(s.url);
    }
  });
});

describe('on the raising form', () => {
  test('Camden: "should also be followed where a professional disagreement involves adults with children", on Slack and Teams', () => {
    const camden = board('camden');
    const words = raisingSignposts(camden).find((s) => s.id === 'childrens-escalation-policy')?.words ?? '';
    expect(words).toMatch(/Camden Safeguarding Children's Board Escalation Policy/);
    const modal = JSON.stringify(raiseFormModal(camden, directory, raiser, { board: 'camden' }));
    expect(modal).toContain("Camden Safeguarding Children's Board Escalation Policy");
    const card = raiseFormCard(camden, directory, raiser);
    expect(JSON.stringify(card)).toContain("Camden Safeguarding Children's Board Escalation Policy");
  });

  test('Luton: the "LSAB Escalation Template" and guidance as links: a Slack link, a Teams Action.OpenUrl', () => {
    const luton = board('luton');
    const template = luton.signposts.find((s) => s.id === 'escalation-template')?.url ?? '';
    expect(template).toMatch(/lsab-escalation-template\.docx$/);
    expect(JSON.stringify(raiseFormModal(luton, directory, raiser, { board: 'luton' }))).toContain(
      `<${template}|Open the link>`,
    );
    const lutonDirectory = {
      ...directory,
      agencies: [...directory.agencies, { id: 'luton-council', name: 'Luton Borough Council', boards: ['luton'] }],
    } as typeof directory;
    const card = raiseFormCard(luton, lutonDirectory, raiser);
    expect(parseProblems(card)).toEqual([]);
    expect(JSON.stringify(card)).toContain(`{"type":"Action.OpenUrl","title":"Open the link","url":"${template}"}`);
  });

  test('Cheshire East: "not designed to replace the statutory complaints processes", on the form; a board without signposts shows none', () => {
    expect(ids(raisingSignposts(board('cheshire-east')))).toEqual(['not-a-complaint']);
    const none = { ...board('cheshire-east'), signposts: [] };
    expect(JSON.stringify(raiseFormModal(none, directory, raiser, { board: 'cheshire-east' }))).not.toContain(
      'information_source',
    );
    expect(JSON.stringify(raiseFormCard(none, directory, raiser))).not.toContain('Where the procedure points you');
  });
});

describe('on the card of the stage', () => {
  test('Cheshire East: the Business Unit for the Safeguarding Lead’s contact details, at step 2 only', () => {
    const ce = board('cheshire-east');
    expect(ids(stageSignposts(ce, 'step-2', 'other'))).toEqual(['business-unit-contacts']);
    expect(stageSignposts(ce, 'step-1', 'other')).toEqual([]);
    expect(stageSignposts(ce, 'step-3', 'other')).toEqual([]);
  });

  test('Lincolnshire: "good practice for the adult to remain in the care setting" for a disagreement about care arrangements only', () => {
    const lincs = board('lincolnshire');
    const now = new Date('2026-04-10T11:00:00.000Z');
    const care = stageCardView(raised(lincs, 'care-setting'), { now, directory });
    expect(ids(care.signposts ?? [])).toEqual(['remain-in-care-setting']);
    expect(JSON.stringify(stageCardBlocks(care).blocks)).toContain('it is good practice for the adult to stay');
    const card = renderStageCard(care, []);
    expect(parseProblems(card)).toEqual([]);
    expect(JSON.stringify(card)).toContain('it is good practice for the adult to stay');
    const other = stageCardView(raised(lincs, 'case-closure'), { now, directory });
    expect(other.signposts).toEqual([]);
    expect(JSON.stringify(renderStageCard(other, []))).not.toContain('Where the procedure points you');
  });
});

describe('once the case is closed', () => {
  test('Luton: "It may be useful for individuals to debrief with their line manager following some disputes", after, not before', () => {
    const luton = board('luton');
    const now = new Date('2026-04-10T11:00:00.000Z');
    const open = raised(luton, 'case-closure');
    expect(ids(stageCardView(open, { now, directory }).signposts ?? [])).not.toContain('debrief');
    const closed = decide(
      open,
      {
        type: 'withdraw',
        actor: { personId: 'p', agencyId: 'a', roles: ['practitioner'] },
        reason: 'Agreed by phone.',
      },
      now,
    );
    if (!closed.ok) throw new Error(closed.refusal.message);
    const view = stageCardView(closed.state, { now, directory });
    expect(ids(view.signposts ?? [])).toEqual(['debrief']);
    const card = renderStageCard(view, []);
    expect(parseProblems(card)).toEqual([]);
    expect(JSON.stringify(card)).toContain('talk it over with your line manager');
    expect(JSON.stringify(stageCardBlocks(view).blocks)).toContain('talk it over with your line manager');
  });
});

describe('procedure check', () => {
  const text = readFileSync(join(SHIPPED_PROCEDURES_DIR, 'lincolnshire.yaml'), 'utf8');

  test('a signpost naming a stage or a kind of disagreement the file lacks, or shown nowhere, is named', () => {
    const broken = text
      .replace(
        '    stages: all\n    categories: [care-setting]',
        '    stages: [step-9]\n    categories: [care-settings]',
      )
      .replace('    raising: true\n    phrase: >-\n      This protocol', '    phrase: >-\n      This protocol');
    const result = checkProcedureText(broken, SHIPPED_FORM_FILES);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        'names the stage "step-9", which is not in "stages"',
        'names the kind of disagreement "care-settings", which is not in "categories"',
        'is shown nowhere: give "raising: true", the "stages" whose card shows it (or "all"), or "closed: true"',
      ]),
    );
  });

  test('a file without signposts still loads, with none', () => {
    const without = text.replace(/\nsignposts:\n[\s\S]*?\n(?=defaults:)/, '\n');
    const result = checkProcedureText(without, SHIPPED_FORM_FILES);
    expect(result.ok && result.value.signposts).toEqual([]);
  });
});
