/**
 * The board's signposts (`signposts` in its file) for one place: the raising form, or the card of
 * a case at a stage. Pure: the file says where each is shown.
 */
import type { Procedure, Signpost } from './schema';

/** A signpost as people see it: the procedure's pointer in plain words, and its link if it has one. */
export interface SignpostView {
  id: string;
  words: string;
  url?: string;
}

const view = (s: Signpost): SignpostView => ({ id: s.id, words: s.words, ...(s.url ? { url: s.url } : {}) });

/** The signposts for the raising form. */
export function raisingSignposts(procedure: Pick<Procedure, 'signposts'>): SignpostView[] {
  return (procedure.signposts ?? []).filter((s) => s.raising).map(view);
}

/**
 * The signposts for the card of a case at `stage` whose disagreement is of `category`: those
 * listing the stage (or "all"), and, where one names kinds of disagreement, only for those.
 */
export function stageSignposts(
  procedure: Pick<Procedure, 'signposts'>,
  stage: string,
  category: string,
): SignpostView[] {
  return (procedure.signposts ?? [])
    .filter((s) => s.stages === 'all' || s.stages.includes(stage))
    .filter((s) => !s.categories || s.categories.includes(category))
    .map(view);
}

/** The signposts for the card of a case once it is closed (`closed: true`: advice for afterwards). */
export function closedSignposts(procedure: Pick<Procedure, 'signposts'>, category: string): SignpostView[] {
  return (procedure.signposts ?? [])
    .filter((s) => s.closed)
    .filter((s) => !s.categories || s.categories.includes(category))
    .map(view);
}
