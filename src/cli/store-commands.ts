/** The commands on the store: a board's figures (`report`), demo cases (`seed-demo`) and erasing the adult's details. */
import { parseArgs } from 'node:util';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../app/procedures';
import { demoDirectory, seedDemo } from '../app/demo';
import { figuresOfPeriod } from '../app/reports/schedule';
import { figuresCsv, figuresHtml } from '../app/reports/render';
import { instantToZoned, zonedToInstant } from '../domain/calendar';
import { lastFiguresPeriod } from '../domain/procedure';
import { parseCaseReference } from '../domain/escalation';
import { SqliteRepository } from '../store/sqlite/sqlite-repository';
import { loadConfig } from '../config';
import { openAuditKey } from '../store/open';
import { boardNamed, parseDay, procedureDirs, withStore } from './options';
import { UsageError, type Io } from './usage';

export async function commandReport(args: string[], io: Io): Promise<number> {
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
  // With neither date, the last period the board's file says its figures go out for (Camden: "shared quarterly").
  const due =
    values.from === undefined && values.to === undefined
      ? lastFiguresPeriod(procedure, instantToZoned(new Date(), procedure.workingHours.timeZone).date)
      : undefined;
  if (due) io.err(`Figures for ${due.words}, for ${due.recipient}${due.email ? ` (${due.email})` : ''}.`);
  const from = due?.from ?? parseDay(values.from, '--from');
  const to = due?.to ?? parseDay(values.to, '--to');
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
    // The same figures the bot emails on the board's schedule (src/app/reports/schedule.ts).
    const figures = await figuresOfPeriod(repo, procedure, directory, from, to, new Date());
    io.out(values.format === 'csv' ? figuresCsv(figures).trimEnd() : figuresHtml(figures).trimEnd());
    return 0;
  });
}

export async function commandSeedDemo(args: string[], io: Io): Promise<number> {
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

export async function commandErase(args: string[], io: Io): Promise<number> {
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
