/** Who a member of staff is to the escalation rules: their agency, boards and the roles they act in today. */
import { instantToZoned } from '../domain/calendar';
import { rolesActingIn, type Directory, type Person } from '../domain/directory';
import type { Actor } from '../domain/escalation';

export function actorFor(directory: Directory, person: Person, now: Date): Actor {
  const acting = rolesActingIn(directory, person.id, instantToZoned(now, 'Europe/London').date);
  const agency = directory.agencies.find((a) => a.id === person.agency);
  return { personId: person.id, agencyId: person.agency, roles: acting.roles, boards: agency?.boards ?? [], actingFor: acting.actingFor };
}

export function personById(directory: Directory, id: string | undefined): Person | undefined {
  return id === undefined ? undefined : directory.people.find((p) => p.id === id);
}

export const NOT_IN_DIRECTORY =
  "You are not in the escalation directory yet, so the bot cannot tell which agency and roles are yours. Ask your agency's safeguarding lead or the board's business unit to add you.";
