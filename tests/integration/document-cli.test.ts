/**
 * `npm run --silent cli -- document`: a case's record or its board's form written to a file, as
 * an operator runs it, against a real SQLite store holding a North Somerset case (with the
 * adult's details sealed) raised through the real service. The files are real PDF and Word
 * documents; each issue is on the case's timeline and in the access log; bad input is one
 * sentence, exit 2, and changes nothing stored.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { stringify } from 'yaml';
import { CaseService } from '../../src/app/case-service';
import { actorFor } from '../../src/app/people';
import { loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import type { Directory } from '../../src/domain/directory';
import { loadConfig } from '../../src/config';
import { openAuditKey, openVault } from '../../src/store/open';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { runCli, type CliRun } from '../fakes/cli';

const dir = mkdtempSync(join(tmpdir(), 'document-cli-'));
const db = join(dir, 'escalations.sqlite');
const directoryFile = join(dir, 'directory.yaml');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ADULT = { name: 'Philippa Quennell-Ashworth', dateOfBirth: '1938-04-17', address: '4 Orchard Close, Weston' };
const procedures = loadProcedures();
const config = loadConfig({});
const open = (): SqliteRepository => SqliteRepository.open(db, { auditKey: openAuditKey(config).key });

let made = 0;
/** An invented Microsoft Entra id, one new each time. */
const guid = (): string => `00000000-0000-4000-8000-${String(++made).padStart(12, '0')}`;

/** Two agencies of North Somerset and the board, a person for each of its roles (all invented). */
function northSomersetDirectory(): Record<string, unknown> {
  const ns = procedures.get('north-somerset');
  if (!ns) throw new Error('no north-somerset');
  const agencyRoles = ns.roles.filter((r) => r.scope !== 'board').map((r) => r.id);
  const boardRoles = ns.roles.filter((r) => r.scope === 'board').map((r) => r.id);
  const agency = (id: string, name: string, kind: string) => ({
    id,
    name,
    kind,
    boards: ['north-somerset'],
    platform: 'teams',
    teams: { tenantId: guid() },
    example: true,
  });
  const person = (id: string, agencyId: string, role: string) => ({
    id,
    name: `${role} of ${agencyId}`,
    email: `${id}@example.org`,
    agency: agencyId,
    roles: [role],
    teamsAadObjectId: guid(),
    example: true,
  });
  return {
    agencies: [
      agency('ns-council', 'North Somerset Council', 'local-authority'),
      agency('ns-health', 'Weston Health', 'nhs'),
      agency('ns-board', 'North Somerset Safeguarding Adults Board', 'safeguarding-adults-board'),
      agency('elsewhere', 'An agency elsewhere', 'police'),
    ],
    people: [
      ...agencyRoles.flatMap((r) => [person(`council-${r}`, 'ns-council', r), person(`health-${r}`, 'ns-health', r)]),
      ...boardRoles.map((r) => person(`board-${r}`, 'ns-board', r)),
      person('stranger', 'elsewhere', 'practitioner'),
    ],
  };
}

let reference = '';
let bare = '';

beforeAll(async () => {
  writeFileSync(directoryFile, stringify(northSomersetDirectory()));
  const directory = loadDirectoryFile(directoryFile, procedures);
  const repo = open();
  const now = new Date('2026-11-23T10:00:00Z');
  const service = new CaseService(repo, procedures, openVault(config).vault, () => now, directory);
  const actor = (id: string) => actorFor(directory, personOf(directory, id), now);
  const raise = async (personal: boolean): Promise<string> => {
    const raised = await service.raise({
      boardId: 'north-somerset',
      ...(personal ? { personal: ADULT } : {}),
      command: {
        type: 'raise',
        actor: actor('council-practitioner'),
        immediateRisk: false,
        respondingAgency: { id: 'ns-health', boards: ['north-somerset'] },
        respondingPersonId: 'health-practitioner',
        form: {
          initials: 'P Q',
          recordNumbers: { raising: 'C-100', responding: 'H-200' },
          category: procedures.get('north-somerset')?.categories?.[0]?.id ?? 'other',
          summary: 'Weston Health closed its involvement although the adult is still at risk at home.',
          outcomeWanted: 'Weston Health to reopen its involvement and join a planning meeting.',
          safetyMeanwhile: 'Daily care visits.',
        },
      },
    });
    if (!raised.ok) throw new Error(raised.refusal.message);
    return raised.case.reference;
  };
  reference = await raise(true);
  bare = await raise(false);
  await repo.close();
}, 60_000);

function personOf(directory: Directory, id: string) {
  const p = directory.people.find((x) => x.id === id);
  if (!p) throw new Error(`no ${id}`);
  return p;
}

const cli = (args: readonly string[]): CliRun =>
  runCli(['document', ...args, '--db', db], { DIRECTORY_FILE: directoryFile, DATA_DIR: dir });

/** What the store holds of a case's issues: its timeline's document events and its access log. */
async function recorded(ref: string) {
  const repo = open();
  try {
    const events = (await repo.getEvents(ref)).map((e) => e.event);
    return {
      events: events.length,
      issued: events.filter((e) => e.type === 'document-issued'),
      access: await repo.accessLog({ reference: ref }),
    };
  } finally {
    await repo.close();
  }
}

/** The text of a Word file's body (word/document.xml), read through the zip's central directory. */
function docxText(file: string): string {
  const data = readFileSync(file);
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = data.readUInt32LE(end + 16);
  for (let i = 0; i < data.readUInt16LE(end + 10); i++) {
    const size = data.readUInt32LE(at + 20);
    const nameLength = data.readUInt16LE(at + 28);
    const name = data.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const local = data.readUInt32LE(at + 42);
    if (name === 'word/document.xml') {
      const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
      const body = data.subarray(start, start + size);
      const xml = (data.readUInt16LE(at + 10) === 8 ? inflateRawSync(body) : body).toString('utf8');
      return xml.replace(/<[^>]+>/g, '');
    }
    at += 46 + nameLength + data.readUInt16LE(at + 30) + data.readUInt16LE(at + 32);
  }
  throw new Error(`${file} has no word/document.xml`);
}

const PDF = Buffer.from('%PDF-');
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

test('the board’s form as a PDF, without the adult’s details: written, one line said, recorded as issued', async () => {
  const out = join(dir, 'monitoring.pdf');
  const before = await recorded(reference);
  const run = cli([
    '--case',
    reference.toLowerCase(),
    '--kind',
    'north-somerset-monitoring',
    '--format',
    'pdf',
    '--out',
    out,
  ]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toBe(
    `Wrote ${out}: North Somerset's monitoring form (Appendix 2) of case ${reference} (PDF, without the adult's details), recorded as issued to board-administrator.\n`,
  );
  expect(readFileSync(out).subarray(0, 5)).toEqual(PDF);
  const after = await recorded(reference);
  expect(after.events).toBe(before.events + 1);
  expect(after.issued.at(-1)).toMatchObject({
    type: 'document-issued',
    document: 'north-somerset-monitoring',
    format: 'pdf',
    withPersonalDetails: false,
    by: { personId: 'board-administrator', agencyId: 'board', party: 'board' },
  });
  expect(after.access.length).toBe(before.access.length + 1);
  expect(after.access[0]).toMatchObject({
    reference,
    personId: 'board-administrator',
    what: 'form:north-somerset-monitoring',
    platform: 'cli',
  });
}, 60_000);

test('as Word, the form says the adult’s details were left out, and does not name the adult', () => {
  const out = join(dir, 'monitoring.docx');
  const run = cli(['--case', reference, '--kind', 'north-somerset-monitoring', '--format', 'docx', '--out', out]);
  expect(run.status).toBe(0);
  expect(readFileSync(out).subarray(0, 4)).toEqual(ZIP);
  const text = docxText(out);
  expect(text).toContain('Left out of this copy');
  expect(text).toContain('this copy leaves out the adult’s name, date of birth and address');
  expect(text).not.toContain('Quennell');
  expect(text).not.toContain('Orchard');
}, 60_000);

test('the case record (every board has one), as Word', async () => {
  const out = join(dir, 'record.docx');
  const run = cli(['--case', bare, '--kind', 'case-record', '--format', 'docx', '--out', out]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(readFileSync(out).subarray(0, 4)).toEqual(ZIP);
  expect(docxText(out)).toContain(bare);
  expect((await recorded(bare)).issued).toEqual([expect.objectContaining({ document: 'case-record', format: 'docx' })]);
}, 60_000);

test('--with-details, asked by a role holder of the case: names the adult, and the opening of the details is logged', async () => {
  const out = join(dir, 'named.docx');
  const before = await recorded(reference);
  const run = cli([
    '--case',
    reference,
    '--kind',
    'north-somerset-monitoring',
    '--format',
    'docx',
    '--out',
    out,
    '--with-details',
    '--by',
    'council-line-manager',
  ]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/\(DOCX, naming the adult\), recorded as issued to council-line-manager\.\n$/);
  expect(docxText(out)).toContain(ADULT.name);
  const after = await recorded(reference);
  expect(after.issued.at(-1)).toMatchObject({
    withPersonalDetails: true,
    by: { personId: 'council-line-manager', agencyId: 'ns-council', party: 'raising' },
  });
  expect(after.access.slice(0, after.access.length - before.access.length).map((e) => [e.what, e.platform])).toEqual(
    expect.arrayContaining([
      ['personal-details', 'cli'],
      ['form:north-somerset-monitoring', 'cli'],
    ]),
  );
}, 60_000);

describe('bad input: one sentence, exit 2, no file, nothing stored changes', () => {
  const pdf = join(dir, 'never.pdf');
  const cases: Array<[string, () => string[], RegExp]> = [
    [
      'an unknown case',
      () => ['--case', 'NS-2026-0999', '--kind', 'case-record', '--format', 'pdf', '--out', pdf],
      /^There is no case NS-2026-0999 in this store\.$/,
    ],
    [
      'not a case reference',
      () => ['--case', 'the one from Tuesday', '--kind', 'case-record', '--format', 'pdf', '--out', pdf],
      /^--case must be a case reference such as NS-2026-0042 \(it is "the one from Tuesday"\)\.$/,
    ],
    [
      'an unknown kind: every kind is listed',
      () => ['--case', reference, '--kind', 'appendix-9', '--format', 'pdf', '--out', pdf],
      // The kinds come from the board files (forms as data): every board's form, Luton's template too.
      /^--kind must be one of: case-record \(the case record\), cheshire-east-step-4-referral \(Cheshire East's Step 4 referral form \(Appendix A\)\), luton-escalation-template \(Luton's escalation template\), north-somerset-monitoring \(North Somerset's monitoring form \(Appendix 2\)\) \(it is "appendix-9"\)\.$/,
    ],
    [
      'another board’s form: the ones this case has are listed',
      () => ['--case', reference, '--kind', 'cheshire-east-step-4-referral', '--format', 'pdf', '--out', pdf],
      /^Case NS-2026-\d{4} is a North Somerset Safeguarding Adults Board case, and that board has no Cheshire East's Step 4 referral form \(Appendix A\): --kind must be one of case-record, north-somerset-monitoring\.$/,
    ],
    [
      'a format there is not',
      () => ['--case', reference, '--kind', 'case-record', '--format', 'odt', '--out', pdf],
      /^--format must be pdf or docx \(Word\) \(it is "odt"\)\.$/,
    ],
    [
      'a folder that does not exist',
      () => [
        '--case',
        reference,
        '--kind',
        'case-record',
        '--format',
        'pdf',
        '--out',
        join(dir, 'no', 'such', 'x.pdf'),
      ],
      /^--out cannot be written: there is no folder ".*no\/such"\. Make it first, or choose another\.$/,
    ],
    [
      'a folder for a file',
      () => ['--case', reference, '--kind', 'case-record', '--format', 'pdf', '--out', dir],
      /^--out cannot be written: ".*" is a folder\. Name a file in it\.$/,
    ],
    [
      '--with-details by the operator, who is nobody in the directory',
      () => ['--case', reference, '--kind', 'case-record', '--format', 'pdf', '--out', pdf, '--with-details'],
      /^--with-details names the adult, so, as in the chat, only someone who may see case NS-2026-\d{4} can ask: --by must be the id of a person in the directory \(it is "board-administrator"\)\.$/,
    ],
    [
      'someone who may not see the case',
      () => ['--case', reference, '--kind', 'case-record', '--format', 'pdf', '--out', pdf, '--by', 'stranger'],
      /^Case NS-2026-\d{4} is not available to stranger: they are neither a party to it nor a role holder of its agencies or board\.$/,
    ],
    [
      '--with-details where none were given',
      () => [
        '--case',
        bare,
        '--kind',
        'case-record',
        '--format',
        'pdf',
        '--out',
        pdf,
        '--with-details',
        '--by',
        'council-line-manager',
      ],
      /^The adult's details have not been given for case NS-2026-\d{4}: leave out --with-details, or add them first \(privately, from the case card\)\.$/,
    ],
  ];
  test.each(cases)(
    '%s',
    async (_, args, said) => {
      const before = [await recorded(reference), await recorded(bare)];
      const run = cli(args());
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd()).toMatch(said);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(existsSync(pdf)).toBe(false);
      expect([await recorded(reference), await recorded(bare)]).toEqual(before);
    },
    60_000,
  );
});

test('help lists the document command and its kinds', () => {
  const run = runCli(['help']);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/document --case <ref> --kind <kind> --format pdf\|docx --out <file>/);
  expect(run.stdout).toMatch(
    /kinds: case-record, cheshire-east-step-4-referral, luton-escalation-template, north-somerset-monitoring/,
  );
}, 60_000);
