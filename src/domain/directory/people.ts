/**
 * Who holds which role on each side of a case, on a given day: the directory's people, with a
 * deputy standing in for anyone who is away.
 */
import type { LocalDate } from '../calendar/local-date';
import type { Directory, Person } from './schema';

export function isAway(person: Person, on: LocalDate): boolean {
  return person.away.some((span) => span.from <= on && on <= span.to);
}

export interface RoleHolder {
  person: Person;
  /** The people away whose role `person` holds as their deputy (empty when it is their own). */
  actingFor: Person[];
}

/**
 * Who acts for `person` on `on`: themselves when present, otherwise the first person along
 * their chain of deputies who is present (never going round in a circle), or nobody.
 */
export function actingPerson(directory: Directory, person: Person, on: LocalDate): Person | undefined {
  const byId = new Map(directory.people.map((p) => [p.id, p]));
  const visited = new Set<string>();
  let acting: Person | undefined = person;
  while (acting && isAway(acting, on)) {
    if (visited.has(acting.id)) return undefined;
    visited.add(acting.id);
    acting = acting.deputy !== undefined ? byId.get(acting.deputy) : undefined;
  }
  return acting;
}

/**
 * The people who hold `role` in `agencyId` on the date `on`: those present who hold it, and the
 * deputies of those away. A deputy who stands in for several people is listed once, with
 * everyone they act for. Where nobody is left, the list is empty and the caller says so.
 */
export function roleHolders(directory: Directory, agencyId: string, role: string, on: LocalDate): RoleHolder[] {
  const holders = new Map<string, RoleHolder>();
  for (const person of directory.people) {
    if (person.agency !== agencyId || !person.roles.includes(role)) continue;
    const acting = actingPerson(directory, person, on);
    if (!acting) continue;
    const entry = holders.get(acting.id) ?? { person: acting, actingFor: [] };
    if (acting.id !== person.id) entry.actingFor.push(person);
    holders.set(acting.id, entry);
  }
  return [...holders.values()];
}

/** Every role a person can act in on a date: their own, plus those of anyone away they deputise for. */
export function rolesActingIn(
  directory: Directory,
  personId: string,
  on: LocalDate,
): { roles: string[]; actingFor: string[] } {
  const me = directory.people.find((p) => p.id === personId);
  if (!me) return { roles: [], actingFor: [] };
  const roles = new Set(me.roles);
  const actingFor: string[] = [];
  for (const other of directory.people) {
    if (other.id === me.id || other.agency !== me.agency || !isAway(other, on)) continue;
    if (actingPerson(directory, other, on)?.id === me.id) {
      other.roles.forEach((r) => roles.add(r));
      actingFor.push(other.id);
    }
  }
  return { roles: [...roles], actingFor };
}
