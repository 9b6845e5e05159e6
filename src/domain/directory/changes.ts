/**
 * The directory's history: each change to its people (learned from a chat platform, a role
 * given or taken away, an absence set or ended, a record updated, a file imported) as one entry
 * of an append-only log, and the fold of those entries into the people of the directory.
 */
import type { LocalDate } from '../calendar/local-date';
import type { Person } from './schema';

/** Where a role came from: a person (an administrator in chat, the command line) or a group. */
export type RoleSource = string;

export type DirectoryChange =
  /** People from a directory file: each replaces the record with its id (others are kept). */
  | { kind: 'imported'; file: string; people: Person[] }
  /** Someone the bot had not met, learned from their chat platform (or a group's members). */
  | { kind: 'person-learned'; person: Person; platform: 'slack' | 'teams'; via: string }
  /** Fields of a record changed (a chat identity added on an email match, a name). */
  | { kind: 'person-updated'; personId: string; before: Partial<Person>; after: Partial<Person>; why: string }
  | { kind: 'role-assigned'; personId: string; role: string; source: RoleSource; before?: string[]; after?: string[] }
  | { kind: 'role-removed'; personId: string; role: string; source: RoleSource; before?: string[]; after?: string[] }
  /** An absence (and who covers, when named): the spans overlapping it are replaced. */
  | { kind: 'absence-set'; personId: string; from: LocalDate; to: LocalDate; deputy?: string; previousDeputy?: string }
  /** Back: every absence still running or to come on `on` ends. */
  | { kind: 'absence-cleared'; personId: string; on: LocalDate };

export interface DirectoryEntry {
  /** 1, 2, 3… in the order the store took them. */
  seq: number;
  at: string;
  /** Who made the change: a person id, `cli`, `file`, or `group:<source>`. */
  by: string;
  change: DirectoryChange;
}

/** The people after one more change (a change naming nobody known leaves them as they were). */
export function applyChange(people: readonly Person[], change: DirectoryChange): Person[] {
  const out = people.map((p) => p);
  const at = (id: string): number => out.findIndex((p) => p.id === id);
  const put = (person: Person): void => {
    const i = at(person.id);
    if (i >= 0) out[i] = person;
    else out.push(person);
  };
  const edit = (id: string, f: (p: Person) => Person): void => {
    const i = at(id);
    const p = out[i];
    if (i >= 0 && p) out[i] = f(p);
  };
  switch (change.kind) {
    case 'imported':
      for (const p of change.people) {
        const before = out[at(p.id)];
        // A chat identity learned since is kept when the file has none.
        put({
          ...p,
          ...((p.slackUserId ?? before?.slackUserId) ? { slackUserId: p.slackUserId ?? before?.slackUserId } : {}),
          ...((p.teamsAadObjectId ?? before?.teamsAadObjectId)
            ? { teamsAadObjectId: p.teamsAadObjectId ?? before?.teamsAadObjectId }
            : {}),
        });
      }
      break;
    case 'person-learned':
      put(change.person);
      break;
    case 'person-updated':
      edit(change.personId, (p) => ({ ...p, ...change.after, id: p.id }));
      break;
    case 'role-assigned':
      edit(change.personId, (p) => {
        // Given on purpose (an administrator, a group, a file), the role the bot gave itself becomes a full one.
        const { learnedRole, ...rest } = p;
        const person = learnedRole === change.role ? rest : p;
        return person.roles.includes(change.role) ? person : { ...person, roles: [...person.roles, change.role] };
      });
      break;
    case 'role-removed':
      edit(change.personId, (p) => {
        const roles = p.roles.filter((r) => r !== change.role);
        return roles.length ? { ...p, roles } : p;
      });
      break;
    case 'absence-set':
      edit(change.personId, (p) => ({
        ...p,
        away: [
          ...p.away.filter((s) => s.to < change.from || s.from > change.to),
          { from: change.from, to: change.to },
        ].sort((a, b) => a.from.localeCompare(b.from)),
        ...(change.deputy !== undefined ? { deputy: change.deputy } : {}),
      }));
      break;
    case 'absence-cleared':
      edit(change.personId, (p) => ({ ...p, away: p.away.filter((s) => s.to < change.on) }));
      break;
  }
  return out;
}

export function foldChanges(people: readonly Person[], changes: readonly DirectoryChange[]): Person[] {
  return changes.reduce<Person[]>((acc, c) => applyChange(acc, c), [...people]);
}

/**
 * Who gave each role to each person: `person:role` → the sources that gave it, brought up to
 * date with one more change. A group takes away only the roles it gave, and a role stays while
 * any source still gives it; anyone else's removal takes it away whoever gave it.
 */
export function noteGrant(grants: Map<string, Set<RoleSource>>, change: DirectoryChange): void {
  const give = (person: string, role: string, source: RoleSource): void => {
    const key = `${person}:${role}`;
    const set = grants.get(key) ?? new Set<RoleSource>();
    set.add(source);
    grants.set(key, set);
  };
  const c = change;
  if (c.kind === 'imported') for (const p of c.people) for (const r of p.roles) give(p.id, r, 'file');
  if (c.kind === 'person-learned') for (const r of c.person.roles) give(c.person.id, r, c.via);
  if (c.kind === 'role-assigned') give(c.personId, c.role, c.source);
  if (c.kind === 'role-removed') {
    const key = `${c.personId}:${c.role}`;
    if (c.source.startsWith('group:')) grants.get(key)?.delete(c.source);
    else grants.delete(key);
  }
}

/**
 * A stable id for someone learned from a chat platform: their name as a slug, then their
 * platform id (a Slack user id, or the first part of their Entra object id), so two people of
 * the same name never share one, and every replica makes the same id for the same person.
 */
export function learnedPersonId(name: string, platform: 'slack' | 'teams', userId: string): string {
  const base =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'person';
  const tail = (platform === 'slack' ? userId : (userId.split('-')[0] ?? userId))
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  return `${base}-${tail}`;
}
