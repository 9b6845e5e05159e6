/**
 * Reading a YAML file that people write (a board's procedure, an agency directory) and saying
 * what is wrong with it in words they can act on: where in the file, and what to change.
 */
import { LineCounter, parseDocument, isMap, isSeq, type Document, type Node as YamlNode } from 'yaml';
import { z } from 'zod';

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
  const suffix =
    rem100 >= 11 && rem100 <= 13 ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
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
      const id =
        item && typeof item === 'object' && 'id' in item && typeof item.id === 'string'
          ? ` (${(item as { id: string }).id})`
          : '';
      words.push(`${ordinal(part + 1)}${id}`);
    } else {
      words.push(part);
    }
  });
  return words.join(' › ');
}

function locate(
  doc: Document,
  counter: LineCounter,
  path: readonly PathPart[],
): { line: number; column: number } | undefined {
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
  /**
   * Before the shape is checked: parts of the file kept in files of their own, read in (a board's
   * form file); problems found reading them are reported with the rest.
   */
  expand?: (raw: unknown) => { raw: unknown; problems: Finding[] },
): Checked<z.output<S>> {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  // A tab in the indentation throws the YAML reader off for many lines after it: one problem
  // for each line indented with a tab says it, rather than every error it leads to.
  const tabbed = text
    .split(/\r?\n/)
    .map((line, i) => ({ line: i + 1, column: /^[ ]*\t/.exec(line)?.[0].length ?? 0 }))
    .filter((l) => l.column > 0);
  if (doc.errors.length > 0 && tabbed.length > 0)
    return {
      ok: false,
      problems: tabbed.map(({ line, column }) => ({
        where: 'the YAML itself',
        path: [],
        line,
        column,
        message:
          'this line is indented with a tab character; YAML indents with spaces only. Replace the tab with spaces (two for each level).',
      })),
    };
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
  const read: unknown = doc.toJS({ maxAliasCount: 100 });
  const expanded = expand && isMap(doc.contents) ? expand(read) : { raw: read, problems: [] };
  const raw = expanded.raw;
  if (!isMap(doc.contents) && !isSeq(doc.contents)) {
    return {
      ok: false,
      problems: [
        {
          where: 'the file as a whole',
          path: [],
          line: 1,
          column: 1,
          message: 'the file is empty or is not a list of fields.',
        },
      ],
    };
  }
  const toProblem = (path: PathPart[], message: string): Problem => ({
    where: describePath(raw, path),
    path,
    ...locate(doc, counter, path),
    message,
  });
  if (expanded.problems.length > 0)
    return { ok: false, problems: sortProblems(expanded.problems.map((f) => toProblem(f.path, f.message))) };
  const parsed = schema.safeParse(raw);
  if (parsed.success) {
    const findings = crossCheck(parsed.data);
    return findings.length > 0
      ? { ok: false, problems: sortProblems(findings.map((f) => toProblem(f.path, f.message))) }
      : { ok: true, value: parsed.data };
  }
  const shape = parsed.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const fields = fieldsAt(schema, issue.path as PathPart[]);
      return issue.keys.map((key) => toProblem([...(issue.path as PathPart[]), key], unknownField(key, fields)));
    }
    return [toProblem(issue.path as PathPart[], wordsForIssue(issue, raw))];
  });
  // Cross-checks still run, on a lenient reading of the file, so one mistyped value does not
  // hide an unknown role elsewhere. What they say inside a place that has a shape problem, or
  // about a whole item one of whose fields has one, is left out: that problem says it better.
  const broken = shape.map((p) => p.path);
  const startsWith = (path: readonly PathPart[], prefix: readonly PathPart[]): boolean =>
    prefix.length <= path.length && prefix.every((part, i) => part === path[i]);
  const underBroken = (path: PathPart[]): boolean =>
    broken.some((b) => startsWith(path, b) || (path.length > 0 && startsWith(b, path)));
  let findings: Finding[] = [];
  try {
    const loose = lenient(schema).safeParse(raw);
    if (loose.success) findings = crossCheck(loose.data as z.output<S>).filter((f) => !underBroken(f.path));
  } catch {
    findings = [];
  }
  return { ok: false, problems: sortProblems([...shape, ...findings.map((f) => toProblem(f.path, f.message))]) };
}

/** What to say of a field the format does not have: the field meant, if it looks misspelt, or what is allowed here. */
function unknownField(key: string, fields: readonly string[] | undefined): string {
  const near = fields?.find((f) => f.toLowerCase() === key.toLowerCase() || editDistance(f, key) <= 2);
  if (near) return `is not a field this file uses; did you mean "${near}"?`;
  const here = fields?.length ? ` The fields that can go here are: ${fields.join(', ')}.` : '';
  return `is not a field this file uses, here or anywhere in this format.${here} Remove it; if the procedure needs it, ask for the format to have a place for it.`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** The schema with its wrappers (default, optional) taken off. */
function bare(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let guard = 0; guard < 10; guard++) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.def.innerType as z.ZodType;
    else break;
  }
  return s;
}

/** The field names a schema allows at a place in the file, where that place is an object. */
export function fieldsAt(schema: z.ZodType, path: readonly PathPart[]): string[] | undefined {
  const objectOf = (s: z.ZodType, key?: string): z.ZodObject | undefined => {
    const b = bare(s);
    if (b instanceof z.ZodObject) return b;
    if (b instanceof z.ZodUnion)
      return (b.options as z.ZodType[])
        .map(bare)
        .find((o): o is z.ZodObject => o instanceof z.ZodObject && (key === undefined || key in o.shape));
    return undefined;
  };
  let s: z.ZodType = schema;
  for (const part of path) {
    const b = bare(s);
    if (typeof part === 'number') {
      if (!(b instanceof z.ZodArray)) return undefined;
      s = b.element as z.ZodType;
    } else {
      const o = objectOf(b, part);
      const next = o?.shape[part] as z.ZodType | undefined;
      if (!next) return undefined;
      s = next;
    }
  }
  const o = objectOf(s);
  return o ? Object.keys(o.shape) : undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A forgiving copy of a schema: wrong values become `undefined` (or an empty list or object),
 * unknown fields are dropped, defaults still apply. Used only to run cross-checks over a file
 * whose shape is wrong somewhere, never to accept it.
 */
export function lenient(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodObject) {
    const shape = Object.fromEntries(
      Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, value]) => [key, lenient(value)]),
    );
    return z.preprocess((v): unknown => (isPlainObject(v) ? v : {}), z.object(shape));
  }
  if (schema instanceof z.ZodArray) {
    const element = schema.element as z.ZodType;
    return z.preprocess((v): unknown => (Array.isArray(v) ? v : []), z.array(lenient(element)));
  }
  if (schema instanceof z.ZodDefault) {
    const fallback: unknown = schema.def.defaultValue;
    return z.preprocess(
      (v) => (v === undefined ? structuredClone(fallback) : v),
      lenient(schema.def.innerType as z.ZodType),
    );
  }
  if (schema instanceof z.ZodOptional) return lenient(schema.unwrap() as z.ZodType).optional();
  if (schema instanceof z.ZodRecord) {
    return z.preprocess(
      (v) => (isPlainObject(v) ? v : {}),
      z.record(z.string(), lenient(schema.def.valueType as z.ZodType)),
    );
  }
  return schema.catch(undefined);
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
