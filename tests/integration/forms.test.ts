/**
 * The boards' forms and the case record, filled from a case that went through every stage (the
 * real core, service and store), with the adult's details sealed and opened for a role holder.
 * Every field is asserted; then each document is rendered as PDF and DOCX and read back.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { CaseService } from '../../src/app/case-service';
import { actorFor } from '../../src/app/people';
import { loadProcedures } from '../../src/app/procedures';
import { caseRecordDocument } from '../../src/app/records/case-record';
import { documentText, type RecordDocument } from '../../src/app/records/document';
import { fillForm, formDocument, type FilledForm } from '../../src/app/records/forms';
import { toDocx, toPdf } from '../../src/app/records/render';
import { simulationDirectory } from '../../src/app/simulate';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import { availableCommands, type CaseCommand } from '../../src/domain/escalation';
import type { Procedure } from '../../src/domain/procedure';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';

const procedures = loadProcedures();
const ADULT = {
  name: 'Philippa Quennell-Ashworth',
  dateOfBirth: '1938-04-17',
  address: '4 Orchard Close, Weston-super-Mare',
};
/** Someone whose name is not in Latin-1: it must print as written. */
const ADULT_2 = { name: 'Zoë Łukasiewicz-Σταυρίδου', dateOfBirth: '1951-09-02', address: '12 Ffordd y Môr, Caerdydd' };

/** Take a case through every stage: both sides acknowledge and note each, then it climbs. */
async function everyStage(procedure: Procedure, finish: 'decision' | 'resolution') {
  const directory = simulationDirectory(procedure);
  const repo = SqliteRepository.open(join(mkdtempSync(join(tmpdir(), 'forms-')), 'cases.sqlite'));
  let now = new Date('2026-11-23T10:00:00Z');
  const service = new CaseService(
    repo,
    new Map([[procedure.id, procedure]]),
    new PersonalDataVault(Buffer.alloc(32, 9)),
    () => now,
  );
  const actor = (id: string) => {
    const p = directory.people.find((x) => x.id === id);
    if (!p) throw new Error(`no ${id}`);
    return actorFor(directory, p, now);
  };
  const raised = await service.raise({
    boardId: procedure.id,
    personal: ADULT,
    command: {
      type: 'raise',
      actor: actor('a-practitioner'),
      immediateRisk: false,
      respondingAgency: { id: 'agency-b', boards: [procedure.id] },
      respondingPersonId: 'b-practitioner',
      form: {
        initials: 'P Q',
        recordNumbers: { raising: 'A-100', responding: 'B-200' },
        category: procedure.categories?.[0]?.id ?? 'other',
        summary: 'Agency B closed its involvement although the adult is still at risk at home.',
        outcomeWanted: 'Agency B to reopen its involvement and join a planning meeting.',
        safetyMeanwhile: 'Daily care visits.',
      },
    },
  });
  if (!raised.ok) throw new Error(raised.refusal.message);
  const ref = raised.case.reference;
  const state = async () => {
    const s = await repo.getCase(ref);
    if (!s) throw new Error('lost');
    return s.state;
  };
  const anyone = async (type: CaseCommand['type'], prefer?: string): Promise<string | undefined> => {
    const s = await state();
    const people = [...directory.people].sort((a, b) => (a.agency === prefer ? -1 : b.agency === prefer ? 1 : 0));
    return people.find((p) => availableCommands(s, actorFor(directory, p, now), now).includes(type))?.id;
  };
  const act = async (by: string, command: Record<string, unknown> & { type: CaseCommand['type'] }): Promise<void> => {
    now = new Date(now.getTime() + 3 * 3_600_000);
    const outcome = await service.act(ref, { ...command, actor: actor(by) } as CaseCommand);
    if (!outcome.ok) throw new Error(`${by} ${command.type}: ${outcome.refusal.message}`);
  };
  for (let i = 0; i < 10; i++) {
    const s = await state();
    const stage = s.stages.at(-1)?.id ?? '';
    for (const agency of ['agency-a', 'agency-b', 'the-board']) {
      const who = await anyone('acknowledge', agency);
      if (who && directory.people.find((p) => p.id === who)?.agency === agency) await act(who, { type: 'acknowledge' });
    }
    const noteA = await anyone('add-note', 'agency-a');
    if (noteA)
      await act(noteA, { type: 'add-note', text: `Agency A at ${stage}: we still think the adult is at risk.` });
    const noteB = await anyone('add-note', 'agency-b');
    if (noteB)
      await act(noteB, { type: 'add-note', text: `Agency B at ${stage}: our threshold for involvement is not met.` });
    const asker = await anyone('request-escalation', 'agency-a');
    if (!asker) break;
    await act(asker, { type: 'request-escalation', reason: `No agreement at ${stage}.` });
    const approver = await anyone('approve-escalation', 'agency-a');
    if (approver) await act(approver, { type: 'approve-escalation' });
  }
  if (finish === 'decision') {
    const decider = await anyone('record-final-decision');
    if (!decider) throw new Error('nobody can record the decision');
    await act(decider, {
      type: 'record-final-decision',
      decision: 'Agency B reopens its involvement and attends a planning meeting within 5 working days.',
    });
  } else {
    const proposer = await anyone('propose-resolution', 'agency-b');
    if (!proposer) throw new Error('nobody can propose');
    await act(proposer, {
      type: 'propose-resolution',
      outcome: 'Agency B reopens its involvement.',
      outstandingIssues: 'None.',
    });
    const confirmer = await anyone('confirm-resolution', 'agency-a');
    if (confirmer) await act(confirmer, { type: 'confirm-resolution' });
  }
  const final = await repo.getCase(ref);
  if (!final) throw new Error('lost');
  const events = (await repo.getEvents(ref)).map((e) => e.event);
  const details = await service.personalDetails(ref, actor('a-practitioner'));
  if (!details.ok) throw new Error(details.refusal.message);
  const outsider = await service.personalDetails(ref, { personId: 'someone-else', agencyId: 'agency-z', roles: [] });
  expect(outsider.ok).toBe(false);
  return { state: final.state, events, details: details.details, directory, now, repo };
}

const field = (form: FilledForm, key: string): string =>
  form.fields.find((f) => f.key === key)?.value ?? `(no field ${key})`;

/**
 * The text a PDF shows (pdfkit, compression off): each text run's glyph codes mapped back to
 * characters through its font's ToUnicode map, as a PDF reader does for copy and paste.
 */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const objects = new Map<string, string>();
  for (const m of raw.matchAll(/(\d+) 0 obj([\s\S]*?)endobj/g)) objects.set(m[1] ?? '', m[2] ?? '');
  const toUnicode = (fontRef: string): Map<string, string> => {
    const font = objects.get(fontRef) ?? '';
    const cmapRef = /\/ToUnicode (\d+) 0 R/.exec(font)?.[1] ?? '';
    const cmap = objects.get(cmapRef) ?? '';
    const map = new Map<string, string>();
    const hex = (h: string): string => String.fromCodePoint(...(h.match(/.{4}/g) ?? []).map((x) => parseInt(x, 16)));
    for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
      for (const line of (block[1] ?? '').matchAll(
        /<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)/g,
      )) {
        const lo = parseInt(line[1] ?? '0', 16);
        const hi = parseInt(line[2] ?? '0', 16);
        const dst = line[3] ?? '';
        // A ligature maps to several characters: <0066 0066> is "ff".
        const list = dst.startsWith('[')
          ? [...dst.matchAll(/<([0-9a-fA-F\s]+)>/g)].map((x) => hex((x[1] ?? '').replace(/\s/g, '')))
          : undefined;
        for (let c = lo; c <= hi; c++)
          map.set(
            c.toString(16).padStart(4, '0'),
            list ? (list[c - lo] ?? '') : String.fromCodePoint(parseInt(dst.slice(1, -1), 16) + (c - lo)),
          );
      }
    }
    return map;
  };
  // Which font object each resource name (/F1, /F2…) is, from the page resources.
  const fontNames = new Map<string, Map<string, string>>();
  for (const [, body] of objects)
    for (const m of body.matchAll(/\/(F\d+) (\d+) 0 R/g))
      if (!fontNames.has(m[1] ?? '')) fontNames.set(m[1] ?? '', toUnicode(m[2] ?? ''));
  let current = new Map<string, string>();
  const out: string[] = [];
  for (const m of raw.matchAll(/\/(F\d+) [\d.]+ Tf|\[([^\]]*)\]\s*TJ/g)) {
    if (m[1]) current = fontNames.get(m[1]) ?? new Map<string, string>();
    else
      out.push(
        [...(m[2] ?? '').matchAll(/<([0-9a-fA-F]+)>/g)]
          .map((h) => (h[1]?.match(/.{4}/g) ?? []).map((code) => current.get(code.toLowerCase()) ?? '?').join(''))
          .join(''),
      );
  }
  return out.join(' ');
}

/** The text of a DOCX's main document part. */
function docxText(docx: Buffer): string {
  // Find word/document.xml in the zip's central directory, then inflate it.
  const name = 'word/document.xml';
  for (let i = docx.length - 22; i >= 0; i--) {
    if (docx.readUInt32LE(i) !== 0x06054b50) continue;
    let p = docx.readUInt32LE(i + 16);
    const entries = docx.readUInt16LE(i + 10);
    for (let e = 0; e < entries; e++) {
      const method = docx.readUInt16LE(p + 10);
      const size = docx.readUInt32LE(p + 20);
      const nameLen = docx.readUInt16LE(p + 28);
      const extra = docx.readUInt16LE(p + 30);
      const comment = docx.readUInt16LE(p + 32);
      const local = docx.readUInt32LE(p + 42);
      const entryName = docx.toString('utf8', p + 46, p + 46 + nameLen);
      if (entryName === name) {
        const start = local + 30 + docx.readUInt16LE(local + 26) + docx.readUInt16LE(local + 28);
        const data = docx.subarray(start, start + size);
        const xml = (method === 8 ? inflateRawSync(data) : data).toString('utf8');
        return [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)]
          .map((m) => m[1])
          .join(' ')
          .replace(/&amp;/g, '&')
          .replace(/&apos;/g, "'")
          .replace(/&quot;/g, '"');
      }
      p += 46 + nameLen + extra + comment;
    }
  }
  throw new Error('no word/document.xml in the DOCX');
}

const squash = (s: string): string => s.replace(/\s+/g, '');

/** Filled forms are kept for people to look at (gitignored, like the screenshots). */
const OUT = join(__dirname, '..', 'e2e', 'screenshots', 'forms');

async function rendersEverything(doc: RecordDocument): Promise<void> {
  const [pdf, docx] = await Promise.all([toPdf(doc, { compress: false }), toDocx(doc)]);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, `${doc.fileStem}.pdf`), await toPdf(doc));
  writeFileSync(join(OUT, `${doc.fileStem}.docx`), docx);
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  expect(docx.subarray(0, 2).toString()).toBe('PK');
  const inPdf = squash(pdfText(pdf));
  const inDocx = squash(docxText(docx));
  for (const text of documentText(doc)) {
    // Lines wrap, and a wrapped word may break: compare in pieces.
    for (const piece of squash(text).match(/.{1,40}/gu) ?? []) expect(inPdf).toContain(piece);
    expect(inDocx).toContain(squash(text));
  }
}

describe('North Somerset’s monitoring form (Appendix 2), from a case that went through every stage to the panel’s decision', () => {
  let form: FilledForm;
  let made: Awaited<ReturnType<typeof everyStage>>;
  beforeAll(async () => {
    const ns = procedures.get('north-somerset');
    if (!ns) throw new Error('no north-somerset');
    made = await everyStage(ns, 'decision');
    form = fillForm('north-somerset-monitoring', made.state, made.events, made.details, made.directory, made.now);
  });
  afterAll(async () => made.repo.close());

  test('every field is filled from the record', () => {
    expect(made.state.stages.map((s) => s.number)).toEqual([1, 2, 3, 4, 5]);
    expect(form.fields.map((f) => f.key)).toEqual([
      'adultsName',
      'summary',
      'agreedOutcomes',
      'initiatingManagerName',
      'initiatingManagerDesignation',
      'initiatingManagerAgency',
      'initiatingManagerDate',
      'receivingManagerName',
      'receivingManagerDesignation',
      'receivingManagerAgency',
      'receivingManagerDate',
      'stageResolved',
      'timeTaken',
      'comments',
      // The form's "Comments and additional notes", typed by the manager who completes it.
      'completerComments',
    ]);
    expect(field(form, 'adultsName')).toBe('Philippa Quennell-Ashworth');
    expect(field(form, 'summary')).toMatch(
      /^Agency A \(raising\) \(raised it\): Agency B closed its involvement .* The outcome it wanted: Agency B to reopen/,
    );
    expect(field(form, 'summary')).toMatch(
      /Agency B \(responding\): Agency B at stage-1: our threshold for involvement is not met\./,
    );
    expect(field(form, 'agreedOutcomes')).toMatch(/^Decision \(final and binding\): Agency B reopens its involvement/);
    expect(field(form, 'agreedOutcomes')).toMatch(
      /Escalated from .* to .* on 2026-11-\d\d by .*: No agreement at stage-1\./,
    );
    expect(field(form, 'initiatingManagerName')).toMatch(/ at A$/);
    expect(field(form, 'initiatingManagerAgency')).toBe('Agency A (raising)');
    expect(field(form, 'initiatingManagerDesignation')).toMatch(/^\(.+\)$/);
    expect(field(form, 'initiatingManagerDate')).toMatch(/^2026-1[12]-\d\d$/);
    expect(field(form, 'receivingManagerName')).toMatch(/ at B$/);
    expect(field(form, 'receivingManagerAgency')).toBe('Agency B (responding)');
    expect(field(form, 'receivingManagerDate')).toMatch(/^2026-1[12]-\d\d$/);
    expect(field(form, 'stageResolved')).toBe('5');
    expect(field(form, 'timeTaken')).toMatch(/^\d+ days \(\d+ working days\)$/);
    expect(field(form, 'comments')).toMatch(/^Case NS-2026-0001, raised 2026-11-23; stages: 1, 2, 3, 4, 5\./);
    expect(form.submitTo).toBe(
      'Business Manager (North Somerset Safeguarding Adults Board), Elizabeth Langson, elizabeth.langson@n-somerset.gov.uk',
    );
  });

  test('rendered as PDF and DOCX, every field reads back', async () => {
    await rendersEverything(formDocument(form, made.state));
  });

  test('the case record: the whole timeline, each deadline met or missed, the outcome; the adult named only when asked', async () => {
    const without = caseRecordDocument(made.state, made.events, made.directory, made.now);
    expect(documentText(without).join('\n')).not.toMatch(/Philippa|Quennell|1938|Orchard/);
    const withDetails = caseRecordDocument(made.state, made.events, made.directory, made.now, made.details);
    const text = documentText(withDetails).join('\n');
    expect(text).toMatch(/Philippa Quennell-Ashworth, born 1938-04-17, 4 Orchard Close/);
    const timeline = withDetails.blocks.find((b) => b.kind === 'table' && b.columns[0] === 'When');
    expect(timeline?.kind === 'table' ? timeline.rows.length : 0).toBe(made.events.length);
    const deadlines = withDetails.blocks.find((b) => b.kind === 'table' && b.columns[0] === 'Stage');
    expect(deadlines?.kind === 'table' ? deadlines.rows.map((r) => r[4]) : []).toEqual(expect.arrayContaining(['met']));
    expect(text).toMatch(/Decided \(final and binding\)/);
    await rendersEverything(withDetails);
  });
});

describe('Cheshire East’s Step 4 referral form (Appendix A), from a case that went through every step', () => {
  test('every field is filled from the record, and reads back from PDF and DOCX', async () => {
    const ce = procedures.get('cheshire-east');
    if (!ce) throw new Error('no cheshire-east');
    const made = await everyStage(ce, 'decision');
    expect(made.state.stages.map((s) => s.id)).toEqual(['step-1', 'step-2', 'step-3', 'step-4']);
    const form = fillForm(
      'cheshire-east-step-4-referral',
      made.state,
      made.events,
      made.details,
      made.directory,
      made.now,
    );
    expect(form.fields.map((f) => f.key)).toEqual([
      'adultName',
      'dateOfBirth',
      'address',
      'step2Manager',
      'step3Manager',
      'step3Concluded',
      'boardMembers',
      'details',
      'methodology',
      'submitTo',
    ]);
    expect(field(form, 'adultName')).toBe('Philippa Quennell-Ashworth');
    expect(field(form, 'dateOfBirth')).toBe('1938-04-17');
    expect(field(form, 'address')).toBe('4 Orchard Close, Weston-super-Mare');
    expect(field(form, 'step2Manager')).toMatch(/^.+ at A, .*\(.+\), Agency A \(raising\)$/);
    expect(field(form, 'step3Manager')).toMatch(/^.+ at A, .*\(.+\), Agency A \(raising\)$/);
    expect(field(form, 'step3Concluded')).toMatch(/^2026-1[12]-\d\d$/);
    expect(field(form, 'boardMembers')).toMatch(/of the board, .*The board$/m);
    // "Name of Board Members, Roles and Agencies Involved": the agencies' CESAB Board representatives
    // who met at step 3 are Board members too, not only the Business Manager.
    expect(field(form, 'boardMembers')).toMatch(/^.+ at A, .*\(CESAB Board representative\), Agency A \(raising\)$/m);
    expect(field(form, 'boardMembers')).toMatch(
      /^.+ at B, .*\(CESAB Board representative\), Agency B \(responding\)$/m,
    );
    expect(field(form, 'details')).toMatch(/Agency B closed its involvement/);
    expect(field(form, 'methodology').split('\n')).toHaveLength(4);
    expect(field(form, 'methodology')).toMatch(
      /^Step 1, .*: from 2026-11-23 to 2026-11-\d\d \(escalated\); 2 notes recorded\./,
    );
    expect(field(form, 'submitTo')).toBe('Cheshire East SAB, LSAB@cheshireeast.gov.uk');
    await rendersEverything(formDocument(form, made.state));
    // A name outside Latin-1 prints as written (the PDF embeds a font that has the letters).
    const other = fillForm('cheshire-east-step-4-referral', made.state, made.events, ADULT_2, made.directory, made.now);
    await rendersEverything(formDocument(other, made.state));
    expect(pdfText(await toPdf(formDocument(other, made.state), { compress: false }))).toContain(
      'Zoë Łukasiewicz-Σταυρίδου',
    );
    await made.repo.close();
  });
});
