/**
 * What the agencies agree and confirm along the way, beside resolving and escalating: a mutually
 * agreed plan of action with its review date (a stage's `plan`), and the steps taken to keep the
 * adult safe meanwhile (a stage's `confirmSafety`). Pure.
 */
import { fromDayNumber, isLocalDate, toDayNumber } from '../calendar/local-date';
import { accept, needWords, record, refuse, roleTitles, type Context } from './rules';
import type { CaseEvent, Decision, Party, Side } from './types';

type Holding = { party: Party; roles: string[] } | undefined;

/**
 * The latest date a card takes for a day ahead (a plan's review, a meeting's date): a year from
 * `today`. Later dates are refused in words, so that none reaches the calendar (which counts
 * working days only within years of four figures).
 */
export function latestDateAhead(today: string): string {
  return fromDayNumber(toDayNumber(today) + 366);
}

/** One agency proposes the plan of action and the date it is to be reviewed; the other agrees it. */
export function agreePlan(ctx: Context, plan: string, reviewOn: string, holding: Holding): Decision {
  const { state, stage, calendar } = ctx;
  if (!stage.plan) return refuse('not-allowed-here', `${stage.name} does not record a plan of action.`);
  if (!holding || holding.party === 'board' || !ctx.side)
    return refuse(
      'not-your-role',
      `Only the people holding ${stage.name} for either agency can propose a plan of action.`,
    );
  const invalid = needWords(ctx, plan, 'the plan of action, with its timescales', 'plan', 'plan');
  if (invalid) return invalid;
  const date = typeof reviewOn === 'string' ? reviewOn.trim() : '';
  const today = calendar.localDate(ctx.now);
  const problem = !isLocalDate(date)
    ? 'Please give the date the plan will be reviewed, like 2026-04-10.'
    : date < today
      ? 'The review date must be today or later.'
      : date > latestDateAhead(today)
        ? `Please choose a review date within a year, no later than ${latestDateAhead(today)}.`
        : undefined;
  if (problem) return refuse('invalid-input', problem, { fields: { reviewOn: problem } });
  // The same plan again (a double click, a replayed request): recorded once; an agreed plan is not
  // set back to waiting by it. A different plan is a new proposal, for the other agency to agree.
  const same = state.plan?.stage === stage.id && state.plan.text === plan.trim() && state.plan.reviewOn === date;
  if (same && (state.plan?.agreedAt || state.plan?.party === ctx.side))
    return refuse(
      'already-done',
      state.plan?.agreedAt
        ? 'This plan of action is already agreed by both agencies.'
        : 'Your agency has already proposed this plan; the other agency must agree it.',
    );
  // Reviewed on the working day of the review date (the next one, if it is not a working day).
  const day = calendar.workingDayOnOrAfter(date);
  const event: CaseEvent = {
    type: 'plan-proposed',
    at: ctx.at,
    by: record(ctx.actor, ctx.side, holding.roles),
    stage: stage.id,
    party: ctx.side,
    plan: plan.trim(),
    reviewOn: date,
    reviewAt: calendar.startOfWorkingDay(day).toISOString(),
    holdsUntil: calendar.endOfWorkingDay(day).toISOString(),
  };
  return accept(state, [event]);
}

export function confirmPlan(ctx: Context, holding: Holding): Decision {
  const { state, stage } = ctx;
  const plan = state.plan;
  if (!plan || plan.stage !== stage.id || plan.agreedAt)
    return refuse('nothing-to-decide', 'There is no proposed plan of action to agree at the moment.');
  if (!holding || holding.party === 'board' || !ctx.side)
    return refuse('not-your-role', `Only the people holding ${stage.name} for the other agency can agree the plan.`);
  if (plan.confirmedBy.includes(ctx.side))
    return refuse('already-done', 'Your agency proposed this plan; the other agency must agree it.');
  return accept(state, [
    {
      type: 'plan-agreed',
      at: ctx.at,
      by: record(ctx.actor, ctx.side, holding.roles),
      stage: stage.id,
      side: ctx.side,
    },
  ]);
}

/** The sides still owing the confirmation of the adult's safety at the stage under way (none if the stage asks none). */
export function safetyOwed(ctx: Pick<Context, 'state' | 'stage'>): Side[] {
  const ask = ctx.stage.confirmSafety;
  if (!ask) return [];
  const given = ctx.state.stages[ctx.state.stages.length - 1]?.safetyConfirmed ?? {};
  if (ask.from === 'raising') return given.raising ? [] : ['raising'];
  if (ask.from === 'either') return given.raising || given.responding ? [] : ['raising', 'responding'];
  return (['raising', 'responding'] as const).filter((s) => !given[s]);
}

export function confirmSafety(ctx: Context, steps: string): Decision {
  const { state, stage, actor } = ctx;
  const ask = stage.confirmSafety;
  if (!ask) return refuse('not-allowed-here', `${stage.name} does not ask for a confirmation of the adult's safety.`);
  const roles = ctx.side ? actor.roles.filter((r) => ask.by.includes(r)) : [];
  const who = ask.from === 'raising' ? ' of the agency that raised it' : '';
  if (!ctx.side || roles.length === 0 || (ask.from === 'raising' && ctx.side !== 'raising'))
    return refuse(
      'not-your-role',
      `Only the ${roleTitles(state.procedure, ask.by)}${who} can confirm the steps taken to keep the adult safe.`,
    );
  if (!safetyOwed(ctx).includes(ctx.side))
    return refuse(
      'already-done',
      'The steps taken to keep the adult safe have already been confirmed for your agency.',
    );
  const invalid = needWords(ctx, steps, 'the steps taken to keep the adult safe meanwhile', 'steps', 'answer');
  if (invalid) return invalid;
  return accept(state, [
    {
      type: 'safety-confirmed',
      at: ctx.at,
      by: record(actor, ctx.side, roles),
      stage: stage.id,
      side: ctx.side,
      steps: steps.trim(),
    },
  ]);
}

/**
 * A limit the two agencies agree for the case ("within a time scale which is acceptable to both
 * of them"): one proposes the date, the other agrees it; it can never pass the ceiling the file
 * sets. At a stage within one agency, that agency's word is enough.
 */
export function agreeTimescale(ctx: Context, date: string, holding: Holding): Decision {
  const { state, stage, calendar } = ctx;
  const timescale = stage.timescales.find((t) => t.agreed);
  const current = state.stages[state.stages.length - 1];
  const deadline = timescale
    ? current?.deadlines.find(
        (d) =>
          d.stage === stage.id &&
          d.source === 'procedure' &&
          d.kind === timescale.kind &&
          d.phrase === timescale.phrase,
      )
    : undefined;
  if (!timescale || !deadline)
    return refuse('not-allowed-here', `${stage.name} has no time limit for the agencies to agree between them.`);
  if (!holding || holding.party === 'board' || !ctx.side)
    return refuse('not-your-role', `Only the people holding ${stage.name} for either agency can propose its date.`);
  const day = typeof date === 'string' ? date.trim() : '';
  const ceiling = new Date(deadline.ceiling ?? deadline.at);
  if (!isLocalDate(day)) {
    const message = 'Please give the date agreed, like 2026-04-10.';
    return refuse('invalid-input', message, { fields: { date: message } });
  }
  // Outside today to the ceiling's day: refused before any working day is counted.
  const latest = calendar.localDate(ceiling);
  const outside =
    day < calendar.localDate(ctx.now)
      ? 'The date agreed must be later than now.'
      : day > latest
        ? `The procedure allows no later than ${latest} ("${timescale.phrase}"): please choose that date or an earlier one.`
        : undefined;
  if (outside) return refuse('invalid-input', outside, { fields: { date: outside } });
  // The end of the working day on the date (of the working day before, if it is not one).
  const working = calendar.isWorkingDay(day) ? day : calendar.previousWorkingDay(day);
  const due = calendar.endOfWorkingDay(working);
  const problem =
    due <= ctx.now
      ? 'The date agreed must be later than now.'
      : due > ceiling
        ? `The procedure allows no later than ${latest} ("${timescale.phrase}"): please choose that date or an earlier one.`
        : undefined;
  if (problem) return refuse('invalid-input', problem, { fields: { date: problem } });
  const by = record(ctx.actor, ctx.side, holding.roles);
  const events: CaseEvent[] = [
    {
      type: 'timescale-proposed',
      at: ctx.at,
      by,
      stage: stage.id,
      party: ctx.side,
      kind: timescale.kind,
      phrase: timescale.phrase,
      date: day,
      due: due.toISOString(),
    },
  ];
  if (stage.sides && !stage.sides.responding)
    events.push({
      type: 'timescale-agreed',
      at: ctx.at,
      by,
      stage: stage.id,
      side: ctx.side,
      kind: timescale.kind,
      phrase: timescale.phrase,
      due: due.toISOString(),
    });
  return accept(state, events);
}

export function confirmTimescale(ctx: Context, holding: Holding): Decision {
  const { state, stage } = ctx;
  const proposal = state.timescaleProposal;
  if (!proposal || proposal.stage !== stage.id)
    return refuse('nothing-to-decide', 'There is no proposed date to agree at the moment.');
  if (!holding || holding.party === 'board' || !ctx.side)
    return refuse('not-your-role', `Only the people holding ${stage.name} for the other agency can agree the date.`);
  if (proposal.party === ctx.side)
    return refuse('already-done', 'Your agency proposed this date; the other agency must agree it.');
  return accept(state, [
    {
      type: 'timescale-agreed',
      at: ctx.at,
      by: record(ctx.actor, ctx.side, holding.roles),
      stage: stage.id,
      side: ctx.side,
      kind: proposal.kind,
      phrase: proposal.phrase,
      due: proposal.due,
    },
  ]);
}
