/**
 * Loading the boards' procedure files: the shipped ones in src/procedures and any in the
 * configured extra folder. A new board is a new file, with no code change.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { checkProcedureText, type Procedure } from '../domain/procedure';
import { checkDirectoryText, type Directory } from '../domain/directory';
import { formatProblems, type Problem } from '../domain/files/problems';

export const SHIPPED_PROCEDURES_DIR = resolve(__dirname, '..', 'procedures');
export const EXAMPLE_DIRECTORY_FILE = resolve(__dirname, '..', 'directory', 'lincolnshire-example.yaml');

export class FileProblems extends Error {
  readonly code = 'FILE_PROBLEMS';
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(formatProblems(file, problems));
  }
}

export function procedureFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * The text of a form file a board's file names, read from beside it (and never from outside the
 * board's folder); undefined where there is none.
 */
export function formFileBeside(boardFile: string): (name: string) => string | undefined {
  const dir = resolve(dirname(boardFile));
  return (name) => {
    const path = resolve(dir, name);
    if (!path.startsWith(dir + sep) || !existsSync(path)) return undefined;
    return readFileSync(path, 'utf8');
  };
}

/** Form files as the shipped boards' files find them (for checking a shipped board's text changed in memory). */
export const SHIPPED_FORM_FILES = { formFile: formFileBeside(join(SHIPPED_PROCEDURES_DIR, 'board.yaml')) };

/** Read and check one procedure file; throws FileProblems listing everything wrong with it. */
export function loadProcedureFile(file: string): Procedure {
  const checked = checkProcedureText(readFileSync(file, 'utf8'), { formFile: formFileBeside(file) });
  if (!checked.ok) throw new FileProblems(file, checked.problems);
  const expected = basename(file).replace(/\.ya?ml$/i, '');
  if (checked.value.id !== expected) {
    throw new FileProblems(file, [
      {
        where: 'id',
        path: ['id'],
        line: 1,
        message: `the board id is "${checked.value.id}" but the file is called "${basename(file)}"; name the file "${checked.value.id}.yaml" or change the id`,
      },
    ]);
  }
  return checked.value;
}

/**
 * Every board's procedure, by id. Two files claiming one id or one reference prefix are refused:
 * by default the load stops there; given `onRefused`, the later file is left out and reported,
 * and the other boards still load (at start-up, one board's mistake does not stop the rest).
 */
export function loadProcedures(
  dirs: readonly string[] = [SHIPPED_PROCEDURES_DIR],
  onRefused?: (problem: FileProblems) => void,
): Map<string, Procedure> {
  const byId = new Map<string, Procedure>();
  const fileOf = new Map<string, string>();
  const prefixes = new Map<string, string>();
  for (const dir of dirs) {
    for (const file of procedureFilesIn(dir)) {
      const procedure = loadProcedureFile(file);
      const clash = clashOf(procedure, file, fileOf, prefixes);
      if (clash) {
        if (!onRefused) throw clash;
        onRefused(clash);
        continue;
      }
      byId.set(procedure.id, procedure);
      fileOf.set(procedure.id, file);
      prefixes.set(procedure.referencePrefix, procedure.id);
    }
  }
  return byId;
}

function clashOf(
  procedure: Procedure,
  file: string,
  fileOf: ReadonlyMap<string, string>,
  prefixes: ReadonlyMap<string, string>,
): FileProblems | undefined {
  const clash = fileOf.get(procedure.id);
  if (clash)
    return new FileProblems(file, [
      { where: 'id', path: ['id'], message: `the board id "${procedure.id}" is already used by ${clash}` },
    ]);
  const prefixClash = prefixes.get(procedure.referencePrefix);
  if (prefixClash)
    return new FileProblems(file, [
      {
        where: 'referencePrefix',
        path: ['referencePrefix'],
        message: `the case reference prefix "${procedure.referencePrefix}" is already used by the board "${prefixClash}"; choose another so references stay unique`,
      },
    ]);
  return undefined;
}

/**
 * A procedure file checked against the boards in `dirs`: its reference prefix must not be
 * another board's. A file of the same board id (the file itself, or the copy it will replace)
 * is not another board.
 */
export function clashWithOtherBoards(file: string, procedure: Procedure, dirs: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  for (const dir of dirs) {
    for (const other of procedureFilesIn(dir)) {
      if (resolve(other) === resolve(file)) continue;
      let p: Procedure;
      try {
        p = loadProcedureFile(other);
      } catch {
        continue; // its own check reports it
      }
      if (p.id !== procedure.id && p.referencePrefix === procedure.referencePrefix)
        problems.push({
          where: 'referencePrefix',
          path: ['referencePrefix'],
          message: `the case reference prefix "${procedure.referencePrefix}" is already used by the board "${p.id}" (${other}); choose another so references stay unique`,
        });
    }
  }
  return problems;
}

export function loadDirectoryFile(file: string, procedures: ReadonlyMap<string, Procedure>): Directory {
  const checked = checkDirectoryText(readFileSync(file, 'utf8'), procedures);
  if (!checked.ok) throw new FileProblems(file, checked.problems);
  return checked.value;
}

/**
 * Why a directory may not be used in production, if it may not: it is the shipped example (by
 * its path, or a copy of it: every person in it is marked example: true).
 */
export function exampleDirectoryProblems(file: string, directory: Directory): string[] {
  const shipped = resolve(file) === EXAMPLE_DIRECTORY_FILE;
  const invented = directory.people.length > 0 && directory.people.every((p) => p.example);
  if (!shipped && !invented) return [];
  return [
    `DIRECTORY_FILE must be your agencies' own directory in production: ${shipped ? 'it is the shipped example' : 'every person in it is marked "example: true", as in the shipped example'}, whose people are invented. Write one for your board's agencies and people (see src/directory/lincolnshire-example.yaml for the shape) and set DIRECTORY_FILE to its path.`,
  ];
}
