/**
 * Turning a stage's timescales into instants, with the board's calendar. Pure: the instants
 * a timescale runs from are passed in.
 */
import { WorkingCalendar } from '../calendar/working-calendar';
import type { Anchor, Procedure, Stage, Timescale } from '../procedure/schema';
import type { Deadline } from './types';

const calendars = new Map<string, WorkingCalendar>();
/** The calendar last found for a procedure object, with the nation and hours it was found for (so no key is built again). */
const byProcedure = new WeakMap<Procedure, { nation: string; hours: unknown; calendar: WorkingCalendar }>();

/**
 * The working-day calendar a procedure counts by: its nation's bank holidays and its hours. One
 * calendar per nation and hours, kept: a calendar loads each year's holidays once.
 */
export function calendarFor(procedure: Procedure): WorkingCalendar {
  const seen = byProcedure.get(procedure);
  if (seen && seen.nation === procedure.nation && seen.hours === procedure.workingHours) return seen.calendar;
  const key = `${procedure.nation}|${JSON.stringify(procedure.workingHours)}`;
  let calendar = calendars.get(key);
  if (!calendar) {
    calendar = new WorkingCalendar(procedure.nation, procedure.workingHours);
    calendars.set(key, calendar);
  }
  byProcedure.set(procedure, { nation: procedure.nation, hours: procedure.workingHours, calendar });
  return calendar;
}

/** The instants timescales can run from; a stage not yet started or ended is absent. */
export interface Anchors {
  raised: Date;
  stageStarts: ReadonlyMap<string, Date>;
  stageEnds: ReadonlyMap<string, Date>;
  /** The case's category, for limits that apply to some categories only. */
  category?: string;
  /** When each milestone of the stage was recorded (a timescale may run from one). */
  milestones?: ReadonlyMap<string, Date>;
}

export function resolveAnchor(anchor: Anchor, stage: Stage, anchors: Anchors): Date | undefined {
  if (anchor === 'raised') return anchors.raised;
  if (anchor === 'stage-start') return anchors.stageStarts.get(stage.id);
  if ('milestone' in anchor) return anchors.milestones?.get(anchor.milestone);
  return (anchor.at === 'start' ? anchors.stageStarts : anchors.stageEnds).get(anchor.stage);
}

/**
 * The instant a timescale falls at, counted from `from`. Never before `from`: a limit whose
 * day has already ended when it starts to run (day 1 of a concern raised at 18:00 on a Friday,
 * say) falls at the end of the next working day instead.
 */
export function timescaleInstant(
  t: Pick<Timescale, 'amount' | 'unit'>,
  from: Date,
  procedure: Procedure,
  calendar: WorkingCalendar,
): Date {
  const at = rawInstant(t, from, procedure, calendar);
  return at < from ? calendar.withinWorkingDays(from, 1) : at;
}

function rawInstant(
  t: Pick<Timescale, 'amount' | 'unit'>,
  from: Date,
  procedure: Procedure,
  calendar: WorkingCalendar,
): Date {
  const amount = t.amount ?? 0;
  switch (t.unit) {
    case 'working-days':
      return amount === 0 ? sameWorkingDay(from, calendar) : calendar.withinWorkingDays(from, amount);
    case 'working-weeks':
      // A working week is as many working days as the board works in a week (5 by default).
      return calendar.withinWorkingDays(from, amount * calendar.hours.days.length);
    case 'calendar-days':
      return calendar.endOfWorkingDay(calendar.addCalendarDays(calendar.localDate(from), amount));
    case 'clock-hours':
      return calendar.addClockHours(from, amount);
    case 'day-number':
      return calendar.endOfWorkingDay(calendar.dayN(from, amount, procedure.counting.dayNumbers));
    case 'same-working-day':
      return sameWorkingDay(from, calendar);
    case 'without-delay':
      // Due at once: the instant itself (its nudge waits for working time like any other).
      return from;
  }
}

/**
 * "On the same working day": the end of the working day `from` falls in; after the working
 * day has ended, or on a day that is not a working day, the end of the next working day.
 */
export function sameWorkingDay(from: Date, calendar: WorkingCalendar): Date {
  const day = calendar.localDate(from);
  if (calendar.isWorkingDay(day) && calendar.endOfWorkingDay(day) > from) return calendar.endOfWorkingDay(day);
  return calendar.withinWorkingDays(from, 1);
}

/** The stages that can follow `stage`: the next number's stages (two where it branches). */
export function nextStages(procedure: Procedure, stage: Stage): Stage[] {
  return procedure.stages.filter((s) => s.number === stage.number + 1);
}

/** The one stage that follows, choosing the urgent or non-urgent branch where there are two. */
export function nextStage(procedure: Procedure, stage: Stage, urgent: boolean): Stage | undefined {
  const options = nextStages(procedure, stage);
  if (options.length <= 1) return options[0];
  return options.find((s) => s.branch === (urgent ? 'urgent' : 'non-urgent')) ?? options[0];
}

export function stageById(procedure: Procedure, id: string): Stage | undefined {
  return procedure.stages.find((s) => s.id === id);
}

/** Whether a timescale applies to a case of `category` (one with no categories applies to all). */
export function appliesTo(t: Pick<Timescale, 'categories'>, category: string | undefined): boolean {
  return !t.categories || category === undefined || t.categories.includes(category);
}

/** Whether the board's default timescale is for `stage` (a default naming no stages is for all). */
export function defaultAppliesTo(procedure: Procedure, stage: Stage): boolean {
  const d = procedure.defaults.timescale;
  return Boolean(d && (!d.stages || d.stages.includes(stage.id)));
}

/** Of limits sharing a `shortestOf` name ("whichever is shortest"), only the earliest counts. */
function shortestOnly(found: Array<Deadline & { group?: string }>): Deadline[] {
  const earliest = new Map<string, string>();
  for (const d of found) {
    if (!d.group) continue;
    const held = earliest.get(d.group);
    if (!held || d.at < held) earliest.set(d.group, d.at);
  }
  const kept = new Set<string>();
  return found
    .filter((d) => {
      if (!d.group) return true;
      if (d.at !== earliest.get(d.group) || kept.has(d.group)) return false;
      kept.add(d.group);
      return true;
    })
    .map(({ group: _group, ...d }) => d);
}

/**
 * Every deadline of `stage` that can be known now, earliest first:
 * - its own timescales (those whose starting instant is known, for the case's category);
 * - the start-by of the stage that follows, which bounds this one ("step 2 no later than day 3");
 * - the start-by of any later stage that runs from an instant already known (North Somerset's
 *   stage 4 "within 5 working days" from the outset bounds stages 1 to 3 from the start);
 * - where nothing bounds its end, the board's default timescale from its start (if the default
 *   is for this stage).
 */
export function stageDeadlines(
  procedure: Procedure,
  calendar: WorkingCalendar,
  stage: Stage,
  anchors: Anchors,
  urgent: boolean,
): Deadline[] {
  const found: Array<Deadline & { group?: string }> = [];
  for (const t of stage.timescales) {
    const from = resolveAnchor(t.from, stage, anchors);
    if (!from || !appliesTo(t, anchors.category)) continue;
    found.push({
      kind: t.kind,
      stage: stage.id,
      at: timescaleInstant(t, from, procedure, calendar).toISOString(),
      phrase: t.phrase,
      source: 'procedure',
      ...(t.expects ? { expects: t.expects } : {}),
      ...(t.shortestOf ? { group: `${t.kind}:${t.shortestOf}` } : {}),
    });
  }
  const startBys = (later: Stage, known: (t: Timescale) => boolean): void => {
    for (const t of later.timescales) {
      if (t.kind !== 'start-by' || !known(t) || !appliesTo(t, anchors.category)) continue;
      const from = resolveAnchor(t.from, later, anchors);
      if (!from) continue;
      found.push({
        kind: 'conclude-by',
        stage: later.id,
        at: timescaleInstant(t, from, procedure, calendar).toISOString(),
        phrase: t.phrase,
        source: 'next-stage',
        expects: t.expects ?? `${later.name} has begun`,
        ...(t.shortestOf ? { group: `start-by:${later.id}:${t.shortestOf}` } : {}),
      });
    }
  };
  const next = nextStage(procedure, stage, urgent);
  if (next) startBys(next, () => true);
  const start = anchors.stageStarts.get(stage.id);
  const t = procedure.defaults.timescale;
  if (!found.some((d) => d.kind === 'conclude-by') && t && start && defaultAppliesTo(procedure, stage)) {
    found.push({
      kind: 'conclude-by',
      stage: stage.id,
      at: timescaleInstant(t, start, procedure, calendar).toISOString(),
      phrase: t.note,
      source: 'board-default',
    });
  }
  // Later stages' start-by from an instant already known (not their own start).
  for (let later = next && nextStage(procedure, next, urgent); later; later = nextStage(procedure, later, urgent))
    startBys(later, (x) => x.from !== 'stage-start');
  return shortestOnly(found).sort((a, b) => a.at.localeCompare(b.at));
}

/** Whether a stage, while under way, has something that bounds its end. */
export function stageHasEnd(procedure: Procedure, stage: Stage): boolean {
  if (stage.timescales.some((t) => t.kind === 'conclude-by')) return true;
  return nextStages(procedure, stage).some((n) => n.timescales.some((t) => t.kind === 'start-by'));
}

export interface PlannedStage {
  id: string;
  name: string;
  number: number;
  branch?: 'urgent' | 'non-urgent';
  startsAt: Date;
  startBy?: Date;
  dueBy?: Date;
  source: string;
  /** Every limit of the stage, earliest first: its own, the next stages' start-by, the board default. */
  limits: Array<{
    kind: Deadline['kind'];
    stage: string;
    at: Date;
    phrase: string;
    source: Deadline['source'];
    /** The limit applies only to cases of these categories: listed, not counted in the plan. */
    categories?: string[];
  }>;
}

/**
 * The stage timeline as if each stage ran to its limit: the first stage starts when the concern
 * arose; each later stage starts when the one before it is due (or, where that has no end, at
 * the latest moment this one may start). Both branches of a branching stage are shown.
 */
export function planTimeline(procedure: Procedure, calendar: WorkingCalendar, raisedAt: Date): PlannedStage[] {
  const stageStarts = new Map<string, Date>();
  const stageEnds = new Map<string, Date>();
  const anchors: Anchors = { raised: raisedAt, stageStarts, stageEnds };
  /** The latest start and end among the stages of each number (two where it branches). */
  const startOfNumber = new Map<number, Date>();
  const endOfNumber = new Map<number, Date>();
  const later = (a: Date | undefined, b: Date): Date => (a && a > b ? a : b);
  const first = (list: Deadline[]): Date | undefined => (list[0] ? new Date(list[0].at) : undefined);

  return procedure.stages.map((stage) => {
    const ownStartBy = stage.timescales
      .filter((t) => t.kind === 'start-by' && t.from !== 'stage-start')
      .flatMap((t) => {
        const from = resolveAnchor(t.from, stage, anchors);
        return from ? [timescaleInstant(t, from, procedure, calendar)] : [];
      })
      .sort((a, b) => a.getTime() - b.getTime());
    const startsAt =
      stage.number === 1
        ? raisedAt
        : (endOfNumber.get(stage.number - 1) ?? ownStartBy[0] ?? startOfNumber.get(stage.number - 1) ?? raisedAt);
    stageStarts.set(stage.id, startsAt);
    startOfNumber.set(stage.number, later(startOfNumber.get(stage.number), startsAt));

    const deadlines = stageDeadlines(procedure, calendar, stage, anchors, stage.branch !== 'non-urgent');
    // The plan is for a case of any kind: a limit for some categories only is listed, not counted
    // (no category matches '').
    const forAny = stageDeadlines(
      procedure,
      calendar,
      stage,
      { ...anchors, category: '' },
      stage.branch !== 'non-urgent',
    );
    const startBy = first(forAny.filter((d) => d.kind === 'start-by'));
    const dueBy = first(forAny.filter((d) => d.kind === 'conclude-by'));
    const categoriesOf = (d: Deadline): string[] | undefined =>
      stageById(procedure, d.stage)?.timescales.find((t) => t.phrase === d.phrase && t.categories)?.categories;
    if (dueBy) {
      stageEnds.set(stage.id, dueBy);
      endOfNumber.set(stage.number, later(endOfNumber.get(stage.number), dueBy));
    }
    const sources = [
      ...new Set(forAny.map((d) => (d.source === 'board-default' ? `board default: ${d.phrase}` : d.phrase))),
    ];
    return {
      id: stage.id,
      name: stage.name,
      number: stage.number,
      ...(stage.branch ? { branch: stage.branch } : {}),
      startsAt,
      ...(startBy ? { startBy } : {}),
      ...(dueBy ? { dueBy } : {}),
      source: sources.join(' | '),
      limits: deadlines.map((d) => ({
        kind: d.kind,
        stage: d.stage,
        at: new Date(d.at),
        phrase: d.phrase,
        source: d.source,
        ...(categoriesOf(d) ? { categories: categoriesOf(d) } : {}),
      })),
    };
  });
}
