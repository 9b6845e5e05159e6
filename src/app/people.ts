/** Who a member of staff is to the escalation rules: their agency, boards and the roles they act in today. */
import { instantToZoned } from '../domain/calendar';
import { rolesActingIn, type Directory, type Person } from '../domain/directory';
import type { Actor, CaseState } from '../domain/escalation';

export function actorFor(directory: Directory, person: Person, now: Date): Actor {
  const acting = rolesActingIn(directory, person.id, instantToZoned(now, 'Europe/London').date);
  const agency = directory.agencies.find((a) => a.id === person.agency);
  return {
    personId: person.id,
    agencyId: person.agency,
    roles: acting.roles,
    boards: agency?.boards ?? [],
    actingFor: acting.actingFor,
  };
}

export function personById(directory: Directory, id: string | undefined): Person | undefined {
  return id === undefined ? undefined : directory.people.find((p) => p.id === id);
}

export const NOT_IN_DIRECTORY =
  "You are not in the escalation directory yet, so the bot cannot tell which agency and roles are yours. Ask your agency's safeguarding lead or the board's business unit to add you.";

/**
 * A role holder of a case: someone who has taken part in it, or who holds one of its procedure's
 * roles (any it declares) in one of its two agencies (or, for a board role, in the board's own agency). They may
 * ask for the case's documents, and for the adult's details in them.
 */
export function isRoleHolder(state: CaseState, actor: Actor, directory?: Directory): boolean {
  if (state.participants.includes(actor.personId)) return true;
  // Every role the procedure declares: those who hold a stage, approve an escalation, record a
  // decision or complete a form alike.
  const roles = new Set(state.procedure.roles.map((r) => r.id));
  // The role the bot gave someone itself on meeting them opens only the cases they take part in.
  const learned = directory?.people.find((p) => p.id === actor.personId)?.learnedRole;
  if (!actor.roles.some((r) => roles.has(r) && r !== learned)) return false;
  if (actor.agencyId === state.raising.agencyId || actor.agencyId === state.responding.agencyId) return true;
  const agency = directory?.agencies.find((a) => a.id === actor.agencyId);
  return (
    agency?.kind === 'safeguarding-adults-board' &&
    agency.boards.includes(state.boardId) &&
    actor.roles.some((r) => state.procedure.roles.find((x) => x.id === r)?.scope === 'board')
  );
}

/**
 * The agencies a timer's or a form's audience means: `board` is the board's own agency (its
 * business unit), `commissioner-of:<agency>` that agency's commissioning body, anything else itself.
 */
export function audienceAgencies(directory: Directory, boardId: string, agencyId: string): string[] {
  if (agencyId === 'board')
    return directory.agencies
      .filter((x) => x.kind === 'safeguarding-adults-board' && x.boards.includes(boardId))
      .map((x) => x.id);
  if (agencyId.startsWith('commissioner-of:')) {
    const commissioner = directory.agencies.find(
      (x) => x.id === agencyId.slice('commissioner-of:'.length),
    )?.commissionedBy;
    return commissioner ? [commissioner] : [];
  }
  return [agencyId];
}
