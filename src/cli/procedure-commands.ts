/** The commands about boards' procedures and the directory: listing, checking, working days and readings. */
import { parseArgs } from 'node:util';
import {
  FileProblems,
  clashWithOtherBoards,
  loadDirectoryFile,
  loadProcedureFile,
  loadProcedures,
} from '../app/procedures';
import { NATION_NAMES, NATIONS, WorkingCalendar, isLocalDate, type Nation } from '../domain/calendar';
import { instantInWords, instantToZoned } from '../domain/calendar';
import { calendarFor } from '../domain/escalation';
import { lastFiguresPeriod, nextFiguresSending, reviewWarning, type Procedure } from '../domain/procedure';
import { procedureDirs, requireFile } from './options';
import { UsageError, type Io } from './usage';

/** "4 stages (stage 4: urgent or non-urgent)": branches of one step count as one stage. */
function stageCount(p: Procedure): string {
  const numbers = [...new Set(p.stages.map((s) => s.number))];
  const branching = numbers.filter((n) => p.stages.filter((s) => s.number === n).length > 1);
  return `${numbers.length} stages${branching.length ? ` (${branching.map((n) => `stage ${n}`).join(', ')}: urgent or non-urgent)` : ''}`;
}

export function commandProcedures(io: Io): number {
  for (const p of loadProcedures(procedureDirs(io.env)).values()) {
    io.out([p.id, p.name, p.nation, stageCount(p)].join('\t'));
  }
  return 0;
}

export function commandProcedureCheck(file: string | undefined, io: Io): number {
  const path = requireFile(file, 'procedure');
  const p = loadProcedureFile(path);
  const clashes = clashWithOtherBoards(path, p, procedureDirs(io.env));
  if (clashes.length) throw new FileProblems(path, clashes);
  const defaults = p.stages.filter((s) => s.timescales.length === 0).length;
  io.out(
    `${path}: ok - ${p.name} (${p.id}), ${NATION_NAMES[p.nation]}, ${stageCount(p)}, ${p.stages.reduce((n, s) => n + s.timescales.length, 0)} timescales` +
      `${defaults ? ` (${defaults} on the board default)` : ''}, ${p.readings.length} readings`,
  );
  // The board's oversight: a review date passed is a warning (the file still loads), and who gets the figures.
  const today = instantToZoned(new Date(), p.workingHours.timeZone).date;
  const review = reviewWarning(p, today);
  if (review) io.out(`${path}: warning - oversight › reviewBy: ${review}`);
  const figures = lastFiguresPeriod(p, today);
  if (figures)
    io.out(
      `${path}: figures every ${figures.every} to ${figures.recipient}${figures.email ? ` (${figures.email})` : ''}; the last due: ${figures.words} (report --board ${p.id} --from ${figures.from} --to ${figures.to})`,
    );
  // Whether the bot sends them itself: by email at the start of each period, when it has an address and SMTP.
  if (figures) {
    const next = nextFiguresSending(p, new Date(), calendarFor(p));
    const when = next
      ? `${next.period.words}, at ${instantInWords(next.sendAt, p.workingHours.timeZone)} (the start of the first working day after it)`
      : '';
    if (!figures.email)
      io.out(
        `${path}: figures are not sent by the bot: the file gives no "oversight.figures.email"; with one (and SMTP_URL and SMTP_FROM set), the next would go for ${when}`,
      );
    else if (!io.env.SMTP_URL || !io.env.SMTP_FROM)
      io.out(
        `${path}: warning - oversight › figures: email is not set up (SMTP_URL and SMTP_FROM), so the bot will not send the figures to ${figures.email}; set both, or run the report command each ${figures.every}`,
      );
    else io.out(`${path}: figures emailed by the bot to ${figures.email}; the next: ${when}`);
  }
  return 0;
}

export function commandDirectoryCheck(file: string | undefined, io: Io): number {
  const path = requireFile(file, 'directory');
  const d = loadDirectoryFile(path, loadProcedures(procedureDirs(io.env)));
  const examples = d.people.filter((p) => p.example).length;
  io.out(
    `${path}: ok - ${d.agencies.length} agencies, ${d.people.length} people${examples ? ` (${examples} marked as examples)` : ''}`,
  );
  return 0;
}

export function commandWorkingDaysAdd(args: string[], io: Io): number {
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

export function commandReadings(args: string[], io: Io): number {
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
