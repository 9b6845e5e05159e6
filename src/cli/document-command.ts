/**
 * `document`: one of a case's documents (its record, or one of its board's own forms) built from
 * the record and written to a file, as PDF or Word, and recorded as issued, as when someone asks
 * for it from the case card: on the case's timeline and in the access log (platform "cli").
 *
 * The command line acts as the operator (`--by`, board-administrator unless given), who holds
 * the store. Without the adult's details by default. `--with-details` names the adult, and then
 * the chat's rules apply: `--by` must be someone in the directory who may see the case, and the
 * details must have been given (and not erased). A problem is said in one sentence, exit 2, and
 * nothing stored changes.
 */
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mayAccess } from '../app/access';
import { actorFor, personById } from '../app/people';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../app/procedures';
import { demoDirectory } from '../app/demo';
import { DocumentService, type DocumentFormat, type DocumentKind } from '../app/records/documents';
import { formsFor } from '../app/records/forms';
import type { Directory } from '../domain/directory';
import type { Procedure } from '../domain/procedure';
import { parseCaseReference, type Actor } from '../domain/escalation';
import { loadConfig } from '../config';
import { procedureDirs, withStore } from './options';
import { UsageError, type Io } from './usage';

/** 'case-record', or a form's id (FormId). */
type Kind = string;

/** Each kind of document the command makes, in words: the case record, and every board form (from the board files). */
function kindsOf(procedures: ReadonlyMap<string, Procedure>): Record<Kind, string> {
  const kinds: Record<Kind, string> = { 'case-record': 'the case record' };
  for (const procedure of procedures.values())
    for (const id of formsFor(procedure)) {
      const form = procedure.forms.find((f) => f.id === id);
      kinds[id] ??= form?.name ?? form?.title ?? id;
    }
  return kinds;
}

const kindList = (kinds: Record<Kind, string>): string =>
  Object.keys(kinds)
    .map((k) => `${k} (${kinds[k]})`)
    .join(', ');

/** The kinds the shipped board files offer, for the help text. */
function shippedKinds(): string {
  try {
    return Object.keys(kindsOf(loadProcedures())).join(', ');
  } catch {
    return "case-record, and each board's forms";
  }
}

/** Who acts when `--by` is not given: the operator, as for erase-personal-data. */
export const OPERATOR = 'board-administrator';

export const DOCUMENT_USAGE = `  document --case <ref> --kind <kind> --format pdf|docx --out <file> [--with-details] [--by <person id>] [--db <file>]
                                               write one of a case's documents to a file, recorded as issued;
                                               kinds: ${shippedKinds()}
                                               (the forms only for their board's cases); without the adult's
                                               details unless --with-details (then --by must name someone in
                                               the directory who may see the case)`;

/** The people and agencies the command names: the configured directory, and the demo ones (seed-demo). */
function directoryOf(io: Io, procedures: ReturnType<typeof loadProcedures>): Directory {
  const config = loadConfig(io.env);
  const configured = loadDirectoryFile(config.DIRECTORY_FILE ?? EXAMPLE_DIRECTORY_FILE, procedures);
  const demo = demoDirectory(procedures.values());
  const has = (id: string, list: ReadonlyArray<{ id: string }>): boolean => list.some((x) => x.id === id);
  return {
    ...configured,
    agencies: [...configured.agencies, ...demo.agencies.filter((a) => !has(a.id, configured.agencies))],
    people: [...configured.people, ...demo.people.filter((p) => !has(p.id, configured.people))],
  };
}

/** Where the file goes: a folder that exists, and not itself a folder. Checked before anything is built. */
function outFile(out: string | undefined): string {
  if (!out?.trim()) throw new UsageError('--out must name the file to write, such as NS-2026-0042.pdf.');
  const file = resolve(out);
  const folder = statSync(dirname(file), { throwIfNoEntry: false });
  if (!folder?.isDirectory())
    throw new UsageError(
      `--out cannot be written: there is no folder "${dirname(out)}". Make it first, or choose another.`,
    );
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory())
    throw new UsageError(`--out cannot be written: "${out}" is a folder. Name a file in it.`);
  return file;
}

/** `document …`: a problem with what was asked is one sentence on standard error, exit 2. */
export async function commandDocument(args: string[], io: Io): Promise<number> {
  try {
    return await writeDocument(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return 2;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      io.err(
        `${error.message.split('.')[0] ?? error.message}: the document command takes --case, --kind, --format, --out, --with-details, --by and --db.`,
      );
      return 2;
    }
    throw error;
  }
}

async function writeDocument(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      case: { type: 'string' },
      kind: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      'with-details': { type: 'boolean', default: false },
      by: { type: 'string' },
      db: { type: 'string' },
    },
    strict: true,
  });
  const reference = values.case?.trim().toUpperCase();
  if (!reference || !parseCaseReference(reference))
    throw new UsageError(
      `--case must be a case reference such as NS-2026-0042${values.case ? ` (it is "${values.case}")` : ''}.`,
    );
  const kind = values.kind;
  const procedures = loadProcedures(procedureDirs(io.env));
  const KINDS = kindsOf(procedures);
  if (!kind || !(kind in KINDS))
    throw new UsageError(`--kind must be one of: ${kindList(KINDS)}${values.kind ? ` (it is "${values.kind}")` : ''}.`);
  const format = values.format as DocumentFormat | undefined;
  if (format !== 'pdf' && format !== 'docx')
    throw new UsageError(`--format must be pdf or docx (Word)${values.format ? ` (it is "${values.format}")` : ''}.`);
  const file = outFile(values.out);
  const withDetails = values['with-details'];
  const by = values.by?.trim() || OPERATOR;
  const directory = directoryOf(io, procedures);
  return withStore(io, values.db, async (service, repo) => {
    const stored = await repo.getCase(reference);
    if (!stored) throw new UsageError(`There is no case ${reference} in this store.`);
    const { procedure } = stored.state;
    const offered: Kind[] = ['case-record', ...formsFor(procedure)];
    if (!offered.includes(kind))
      throw new UsageError(
        `Case ${reference} is a ${procedure.name} case, and that board has no ${KINDS[kind]}: --kind must be one of ${offered.join(', ')}.`,
      );
    // Someone in the directory acts as themselves, under the read policy; anyone else is the operator.
    const now = new Date();
    const person = personById(directory, by);
    const actor: Actor = person ? actorFor(directory, person, now) : { personId: by, agencyId: 'board', roles: [] };
    if (person && !mayAccess(stored.state, actor, directory))
      throw new UsageError(
        `Case ${reference} is not available to ${by}: they are neither a party to it nor a role holder of its agencies or board.`,
      );
    if (withDetails && !person)
      throw new UsageError(
        `--with-details names the adult, so, as in the chat, only someone who may see case ${reference} can ask: --by must be the id of a person in the directory (it is "${by}").`,
      );
    if (withDetails && stored.state.personalDataErasedAt)
      throw new UsageError(
        `The adult's details for case ${reference} were erased on request: leave out --with-details.`,
      );
    if (withDetails && !(await repo.readPersonalDetails(reference)))
      throw new UsageError(
        `The adult's details have not been given for case ${reference}: leave out --with-details, or add them first (privately, from the case card).`,
      );
    const documents = new DocumentService(repo, service, directory);
    const chosen: DocumentKind = kind === 'case-record' && withDetails ? 'case-record-with-details' : kind;
    const built = await documents.build(reference, actor, chosen, format, {
      operator: !person,
      leaveOutDetails: !withDetails,
    });
    if (!built.ok) throw new UsageError(built.refusal.message);
    try {
      writeFileSync(file, built.document.bytes);
    } catch (error) {
      const code = typeof error === 'object' && error && 'code' in error ? String(error.code) : '';
      const why =
        code === 'EACCES' || code === 'EPERM'
          ? 'this user may not write there'
          : code === 'EROFS'
            ? 'the disk is read-only'
            : code === 'ENOSPC'
              ? 'the disk is full'
              : 'the system refused';
      throw new UsageError(`--out cannot be written: "${values.out}" (${why}). Choose a file you may write.`);
    }
    try {
      await documents.recordIssued(reference, actor, built.issued, { platform: 'cli' });
    } catch (error) {
      // Not recorded, so not issued: the file goes too.
      rmSync(file, { force: true });
      throw error;
    }
    io.out(
      `Wrote ${values.out}: ${KINDS[kind]} of case ${reference} (${format.toUpperCase()}, ${
        built.issued.personal ? 'naming the adult' : "without the adult's details"
      }), recorded as issued to ${by}.`,
    );
    return 0;
  });
}
