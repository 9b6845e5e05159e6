/** The commands that run a board's timescales: a stage timeline (`deadlines`) and a case nobody acts on (`simulate`). */
import { parseArgs } from 'node:util';
import { loadProcedures } from '../app/procedures';
import { simulate } from '../app/simulate';
import { formatInZone, instantInWords } from '../domain/calendar';
import { calendarFor, categoriesOf, planTimeline } from '../domain/escalation';
import { boardNamed, parseInstant, procedureDirs } from './options';
import { UsageError, type Io } from './usage';

const fold = (text: string): string => text.replace(/\s+/g, ' ').trim();

export function commandDeadlines(args: string[], io: Io): number {
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
          limits: s.limits.map((l) => ({
            kind: l.kind,
            stage: l.stage,
            at: formatInZone(l.at, tz),
            phrase: l.phrase,
            source: l.source,
            ...(l.categories ? { categories: l.categories } : {}),
          })),
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
    const onCard = procedure.stages
      .find((x) => x.id === s.id)
      ?.timescales.some((t) => typeof t.from === 'object' && 'milestone' in t.from);
    if (s.source || !onCard) io.out(`  from: ${s.source}`);
    else io.out('  no limit known in advance: its limits run from what is recorded on the card');
    // Every limit, not only the first of each kind.
    for (const l of s.limits) {
      const what =
        l.source === 'board-default' ? 'board default' : l.stage === s.id ? l.kind : `before ${l.stage} must start`;
      const only = l.categories
        ? ` (only for: ${l.categories.map((c) => categoriesOf(procedure).find((x) => x.id === c)?.label ?? c).join(', ')}; not counted above)`
        : '';
      io.out(
        `  limit     ${instantInWords(l.at, tz, raisedAt)}  (${formatInZone(l.at, tz)})  ${what}: "${fold(l.phrase)}"${only}`,
      );
    }
  }
  return 0;
}

export async function commandSimulate(args: string[], io: Io): Promise<number> {
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
