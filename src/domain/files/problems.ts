/**
 * Reading a YAML file that people write (a board's procedure, an agency directory) and saying
 * what is wrong with it in words they can act on: where in the file, and what to change.
 */
import { LineCounter, parseDocument, isMap, isSeq, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';

export type PathPart = string | number;

export interface Problem {
  /** Where in the file, in words: `stages › 3rd (stage-3) › timescales › 1st › amount`. */
  where: string;
  line?: number;
  column?: number;
  message: string;
  path: PathPart[];
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** A problem found after the shape is right: cross-references, order, duplicates. */
export interface Finding {
  path: PathPart[];
  message: string;
}

export function ordinal(n: number): string {
  const rem100 = n % 100;
  const suffix = rem100 >= 11 && rem100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

function valueAt(root: unknown, path: readonly PathPart[]): unknown {
  let here: unknown = root;
  for (const part of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<PathPart, unknown>)[part];
  }
  return here;
}

/** `stages › 3rd (stage-3) › timescales › 1st › amount` */
export function describePath(root: unknown, path: readonly PathPart[]): string {
  if (path.length === 0) return 'the file as a whole';
  const words: string[] = [];
  path.forEach((part, i) => {
    if (typeof part === 'number') {
      const item = valueAt(root, path.slice(0, i + 1));
      const id = item && typeof item === 'object' && 'id' in item && typeof (item).id === 'string' ? ` (${(item as { id: string }).id})` : '';
      words.push(`${ordinal(part + 1)}${id}`);
    } else {
      words.push(part);
    }
  });
  return words.join(' › ');
}

function locate(doc: Document, counter: LineCounter, path: readonly PathPart[]): { line: number; column: number } | undefined {
  // The deepest node that exists along the path: a missing field points at its parent.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : (doc.getIn(path.slice(0, depth), true) as YamlNode | undefined);
    if (node && typeof node === 'object' && 'range' in node && Array.isArray(node.range)) {
      const pos = counter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return undefined;
}

function wordsForIssue(issue: z.core.$ZodIssue, root: unknown): string {
  const present = valueAt(root, issue.path as PathPart[]);
  if (present === undefined && issue.code === 'invalid_type') return `is missing: it ${issue.message}.`;
  const shown = present === undefined || typeof present === 'object' ? '' : ` (it is ${JSON.stringify(present)})`;
  return `${issue.message}${shown}.`;
}

/**
 * Parse YAML text, check its shape with a zod schema, then run cross-checks on the result.
 * Every problem is returned, each with its line, its place in words and what is wrong.
 */
export function checkYaml<S extends z.ZodType>(
  text: string,
  schema: S,
  crossCheck: (value: z.output<S>) => Finding[],
): Checked<z.output<S>> {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = counter.linePos(e.pos[0]);
        return {
          where: 'the YAML itself',
          path: [],
          line: pos.line,
          column: pos.col,
          message: `the file cannot be read as YAML: ${e.message.split('\n')[0] ?? e.code}. Check indentation, colons and quotes around this line.`,
        };
      }),
    };
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!isMap(doc.contents) && !isSeq(doc.contents)) {
    return { ok: false, problems: [{ where: 'the file as a whole', path: [], line: 1, column: 1, message: 'the file is empty or is not a list of fields.' }] };
  }
  const toProblem = (path: PathPart[], message: string): Problem => ({
    where: describePath(raw, path),
    path,
    ...locate(doc, counter, path),
    message,
  });
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => toProblem([...(issue.path as PathPart[]), key], `is not a field this file uses. Check the spelling, or remove it.`));
      }
      return [toProblem(issue.path as PathPart[], wordsForIssue(issue, raw))];
    });
    return { ok: false, problems: sortProblems(problems) };
  }
  const findings = crossCheck(parsed.data);
  if (findings.length > 0) {
    return { ok: false, problems: sortProblems(findings.map((f) => toProblem(f.path, f.message))) };
  }
  return { ok: true, value: parsed.data };
}

function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

export function formatProblems(fileName: string, problems: readonly Problem[]): string {
  const head = `${fileName}: ${problems.length} problem${problems.length === 1 ? '' : 's'} to fix`;
  const lines = problems.map((p) => {
    const at = p.line ? `line ${p.line}` : 'the file';
    return `  - ${at}, ${p.where}: ${p.message}`;
  });
  return [head, ...lines].join('\n');
}
