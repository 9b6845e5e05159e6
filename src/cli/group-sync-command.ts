/**
 * `directory sync-groups`: read every Slack user group and Entra ID group the directory names
 * (an agency's roleGroups) once, as the bot does every GROUP_SYNC_MINUTES, hand each to the
 * directory in the store, and print what changed. A group that cannot be read changes nothing
 * and is said, with the exit status 1.
 */
import { parseArgs } from 'node:util';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../app/procedures';
import { LiveDirectory } from '../app/directory/live';
import { PersonResolver } from '../app/directory/identity';
import { GroupSync, grantedByGroups, groupsToSync, type GroupSyncOutcome } from '../app/directory/group-sync';
import { groupSources } from '../channels/group-sources';
import { loadConfig } from '../config';
import type { Directory } from '../domain/directory';
import { openRepository } from '../store/open';
import { procedureDirs } from './options';
import type { Io } from './usage';

export const GROUP_SYNC_USAGE = `  directory sync-groups [--json] [--db <file>]
                                               read the Slack user groups and Entra ID groups the
                                               directory names (roleGroups) once; print what changed`;

/** One group's outcome in words: what it gave, what it took, or why nothing changed. */
export function describeOutcome(o: GroupSyncOutcome, directory: Directory): string {
  const agency = directory.agencies.find((a) => a.id === o.agencyId)?.name ?? o.agencyId;
  const [kind, id] = o.source.startsWith('slack-usergroup:')
    ? ['the Slack user group', o.source.slice('slack-usergroup:'.length)]
    : ['the Entra ID group', o.source.slice('entra-group:'.length)];
  const head = `${agency}, ${o.role}, from ${kind} ${id}`;
  if (o.failed !== undefined) return `${head}: not read, so nothing changed (${o.failed})`;
  const who0 = (ids: readonly string[] | undefined): string => (ids?.length ? ids.join(', ') : 'nobody');
  if (o.retired)
    return `${head}: no longer named in the directory, so the role it gave is taken from ${who0(o.removed)}`;
  const who = (ids: readonly string[] | undefined): string =>
    ids?.length
      ? ids.map((pid) => `${directory.people.find((p) => p.id === pid)?.name ?? pid} (${pid})`).join(', ')
      : 'nobody';
  const members = `${o.members ?? 0} member${o.members === 1 ? '' : 's'}`;
  return `${head}: ${members}; given to ${who(o.added)}; taken from ${who(o.removed)}`;
}

export async function commandDirectorySyncGroups(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { json: { type: 'boolean' }, db: { type: 'string' } },
    strict: true,
  });
  const config = loadConfig(io.env);
  const procedures = loadProcedures(procedureDirs(io.env));
  const file = config.DIRECTORY_FILE ?? EXAMPLE_DIRECTORY_FILE;
  const directory = loadDirectoryFile(file, procedures);
  if (groupsToSync(directory).length === 0) {
    if (values.json) io.out('[]');
    else io.out(`${file}: no agency names a role group (roleGroups), so there is nothing to read.`);
    return 0;
  }
  const repo = await openRepository(config, values.db ? { sqliteFile: values.db } : {});
  const clock = (): Date => new Date();
  const warn = (msg: string, fields: Record<string, unknown>): void =>
    io.err(`${msg}${Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ''}`);
  const live = new LiveDirectory({ directory, store: repo, procedures, clock, report: warn });
  try {
    await live.open(file);
    // Members the directory has not met are learned as people of their agency (by work email).
    new PersonResolver({ live, security: (event) => repo.recordSecurityEvent(event), clock, report: warn });
    const sync = new GroupSync({
      directory,
      sink: live,
      sources: groupSources(config),
      granted: () => grantedByGroups(live),
      clock,
      // Each outcome is printed below; only what is not about one group goes to standard error.
      report: (level, msg, fields) => {
        if (level !== 'info' && !('group' in fields)) warn(msg, fields);
      },
    });
    const outcomes = await sync.runOnce();
    if (values.json) io.out(JSON.stringify(outcomes, null, 2));
    else for (const o of outcomes) io.out(describeOutcome(o, directory));
    return outcomes.some((o) => o.failed !== undefined) ? 1 : 0;
  } finally {
    await live.stop();
    await repo.close();
  }
}
