/**
 * Whom a case's timers go to: the audiences of a stage (its holders on both sides and the board,
 * its approvers) and the ladder a nudge climbs while overdue (src/domain/escalation/timers.ts).
 * Ladders and their joined audiences are worked out once per procedure, stage, sides and first
 * nudge, and kept (bounded): a sweep meets the same few for case after case.
 */
import type { Procedure, Stage } from '../procedure/schema';
import { appliesTo, calendarFor, nextStage, timescaleInstant } from './deadlines';
import type { CaseState, Party } from './types';

export interface Audience {
  party: Party;
  /** The agency whose role holders are meant: 'board' for the board's own, 'commissioner-of:<agency>' for an agency's commissioning body. */
  agencyId: string;
  roles: string[];
  /** One person by name rather than role holders (the person who raised the concern). */
  personId?: string;
}

export function sidesAudience(
  state: CaseState,
  roles: { raising?: string[]; responding?: string[]; board?: string[] },
): Audience[] {
  const out: Audience[] = [];
  if (roles.raising?.length) out.push({ party: 'raising', agencyId: state.raising.agencyId, roles: roles.raising });
  if (roles.responding?.length)
    out.push({ party: 'responding', agencyId: state.responding.agencyId, roles: roles.responding });
  if (roles.board?.length) out.push({ party: 'board', agencyId: 'board', roles: roles.board });
  return out;
}

/** Roles split by where they are held: a board role for the board, an agency role on both sides. */
export function rolesAudience(state: CaseState, roles: readonly string[]): Audience[] {
  const board = roles.filter((r) => state.procedure.roles.find((x) => x.id === r)?.scope === 'board');
  const agency = roles.filter((r) => !board.includes(r));
  return sidesAudience(state, { raising: agency, responding: agency, board });
}

/** Audiences joined: one per party, agency and person, with every role asked of it. */
function mergeAudiences(...lists: ReadonlyArray<readonly Audience[]>): Audience[] {
  const out = new Map<string, Audience>();
  for (const a of lists.flat()) {
    const key = `${a.party}|${a.agencyId}|${a.personId ?? ''}`;
    const held = out.get(key);
    if (held) held.roles = [...new Set([...held.roles, ...a.roles])];
    else out.set(key, { ...a, roles: [...a.roles] });
  }
  return [...out.values()];
}

/** Whoever must act at `stage` under the file: its holders on both sides and the board, and its approvers. */
function actorsOf(state: CaseState, stage: Stage): Audience[] {
  return mergeAudiences(
    sidesAudience(state, { raising: stage.sides?.raising, responding: stage.sides?.responding, board: stage.board }),
    rolesAudience(state, stage.approvedBy ?? []),
  );
}

/**
 * How long a tier has to act once nudged: as long as its own stage's timescale, counted from
 * `since` ("day 9 to day 14" is 5 days; "within 2 working days" is 2), or the board's default.
 */
export function allowanceOf(procedure: Procedure, stage: Stage, since: Date, category?: string): Date | undefined {
  const calendar = calendarFor(procedure);
  const ends = stage.timescales
    .filter((t) => t.kind === 'conclude-by' && appliesTo(t, category))
    .map((t) => {
      if (t.unit !== 'day-number') return timescaleInstant(t, since, procedure, calendar);
      const startDay = stage.timescales.find((x) => x.kind === 'start-by' && x.unit === 'day-number')?.amount ?? 1;
      const days = Math.max(1, (t.amount ?? 1) - startDay);
      const unit =
        procedure.counting.dayNumbers === 'calendar' ? ('calendar-days' as const) : ('working-days' as const);
      return timescaleInstant({ amount: days, unit }, since, procedure, calendar);
    });
  const d = procedure.defaults.timescale;
  if (ends.length === 0 && d) ends.push(timescaleInstant(d, since, procedure, calendar));
  return ends.sort((a, b) => a.getTime() - b.getTime())[0];
}

/**
 * The ladder a nudge climbs while overdue: the next tier from the first nudge; once that tier
 * has had as long as its own stage's timescale without acting, the tier above it too; and so on
 * up to the last stage (the board's). At the last stage, its own holders.
 */
export type Ladder = ReadonlyArray<{ readonly from: Date; readonly audience: readonly Audience[] }>;

/** Ladders worked out, per procedure, by everything a ladder depends on (a sweep meets the same few again and again). */
const ladders = new WeakMap<Procedure, Map<string, Ladder>>();
const MOST_LADDERS = 1000;

export function ladderOf(state: CaseState, stage: Stage, firstNudge: Date): Ladder {
  const { procedure } = state;
  let known = ladders.get(procedure);
  if (!known) {
    known = new Map();
    ladders.set(procedure, known);
  }
  const key = [
    stage.id,
    state.urgent,
    state.concern.category,
    state.raising.agencyId,
    state.responding.agencyId,
    firstNudge.getTime(),
  ].join('|');
  let ladder = known.get(key);
  if (!ladder) {
    if (known.size >= MOST_LADDERS) known.clear();
    ladder = climbOf(state, stage, firstNudge);
    known.set(key, ladder);
  }
  return ladder;
}

/** Each ladder's audiences joined, by the tiers reached (as a key: their indexes). */
const joined = new WeakMap<Ladder, Map<string, Audience[]>>();

/** The tiers of a ladder reached by `at`: how many, and their audiences joined (worked out once per ladder and tiers). */
export function reachedOn(ladder: Ladder, at: Date): { tiers: number; audience: Audience[] } {
  const indexes: number[] = [];
  ladder.forEach((tier, i) => {
    if (tier.from <= at) indexes.push(i);
  });
  let known = joined.get(ladder);
  if (!known) {
    known = new Map();
    joined.set(ladder, known);
  }
  const key = indexes.join(',');
  let audience = known.get(key);
  if (!audience) {
    audience = mergeAudiences(...indexes.map((i) => ladder[i]?.audience ?? []));
    known.set(key, audience);
  }
  return { tiers: indexes.length, audience };
}

function climbOf(state: CaseState, stage: Stage, firstNudge: Date): Ladder {
  const { procedure } = state;
  const following = nextStage(procedure, stage, state.urgent);
  if (!following) return [{ from: firstNudge, audience: actorsOf(state, stage) }];
  const tiers = [{ from: firstNudge, audience: actorsOf(state, following) }];
  let tier: Stage = following;
  let since = firstNudge;
  for (let guard = 0; guard < procedure.stages.length; guard++) {
    const above = nextStage(procedure, tier, state.urgent);
    const until = allowanceOf(procedure, tier, since, state.concern.category);
    if (!above || !until) break;
    tiers.push({ from: until, audience: actorsOf(state, above) });
    tier = above;
    since = until;
  }
  return tiers;
}
