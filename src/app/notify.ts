/**
 * Who to tell, 1:1, after a case changes: anyone who now has something to do that they could
 * not do before (the counterpart when a case is raised, the managers who approve an escalation,
 * the new stage's role holders on both sides, the other side when an outcome is proposed), and
 * everyone who took part when the case closes. Decided by asking the rules (availableCommands),
 * so it follows each board's procedure without a list of its own. Platform-neutral: each chat
 * platform delivers to the people who work on it.
 */
import { instantToZoned } from '../domain/calendar';
import { actingPerson, isAway, type Directory, type Person } from '../domain/directory';
import { availableCommands, type CaseEvent, type CaseState } from '../domain/escalation';
import { shortNameOf } from '../domain/procedure';
import { actorFor } from './people';
import { historyLine } from './views/history';
import { actionTitle, type Verb } from './views/stage-card';
import { candidates, ROUTINE } from './views/whose-move';

export interface Notice {
  person: Person;
  /** What they can now do (empty for "the case has closed"). */
  verbs: Verb[];
  text: string;
  /** A message's own id (a timer's), carried where the platform allows, to find it again. */
  key?: string;
  /** Sent before by a sweeper that stopped half-way: look for it before sending it again. */
  recheck?: boolean;
  /** When it was first sent, at the earliest (where to start looking). */
  since?: string;
}

function news(state: CaseState, person: Person, directory: Directory, now: Date): Set<Verb> {
  return new Set(availableCommands(state, actorFor(directory, person, now), now).filter((v) => !ROUTINE.has(v)));
}

/**
 * The notices a change calls for. `before` is the case before the change (none when it was just
 * raised), `events` what the change recorded, and `actorId` whoever made it (never told about
 * their own click).
 */
export function noticesFor(
  before: CaseState | undefined,
  after: CaseState,
  events: readonly CaseEvent[],
  directory: Directory,
  now: Date,
  actorId: string,
): Notice[] {
  const label = `${shortNameOf(after.procedure)} escalation ${after.reference}`;
  const latest = [...events].reverse().find((e) => e.type !== 'command-refused');
  // What happened, as the person told may see it (a manager's reasons stay in their own agency).
  const whatFor = (person: Person): string =>
    latest
      ? historyLine(latest, after.procedure, directory, now, { agencyId: person.agency })
          .replace(/^.*? — /, '')
          .replace(/[.\s]+$/, '')
      : '';
  const notices: Notice[] = [];
  if (after.status !== 'open') {
    if (before?.status !== 'open') return [];
    for (const personId of after.participants) {
      const person = directory.people.find((p) => p.id === personId);
      if (person && personId !== actorId)
        notices.push({ person, verbs: [], text: `${label} has closed. ${whatFor(person)}` });
    }
    return notices;
  }
  const today = instantToZoned(now, 'Europe/London').date;
  for (const person of candidates(after, directory)) {
    if (person.id === actorId) continue;
    // Someone away whose deputy stands in is not told: the deputy is (they act in the same roles).
    // Someone away with nobody standing in is still told, so it waits for them on their return.
    if (isAway(person, today) && actingPerson(directory, person, today)) continue;
    // Someone the bot only met (its own practitioner role, no other) is told only of their own cases.
    if (
      onlyLearned(person, directory, now) &&
      !after.participants.includes(person.id) &&
      after.responding.personId !== person.id
    )
      continue;
    const had = before ? news(before, person, directory, now) : new Set<Verb>();
    const fresh = [...news(after, person, directory, now)].filter((v) => !had.has(v));
    if (!fresh.length) continue;
    const named = !before && after.responding.personId === person.id;
    const raiser = directory.people.find((p) => p.id === after.raising.personId)?.name ?? 'A colleague';
    const responding =
      directory.agencies.find((a) => a.id === after.responding.agencyId)?.name ?? after.responding.agencyId;
    const lead = named
      ? `${raiser} has raised ${label} with ${responding} and named you as their counterpart.`
      : before
        ? `${label} needs you. ${whatFor(person)}.`
        : `${raiser} has raised ${label} with ${responding}.`;
    notices.push({ person, verbs: fresh, text: `${lead} You can: ${fresh.map(actionTitle).join(', ')}.` });
  }
  return notices;
}

/** Whether every role they act in today (their own, and any they cover as a deputy) is the one the bot gave them. */
function onlyLearned(person: Person, directory: Directory, now: Date): boolean {
  if (person.learnedRole === undefined) return false;
  return actorFor(directory, person, now).roles.every((r) => r === person.learnedRole);
}
