/**
 * `directory import <file>` and `directory export`: the directory's people in the store, seeded
 * from a file and written back out as one. An import is recorded in the directory's history (who,
 * when, which file) and says what it changed; people the file does not name (learned in chat,
 * imported before) are kept. An export is a directory file in the same format, which
 * `directory check` accepts.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { LiveDirectory } from '../app/directory/live';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../app/procedures';
import { checkDirectoryText, type Directory, type Person } from '../domain/directory';
import type { CaseRepository } from '../app/store/repository';
import { loadConfig } from '../config';
import { procedureDirs, requireFile, withStore } from './options';
import { UsageError, type Io } from './usage';

export const DIRECTORY_USAGE = `  directory import <file> [--by <who>] [--db <file>]
                                               import a directory file's people into the store (recorded;
                                               says who was added or changed; nobody else is removed)
  directory export [--out <file>] [--db <file>]
                                               the directory as the store has it (people learned in chat,
                                               roles and absences set there), as a directory file`;

const same = (a: Person, b: Person): boolean => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
const sorted = (p: Person): Record<string, unknown> =>
  Object.fromEntries(Object.entries(p).sort(([x], [y]) => x.localeCompare(y)));

async function openLive(io: Io, repo: CaseRepository, agencies: Directory['agencies']): Promise<LiveDirectory> {
  const procedures = loadProcedures(procedureDirs(io.env));
  const directory: Directory = { agencies, people: [] };
  const live = new LiveDirectory({
    directory,
    store: repo,
    procedures,
    clock: () => new Date(),
    report: (msg, fields) => io.err(`${msg} ${JSON.stringify(fields)}`),
  });
  await live.refresh();
  return live;
}

export async function commandDirectoryImport(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { by: { type: 'string', default: 'cli' }, db: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const file = requireFile(positionals[0], 'directory');
  const procedures = loadProcedures(procedureDirs(io.env));
  const incoming = loadDirectoryFile(file, procedures);
  const by = values.by ?? 'cli';
  if (!/^[A-Za-z0-9._:@-]{1,100}$/.test(by)) throw new UsageError('--by must be a person id or a short name.');
  return withStore(io, values.db, async (_service, repo) => {
    const live = await openLive(io, repo, incoming.agencies);
    const before = new Map(live.directory.people.map((p) => [p.id, p]));
    const added = incoming.people.filter((p) => !before.has(p.id));
    const changed = incoming.people.filter((p) => {
      const was = before.get(p.id);
      return was !== undefined && !same(was, { ...p, ...keptIds(p, was) });
    });
    const unchanged = incoming.people.length - added.length - changed.length;
    const kept = [...before.keys()].filter((id) => !incoming.people.some((p) => p.id === id)).length;
    if (!added.length && !changed.length) {
      io.out(
        `${file}: nothing to import - all ${incoming.people.length} people are already in the store as the file has them.`,
      );
      return 0;
    }
    const entry = await live.record(by, { kind: 'imported', file, people: [...added, ...changed] });
    io.out(`${file}: imported (directory change ${entry.seq}, by ${by}):`);
    io.out(`  added ${added.length}${added.length ? `: ${added.map((p) => p.id).join(', ')}` : ''}`);
    io.out(`  changed ${changed.length}${changed.length ? `: ${changed.map((p) => p.id).join(', ')}` : ''}`);
    io.out(`  unchanged ${unchanged}`);
    if (kept) io.out(`  kept ${kept} not in the file (learned in chat or imported before)`);
    return 0;
  });
}

/** A chat identity the store learned since, which an import without one keeps. */
function keptIds(file: Person, stored: Person): Partial<Person> {
  return {
    ...((file.slackUserId ?? stored.slackUserId) ? { slackUserId: file.slackUserId ?? stored.slackUserId } : {}),
    ...((file.teamsAadObjectId ?? stored.teamsAadObjectId)
      ? { teamsAadObjectId: file.teamsAadObjectId ?? stored.teamsAadObjectId }
      : {}),
  };
}

export async function commandDirectoryExport(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { out: { type: 'string' }, db: { type: 'string' } },
    strict: true,
  });
  const procedures = loadProcedures(procedureDirs(io.env));
  const config = loadConfig(io.env);
  const file = config.DIRECTORY_FILE ?? EXAMPLE_DIRECTORY_FILE;
  const configured = loadDirectoryFile(file, procedures);
  return withStore(io, values.db, async (_service, repo) => {
    const live = await openLive(io, repo, configured.agencies);
    if (!live.lastSeq)
      io.err(
        'The store has no directory yet (the bot imports its file on first start): exporting the file\u2019s agencies only.',
      );
    const text = directoryYaml({
      ...(configured.description ? { description: configured.description } : {}),
      agencies: configured.agencies,
      people: live.directory.people,
    });
    const checked = checkDirectoryText(text, procedures);
    if (values.out) writeFileSync(values.out, text);
    else io.out(text.trimEnd());
    if (!checked.ok) {
      io.err(
        `The export would not pass "directory check":\n${checked.problems.map((p) => `  ${p.message}`).join('\n')}`,
      );
      return 1;
    }
    if (values.out)
      io.err(`${values.out}: ${configured.agencies.length} agencies, ${live.directory.people.length} people`);
    return 0;
  });
}

/** A directory as its file is written: defaults (example: false, no absences, no titles) left out. */
export function directoryYaml(d: Directory): string {
  const people = d.people.map((p) => {
    const { example, away, ...rest } = p;
    return { ...rest, ...(example ? { example } : {}), ...(away.length ? { away } : {}) };
  });
  const agencies = d.agencies.map((a) => {
    const { example, roleTitles, ...rest } = a;
    return { ...rest, ...(Object.keys(roleTitles).length ? { roleTitles } : {}), ...(example ? { example } : {}) };
  });
  return `# Exported from the escalation bot's store on ${new Date().toISOString()}.\n${stringify({
    ...(d.description ? { description: d.description } : {}),
    agencies,
    people,
  })}`;
}
