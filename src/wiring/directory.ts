/**
 * Wiring the directory: the file's agencies and people folded with their history in the store
 * (the file seeds the store once), the resolver that learns people from Slack and Teams, and the
 * directory's chat commands (roles, assign, remove, away, back).
 */
import { DirectoryCommands } from '../app/directory/commands';
import { PersonResolver } from '../app/directory/identity';
import { LiveDirectory } from '../app/directory/live';
import type { CaseRepository } from '../app/store/repository';
import type { Directory } from '../domain/directory';
import type { Procedure } from '../domain/procedure';

type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface OpenedDirectory {
  live: LiveDirectory;
  identity: PersonResolver;
  directoryCommands: DirectoryCommands;
}

export async function openDirectory(options: {
  directory: Directory;
  directoryFile: string;
  repo: CaseRepository;
  procedures: ReadonlyMap<string, Procedure>;
  clock: () => Date;
  log: Log;
}): Promise<OpenedDirectory> {
  const { directory, repo, procedures, clock, log } = options;
  const live = new LiveDirectory({
    directory,
    store: repo,
    procedures,
    clock,
    report: (msg, fields) => log('warn', msg, fields),
  });
  const seeded = await live.open(options.directoryFile);
  log(
    'info',
    seeded.imported ? 'Directory: the file\u2019s people imported into the store' : 'Directory: people from the store',
    { people: directory.people.length, changes: live.lastSeq },
  );
  if (seeded.notInStore.length)
    log(
      'warn',
      'The directory file names people the store does not have: run "cli directory import <file>" to add them',
      { people: seeded.notInStore.length },
    );
  const identity = new PersonResolver({
    live,
    security: (event) => repo.recordSecurityEvent(event),
    clock,
    report: (msg, fields) => log('warn', msg, fields),
  });
  const directoryCommands = new DirectoryCommands({
    live,
    procedures,
    clock,
    security: (event) => repo.recordSecurityEvent(event),
  });
  return { live, identity, directoryCommands };
}
