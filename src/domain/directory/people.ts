/**
 * Who holds which role on each side of a case, today: the directory's people, with a deputy
 * standing in for anyone who is away.
 */
import type { LocalDate } from '../calendar/local-date';
import type { Directory, Person } from './schema';

export function isAway(person: Person, on: LocalDate): boolean {
  return person.away.some((span) => span.from <= on && on <= span.to);
}

export interface RoleHolder {
  person: Person;
  /** Set when `person` acts as deputy for someone who is away. */
  actingFor?: Person;
}

/**
 * The people who hold `role` in `agencyId` on the date `on`. Someone away is replaced by their
 * deputy (following the chain of deputies, never in a circle); where nobody is left, the list
 * is empty and the caller says so.
 */
export function roleHolders(directory: Directory, agencyId: string, role: string, on: LocalDate): RoleHolder[] {
  const byId = new Map(directory.people.map((p) => [p.id, p]));
  const holders: RoleHolder[] = [];
  const seen = new Set<string>();
  for (const person of directory.people) {
    if (person.agency !== agencyId || !person.roles.includes(role)) continue;
    let acting: Person | undefined = person;
    const chain = new Set<string>();
    while (acting && isAway(acting, on) && !chain.has(acting.id)) {
      chain.add(acting.id);
      acting = acting.deputy !== undefined ? byId.get(acting.deputy) : undefined;
    }
    if (!acting || isAway(acting, on) || seen.has(acting.id)) continue;
    seen.add(acting.id);
    holders.push(acting.id === person.id ? { person } : { person: acting, actingFor: person });
  }
  return holders;
}

/** Every role a person can act in on a date: their own, plus those of anyone away they deputise for. */
export function rolesActingIn(directory: Directory, personId: string, on: LocalDate): { roles: string[]; actingFor: string[] } {
  const me = directory.people.find((p) => p.id === personId);
  if (!me) return { roles: [], actingFor: [] };
  const roles = new Set(me.roles);
  const actingFor: string[] = [];
  for (const other of directory.people) {
    if (other.id === me.id || other.agency !== me.agency || !isAway(other, on)) continue;
    const holders = other.roles.flatMap((r) => roleHolders(directory, other.agency, r, on));
    if (holders.some((h) => h.person.id === me.id && h.actingFor?.id === other.id)) {
      other.roles.forEach((r) => roles.add(r));
      actingFor.push(other.id);
    }
  }
  return { roles: [...roles], actingFor };
}
