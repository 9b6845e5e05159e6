/** The admin command line: its usage, and each command handed to the module of its group. */
import { FileProblems } from '../app/procedures';
import { NATIONS } from '../domain/calendar';
import { StoreError } from '../app/store/repository';
import { ConfigError } from '../config';
import { AUDIT_LOG_USAGE, commandAuditLog } from './audit-log';
import { commandAudit } from './audit';
import { commandDocument, DOCUMENT_USAGE } from './document-command';
import { commandDirectorySyncGroups, GROUP_SYNC_USAGE } from './group-sync-command';
import { commandDirectoryExport, commandDirectoryImport, DIRECTORY_USAGE } from './directory-commands';
import { openStore } from './options';
import { commandOutbox, OUTBOX_USAGE } from './outbox-commands';
import { commandPersonal, PERSONAL_USAGE } from './personal-commands';
import {
  commandDirectoryCheck,
  commandProcedureCheck,
  commandProcedures,
  commandReadings,
  commandWorkingDaysAdd,
} from './procedure-commands';
import { commandErase, commandReport, commandSeedDemo } from './store-commands';
import { commandDeadlines, commandSimulate } from './timeline-commands';
import { UsageError, type Io } from './usage';

export type { Io } from './usage';

const USAGE = `Usage: npm run --silent cli -- <command>

  procedures                                   the boards whose procedures are loaded
  procedure check <file>                       check a board's procedure file
  directory check <file>                       check a directory of agencies and people
${DIRECTORY_USAGE}
${GROUP_SYNC_USAGE}
  working-days add --nation <nation> --from <YYYY-MM-DD> --days <N>
                                               the Nth working day after --from (day 0)
  readings [--board <id>]                      how each board's ambiguous phrases are read
  audit verify [--case <ref>] [--checkpoint <n>:<seal>] [--json] [--db <file>]
                                               check every case and the store-wide anchor for tampering
  audit anchor [--db <file>]                   add checkpoints for cases the anchor does not hold yet
  audit restate [--db <file>]                  bring cases stored by an earlier release up to date from their events
  erase-personal-data --case <ref> --reason <why> [--by <person id>] [--db <file>]
                                               erase the adult's details on request (the timeline says so)
${PERSONAL_USAGE}
${AUDIT_LOG_USAGE}
${OUTBOX_USAGE}
${DOCUMENT_USAGE}
  deadlines --board <id> --raised <ISO instant> [--json]
                                               a board's stage timeline, each stage run to its limit,
                                               with every limit of each stage
  report --board <id> --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--format html|csv] [--db <file>]
                                               a board's figures for a period (no adult's details);
                                               with neither date, the last period its file's
                                               oversight.figures names (e.g. the quarter just ended)
  seed-demo --db <file> --cases <n> [--from <YYYY-MM-DD>]
                                               fill a store with n invented cases across the boards
  simulate --board <id> --raised <ISO instant> --until <ISO instant> [--json]
                                               one case nobody acts on, through the real sweeper:
                                               each reminder, nudge and notification, and to whom

  nations: ${NATIONS.join(', ')}`;

export async function runCli(argv: string[], io: Io): Promise<number> {
  const [command, sub, ...rest] = argv;
  try {
    switch (command) {
      case 'procedures':
        return commandProcedures(io);
      case 'procedure':
        if (sub !== 'check') throw new UsageError('Say "procedure check <file>".');
        return commandProcedureCheck(rest[0], io);
      case 'directory':
        if (sub === 'sync-groups') return await commandDirectorySyncGroups(rest, io);
        if (sub === 'import') return await commandDirectoryImport(rest, io);
        if (sub === 'export') return await commandDirectoryExport(rest, io);
        if (sub !== 'check')
          throw new UsageError(
            'Say "directory check <file>", "directory import <file>", "directory export" or "directory sync-groups".',
          );
        return commandDirectoryCheck(rest[0], io);
      case 'working-days':
        if (sub !== 'add')
          throw new UsageError('Say "working-days add --nation <nation> --from <YYYY-MM-DD> --days <N>".');
        return commandWorkingDaysAdd(rest, io);
      case 'deadlines':
        return commandDeadlines(argv.slice(1), io);
      case 'report':
        return await commandReport(argv.slice(1), io);
      case 'seed-demo':
        return await commandSeedDemo(argv.slice(1), io);
      case 'simulate':
        return await commandSimulate(argv.slice(1), io);
      case 'readings':
        return commandReadings(argv.slice(1), io);
      case 'audit':
        if (sub === 'access' || sub === 'security') return await commandAuditLog(sub, rest, io);
        return await commandAudit(sub, rest, io, openStore);
      case 'outbox':
        return await commandOutbox(argv.slice(1), io);
      case 'document':
        return await commandDocument(argv.slice(1), io);
      case 'erase-personal-data':
        return await commandErase(argv.slice(1), io);
      case 'personal':
        return await commandPersonal(sub, rest, io);
      case undefined:
      case 'help':
      case '--help':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`There is no command "${command}".`);
    }
  } catch (error) {
    if (error instanceof FileProblems || error instanceof ConfigError) {
      io.err(error.message);
      return 1;
    }
    if (error instanceof StoreError) {
      io.err(`The store could not be used: ${error.message}`);
      return 1;
    }
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}
