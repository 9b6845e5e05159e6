import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  EXAMPLE_DIRECTORY_FILE,
  FileProblems,
  loadDirectoryFile,
  loadProcedureFile,
  loadProcedures,
  SHIPPED_PROCEDURES_DIR,
} from '../app/procedures';
import {
  NATION_NAMES,
  NATIONS,
  WorkingCalendar,
  formatInZone,
  instantInWords,
  isLocalDate,
  zonedToInstant,
  type Nation,
} from '../domain/calendar';
import { calendarFor, parseCaseReference, planTimeline } from '../domain/escalation';
import type { AuditKey } from '../app/store/chain';
import type { PersonalDataVault } from '../app/store/personal-data';
import { CaseService } from '../app/case-service';
import { simulate } from '../app/simulate';
import { demoDirectory, seedDemo } from '../app/demo';
import { boardFigures } from '../app/reports/figures';
import { figuresCsv, figuresHtml } from '../app/reports/render';
import { SqliteRepository } from '../store/sqlite/sqlite-repository';
import { StoreError, type CaseRepository } from '../app/store/repository';
import { ConfigError, loadConfig } from '../config';
import { openAuditKey, openRepository, openVault } from '../store/open';
import type { Procedure } from '../domain/procedure';
import { AUDIT_LOG_USAGE, commandAuditLog } from './audit-log';
import { commandAudit, type StoreOpener } from './audit';
import { UsageError, type Io } from './usage';

export type { Io } from './usage';

const USAGE = `Usage: npm run --silent cli -- <command>

  procedures                                   the boards whose procedures are loaded
  procedure check <file>                       check a board's procedure file
  directory check <file>                       check a directory of agencies and people
  working-days add --nation <nation> --from <YYYY-MM-DD> --days <N>
                                               the Nth working day after --from (day 0)
  readings [--board <id>]                      how each board's ambiguous phrases are read
  audit verify [--case <ref>] [--checkpoint <n>:<seal>] [--json] [--db <file>]
                                               check every case and the store-wide anchor for tampering
  audit anchor [--db <file>]                   add checkpoints for cases the anchor does not hold yet
  erase-personal-data --case <ref> --reason <why> [--by <person id>] [--db <file>]
                                               erase the adult's details on request (the timeline says so)
${AUDIT_LOG_USAGE}
  deadlines --board <id> --raised <ISO instant> [--json]
                                               a board's stage timeline, each stage run to its limit
  report --board <id> --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--format html|csv] [--db <file>]
                                               a board's figures for a period (no adult's details)
  seed-demo --db <file> --cases <n> [--from <YYYY-MM-DD>]
                                               fill a store with n invented cases across the boards
  simulate --board <id> --raised <ISO instant> --until <ISO instant> [--json]
                                               one case nobody acts on, through the real sweeper:
                                               each reminder, nudge and notification, and to whom

  nations: ${NATIONS.join(', ')}`;

function procedureDirs(env: NodeJS.ProcessEnv): string[] {
  const extra = env.PROCEDURES_DIR;
  if (extra && !existsSync(extra)) throw new UsageError(`PROCEDURES_DIR is set to "${extra}", which does not exist.`);
  return extra ? [SHIPPED_PROCEDURES_DIR, extra] : [SHIPPED_PROCEDURES_DIR];
}

function requireFile(file: string | undefined, what: string): string {
  if (!file) throw new UsageError(`Name the ${what} file to check.`);
  if (!existsSync(file)) throw new UsageError(`There is no file "${file}".`);
  return file;
}

/** An ISO 8601 instant with its offset or Z ("2026-12-24T15:30:00Z", "2026-07-01T10:00:00+01:00"). */
function parseInstant(text: string | undefined, flag: string): Date {
  if (!text) throw new UsageError(`${flag} is needed: an ISO 8601 instant such as 2026-12-24T15:30:00Z.`);
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text);
  const at = new Date(text);
  if (!ok || Number.isNaN(at.getTime()) || !isLocalDate(text.slice(0, 10))) {
    throw new UsageError(
      `${flag} "${text}" is not an ISO 8601 instant with a time zone, such as 2026-12-24T15:30:00Z or 2026-07-01T10:00:00+01:00.`,
    );
  }
  return at;
}

/** "4 stages (stage 4: urgent or non-urgent)": branches of one step count as one stage. */
function stageCount(p: Procedure): string {
  const numbers = [...new Set(p.stages.map((s) => s.number))];
  const branching = numbers.filter((n) => p.stages.filter((s) => s.number === n).length > 1);
  return `${numbers.length} stages${branching.length ? ` (${branching.map((n) => `stage ${n}`).join(', ')}: urgent or non-urgent)` : ''}`;
}

function commandProcedures(io: Io): number {
  for (const p of loadProcedures(procedureDirs(io.env)).values()) {
    io.out([p.id, p.name, p.nation, stageCount(p)].join('\t'));
  }
  return 0;
}

function commandProcedureCheck(file: string | undefined, io: Io): number {
  const path = requireFile(file, 'procedure');
  const p = loadProcedureFile(path);
  const defaults = p.stages.filter((s) => s.timescales.length === 0).length;
  io.out(
    `${path}: ok - ${p.name} (${p.id}), ${NATION_NAMES[p.nation]}, ${stageCount(p)}, ${p.stages.reduce((n, s) => n + s.timescales.length, 0)} timescales` +
      `${defaults ? ` (${defaults} on the board default)` : ''}, ${p.readings.length} readings`,
  );
  return 0;
}

function commandDirectoryCheck(file: string | undefined, io: Io): number {
  const path = requireFile(file, 'directory');
  const d = loadDirectoryFile(path, loadProcedures(procedureDirs(io.env)));
  const examples = d.people.filter((p) => p.example).length;
  io.out(
    `${path}: ok - ${d.agencies.length} agencies, ${d.people.length} people${examples ? ` (${examples} marked as examples)` : ''}`,
  );
  return 0;
}

function commandWorkingDaysAdd(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: { nation: { type: 'string' }, from: { type: 'string' }, days: { type: 'string' } },
    strict: true,
  });
  const nation = values.nation as Nation | undefined;
  if (!nation || !NATIONS.includes(nation))
    throw new UsageError(
      `--nation must be one of: ${NATIONS.join(', ')}${values.nation ? ` (it is "${values.nation}")` : ''}.`,
    );
  if (!values.from || !isLocalDate(values.from))
    throw new UsageError(`--from must be a date written YYYY-MM-DD${values.from ? ` (it is "${values.from}")` : ''}.`);
  if (values.days === undefined || !/^-?\d{1,5}$/.test(values.days))
    throw new UsageError(
      `--days must be a whole number of working days${values.days ? ` (it is "${values.days}")` : ''}.`,
    );
  io.out(new WorkingCalendar(nation).addWorkingDays(values.from, Number(values.days)));
  return 0;
}

function commandReadings(args: string[], io: Io): number {
  const { values } = parseArgs({ args, options: { board: { type: 'string' } }, strict: true });
  const procedures = loadProcedures(procedureDirs(io.env));
  if (values.board && !procedures.has(values.board))
    throw new UsageError(`--board must be one of: ${[...procedures.keys()].join(', ')} (it is "${values.board}").`);
  const fold = (s: string): string => s.replace(/\s+/g, ' ').trim();
  for (const p of procedures.values()) {
    if (values.board && p.id !== values.board) continue;
    io.out(`${p.name} (${p.id})`);
    for (const r of p.readings) {
      io.out(`  ${r.id}${r.switch ? ` [switch: ${r.switch}]` : ''}`);
      io.out(`    phrase:  "${fold(r.phrase)}"`);
      io.out(`    reading: ${fold(r.chosen)}`);
      for (const alt of r.alternatives) io.out(`    not:     ${fold(alt)}`);
    }
  }
  return 0;
}

function commandDeadlines(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: { board: { type: 'string' }, raised: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const procedures = loadProcedures(procedureDirs(io.env));
  const procedure = boardNamed(procedures, values.board);
  const raisedAt = parseInstant(values.raised, '--raised');
  const tz = procedure.workingHours.timeZone;
  const plan = planTimeline(procedure, calendarFor(procedure), raisedAt);
  if (values.json) {
    io.out(
      JSON.stringify({
        board: procedure.id,
        raisedAt: formatInZone(raisedAt, tz),
        stages: plan.map((s) => ({
          id: s.id,
          name: s.name,
          ...(s.startBy ? { startBy: formatInZone(s.startBy, tz) } : {}),
          ...(s.dueBy ? { dueBy: formatInZone(s.dueBy, tz) } : {}),
          source: s.source,
        })),
      }),
    );
    return 0;
  }
  io.out(`${procedure.name}: raised ${instantInWords(raisedAt, tz)} (${formatInZone(raisedAt, tz)})`);
  for (const s of plan) {
    io.out(`\n${s.id}  ${s.name}${s.branch ? ` [${s.branch}]` : ''}`);
    if (s.startBy) io.out(`  start by  ${instantInWords(s.startBy, tz, raisedAt)}  (${formatInZone(s.startBy, tz)})`);
    if (s.dueBy) io.out(`  due by    ${instantInWords(s.dueBy, tz, raisedAt)}  (${formatInZone(s.dueBy, tz)})`);
    io.out(`  from: ${s.source}`);
  }
  return 0;
}

async function commandSimulate(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      board: { type: 'string' },
      raised: { type: 'string' },
      until: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const procedures = loadProcedures(procedureDirs(io.env));
  const procedure = boardNamed(procedures, values.board);
  const raisedAt = parseInstant(values.raised, '--raised');
  const until = parseInstant(values.until, '--until');
  if (until <= raisedAt) throw new UsageError('--until must come after --raised.');
  if (until.getTime() - raisedAt.getTime() > 366 * 86_400_000)
    throw new UsageError('--until must be within a year of --raised.');
  const fired = await simulate(procedure, raisedAt, until);
  const tz = procedure.workingHours.timeZone;
  if (values.json) {
    for (const f of fired)
      io.out(
        JSON.stringify({
          at: formatInZone(new Date(f.at), tz),
          kind: f.kind,
          stage: f.stage,
          roles: f.roles,
          to: f.to,
        }),
      );
    return 0;
  }
  io.out(
    `${procedure.name}: a case raised ${instantInWords(raisedAt, tz)} (${formatInZone(raisedAt, tz)}) that nobody acts on, until ${instantInWords(until, tz, raisedAt)}`,
  );
  if (!fired.length) io.out('\nNothing is sent in that time.');
  for (const f of fired) {
    const title = (role: string): string => procedure.roles.find((r) => r.id === role)?.title ?? role;
    io.out(`\n${formatInZone(new Date(f.at), tz)}  ${f.kind.toUpperCase()}  at ${f.stage}`);
    io.out(`  to: ${f.roles.map(title).join(', ')} (${f.to.join(' and ')})`);
    io.out(`  "${f.text}"`);
  }
  return 0;
}

/** The board `--board` names, or a usage error listing the boards there are. */
function boardNamed(procedures: ReadonlyMap<string, Procedure>, board: string | undefined): Procedure {
  const procedure = board ? procedures.get(board) : undefined;
  if (!procedure)
    throw new UsageError(
      `--board must be one of: ${[...procedures.keys()].join(', ')}${board ? ` (it is "${board}")` : ''}.`,
    );
  return procedure;
}

function parseDay(text: string | undefined, flag: string): string {
  if (!text || !isLocalDate(text))
    throw new UsageError(`${flag} must be a date written YYYY-MM-DD${text ? ` (it is "${text}")` : ''}.`);
  return text;
}

async function commandReport(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      board: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string', default: 'html' },
      db: { type: 'string' },
    },
    strict: true,
  });
  const procedures = loadProcedures(procedureDirs(io.env));
  const procedure = boardNamed(procedures, values.board);
  const from = parseDay(values.from, '--from');
  const to = parseDay(values.to, '--to');
  if (to <= from) throw new UsageError('--to must come after --from.');
  if (values.format !== 'html' && values.format !== 'csv')
    throw new UsageError(`--format must be html or csv (it is "${values.format}").`);
  const config = loadConfig(io.env);
  // Agency names: the configured directory, and the demo agencies (seed-demo) where it has none.
  const configured = config.DIRECTORY_FILE
    ? loadDirectoryFile(config.DIRECTORY_FILE, procedures)
    : loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, procedures);
  const demo = demoDirectory(procedures.values());
  const directory = {
    ...configured,
    agencies: [...configured.agencies, ...demo.agencies.filter((a) => !configured.agencies.some((c) => c.id === a.id))],
  };
  return withStore(io, values.db, async (_service, repo) => {
    const tz = procedure.workingHours.timeZone;
    const startOf = (day: string): string => zonedToInstant(day, 0, tz).toISOString();
    const summaries = await repo.casesOfBoard(procedure.id, startOf(from), startOf(to));
    const states = [];
    for (const s of summaries) {
      const stored = await repo.getCase(s.reference);
      if (stored) states.push(stored.state);
    }
    const figures = boardFigures(procedure, states, directory, from, to, new Date());
    io.out(values.format === 'csv' ? figuresCsv(figures).trimEnd() : figuresHtml(figures).trimEnd());
    return 0;
  });
}

async function commandSeedDemo(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { db: { type: 'string' }, cases: { type: 'string' }, from: { type: 'string' } },
    strict: true,
  });
  if (!values.db)
    throw new UsageError(
      '--db must name the SQLite file to fill (it is made if it does not exist), so demo cases never mix with real ones by accident.',
    );
  const count = Number(values.cases);
  if (!Number.isInteger(count) || count < 1 || count > 10_000)
    throw new UsageError(
      `--cases must be a whole number from 1 to 10000${values.cases ? ` (it is "${values.cases}")` : ''}.`,
    );
  const procedures = loadProcedures(procedureDirs(io.env));
  // The quarter before today by default: the report for it shows every kind of outcome.
  const asOf = new Date();
  const start = values.from
    ? zonedToInstant(parseDay(values.from, '--from'), 0, 'Europe/London')
    : new Date(asOf.getTime() - 91 * 86_400_000);
  const repo = SqliteRepository.open(values.db, { auditKey: openAuditKey(loadConfig(io.env)).key });
  try {
    if ((await repo.allReferences()).length > 0)
      throw new UsageError(`${values.db} already has cases: seed-demo fills an empty store only.`);
    const result = await seedDemo(repo, procedures, count, start, asOf);
    io.out(
      `${values.db}: ${result.cases} demo cases (${Object.entries(result.byBoard)
        .map(([b, n]) => `${b} ${n}`)
        .join(', ')}); ${Object.entries(result.byOutcome)
        .map(([o, n]) => `${o} ${n}`)
        .join(', ')}.`,
    );
    return 0;
  } finally {
    await repo.close();
  }
}

/** The configured store, or the SQLite file named by --db. */
async function withStore<T>(
  io: Io,
  db: string | undefined,
  work: (
    service: CaseService,
    repo: CaseRepository,
    keys: { auditKey: AuditKey; vault: PersonalDataVault },
  ) => Promise<T>,
): Promise<T> {
  const config = loadConfig(io.env);
  if (db !== undefined && !existsSync(db)) throw new UsageError(`There is no database file "${db}".`);
  const repo = await openRepository(config, db ? { sqliteFile: db } : {});
  try {
    const { vault } = openVault(config);
    return await work(new CaseService(repo, loadProcedures(procedureDirs(io.env)), vault), repo, {
      auditKey: openAuditKey(config).key,
      vault,
    });
  } finally {
    await repo.close();
  }
}

const openStore: StoreOpener = (io, db, work) => withStore(io, db, (_service, repo, keys) => work(repo, keys));

async function commandErase(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      case: { type: 'string' },
      reason: { type: 'string' },
      by: { type: 'string', default: 'board-administrator' },
      db: { type: 'string' },
    },
    strict: true,
  });
  const reference = values.case?.trim().toUpperCase();
  if (!reference || !parseCaseReference(reference))
    throw new UsageError('--case must be a case reference such as NS-2026-0042.');
  if (!values.reason?.trim())
    throw new UsageError('--reason must say why the details are erased (for example, the request it answers).');
  return withStore(io, values.db, async (service) => {
    const outcome = await service.erasePersonalDetails(
      reference,
      { personId: values.by, agencyId: 'board', roles: [] },
      values.reason ?? '',
    );
    if (!outcome.ok) {
      io.err(outcome.refusal.message);
      return 1;
    }
    io.out(
      `${reference}: the adult's name, date of birth and address are erased; the timeline records it (version ${outcome.case.version}).`,
    );
    return 0;
  });
}

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
        if (sub !== 'check') throw new UsageError('Say "directory check <file>".');
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
      case 'erase-personal-data':
        return await commandErase(argv.slice(1), io);
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
